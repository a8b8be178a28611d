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
from smallbatch_desktop.ui.theme import LARGE_POINT_SIZE
from smallbatch_desktop.ui.views.inventory import LOT_WHOLE

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


def _title(view: QTableView, col: int) -> str:
    return str(view.model().headerData(col, Qt.Orientation.Horizontal))


def _column(view: QTableView, title: str) -> int:
    return next(c for c in range(view.model().columnCount()) if _title(view, c) == title)


def _in_view(view: QTableView, *titles: str) -> None:
    """Each column lies whole inside the list's viewport: not off to the right, not
    under the vertical scrollbar (the viewport ends where the scrollbar begins)."""
    header = view.horizontalHeader()
    for title in titles:
        col = _column(view, title)
        assert not view.isColumnHidden(col), title
        left = header.sectionViewportPosition(col)
        right = left + header.sectionSize(col)
        assert left >= 0 and right <= view.viewport().width(), (title, left, right)


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
    for col in LOT_WHOLE:
        assert _fits(lots, col) == [], _title(lots, col)
    # the list uses the window: no empty band on the right of the last column
    used = sum(lots.columnWidth(c) for c in range(lots.model().columnCount()))
    assert used >= lots.viewport().width() - 2


def test_widths_are_remembered_and_larger_text_resizes_at_once(
    qtbot: Any, window: Any, workshop: dict[str, int], normal_font: None
) -> None:
    from smallbatch_desktop.ui.views.inventory import InventoryView

    lots = window.show_view("inventoryView").lots
    supplier = _column(lots, "Supplier")
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


@pytest.fixture
def many_batches(session_factory: sessionmaker[Session], workshop: dict[str, int]) -> None:
    """Enough batches that the list scrolls: the vertical scrollbar takes its width."""
    with session_factory.begin() as s:
        for _ in range(30):
            bsvc.plan_batch(s, recipe_version_id=workshop["hs_v2"], planned_quantity="6")


def test_larger_text_at_1280x800_keeps_lot_codes_and_best_before_in_view(
    qtbot: Any,
    app_style: None,
    long_lot: str,
    many_batches: None,
    window: Any,
    normal_font: None,
) -> None:
    window.resize(1280, 800)
    window.actions_[ActionId.LARGER_TEXT].trigger()  # View > Larger text, applied at once
    batches = window.show_view("batchView")
    batches.refresh()
    table = batches.table
    model = batches.model
    qtbot.waitUntil(lambda: table.font().pointSize() == LARGE_POINT_SIZE)
    fm = table.fontMetrics()
    codes = [model.row_at(r).lot_code for r in range(model.rowCount())]
    longest = max(codes, key=fm.horizontalAdvance)
    assert len(longest) == len(long_lot)  # the maker's long pattern
    row = codes.index(longest)

    def laid_out() -> None:
        # the list already showing follows the new size at once (no restart)
        assert table.font().pointSize() == LARGE_POINT_SIZE
        assert table.verticalScrollBar().isVisible()  # the list scrolls: 47 batches
        _in_view(table, "Lot code", "Best before")
        table.scrollTo(model.index(row, 0))
        cell = table.visualRect(model.index(row, 0))
        assert table.viewport().rect().contains(cell)
        assert fm.horizontalAdvance(longest) + PAD <= cell.width()
        assert _fits(table, _column(table, "Best before")) == []
        assert _fits(table, _column(table, "Made")) == []

    qtbot.waitUntil(laid_out)
    # the list has the larger share; the detail keeps a usable width
    list_width, detail_width = batches.splitter.sizes()
    floor = batches.fontMetrics().averageCharWidth() * batches.DETAIL_FLOOR_CHARS
    assert list_width > detail_width >= floor
    assert window.width() <= 1280
    # new rows size the columns to their content again: still nothing cut
    batches.refresh()
    qtbot.wait(50)
    laid_out()

    inventory = window.show_view("inventoryView")
    inventory.tabs.setCurrentIndex(inventory.tabs.indexOf(inventory.lots.parentWidget()))
    lots = inventory.lots
    qtbot.waitUntil(lambda: _in_view(lots, "Lot", "Material", "Expiry", "On hand", "Unit"))
    assert _fits(lots, 0) == [] and _fits(lots, _column(lots, "Expiry")) == []

    from smallbatch_desktop.services import orders as ords

    with window.ctx.session_factory.begin() as s:
        order = ords.create_order(
            s,
            customer="Corner Deli",
            create_customer=True,
            lines=[ords.OrderLineInput("HS", "3", personal_text="Happy 40th birthday, Dad! " * 3)],
        ).id
    orders_view = window.show_view("orderView")
    orders_view.refresh()
    assert orders_view.lines.font().pointSize() == LARGE_POINT_SIZE
    assert orders_view.select_order(order)
    orders = orders_view.table
    qtbot.waitUntil(lambda: _in_view(orders, "Order", "Customer", "Status", "Promised"))
    # an order's lines: the lots come before the long personal texts
    qtbot.waitUntil(lambda: _in_view(orders_view.lines, "Product", "To ship", "Lots"))


def test_back_to_normal_text_the_list_is_as_before(
    qtbot: Any, app_style: None, window: Any, workshop: dict[str, int], normal_font: None
) -> None:
    window.resize(1280, 800)
    batches = window.show_view("batchView")
    table = batches.table
    qtbot.waitUntil(lambda: batches.splitter.sizes()[0] > 0)
    qtbot.wait(50)
    before = ([table.columnWidth(c) for c in range(6)], batches.splitter.sizes())
    assert not table.isColumnHidden(2)
    window.actions_[ActionId.LARGER_TEXT].trigger()
    qtbot.waitUntil(lambda: table.columnWidth(0) > before[0][0])  # larger at once
    window.actions_[ActionId.LARGER_TEXT].trigger()
    qtbot.waitUntil(
        lambda: ([table.columnWidth(c) for c in range(6)], batches.splitter.sizes()) == before
    )
    assert not table.isColumnHidden(2)
    # coming back is not a width the user chose: nothing was remembered
    assert window.ctx.settings.value("columns/batches", "") in ("", "{}")


def test_the_recipe_heading_follows_larger_text_at_once(
    qtbot: Any, app_style: None, window: Any, workshop: dict[str, int], normal_font: None
) -> None:
    recipes = window.show_view("recipeView")
    title = recipes.title
    normal = title.font().pointSizeF()
    assert normal > recipes.font().pointSizeF()  # a size above the view's text
    window.actions_[ActionId.LARGER_TEXT].trigger()
    qtbot.waitUntil(lambda: recipes.font().pointSize() == LARGE_POINT_SIZE)
    assert title.font().pointSizeF() > normal
    assert title.font().pointSizeF() > recipes.font().pointSizeF()


def test_trace_trees_show_lot_codes_quantities_and_dates_whole(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: sessionmaker[Session]
) -> None:
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QTreeView

    from smallbatch_desktop.domain.models import Batch

    with session_factory() as s:
        batch = s.get(Batch, workshop["hs_batch"])
        assert batch is not None
        lot = batch.lot_code
    window.resize(1280, 800)
    view = window.show_view("traceView")
    view.trace(lot)
    qtbot.waitUntil(lambda: view.backward_model.rowCount() > 0, timeout=10000)
    qtbot.wait(20)  # the fitter's pass after the rows arrive

    def cut(tree: QTreeView, col: int) -> list[str]:
        model, fm, out = tree.model(), tree.fontMetrics(), []

        def walk(parent: QModelIndex) -> None:
            for r in range(model.rowCount(parent)):
                idx = model.index(r, col, parent)
                text = str(model.data(idx) or "")
                if text and fm.horizontalAdvance(text) + PAD > tree.visualRect(idx).width():
                    out.append(text)
                walk(model.index(r, 0, parent))

        walk(QModelIndex())
        return out

    rows = 0
    for tree in (view.backward, view.forward):
        rows += tree.model().rowCount()
        for col in (0, 2, 5):  # lot, quantity, date: whole at every depth
            assert cut(tree, col) == [], (tree.objectName(), col)
    assert rows >= 2
    # the origin / document column takes the room left: nothing empty on the right
    for tree in (view.backward, view.forward):
        total = sum(tree.columnWidth(c) for c in range(tree.model().columnCount()))
        assert total >= tree.viewport().width() - 2, tree.objectName()
