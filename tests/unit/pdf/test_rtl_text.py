"""Hebrew and Arabic print shaped and in reading order; a character no shipped font can
draw (an emoji) is warned about, naming the element.

The PDF is read back with pdfplumber: each character's position on the page gives the
visual order (left to right), and its code point tells which glyph was drawn (Arabic
letters as their joined presentation forms).
"""

from __future__ import annotations

import dataclasses
import io
import unicodedata

import pdfplumber
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from unit.pdf.test_label_render import label_data

from smallbatch_desktop.domain.label_data import LabelJob
from smallbatch_desktop.domain.label_layout import Layout, TextElement
from smallbatch_desktop.domain.label_stock import single_label_stock
from smallbatch_desktop.pdf.bidi_text import visual, visual_runs
from smallbatch_desktop.pdf.labels import render_labels


def render_text(text: str, *, bold: bool = False) -> tuple[list[str], tuple[str, ...]]:
    """Draw ``text`` on a one-element label; the lines as read left to right, warnings."""
    el = TextElement("product", 2, 2, 96, 30, text="{product}", size=12, bold=bold)
    layout = Layout("rtl", 100, 40, elements=(el,))
    data = dataclasses.replace(label_data(1), product=text)
    result = render_labels(LabelJob(single_label_stock(100, 40), layout, (data,)))
    with pdfplumber.open(io.BytesIO(result.pdf)) as doc:
        chars = doc.pages[0].chars
    lines: dict[int, list[dict]] = {}
    for c in chars:
        lines.setdefault(round(c["top"]), []).append(c)
    read = [
        "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"]))
        for _, cs in sorted(lines.items())
    ]
    return read, result.warnings


def test_hebrew_reads_right_to_left() -> None:
    lines, warnings = render_text("שמן זית (כתית)")
    # drawn left to right: the last word first, brackets mirrored
    assert lines == ["(תיתכ) תיז ןמש"]
    assert warnings == ()


def test_arabic_is_joined_and_right_to_left() -> None:
    lines, warnings = render_text("زيت زيتون")
    # زيتون (olive) is drawn leftmost.  Letters take their joined forms: ز never joins
    # the next letter, so ي after it is initial; ت medial; و final; ن after و (which
    # never joins the next) isolated.  Then زيت: ز isolated, ي initial, ت final.
    assert lines == ["\ufee5\ufeee\ufe98\ufef3\ufeaf \ufe96\ufef3\ufeaf"]
    assert all(not ("\u0600" <= ch <= "\u06ff") for ch in lines[0])  # no unjoined letter
    assert warnings == ()


def test_lam_alef_ligature_and_mixed_text() -> None:
    lines, _ = render_text("Salt ملح and سلام 250 g")
    (line,) = lines
    assert line.startswith("Salt ") and line.endswith(" g")
    # "سلام": lam-alef becomes one ligature glyph (U+FEFC final form)
    assert "\ufefc" in line and "\u0644" not in line and "\u0627" not in line
    assert line.index("and") < line.index("250")


def test_mixed_bold_runs_keep_their_weight_in_visual_order() -> None:
    runs = visual_runs([("חלב ", False), ("אגוזים", True), (", מלח", False)])
    assert runs == [("חלמ ,", False), ("םיזוגא", True), (" בלח", False)]


def test_latin_text_is_untouched() -> None:
    assert visual("Habanero (hot) 250 ml") == "Habanero (hot) 250 ml"
    lines, warnings = render_text("Habanero Hot Sauce")
    assert lines == ["Habanero Hot Sauce"] and warnings == ()


def test_emoji_warns_naming_the_element() -> None:
    _, warnings = render_text("Canned \U0001f96b Sauce")
    (warning,) = warnings
    assert warning.startswith("product: no glyph for")
    assert "U+1F96B" in warning and "empty box" in warning


def test_symbols_fall_back_to_noto_sans_symbols_2() -> None:
    """A pictograph DejaVu lacks (hot pepper) is drawn from the shipped fallback font."""
    el = TextElement("product", 2, 2, 96, 30, text="{product}", size=12)
    layout = Layout("sym", 100, 40, elements=(el,))
    data = dataclasses.replace(label_data(1), product="Chili \U0001f336 Sauce")
    result = render_labels(LabelJob(single_label_stock(100, 40), layout, (data,)))
    assert result.warnings == ()
    with pdfplumber.open(io.BytesIO(result.pdf)) as doc:
        chars = doc.pages[0].chars
    fonts_used = {c["text"]: c["fontname"] for c in chars}
    assert "NotoSansSymbols2" in fonts_used["\U0001f336"]
    assert "DejaVuSans" in fonts_used["C"]
    assert "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])) == (
        "Chili \U0001f336 Sauce"
    )
    # a symbol the fonts do have draws without a warning
    _, ok = render_text("Organic \u2713 \u00bd")
    assert ok == ()


def test_batch_record_prints_rtl_origins_and_warns_of_emoji(session: Session) -> None:
    """Documents: an Arabic origin and a Hebrew supplier read right to left in the batch
    record; an emoji in a material name is a warning naming the field."""
    from unit.services.reports_factory import genealogy

    from smallbatch_desktop.domain.models import MaterialLot, Supplier
    from smallbatch_desktop.pdf.common import glyph_warnings
    from smallbatch_desktop.pdf.provenance import render_provenance_sheet
    from smallbatch_desktop.services.reports import batch_record

    g = genealogy(session)
    first = next(
        i for i in batch_record(session, g.batches["HS-001"].id).inputs if i.kind == "material"
    )
    lot = session.scalars(select(MaterialLot).where(MaterialLot.lot_code == first.lot_code)).one()
    lot.origin = "زيت زيتون"
    supplier = session.get(Supplier, lot.supplier_id)
    assert supplier is not None
    supplier.name = "שמן זית"
    lot.material.name = "Chili \U0001f336 flakes \U0001f96b"
    session.flush()
    record = batch_record(session, g.batches["HS-001"].id)
    pdf = render_provenance_sheet(record)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert "שמן זית" not in text  # the logical order drawn left to right reads backwards
    assert visual("שמן זית") == "תיז ןמש" and "תיז ןמש" in text
    assert visual("زيت زيتون") in text
    warnings = glyph_warnings(record)
    assert len(warnings) == 1
    assert warnings[0].startswith("inputs[") and ".name: no glyph for" in warnings[0]
    assert "U+1F96B" in warnings[0] and "U+1F336" not in warnings[0]
    assert "\U0001f336" in text  # the pepper prints, from the symbols fallback font


#: what UAX #9 rule X9 removes before reordering: the explicit embeddings and overrides
#: and the boundary neutrals (invisible format and control characters; the services
#: refuse control characters in any case)
_X9_REMOVED = {"BN", "RLE", "LRE", "RLO", "LRO", "PDF"}
_PRINTED = st.characters(codec=None, exclude_categories=("Cs",)).filter(
    lambda c: unicodedata.bidirectional(c) not in _X9_REMOVED
)


@given(st.lists(st.tuples(st.text(_PRINTED, max_size=12), st.booleans()), max_size=6))
@settings(max_examples=300, deadline=None)
def test_visual_runs_keep_every_character_and_style(runs: list[tuple[str, bool]]) -> None:
    """Any text but what UAX #9 removes (unassigned code points too): reordering never
    fails, never loses or adds a character (brackets may be mirrored), and keeps each
    character's style."""
    out = visual_runs(runs)
    assert sum(len(t) for t, _ in out) == sum(len(t) for t, _ in runs)
    per_style_in = {s: sum(len(t) for t, s2 in runs if s2 == s) for _, s in runs}
    per_style_out = {s: sum(len(t) for t, s2 in out if s2 == s) for _, s in runs}
    # (the Rust fallback for unassigned code points draws the line in one style)
    assert per_style_out == per_style_in or len(out) == 1
