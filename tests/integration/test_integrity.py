"""The database guards its own invariants (migration 0003_integrity), on SQLite and on
PostgreSQL: raw SQL from a client that skips the services (an old workstation, a
script) cannot over-consume a lot, over-ship a batch, edit a released batch record or a
published recipe version, repeat label numbers or give two things one lot code.  The
refusals reach the app as messages; a released batch's record is a snapshot."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.errors import (
    ConflictError,
    DuplicateError,
    ImmutableError,
    InsufficientStockError,
)
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import labels as lab
from smallbatch_desktop.services import recipes as rec
from smallbatch_desktop.services.reports import batch_record

PG_URL = os.environ.get("SMALLBATCH_TEST_PG_URL")
DAY = dt.date(2026, 11, 2)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    from smallbatch_desktop.db.engine import open_database

    if request.param == "sqlite":
        engine, sf = open_database(tmp_path / "guarded.sqlite")
        yield engine, sf
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("SMALLBATCH_TEST_PG_URL not set (no PostgreSQL server)")

    def wipe() -> None:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))

    from smallbatch_desktop.db.engine import make_engine

    engine = make_engine(PG_URL)
    wipe()
    engine.dispose()
    engine, sf = open_database(PG_URL)
    yield engine, sf
    wipe()
    engine.dispose()


@dataclass
class Shop:
    lot_id: int
    lot_code: str
    material_id: int
    recipe_id: int
    version_id: int
    line_id: int
    planned_id: int  # a planned batch that can take inputs
    released_id: int  # a released batch of 10 pcs, 4 shipped
    consumption_id: int  # an input of the released batch
    qc_result_id: int


def shop(sf: sessionmaker[Session]) -> Shop:
    with sf.begin() as s:
        sup = inv.create_supplier(s, name="Sunrise Farm")
        chili = inv.create_material(
            s, code="CHILI", name="Habanero", stock_unit="kg", allergens="mustard"
        )
        lot = inv.receive_lot(
            s,
            material_id=chili.id,
            quantity="5",
            supplier_id=sup.id,
            supplier_lot_code="SF-7",
            origin="Hatch, NM",
            certifications="Organic",
            received_date=DAY,
        )
        v = rec.create_recipe(s, code="HS", name="Hot sauce", yield_quantity="10", yield_unit="pcs")
        rec.update_draft(
            s,
            v.id,
            lines=[rec.LineInput("1", "kg", material_id=chili.id)],
            qc_items=[rec.QcItemInput("Taste", "passfail")],
        )
        rec.publish(s, v.id)
        planned = bat.plan_batch(s, recipe_version_id=v.id, planned_quantity="10", made_date=DAY)
        done = bat.plan_batch(s, recipe_version_id=v.id, planned_quantity="10", made_date=DAY)
        c = bat.record_consumption(s, done.id, lot_code=lot.lot_code, quantity="1", unit="kg")
        bat.change_status(s, done.id, "start")
        bat.finish_production(
            s, done.id, actual_quantity="10", waste_quantity="1", waste_reason="one jar broke"
        )
        qc = bat.record_qc(s, done.id, v.qc_items[0].id, "pass")
        bat.change_status(s, done.id, "release", actor="Ben")
        inv.create_customer(s, name="Deli")
        bat.ship_batch(s, done.id, customer="Deli", quantity="4", shipped_date=DAY)
        return Shop(
            lot.id,
            lot.lot_code,
            chili.id,
            v.recipe_id,
            v.id,
            v.lines[0].id,
            planned.id,
            done.id,
            c.id,
            qc.id,
        )


def raw(sf: sessionmaker[Session], sql: str, **params: object) -> None:
    """One statement in its own unit of work, as another client would send it."""
    with sf.begin() as s:
        s.execute(text(sql), params)


def test_raw_sql_cannot_over_consume_a_lot_or_over_ship_a_batch(db) -> None:
    _engine, sf = db
    k = shop(sf)  # 5 kg received, 1 kg used: 4 kg left; 10 pcs made, 4 shipped
    consume = (
        "INSERT INTO consumptions (batch_id, material_lot_id, quantity, unit, entered_quantity,"
        " entered_unit, recorded_by, recorded_at) VALUES (:b, :l, :q, 'kg', :q, 'kg', 'old', :t)"
    )
    now = dt.datetime(2026, 11, 3, 8, 0)
    with pytest.raises(
        InsufficientStockError, match=r"^quantity: that is more than is left of the lot"
    ):
        raw(sf, consume, b=k.planned_id, l=k.lot_id, q=4_000_001, t=now)  # 4.000001 kg
    raw(sf, consume, b=k.planned_id, l=k.lot_id, q=4_000_000, t=now)  # exactly what is left
    with pytest.raises(InsufficientStockError):  # an adjustment cannot take it below zero
        raw(
            sf,
            "INSERT INTO stock_adjustments (material_lot_id, quantity, reason, created_by,"
            " created_at) VALUES (:l, -1, 'spill', 'old', :t)",
            l=k.lot_id,
            t=now,
        )
    ship = (
        "INSERT INTO shipments (batch_id, customer_id, quantity, unit, shipped_date,"
        " document_type, document_number, notes, recorded_by, created_at)"
        " VALUES (:b, 1, :q, 'pcs', :d, 'invoice', '', '', 'old', :t)"
    )
    with pytest.raises(
        InsufficientStockError, match=r"^quantity: that is more than is left of the batch"
    ):
        raw(sf, ship, b=k.released_id, q=6_000_001, d=DAY, t=now)
    raw(sf, ship, b=k.released_id, q=6_000_000, d=DAY, t=now)
    with sf() as s:
        assert inv.lot_on_hand(s, k.lot_id) == 0
        assert bat.batch_on_hand(s, k.released_id) == 0
        # the running totals the triggers keep agree with the sums
        assert (
            s.execute(
                text("SELECT on_hand FROM material_lots WHERE id = :i"), {"i": k.lot_id}
            ).scalar()
            == 0
        )
        used = s.execute(
            text("SELECT used_quantity FROM batches WHERE id = :i"), {"i": k.released_id}
        ).scalar()
        assert used == 10_000_000


def test_sqlite_refuses_a_client_that_knows_nothing_of_the_app(tmp_path) -> None:
    """Plain sqlite3, no SQLAlchemy, no services: the file itself says no."""
    from smallbatch_desktop.db.engine import open_database

    engine, sf = open_database(tmp_path / "shared.sqlite")
    k = shop(sf)
    engine.dispose()
    conn = sqlite3.connect(tmp_path / "shared.sqlite")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="smallbatch:lot_overdrawn"):
            conn.execute(
                "INSERT INTO consumptions (batch_id, material_lot_id, quantity, unit,"
                " entered_quantity, entered_unit, recorded_by, recorded_at)"
                " VALUES (?, ?, 9000000, 'kg', 9000000, 'kg', '', '2026-11-03')",
                (k.planned_id, k.lot_id),
            )
        with pytest.raises(sqlite3.IntegrityError, match="smallbatch:batch_frozen"):
            conn.execute("UPDATE batches SET notes = 'rewritten' WHERE id = ?", (k.released_id,))
        conn.rollback()
    finally:
        conn.close()


def test_a_released_record_cannot_be_edited_but_can_be_amended(db) -> None:
    _engine, sf = db
    k = shop(sf)
    refusals = [
        ("UPDATE batches SET notes = 'rewritten' WHERE id = :b", {}),
        ("UPDATE batches SET made_date = :d WHERE id = :b", {"d": DAY - dt.timedelta(days=9)}),
        ("UPDATE batches SET actual_quantity = 20000000 WHERE id = :b", {}),
        ("UPDATE batches SET waste_quantity = 0 WHERE id = :b", {}),
        ("UPDATE batches SET waste_quantity = NULL WHERE id = :b", {}),
        ("UPDATE batches SET waste_reason = 'nothing' WHERE id = :b", {}),
        ("UPDATE batches SET status = 'planned' WHERE id = :b", {}),
        ("DELETE FROM batches WHERE id = :b", {}),
        ("UPDATE consumptions SET quantity = 500000 WHERE batch_id = :b", {}),
        ("DELETE FROM consumptions WHERE batch_id = :b", {}),
        ("UPDATE qc_results SET value_text = 'fail' WHERE batch_id = :b", {}),
        ("DELETE FROM qc_results WHERE batch_id = :b", {}),
        ("DELETE FROM batch_snapshots WHERE batch_id = :b", {}),
    ]
    for sql, params in refusals:
        with pytest.raises(ImmutableError, match=r"^batch: the record of a released"):
            raw(sf, sql, b=k.released_id, **params)
    with pytest.raises(ImmutableError):  # no new inputs or QC results either
        raw(
            sf,
            "INSERT INTO consumptions (batch_id, material_lot_id, quantity, unit,"
            " entered_quantity, entered_unit, recorded_by, recorded_at)"
            " VALUES (:b, :l, 1, 'kg', 1, 'kg', '', :t)",
            b=k.released_id,
            l=k.lot_id,
            t=dt.datetime(2026, 11, 3),
        )
    # corrections go through amendments, which the database lets through, and keeps
    with sf.begin() as s:
        for field, value in (
            ("notes", "Label batch 2 was smudged"),
            ("operator", "Ann Li"),
            ("actual_quantity", "9.5"),
            ("best_before", "2027-12-01"),
        ):
            bat.amend_batch(
                s, k.released_id, field=field, new_value=value, reason="typo", actor="Ben"
            )
    with sf() as s:
        r = batch_record(s, k.released_id)
        assert (r.notes, r.operator, r.actual_quantity) == (
            "Label batch 2 was smudged",
            "Ann Li",
            Decimal("9.5"),
        )
        assert r.best_before == dt.date(2027, 12, 1) and len(r.amendments) == 4
    with pytest.raises(ImmutableError, match=r"^amendment: "):
        raw(sf, "UPDATE amendments SET reason = 'nothing' WHERE batch_id = :b", b=k.released_id)
    # a recall still closes the record
    with sf.begin() as s:
        bat.change_status(s, k.released_id, "recall", reason="mislabelled", actor="Ben")


def test_a_published_recipe_version_cannot_be_edited(db) -> None:
    _engine, sf = db
    k = shop(sf)
    for sql in (
        "UPDATE recipe_versions SET yield_quantity = 1 WHERE id = :v",
        "DELETE FROM recipe_versions WHERE id = :v",
        "UPDATE recipe_lines SET quantity = 2000000 WHERE version_id = :v",
        "DELETE FROM recipe_lines WHERE version_id = :v",
        "UPDATE qc_spec_items SET name = 'Smell' WHERE version_id = :v",
        "INSERT INTO recipe_lines (version_id, position, material_id, quantity, unit, note)"
        " VALUES (:v, 2, 1, 1000000, 'kg', '')",
    ):
        with pytest.raises(ImmutableError, match=r"^recipe version: a published version"):
            raw(sf, sql, v=k.version_id)
    with sf.begin() as s:  # the way to change it: a new draft
        draft = rec.new_version(s, k.version_id)
        rec.update_draft(s, draft.id, yield_quantity="12")


def test_label_numbers_and_lot_codes_cannot_repeat(db) -> None:
    _engine, sf = db
    k = shop(sf)
    run = (
        "INSERT INTO label_print_runs (batch_id, layout_name, first_number, last_number, total,"
        " final, reprint, printed_by, printed_at) VALUES (:b, 'x', :f, :l, 10, :final, :re, '', :t)"
    )
    t = dt.datetime(2026, 11, 3)
    raw(sf, run, b=k.released_id, f=1, l=5, final=True, re=False, t=t)
    with pytest.raises(ConflictError, match=r"^numbering: these label numbers were printed"):
        raw(sf, run, b=k.released_id, f=5, l=6, final=True, re=False, t=t)
    raw(sf, run, b=k.released_id, f=6, l=10, final=True, re=False, t=t)
    raw(sf, run, b=k.released_id, f=2, l=3, final=True, re=True, t=t)  # a reprint, asked for
    raw(sf, run, b=k.released_id, f=1, l=2, final=False, re=False, t=t)  # a draft
    with pytest.raises(DuplicateError, match=r"^lot code: a material lot or batch already"):
        raw(
            sf,
            "INSERT INTO batches (lot_code, recipe_version_id, status, planned_quantity, unit,"
            " scale_factor, made_date, operator, notes, created_at, released_by, closed_by,"
            " close_reason) VALUES (:c, :v, 'planned', 1, 'pcs', 1, :d, '', '', :t, '', '', '')",
            c=k.lot_code,
            v=k.version_id,
            d=DAY,
            t=t,
        )
    with pytest.raises(ConflictError, match=r"^lot code: .* is already used"), sf.begin() as s:
        inv.receive_lot(s, material_id=k.material_id, quantity="1", lot_code=k.lot_code)


def test_a_released_record_shows_what_was_true_at_release(db) -> None:
    _engine, sf = db
    k = shop(sf)
    with sf() as s:
        before = batch_record(s, k.released_id)
        label_before = lab.label_data_for_batch(s, k.released_id).data
    assert before.recipe_name == "Hot sauce" and label_before.allergens == ("Mustard",)
    assert [(i.name, i.supplier, i.origin) for i in before.inputs] == [
        ("Habanero", "Sunrise Farm", "Hatch, NM")
    ]
    with sf.begin() as s:
        rec.update_recipe(s, k.recipe_id, name="Smoky sauce")
        inv.update_material(
            s, k.material_id, name="Red habanero", stock_unit="kg", allergens="celery, sesame"
        )
        s.execute(text("UPDATE suppliers SET name = 'New Farm Ltd'"))
        s.execute(text("UPDATE material_lots SET origin = 'Somewhere else'"))
    with sf() as s:
        after = batch_record(s, k.released_id)
        label_after = lab.label_data_for_batch(s, k.released_id).data
        fresh = bat.plan_batch(
            s, recipe_version_id=k.version_id, planned_quantity="1", made_date=DAY
        )
        fresh_label = lab.label_data_for_batch(s, fresh.id).data
        s.rollback()
    assert after == before
    assert label_after == label_before
    assert [i.name for i in label_after.ingredients] == ["Habanero"]
    # a batch made now shows the changed master data
    assert [i.name for i in fresh_label.ingredients] == ["Red habanero"]
    assert set(fresh_label.allergens) == {"Celery", "Sesame seeds"}
    # the printed record says so too
    import io

    import pdfplumber

    from smallbatch_desktop.pdf.provenance import render_provenance_sheet

    with pdfplumber.open(io.BytesIO(render_provenance_sheet(after))) as doc:
        words = " ".join(p.extract_text() or "" for p in doc.pages)
    assert "Hot sauce" in words and "Sunrise Farm" in words and "Hatch, NM" in words
    assert "Smoky sauce" not in words and "New Farm" not in words


def migrate_to(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Alembic by hand, as a developer would: up or down to ``revision``."""
    from alembic import command

    from smallbatch_desktop.db.migrate import alembic_config

    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        # as db.migrate does: work that reads through the models (the snapshot
        # backfill) runs once the schema is the models' (later revisions add columns)
        after_head: list = []
        cfg.attributes["after_head"] = after_head
        (command.downgrade if down else command.upgrade)(cfg, revision)
        for step in after_head:
            step(conn)


def test_downgrade_and_upgrade_keep_the_totals(db) -> None:
    """0003 is reversible, and computes the totals of data written before it."""
    engine, sf = db
    k = shop(sf)
    migrate_to(engine, "0005_orders", down=True)
    migrate_to(engine, "head")
    with sf() as s:
        assert (
            s.execute(
                text("SELECT on_hand FROM material_lots WHERE id = :i"), {"i": k.lot_id}
            ).scalar()
            == 4_000_000
        )
        assert (
            s.execute(
                text("SELECT used_quantity FROM batches WHERE id = :i"), {"i": k.released_id}
            ).scalar()
            == 4_000_000
        )


def test_a_batch_released_before_snapshots_were_kept_gets_one_at_upgrade(db) -> None:
    """A database from before 0003 (the shop's data with the schema taken back to
    0005_orders: no batch_snapshots), upgraded the way the app upgrades: the released
    batch gets a snapshot of the data as it stood at the upgrade, and renaming the
    recipe, the material and the supplier afterwards leaves its record, its trace and
    its recall as they were; the record says when the snapshot was taken."""
    import io

    import pdfplumber

    from smallbatch_desktop.db.migrate import (
        current_revision,
        head_revision,
        upgrade_to_head,
    )
    from smallbatch_desktop.domain.models import utcnow
    from smallbatch_desktop.pdf.provenance import render_provenance_sheet
    from smallbatch_desktop.services.recall import recall_report
    from smallbatch_desktop.services.trace import trace_backward, trace_forward

    engine, sf = db
    k = shop(sf)
    migrate_to(engine, "0005_orders", down=True)
    assert "batch_snapshots" not in sa_inspect(engine).get_table_names()
    before_upgrade = utcnow()
    upgrade_to_head(engine, backup_first=False)
    assert current_revision(engine) == head_revision()
    with sf() as s:
        before = batch_record(s, k.released_id)
    assert before.snapshot_backfilled_at is not None
    assert before.snapshot_backfilled_at >= before_upgrade.replace(microsecond=0)
    with sf.begin() as s:
        rec.update_recipe(s, k.recipe_id, name="Smoky sauce")
        inv.update_material(s, k.material_id, name="Red habanero", stock_unit="kg")
        s.execute(text("UPDATE suppliers SET name = 'New Farm Ltd'"))
    with sf() as s:
        after = batch_record(s, k.released_id)
        back = trace_backward(s, after.lot_code)
        forward = trace_forward(s, k.lot_code)
        recall = recall_report(s, k.lot_code)
    assert after == before
    with pdfplumber.open(io.BytesIO(render_provenance_sheet(after))) as doc:
        words = " ".join(" ".join((p.extract_text() or "").split()) for p in doc.pages)
    assert "Hot sauce" in words and "Habanero" in words and "Sunrise Farm" in words
    assert "Smoky sauce" not in words and "Red habanero" not in words and "New Farm" not in words
    assert "snapshot taken at upgrade on" in words
    # trace and recall name the batch and its input as the record does
    assert back.root.name == "Hot sauce"
    assert [(e.source_name, e.supplier) for e in back.edges] == [("Habanero", "Sunrise Farm")]
    assert [e.consumer_product for e in forward.edges] == ["Hot sauce"]
    assert [sh.product for sh in forward.shipments] == ["Hot sauce"]
    assert [b.product for b in recall.batches] == ["Hot sauce"]


def test_trace_and_recall_of_a_renamed_material_show_each_record_as_kept(db) -> None:
    """A material lot goes into a mash (released while the material was 'Habanero'),
    the mash into a sauce base (released after the material became 'Red habanero'),
    the base into a bottled sauce; then the material, the three recipes and the supplier
    are renamed again.  The forward trace (from the lot and from the base), the backward
    trace, the recall report (data and PDF) and the FSMA 204 rows name every released
    batch, and every input of it, as that batch's own snapshot keeps it; a batch made
    now shows its own new name, with its released input as that input's record keeps it."""
    import io
    import json

    import pdfplumber

    from smallbatch_desktop.pdf.recall import render_recall_report
    from smallbatch_desktop.services.fsma import fsma_events
    from smallbatch_desktop.services.reports import recall_report
    from smallbatch_desktop.services.trace import trace_backward, trace_forward

    _engine, sf = db

    def make(s: Session, version_id: int, inputs: list[str], *, release: bool = True) -> str:
        b = bat.plan_batch(s, recipe_version_id=version_id, planned_quantity="10", made_date=DAY)
        for code in inputs:
            bat.record_consumption(s, b.id, lot_code=code, quantity="1", unit="kg")
        if release:
            bat.change_status(s, b.id, "start")
            bat.finish_production(s, b.id, actual_quantity="10")
            bat.change_status(s, b.id, "release", actor="Ben")
        return b.lot_code

    def recipe(s: Session, code: str, name: str, unit: str, **line: int) -> tuple[int, int]:
        v = rec.create_recipe(
            s, code=code, name=name, yield_quantity="10", yield_unit=unit,
            intermediate=unit == "kg",
        )  # fmt: skip
        rec.update_draft(s, v.id, lines=[rec.LineInput("1", "kg", **line)])
        rec.publish(s, v.id)
        return v.recipe_id, v.id

    with sf.begin() as s:
        sup = inv.create_supplier(s, name="Sunrise Farm")
        chili = inv.create_material(s, code="CHILI", name="Habanero", stock_unit="kg")
        lot = inv.receive_lot(
            s, material_id=chili.id, quantity="5", supplier_id=sup.id,
            supplier_lot_code="SF-7", origin="Hatch, NM", received_date=DAY,
        )  # fmt: skip
        mash_r, mash_v = recipe(s, "MASH", "Mash", "kg", material_id=chili.id)
        base_r, base_v = recipe(s, "BASE", "Sauce base", "kg", component_recipe_id=mash_r)
        sauce_r, sauce_v = recipe(s, "HS", "Hot sauce", "pcs", component_recipe_id=base_r)
        mash = make(s, mash_v, [lot.lot_code])
        lot_code, chili_id, sup_id = lot.lot_code, chili.id, sup.id
    with sf.begin() as s:  # renamed after the mash was released, before the base was
        inv.update_material(s, chili_id, name="Red habanero", stock_unit="kg")
        base = make(s, base_v, [mash])
        sauce = make(s, sauce_v, [base])
        sauce_id = s.scalar(text("SELECT id FROM batches WHERE lot_code = :c"), {"c": sauce})
        inv.create_customer(s, name="Deli")
        bat.ship_batch(s, sauce_id, customer="Deli", quantity="4", shipped_date=DAY)
    with sf.begin() as s:  # and everything renamed once more
        inv.update_material(s, chili_id, name="Ghost pepper", stock_unit="kg")
        rec.update_recipe(s, mash_r, name="Smoked mash")
        rec.update_recipe(s, base_r, name="Base No. 2")
        rec.update_recipe(s, sauce_r, name="Fire sauce")
        s.execute(text("UPDATE suppliers SET name = 'New Farm Ltd' WHERE id = :i"), {"i": sup_id})
        fresh = make(s, sauce_v, [base], release=False)  # made now: live names
    with sf() as s:
        forward = trace_forward(s, lot_code)
        from_base = trace_forward(s, base)
        back = trace_backward(s, sauce)
        recall = recall_report(s, lot_code)
        kept = {
            code: json.loads(data) if isinstance(data, str) else data
            for code, data in s.execute(
                text(
                    "SELECT b.lot_code, s.data FROM batch_snapshots s "
                    "JOIN batches b ON b.id = s.batch_id"
                )
            )
        }
        fsma = fsma_events(s, DAY, DAY)

    # what the snapshots keep: the mash and its users name the material 'Habanero'
    assert set(kept) == {mash, base, sauce}
    assert [(ln["level"], ln["name"]) for ln in kept[sauce]["record"]["inputs"]] == [
        (1, "Sauce base"), (2, "Mash"), (3, "Habanero")
    ]  # fmt: skip

    def as_kept(edges) -> None:  # every edge of a released consumer reads its snapshot
        for e in edges:
            record = kept.get(e.consumer_lot_code, {}).get("record")
            if record is None:
                continue
            assert e.consumer_product == record["recipe_name"], e
            line = next(ln for ln in record["inputs"] if ln["level"] == 1
                        and ln["lot_code"] == e.source_lot_code)  # fmt: skip
            assert (e.source_name, e.supplier) == (line["name"], line["supplier"]), e

    as_kept(forward.edges)
    as_kept(from_base.edges)
    assert sorted(
        (e.depth, e.consumer_product, e.source_name, e.supplier) for e in forward.edges
    ) == [
        (1, "Mash", "Habanero", "Sunrise Farm"),
        (2, "Sauce base", "Mash", ""),
        (3, "Fire sauce", "Sauce base", ""),  # the batch made now: live, its input as kept
        (3, "Hot sauce", "Sauce base", ""),
    ]
    assert [sh.product for sh in forward.shipments] == ["Hot sauce"]
    assert [(lv, e.source_name, e.supplier) for lv, e in back.walk()] == [
        (1, "Sauce base", ""), (2, "Mash", ""), (3, "Habanero", "Sunrise Farm")
    ]  # fmt: skip
    assert sorted((b.depth, b.lot_code, b.product) for b in recall.batches) == sorted([
        (1, mash, "Mash"), (2, base, "Sauce base"), (3, fresh, "Fire sauce"), (3, sauce, "Hot sauce")
    ])  # fmt: skip
    assert [s.product for s in recall.shipments] == ["Hot sauce"]
    with pdfplumber.open(io.BytesIO(render_recall_report(recall))) as doc:
        words = " ".join(" ".join((p.extract_text() or "").split()) for p in doc.pages)
    assert "Sauce base" in words and "Hot sauce" in words and "Base No. 2" not in words
    # the FSMA 204 rows: each transformation names its product and inputs as its record
    transformations = {
        (r.tlc, r.product, r.input_tlc, r.input_product)
        for r in fsma if r.event_type == "Transformation"
    }  # fmt: skip
    assert transformations == {
        (mash, "Mash", "SF-7", "Habanero"),
        (base, "Sauce base", mash, "Mash"),
        (sauce, "Hot sauce", base, "Sauce base"),
        (fresh, "Fire sauce", base, "Sauce base"),
    }
    assert {(r.tlc, r.product) for r in fsma if r.event_type == "Shipping"} == {
        (sauce, "Hot sauce")
    }


def edits(sf: sessionmaker[Session]) -> set[tuple[str, int]]:
    with sf() as s:
        return {(k, int(i)) for k, i in s.execute(text("SELECT kind, ref_id FROM master_edits"))}


def test_the_database_lists_master_data_changed_since_it_was_made(db) -> None:
    """0011_master_edits: whatever client changes it, a recipe, material or supplier
    renamed, or a lot's supplier details changed, is listed in ``master_edits`` by the
    database's triggers; an update that changes none of those (the same name again, a
    lot's running total, a recipe's GTIN) lists nothing."""
    _engine, sf = db
    k = shop(sf)
    with sf() as s:
        sup_id = s.scalar(
            text("SELECT supplier_id FROM material_lots WHERE id = :i"), {"i": k.lot_id}
        )
    assert edits(sf) == set()
    raw(sf, "UPDATE recipes SET name = name, gtin = '09506000134352'")
    raw(sf, "UPDATE materials SET name = name, allergens = 'none'")
    raw(sf, "UPDATE suppliers SET name = name")
    raw(sf, "UPDATE material_lots SET origin = origin, document_ref = 'INV-9'")
    with sf.begin() as s:  # using a lot moves its running total: not an edit
        bat.record_consumption(s, k.planned_id, lot_code=k.lot_code, quantity="1", unit="kg")
    assert edits(sf) == set()

    raw(sf, "UPDATE suppliers SET name = 'New Farm Ltd'")
    raw(sf, "UPDATE material_lots SET certifications = 'Organic, Fair trade'")
    with sf.begin() as s:
        rec.update_recipe(s, k.recipe_id, name="Smoky sauce")
        inv.update_material(s, k.material_id, name="Red habanero", stock_unit="kg")
    with sf.begin() as s:  # a second change of the same thing lists it once
        rec.update_recipe(s, k.recipe_id, name="Smokier sauce")
    assert edits(sf) == {
        ("recipe", k.recipe_id),
        ("material", k.material_id),
        ("supplier", sup_id),
        ("lot", k.lot_id),
    }


def test_kept_names_are_read_only_for_records_that_used_changed_master_data(db) -> None:
    """A released record's names are read from its snapshot only where master data it
    used changed since: nothing changed, nothing read (the live names are the kept
    ones); a renamed recipe's released batches, and the records that used a changed lot,
    are read, and no others."""
    from smallbatch_desktop.services.trace import kept_inputs, kept_names, trace_forward

    _engine, sf = db
    k = shop(sf)
    with sf.begin() as s:  # a second recipe released from another lot
        other = inv.create_material(s, code="SALT", name="Salt", stock_unit="kg")
        salt = inv.receive_lot(s, material_id=other.id, quantity="5", received_date=DAY)
        v = rec.create_recipe(s, code="BR", name="Brine", yield_quantity="10", yield_unit="pcs")
        rec.update_draft(s, v.id, lines=[rec.LineInput("1", "kg", material_id=other.id)])
        rec.publish(s, v.id)
        brine = bat.plan_batch(s, recipe_version_id=v.id, planned_quantity="10", made_date=DAY)
        bat.record_consumption(s, brine.id, lot_code=salt.lot_code, quantity="1", unit="kg")
        bat.change_status(s, brine.id, "start")
        bat.finish_production(s, brine.id, actual_quantity="10")
        bat.change_status(s, brine.id, "release", actor="Ben")
        brine_id, brine_recipe = brine.id, v.recipe_id
    both = [k.released_id, brine_id]
    with sf() as s:
        assert s.scalar(text("SELECT COUNT(*) FROM batch_snapshots")) == 2
        assert kept_names(s, both) == {}
        assert kept_inputs(s, both) == {}

    with sf.begin() as s:
        rec.update_recipe(s, brine_recipe, name="Pickle brine")
    raw(sf, "UPDATE material_lots SET origin = 'Oaxaca' WHERE id = :i", i=k.lot_id)
    with sf() as s:
        assert kept_names(s, both) == {brine_id: "Brine"}
        kept = kept_inputs(s, both)
        assert list(kept) == [k.released_id]
        assert kept[k.released_id][k.lot_code]["origin"] == "Hatch, NM"
        forward = trace_forward(s, k.lot_code)
    assert [
        (e.consumer_product, e.origin)
        for e in forward.edges
        if e.consumer_batch_id == k.released_id
    ] == [("Hot sauce", "Hatch, NM")]


def test_the_upgrade_lists_what_the_audit_log_says_was_renamed(db) -> None:
    """A database from before 0011_master_edits: the recipes and materials the app
    updated (audited ``recipe.update`` and ``material.update``) are listed, so their
    released records still show the names they kept."""
    engine, sf = db
    k = shop(sf)
    with sf.begin() as s:
        rec.update_recipe(s, k.recipe_id, name="Smoky sauce")
    migrate_to(engine, "0010_trace", down=True)
    assert "master_edits" not in sa_inspect(engine).get_table_names()
    migrate_to(engine, "head")
    assert edits(sf) == {("recipe", k.recipe_id)}
    with sf() as s:
        from smallbatch_desktop.services.trace import trace_forward

        assert [e.consumer_product for e in trace_forward(s, k.lot_code).edges] == ["Hot sauce"]
