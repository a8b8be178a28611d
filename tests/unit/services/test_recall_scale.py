"""A recall larger than the PDF lists: the page says how many more there are, the CSV
has every row, the summary (SQL aggregates) counts them all, and the customers to
contact come first.

The expected sets come from walking the ORM relationships (``forward_by_orm``), not
from the recall's own SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pdfplumber
import pytest
from sqlalchemy.orm import Session
from unit.services.reports_factory import busy_lot, genealogy
from unit.services.test_reports import forward_by_orm

from smallbatch_desktop.domain.records import RecallSummary
from smallbatch_desktop.pdf.recall import render_recall_report
from smallbatch_desktop.services.drills import run_drill
from smallbatch_desktop.services.recall import (
    LISTED,
    RecallScope,
    batch_page,
    recall_report,
    shipment_page,
    write_recall_csv,
)

AT = dt.datetime(2026, 5, 20, 15, 4, tzinfo=dt.UTC)
N = LISTED + 60  # more batches than the PDF lists


def _csv(report: object) -> list[dict[str, str]]:
    buf = io.StringIO()
    write_recall_csv(report, buf)  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))


def _pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages)


@pytest.fixture
def busy(session: Session) -> Session:
    busy_lot(session, N)
    return session


def test_large_recall_pdf_lists_the_first_rows_and_says_the_csv_has_the_rest(
    busy: Session,
) -> None:
    expected_batches, expected_ships = forward_by_orm(busy, "L-SALT-009")
    total = len(expected_batches)
    assert total > LISTED + 50
    rep = recall_report(busy, "L-SALT-009", now=AT)
    assert rep.batch_count == total and len(rep.batches) == LISTED
    assert rep.omitted_batches == total - LISTED
    assert rep.shipment_count == len(expected_ships) < LISTED and rep.omitted_shipments == 0

    # the CSV: every batch and every shipment, once
    rows = _csv(rep)
    csv_batches = [r["batch_lot"] for r in rows if r["record"] == "batch"]
    assert sorted(csv_batches) == sorted(expected_batches)
    assert sorted(int(r["shipment_id"]) for r in rows if r["record"] == "shipment") == sorted(
        expected_ships
    )
    # in the report's order: the PDF's rows are the CSV's first rows
    assert csv_batches[:LISTED] == [b.lot_code for b in rep.batches]

    text = _pdf_text(render_recall_report(rep, tz=dt.UTC, invariant=True))
    words = set(text.split())
    omitted = total - LISTED
    assert f"Affected batches ({total:,})" in text
    flat = " ".join(text.split())  # the notes wrap across lines
    assert (
        f"Listed here: the first {LISTED} of {total} affected batches; "
        f"{omitted} more are not printed: the full list is in the recall CSV." in flat
    )
    assert (
        f"… and {omitted} more affected batches, not printed here: the full list is in the recall CSV"
        in flat
    )
    assert (
        f"The full lists ({total} batches, {len(expected_ships)} shipments) are in the recall CSV"
        in flat
    )
    listed = {b.lot_code for b in rep.batches}
    assert listed <= words
    left_out = set(csv_batches[LISTED:])
    assert len(left_out) == omitted
    # those not printed in the shipments' rows (lot or path) are printed nowhere
    in_shipments = {code for s in rep.shipments for code in s.path}
    assert left_out - in_shipments and not (left_out - in_shipments) & words
    # every shipment is listed (fewer than the limit): no note for them
    assert "more shipments" not in flat
    for s in rep.shipments:
        assert s.document_number in words


def test_customers_to_contact_come_first_with_their_details(busy: Session) -> None:
    rep = recall_report(busy, "L-SALT-009", now=AT)
    # most recent shipment first: the Far Market got the newest
    assert [c.name for c in rep.customers] == ["Far Market", "Corner Deli", "Web shop"]
    market = rep.customers[0]
    assert (market.contact, market.phone, market.email) == (
        "Lee Ortiz",
        "+1 212 555 0199",
        "lee@far.example",
    )
    text = _pdf_text(render_recall_report(rep, tz=dt.UTC, invariant=True))
    customers = text.index("Customers to contact (3)")
    order = [
        text.index("What to do now"),
        customers,
        text.index("Lee Ortiz"),
        text.index("+1 212 555 0199"),
        text.index("Sam Patel"),
        text.index("What is affected", customers),
        text.index(f"Affected batches ({rep.batch_count:,})"),
        text.index(f"Shipments ({rep.shipment_count:,})"),
    ]
    assert order == sorted(order)
    assert text.index("Far Market") < text.index("Corner Deli") < text.index("Web shop")
    first_page = text.split("Page 1 of")[0]
    assert "What to do now" in first_page and "Lee Ortiz" in first_page


@pytest.mark.parametrize(
    "lot", ["L-SALT-009", "L-SALT-001", "L-CHIL-001", "BASE-001", "BRINE-01", "HSB-0003"]
)
def test_sql_summary_counts_what_the_rows_hold(busy: Session, lot: str) -> None:
    """The summary's SQL aggregates against the same figures counted in Python from
    every row (a report listing everything)."""
    rep = recall_report(busy, lot, now=AT, listed=10**6)
    assert rep.omitted_batches == 0 and rep.omitted_shipments == 0
    assert rep.summary == RecallSummary.of_rows(rep.batches, rep.shipments, len(rep.customers))


def test_salt_summary_figures(busy: Session) -> None:
    rep = recall_report(busy, "L-SALT-009", now=AT)
    t = rep.totals
    batches, ships = forward_by_orm(busy, "L-SALT-009")
    sauce = [ln for ln in t.lines if ln.product == "Habanero Hot Sauce"]
    assert sum(ln.batches for ln in sauce) == N
    assert t.batches == len(batches) == N + N // 50 + 1  # and the brines
    assert t.shipments == len(ships)
    assert t.fully_shipped + t.partly_shipped + t.not_shipped == t.batches
    assert t.last_shipped == max(s.shipped_date for s in rep.shipments)
    assert t.by_status() == [("Released", t.batches)]
    flat = " ".join(_pdf_text(render_recall_report(rep, tz=dt.UTC, invariant=True)).split())
    assert f"By status Released {t.batches}" in flat
    assert dict(t.by_depth)[1] > dict(t.by_depth)[2] > 0


def test_pages_read_by_id_give_the_rows_in_report_order(busy: Session) -> None:
    everything = recall_report(busy, "L-SALT-009", now=AT, listed=10**6)
    rep = recall_report(busy, "L-SALT-009", now=AT)
    scope = rep.scope
    assert isinstance(scope, RecallScope)
    scope.drop_rows()  # pages never need the trace's rows
    pages = [
        b
        for start in range(0, rep.batch_count, 97)
        for b in batch_page(busy, scope, start, start + 97)
    ]
    assert pages == list(everything.batches)
    ships = shipment_page(busy, scope, 0, rep.shipment_count)
    assert ships == list(everything.shipments)
    assert [s.shipped_date for s in ships] == sorted(s.shipped_date for s in ships)
    # the order: nearest the lot first, then by date made, then lot code
    keys = [(b.depth, b.made_date, b.lot_code) for b in pages]
    assert keys == sorted(keys)


def test_drill_records_every_batch_not_only_those_listed(busy: Session) -> None:
    drill, rep = run_drill(busy, "L-SALT-009")
    assert rep is not None and rep.omitted_batches > 0
    assert drill.batches_found == rep.batch_count > len(rep.batches)
    assert drill.shipments_found == rep.shipment_count


def test_small_recall_lists_everything_without_a_note(session: Session) -> None:
    genealogy(session)
    rep = recall_report(session, "L-CHIL-001", now=AT)
    assert rep.omitted_batches == 0 and rep.omitted_shipments == 0
    flat = " ".join(_pdf_text(render_recall_report(rep, tz=dt.UTC, invariant=True)).split())
    assert "not printed" not in flat and "more affected batches" not in flat
    assert "Contact the 2 customers below (3 shipments, 42 pcs" in flat


def test_a_section_heading_never_stands_alone_at_the_foot_of_a_page(busy: Session) -> None:
    """Wherever the customers table ends, the 'Affected batches' and 'Shipments' headings
    start a page with their table's first rows, never alone at the foot of the one
    before. The customers are repeated a growing number of times to move the headings
    down through the page."""
    import dataclasses

    rep = recall_report(busy, "L-SALT-009", now=AT)
    assert rep.customers
    tables = {"Affected batches (": "Batch lot", "Shipments (": "Document"}
    for k in range(1, 40):
        pdf = render_recall_report(
            dataclasses.replace(rep, customers=rep.customers * k), tz=dt.UTC, invariant=True
        )
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            pages = [p.extract_text() or "" for p in doc.pages]
        for heading, column in tables.items():
            on = [i for i, text in enumerate(pages) if heading in text]
            assert len(on) == 1, (k, heading)
            after = pages[on[0]].split(heading, 1)[1]
            assert column in after, f"{heading!r} alone at the foot of page {on[0] + 1} ({k=})"
