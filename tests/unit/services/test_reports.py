"""Recall reports and drills against a genealogy whose shape the test knows.

The expected sets are computed here by walking the ORM relationships in Python, not by
the recursive SQL in ``services.trace``, so a bug there cannot hide itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from unit.services.reports_factory import HOSTILE_CUSTOMER, HOSTILE_SUPPLIER, genealogy

from smallbatch_desktop.domain.errors import NotFoundError
from smallbatch_desktop.domain.models import (
    AuditEntry,
    Batch,
    Consumption,
    Customer,
    MaterialLot,
    RecallDrill,
    Shipment,
)
from smallbatch_desktop.services import trace
from smallbatch_desktop.services.drills import COMPLETED, LOT_NOT_FOUND, drill_history, run_drill
from smallbatch_desktop.services.recall import (
    RECALL_CSV_COLUMNS,
    recall_report,
    write_recall_csv,
)


def forward_by_orm(s: Session, lot_code: str) -> tuple[set[str], set[int]]:
    """(batch lot codes, shipment ids) reachable from a lot, by walking relationships."""
    lot = s.scalar(select(MaterialLot).where(MaterialLot.lot_code == lot_code))
    batches: set[int] = set()
    if lot is not None:
        frontier = {
            c.batch_id
            for c in s.scalars(select(Consumption).where(Consumption.material_lot_id == lot.id))
        }
    else:
        root = s.scalar(select(Batch).where(Batch.lot_code == lot_code))
        assert root is not None
        frontier = {root.id}
    while frontier:
        batches |= frontier
        nxt: set[int] = set()
        for bid in frontier:
            nxt |= {
                c.batch_id
                for c in s.scalars(select(Consumption).where(Consumption.input_batch_id == bid))
            }
        frontier = nxt - batches
    codes = {s.get(Batch, b).lot_code for b in batches}  # type: ignore[union-attr]
    ships = {sh.id for sh in s.scalars(select(Shipment).where(Shipment.batch_id.in_(batches)))}
    return codes, ships


def _csv_rows(report: object) -> list[dict[str, str]]:
    buf = io.StringIO()
    write_recall_csv(report, buf)  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    return rows


@pytest.mark.parametrize(
    "lot",
    [
        "L-CHIL-001",
        "L-SALT-001",
        "L-VIN-001",
        "L-BOT-001",
        "MASH-002",
        "BASE-001",
        "HS-001",
        "L-CHIL-002",
    ],
)
def test_recall_csv_lists_exactly_what_the_lot_reaches(session: Session, lot: str) -> None:
    genealogy(session)
    expected_batches, expected_ships = forward_by_orm(session, lot)
    rows = _csv_rows(recall_report(session, lot))
    assert {r["batch_lot"] for r in rows if r["record"] == "batch"} == expected_batches
    assert len([r for r in rows if r["record"] == "batch"]) == len(expected_batches)
    assert {int(r["shipment_id"]) for r in rows if r["record"] == "shipment"} == expected_ships
    assert len([r for r in rows if r["record"] == "shipment"]) == len(expected_ships)
    assert all(r["recalled_lot"] == lot for r in rows)


def test_paths_link_each_batch_and_shipment_to_the_lot(session: Session) -> None:
    genealogy(session)
    rep = recall_report(session, "L-CHIL-001")
    paths = {b.lot_code: b.path_text for b in rep.batches}
    assert paths == {
        "MASH-001": "L-CHIL-001 → MASH-001",
        "BASE-001": "L-CHIL-001 → MASH-001 → BASE-001",
        "HS-001": "L-CHIL-001 → MASH-001 → BASE-001 → HS-001",
        "HS-002": "L-CHIL-001 → MASH-001 → BASE-001 → HS-002",
    }
    assert [b.depth for b in rep.batches] == [1, 2, 3, 3]
    assert {(s.batch_lot_code, s.customer, s.path_text) for s in rep.shipments} == {
        ("HS-001", "Corner Deli", "L-CHIL-001 → MASH-001 → BASE-001 → HS-001"),
        ("HS-001", "Web shop", "L-CHIL-001 → MASH-001 → BASE-001 → HS-001"),
        ("HS-002", "Corner Deli", "L-CHIL-001 → MASH-001 → BASE-001 → HS-002"),
    }
    # the second chili lot reaches HS-002 by the short route through MASH-002
    rep2 = recall_report(session, "L-CHIL-002")
    assert {b.lot_code: b.path_text for b in rep2.batches}[
        "HS-002"
    ] == "L-CHIL-002 → MASH-002 → HS-002"


@pytest.mark.parametrize("lot", ["L-CHIL-001", "L-SALT-001", "MASH-001", "HS-001"])
def test_recall_reads_alike_on_the_dbapi_fast_path_and_through_sqlalchemy(
    session: Session, monkeypatch: pytest.MonkeyPatch, lot: str
) -> None:
    """On SQLite the recall's trace runs on the DBAPI connection and reads raw values
    (dates as text, quantities as scaled integers); elsewhere it goes through
    SQLAlchemy, as on PostgreSQL.  Both ways give the same report (here both on SQLite)."""
    genealogy(session)
    at = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    fast = recall_report(session, lot, now=at)
    monkeypatch.setattr(trace, "_RAW_DIALECTS", set())
    assert recall_report(session, lot, now=at) == fast
    assert fast.batches
    assert all(b.made_date and b.quantity is not None for b in fast.batches)
    assert all(isinstance(s.shipped_date, dt.date) for s in fast.shipments)


def test_customers_quantities_and_contacts(session: Session) -> None:
    genealogy(session)
    rep = recall_report(session, "L-SALT-001")
    deli, web = rep.customers
    assert (deli.name, deli.contact, deli.phone, deli.email) == (
        "Corner Deli",
        "Sam Patel",
        "(518) 555-0142",
        "sam@deli.example",
    )
    assert deli.shipments == 2 and deli.quantities == ((Decimal(36), "pcs"),)
    assert deli.first_shipped == dt.date(2026, 3, 12) and deli.last_shipped == dt.date(2026, 3, 14)
    assert web.quantity_text == "6 pcs"
    assert rep.shipped_totals == [(Decimal(42), "pcs")]
    hs1 = next(b for b in rep.batches if b.lot_code == "HS-001")
    assert (hs1.quantity, hs1.unit, hs1.shipped, hs1.status) == (
        Decimal(60),
        "pcs",
        Decimal(30),
        "Released",
    )
    assert rep.lot.kind == "material" and rep.lot.supplier_lot_code == "SS-9"
    assert rep.producer_name == "Hearth & Hive Workshop"


def test_batch_recall_includes_the_batch_and_where_it_came_from(session: Session) -> None:
    genealogy(session)
    rep = recall_report(session, "BASE-001")
    assert rep.batches[0].lot_code == "BASE-001" and rep.batches[0].depth == 0
    assert rep.batches[0].path == ("BASE-001",)
    assert {u.lot_code for u in rep.upstream} == {
        "MASH-001",
        "L-CHIL-001",
        "L-SALT-001",
        "L-VIN-001",
    }
    assert rep.lot.kind == "batch" and rep.lot.status == "Released"


def test_supplier_lot_code_finds_our_lot(session: Session) -> None:
    genealogy(session)
    assert recall_report(session, "SPF-A1").lot.lot_code == "L-CHIL-001"
    with pytest.raises(NotFoundError) as e:
        recall_report(session, "NOPE-9")
    assert e.value.field == "lot"


def test_unused_lot_reports_nothing_affected(session: Session) -> None:
    g = genealogy(session)
    lot = g.lots["L-CHIL-001"]
    spare = MaterialLot(
        lot_code="L-SPARE",
        material_id=lot.material_id,
        quantity_received=Decimal(1),
        unit="kg",
        received_date=dt.date(2026, 3, 1),
    )
    session.add(spare)
    session.flush()
    rep = recall_report(session, "L-SPARE")
    assert rep.batches == () and rep.shipments == () and rep.customers == ()
    assert _csv_rows(rep) == []


def test_hostile_names_are_harmless_in_the_csv(session: Session) -> None:
    g = genealogy(session)
    g.customers["deli"].name = HOSTILE_CUSTOMER
    g.customers["deli"].contact = HOSTILE_SUPPLIER
    g.customers["deli"].phone = "+1 518 555 0142"
    session.flush()
    buf = io.StringIO()
    write_recall_csv(recall_report(session, "HS-001"), buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert tuple(rows[0]) == RECALL_CSV_COLUMNS
    deli = [r for r in rows if HOSTILE_CUSTOMER in "".join(r)]
    assert deli
    for r in deli:
        d = dict(zip(RECALL_CSV_COLUMNS, r, strict=True))
        assert d["customer"] == "'" + HOSTILE_CUSTOMER
        assert d["customer_contact"] == "'" + HOSTILE_SUPPLIER
        assert d["customer_phone"] == "'+1 518 555 0142"
        assert d["shipped_quantity"] == "24"  # a number we wrote, not text
    for r in rows:
        for value in r:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_drill_is_timed_recorded_and_listed(session: Session) -> None:
    genealogy(session)
    ticks = iter([10.0, 10.25, 10.5])
    produced: list[object] = []
    drill, report = run_drill(
        session,
        "L-SALT-001",
        run_by="Cleo",
        produce=produced.append,
        clock=lambda: next(ticks),
        now=lambda: dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC),
    )
    assert report is not None and produced == [report]
    assert report.drill_duration_ms == 250  # the answer; the record includes the documents
    assert (drill.result, drill.duration_ms, drill.run_by) == (COMPLETED, 500, "Cleo")
    expected_batches, expected_ships = forward_by_orm(session, "L-SALT-001")
    assert drill.batches_found == len(expected_batches)
    assert drill.shipments_found == len(expected_ships)
    assert drill.customers_found == 2
    row = session.get(RecallDrill, drill.id)
    assert row is not None and row.finished_at is not None and row.lot_code == "L-SALT-001"
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "recall.drill"))
    assert audit is not None and audit.details["duration_ms"] == 500

    failed, none = run_drill(session, "NO-SUCH-LOT", run_by="Cleo")
    assert none is None and failed.result == LOT_NOT_FOUND
    assert "NO-SUCH-LOT" in failed.notes and failed.result_label == "Lot not found"
    history = drill_history(session)
    assert [d.lot_code for d in history] == ["NO-SUCH-LOT", "L-SALT-001"]  # newest first
    assert [d.lot_code for d in drill_history(session, lot_code="L-SALT-001")] == ["L-SALT-001"]


def test_report_objects_are_detached_plain_data(session: Session) -> None:
    genealogy(session)
    rep = recall_report(session, "L-VIN-001")
    session.close()
    assert {b.lot_code for b in rep.batches} == {"BASE-001", "HS-001", "HS-002", "PICKLE-001"}
    assert not any(isinstance(c, Customer) for c in rep.customers)
