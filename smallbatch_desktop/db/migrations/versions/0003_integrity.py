"""Integrity: the database guards the records itself, whatever client writes.

Several workstations may share one database, some still on an older version; a script
or a bug may write too.  The services check every rule first, under a lock; these
triggers are the last line, on SQLite and on PostgreSQL alike:

- a material lot's on-hand never goes below zero, and a batch never gives out (to other
  batches and shipments) more than it made.  Two running totals kept by triggers,
  ``material_lots.on_hand`` and ``batches.used_quantity``, make that one row update per
  write (a SUM per insert would grow with every use of a busy lot); on PostgreSQL that
  update takes the row's lock, so two transactions drawing on one lot queue and the
  second sees the first's result.  A total already below zero (the races before this
  version) may rise but not fall further.
- a released, rejected or recalled batch record does not change: its row (but for its
  totals, a recall, and a change that an amendment row records just before), its
  inputs, its QC results, its release snapshot, its amendments.
- a published recipe version, its lines and its QC spec do not change.
- a final label print run never takes "n of N" numbers an earlier final run took, unless
  it is a reprint the maker asked for (the new ``label_print_runs.reprint``).
- a lot code names one thing: a material lot and a batch never share one.
- ``batch_snapshots``: what a released batch's record and labels show, taken at release.

A trigger refuses with ``smallbatch:<code>``; ``db.guards`` turns that into a message.

Revision ID: 0003_integrity
Revises: 0005_orders
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_integrity"
down_revision: str | None = "0005_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN = "('released', 'recalled', 'rejected')"


# --------------------------------------------------------------------------- SQLite

_SQLITE_LOT = """
    UPDATE material_lots SET on_hand = on_hand {sign} {qty} WHERE id = {lot};
"""
_SQLITE_LOT_CHECK = """
    SELECT RAISE(ABORT, 'smallbatch:lot_overdrawn')
    FROM material_lots WHERE id = {lot} AND on_hand < 0;
"""
_SQLITE_BATCH = """
    UPDATE batches SET used_quantity = used_quantity {sign} {qty} WHERE id = {batch};
"""
_SQLITE_BATCH_CHECK = """
    SELECT RAISE(ABORT, 'smallbatch:batch_overdrawn') FROM batches
    WHERE id = {batch} AND used_quantity > COALESCE(actual_quantity, planned_quantity);
"""
_SQLITE_FROZEN = "(SELECT status FROM batches WHERE id = {}) IN " + FROZEN
_SQLITE_PUBLISHED = "(SELECT status FROM recipe_versions WHERE id = {}) = 'published'"


def _refuse_rows_of(t: dict[str, str], table: str, frozen: str, parent: str, code: str) -> None:
    """Refuse inserting, changing or deleting rows of ``table`` whose parent (the row
    ``<parent>_id`` names) is ``frozen`` (a condition with a ``{}`` for the id)."""
    new, old = frozen.format(f"NEW.{parent}_id"), frozen.format(f"OLD.{parent}_id")
    for event, cond in (("INSERT", new), ("UPDATE", f"{old} OR {new}"), ("DELETE", old)):
        t[f"trg_{table}_{code}_{event.lower()}"] = f"""
            BEFORE {event} ON {table} WHEN {cond}
            BEGIN SELECT RAISE(ABORT, 'smallbatch:{code}'); END"""


def _amended(field: str, new_value: str) -> str:
    """The latest amendment of ``field`` on this batch records exactly the new value."""
    return f"""EXISTS (SELECT 1 FROM amendments a WHERE a.batch_id = OLD.id
        AND a.field = '{field}' AND {new_value}
        AND a.id = (SELECT MAX(id) FROM amendments WHERE batch_id = OLD.id AND field = '{field}'))"""


_SQLITE_BATCH_UNCHANGED = f"""
    NEW.id = OLD.id AND NEW.lot_code = OLD.lot_code
    AND NEW.recipe_version_id = OLD.recipe_version_id
    AND NEW.planned_quantity = OLD.planned_quantity AND NEW.unit = OLD.unit
    AND NEW.scale_factor = OLD.scale_factor AND NEW.made_date = OLD.made_date
    AND NEW.created_at IS OLD.created_at AND NEW.started_at IS OLD.started_at
    AND NEW.qc_at IS OLD.qc_at AND NEW.released_at IS OLD.released_at
    AND NEW.released_by IS OLD.released_by
    AND ((NEW.status = OLD.status AND NEW.closed_at IS OLD.closed_at
          AND NEW.closed_by IS OLD.closed_by AND NEW.close_reason IS OLD.close_reason)
         OR (OLD.status = 'released' AND NEW.status = 'recalled'))
    AND (NEW.actual_quantity IS OLD.actual_quantity OR {
    _amended(
        "actual_quantity",
        "CAST(ROUND(CAST(a.new_value AS REAL) * 1000000) AS INTEGER) = NEW.actual_quantity",
    )
})
    AND (NEW.best_before IS OLD.best_before OR {
    _amended("best_before", "a.new_value = NEW.best_before")
})
    AND (NEW.notes IS OLD.notes OR {_amended("notes", "a.new_value = NEW.notes")})
    AND (NEW.operator IS OLD.operator OR {_amended("operator", "a.new_value = NEW.operator")})
"""


def _sqlite_triggers() -> dict[str, str]:
    lot_new, lot_old = "NEW.material_lot_id", "OLD.material_lot_id"
    t: dict[str, str] = {}
    # on-hand of material lots
    t["trg_material_lots_on_hand_insert"] = """
        AFTER INSERT ON material_lots BEGIN
          UPDATE material_lots SET on_hand = NEW.quantity_received WHERE id = NEW.id;
        END"""
    t["trg_material_lots_received_update"] = f"""
        AFTER UPDATE OF quantity_received ON material_lots BEGIN
          {_SQLITE_LOT.format(sign="+", qty="(NEW.quantity_received - OLD.quantity_received)", lot="NEW.id")}
          SELECT RAISE(ABORT, 'smallbatch:lot_overdrawn') FROM material_lots
          WHERE id = NEW.id AND on_hand < 0 AND NEW.quantity_received < OLD.quantity_received;
        END"""
    t["trg_consumptions_lot_insert"] = f"""
        AFTER INSERT ON consumptions WHEN NEW.material_lot_id IS NOT NULL BEGIN
          {_SQLITE_LOT.format(sign="-", qty="NEW.quantity", lot=lot_new)}
          {_SQLITE_LOT_CHECK.format(lot=lot_new)}
        END"""
    t["trg_consumptions_lot_delete"] = f"""
        AFTER DELETE ON consumptions WHEN OLD.material_lot_id IS NOT NULL BEGIN
          {_SQLITE_LOT.format(sign="+", qty="OLD.quantity", lot=lot_old)}
        END"""
    t["trg_consumptions_lot_update"] = f"""
        AFTER UPDATE OF quantity, material_lot_id ON consumptions BEGIN
          {_SQLITE_LOT.format(sign="+", qty="OLD.quantity", lot=lot_old)}
          {_SQLITE_LOT.format(sign="-", qty="NEW.quantity", lot=lot_new)}
          SELECT RAISE(ABORT, 'smallbatch:lot_overdrawn') FROM material_lots
          WHERE id = NEW.material_lot_id AND on_hand < 0
            AND (NEW.material_lot_id IS NOT OLD.material_lot_id OR NEW.quantity > OLD.quantity);
        END"""
    adj = "stock_adjustments"
    t["trg_stock_adjustments_insert"] = f"""
        AFTER INSERT ON {adj} BEGIN
          {_SQLITE_LOT.format(sign="+", qty="NEW.quantity", lot=lot_new)}
          SELECT RAISE(ABORT, 'smallbatch:lot_overdrawn') FROM material_lots
          WHERE id = NEW.material_lot_id AND on_hand < 0 AND NEW.quantity < 0;
        END"""
    t["trg_stock_adjustments_delete"] = f"""
        AFTER DELETE ON {adj} BEGIN
          {_SQLITE_LOT.format(sign="-", qty="OLD.quantity", lot=lot_old)}
          SELECT RAISE(ABORT, 'smallbatch:lot_overdrawn') FROM material_lots
          WHERE id = OLD.material_lot_id AND on_hand < 0 AND OLD.quantity > 0;
        END"""
    t["trg_stock_adjustments_update"] = f"""
        AFTER UPDATE OF quantity, material_lot_id ON {adj} BEGIN
          {_SQLITE_LOT.format(sign="-", qty="OLD.quantity", lot=lot_old)}
          {_SQLITE_LOT.format(sign="+", qty="NEW.quantity", lot=lot_new)}
          SELECT RAISE(ABORT, 'smallbatch:lot_overdrawn') FROM material_lots
          WHERE id = NEW.material_lot_id AND on_hand < 0
            AND (NEW.material_lot_id IS NOT OLD.material_lot_id OR NEW.quantity < OLD.quantity);
        END"""
    # what is used of batches: as inputs of other batches, and shipped
    for table, col in (("consumptions", "input_batch_id"), ("shipments", "batch_id")):
        new, old = f"NEW.{col}", f"OLD.{col}"
        t[f"trg_{table}_used_insert"] = f"""
            AFTER INSERT ON {table} WHEN {new} IS NOT NULL BEGIN
              {_SQLITE_BATCH.format(sign="+", qty="NEW.quantity", batch=new)}
              {_SQLITE_BATCH_CHECK.format(batch=new)}
            END"""
        t[f"trg_{table}_used_delete"] = f"""
            AFTER DELETE ON {table} WHEN {old} IS NOT NULL BEGIN
              {_SQLITE_BATCH.format(sign="-", qty="OLD.quantity", batch=old)}
            END"""
        t[f"trg_{table}_used_update"] = f"""
            AFTER UPDATE OF quantity, {col} ON {table} BEGIN
              {_SQLITE_BATCH.format(sign="-", qty="OLD.quantity", batch=old)}
              {_SQLITE_BATCH.format(sign="+", qty="NEW.quantity", batch=new)}
              SELECT RAISE(ABORT, 'smallbatch:batch_overdrawn') FROM batches
              WHERE id = {new} AND used_quantity > COALESCE(actual_quantity, planned_quantity)
                AND ({new} IS NOT {old} OR NEW.quantity > OLD.quantity);
            END"""
    t["trg_batches_quantity_update"] = """
        AFTER UPDATE OF actual_quantity, planned_quantity ON batches BEGIN
          SELECT RAISE(ABORT, 'smallbatch:batch_overdrawn')
          WHERE NEW.used_quantity > COALESCE(NEW.actual_quantity, NEW.planned_quantity)
            AND COALESCE(NEW.actual_quantity, NEW.planned_quantity)
              < COALESCE(OLD.actual_quantity, OLD.planned_quantity);
        END"""
    # released records
    t["trg_batches_frozen_update"] = f"""
        BEFORE UPDATE ON batches WHEN OLD.status IN {FROZEN} AND NOT ({_SQLITE_BATCH_UNCHANGED})
        BEGIN SELECT RAISE(ABORT, 'smallbatch:batch_frozen'); END"""
    t["trg_batches_frozen_delete"] = f"""
        BEFORE DELETE ON batches WHEN OLD.status IN {FROZEN}
        BEGIN SELECT RAISE(ABORT, 'smallbatch:batch_frozen'); END"""
    for table in ("consumptions", "qc_results"):
        _refuse_rows_of(t, table, _SQLITE_FROZEN, "batch", "batch_frozen")
    for table, code in (("batch_snapshots", "batch_frozen"), ("amendments", "amendment_kept")):
        for event in ("UPDATE", "DELETE"):
            t[f"trg_{table}_keep_{event.lower()}"] = f"""
                BEFORE {event} ON {table} BEGIN SELECT RAISE(ABORT, 'smallbatch:{code}'); END"""
    # published recipe versions
    t["trg_recipe_versions_published_update"] = """
        BEFORE UPDATE ON recipe_versions WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, 'smallbatch:version_published'); END"""
    t["trg_recipe_versions_published_delete"] = """
        BEFORE DELETE ON recipe_versions WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, 'smallbatch:version_published'); END"""
    for table in ("recipe_lines", "qc_spec_items"):
        _refuse_rows_of(t, table, _SQLITE_PUBLISHED, "version", "version_published")
    # label numbers
    t["trg_label_print_runs_numbers"] = """
        BEFORE INSERT ON label_print_runs WHEN NEW.final AND NOT NEW.reprint AND EXISTS (
          SELECT 1 FROM label_print_runs r WHERE r.batch_id = NEW.batch_id AND r.final
            AND NEW.first_number <= r.last_number AND r.first_number <= NEW.last_number)
        BEGIN SELECT RAISE(ABORT, 'smallbatch:label_numbers_taken'); END"""
    # one lot code, one thing
    for table, other in (("batches", "material_lots"), ("material_lots", "batches")):
        for event in ("INSERT", "UPDATE OF lot_code"):
            t[f"trg_{table}_lot_code_{event.split()[0].lower()}"] = f"""
                BEFORE {event} ON {table}
                WHEN EXISTS (SELECT 1 FROM {other} WHERE lot_code = NEW.lot_code)
                BEGIN SELECT RAISE(ABORT, 'smallbatch:lot_code_taken'); END"""
    return t


# --------------------------------------------------------------------------- PostgreSQL

_PG_FUNCTIONS = {
    # running totals: the UPDATE takes the row lock, so concurrent writers queue
    "smallbatch_lot_on_hand": """
        DECLARE left_ bigint;
        BEGIN
          IF TG_TABLE_NAME = 'material_lots' THEN
            IF TG_OP = 'INSERT' THEN
              UPDATE material_lots SET on_hand = NEW.quantity_received WHERE id = NEW.id;
            ELSIF NEW.quantity_received <> OLD.quantity_received THEN
              UPDATE material_lots SET on_hand = on_hand + NEW.quantity_received
                - OLD.quantity_received WHERE id = NEW.id RETURNING on_hand INTO left_;
              IF left_ < 0 AND NEW.quantity_received < OLD.quantity_received THEN
                RAISE EXCEPTION 'smallbatch:lot_overdrawn' USING ERRCODE = 'check_violation';
              END IF;
            END IF;
            RETURN NULL;
          END IF;
          -- consumptions draw (sign -1), stock adjustments add (sign +1)
          IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.material_lot_id IS NOT NULL THEN
            UPDATE material_lots SET on_hand = on_hand
              - (CASE WHEN TG_TABLE_NAME = 'consumptions' THEN -1 ELSE 1 END) * OLD.quantity
              WHERE id = OLD.material_lot_id RETURNING on_hand INTO left_;
            IF TG_OP = 'DELETE' AND left_ < 0 AND TG_TABLE_NAME = 'stock_adjustments'
               AND OLD.quantity > 0 THEN
              RAISE EXCEPTION 'smallbatch:lot_overdrawn' USING ERRCODE = 'check_violation';
            END IF;
          END IF;
          IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.material_lot_id IS NOT NULL THEN
            UPDATE material_lots SET on_hand = on_hand
              + (CASE WHEN TG_TABLE_NAME = 'consumptions' THEN -1 ELSE 1 END) * NEW.quantity
              WHERE id = NEW.material_lot_id RETURNING on_hand INTO left_;
            IF left_ < 0 AND (
                 TG_OP = 'INSERT' AND (TG_TABLE_NAME = 'consumptions' OR NEW.quantity < 0)
                 OR TG_OP = 'UPDATE' AND (NEW.material_lot_id IS DISTINCT FROM OLD.material_lot_id
                   OR (CASE WHEN TG_TABLE_NAME = 'consumptions' THEN NEW.quantity > OLD.quantity
                       ELSE NEW.quantity < OLD.quantity END))) THEN
              RAISE EXCEPTION 'smallbatch:lot_overdrawn' USING ERRCODE = 'check_violation';
            END IF;
          END IF;
          RETURN NULL;
        END""",
    "smallbatch_batch_used": """
        DECLARE old_id bigint; new_id bigint; over boolean;
        BEGIN
          IF TG_TABLE_NAME = 'consumptions' THEN
            IF TG_OP <> 'INSERT' THEN old_id := OLD.input_batch_id; END IF;
            IF TG_OP <> 'DELETE' THEN new_id := NEW.input_batch_id; END IF;
          ELSE
            IF TG_OP <> 'INSERT' THEN old_id := OLD.batch_id; END IF;
            IF TG_OP <> 'DELETE' THEN new_id := NEW.batch_id; END IF;
          END IF;
          IF old_id IS NOT NULL THEN
            UPDATE batches SET used_quantity = used_quantity - OLD.quantity WHERE id = old_id;
          END IF;
          IF new_id IS NOT NULL THEN
            UPDATE batches SET used_quantity = used_quantity + NEW.quantity WHERE id = new_id
              RETURNING used_quantity > COALESCE(actual_quantity, planned_quantity) INTO over;
            IF over AND (TG_OP = 'INSERT' OR new_id IS DISTINCT FROM old_id
                         OR NEW.quantity > OLD.quantity) THEN
              RAISE EXCEPTION 'smallbatch:batch_overdrawn' USING ERRCODE = 'check_violation';
            END IF;
          END IF;
          RETURN NULL;
        END""",
    "smallbatch_batch_quantity": """
        BEGIN
          IF NEW.used_quantity > COALESCE(NEW.actual_quantity, NEW.planned_quantity)
             AND COALESCE(NEW.actual_quantity, NEW.planned_quantity)
               < COALESCE(OLD.actual_quantity, OLD.planned_quantity) THEN
            RAISE EXCEPTION 'smallbatch:batch_overdrawn' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END""",
    "smallbatch_batch_frozen": f"""
        BEGIN
          IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'smallbatch:batch_frozen' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          IF NOT (
            NEW.id = OLD.id AND NEW.lot_code = OLD.lot_code
            AND NEW.recipe_version_id = OLD.recipe_version_id
            AND NEW.planned_quantity = OLD.planned_quantity AND NEW.unit = OLD.unit
            AND NEW.scale_factor = OLD.scale_factor AND NEW.made_date = OLD.made_date
            AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at
            AND NEW.started_at IS NOT DISTINCT FROM OLD.started_at
            AND NEW.qc_at IS NOT DISTINCT FROM OLD.qc_at
            AND NEW.released_at IS NOT DISTINCT FROM OLD.released_at
            AND NEW.released_by IS NOT DISTINCT FROM OLD.released_by
            AND ((NEW.status = OLD.status
                  AND NEW.closed_at IS NOT DISTINCT FROM OLD.closed_at
                  AND NEW.closed_by IS NOT DISTINCT FROM OLD.closed_by
                  AND NEW.close_reason IS NOT DISTINCT FROM OLD.close_reason)
                 OR (OLD.status = 'released' AND NEW.status = 'recalled'))
            AND (NEW.actual_quantity IS NOT DISTINCT FROM OLD.actual_quantity OR {
        _amended("actual_quantity", "a.new_value::numeric * 1000000 = NEW.actual_quantity")
    })
            AND (NEW.best_before IS NOT DISTINCT FROM OLD.best_before OR {
        _amended("best_before", "a.new_value = to_char(NEW.best_before, 'YYYY-MM-DD')")
    })
            AND (NEW.notes IS NOT DISTINCT FROM OLD.notes OR {
        _amended("notes", "a.new_value = NEW.notes")
    })
            AND (NEW.operator IS NOT DISTINCT FROM OLD.operator OR {
        _amended("operator", "a.new_value = NEW.operator")
    })
          ) THEN
            RAISE EXCEPTION 'smallbatch:batch_frozen' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END""",
    # inputs and QC results of a frozen batch; FOR SHARE waits for a release in flight
    "smallbatch_batch_part_frozen": f"""
        DECLARE st text;
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            SELECT status INTO st FROM batches WHERE id = OLD.batch_id FOR SHARE;
            IF st IN {FROZEN} THEN
              RAISE EXCEPTION 'smallbatch:batch_frozen' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            SELECT status INTO st FROM batches WHERE id = NEW.batch_id FOR SHARE;
            IF st IN {FROZEN} THEN
              RAISE EXCEPTION 'smallbatch:batch_frozen' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
          END IF;
          RETURN OLD;
        END""",
    "smallbatch_keep": """
        BEGIN
          RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
        END""",
    "smallbatch_version_part_published": """
        DECLARE st text;
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            SELECT status INTO st FROM recipe_versions WHERE id = OLD.version_id FOR SHARE;
            IF st = 'published' THEN
              RAISE EXCEPTION 'smallbatch:version_published' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            SELECT status INTO st FROM recipe_versions WHERE id = NEW.version_id FOR SHARE;
            IF st = 'published' THEN
              RAISE EXCEPTION 'smallbatch:version_published' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
          END IF;
          RETURN OLD;
        END""",
    "smallbatch_label_numbers": """
        BEGIN
          IF NEW.final AND NOT NEW.reprint THEN
            PERFORM 1 FROM batches WHERE id = NEW.batch_id FOR UPDATE;
            IF EXISTS (SELECT 1 FROM label_print_runs r WHERE r.batch_id = NEW.batch_id
                AND r.final AND NEW.first_number <= r.last_number
                AND r.first_number <= NEW.last_number) THEN
              RAISE EXCEPTION 'smallbatch:label_numbers_taken' USING ERRCODE = 'unique_violation';
            END IF;
          END IF;
          RETURN NEW;
        END""",
    "smallbatch_lot_code": """
        BEGIN
          PERFORM pg_advisory_xact_lock(hashtext('smallbatch.lot_code:' || NEW.lot_code));
          IF TG_TABLE_NAME = 'batches' THEN
            PERFORM 1 FROM material_lots WHERE lot_code = NEW.lot_code;
          ELSE
            PERFORM 1 FROM batches WHERE lot_code = NEW.lot_code;
          END IF;
          IF FOUND THEN
            RAISE EXCEPTION 'smallbatch:lot_code_taken' USING ERRCODE = 'unique_violation';
          END IF;
          RETURN NEW;
        END""",
}

#: trigger name -> (table, timing and events, function call, WHEN or "")
_PG_TRIGGERS: dict[str, tuple[str, str, str, str]] = {
    "trg_material_lots_on_hand": (
        "material_lots",
        "AFTER INSERT OR UPDATE OF quantity_received",
        "smallbatch_lot_on_hand()",
        "",
    ),
    "trg_consumptions_lot": (
        "consumptions",
        "AFTER INSERT OR DELETE OR UPDATE OF quantity, material_lot_id",
        "smallbatch_lot_on_hand()",
        "",
    ),
    "trg_stock_adjustments_lot": (
        "stock_adjustments",
        "AFTER INSERT OR DELETE OR UPDATE OF quantity, material_lot_id",
        "smallbatch_lot_on_hand()",
        "",
    ),
    "trg_consumptions_used": (
        "consumptions",
        "AFTER INSERT OR DELETE OR UPDATE OF quantity, input_batch_id",
        "smallbatch_batch_used()",
        "",
    ),
    "trg_shipments_used": (
        "shipments",
        "AFTER INSERT OR DELETE OR UPDATE OF quantity, batch_id",
        "smallbatch_batch_used()",
        "",
    ),
    "trg_batches_quantity_update": (
        "batches",
        "AFTER UPDATE OF actual_quantity, planned_quantity",
        "smallbatch_batch_quantity()",
        "",
    ),
    "trg_batches_frozen": (
        "batches",
        "BEFORE UPDATE OR DELETE",
        "smallbatch_batch_frozen()",
        f"OLD.status IN {FROZEN}",
    ),
    "trg_consumptions_frozen": (
        "consumptions",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "smallbatch_batch_part_frozen()",
        "",
    ),
    "trg_qc_results_frozen": (
        "qc_results",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "smallbatch_batch_part_frozen()",
        "",
    ),
    "trg_batch_snapshots_keep": (
        "batch_snapshots",
        "BEFORE UPDATE OR DELETE",
        "smallbatch_keep('smallbatch:batch_frozen')",
        "",
    ),
    "trg_amendments_keep": (
        "amendments",
        "BEFORE UPDATE OR DELETE",
        "smallbatch_keep('smallbatch:amendment_kept')",
        "",
    ),
    "trg_recipe_versions_published": (
        "recipe_versions",
        "BEFORE UPDATE OR DELETE",
        "smallbatch_keep('smallbatch:version_published')",
        "OLD.status = 'published'",
    ),
    "trg_recipe_lines_published": (
        "recipe_lines",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "smallbatch_version_part_published()",
        "",
    ),
    "trg_qc_spec_items_published": (
        "qc_spec_items",
        "BEFORE INSERT OR UPDATE OR DELETE",
        "smallbatch_version_part_published()",
        "",
    ),
    "trg_label_print_runs_numbers": (
        "label_print_runs",
        "BEFORE INSERT",
        "smallbatch_label_numbers()",
        "",
    ),
    "trg_batches_lot_code": (
        "batches",
        "BEFORE INSERT OR UPDATE OF lot_code",
        "smallbatch_lot_code()",
        "",
    ),
    "trg_material_lots_lot_code": (
        "material_lots",
        "BEFORE INSERT OR UPDATE OF lot_code",
        "smallbatch_lot_code()",
        "",
    ),
}


# --------------------------------------------------------------------------- steps


def upgrade() -> None:
    op.add_column(
        "material_lots",
        sa.Column("on_hand", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "batches",
        sa.Column("used_quantity", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "label_print_runs",
        sa.Column("reprint", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "batch_snapshots",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_batch_snapshots_batch_id_batches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batch_snapshots")),
    )
    # the totals of what is there already (exact: scaled integers)
    op.execute(
        """
        UPDATE material_lots SET on_hand = quantity_received
          + COALESCE((SELECT SUM(a.quantity) FROM stock_adjustments a
                      WHERE a.material_lot_id = material_lots.id), 0)
          - COALESCE((SELECT SUM(c.quantity) FROM consumptions c
                      WHERE c.material_lot_id = material_lots.id), 0)
        """
    )
    op.execute(
        """
        UPDATE batches SET used_quantity =
            COALESCE((SELECT SUM(c.quantity) FROM consumptions c
                      WHERE c.input_batch_id = batches.id), 0)
          + COALESCE((SELECT SUM(s.quantity) FROM shipments s WHERE s.batch_id = batches.id), 0)
        WHERE id IN (SELECT input_batch_id FROM consumptions WHERE input_batch_id IS NOT NULL
                     UNION SELECT batch_id FROM shipments)
        """
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, body in _PG_FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn${body}$fn$"
            )
        for name, (table, events, call, when) in _PG_TRIGGERS.items():
            cond = f" WHEN ({when})" if when else ""
            op.execute(
                f"CREATE TRIGGER {name} {events} ON {table} FOR EACH ROW{cond} "
                f"EXECUTE FUNCTION {call}"
            )
    else:
        for name, body in _sqlite_triggers().items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, *_rest) in _PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("batch_snapshots")
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table copy, which foreign keys
    # would refuse inside the migration's transaction
    op.drop_column("label_print_runs", "reprint")
    op.drop_column("batches", "used_quantity")
    op.drop_column("material_lots", "on_hand")
