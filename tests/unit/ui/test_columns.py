"""Lists size their columns to their content (lot codes, products and dates whole), use
the window's width, remember the widths the user drags, and follow Larger text at once."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.ui.actions import ActionId

#: cell padding Fusion draws around the text (both sides)
PAD = 6


def _fits(view: QTableView, col: int) -> list[str]:
    """The values of ``col`` that do not fit in its width."""
    model = view.model()
    fm = view.fontMetrics()
    width = view.columnWidth(col)
    out = []
    for r in range(model.rowCount()):
        text = str(model.data(model.index(r, col)) or "")
        if fm.horizontalAdvance(text) + PAD > width:
            out.append(text)
    return out


@pytest.fixture
def long_lot(session_factory: sessionmaker[Session], workshop: dict[str, int]) -> str:
    """A batch with a long product name and lot code, as a maker's own pattern may give."""
    from smallbatch_desktop.services.common import set_setting

    with session_factory.begin() as s:
        set_setting(s, "lot_code_pattern", "{PRODUCT}-{YYYY}{MM}{DD}-WA{SEQ:4}")
        b = bsvc.plan_batch(s, recipe_version_id=workshop["hs_v2"], planned_quantity="12")
        return b.lot_code


def test_lot_codes_products_and_dates_are_whole_at_1280x800(
    qtbot: Any, long_lot: str, window: Any
) -> None:
    window.resize(1280, 800)
    batches = window.show_view("batchView")
    qtbot.waitUntil(lambda: batches.table.columnWidth(0) > 0)
    assert any(
        batches.model.row_at(r).lot_code == long_lot for r in range(batches.model.rowCount())
    )
    for col in batches.WHOLE_COLUMNS:
        if col != 1:  # the product gives way only when the detail would get too little room
            assert _fits(batches.table, col) == [], batches.model.headerData(
                col, Qt.Orientation.Horizontal
            )
    assert _fits(batches.table, 1) == []  # at 1280 x 800 normal text the product fits too

    inventory = window.show_view("inventoryView")
    lots = inventory.lots
    qtbot.waitUntil(lambda: lots.viewport().width() > 0)
    for col in (0, 1, 3, 4, 5):
        assert _fits(lots, col) == []
    # the list uses the window: no empty band on the right of the last column
    used = sum(lots.columnWidth(c) for c in range(lots.model().columnCount()))
    assert used >= lots.viewport().width() - 2


def test_widths_are_remembered_and_larger_text_resizes_at_once(
    qtbot: Any, window: Any, workshop: dict[str, int], normal_font: None
) -> None:
    from smallbatch_desktop.ui.views.inventory import InventoryView

    lots = window.show_view("inventoryView").lots
    supplier = 2
    lots.horizontalHeader().resizeSection(supplier, 333)  # the user drags the edge

    again = InventoryView(window.ctx)  # as after a restart: same settings
    qtbot.addWidget(again)
    again.resize(1100, 700)
    again.show()
    lots2 = again.lots
    assert lots2.columnWidth(supplier) == 333
    normal_lot = lots2.columnWidth(0)

    nav = window.nav.width()
    window.actions_[ActionId.LARGER_TEXT].trigger()
    qtbot.waitUntil(lambda: lots2.columnWidth(0) > normal_lot)
    qtbot.waitUntil(lambda: window.nav.width() > nav)  # the view list follows too
    assert _fits(lots2, 0) == []
    assert lots2.columnWidth(supplier) == 333  # the user's width stays
    window.actions_[ActionId.LARGER_TEXT].trigger()
    qtbot.waitUntil(lambda: lots2.columnWidth(0) == normal_lot)
