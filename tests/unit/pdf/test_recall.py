"""The recall report PDF, read back: every affected batch, shipment and customer is on it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pdfplumber
from helpers.pdfread import decode_pdf, page_count
from reportlab.lib.units import mm
from sqlalchemy.orm import Session
from unit.services.reports_factory import HOSTILE_CUSTOMER, HOSTILE_SUPPLIER, genealogy
from unit.services.test_reports import forward_by_orm

from smallbatch_desktop.domain.records import RecallBatch, RecallLot, RecallReport, RecallShipment
from smallbatch_desktop.pdf.recall import render_recall_report
from smallbatch_desktop.services.recall import recall_report

AT = dt.datetime(2026, 3, 20, 15, 4, tzinfo=dt.UTC)


def _text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def _released(
    i: int, code: str, product: str, path: tuple[str, ...] = (), shipped: int = 1
) -> RecallBatch:
    """A released batch of 10 pcs reached from the recalled lot by ``path`` (by default
    made straight from L-HOT)."""
    path = path or ("L-HOT", code)
    return RecallBatch(
        i,
        code,
        product,
        "Released",
        dt.date(2026, 1, 1),
        None,
        Decimal(10),
        "pcs",
        Decimal(shipped),
        len(path) - 1,
        path,
    )


def test_report_lists_batches_shipments_customers_and_paths(session: Session) -> None:
    genealogy(session)
    rep = recall_report(session, "L-CHIL-001", now=AT)
    pdf = render_recall_report(rep, tz=dt.UTC, invariant=True)
    pages = _text(pdf)
    text = "\n".join(pages)
    batches, _ships = forward_by_orm(session, "L-CHIL-001")
    for code in batches:
        assert code in text
    for s in rep.shipments:
        assert s.document_number in text
    for fact in (
        "RECALL REPORT",
        "Lot L-CHIL-001: Habanero peppers",
        "Material lot received from Sunrise Pepper Farm",
        "SPF-A1",
        "Corner Deli",
        "Sam Patel",
        "(518) 555-0142",
        "sam@deli.example",
        "orders@hh.example",
        "L-CHIL-001 → MASH-001 → BASE-001 → HS-002",
        "Affected batches (4)",
        "Shipments (3)",
        "Recall coordinator",
        "generated 2026-03-20 15:04 UTC",
    ):
        assert fact in text, fact
    assert "PICKLE-001" not in text  # the vinegar's other use has no chili in it
    n = page_count(pdf)
    assert all(f"Page {i} of {n}" in t for i, t in enumerate(pages, start=1))
    assert [(c.format, c.text) for c in decode_pdf(pdf, dpi=300, pages=[0])] == [
        ("Code128", "L-CHIL-001")
    ]


def test_drill_report_shows_its_time(session: Session) -> None:
    genealogy(session)
    rep = dataclasses.replace(recall_report(session, "HS-001", now=AT), drill_duration_ms=1234)
    text = "\n".join(_text(render_recall_report(rep, tz=dt.UTC)))
    assert "MOCK RECALL DRILL" in text and "1.2 s" in text
    assert "Where the recalled batch came from" in text and "L-VIN-001" in text


def test_hostile_text_prints_exactly(session: Session) -> None:
    g = genealogy(session)
    g.customers["deli"].name = HOSTILE_CUSTOMER
    g.customers["deli"].contact = "<b>Sam & Co</b>"
    session.flush()
    rep = recall_report(session, "HS-001", now=AT)
    text = "\n".join(_text(render_recall_report(rep, tz=dt.UTC)))
    assert HOSTILE_CUSTOMER in text and "<b>Sam & Co</b>" in text


def test_thousands_of_rows_paginate_with_repeated_headers() -> None:
    lot = RecallLot(kind="material", lot_code="L-HOT", name="Salt", supplier=HOSTILE_SUPPLIER)
    n = 800
    batches = tuple(_released(i, f"B{i:05d}", "Sauce") for i in range(n))
    ships = tuple(
        RecallShipment(
            i,
            i,
            f"B{i:05d}",
            "Sauce",
            dt.date(2026, 1, 2),
            1,
            "Shop",
            Decimal(1),
            "pcs",
            "invoice",
            f"I{i}",
            ("L-HOT", f"B{i:05d}"),
        )
        for i in range(n)
    )
    pdf = render_recall_report(RecallReport(lot, batches, ships, ()), invariant=True)
    pages = _text(pdf)
    assert len(pages) > 15
    assert all(f"Page {i} of {len(pages)}" in t for i, t in enumerate(pages, start=1))
    for t in pages[1:-1]:
        assert ("Batch lot" in t or "Shipped Customer" in t) and "Path from the recalled lot" in t
    words = set("\n".join(pages).split())
    for i in range(n):
        assert f"B{i:05d}" in words and f"I{i}" in words


def test_long_table_cells_print_whole_and_in_order() -> None:
    """Wrapped paths, codes longer than their column (broken by characters), PDF string
    delimiters and more distinct letters than one embedded font subset holds all print
    complete, each in its column, row after row."""
    letters = [chr(c) for c in (*range(0x100, 0x1C0), *range(0x391, 0x3CA), *range(0x410, 0x450))]
    letters = [c for c in letters if c.isprintable()]
    assert len(letters) > 256  # the second font subset is needed
    lot = RecallLot(kind="material", lot_code="L-(X)\\1", name="Salt")
    batches = []
    for i in range(60):
        product = "".join(letters[(i * 5 + k) % len(letters)] for k in range(5)) + " (a\\b)"
        code = f"B{i:03d}-" + "Q" * (i % 4) * 9  # up to 32 characters: wider than the column
        path = ("L-(X)\\1", *(f"MID-{i}-{k}" for k in range(i % 7)), code)
        batches.append(_released(i, code, product, path, shipped=0))
    pdf = render_recall_report(RecallReport(lot, tuple(batches), (), ()), invariant=True)
    # the batches table: 14 mm margin, then columns of 30, 44, 20, 19, 19, 21, 20, 96 mm
    edges = [14 + sum((30, 44, 20, 19, 19, 21, 20, 96)[:i]) for i in range(9)]
    columns: dict[int, str] = {0: "", 1: "", 7: ""}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for c in columns:
                box = (edges[c] * mm + 0.5, 0, edges[c + 1] * mm - 0.5, page.height)
                columns[c] += "".join((page.crop(box).extract_text() or "").split())
    for c, cells in ((0, [b.lot_code for b in batches]), (1, [b.product for b in batches]),
                     (7, [b.path_text for b in batches])):  # fmt: skip
        at = 0
        for cell in cells:
            found = columns[c].find("".join(cell.split()), at)
            assert found >= 0, (c, cell)
            at = found + len("".join(cell.split()))


def test_right_to_left_cells_wrap_line_by_line_and_right_aligned() -> None:
    """A long Hebrew product name in the recall report's plain-string batch table: broken
    in logical order, each line right to left, right-aligned in the product column, among
    left-aligned Latin cells (and across a page break)."""
    name = "רוטב חריף מעושן עם פלפל הבנרו אדום ושום קלוי בבקבוק זכוכית"
    lot = RecallLot(kind="material", lot_code="L-HOT", name="Salt")
    batches = tuple(_released(i, f"B{i:03d}", name if i % 2 else "Smoky Sauce") for i in range(120))
    pdf = render_recall_report(RecallReport(lot, batches, (), ()), invariant=True)
    # the product column: 14 mm margin + 30 mm lot column, 44 mm wide, 3 pt padding
    left, right = (14 + 30) * mm + 3, (14 + 30 + 44) * mm - 3
    cells: list[list[tuple[str, float, float]]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) > 1
        below: float | None = None  # the batch table starts under its heading
        for page in doc.pages:
            if below is None:
                words = page.extract_words()
                below = next(
                    (
                        w["top"]
                        for w, nxt in zip(words, words[2:], strict=False)
                        if w["text"] == "Affected" and nxt["text"] == "(120)"
                    ),
                    None,
                )
                if below is None:
                    continue  # the summary above it lists the product too
            rows: dict[float, list[dict]] = {}
            for c in page.chars:
                if c["top"] > below and left - 1 <= c["x0"] and c["x1"] <= right + 1:
                    rows.setdefault(round(c["top"], 1), []).append(c)
            for _, cs in sorted(rows.items()):
                cs.sort(key=lambda c: c["x0"])
                text = "".join(c["text"] for c in cs)
                if "\u05d0" <= text[0] <= "\u05ea" or "\u05d0" <= text[-1] <= "\u05ea":
                    cells.append([(text, cs[0]["x0"], cs[-1]["x1"])])
                elif text.startswith("Smoky"):
                    assert abs(cs[0]["x0"] - left) < 1  # Latin stays left-aligned
            below = 0.0  # the pages after: the whole page
    lines = [c[0] for c in cells]
    per_name = len(lines) // 60
    assert per_name >= 2 and len(lines) == 60 * per_name
    for k in range(0, len(lines), per_name):
        group = lines[k : k + per_name]
        # each line drawn right to left: reversed, the lines give the name, first words first
        assert " ".join(text[::-1] for text, _, _ in group) == name
        for _, _, x1 in group:
            assert abs(x1 - right) < 1.0, (x1, right)  # right-aligned
