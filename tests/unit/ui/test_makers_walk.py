"""What a maker's day in a real window still showed: headings that kept their size when
Larger text was switched on, recipe names and the orders' products cut with Larger text
at 1280 x 800, and the customer's own text taken for HTML in the order's heading."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QWidget
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.models import RecipeVersion
from smallbatch_desktop.services import orders as ords
from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.testing import child
from smallbatch_desktop.ui.theme import LARGE_POINT_SIZE

#: cell padding Fusion draws around the text (both sides)
PAD = 6


@pytest.fixture
def demo(session_factory: sessionmaker[Session]) -> None:
    """The demo workshop: long recipe names, orders of several lines, personalised ones."""
    from smallbatch_desktop.services.demo import load_demo

    with session_factory.begin() as s:
        load_demo(s)


def _larger(qtbot: Any, window: Any) -> None:
    """View > Larger text, as the maker clicks it (applies at once)."""
    window.actions_[ActionId.LARGER_TEXT].trigger()
    qtbot.waitUntil(lambda: window.centralWidget().font().pointSize() == LARGE_POINT_SIZE)


def _column(view: QTableView, title: str) -> int:
    model = view.model()
    return next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == title
    )


def _whole(view: QTableView, col: int, text: str) -> bool:
    return view.fontMetrics().horizontalAdvance(text) + PAD <= view.columnWidth(col)


def _in_view(view: QTableView, title: str) -> bool:
    col = _column(view, title)
    header = view.horizontalHeader()
    left = header.sectionViewportPosition(col)
    return (
        not view.isColumnHidden(col)
        and left >= 0
        and left + header.sectionSize(col) <= view.viewport().width()
    )


# -- headings follow Larger text -------------------------------------------------------


def test_the_lot_code_and_customer_headings_follow_larger_text_at_once(
    qtbot: Any, app_style: None, window: Any, workshop: dict[str, int], normal_font: None
) -> None:
    batches = window.show_view("batchView")
    batches.select_batch(workshop["hs_batch"])
    lot = child(batches.detail, QLabel, "detailLotCode")
    normal = lot.font().pointSizeF()
    assert normal > batches.detail.font().pointSizeF()  # a heading, above the text
    customers = window.show_view("customerView")
    heading = child(customers, QLabel, "customerHeading")
    normal_heading = heading.font().pointSizeF()

    _larger(qtbot, window)
    qtbot.waitUntil(lambda: lot.font().pointSizeF() > normal)
    assert lot.font().pointSizeF() > batches.detail.font().pointSizeF()
    assert heading.font().pointSizeF() > normal_heading and heading.font().bold()
    # the whole lot code still shows in its heading
    window.show_view("batchView")
    qtbot.waitUntil(lambda: lot.width() >= lot.fontMetrics().horizontalAdvance(lot.text()))

    window.actions_[ActionId.LARGER_TEXT].trigger()  # and back
    qtbot.waitUntil(lambda: lot.font().pointSizeF() == normal)
    assert heading.font().pointSizeF() == normal_heading


# -- recipe names whole with Larger text at 1280 x 800 ----------------------------------


def test_recipe_names_are_whole_with_larger_text_at_1280x800(
    qtbot: Any, app_style: None, demo: None, window: Any, normal_font: None
) -> None:
    window.resize(1280, 800)
    recipes = window.show_view("recipeView")
    recipes.refresh()
    names = [r.name for r in recipes.model.rows()]
    assert "Roasted Ethiopia Yirgacheffe" in names  # the longest in the demo
    code_col = _column(recipes.list, "Code")
    qtbot.waitUntil(lambda: all(_whole(recipes.list, 0, n) for n in names))
    assert not recipes.list.isColumnHidden(code_col)  # at normal text the code shows too
    quantity = recipes.lines.columnWidth(1)

    _larger(qtbot, window)
    qtbot.waitUntil(lambda: all(_whole(recipes.list, 0, n) for n in names))
    # the code stepped aside for the names; each name's tooltip and the heading say it
    assert recipes.list.isColumnHidden(code_col)
    proxy = recipes.list.model()
    tips = {
        str(proxy.data(proxy.index(r, 0), Qt.ItemDataRole.ToolTipRole))
        for r in range(proxy.rowCount())
    }
    assert "Roasted Ethiopia Yirgacheffe (RETH)" in tips
    assert _in_view(recipes.list, "Latest")
    # the editor keeps the larger share and its line columns follow the text size
    list_width, editor_width = recipes.splitter.sizes()
    assert editor_width > list_width
    qtbot.waitUntil(lambda: recipes.lines.columnWidth(1) > quantity)

    window.actions_[ActionId.LARGER_TEXT].trigger()  # back to normal: the code returns
    qtbot.waitUntil(lambda: not recipes.list.isColumnHidden(code_col))
    qtbot.waitUntil(lambda: recipes.lines.columnWidth(1) == quantity)


# -- the orders list with Larger text at 1280 x 800 ------------------------------------


def test_orders_show_products_and_personalised_with_larger_text_at_1280x800(
    qtbot: Any, app_style: None, demo: None, window: Any, normal_font: None
) -> None:
    window.resize(1280, 800)
    view = window.show_view("orderView")
    view.refresh()
    table = view.table
    model = view.model
    every = ("Order", "Customer", "Channel", "Status", "Ordered", "Promised")
    wanted = ("Order", "Customer", "Status", "Promised", "Personalised", "Products")
    # at normal text every column is in view (the line count gives way first: the
    # products say "+ 1 more")
    qtbot.waitUntil(lambda: all(_in_view(table, t) for t in every + wanted[4:]))

    _larger(qtbot, window)
    qtbot.waitUntil(lambda: all(_in_view(table, t) for t in wanted))

    def whole(title: str) -> bool:
        col = _column(table, title)
        texts = [str(model.data(model.index(r, col))) for r in range(model.rowCount())]
        return all(_whole(table, col, t) for t in texts)

    qtbot.waitUntil(lambda: all(whole(t) for t in ("Order", "Customer", "Promised")))

    # the line count, order date and channel stepped aside (the order below names them)
    assert table.isColumnHidden(_column(table, "Lines"))
    assert table.isColumnHidden(_column(table, "Ordered"))
    products = _column(table, "Products")
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert any(r.personalised for r in rows) and any(r.lines > 1 for r in rows)
    for r, row in enumerate(rows):
        shown = str(model.data(model.index(r, products)))
        tip = str(model.data(model.index(r, products), Qt.ItemDataRole.ToolTipRole))
        assert tip.startswith(row.products)  # whole in its tooltip
        if row.lines == 1:
            assert shown == row.products and _whole(table, products, shown), shown
        else:
            assert shown == f"{row.products} + {row.lines - 1} more"
            assert f"and {row.lines - 1} more line" in tip
        if row.personalised:
            assert "Personalised" in tip
    window.actions_[ActionId.LARGER_TEXT].trigger()  # back: they come back
    qtbot.waitUntil(lambda: all(_in_view(table, t) for t in every))


# -- the customer's text in the order's heading ------------------------------------------


def _shown(label: QLabel) -> str:
    from PySide6.QtGui import Qt as GuiQt
    from PySide6.QtGui import QTextDocument

    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    if label.textFormat() == Qt.TextFormat.RichText or GuiQt.mightBeRichText(label.text()):
        doc = QTextDocument()
        doc.setHtml(label.text())
        return doc.toPlainText()
    return label.text()


def _labels_quoting(widget: QWidget, marker: str) -> list[QLabel]:
    return [
        lb
        for lb in widget.findChildren(QLabel)
        if lb.isVisible() and marker in lb.text() and lb.text() != marker
    ]


def test_names_and_notes_that_look_like_html_show_as_typed_on_orders(
    qtbot: Any, session_factory: sessionmaker[Session], workshop: dict[str, int], window: Any
) -> None:
    cam = "<b>Cam</b> & <i>co</i>"
    with session_factory.begin() as s:
        version = s.get(RecipeVersion, workshop["hs_v2"])
        assert version is not None
        rsvc.update_recipe(s, version.recipe_id, name=f"{cam} sauce")
        order = ords.create_order(
            s,
            customer=cam,
            create_customer=True,
            notes=f"Deliver to {cam}",
            source="<u>shop</u>",
            lines=[ords.OrderLineInput("HS", "2")],
        )
        ords.allocate_line(s, order.lines[0].id)
        order_id = order.id
    view = window.show_view("orderView")
    view.refresh()
    assert view.select_order(order_id)
    header = child(view, QLabel, "orderHeader")
    text = _shown(header)
    assert f" · {cam} · " in text and f"Deliver to {cam}" in text and "<u>shop</u>" in text
    assert text.startswith(order.number)  # our own emphasis still works

    dialog = view.ship_line()
    assert dialog is not None
    summary = child(dialog, QLabel, "shipSummary")
    assert f"{cam} sauce for {cam};" in _shown(summary)
    # every label of the dialog and the view that quotes the name shows it as typed
    for widget in (dialog, view):
        for label in _labels_quoting(widget, "Cam"):
            assert cam in _shown(label), label.objectName()
    dialog.reject()
    QApplication.processEvents()


# -- the QC results in the batch detail's narrow panel ------------------------------------


def test_qc_checks_and_results_stay_whole_and_in_view_in_the_panel_at_1280x800(
    qtbot: Any, app_style: None, demo: None, window: Any, normal_font: None
) -> None:
    window.resize(1280, 800)
    batches = window.show_view("batchView")
    batches.refresh()
    rows = [batches.model.row_at(r) for r in range(batches.model.rowCount())]
    batches.select_batch(next(r.id for r in rows if r.status == "qc_hold"))
    panel = batches.detail
    panel.tabs.setCurrentIndex(1)
    table = panel.qc_tab.table
    assert table.rowCount() >= 4  # pH, fill weight, cap torque, tasting notes

    def readable() -> bool:
        header = table.horizontalHeader()
        right = header.sectionViewportPosition(3) + header.sectionSize(3)
        value_left = header.sectionViewportPosition(2)
        results = [table.item(r, 3).text() for r in range(table.rowCount())]
        return (
            value_left >= 0
            and right <= table.viewport().width()
            and all(_whole(table, 3, text) for text in [*results, "missing"])
            and table.columnWidth(0) >= table.fontMetrics().averageCharWidth() * 5
            # every check's row in view, not squeezed to one line (the panel scrolls)
            and all(
                table.rowViewportPosition(r) >= 0
                and table.rowViewportPosition(r) + table.rowHeight(r) <= table.viewport().height()
                for r in range(table.rowCount())
            )
        )

    qtbot.waitUntil(readable)
    # a check name cut to make room is whole in its tooltip
    names = {table.item(r, 0).toolTip() or table.item(r, 0).text() for r in range(2)}
    assert "pH" in " ".join(names)
    _larger(qtbot, window)
    qtbot.waitUntil(lambda: table.font().pointSize() == LARGE_POINT_SIZE)
    qtbot.waitUntil(readable)
