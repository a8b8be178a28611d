"""Overlaps in a label design (above all over a barcode and its quiet zone) and free
space for a new element."""

from __future__ import annotations

import pytest

from smallbatch_desktop.domain.label_layout import (
    BarcodeElement,
    BoxElement,
    Layout,
    LineElement,
    TextElement,
    builtin_layouts,
)
from smallbatch_desktop.domain.label_space import (
    GAP,
    Rect,
    free_spot,
    occupied,
    overlap_warnings,
    overlaps,
    place_new,
)


def _layout(*elements: object) -> Layout:
    return Layout("t", 60.0, 40.0, tuple(elements))  # type: ignore[arg-type]


def test_the_builtin_layouts_have_no_overlaps() -> None:
    for name, layout in builtin_layouts().items():
        assert overlaps(layout) == [], name


def test_text_over_a_barcodes_quiet_zone_is_named_first() -> None:
    # the barcode box is 10..50 mm; its bars sit in the middle, the quiet zones at the
    # ends: a text covering only the box's last 2 mm still covers the quiet zone
    bc = BarcodeElement("lot barcode", 10, 20, 40, 12)
    t1 = TextElement("title", 2, 2, 30, 6)
    t2 = TextElement("subtitle", 20, 5, 30, 6)  # overlaps the title
    t3 = TextElement("price", 48, 25, 10, 5)  # into the barcode's right quiet zone
    got = overlaps(_layout(bc, t1, t2, t3))
    assert [(o.element, o.other, o.barcode) for o in got] == [
        ("price", "lot barcode", True),
        ("subtitle", "title", False),
    ]
    assert overlap_warnings(_layout(bc, t3)) == [
        "price: lies over barcode lot barcode (its bars or quiet zone); the barcode may "
        "not scan: move it clear"
    ]


def test_touching_edges_frames_and_lines() -> None:
    a = TextElement("a", 2, 2, 10, 5)
    b = TextElement("b", 12, 2, 10, 5)  # shares an edge: no overlap
    frame = BoxElement("frame", 0, 0, 60, 40)  # a frame around everything: no overlap
    filled = BoxElement("panel", 5, 3, 3, 2, fill=True)  # a filled box is solid
    assert [(o.element, o.other) for o in overlaps(_layout(a, b, frame))] == []
    assert [(o.element, o.other) for o in overlaps(_layout(a, filled))] == [("panel", "a")]
    # text under the frame's own outline is an overlap
    edge = TextElement("edge", 0, 10, 10, 5)
    assert [(o.element, o.other) for o in overlaps(_layout(frame, edge))] == [("edge", "frame")]
    # a frame whose outline crosses a barcode box, and a rule through one, are named
    bc = BarcodeElement("bc", 20, 10, 30, 15)
    crossing = BoxElement("frame2", 10, 5, 20, 30)  # its right edge at x = 30
    rule = LineElement("rule", 0, 20, 60, 0)
    got = {(o.element, o.other, o.barcode) for o in overlaps(_layout(bc, crossing, rule))}
    assert got == {("frame2", "bc", True), ("rule", "bc", True), ("rule", "frame2", False)}
    assert occupied(rule)[0].h == pytest.approx(0.3)


def test_free_spot_is_clear_of_everything_with_a_gap() -> None:
    layout = _layout(TextElement("a", 1, 1, 58, 8), BarcodeElement("bc", 1, 10, 30, 20))
    x, y = free_spot(layout, 20, 10)  # type: ignore[misc]
    spot = Rect(x, y, 20, 10)
    assert (x, y) == (31 + GAP, 9 + GAP)  # right of the barcode, under the title
    for e in layout.elements:
        assert not spot.inflated(GAP - 0.06).intersects(Rect(e.x, e.y, e.w, e.h))
    assert spot.right <= 60 - GAP and spot.bottom <= 40 - GAP
    assert free_spot(layout, 59, 10) is None  # nothing that wide is free
    # place_new shrinks the element to fit the space left, down to its minimum
    x, y, w, h = place_new(layout, 40, 10, min_w=10, min_h=4)  # type: ignore[misc]
    assert w < 40 and not any(
        Rect(x, y, w, h).intersects(Rect(e.x, e.y, e.w, e.h)) for e in layout.elements
    )
    full = _layout(TextElement("all", 0, 0, 60, 40))
    assert place_new(full, 20, 5, min_w=5, min_h=2) is None
