"""Right-to-left text (Hebrew, Arabic) for ReportLab: shaped and in visual order.

ReportLab draws characters left to right as stored.  Its own right-to-left support
needs ``rlbidi``, which is not on PyPI, and its HarfBuzz shaping does not reorder; so
we do the two steps ourselves before drawing, with libraries chosen for correctness:

1. **Shaping** (:func:`shape`): Arabic letters take their joining forms (initial,
   medial, final, isolated) and lam-alef its ligature, by ``arabic-reshaper``, which maps
   them to the Arabic Presentation Forms the shipped DejaVu fonts carry.  Diacritics
   (harakat) are kept, not deleted.  Widths are measured on the shaped text.
2. **Order** (:func:`visual_runs`): each drawn line is reordered from logical to visual
   order by the Unicode Bidirectional Algorithm (``python-bidi``), with mirrored
   brackets; a line keeps its runs' styling (an allergen in bold stays bold).  Lines
   are broken first, in logical order, then each is reordered, as UAX #9 asks.

Text without a right-to-left character passes through untouched (and cheaply).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

#: Hebrew, Arabic, Syriac, Thaana, N'Ko... and the presentation forms
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


@lru_cache(maxsize=1)
def _reshaper() -> object:
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "support_ligatures": True}
    )


@lru_cache(maxsize=65536)
def shape(text: str) -> str:
    """Arabic letters in their contextual (joined) forms; other text unchanged."""
    if _ARABIC.search(text) is None:
        return text
    return str(_reshaper().reshape(text))  # type: ignore[attr-defined]


def paragraph_level(text: str) -> int:
    """The paragraph embedding level by UAX #9 rules P2-P3: 1 (right to left) when the
    first strong character is Hebrew or Arabic, else 0.  Set once per paragraph: every
    line of a wrapped paragraph is reordered at this level, so a line that happens to
    start with a Latin word or a number keeps the paragraph's direction."""
    if not has_rtl(text):
        return 0
    from bidi import algorithm as uba

    return int(uba.get_base_level(text))


def visual_runs(runs: Sequence[tuple[str, T]], level: int | None = None) -> list[tuple[str, T]]:
    """One line's runs (text, style) in logical order -> in visual (drawing) order.

    ``level`` is the paragraph's embedding level (:func:`paragraph_level` of the whole
    paragraph the line was broken from); by default the line's own.  A line with
    right-to-left text loses what UAX #9 rule X9 removes: explicit embeddings and
    overrides and boundary neutrals (invisible format and control characters; the
    services refuse control characters)."""
    text = "".join(t for t, _ in runs)
    if not has_rtl(text):
        return list(runs)
    try:
        return _reorder(text, runs, level)
    except (AssertionError, KeyError, IndexError):
        # the pure-Python steps trip over some unassigned code points: the whole line
        # then goes through python-bidi's Rust implementation, in the first run's style
        from bidi import get_display

        base_dir = None if level is None else ("L", "R")[level]
        return [(get_display(text, base_dir=base_dir), runs[0][1])]


def _reorder(text: str, runs: Sequence[tuple[str, T]], level: int | None) -> list[tuple[str, T]]:
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    base = uba.get_base_level(text) if level is None else level
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uba.get_embedding_levels(text, storage, False, False)
    styles = [style for t, style in runs for _ in t]
    for ch, style in zip(storage["chars"], styles, strict=True):
        ch["style"] = style
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    uba.apply_mirroring(storage, False)
    out: list[tuple[str, T]] = []
    for ch in storage["chars"]:
        if out and out[-1][1] == ch["style"]:
            out[-1] = (out[-1][0] + ch["ch"], ch["style"])
        else:
            out.append((ch["ch"], ch["style"]))
    return out


@lru_cache(maxsize=65536)
def visual(text: str) -> str:
    """A one-line string shaped and in visual order (for a table cell, a heading)."""
    if not has_rtl(text):
        return text
    return "".join(t for t, _ in visual_runs([(shape(text), None)]))
