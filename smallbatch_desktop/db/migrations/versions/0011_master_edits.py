"""Master data changed since it was made, kept by the database: ``master_edits``.

A released record keeps the names it showed (``batch_snapshots``, migration
0003_integrity): a trace, a recall or the FSMA 204 export shows a released batch's
product and its inputs' names, suppliers and origins as its record keeps them.  Reading
them out of the snapshots' JSON cost more than the rest of a large trace together (at
1,000,000 batches, 6.6 s of the 10 s a forward trace of the most-used lot took).  Yet a
snapshot's names differ from the live ones only where master data changed after the
record was made: a recipe, material or supplier renamed, a lot's supplier details
corrected.  ``master_edits`` (kind, id) lists those, and the trace reads kept names
only for the records that used one of them.

Triggers write it, on SQLite and PostgreSQL, whatever client changes the row:
- ``recipe``: a recipe's name changed;
- ``material``: a material's name changed;
- ``supplier``: a supplier's name changed;
- ``lot``: a material lot's material, supplier, supplier lot code, origin or
  certifications changed.

The table starts with what the audit log says was changed before this version: the app
renames recipes and materials only through ``recipe.update`` and ``material.update``
(both audited), and has never edited suppliers or received lots.  Each recipe or
material updated that way is listed (an update that left the name alone too: listing
more than needed only costs a trace the time it took before).

Revision ID: 0011_master_edits
Revises: 0010_trace
Create Date: 2026-12-03 19:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_master_edits"
down_revision: str | None = "0010_trace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: trigger name -> (table, kind, the columns whose change it records)
TRIGGERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "trg_recipes_edited": ("recipes", "recipe", ("name",)),
    "trg_materials_edited": ("materials", "material", ("name",)),
    "trg_suppliers_edited": ("suppliers", "supplier", ("name",)),
    "trg_material_lots_edited": (
        "material_lots",
        "lot",
        ("material_id", "supplier_id", "supplier_lot_code", "origin", "certifications"),
    ),
}
PG_FUNCTION = "smallbatch_master_edit"


def upgrade() -> None:
    op.create_table(
        "master_edits",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "ref_id", name=op.f("pk_master_edits")),
    )
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$"
            " BEGIN"
            "   INSERT INTO master_edits (kind, ref_id) VALUES (TG_ARGV[0], NEW.id)"
            "   ON CONFLICT DO NOTHING;"
            "   RETURN NULL;"
            " END $fn$"
        )
    for name, (table, kind, columns) in TRIGGERS.items():
        if pg:
            changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in columns)
            op.execute(
                f"CREATE TRIGGER {name} AFTER UPDATE OF {', '.join(columns)} ON {table} "
                f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {PG_FUNCTION}('{kind}')"
            )
        else:
            changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
            op.execute(
                f"CREATE TRIGGER {name} AFTER UPDATE OF {', '.join(columns)} ON {table} "
                f"WHEN {changed} BEGIN "
                f"INSERT OR IGNORE INTO master_edits (kind, ref_id) VALUES ('{kind}', NEW.id); "
                "END"
            )
    for kind, action in (("recipe", "recipe.update"), ("material", "material.update")):
        op.execute(
            "INSERT INTO master_edits (kind, ref_id) "
            f"SELECT DISTINCT '{kind}', entity_id FROM audit_log "
            f"WHERE action = '{action}' AND entity_id IS NOT NULL"
        )


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name, (table, _kind, _columns) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if pg else f"DROP TRIGGER IF EXISTS {name}")
    if pg:
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    op.drop_table("master_edits")
