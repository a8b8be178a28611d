"""Fonts shipped in ``resources/fonts`` and registered once with ReportLab.

DejaVu Sans (regular, bold, oblique) for documents and DejaVu Sans Condensed (regular,
bold) for labels, where width is scarce.  TrueType fonts are embedded (subset) in every
PDF, so output is identical on every machine.

No PDF of ours names a font it does not embed: ReportLab's defaults (the font a page's
text state opens with, a table cell's font) are Helvetica, one of the standard 14 that
are never embedded and that preflight and PDF/A checkers flag even when no glyph of it is
drawn.  :func:`register_fonts` points those defaults at the shipped sans.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from smallbatch_desktop.paths import resource

SANS = "SBSans"
SANS_BOLD = "SBSans-Bold"
SANS_ITALIC = "SBSans-Oblique"
COND = "SBCond"
COND_BOLD = "SBCond-Bold"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    COND: "DejaVuSansCondensed.ttf",
    COND_BOLD: "DejaVuSansCondensed-Bold.ttf",
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
        from reportlab.platypus.tables import CellStyle

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
        # the defaults read when a canvas or a table cell names no font (see above)
        rl_config.canvas_basefontname = SANS
        CellStyle.fontname = SANS
        _done = True


@lru_cache(maxsize=65536)
def missing_glyphs(text: str, font_name: str) -> str:
    """The characters of ``text`` (spaces and line breaks aside) that the registered
    font ``font_name`` has no glyph for: they would print as empty boxes."""
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    return "".join(dict.fromkeys(ch for ch in text if ord(ch) not in cmap and not ch.isspace()))


def glyph_warning(field: str, missing: str) -> str:
    """A warning naming the field and each character that has no glyph."""
    chars = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing)
    return (
        f"{field}: no glyph for {chars} in the shipped fonts; it prints as an empty box "
        "(emoji and some symbols cannot be printed): remove or replace it"
    )
