"""The FSMA 204 spreadsheet: one row per Critical Tracking Event, matching the database."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from unit.services.reports_factory import DAY, HOSTILE_SUPPLIER, genealogy

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.models import Batch, Consumption, MaterialLot, Shipment
from smallbatch_desktop.services.fsma import (
    FSMA_COLUMNS,
    RECEIVING,
    SHIPPING,
    TRANSFORMATION,
    date_range,
    fsma_events,
    write_fsma_csv,
)

START, END = DAY - dt.timedelta(days=30), DAY + dt.timedelta(days=30)
US = "Hearth & Hive Workshop, 12 Mill Lane, Hudson, NY 12534, USA"


def _csv(rows: list) -> list[dict[str, str]]:  # type: ignore[type-arg]
    buf = io.StringIO()
    write_fsma_csv(rows, buf)
    lines = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    assert tuple(lines[0]) == FSMA_COLUMNS
    assert all(len(r) == len(FSMA_COLUMNS) for r in lines)
    return [dict(zip(FSMA_COLUMNS, r, strict=True)) for r in lines[1:]]


def test_rows_match_the_events_in_the_database(session: Session) -> None:
    genealogy(session)
    rows = _csv(fsma_events(session, START, END, include_packaging=True))

    lots = session.scalars(select(MaterialLot)).all()
    receiving = [r for r in rows if r["Event type"] == RECEIVING]
    assert Counter(r["Internal lot code"] for r in receiving) == Counter(
        lot.lot_code for lot in lots
    )
    chili = next(r for r in receiving if r["Internal lot code"] == "L-CHIL-001")
    assert chili == {
        **chili,
        "Event ID": "RCV-L-CHIL-001",
        "Event date": "2026-03-02",
        "Traceability lot code": "SPF-A1",
        "Product description": "Habanero peppers",
        "Quantity": "40",
        "Unit of measure": "kg",
        "Location from": "Sunrise Pepper Farm, Hatch, NM, USA",
        "Location to": US,
        "Traceability lot code source": "Sunrise Pepper Farm, Hatch, NM, USA",
        "Reference document type": "Supplier document",
        "Reference document number": "PO-L-CHIL-001",
    }

    # transformation: one row per consumption of every batch that was made
    made = session.scalars(select(Batch).where(Batch.status != "planned")).all()
    expected = Counter(
        (
            f"TRF-{c.batch.lot_code}",
            c.material_lot.lot_code if c.material_lot else c.input_batch.lot_code,
        )  # type: ignore[union-attr]
        for b in made
        for c in session.scalars(select(Consumption).where(Consumption.batch_id == b.id))
    )
    transform = [r for r in rows if r["Event type"] == TRANSFORMATION]
    assert Counter((r["Event ID"], r["Internal lot code"]) for r in transform) == expected
    hs2 = [r for r in transform if r["Event ID"] == "TRF-HS-002"]
    assert {r["Traceability lot code"] for r in hs2} == {"HS-002"}
    assert {r["Event date"] for r in hs2} == {"2026-03-11"}
    assert {
        (r["Input traceability lot code"], r["Input quantity"], r["Input unit of measure"])
        for r in hs2
    } == {
        ("BASE-001", "3.5", "kg"),
        ("MASH-002", "1.25", "kg"),
        ("PB-1", "48", "pcs"),  # the supplier's TLC for a received lot
    }
    assert {r["Quantity"] for r in hs2} == {"48"}
    assert {r["Traceability lot code source"] for r in hs2} == {US}

    shipping = [r for r in rows if r["Event type"] == SHIPPING]
    ships = session.scalars(select(Shipment)).all()
    assert Counter(r["Event ID"] for r in shipping) == Counter(f"SHP-{s.id}" for s in ships)
    inv1 = next(r for r in shipping if r["Reference document number"] == "INV-1")
    assert (inv1["Traceability lot code"], inv1["Quantity"], inv1["Location to"]) == (
        "HS-001",
        "24",
        "Corner Deli, 3 Main St, Hudson",
    )
    assert inv1["Reference document type"] == "invoice" and inv1["Event date"] == "2026-03-12"


def test_sorted_by_date_then_event_type(session: Session) -> None:
    genealogy(session)
    rows = fsma_events(session, START, END)
    order = {RECEIVING: 0, TRANSFORMATION: 1, SHIPPING: 2}
    keys = [(r.event_date, order[r.event_type]) for r in rows]
    assert keys == sorted(keys)
    # all rows of one transformation are adjacent
    ids = [r.event_id for r in rows]
    for eid in {i for i in ids if i.startswith("TRF-")}:
        first, last = ids.index(eid), len(ids) - 1 - ids[::-1].index(eid)
        assert set(ids[first : last + 1]) == {eid}


def test_date_range_is_inclusive(session: Session) -> None:
    genealogy(session)
    rows = fsma_events(session, DAY, DAY)
    assert {(r.event_type, r.event_id) for r in rows} == {
        (RECEIVING, "RCV-L-CHIL-001"),
        (RECEIVING, "RCV-L-SALT-001"),
    }
    assert fsma_events(session, dt.date(2020, 1, 1), dt.date(2020, 12, 31)) == []


def test_packaging_left_out_unless_asked(session: Session) -> None:
    genealogy(session)
    without = fsma_events(session, START, END)
    with_pack = fsma_events(session, START, END, include_packaging=True)
    assert "L-BOT-001" not in {r.internal_lot_code for r in without}
    assert {r.internal_lot_code for r in with_pack} - {r.internal_lot_code for r in without} == {
        "L-BOT-001"
    }


def test_planned_batch_without_inputs_is_no_event(session: Session) -> None:
    genealogy(session)
    assert "TRF-HS-003" not in {
        r.event_id for r in fsma_events(session, START, END + dt.timedelta(days=60))
    }


def test_hostile_text_is_escaped_and_dates_are_iso(session: Session) -> None:
    g = genealogy(session)
    g.lots["L-CHIL-001"].supplier.name = HOSTILE_SUPPLIER  # type: ignore[union-attr]
    g.lots["L-CHIL-001"].supplier_lot_code = "-1-2"
    session.flush()
    rows = _csv(fsma_events(session, START, END))
    chili = next(r for r in rows if r["Event ID"] == "RCV-L-CHIL-001")
    assert chili["Location from"] == "'" + HOSTILE_SUPPLIER + ", Hatch, NM, USA"
    assert chili["Traceability lot code"] == "'-1-2"
    for r in rows:
        dt.date.fromisoformat(r["Event date"])
        for v in r.values():
            assert not v.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_date_range_checks_name_the_field() -> None:
    assert date_range("2026-01-01", "2026-01-31") == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    with pytest.raises(ValidationError) as e:
        date_range("2026-02-01", "2026-01-31")
    assert e.value.field == "to"
    with pytest.raises(ValidationError) as e:
        date_range("yesterday", "2026-01-31")
    assert e.value.field == "from"
