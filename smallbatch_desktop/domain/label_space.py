"""Where the elements of a label design sit relative to one another: which overlap (and
above all, which cover a barcode, whose element box holds its quiet zone), and where a
new element finds free space.

A barcode needs its bars and its quiet zone (10 modules each side of a linear symbol,
4 around a QR code, 1 around a Data Matrix) clear of anything else: the renderer sizes
the symbol so that both fit inside the element's box, so anything that touches the box
may stop the barcode scanning.  An unfilled box is a frame: only its outline occupies
space, so a frame around other elements is no overlap; a line occupies its stroke.

All measures in mm, origin top-left, as in ``label_layout``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from smallbatch_desktop.domain.label_layout import (
    BarcodeElement,
    BoxElement,
    Element,
    Layout,
    LineElement,
)

#: shared edges and rounding are not overlaps
EPS = 0.05
#: how far a new element keeps from the label's edge and from other elements
GAP = 1.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersects(self, o: Rect, eps: float = EPS) -> bool:
        return (
            self.x < o.right - eps
            and o.x < self.right - eps
            and self.y < o.bottom - eps
            and o.y < self.bottom - eps
        )

    def inflated(self, d: float) -> Rect:
        return Rect(self.x - d, self.y - d, self.w + 2 * d, self.h + 2 * d)


@dataclass(frozen=True)
class Overlap:
    """``element`` overlaps ``other``; ``barcode`` when ``other`` is a barcode (or both)."""

    element: str
    other: str
    barcode: bool

    @property
    def message(self) -> str:
        if self.barcode:
            return (
                f"{self.element}: lies over barcode {self.other} (its bars or quiet zone); "
                "the barcode may not scan: move it clear"
            )
        return f"{self.element}: overlaps {self.other}; one hides part of the other"


def occupied(e: Element) -> list[Rect]:
    """The areas an element covers: an unfilled box only its outline, a line its stroke."""
    if isinstance(e, LineElement):
        half = max(e.stroke, 0.1) / 2
        x0, x1 = sorted((e.x, e.x + e.w))
        y0, y1 = sorted((e.y, e.y + e.h))
        if x0 != x1 and y0 != y1:  # a slanted line: its bounding box, generously
            return [Rect(x0, y0, x1 - x0, y1 - y0)]
        return [Rect(x0 - half, y0 - half, x1 - x0 + 2 * half, y1 - y0 + 2 * half)]
    if isinstance(e, BoxElement) and not e.fill:
        s = max(e.stroke, 0.1)
        return [
            Rect(e.x, e.y, e.w, s),
            Rect(e.x, e.y + e.h - s, e.w, s),
            Rect(e.x, e.y, s, e.h),
            Rect(e.x + e.w - s, e.y, s, e.h),
        ]
    return [Rect(e.x, e.y, e.w, e.h)]


def _touch(a: Iterable[Rect], b: Iterable[Rect]) -> bool:
    bs = list(b)
    return any(r.intersects(o) for r in a for o in bs)


def overlaps(layout: Layout) -> list[Overlap]:
    """Every pair of elements that overlap, barcodes first. For a barcode the whole
    element box counts (it holds the quiet zone), whatever covers it."""
    found: list[Overlap] = []
    elements = list(layout.elements)
    areas = [occupied(e) for e in elements]
    for i, a in enumerate(elements):
        for j in range(i + 1, len(elements)):
            b = elements[j]
            a_bar, b_bar = isinstance(a, BarcodeElement), isinstance(b, BarcodeElement)
            left = [Rect(a.x, a.y, a.w, a.h)] if a_bar else areas[i]
            right = [Rect(b.x, b.y, b.w, b.h)] if b_bar else areas[j]
            if not _touch(left, right):
                continue
            if b_bar and not a_bar:
                found.append(Overlap(a.name, b.name, True))
            elif a_bar:
                found.append(Overlap(b.name, a.name, True))
            else:
                found.append(Overlap(b.name, a.name, False))  # the later one is on top
    found.sort(key=lambda o: not o.barcode)
    return found


def overlap_warnings(layout: Layout) -> list[str]:
    return [o.message for o in overlaps(layout)]


def free_spot(
    layout: Layout, w: float, h: float, *, gap: float = GAP
) -> tuple[float, float] | None:
    """The top-most, then left-most place for a ``w`` x ``h`` box that touches no
    element (kept ``gap`` clear of them and of the label's edge); None when none fits.

    Candidate corners are the label's margin and the right and bottom edges of what is
    there (plus the gap): the first free place is always at one of them."""
    W, H = layout.width, layout.height
    taken = [r.inflated(gap - EPS) for e in layout.elements for r in occupied(e)]
    xs = sorted({gap, *(r.right + EPS for r in taken)})
    ys = sorted({gap, *(r.bottom + EPS for r in taken)})
    for y in ys:
        if y + h > H - gap + 1e-9:
            break
        for x in xs:
            if x + w > W - gap + 1e-9:
                break
            spot = Rect(x, y, w, h)
            if not any(spot.intersects(r, 0.0) for r in taken):
                return round(x, 2), round(y, 2)
    return None


def place_new(
    layout: Layout, w: float, h: float, *, min_w: float | None = None, min_h: float | None = None
) -> tuple[float, float, float, float] | None:
    """Free space for a new element of preferred size ``w`` x ``h``: that size if it
    fits somewhere, else smaller (down to ``min_w`` x ``min_h``, by steps of a tenth);
    None when nothing fits (the caller centres it and the overlap warning tells)."""
    lo_w = w if min_w is None else min(min_w, w)
    lo_h = h if min_h is None else min(min_h, h)
    for step in range(11):
        f = 1 - step / 10
        tw, th = max(lo_w, w * f), max(lo_h, h * f)
        spot = free_spot(layout, tw, th)
        if spot is not None:
            return spot[0], spot[1], round(tw, 2), round(th, 2)
        if tw == lo_w and th == lo_h:
            break
    return None
