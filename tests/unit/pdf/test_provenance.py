"""The provenance sheet and card, read back as a person (text) and a scanner (barcodes)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from decimal import Decimal

import pdfplumber
import pytest
from helpers.pdfread import decode_pdf, page_count
from sqlalchemy import select
from sqlalchemy.orm import Session
from unit.services.reports_factory import (
    AT,
    HOSTILE_MATERIAL,
    HOSTILE_ORIGIN,
    HOSTILE_SUPPLIER,
    genealogy,
    settings,
    wide_batch,
)

from smallbatch_desktop.domain.models import Batch, Consumption, MaterialLot
from smallbatch_desktop.pdf.common import esc, local_time
from smallbatch_desktop.pdf.provenance import render_provenance_card, render_provenance_sheet
from smallbatch_desktop.services.reports import batch_record, batch_record_for_lot

GEN_AT = dt.datetime(2026, 3, 20, 15, 4, tzinfo=dt.UTC)


def _pages_text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def _column_text(pdf: bytes) -> str:
    """The inputs table read column by column (cropped strips), so a cell's wrapped lines
    stay together; other page text comes along in the strips too."""
    from reportlab.lib.units import mm

    from smallbatch_desktop.pdf.provenance import _INPUT_COLS

    edges = [15 * mm]
    for w in _INPUT_COLS:
        edges.append(edges[-1] + w * mm)
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for x0, x1 in itertools.pairwise(edges):
                out.append(page.crop((x0, 0, x1, page.height)).extract_text() or "")
    return "\n".join(out)


def _squash(text: str) -> str:
    return "".join(text.split())


def _sheet(record: object, **kw: object) -> bytes:
    return render_provenance_sheet(record, generated_at=GEN_AT, tz=dt.UTC, invariant=True, **kw)  # type: ignore[arg-type]


def _inputs_by_orm_walk(s: Session, batch_id: int) -> tuple[set[str], set[str]]:
    """Every (our lot, supplier lot) below a batch, walked with the ORM, not the trace SQL."""
    ours: set[str] = set()
    theirs: set[str] = set()
    todo = [batch_id]
    while todo:
        bid = todo.pop()
        for c in s.scalars(select(Consumption).where(Consumption.batch_id == bid)):
            if c.material_lot is not None:
                ours.add(c.material_lot.lot_code)
                theirs.add(c.material_lot.supplier_lot_code)
            else:
                assert c.input_batch is not None
                ours.add(c.input_batch.lot_code)
                todo.append(c.input_batch.id)
    return ours, theirs


def test_sheet_lists_every_input_and_supplier_lot_at_every_depth(session: Session) -> None:
    g = genealogy(session)
    b = g.batches["HS-002"]
    pdf = _sheet(batch_record(session, b.id))
    text = "\n".join(_pages_text(pdf))
    flat = " ".join(text.split()) + " " + " ".join(_column_text(pdf).split())
    ours, theirs = _inputs_by_orm_walk(session, b.id)
    assert ours == {
        "BASE-001",
        "MASH-001",
        "MASH-002",
        "L-CHIL-001",
        "L-CHIL-002",
        "L-SALT-001",
        "L-VIN-001",
        "L-BOT-001",
    }
    for code in ours | theirs:
        assert code in text, code
    for fact in (
        "Hearth & Hive Workshop",
        "Habanero Hot Sauce",
        "Lot HS-002",
        "Habanero Hot Sauce v2 (HS)",
        "× 1.5",
        "Sunrise Pepper Farm",
        "Hatch, New Mexico",
        "USDA Organic",
        "Corner Deli",
        "INV-2",
        "PASS",
        "FAIL",
        "≤ 3.9 pH",
        "Produced by",
        "QC checked by",
        "Released by Ben on 2026-03-11 14:30 UTC",
        "generated 2026-03-20 15:04 UTC",
    ):
        assert fact in flat, fact
    n = page_count(pdf)
    assert f"Page {n} of {n}" in text


def test_nested_inputs_are_indented_beneath_their_intermediate(session: Session) -> None:
    g = genealogy(session)
    pdf = _sheet(batch_record(session, g.batches["HS-001"].id))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = [w for p in doc.pages for w in p.extract_words()]
    order = [w["text"] for w in words if re.fullmatch(r"(L-[A-Z]+-\d+|[A-Z]+-\d{3})", w["text"])]
    # depth first: the base, then its mash, the mash's lots, then the base's vinegar
    rows = [c for c in order if c != "HS-001"]
    assert rows == ["BASE-001", "MASH-001", "L-CHIL-001", "L-SALT-001", "L-VIN-001", "L-BOT-001"]

    def name_x(lot: str) -> float:
        """Left edge of the name cell on the row whose "Our lot" cell is ``lot``."""
        (cell,) = [w for w in words if w["text"] == lot and w["x0"] > 100]
        row = [w for w in words if abs(w["top"] - cell["top"]) < 1 and w["x1"] < cell["x0"]]
        return min(w["x0"] for w in row)

    # names are indented by depth: base (1) < mash (2) < chili (3); the bottle is depth 1
    assert name_x("BASE-001") < name_x("MASH-001") < name_x("L-CHIL-001")
    assert name_x("L-SALT-001") == pytest.approx(name_x("L-CHIL-001"))
    assert name_x("L-VIN-001") == pytest.approx(name_x("MASH-001"))
    assert name_x("L-BOT-001") == pytest.approx(name_x("BASE-001"))


def test_two_hundred_inputs_paginate_with_repeated_headers(session: Session) -> None:
    b = wide_batch(session, 200)
    pdf = _sheet(batch_record(session, b.id))
    pages = _pages_text(pdf)
    n = len(pages)
    assert n >= 4
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in text
    table_pages = [t for t in pages if "WIDE-L" in t]
    assert len(table_pages) >= 3
    for text in table_pages:
        # the header row repeats on every page the inputs table reaches
        assert "Our lot" in text and "Supplier lot" in text and "Expiry /" in text
    joined = "\n".join(pages)
    for i in range(200):
        assert f"WIDE-L{i:03d}" in joined and f"SUP-{i:03d}" in joined
    # running header from page 2 on names the document
    assert all("Provenance sheet · Spice blend · lot WIDE-001" in t for t in pages[1:])


def test_hostile_text_prints_exactly_as_typed(session: Session) -> None:
    b = wide_batch(
        session,
        3,
        lot_code="EVIL-001",
        hostile=True,
        notes="Batch note with <script>alert(1)</script> & ]]>",
    )
    pdf = _sheet(batch_record(session, b.id))
    text = "\n".join(_pages_text(pdf))
    assert HOSTILE_MATERIAL in text
    # long values wrap inside their cell (by characters when a word is too long):
    # compare each column's text without the wrapping whitespace
    columns = _squash(_column_text(pdf))
    for value in (HOSTILE_MATERIAL, HOSTILE_ORIGIN, HOSTILE_SUPPLIER):
        assert _squash(value) in columns, value
    assert "Batch note with <script>alert(1)</script> & ]]>" in text
    assert esc("<b>&") == "&lt;b&gt;&amp;"


def test_the_lot_barcode_decodes_to_the_lot_code(session: Session) -> None:
    g = genealogy(session)
    pdf = _sheet(batch_record(session, g.batches["HS-001"].id))
    codes = decode_pdf(pdf, dpi=300, pages=[0])
    assert [(c.format, c.text) for c in codes] == [("Code128", "HS-001")]


def test_invariant_output_is_byte_identical(session: Session) -> None:
    g = genealogy(session)
    rec = batch_record(session, g.batches["HS-001"].id)
    assert _sheet(rec) == _sheet(rec)
    assert render_provenance_card(rec, generated_at=GEN_AT, invariant=True, tz=dt.UTC) == (
        render_provenance_card(rec, generated_at=GEN_AT, invariant=True, tz=dt.UTC)
    )


def test_card_is_one_page_with_origins_note_and_qr(session: Session) -> None:
    g = genealogy(session)
    rec = batch_record(session, g.batches["HS-002"].id)
    pdf = render_provenance_card(rec, generated_at=GEN_AT, tz=dt.UTC, invariant=True)
    assert page_count(pdf) == 1
    text = _pages_text(pdf)[0]
    for fact in (
        "Habanero Hot Sauce",
        "Fermented for two weeks with peppers from one farm.",
        "Habanero peppers",
        "Hatch, New Mexico",
        "USDA Organic",
        "Aveiro, Portugal",
        "Cider vinegar",
        "Hearth & Hive Workshop",
    ):
        assert fact in text, fact
    assert "Bottle 150 ml" not in text  # packaging is not an ingredient
    codes = decode_pdf(pdf, dpi=300)
    assert [(c.format, c.text) for c in codes] == [("QRCode", "HS-002")]


def test_card_qr_holds_the_provenance_url_when_configured(session: Session) -> None:
    g = genealogy(session)
    settings(session, provenance_url_base="https://hearth.example/lot/")
    session.flush()
    rec = batch_record(session, g.batches["HS-001"].id)
    assert rec.qr_content == "https://hearth.example/lot/HS-001"
    pdf = render_provenance_card(rec, tz=dt.UTC)
    assert [c.text for c in decode_pdf(pdf, dpi=300)] == ["https://hearth.example/lot/HS-001"]
    assert "Scan for this lot's story" in _pages_text(pdf)[0]


def test_card_with_many_ingredients_still_fits_one_page(session: Session) -> None:
    b = wide_batch(session, 60, lot_code="MANY-001")
    pdf = render_provenance_card(batch_record(session, b.id))
    assert page_count(pdf) == 1
    assert [c.text for c in decode_pdf(pdf, dpi=300)] == ["MANY-001"]


def test_record_for_unknown_or_material_lot_names_the_field(session: Session) -> None:
    from smallbatch_desktop.domain.errors import NotFoundError

    genealogy(session)
    with pytest.raises(NotFoundError, match=r"^batch: no batch has the lot code 'NOPE'") as e:
        batch_record_for_lot(session, "NOPE")
    assert e.value.field == "batch"
    with pytest.raises(NotFoundError, match="material lot"):
        batch_record_for_lot(session, "L-CHIL-001")


def test_record_is_plain_data(session: Session) -> None:
    g = genealogy(session)
    rec = batch_record(session, g.batches["HS-001"].id)
    session.close()  # nothing in the record needs the session any more
    assert rec.inputs[0].name == "Sauce base" and rec.inputs[0].level == 1
    assert [q.state for q in rec.qc] == ["pass", "missing"]
    assert rec.amendments[0].new_value == "Ann Li"
    assert [s.customer for s in rec.shipments] == ["Corner Deli", "Web shop"]
    assert {i.lot_code for i in rec.inputs if i.material_kind == "packaging"} == {"L-BOT-001"}
    assert not any(isinstance(v, (Batch, MaterialLot)) for v in vars(rec).values())


def test_local_time_shows_the_zone() -> None:
    from zoneinfo import ZoneInfo

    t = dt.datetime(2026, 3, 2, 13, 5, tzinfo=dt.UTC)
    assert local_time(t, dt.UTC) == "2026-03-02 13:05 UTC"
    assert local_time(t, ZoneInfo("Europe/Paris")) == "2026-03-02 14:05 CET"
    assert local_time(t, ZoneInfo("Asia/Kolkata")) == "2026-03-02 18:35 IST"
    assert local_time(t, dt.timezone(dt.timedelta(hours=-3))) == "2026-03-02 10:05 UTC-03:00"
    assert local_time(None) == ""


def _words(pdf: bytes) -> str:
    return " ".join(" ".join(_pages_text(pdf)).split())


def test_sheet_shows_every_qc_result_with_the_failed_one_and_its_retest(session: Session) -> None:
    """pH 4.2 failed, the retest 3.7 passed: an inspector sees both, in order, each with
    who and when in local time."""
    from zoneinfo import ZoneInfo

    from smallbatch_desktop.domain.models import QcResult, QcSpecItem

    g = genealogy(session)
    # the factory's batches are released (their QC rows frozen): a planned one of the
    # same version takes this test's results
    b = g.batches["HS-003"]
    ph = session.scalar(
        select(QcSpecItem).where(
            QcSpecItem.version_id == b.recipe_version_id, QcSpecItem.name == "pH"
        )
    )
    taste = session.scalar(
        select(QcSpecItem).where(
            QcSpecItem.version_id == b.recipe_version_id, QcSpecItem.name == "Taste"
        )
    )
    assert ph is not None and taste is not None
    first = dt.datetime(2026, 3, 11, 13, 0, tzinfo=dt.UTC)
    for spec, value, passed, who, at in (
        (ph, "3.6", True, "Ann", AT),
        (taste, "fail", False, "Cleo", AT),
        (ph, "4.2", False, "Dana", first + dt.timedelta(hours=1)),
        (ph, "3.7", True, "Eli", first + dt.timedelta(hours=2)),
        (taste, "pass", True, "Eli", first + dt.timedelta(hours=3)),
    ):
        session.add(
            QcResult(
                batch=b,
                spec_item=spec,
                value_text=value,
                passed=passed,
                recorded_by=who,
                recorded_at=at,
            )
        )
    session.flush()
    session.expire(b, ["qc_results"])
    pdf = render_provenance_sheet(
        batch_record(session, b.id), generated_at=GEN_AT, tz=ZoneInfo("America/New_York")
    )
    text = _words(pdf)
    # pH 3.6 by Ann, then 4.2 (fail) by Dana, the retest 3.7 by Eli; Taste:
    # Cleo's fail, then Eli's pass; every result with who and when, in New York time
    expected = [
        "pH ≤ 3.9 pH 3.6 PASS Ann, 2026-03-02 04:30 EST superseded",
        "↳ pH retest 4.2 FAIL Dana, 2026-03-11 10:00 EDT superseded",
        "↳ pH retest 2 3.7 PASS Eli, 2026-03-11 11:00 EDT",
        "Taste pass / fail fail FAIL Cleo, 2026-03-02 04:30 EST superseded",
        "↳ Taste retest pass PASS Eli, 2026-03-11 12:00 EDT",
    ]
    pos = 0
    for part in expected:
        found = text.find(part, pos)
        assert found >= 0, f"{part!r} not after position {pos} in: {text[pos : pos + 400]}"
        pos = found + len(part)
    assert "a retest supersedes the result above it" in text
    assert "UTC" not in text.split("generated")[0]  # times in the body are local


def test_amendments_read_in_the_makers_units_and_words(session: Session) -> None:
    from smallbatch_desktop.services import batches as bsvc

    g = genealogy(session)
    b = g.batches["HS-001"]
    bsvc.amend_batch(
        session,
        b.id,
        field="actual_quantity",
        new_value="58",
        reason="two jars broke in packing",
        actor="Ben",
    )
    text = _words(_sheet(batch_record(session, b.id)))
    assert "Actual yield 60 pcs → 58 pcs two jars broke in packing" in text
    assert "actual_quantity" not in text and "60.000000" not in text
    assert "Actual yield 58 pcs" in text  # the facts show the amended yield


def test_actual_yield_and_waste_are_on_the_record(session: Session) -> None:
    g = genealogy(session)
    b = g.batches["HS-003"]  # planned: the released ones are frozen
    b.planned_quantity = Decimal("48")
    b.actual_quantity = Decimal("46")
    b.waste_quantity = Decimal("2")
    b.waste_reason = "two bottles under-filled"
    session.flush()
    text = _words(_sheet(batch_record(session, b.id)))
    assert "Planned quantity 48 pcs" in text
    assert "Actual yield 46 pcs" in text
    assert "Waste / loss 2 pcs: two bottles under-filled" in text


def _signature_page_texts(pdf: bytes) -> str:
    pages = _pages_text(pdf)
    (page,) = [p for p in pages if "Signatures" in p]
    return page


def test_signatures_never_stand_alone_on_the_last_page(session: Session) -> None:
    """Whatever the length of the inputs table, the signature block shares its page with
    the end of the shipments section (its heading and 'None recorded.', or its last
    rows), never alone at the top of a page of its own."""
    import dataclasses

    full = batch_record(session, wide_batch(session, 70).id)
    seen_pages: set[int] = set()
    for n in range(30, 71, 2):
        pdf = _sheet(dataclasses.replace(full, inputs=full.inputs[:n]))
        page = _signature_page_texts(pdf)
        seen_pages.add(page_count(pdf))
        assert "Shipments" in page and "None recorded." in page, (n, page[:300])
        assert "Produced by" in page and "Released by" in page
    assert len(seen_pages) >= 2  # the sweep crossed a page boundary


def test_a_long_shipments_table_keeps_its_last_rows_with_the_signatures(
    session: Session,
) -> None:
    import dataclasses

    from smallbatch_desktop.domain.records import ShipmentLine

    g = genealogy(session)
    rec = batch_record(session, g.batches["HS-001"].id)
    ships = tuple(
        ShipmentLine(DAY_SHIP, f"Customer {i:02d}", Decimal(1), "pcs", "invoice", f"INV-{i:03d}")
        for i in range(60)
    )
    for n in range(5, 60, 3):
        pdf = _sheet(dataclasses.replace(rec, shipments=ships[:n]))
        page = _signature_page_texts(pdf)
        assert f"INV-{n - 1:03d}" in page and f"INV-{n - 2:03d}" in page, (n, page[:300])
        assert "\n".join(_pages_text(pdf)).count(f"INV-{n - 1:03d}") == 1  # printed once


DAY_SHIP = dt.date(2026, 3, 12)


def test_the_record_shows_its_times_in_the_computers_zone(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored in UTC, printed in the zone of the computer that prints (no ``tz`` given,
    as the app calls it): a workshop at UTC+05:30 reads 05:30 later, marked IST."""
    import time
    from zoneinfo import ZoneInfo

    b = genealogy(session).batches["HS-001"]
    record = batch_record(session, b.id)
    stamps = [t for t in (record.started_at, record.qc_at, record.released_at) if t]
    assert stamps
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        text = _words(render_provenance_sheet(record, invariant=True))
    finally:
        monkeypatch.undo()
        time.tzset()
    india = ZoneInfo("Asia/Kolkata")
    for stamp in stamps:
        assert local_time(stamp, india) in text
        assert local_time(stamp, dt.UTC) not in text
    assert "UTC" not in text
