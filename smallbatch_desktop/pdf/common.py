"""What the provenance sheet, the card and the recall report share.

- **Escaping.** User text goes into ReportLab ``Paragraph`` markup, which is XML: a
  material called ``<b>Salt & Co</b>`` would turn bold (or break the parser) unless
  escaped.  :func:`esc` is the only way user text enters markup.  Plain-string table cells
  (:func:`wrap`) are not parsed as markup and need no escaping.
- **Time.** Timestamps are stored in UTC and shown in the reader's local time with the
  zone (``2026-03-02 14:05 CET``), because a recall coordinator compares them with
  e-mails and phone calls in local time.  Renderers take a ``tz`` so tests can pin it.
- **Page furniture.** :class:`FooterCanvas` writes "page x of y" and the generated-at
  line on every page once the page count is known (ReportLab's two-pass "numbered
  canvas" pattern), plus a running header from page 2 on.
- **Barcodes.** zxing-cpp encodes (the same library that reads them back in the tests);
  :class:`SymbolFlowable` draws its module matrix as vector rectangles, one PDF path per
  symbol: sharp at any zoom and on any printer, and far cheaper than ReportLab's QR
  widget.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import re
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate, chain, compress, count, repeat
from operator import add, not_
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import NoEncryption, PDFObject, PDFPage
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from smallbatch_desktop.domain.records import Memo
from smallbatch_desktop.domain.units import format_quantity
from smallbatch_desktop.pdf.bidi_text import has_rtl, paragraph_level, shape, visual, visual_runs
from smallbatch_desktop.pdf.files import write_whole  # noqa: F401  (where it used to live)
from smallbatch_desktop.pdf.fonts import (
    SANS,
    SANS_BOLD,
    SANS_ITALIC,
    SYMBOLS,
    glyph_warning,
    missing_glyphs,
    needs_fallback,
    register_fonts,
    table_cells_default,
)

table_cells_default()  # platypus is loaded from here on: its cells default to our sans

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef1f4")
ACCENT = colors.HexColor("#7b341e")
ACCENT_LIGHT = colors.HexColor("#fbf3ec")
PASS = colors.HexColor("#1e6b34")
FAIL = colors.HexColor("#b42318")

# Control characters other than newline and tab mean nothing on paper and some of them
# upset the PDF text operators; they become a visible replacement mark.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --------------------------------------------------------------------------- text


def clean(text: object) -> str:
    """User text as printable plain text for one-line use (a header, a drawn string):
    control characters shown as U+FFFD, tabs as spaces; right-to-left lines (Hebrew,
    Arabic) shaped and each line in visual order (``bidi_text``).  Text that may wrap
    takes :func:`logical` instead and is reordered line by line after breaking."""
    s = logical(text)
    return s if s.isascii() else _rtl_lines(s)


def logical(text: object) -> str:
    """:func:`clean` without the reordering: Arabic shaped, still in logical order, for
    text broken into lines before it is drawn (:class:`Para`, :func:`wrap`).  UAX #9
    breaks lines on the logical order and then reorders each line: reordering first
    would put the end of a long Hebrew name on its first printed line."""
    s = "" if text is None else str(text)
    if not s.isprintable():
        s = _CONTROL.sub("\ufffd", s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return s if s.isascii() else shape(s)


def _rtl_lines(s: str) -> str:
    if not has_rtl(s):
        return s
    return "\n".join(visual(line) for line in s.split("\n"))


def glyph_warnings(record: object, font: str = SANS, path: str = "") -> list[str]:
    """A warning per text field of a record (a dataclass, nested ones and lists of them
    walked) holding a character the document font cannot draw, naming the field."""
    import dataclasses

    out: list[str] = []
    if isinstance(record, str):
        missing = missing_glyphs(record, font)
        if missing:
            out.append(glyph_warning(path or "text", missing))
    elif dataclasses.is_dataclass(record) and not isinstance(record, type):
        for f in dataclasses.fields(record):
            sub = f"{path}.{f.name}" if path else f.name
            out.extend(glyph_warnings(getattr(record, f.name), font, sub))
    elif isinstance(record, (list, tuple)):
        for i, item in enumerate(record):
            out.extend(glyph_warnings(item, font, f"{path}[{i + 1}]"))
    return out


def esc(text: object) -> str:
    """User text made safe for Paragraph markup: XML-escaped, line breaks kept; symbols
    the document font lacks are set in the symbols fallback font."""
    s = _xml_escape(logical(text)).replace("\n", "<br/>")
    return s if s.isascii() else _fallback_markup(s)


class Para(Paragraph):
    """A ``Paragraph`` that sets right-to-left text (Hebrew, Arabic) as UAX #9 asks.

    ReportLab breaks lines as the text is stored and draws each left to right (its own
    bidi support needs ``rlbidi``, not on PyPI).  Here the markup holds the text in
    logical order (Arabic already shaped, by :func:`esc`), ReportLab breaks it into
    lines, and each line is then reordered to visual order at the paragraph's embedding
    level (its first strong character, rules P2-P3), keeping each run's style.  A
    paragraph whose first strong character is right-to-left is right-aligned unless its
    style centres or justifies it.  Text without Hebrew or Arabic is untouched.
    """

    def __init__(
        self, text: str, style: ParagraphStyle | None = None, *args: Any, **kw: Any
    ) -> None:
        self._sb_level: int | None = None
        if text and not text.isascii() and has_rtl(text):
            self._sb_level = paragraph_level(_markup_text(text))
            if self._sb_level == 1 and style is not None and style.alignment == TA_LEFT:
                style = _rtl_style(style)
        super().__init__(text, style, *args, **kw)

    def breakLines(self, width: Any) -> Any:  # ReportLab's name
        lines = super().breakLines(width)
        if self._sb_level is not None:
            _reorder_lines(lines, self._sb_level)
        return lines


_TAG = re.compile(r"<[^>]*>")


def _markup_text(markup: str) -> str:
    from html import unescape

    return unescape(_TAG.sub("", markup.replace("<br/>", "\n")))


@lru_cache(maxsize=64)
def _rtl_style(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)


def _reorder_lines(bl: Any, level: int) -> None:
    """ReportLab's broken lines (``Paragraph.blPara``), each to visual order in place."""
    if bl.kind == 0:  # one style: a line is (extra space, [words])
        for i, (extra, words) in enumerate(bl.lines):
            line = " ".join(words)
            if has_rtl(line):
                bl.lines[i] = (extra, ["".join(t for t, _ in visual_runs([(line, None)], level))])
        return
    for line in bl.lines:  # several styles: a line's words are fragments with a style
        frags = line.words
        text = "".join(getattr(f, "text", "") for f in frags)
        if not has_rtl(text) or any(getattr(f, "cbDefn", None) for f in frags):
            continue
        runs = visual_runs([(f.text, f) for f in frags], level)
        line.words = [f.clone(text=t) for t, f in runs]


def _fallback_markup(s: str) -> str:
    out: list[str] = []
    run: list[str] = []
    for ch in s:
        if needs_fallback(ch, SANS):
            run.append(ch)
            continue
        if run:
            out.append(f'<font name="{SYMBOLS}">{"".join(run)}</font>')
            run = []
        out.append(ch)
    if run:
        out.append(f'<font name="{SYMBOLS}">{"".join(run)}</font>')
    return "".join(out)


def qty(value: Decimal | None, unit: str = "") -> str:
    """An exact quantity as people write it: ``1.500000`` kg -> ``1.5 kg``."""
    return "" if value is None else format_quantity(value, unit)


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def local_time(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    """A stored UTC timestamp in local time with its zone: ``2026-03-02 14:05 CET``.

    ``tz=None`` means the computer's zone.  When the zone has no abbreviation (some
    systems print ``+0530``), the UTC offset is shown instead.
    """
    if value is None:
        return ""
    if value.tzinfo is None:  # stored values are aware; be forgiving with callers
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(tz) if tz is not None else value.astimezone()
    name = local.tzname() or ""
    if not name or name[0] in "+-" or (name.startswith("UTC") and name != "UTC"):
        off = local.strftime("%z")
        name = f"UTC{off[:3]}:{off[3:]}" if off else "UTC"
    return f"{local:%Y-%m-%d %H:%M} {name}"


class _Measure:
    """Text widths in one font and size, as ``stringWidth`` gives them, but memoised.

    ``stringWidth`` walks the text in Python, character by character; here each
    character's advance is looked up once and a string's width is a C-level ``sum`` over
    a dictionary, and words (lot codes, product names) are remembered.  Widths are
    additive (ReportLab does not kern), so a line's width is its words' plus its spaces.
    """

    def __init__(self, font: str, size: float) -> None:
        from reportlab.pdfbase.pdfmetrics import getFont

        register_fonts()
        face = getFont(font).face
        self._advance = face.charWidths.get
        self._default = face.defaultWidth
        self._scale = 0.001 * size
        self._chars: dict[str, float] = {}
        self.words: dict[str, float] = {}  # word -> width, filled by word_widths()
        self.space = self.width(" ")

    def width(self, text: str) -> float:
        chars = self._chars
        try:
            return sum(map(chars.__getitem__, text)) * self._scale
        except KeyError:
            for ch in set(text) - chars.keys():
                chars[ch] = self._advance(ord(ch), self._default)
            return sum(map(chars.__getitem__, text)) * self._scale

    def word_widths(self, words: list[str]) -> list[float]:
        """The widths of ``words`` (dictionary lookups at C speed once they are known)."""
        known = self.words
        widths = list(map(known.get, words))
        if None not in widths:
            return widths  # type: ignore[return-value]
        if len(known) > 200_000:  # a bound for a long-running GUI session
            known.clear()
        return [
            self._learn(word) if w is None else w for word, w in zip(words, widths, strict=True)
        ]

    def _learn(self, word: str) -> float:
        w = self.words[word] = self.width(word)
        return w


@lru_cache(maxsize=16)
def _measure(font: str, size: float) -> _Measure:
    return _Measure(font, size)


def text_width(text: str, font: str = SANS, size: float = 7.5) -> float:
    """The width of ``text`` in points, exactly as ``pdfmetrics.stringWidth`` measures it."""
    return _measure(font, size).width(text)


def wrap(text: object, width: float, *, font: str = SANS, size: float = 7.5) -> str:
    """Plain text broken into lines that fit ``width`` points, for plain-string table cells.

    Plain strings in a table are drawn as they are (no markup, so no escaping) and are
    far cheaper than Paragraphs, which matters for a recall report of fifty thousand
    rows.  Lines break at spaces, as ReportLab's ``simpleSplit`` breaks them; a word
    longer than the column is broken by characters, never cut off.  Lines are measured
    by their words, whose widths are remembered: lot codes and product names recur.
    """
    s = logical(text)
    if not s:
        return ""
    m = _measure(font, size)
    space = m.space
    lines: list[str] = []
    rtl: list[int] = []  # the lines of right-to-left paragraphs, to be right-aligned
    for para in s.split("\n"):
        parts = para.split(" ")
        widths = m.word_widths(parts)
        if sum(widths) + (len(parts) - 1) * space <= width:
            broken = [para]
        else:
            words = para.split()  # breaks at any white space, as simpleSplit does
            if words != parts:
                widths = m.word_widths(words)
            if max(widths, default=0.0) <= width:
                broken = _fill(words, widths, width, space)
            else:
                broken = _break(words, widths, width, m)
        if not para.isascii() and has_rtl(para):
            # broken in logical order, then each line reordered at the paragraph's level
            level = paragraph_level(para)
            broken = ["".join(t for t, _ in visual_runs([(ln, None)], level)) for ln in broken]
            if level:
                rtl += range(len(lines), len(lines) + len(broken))
        lines += broken
    if rtl:
        return RtlText("\n".join(lines), rtl)
    return "\n".join(lines)


class RtlText(str):
    """Wrapped cell text (:func:`wrap`) some of whose lines belong to right-to-left
    paragraphs: ``rtl`` holds their indexes, and :class:`PagedTable` right-aligns them."""

    rtl: frozenset[int]

    def __new__(cls, text: str, rtl: Iterable[int]) -> RtlText:
        obj = super().__new__(cls, text)
        obj.rtl = frozenset(rtl)
        return obj


def _break(words: list[str], widths: list[float], width: float, m: _Measure) -> list[str]:
    """Words filled into lines of ``width``; a word longer than that is broken by
    characters, never cut off."""
    space = m.space
    lines: list[str] = []
    line: list[str] = []
    used = -space
    for word, w in zip(words, widths, strict=True):
        if line and used + space + w > width:
            lines.append(" ".join(line))
            line, used = [], -space
        if w > width:  # longer than the column on its own: break it by characters
            while w > width and len(word) > 1:
                cut = _fit_chars(word, width, m)
                lines.append(word[:cut])
                word = word[cut:]
                w = m.width(word)
            lines.append(word)  # the rest on a line of its own, as simpleSplit leaves it
            continue
        line.append(word)
        used += space + w
    if line:
        lines.append(" ".join(line))
    return lines


def _fill(words: list[str], widths: list[float], width: float, space: float) -> list[str]:
    """:func:`_break` for words that each fit a line, a line at a time in C.

    The same floating-point sums in the same order as ``_break`` (``used`` after each
    word, then ``used + space + w`` for the next), so the lines break at the same
    words: the tests for the next words rise strictly (by at least a space), and the
    first that exceeds ``width`` is found by bisection.
    """
    lines: list[str] = []
    start, n = 0, len(words)
    while start < n:
        rest = widths[start:]
        used = list(accumulate(map(add, repeat(space), rest), initial=-space))
        tests = list(map(add, map(add, used[1:-1], repeat(space)), rest[1:]))
        end = start + 1 + bisect.bisect_right(tests, width)
        lines.append(" ".join(words[start:end]))
        start = end
    return lines


def wrap_column(
    values: Iterable[str], width: float, *, font: str = SANS, size: float = 7.5
) -> list[str]:
    """:func:`wrap` for every cell of a table column, as fast as a long table needs.

    A cell of printable text that fits is kept as it is.  Whether it fits is first
    judged by its length against the widest character the column uses (C-speed for
    the whole column); only longer cells are measured, and only those that do not fit
    are wrapped.  The same text (a product, a date, a quantity) is handled once.
    """
    m = _measure(font, size)

    def cell(text: str) -> str:
        if text.isprintable() and (text.isascii() or not has_rtl(text)) and m.width(text) <= width:
            return text
        return wrap(text, width, font=font, size=size)  # shaped, each line in visual order

    values = values if isinstance(values, list) else list(values)
    distinct = set(values)
    joined = "".join(distinct)
    # few texts, many times each; or line breaks, tabs, control characters; or Hebrew
    # and Arabic, which are shaped and reordered even when they fit
    if len(distinct) * 4 < len(values) or not joined.isprintable() or has_rtl(joined):
        return Memo(cell).each(values)
    widest = max(map(m.width, set(joined)), default=0.0)
    fits = int(width // widest) if widest else len(joined)  # this many characters always fit
    return [text if len(text) <= fits else cell(text) for text in values]


def _fit_chars(text: str, width: float, m: _Measure) -> int:
    """How many leading characters of ``text`` fit ``width`` (at least one)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if m.width(text[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of our documents (DejaVu Sans, embedded)."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    head: ParagraphStyle
    right: ParagraphStyle
    muted: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    register_fonts()
    base = ParagraphStyle("sb-body", fontName=SANS, fontSize=9, leading=11.5, textColor=INK)
    cell = ParagraphStyle("sb-cell", parent=base, fontSize=7.5, leading=9.2)
    return Styles(
        title=ParagraphStyle(
            "sb-title", parent=base, fontName=SANS_BOLD, fontSize=17, leading=21, spaceAfter=2
        ),
        subtitle=ParagraphStyle("sb-subtitle", parent=base, fontSize=10.5, leading=13),
        h2=ParagraphStyle(
            "sb-h2",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=9,
            spaceAfter=4,
            textColor=ACCENT,
            keepWithNext=1,
        ),
        body=base,
        small=ParagraphStyle("sb-small", parent=base, fontSize=8, leading=10),
        cell=cell,
        cell_bold=ParagraphStyle("sb-cell-bold", parent=cell, fontName=SANS_BOLD),
        head=ParagraphStyle(
            "sb-head", parent=cell, fontName=SANS_BOLD, textColor=INK, alignment=TA_LEFT
        ),
        right=ParagraphStyle("sb-right", parent=cell, alignment=TA_RIGHT),
        muted=ParagraphStyle("sb-muted", parent=base, fontSize=8, leading=10, textColor=MUTED),
    )


#: A table look shared by every grid in our documents: shaded bold header, hairlines.
def grid_style(header_rows: int = 1) -> list[tuple[Any, ...]]:
    """The house table style; ``header_rows=0`` for the continuation of a table."""
    register_fonts()
    head: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, header_rows - 1), SANS_BOLD, 7.5, 9.2),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.8, INK),
    ]
    if header_rows == 0:
        head = [("TEXTCOLOR", (0, 0), (-1, -1), INK)]
    return [
        ("FONT", (0, 0), (-1, -1), SANS, 7.5, 9.2),
        *head,
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]


# --------------------------------------------------------------------------- long tables

_CELL_SIZE = 7.5
_CELL_LEADING = 9.2
_TOP_PAD, _BOTTOM_PAD, _SIDE_PAD = 2.0, 2.5, 3.0
_ROW_PAD = _TOP_PAD + _BOTTOM_PAD

#: marks a character that has no code in a font's subset 0 (yet): any non-ASCII will do
_NO_CODE = "\uffff"
#: joins the cells of a column for bulk encoding (:meth:`_TextOps.show_column`)
_CELL_SEP = "\x1f"
#: what a PDF string needs escaped, backslash first
_ESCAPES = (("\\", "\\\\"), ("(", "\\("), (")", "\\)"))


def _pdf_code(code: int) -> str:
    """One byte of a PDF string as ``canvas._escape`` writes it."""
    if code in (0x28, 0x29, 0x5C):  # ( ) \
        return "\\" + chr(code)
    if 32 <= code < 127:
        return chr(code)
    return f"\\{code:03o}"


class _TextOps:
    """PDF text-showing operators for strings in one embedded TrueType font, cached.

    ReportLab's ``drawString`` re-encodes, re-measures and re-formats every string; a
    recall report of 50,000 rows would spend most of its time there.  ReportLab gives a
    TrueType font's characters codes in subsets of 256 per document (printable ASCII at
    its own codes in subset 0, other characters as they first appear).  A string whose
    characters all have a code in subset 0 is encoded here with one ``str.translate``;
    any other goes through ``splitString``, which assigns codes exactly as
    ``drawString`` would, so the embedded subsets are the same.  ``select`` makes
    subset 0 the current font; ``show`` expects it current and leaves it so.  Each
    distinct string is encoded once per document.
    """

    def __init__(self, canv: Canvas, font_name: str, size: float) -> None:
        from reportlab.pdfbase.pdfmetrics import getFont

        self.canv = canv
        self.doc = canv._doc
        self.font = getFont(font_name)
        self.size = f"{size:g}"
        canv.setFont(font_name, size)  # registers the font with the document
        self.font.splitString(" ", self.doc)  # creates the document's subset state
        self._assigned = self.font.state[self.doc].assignments  # code point -> code
        self.select = f"{self.font.getSubsetInternalName(0, self.doc)} {self.size} Tf"
        self._table: dict[int, str] = {}
        self._sync()
        self.encoded: dict[str, str] = {}  # text -> its operators

    def _sync(self) -> None:
        """The translate table: every character with a subset-0 code to that code."""
        table = dict.fromkeys(range(128), _NO_CODE)
        table.update((char, _pdf_code(n)) for char, n in self._assigned.items() if n < 256)
        self._table = table
        self._non_ascii = [
            (chr(char), _pdf_code(n))
            for char, n in self._assigned.items()
            if char > 127 and n < 256
        ]
        # ReportLab gives printable ASCII its own codes unless the font was registered
        # with asciiReadable off (rl_config.ttfAsciiReadable): the bulk encoding needs it
        self._ascii_own = all(self._assigned.get(c) == c for c in range(32, 127))

    def show(self, text: str) -> str:
        ops = self.encoded.get(text)
        if ops is None:
            encoded = text.translate(self._table)
            if encoded.isascii():
                ops = f"({encoded}) Tj "
            else:
                known = len(self._assigned)
                parts = [
                    f"{self.font.getSubsetInternalName(subset, self.doc)} {self.size} Tf "
                    f"({self.canv._escape(chunk)}) Tj"
                    for subset, chunk in self.font.splitString(text, self.doc)
                ]
                ops = " ".join([*parts, self.select, ""])
                if len(self._assigned) != known:
                    self._sync()
            self.encoded[text] = ops
        return ops

    def show_column(self, move: str, texts: Sequence[str]) -> list[str]:
        """``[move + show(t) if t else move for t in texts]``, encoded in bulk.

        The texts are joined, escaped and split again by C string methods, which is
        several times faster than a call per cell for a page of a long table: printable
        ASCII has its own codes, so only ``( ) \\`` and the few non-ASCII characters that
        have codes are replaced.  Texts with a character that has no code in subset 0
        yet go through :meth:`show` one by one (which assigns the codes).  The texts are
        printable (as :class:`_Grid` keeps its cells).
        """
        sep = _CELL_SEP
        encoded = sep.join(texts) if self._ascii_own else ""
        for char, code in _ESCAPES:
            if char in encoded:
                encoded = encoded.replace(char, code)
        if not encoded.isascii():  # str.translate is slow on such text: replace instead
            for char, code in self._non_ascii:
                if char in encoded:
                    encoded = encoded.replace(char, code)
        if encoded.isascii() and encoded.count(sep) == len(texts) - 1 and self._ascii_own:
            opener = move + "("
            cells = sep + opener + encoded.replace(sep, ") Tj " + sep + opener) + ") Tj "
            return cells.replace(sep + opener + ") Tj ", sep + move).split(sep)[1:]
        known, show = self.encoded.get, self.show  # one by one
        return [move + (known(t) or show(t)) if t else move for t in texts]


def _text_ops(canv: Canvas, font_name: str, size: float) -> _TextOps:
    cache: dict[tuple[str, float], _TextOps] = canv.__dict__.setdefault("_sb_text_ops", {})
    ops = cache.get((font_name, size))
    if ops is None or ops.doc is not canv._doc:
        ops = cache[(font_name, size)] = _TextOps(canv, font_name, size)
    return ops


class _Grid:
    """The cells of a :class:`PagedTable`, prepared once for all the pages it spans.

    Held a column at a time (``columns[c][r]``): no object per row, which keeps the
    garbage collector out of a 50,000-row report.  ``first[c]`` holds the first line of
    every cell of column ``c``; ``later[r]`` the further lines of row ``r``'s multi-line
    cells, by column (``multi``: those rows, ascending); ``tenths`` the prefix sums of the
    row heights in whole tenths of a point and ``tops`` the same in points (row ``r``
    spans ``tops[r]`` to ``tops[r + 1]`` down from the first row's top); ``down[r]`` the
    text move from row ``r - 1``'s first line to row ``r``'s, ``0 -13.70 Td``: the row
    heights are whole multiples of 0.1 pt, so the relative moves add up exactly.
    """

    def __init__(self, columns: Sequence[Sequence[str]]) -> None:
        n = len(columns[0]) if columns else 0
        lines = [1] * n
        self.first: list[Sequence[str]] = []
        self.later: dict[int, list[tuple[int, list[str]]]] = {}
        #: row -> column -> the cell's lines to right-align (right-to-left paragraphs)
        self.rtl: dict[int, dict[int, frozenset[int]]] = {}
        for c, col in enumerate(columns):
            if len(col) != n:
                raise ValueError("every column has a cell for every row")
            if not "".join(col).isascii():  # Hebrew or Arabic cells come as RtlText
                for r, cell in enumerate(col):
                    if type(cell) is RtlText:
                        self.rtl.setdefault(r, {})[c] = cell.rtl
            if not "".join(col).isprintable():  # line breaks; control characters to U+FFFD
                col = list(col)
                for r in compress(count(), map(not_, map(str.isprintable, col))):
                    first, *more = col[r].split("\n")
                    if not "".join(more).isprintable() or not first.isprintable():
                        first, *more = clean(col[r]).split("\n")
                    col[r] = first
                    if more:
                        self.later.setdefault(r, []).append((c, more))
                        lines[r] = max(lines[r], len(more) + 1)
            self.first.append(col)
        self.multi = sorted(self.later)  # the rows with multi-line cells
        self.placed_rows = sorted(self.later.keys() | self.rtl.keys())  # drawn at row end
        # few distinct line counts: each row's height (in whole tenths of a point) and
        # move are looked up (C-speed), not computed, row by row
        tenths: Memo[int, int] = Memo(lambda k: round((k * _CELL_LEADING + _ROW_PAD) * 10))
        down: Memo[int, str] = Memo(lambda k: f"0 {tenths[k] / -10:.2f} Td ")
        self.tenths = list(accumulate(map(tenths.__getitem__, lines), initial=0))
        self.tops = [t / 10 for t in self.tenths]
        self.down = ["", *map(down.__getitem__, lines[:-1])]
        self.blocks: dict[Any, str] = {}  # operators that recur from page to page
        self.rules: Memo[int, str] | None = None  # a row rule, by its offset in tenths


@lru_cache(maxsize=64)
def _column_moves(widths: tuple[float, ...]) -> tuple[list[float], list[list[str]]]:
    """Where the text of each column starts, and ``moves[p][c]``, the ``Td`` from the
    text of column ``p`` to that of column ``c`` on the same line."""
    lefts = list(accumulate((0.0, *widths[:-1])))
    lefts = [round(x + _SIDE_PAD, 2) for x in lefts]
    moves = [[f"{c - p:.2f} 0 Td " if c != p else "" for c in lefts] for p in lefts]
    return lefts, moves


def _rgb(c: colors.Color) -> str:
    return f"{c.red:.3f} {c.green:.3f} {c.blue:.3f}"


class PagedTable(Flowable):
    """A very long table of plain-string cells: linear-time paging, fast drawing.

    ReportLab's ``Table`` re-measures and copies all remaining rows at every page break
    (quadratic: a 27,000-row recall took minutes) and draws each cell through the
    general text machinery.  Here the cells are wrapped by the caller once and given a
    column at a time (``columns[c][r]``), the row heights are summed once (prefix
    sums), a page break is a binary search, and each page's rows are written straight
    into the content stream in reading order: one ``Tm`` on the page, then relative
    ``Td`` moves along each row and down to the next (the same few strings throughout),
    each column of the page encoded in bulk (:meth:`_TextOps.show_column`).  The header
    and the row rules recur from page to page and are formatted once.  It looks like
    ``grid_style``: shaded bold header repeated on every page, hairlines.  Cells are
    plain text, never markup, so user text needs no escaping here; control characters
    print as U+FFFD, as :func:`clean` shows them.
    """

    def __init__(
        self,
        header: Sequence[str],
        columns: Sequence[Sequence[str]],
        col_widths: Sequence[float],
        *,
        right_align: Iterable[int] = (),
        _grid: _Grid | None = None,
        _start: int = 0,
        _end: int | None = None,
    ) -> None:
        super().__init__()
        self.header = [h.split("\n") for h in header]
        self.col_widths = list(col_widths)
        self.right_align = frozenset(right_align)
        if _grid is None:
            if len(columns) != len(self.col_widths):
                raise ValueError("one column of cells per column width")
            _grid = _Grid(columns)
        self._grid = _grid
        self._start = _start
        self._end = len(_grid.tops) - 1 if _end is None else _end
        lines = max((len(h) for h in self.header), default=1)
        self._header_h = lines * _CELL_LEADING + _ROW_PAD
        self.width = sum(self.col_widths)
        self.height = self._header_h + _grid.tops[self._end] - _grid.tops[self._start]
        self.hAlign = "LEFT"

    def _part(self, start: int, end: int) -> PagedTable:
        part = PagedTable(
            (),
            (),
            self.col_widths,
            right_align=self.right_align,
            _grid=self._grid,
            _start=start,
            _end=end,
        )
        part.header = self.header
        part._header_h = self._header_h
        part.height = self._header_h + self._grid.tops[end] - self._grid.tops[start]
        return part

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        tops = self._grid.tops
        limit = tops[self._start] + availHeight - self._header_h
        end = bisect.bisect_right(tops, limit + 1e-6, lo=self._start, hi=self._end + 1) - 1
        if end <= self._start:
            return []  # not even one row fits: the frame moves on to the next page
        if end >= self._end:
            return [self]
        return [self._part(self._start, end), self._part(end, self._end)]

    def draw(self) -> None:
        register_fonts()
        canv = self.canv
        regular = _text_ops(canv, SANS, _CELL_SIZE)
        bold = _text_ops(canv, SANS_BOLD, _CELL_SIZE)
        width, height = self.width, self.height
        top = height - self._header_h
        code: list[str] = ["q"]
        # header: shade, bold text, rule
        code.append(f"{_rgb(SHADE)} rg 0 {top:.2f} {width:.2f} {self._header_h:.2f} re f")
        code.append(f"{_rgb(INK)} rg BT {bold.select}")
        code.append(self._header_text(bold, height - _TOP_PAD - _CELL_SIZE))
        code.append(regular.select)
        self._body(code, regular, top)
        code.append("ET")
        # rules: strong under the header, hairlines under each row, placed from the
        # first row's top (the same offsets recur on every full page)
        code.append(f"{_rgb(INK)} RG 0.8 w 0 {top:.2f} m {width:.2f} {top:.2f} l S")
        code.append(f"{_rgb(RULE)} RG 0.25 w 1 0 0 1 0 {top:.2f} cm")
        g = self._grid
        rules = g.rules
        if rules is None:
            rules = g.rules = Memo(lambda y: f"0 {y / -10:.2f} m {width:.2f} {y / -10:.2f} l")
        below = g.tenths[self._start]
        code.extend(rules[y - below] for y in g.tenths[self._start + 1 : self._end + 1])
        code.append("S Q")
        canv._code.append("\n".join(code))

    def _header_text(self, ops: _TextOps, baseline: float) -> str:
        """The header row's text operators (the same on every page of a document)."""
        key = (ops, f"{baseline:.2f}")
        text = self._grid.blocks.get(key)
        if text is None:
            text = self._grid.blocks[key] = "\n".join(
                self._placed(ops, col, line, baseline - k * _CELL_LEADING)
                for col, lines in enumerate(self.header)
                for k, line in enumerate(lines)
            )
        return text

    def _body(self, code: list[str], ops: _TextOps, top: float) -> None:
        """The rows' text, the first table row hanging from ``top``.

        Built a column at a time (a list comprehension per column: every cell is the
        move from the cell before, then its text, if any), then interleaved row by row,
        so the stream is in reading order (for copying and screen readers).  Each row
        ends at its last column; the next starts with one constant move back and down.
        Further lines of wrapped cells, and right-aligned cells, are placed absolutely
        at the end of their row, followed by a move back to where the row ended.
        """
        g = self._grid
        start, end = self._start, self._end
        if start == end:
            return
        lefts, move = _column_moves(tuple(self.col_widths))
        last = len(lefts) - 1
        right = self.right_align
        first = top - _TOP_PAD - _CELL_SIZE  # the first row's first baseline
        heads = [move[last][0] + d for d in g.down[start:end]]
        heads[0] = f"1 0 0 1 {lefts[0]:.2f} {first:.2f} Tm "
        rows = g.placed_rows
        rows = rows[bisect.bisect_left(rows, start) : bisect.bisect_left(rows, end)]
        # right-to-left first lines are placed at the row's end, right-aligned
        rtl_first = {(r, col) for r in rows for col, ks in g.rtl.get(r, {}).items() if 0 in ks}
        columns = [heads]
        for col, cells in enumerate(g.first):
            mv = move[col - 1][col] if col else ""
            page = cells[start:end]
            if col in right:
                columns.append([mv] * len(page))
                continue
            if rtl_first:
                page = ["" if (r, col) in rtl_first else t for r, t in enumerate(page, start)]
            columns.append(ops.show_column(mv, page))
        if rows or right:
            tails = [""] * (end - start)
            for r in range(start, end) if right else rows:
                y = first - (g.tops[r] - g.tops[start])
                placed = [self._placed(ops, col, g.first[col][r], y) for col in right]
                rtl = g.rtl.get(r, {})
                placed += [
                    self._placed(ops, col, g.first[col][r], y, right=True)
                    for col, ks in rtl.items()
                    if 0 in ks and col not in right
                ]
                for col, more in g.later.get(r, ()):
                    ks = rtl.get(col, frozenset())
                    for k, line in enumerate(more, start=1):
                        placed.append(
                            self._placed(ops, col, line, y - k * _CELL_LEADING, right=k in ks)
                        )
                placed.append(f"1 0 0 1 {lefts[last]:.2f} {y:.2f} Tm ")
                tails[r - start] = "".join(placed)
            columns.append(tails)
        code.append("".join(chain.from_iterable(zip(*columns, strict=True))))

    def _placed(self, ops: _TextOps, col: int, line: str, y: float, *, right: bool = False) -> str:
        """One line of text placed absolutely, left or right aligned in its column (right
        in a right-aligned column, or for a line of a right-to-left paragraph)."""
        if not line:
            return ""
        if right or col in self.right_align:
            x = sum(self.col_widths[: col + 1]) - _SIDE_PAD
            x -= text_width(line, ops.font.fontName, _CELL_SIZE)
        else:
            x = sum(self.col_widths[:col]) + _SIDE_PAD
        return f"1 0 0 1 {x:.2f} {y:.2f} Tm {ops.show(line)}"


# --------------------------------------------------------------------------- pages

#: Where a renderer writes its PDF besides returning the bytes: a path, a binary file, or
#: nowhere.
Output = str | Path | IO[bytes] | None


def finish_pdf(buf: io.BytesIO, out: Output) -> bytes:
    """The document's bytes, also written to ``out`` when one is given."""
    data = buf.getvalue()
    if out is None:
        return data
    if isinstance(out, (str, Path)):
        Path(out).write_bytes(data)
    else:
        out.write(data)
    return data


_A85_LOCK = threading.Lock()


class FooterCanvas(Canvas):
    """A canvas that knows the page count: "page x of y" and a generated-at line.

    Pages are kept as saved states until ``save()``, then the footer (and, from page 2,
    a running header naming the document) is drawn on each.  Subclass-free use through
    :func:`footer_canvas` which binds the texts.
    """

    footer_left: str = ""
    header_text: str = ""
    #: write PDF/A-2b (XMP metadata, sRGB output intent): see ``pdf.pdfa``
    pdfa: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Draw the furniture on every kept page, then write the file.

        Pages are written without ReportLab's ASCII85 stream filter (25 % bigger, and
        pure Python without the optional C accelerator: seconds on a long recall).  Our
        PDFs go to files and printers, never through 7-bit channels.  ``rl_config.useA85``
        is read while pages are emitted and saved, hence the brief, locked override.
        """
        from reportlab import rl_config

        total = len(self._pages)
        with _A85_LOCK:
            old = rl_config.useA85
            rl_config.useA85 = 0
            try:
                for state in self._pages:
                    self.__dict__.update(state)
                    self._draw_furniture(total)
                    super().showPage()
                    if not self.pdfa:  # PDF/A: ReportLab's own streams, given an EOL below
                        self._doc.Pages.pages[-1].__class__ = _PlainPage
                if self.pdfa:
                    from smallbatch_desktop.pdf.pdfa import eol_before_endstream, make_pdfa

                    make_pdfa(self)
                    with eol_before_endstream():
                        super().save()
                else:
                    super().save()
            finally:
                rl_config.useA85 = old

    def _draw_furniture(self, total: int) -> None:
        """The footer rule, text and page number, and from page 2 the running header,
        written as operators (a long recall has well over a thousand pages)."""
        width, height = self._pagesize
        margin = 15 * mm
        right = width - margin
        ops = _text_ops(self, SANS, 7)
        page = f"Page {self._pageNumber} of {total}"
        rules = f"{margin:.2f} {12 * mm:.2f} m {right:.2f} {12 * mm:.2f} l"
        text = (
            f"1 0 0 1 {margin:.2f} {8.5 * mm:.2f} Tm {ops.show(self.footer_left)} "
            f"1 0 0 1 {right - text_width(page, SANS, 7):.2f} {8.5 * mm:.2f} Tm {ops.show(page)}"
        )
        if self._pageNumber > 1 and self.header_text:
            rules += (
                f" {margin:.2f} {height - 11.5 * mm:.2f} m {right:.2f} {height - 11.5 * mm:.2f} l"
            )
            text += f" 1 0 0 1 {margin:.2f} {height - 10 * mm:.2f} Tm {ops.show(self.header_text)}"
        self._code.append(
            f"q {_rgb(RULE)} RG 0.4 w {rules} S {_rgb(MUTED)} rg BT {ops.select} {text} ET Q"
        )


#: zlib level of page streams: 3 compresses a long recall's 17 MB of page text 40 % faster
#: than ReportLab's 6, into a file 10 % bigger.
_FLATE_LEVEL = 3


class _PageStream(PDFObject):
    """A page's content stream, Flate-compressed and written in one step.

    The bytes are those of ReportLab's ``PDFStream`` with its Flate filter (and no
    ASCII85), without the general dictionary machinery: a long recall has 1,600 pages.
    """

    __RefOnly__ = 1

    def __init__(self, content: str) -> None:
        self.content = content

    def format(self, document: Any) -> bytes:
        data = zlib.compress(self.content.encode("utf8"), _FLATE_LEVEL)
        data = document.encrypt.encode(data)
        return b"<<\n/Filter [ /FlateDecode ] /Length %d\n>>\nstream\n%bendstream\n" % (
            len(data),
            data,
        )


class _PlainPage(PDFPage):
    """A page dictionary written from a template its document made once.

    The pages of our documents differ only in their content stream: the same size,
    fonts and resources, no links, images or forms.  The first page of each kind is
    formatted by ReportLab itself, and its bytes, around its ``/Contents`` reference,
    become the template for the rest, so every page dictionary is exactly what
    ReportLab would have written.  A page with anything else on it (annotations, forms,
    images, colour spaces, transitions, boxes), an uncompressed or ASCII85 page, or an
    encrypted document is formatted by ReportLab in full.
    """

    Contents: Any  # set by ReportLab (None until formatted), typed here for mypy

    def format(self, document: Any) -> bytes:
        from reportlab import rl_config

        key = self._template_key()
        if key is None or rl_config.useA85 or not isinstance(document.encrypt, NoEncryption):
            return super().format(document)
        if self.Contents is None:
            self.Contents = _PageStream(self.stream or " ")
        templates = document.__dict__.setdefault("_sb_page_templates", {})
        template = templates.get(key)
        if template is None:  # objects are numbered as ReportLab numbers them
            whole = super().format(document)
            contents = b"/Contents " + document.Reference(self.Contents).format(document)
            if whole.count(contents) == 1:
                templates[key] = whole.split(contents)
            return whole
        contents = b"/Contents " + document.Reference(self.Contents).format(document)
        return template[0] + contents + template[1]

    def _template_key(self) -> tuple[Any, ...] | None:
        """What the page dictionary depends on, or None when the page is not plain."""
        if (
            not self.compression
            or self.Annots
            or self.XObjects
            or self.ExtGState
            or self._colorsUsed
            or getattr(self, "_shadingUsed", None)
            or (self.Trans is not None and self.Trans.dict)
            or any(
                getattr(self, name, None) is not None
                for name in (
                    "Resources",
                    "MediaBox",
                    "CropBox",
                    "ArtBox",
                    "BleedBox",
                    "TrimBox",
                    "Thumb",
                    "B",
                    "Dur",
                    "Hid",
                    "AA",
                    "PieceInfo",
                    "LastModified",
                    "SeparationInfo",
                    "ID",
                    "PZ",
                )
            )
        ):
            return None
        return (self.pagewidth, self.pageheight, self.Rotate, bool(self.hasImages))


def flow_document(
    buf: Any,
    pagesize: tuple[float, float],
    *,
    margin: float,
    top: float,
    bottom: float,
    invariant: bool,
    **meta: str,
) -> BaseDocTemplate:
    """A one-frame document whose frame has no inner padding, so tables drawn to the
    body width line up exactly with headings (SimpleDocTemplate pads its frame 6 pt)."""
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=top,
        bottomMargin=bottom,
        invariant=1 if invariant else 0,
        creator="Smallbatch Desktop",
        # each page opens with a text state naming this font: ReportLab's default is
        # Helvetica, which is never embedded and makes preflight and PDF/A checks fail
        initialFontName=SANS,
        **meta,
    )
    frame = Frame(
        margin,
        bottom,
        pagesize[0] - 2 * margin,
        pagesize[1] - top - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc


def footer_canvas(
    footer_left: str, header_text: str = "", *, pdfa: bool = False
) -> type[FooterCanvas]:
    """A :class:`FooterCanvas` class with its texts bound (what ``build(canvasmaker=)`` takes)."""
    register_fonts()
    return type(
        "BoundFooterCanvas",
        (FooterCanvas,),
        {"footer_left": clean(footer_left), "header_text": clean(header_text), "pdfa": pdfa},
    )


# --------------------------------------------------------------------------- barcodes


@dataclass(frozen=True)
class ModuleMatrix:
    """An encoded symbol: dark rectangles in module units, origin top-left."""

    cols: int
    rows: int
    rects: tuple[tuple[int, int, int, int], ...]  # x, y (from top), width, height
    linear: bool


_FORMATS = {"code128": ("Code128", True, 10), "qr": ("QRCode", False, 4)}


@lru_cache(maxsize=512)
def module_matrix(symbology: str, content: str) -> ModuleMatrix:
    """Encode ``content`` with zxing-cpp; runs of dark modules merged into rectangles."""
    import zxingcpp

    fmt_name, linear, _quiet = _FORMATS[symbology]
    fmt = getattr(zxingcpp.BarcodeFormat, fmt_name)
    image = zxingcpp.create_barcode(content, fmt).to_image(scale=1, add_quiet_zones=False)
    height, width = int(image.shape[0]), int(image.shape[1])
    data = bytes(memoryview(image))  # type: ignore[arg-type]
    dark = re.compile(rb"[\x00-\x7f]+")
    rects: list[tuple[int, int, int, int]] = []
    if linear:
        rects = [(m.start(), 0, m.end() - m.start(), 1) for m in dark.finditer(data[:width])]
        return ModuleMatrix(width, 1, tuple(rects), True)
    open_runs: dict[tuple[int, int], int] = {}
    for r in range(height):
        row = data[r * width : (r + 1) * width]
        current = {(m.start(), m.end() - m.start()) for m in dark.finditer(row)}
        for key in [k for k in open_runs if k not in current]:
            top = open_runs.pop(key)
            rects.append((key[0], top, key[1], r - top))
        for key in current:
            open_runs.setdefault(key, r)
    rects.extend((k[0], top, k[1], height - top) for k, top in open_runs.items())
    rects.sort(key=lambda t: (t[1], t[0]))
    return ModuleMatrix(width, height, tuple(rects), False)


class SymbolFlowable(Flowable):
    """A Code 128 or QR symbol as vector rectangles, quiet zones included in its size.

    ``module`` is the narrow bar / cell size in points.  Code 128 at 0.33 mm per module
    (the GS1 nominal X-dimension) scans from paper with any workshop scanner; QR at
    0.6 mm per cell from a phone at arm's length.  ``caption`` prints under a linear
    symbol (the human-readable lot code).
    """

    def __init__(
        self,
        symbology: str,
        content: str,
        *,
        module: float,
        bar_height: float = 12 * mm,
        caption: str = "",
        caption_size: float = 8,
        align: str = "LEFT",
    ) -> None:
        super().__init__()
        if symbology not in _FORMATS:
            raise ValueError(f"unknown symbology {symbology!r}")
        self.symbology = symbology
        self.content = content
        self.matrix = module_matrix(symbology, content)
        self.module = module
        self.quiet = _FORMATS[symbology][2]
        self.bar_height = bar_height if self.matrix.linear else self.matrix.rows * module
        self.caption = clean(caption)
        self.caption_size = caption_size
        self.hAlign = align
        self.width = (self.matrix.cols + 2 * self.quiet) * module
        q = 0 if self.matrix.linear else self.quiet * module
        self.height = self.bar_height + 2 * q + (caption_size + 3 if self.caption else 0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        m = self.module
        quiet = self.quiet * m
        text_h = self.caption_size + 3 if self.caption else 0
        y0 = text_h + (0 if self.matrix.linear else quiet)
        c.saveState()
        c.setFillColor(colors.black)
        c.setStrokeColor(colors.black)
        path = c.beginPath()
        rows = self.matrix.rows
        for x, y, w, h in self.matrix.rects:
            if self.matrix.linear:
                path.rect(quiet + x * m, y0, w * m, self.bar_height)
            else:
                path.rect(quiet + x * m, y0 + (rows - y - h) * m, w * m, h * m)
        c.drawPath(path, stroke=0, fill=1)
        if self.caption:
            register_fonts()
            c.setFont(SANS, self.caption_size)
            c.drawCentredString(self.width / 2, 1.5, self.caption)
        c.restoreState()


def symbol_or_text(
    symbology: str, content: str, *, module: float, bar_height: float = 12 * mm, caption: str = ""
) -> Flowable:
    """The symbol, or when the encoder refuses the content (say, a character Code 128
    cannot hold), a short printed note: a sheet must still print for the recall file."""
    try:
        return SymbolFlowable(
            symbology, content, module=module, bar_height=bar_height, caption=caption
        )
    except Exception:  # encoder errors are plain ValueError/RuntimeError from zxing-cpp
        return Para(
            f"{esc(caption or content)} <i>(no barcode: the code holds characters "
            f"{esc(symbology)} cannot encode)</i>",
            styles().small,
        )


def signature_lines(roles: Sequence[str], width: float) -> Any:
    """A row of signature boxes: role above, a separate line to sign on, a hint below."""
    from reportlab.platypus import Table

    st = styles()
    gap = 8 * mm
    n = len(roles)
    w = (width - gap * (n - 1)) / n
    widths: list[float] = []
    top: list[Any] = []
    hint: list[Any] = []
    for i, role in enumerate(roles):
        if i:
            widths.append(gap)
            top.append("")
            hint.append("")
        widths.append(w)
        top.append(Para(esc(role), st.small))
        hint.append(Para("Name, signature, date", st.muted))
    style: list[tuple[Any, ...]] = [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    style += [("LINEBELOW", (c, 1), (c, 1), 0.6, INK) for c in range(0, 2 * n - 1, 2)]
    return Table(
        [top, [""] * len(widths), hint],
        colWidths=widths,
        rowHeights=[None, 13 * mm, None],
        style=style,
    )


def italic_note(text: str) -> str:
    """Markup for an explanatory note in italics (text escaped)."""
    return f'<font name="{SANS_ITALIC}">{esc(text)}</font>'


def cells(row: Sequence[object]) -> list[str]:
    """A row of plain-string cells (no markup): None becomes empty."""
    return ["" if v is None else clean(v) for v in row]
