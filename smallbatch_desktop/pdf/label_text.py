"""Text in a box: measure, wrap, shrink to fit down to a legal minimum, or refuse.

The EU minimum for mandatory particulars is an x-height (the height of a lower-case
"x"), not a point size, and how many points give 1.2 mm depends on the typeface.  So we
read the real x-height from the TrueType file (the ``x`` glyph's top in the ``glyf``
table: DejaVu's OS/2 table is version 1 and has no ``sxHeight``) and convert the
minimum x-height into a minimum font size for each font.

Text never gets cut: :func:`fit_text` shrinks the size (wrapping where allowed) until the
text fits the box, and past the minimum raises a ``ValidationError`` naming the element.
Results are cached, because a run of 1,000 labels of one batch sets the same text 1,000
times.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import chain

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.pdf import fonts
from smallbatch_desktop.pdf.bidi_text import paragraph_level, shape, visual_runs

PT_PER_MM = 72.0 / 25.4
#: line pitch as a multiple of the font size; DejaVu's ascent + descent is 1.164 em
LEADING = 1.16

FAMILIES: dict[str, tuple[str, str]] = {
    "sans": (fonts.SANS, fonts.SANS_BOLD),
    "condensed": (fonts.COND, fonts.COND_BOLD),
}
_FILES = {
    fonts.SANS: "DejaVuSans.ttf",
    fonts.SANS_BOLD: "DejaVuSans-Bold.ttf",
    fonts.COND: "DejaVuSansCondensed.ttf",
    fonts.COND_BOLD: "DejaVuSansCondensed-Bold.ttf",
}


class TextOverflowError(ValidationError):
    """Text that does not fit its box even at the minimum x-height."""


@cache
def x_height_ratio(font_name: str) -> float:
    """The font's x-height as a fraction of its em, read from the TTF ``x`` glyph."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    from smallbatch_desktop.paths import resource

    path = resource("fonts", _FILES[font_name])
    ttf = TTFontFile(str(path))
    glyph = ttf.charToGlyph[ord("x")]
    glyf_pos = ttf.get_table_pos("glyf")[0]
    offset = glyf_pos + ttf.glyphPos[glyph]
    data = path.read_bytes()
    _contours, _xmin, _ymin, _xmax, ymax = struct.unpack(">hhhhh", data[offset : offset + 10])
    return ymax / ttf.unitsPerEm


@cache
def vertical_metrics(font_name: str) -> tuple[float, float]:
    """(ascent, descent) as positive fractions of the em, from the TTF ``hhea`` table.

    These are the font's real extremes (accented capitals, descenders), larger than the
    normalised values ReportLab reports, so text placed with them never leaves its box.
    """
    from reportlab.pdfbase.ttfonts import TTFontFile

    from smallbatch_desktop.paths import resource

    path = resource("fonts", _FILES[font_name])
    ttf = TTFontFile(str(path))
    pos = ttf.get_table_pos("hhea")[0]
    ascender, descender = struct.unpack(">hh", path.read_bytes()[pos + 4 : pos + 8])
    return ascender / ttf.unitsPerEm, -descender / ttf.unitsPerEm


def min_font_size(family: str, min_x_height_mm: float) -> float:
    """The smallest size (pt) whose x-height is ``min_x_height_mm`` in every weight."""
    ratio = min(x_height_ratio(f) for f in FAMILIES[family])
    return min_x_height_mm * PT_PER_MM / ratio


@lru_cache(maxsize=65536)
def _width1(text: str, font_name: str) -> float:
    """Width at 1 pt; TrueType widths scale linearly with the size."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font_name, 1.0)


#: a run of text and whether it is bold; inside the fitting, a run the fonts of the
#: family lack is drawn in the symbols fallback font (style ``SYMBOLS``)
Run = tuple[str, bool]
SYMBOLS = "symbols"
Style = bool | str
Piece = tuple[str, Style]


def _font(fam: tuple[str, str], style: Style) -> str:
    if style == SYMBOLS:
        return fonts.SYMBOLS
    return fam[1] if style else fam[0]


def _with_fallback(runs: tuple[Run, ...], fam: tuple[str, str]) -> tuple[Piece, ...]:
    """Split runs where a character needs the symbols fallback font."""
    out: list[Piece] = []
    for text, bold in runs:
        font = fam[1] if bold else fam[0]
        if text.isascii():
            out.append((text, bold))
            continue
        for ch in text:
            style: Style = SYMBOLS if fonts.needs_fallback(ch, font) else bold
            if out and out[-1][1] == style:
                out[-1] = (out[-1][0] + ch, style)
            else:
                out.append((ch, style))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Line:
    segments: tuple[Piece, ...]  # consecutive runs of one weight (or font)
    width1: float  # width at 1 pt
    #: the embedding level of the paragraph the line was broken from (UAX #9 P2-P3):
    #: 1 when it starts with Hebrew or Arabic; every line of it is reordered at that level
    level: int = 0


@dataclass(frozen=True, slots=True)
class FittedText:
    size: float
    lines: tuple[Line, ...]
    family: str
    leading: float  # pt

    @property
    def regular(self) -> str:
        return FAMILIES[self.family][0]

    @property
    def bold(self) -> str:
        return FAMILIES[self.family][1]

    def font(self, style: Style) -> str:
        return _font(FAMILIES[self.family], style)


def _words(runs: tuple[Piece, ...]) -> list[list[Piece] | None]:
    """Words as lists of runs (a word may change weight: "**Milk**,"), ``None`` = break."""
    words: list[list[Piece] | None] = []
    current: list[Piece] = []
    for text, bold in runs:
        for piece in re.split(r"(\s+)", text):
            if not piece:
                continue
            if piece.isspace():
                if current:
                    if len(piece) > 1 and "\n" not in piece:
                        # the layout's own spacing ("Lot {lot}   BB {date}") is kept: the
                        # spaces beyond the one between words stay with the word before
                        last, style = current[-1]
                        current[-1] = (last + " " * (len(piece) - 1), style)
                    words.append(current)
                    current = []
                words.extend([None] * piece.count("\n"))
            else:
                current.append((piece, bold))
    if current:
        words.append(current)
    return words


def _layout_lines(
    words: list[list[Piece] | None], fam: tuple[str, str], max_w1: float | None
) -> list[list[list[Piece]]]:
    """Greedy line breaking at 1 pt scale; ``max_w1`` None means no wrapping."""
    space = _width1(" ", fam[0])
    lines: list[list[list[Piece]]] = [[]]
    width = 0.0
    for word in words:
        if word is None:
            lines.append([])
            width = 0.0
            continue
        ww = sum(_width1(t, _font(fam, b)) for t, b in word)
        if lines[-1] and max_w1 is not None and width + space + ww > max_w1:
            lines.append([word])
            width = ww
        else:
            width += (space if lines[-1] else 0.0) + ww
            lines[-1].append(word)
    return lines


def _line(words: list[list[Piece]], fam: tuple[str, str]) -> Line:
    segs: list[list[object]] = []
    for i, word in enumerate(words):
        for j, (text, bold) in enumerate(word):
            prefix = " " if (i > 0 and j == 0) else ""
            if segs and segs[-1][1] == bold:
                segs[-1][0] = str(segs[-1][0]) + prefix + text
            elif prefix and segs:
                segs[-1][0] = str(segs[-1][0]) + prefix
                segs.append([text, bold])
            else:
                segs.append([prefix + text, bold])
    segments = tuple((str(t), b if b == SYMBOLS else bool(b)) for t, b in segs)
    width = sum(_width1(t, _font(fam, b)) for t, b in segments)
    return Line(segments, width)


def _with_levels(words: list[list[Piece] | None], lines: tuple[Line, ...]) -> tuple[Line, ...]:
    """``lines`` with the embedding level of the paragraph each was broken from.

    ``_layout_lines`` starts a new line at each paragraph break (``None`` in ``words``)
    and a wrapped paragraph continues on consecutive lines: so the lines of paragraph
    ``k`` are those whose first word comes after the ``k``-th break."""
    levels: list[int] = []
    para_of_word: list[int] = []
    text: list[str] = []
    for word in [*words, None]:
        if word is None:
            levels.append(paragraph_level(" ".join(text)))
            text = []
        else:
            text.append("".join(t for t, _ in word))
            para_of_word.append(len(levels))
    if not any(levels):
        return lines
    out: list[Line] = []
    k = 0  # words placed so far
    para = 0
    for ln in lines:
        n = sum(1 for _ in re.finditer(r"\S+", "".join(t for t, _ in ln.segments)))
        if n:
            para = para_of_word[k]
            k += n
        out.append(replace(ln, level=levels[para]))
    return tuple(out)


def _fits(
    words: list[list[Piece] | None],
    fam: tuple[str, str],
    size: float,
    w: float,
    h: float,
    wrap: bool,
) -> tuple[Line, ...] | None:
    asc, desc = vertical_metrics(fam[0])
    raw = _layout_lines(words, fam, (w / size) if wrap else None)
    lines = tuple(_line(ln, fam) for ln in raw)
    if any(not t.isascii() for t, _ in chain.from_iterable(ln.segments for ln in lines)):
        lines = _with_levels(words, lines)
    if any(ln.width1 * size > w + 1e-6 for ln in lines):
        return None
    needed = (asc + desc) * size + (len(lines) - 1) * LEADING * size
    if needed > h + 1e-6:
        return None
    return lines


@lru_cache(maxsize=8192)
def fit_text(
    runs: tuple[Run, ...],
    w_mm: float,
    h_mm: float,
    max_size: float,
    min_x_height: float,
    family: str,
    wrap: bool,
    name: str,
) -> FittedText:
    """The largest size <= ``max_size`` at which ``runs`` fit the box, with its lines.

    Raises ``TextOverflowError`` naming ``name`` when even the minimum size (from
    ``min_x_height``) does not fit.
    """
    fonts.register_fonts()
    fam = FAMILIES[family]
    w, h = w_mm * PT_PER_MM, h_mm * PT_PER_MM
    # Arabic takes its joined forms before anything is measured (see ``bidi_text``)
    words = _words(_with_fallback(tuple((shape(t), b) for t, b in runs), fam))
    min_size = min_font_size(family, min_x_height)
    if max_size < min_size:
        max_size = min_size  # a layout asking for less than legal gets the legal minimum
    lines = _fits(words, fam, max_size, w, h, wrap)
    if lines is not None:
        return FittedText(max_size, lines, family, LEADING * max_size)
    best = _fits(words, fam, min_size, w, h, wrap)
    if best is None:
        what = "text" if wrap else "one line of text"
        raise TextOverflowError(
            f"{name}: {what} does not fit in {w_mm:.4g} x {h_mm:.4g} mm at the minimum "
            f"x-height {min_x_height:g} mm; shorten it or make the box bigger",
            field=name,
        )
    lo, hi = min_size, max_size
    while hi - lo > 0.1:
        mid = (lo + hi) / 2
        found = _fits(words, fam, mid, w, h, wrap)
        if found is None:
            hi = mid
        else:
            lo, best = mid, found
    return FittedText(lo, best, family, LEADING * lo)


def missing_glyphs(fitted: FittedText) -> str:
    """The characters of ``fitted`` that its fonts have no glyph for (they would print
    as empty boxes), in order of appearance."""
    missing: dict[str, None] = {}
    for line in fitted.lines:
        for text, style in line.segments:
            for ch in fonts.missing_glyphs(text, fitted.font(style)):
                missing.setdefault(ch)
    return "".join(missing)


def draw_fitted(
    canvas: object,
    fitted: FittedText,
    x: float,
    top: float,
    w: float,
    h: float,
    align: str = "left",
    valign: str = "top",
) -> None:
    """Draw fitted text in the box whose top-left is (x, top) in pt (y up)."""
    asc, desc = vertical_metrics(fitted.regular)
    size = fitted.size
    block = (asc + desc) * size + (len(fitted.lines) - 1) * fitted.leading
    if valign == "middle":
        y0 = top - (h - block) / 2
    elif valign == "bottom":
        y0 = top - (h - block)
    else:
        y0 = top
    baseline = y0 - asc * size
    t = canvas.beginText()  # type: ignore[attr-defined]
    current = ""
    for line in fitted.lines:
        lw = line.width1 * size
        if align == "center":
            lx = x + (w - lw) / 2
        elif align == "right" or line.level:
            # "left" is the start of the line: a right-to-left paragraph starts at the right
            lx = x + w - lw
        else:
            lx = x
        t.setTextOrigin(lx, baseline)
        # lines are broken in logical order, then drawn in visual order (UAX #9)
        for text, style in visual_runs(line.segments, line.level):
            font = fitted.font(style)
            if font != current:
                t.setFont(font, size, fitted.leading)
                current = font
            t.textOut(text)
        baseline -= fitted.leading
    canvas.drawText(t)  # type: ignore[attr-defined]
