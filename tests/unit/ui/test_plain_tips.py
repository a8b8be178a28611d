"""Tooltips show user text as typed: a recipe, supplier or lot called ``<b>Cam</b>`` is
shown with its angle brackets, never as a bold "Cam" (Qt takes tooltip text that looks
like HTML as rich text)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent, Qt, QTextDocument  # QtGui's Qt has mightBeRichText
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QToolTip
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.models import Batch, Supplier
from smallbatch_desktop.ui.testing import make_context
from smallbatch_desktop.ui.widgets.tips import plain_tip

CAM = "<b>Cam</b>"


def rendered(tip: str) -> str:
    """What a tooltip shows: rich text as Qt renders it, plain text as it is."""
    if not Qt.mightBeRichText(tip):
        return tip
    doc = QTextDocument()
    doc.setHtml(tip)
    return doc.toPlainText()


def hover(view: QAbstractItemView, row: int, column: int) -> str:
    """Rest the mouse on a cell as a user does; the tooltip Qt then shows."""
    QToolTip.hideText()
    index = view.model().index(row, column)
    view.scrollTo(index)
    pos = view.visualRect(index).center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    return QToolTip.text()


def test_plain_tip_escapes_only_what_qt_would_take_for_html() -> None:
    assert plain_tip("Habanero Hot Sauce (HHS)") == "Habanero Hot Sauce (HHS)"
    assert plain_tip(None) == ""
    tip = plain_tip(f"{CAM} & co\nsecond line")
    assert tip != f"{CAM} & co\nsecond line"
    assert "<b>" not in tip
    assert rendered(tip) == f"{CAM} & co\nsecond line"
    # "&lt;" alone also makes Qt read rich text: it must stay four characters
    assert rendered(plain_tip("a &lt; b")) == "a &lt; b"


def test_recipe_and_lot_names_show_literally_in_tooltips(
    qtbot: Any, session_factory: sessionmaker[Session], workshop: dict[str, int], window: Any
) -> None:
    with session_factory.begin() as s:
        batch = s.get(Batch, workshop["planned_batch"])
        assert batch is not None
        batch.recipe_version.recipe.name = CAM
        recipe_code = batch.recipe_version.recipe.code
        # every supplier's name looks like HTML: whichever lot is offered shows one
        for n, supplier in enumerate(s.scalars(select(Supplier).order_by(Supplier.id))):
            supplier.name = f"{CAM} {n}"

    recipes = window.show_view("recipeView")
    recipes.refresh()
    row = next(
        r for r in range(recipes.proxy.rowCount()) if recipes.proxy.index(r, 0).data() == CAM
    )
    tip = hover(recipes.list, row, 0)
    assert tip, "no tooltip on the recipe name"
    assert rendered(tip) == f"{CAM} ({recipe_code})"

    batches = window.show_view("batchView")
    batches.refresh()
    row = batches.model.find_row(workshop["planned_batch"])
    tip = hover(batches.table, row, 1)
    assert rendered(tip).startswith(f"{CAM} ({recipe_code} v")

    from smallbatch_desktop.ui.dialogs.pick_lots import PickLotsDialog

    dialog = PickLotsDialog(make_context(session_factory), workshop["planned_batch"])
    qtbot.addWidget(dialog)
    offered = [
        (c, i)
        for c in dialog.findChildren(QComboBox)
        if c.objectName().startswith("pickLot")
        for i in range(1, c.count())
        if CAM in c.itemText(i)
    ]
    assert offered, "no supplier's lot is offered"
    combo, i = offered[0]
    lot_code = str(combo.itemData(i))
    item_tip = combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
    assert item_tip != combo.itemText(i)  # escaped, not the raw text
    assert rendered(item_tip) == combo.itemText(i)
    assert rendered(item_tip).startswith(lot_code)
    combo.setCurrentIndex(i)
    assert CAM in combo.currentText()
    assert rendered(combo.toolTip()) == combo.currentText()
