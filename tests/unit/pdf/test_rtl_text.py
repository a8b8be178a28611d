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
from reportlab.lib.enums import TA_RIGHT
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


# --------------------------------------------------------------- wrapped right-to-left text

HEBREW_LONG = "קמח חיטה מלא אורגני טחון באבן מהגליל העליון עם מלח ים מהמלחות של עתלית"
ARABIC_LONG = "دقيق القمح الكامل العضوي المطحون بالحجر من الجليل الأعلى مع ملح البحر"


def _cell_lines(pdf: bytes, script: str) -> list[tuple[str, float, float]]:
    """The printed lines of the table cell holding ``script`` ("hebrew"/"arabic"), top
    to bottom: the characters within the cell's columns read left to right, and the
    line's left and right edges."""
    ranges = {
        "hebrew": (("\u0590", "\u05ff"),),
        "arabic": (("\u0600", "\u06ff"), ("\ufb50", "\ufeff")),  # letters, joined forms
    }[script]
    out = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            ours = [c for c in page.chars if any(a <= c["text"] <= b for a, b in ranges)]
            if not ours:
                continue
            left = min(c["x0"] for c in ours) - 0.1
            right = max(c["x1"] for c in ours) + 0.1
            top = min(c["top"] for c in ours) - 0.1
            bottom = max(c["bottom"] for c in ours) + 0.1
            rows: dict[float, list[dict]] = {}
            for c in page.chars:
                if left <= c["x0"] and c["x1"] <= right and top <= c["top"] <= bottom:
                    rows.setdefault(round(c["top"], 1), []).append(c)
            for _, cs in sorted(rows.items()):
                cs.sort(key=lambda c: c["x0"])
                text = "".join(c["text"] for c in cs)
                out.append((text, cs[0]["x0"], cs[-1]["x1"]))
    return out


def test_wrapped_hebrew_and_arabic_names_in_batch_record_cells_read_line_by_line(
    session: Session,
) -> None:
    """A long Hebrew material name and a long Arabic origin in the batch record's narrow
    input cells: the first printed line holds the first words (lines broken in logical
    order, then each reordered, UAX #9), each line reads right to left, Arabic is
    joined, and the lines are right-aligned in their cell."""
    from unit.services.reports_factory import genealogy

    from smallbatch_desktop.domain.models import MaterialLot
    from smallbatch_desktop.pdf.bidi_text import shape
    from smallbatch_desktop.pdf.provenance import render_provenance_sheet
    from smallbatch_desktop.services.reports import batch_record

    g = genealogy(session)
    first = next(
        i for i in batch_record(session, g.batches["HS-001"].id).inputs if i.kind == "material"
    )
    lot = session.scalars(select(MaterialLot).where(MaterialLot.lot_code == first.lot_code)).one()
    lot.material.name = HEBREW_LONG
    lot.origin = ARABIC_LONG
    session.flush()
    pdf = render_provenance_sheet(batch_record(session, g.batches["HS-001"].id))

    for script, logical in (("hebrew", HEBREW_LONG), ("arabic", shape(ARABIC_LONG))):
        lines = _cell_lines(pdf, script)
        assert len(lines) >= 3, lines  # it wraps in the narrow cell
        # pure right-to-left text: a line drawn in visual order is its logical text
        # reversed; read back that way, the lines give the name in order, first words first
        read = [text[::-1].strip() for text, _, _ in lines]
        assert " ".join(read).removeprefix("↳ ") == logical  # (a nested input's mark)
        assert read[0].removeprefix("↳ ").split()[0] == logical.split()[0]
        # right-aligned: the lines end at one right edge, their left edges differ
        rights = [right for _, _, right in lines]
        lefts = [left for _, left, _ in lines]
        assert max(rights) - min(rights) < 0.5, rights
        assert max(lefts) - min(lefts) > 2, lefts
    assert all(
        not ("\u0600" <= ch <= "\u06ff") for t, _, _ in _cell_lines(pdf, "arabic") for ch in t
    )


def test_paragraph_lines_keep_the_paragraph_direction() -> None:
    """A Hebrew paragraph wrapped so that a line starts with "BIO 500 ml": that line is
    reordered at the paragraph's level (right to left, rule P2 on the whole paragraph),
    so the Hebrew word after it in logical order is drawn to its left; reordered at its
    own level (left to right, its first strong letter is Latin) it would be drawn right."""
    from reportlab.platypus import Paragraph

    from smallbatch_desktop.pdf.common import Para, esc, styles

    text = "שמן זית כתית מעולה BIO 500 ml בקבוק זכוכית כהה"
    for width in range(40, 160):
        plain = Paragraph(text, styles().cell)
        plain.wrap(width, 1000)
        logical = [" ".join(words) for _, words in plain.blPara.lines]
        if any(ln.startswith("BIO") and len(ln.split()) > 3 for ln in logical[1:]):
            break
    else:
        raise AssertionError("no width puts BIO at the start of a line")
    para = Para(esc(text), styles().cell)
    para.wrap(width, 1000)
    drawn = ["".join(words) for _, words in para.blPara.lines]
    assert len(drawn) == len(logical)
    k = next(i for i, ln in enumerate(logical) if ln.startswith("BIO") and len(ln.split()) > 3)
    after = logical[k].split()[3]  # the Hebrew word after "BIO 500 ml"
    assert "BIO 500 ml" in drawn[k]
    assert drawn[k].index(after[::-1]) < drawn[k].index("BIO"), drawn[k]
    assert para.style.alignment == TA_RIGHT  # a right-to-left paragraph is right-aligned
    assert drawn[0] == logical[0][::-1]  # the first words on the first line


def test_plain_table_cells_wrap_in_logical_order() -> None:
    """The recall report's plain-string cells: broken first, then each line reordered."""
    from smallbatch_desktop.pdf.common import wrap, wrap_column

    lines = wrap(HEBREW_LONG, 80).split("\n")
    assert len(lines) >= 3
    assert " ".join(ln[::-1] for ln in lines) == HEBREW_LONG
    # a Hebrew name that fits is still drawn right to left (it was printed as stored)
    assert wrap_column(["שמן זית", "Olive oil"], 200) == ["תיז ןמש", "Olive oil"]


def test_label_text_lines_keep_the_paragraph_direction() -> None:
    """On a label too: a wrapped Hebrew text whose line starts with "BIO 500 ml" draws
    that line right to left (the Hebrew word after it in logical order on its left)."""
    from smallbatch_desktop.pdf.label_text import fit_text

    text = "שמן זית כתית מעולה BIO 500 ml בקבוק זכוכית כהה"
    for w in (x / 2 for x in range(30, 120)):
        fitted = fit_text(((text, False),), w, 30.0, 8.0, 1.0, "sans", True, "product")
        lines = ["".join(t for t, _ in ln.segments) for ln in fitted.lines]
        k = next((i for i, ln in enumerate(lines) if ln.startswith("BIO") and ln.count(" ") > 2), 0)
        if k:
            break
    else:
        raise AssertionError("no width puts BIO at the start of a line")
    line = fitted.lines[k]
    assert line.level == 1 and fitted.lines[0].level == 1
    drawn = "".join(t for t, _ in visual_runs(line.segments, line.level))
    after = lines[k].split()[3]
    assert drawn.index(after[::-1]) < drawn.index("BIO"), drawn
    # at the line's own level (its first strong letter is Latin) it would be the reverse
    own = "".join(t for t, _ in visual_runs(line.segments))
    assert own.index(after[::-1]) > own.index("BIO")


def test_label_text_in_hebrew_starts_at_the_right() -> None:
    """A left-aligned ("start") text element holding Hebrew starts at the right edge of its
    box, line by line; Latin in the same element stays at the left; centred stays centred."""
    from smallbatch_desktop.pdf.labels import render_labels as render

    def edges(text: str, align: str) -> list[tuple[float, float]]:
        el = TextElement("product", 2, 2, 60, 30, text="{product}", size=10, align=align)
        layout = Layout("rtl-align", 64, 34, elements=(el,))
        data = dataclasses.replace(label_data(1), product=text)
        pdf = render(LabelJob(single_label_stock(64, 34), layout, (data,))).pdf
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            chars = doc.pages[0].chars
        rows: dict[int, list[dict]] = {}
        for c in chars:
            rows.setdefault(round(c["top"]), []).append(c)
        mm = 72 / 25.4
        return [
            (min(c["x0"] for c in cs) / mm, max(c["x1"] for c in cs) / mm)
            for _, cs in sorted(rows.items())
        ]

    hebrew = edges(HEBREW_LONG, "left")
    assert len(hebrew) >= 2
    assert all(abs(right - 62) < 0.3 for _, right in hebrew)  # box: x 2 to 62 mm
    assert len({round(left, 1) for left, _ in hebrew}) > 1  # ragged at the left
    latin = edges("Smoky habanero sauce with roasted garlic and lime from the valley", "left")
    assert all(abs(left - 2) < 0.3 for left, _ in latin)
    centred = edges(HEBREW_LONG, "center")
    assert all(abs((left + right) / 2 - 32) < 0.3 for left, right in centred)
