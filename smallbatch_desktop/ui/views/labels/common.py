"""What the label designer's modules share: field names, roles, the undo command."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QToolButton,
)

from smallbatch_desktop.domain.label_layout import (
    Layout,
)

if TYPE_CHECKING:
    from smallbatch_desktop.ui.views.labels.view import LabelView

log = logging.getLogger(__name__)

STANDARD_FIELDS = (
    "product",
    "lot",
    "made:%d %b %Y",
    "best_before:%d %b %Y",
    "best_before:%Y-%m-%d",
    "net_quantity",
    "producer",
    "address",
    "allergens",
    "gtin",
    "n",
    "N",
)
#: label facts the services turn into LabelData fields rather than {fact} fields
_NOT_FACTS = {"product_name", "net_quantity", "use_by", "product_kind"}
SAMPLE = -1
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def _menu_button(name: str, text: str, tip: str) -> QToolButton:
    """A toolbar button that opens a menu of actions."""
    button = QToolButton()
    button.setObjectName(name)
    button.setText(text)
    button.setToolTip(tip)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class LayoutCommand(QUndoCommand):
    """One undoable change: the whole layout before and after, and the selection.

    Consecutive edits with the same ``merge_key`` (typing in one field) merge into one.
    """

    def __init__(
        self,
        view: LabelView,
        before: Layout,
        after: Layout,
        text: str,
        *,
        select_before: Sequence[str] = (),
        select_after: Sequence[str] = (),
        merge_key: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(text)
        self.view = view
        self.before = before
        self.after = after
        self.select_before = tuple(select_before)
        self.select_after = tuple(select_after)
        self.merge_key = merge_key

    def id(self) -> int:
        return 1 if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, LayoutCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self.select_after = other.select_after
        return True

    def redo(self) -> None:
        self.view._apply(self.after, self.select_after)

    def undo(self) -> None:
        self.view._apply(self.before, self.select_before)
