"""The shared PDF machinery's shortcuts give exactly what the general way gives."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFPage
from reportlab.pdfgen.canvas import Canvas

from smallbatch_desktop.domain.records import RecallBatch, RecallLot, RecallReport
from smallbatch_desktop.pdf import common
from smallbatch_desktop.pdf.common import _Grid, _text_ops, clean, footer_canvas, wrap_column
from smallbatch_desktop.pdf.fonts import SANS, register_fonts
from smallbatch_desktop.pdf.recall import render_recall_report

#: printable text with the PDF string delimiters, accents, arrows and other scripts
_cell = st.text(
    st.sampled_from("abc XYZ019 ()\\→·éŁßΩЖ漢-=,\"'"),
    max_size=12,
).map(clean)


@settings(max_examples=150, deadline=None)
@given(st.lists(_cell, min_size=1, max_size=30), st.sampled_from(["", "12.30 0 Td "]))
def test_a_column_encodes_as_its_cells_one_by_one(texts: list[str], move: str) -> None:
    register_fonts()
    canv = Canvas(io.BytesIO())
    ops = _text_ops(canv, SANS, 7.5)
    bulk = ops.show_column(move, texts)  # may assign codes (through show) on the way
    assert bulk == [move + ops.show(t) if t else move for t in texts]


def test_a_column_with_new_letters_assigns_them_as_show_does() -> None:
    register_fonts()
    canv = Canvas(io.BytesIO())
    ops = _text_ops(canv, SANS, 7.5)
    texts = ["Ωmega (1)", "", "back\\slash", "plain"]
    first = ops.show_column("", texts)  # Ω has no code yet: encoded one by one
    assert first == [ops.show(t) if t else "" for t in texts]
    inner = re.search(r"\((.*)\) Tj", first[0])
    assert inner and "Ω" not in inner[1] and inner[1].endswith("mega \\(1\\)")
    # now it has a code in subset 0: the same bytes, in bulk, without the font switches
    again = ops.show_column("", texts)
    assert again == [f"({inner[1]}) Tj ", "", "(back\\\\slash) Tj ", "(plain) Tj "]


def _report(n: int) -> RecallReport:
    lot = RecallLot(kind="material", lot_code="L-1", name="Salt")
    batches = tuple(
        RecallBatch(
            i, f"B{i:05d}", "Sauce (hot)", "Released", dt.date(2026, 1, 1), None,
            Decimal(10), "pcs", Decimal(0), 1, ("L-1", f"B{i:05d}"),
        )
        for i in range(n)
    )  # fmt: skip
    return RecallReport(lot, batches, (), (), generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_plain_pages_are_written_byte_for_byte_as_reportlab_writes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(common, "_FLATE_LEVEL", -1)  # zlib's default, as ReportLab uses
    report = _report(300)
    fast = render_recall_report(report, invariant=True, tz=dt.UTC)
    monkeypatch.setattr(common._PlainPage, "format", PDFPage.format)
    general = render_recall_report(report, invariant=True, tz=dt.UTC)
    assert fast.count(b"/Type /Page\n") > 5
    assert fast == general


def test_a_page_with_a_link_is_written_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything beyond text and paths on a page (here a link) takes the general way."""
    monkeypatch.setattr(common, "_FLATE_LEVEL", -1)

    def build() -> bytes:
        buf = io.BytesIO()
        canv = footer_canvas("footer")(buf, invariant=1)
        for page in range(3):
            canv.drawString(72, 720, f"page {page}")
            if page == 1:
                canv.linkURL("https://example.org/", (72, 700, 200, 730))
            canv.showPage()
        canv.save()
        return buf.getvalue()

    fast = build()
    monkeypatch.setattr(common._PlainPage, "format", PDFPage.format)
    assert fast == build()
    assert b"/URI (https://example.org/)" in fast


def test_grid_cells_are_printable_and_split_into_lines() -> None:
    g = _Grid([["a\x07b", "one\ntwo", "plain"], ["x", "y", "z\tz"]])
    assert g.first == [["a\ufffdb", "one", "plain"], ["x", "y", "z z"]]
    assert g.later == {1: [(0, ["two"])]}
    assert g.multi == [1]
    assert g.tops[1] < g.tops[2] - g.tops[1]  # the two-line row is the taller
    assert g.tenths == [round(t * 10) for t in g.tops]


@given(st.lists(st.text(max_size=40), max_size=40), st.sampled_from([20 * mm, 60 * mm]))
@settings(max_examples=100, deadline=None)
def test_wrap_column_wraps_each_cell_as_wrap_does(texts: list[str], width: float) -> None:
    # the fast paths (length against the widest character, memo of repeated cells) give
    # what wrapping each cell on its own gives: printable text that fits kept, the rest
    # wrapped, Hebrew and Arabic shaped and reordered even when they fit
    assert wrap_column(texts, width) == [common.wrap(t, width) for t in texts]


@given(
    st.lists(st.text(st.sampled_from("ilmW→0-é"), min_size=1, max_size=9), max_size=30),
    st.floats(40, 200),
)
@settings(max_examples=200, deadline=None)
def test_filling_lines_in_bulk_breaks_where_word_by_word_does(
    words: list[str], width: float
) -> None:
    m = common._measure(SANS, 7.5)
    widths = [m.width(w) for w in words]
    assume(max(widths, default=0.0) <= width)  # longer words are broken by characters
    for k in range(1, len(words)):  # widths that the first k words fill (nearly) exactly
        full = m.width(" ".join(words[:k]))
        for w in (full, sum(widths[:k]) + (k - 1) * m.space):
            if w < max(widths):
                continue
            assert common._fill(words, widths, w, m.space) == common._break(words, widths, w, m)
    assert common._fill(words, widths, width, m.space) == common._break(words, widths, width, m)


def test_a_document_without_ascii_codes_encodes_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When ReportLab is told not to give ASCII its own codes, nothing is assumed."""
    from reportlab.pdfbase.pdfmetrics import getFont

    register_fonts()
    monkeypatch.setattr(getFont(SANS), "_asciiReadable", 0)  # read for each new document
    canv = Canvas(io.BytesIO())
    ops = _text_ops(canv, SANS, 7.5)
    assert not ops._ascii_own
    texts = ["Lot (A)", "", "Salt & Co"]
    assert ops.show_column("", texts) == [ops.show(t) if t else "" for t in texts]
