"""Fonts shipped in ``resources/fonts`` and registered once with ReportLab.

DejaVu Sans (regular, bold, oblique) for documents and DejaVu Sans Condensed (regular,
bold) for labels, where width is scarce; they cover Latin, Greek, Cyrillic, Hebrew and
Arabic (with its presentation forms).  Noto Sans Symbols 2 is the fallback for symbols
and pictographs DejaVu lacks (the label text and document paragraphs switch to it per
character); what neither has is reported by :func:`missing_glyphs`.  TrueType fonts are embedded (subset) in every
PDF, so output is identical on every machine.

No PDF of ours names a font it does not embed: ReportLab's defaults (the font a page's
text state opens with, a table cell's font) are Helvetica, one of the standard 14 that
are never embedded and that preflight and PDF/A checkers flag even when no glyph of it is
drawn.  :func:`register_fonts` points those defaults at the shipped sans.
"""

from __future__ import annotations

import sys
import threading
from functools import cache, lru_cache

from smallbatch_desktop.paths import resource

SANS = "SBSans"
SANS_BOLD = "SBSans-Bold"
SANS_ITALIC = "SBSans-Oblique"
COND = "SBCond"
COND_BOLD = "SBCond-Bold"
#: the fallback for symbols and pictographs DejaVu lacks (Noto Sans Symbols 2, OFL)
SYMBOLS = "SBSymbols"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    COND: "DejaVuSansCondensed.ttf",
    COND_BOLD: "DejaVuSansCondensed-Bold.ttf",
    SYMBOLS: "NotoSansSymbols2-Regular.ttf",
}

_lock = threading.Lock()
_done = False


def register_fonts() -> None:
    """Register the shipped fonts and their families (idempotent, thread-safe)."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        from reportlab import rl_config
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource("fonts", filename))))
        for family, regular, bold, italic in (
            (SANS, SANS, SANS_BOLD, SANS_ITALIC),
            (COND, COND, COND_BOLD, COND),
        ):
            addMapping(family, 0, 0, regular)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 1, italic)
            addMapping(family, 1, 1, bold)
        # the defaults read when a canvas or a table cell names no font (see above); the
        # table cell's is set where platypus is imported (``table_cells_default``): a
        # label run never loads platypus
        rl_config.canvas_basefontname = SANS
        if "reportlab.platypus.tables" in sys.modules:
            table_cells_default()
        _fix_to_unicode()
        _done = True


def table_cells_default() -> None:
    """Point platypus table cells that name no font at the shipped sans (ReportLab's
    default, Helvetica, is never embedded).  ``pdf.common`` calls it as it imports
    platypus; ``register_fonts`` calls it when platypus is loaded already."""
    from reportlab.platypus.tables import CellStyle

    CellStyle.fontname = SANS


def _fix_to_unicode() -> None:
    """Text extraction of characters beyond U+FFFF (the symbols font's pictographs).

    ReportLab's ToUnicode CMap writes each code point as ``<%04X>``: U+1F336 becomes
    five hex digits, which readers take as U+1F33 and a stray digit.  A CMap maps to
    UTF-16BE, so such a code point is written as its surrogate pair instead."""
    from reportlab.pdfbase import ttfonts

    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "_sb_fixed", False):
        return

    def to_unicode(fontname: str, subset: list[int]) -> str:
        text = str(original(fontname, subset))
        for i, v in enumerate(subset):
            if v > 0xFFFF:
                w = v - 0x10000
                pair = f"{0xD800 + (w >> 10):04X}{0xDC00 + (w & 0x3FF):04X}"
                text = text.replace(f"<{i:02X}> <{v:04X}>", f"<{i:02X}> <{pair}>")
        return text

    to_unicode._sb_fixed = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode


@cache
def _cmap(font_name: str) -> dict[int, int]:
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    return dict(pdfmetrics.getFont(font_name).face.charToGlyph)


def has_glyph(ch: str, font_name: str) -> bool:
    return ord(ch) in _cmap(font_name)


def needs_fallback(ch: str, font_name: str) -> bool:
    """True when ``font_name`` lacks ``ch`` and the symbols fallback font has it."""
    return ord(ch) not in _cmap(font_name) and ord(ch) in _cmap(SYMBOLS)


@lru_cache(maxsize=65536)
def missing_glyphs(text: str, font_name: str) -> str:
    """The characters of ``text`` (spaces and line breaks aside) that neither the font
    ``font_name`` nor the symbols fallback has a glyph for: they print as empty boxes."""
    main, fallback = _cmap(font_name), _cmap(SYMBOLS)
    return "".join(
        dict.fromkeys(
            ch
            for ch in text
            if ord(ch) not in main and ord(ch) not in fallback and not ch.isspace()
        )
    )


def glyph_warning(field: str, missing: str) -> str:
    """A warning naming the field and each character that has no glyph."""
    chars = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)
    return (
        f"{field}: no glyph for {chars} in the shipped fonts; it prints as an empty box "
        "(emoji and some symbols cannot be printed): remove or replace it"
    )
