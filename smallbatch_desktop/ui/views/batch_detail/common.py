"""What the batch detail's tabs share: the plain data one load reads, how a tab runs a
user action, and small widget helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QTabWidget, QWidget

from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.ui.models.table import Column

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smallbatch_desktop.services.batches import BatchCost, QcHistoryEntry, QcState
    from smallbatch_desktop.services.ui_queries import BatchDetail, QcItemRow
    from smallbatch_desktop.ui.ops import Change
    from smallbatch_desktop.ui.units import UnitDisplay
    from smallbatch_desktop.ui.widgets.fields import FormErrors


@dataclass(frozen=True)
class BatchSnapshot:
    """Everything the panel shows about one batch, read in one session."""

    detail: BatchDetail
    qc: list[QcState]
    qc_history: list[QcHistoryEntry]
    specs: dict[int, QcItemRow]
    cost: BatchCost
    left: Decimal
    customers: list[tuple[int, str]]
    #: units held for customers' orders: (order number, quantity in the batch's unit)
    allocated: tuple[tuple[str, Decimal], ...] = ()

    @property
    def status(self) -> BatchStatus:
        return BatchStatus(self.detail.status)


class RunAction(Protocol):
    """The panel's way to run one user action: one unit of work; a ``UserError`` is
    shown on ``errors`` (or the panel's status line); on success the panel reloads."""

    def __call__(
        self,
        fn: Callable[[Session], Any],
        errors: FormErrors | None = None,
        changes: Change = ...,
    ) -> bool: ...


def quantity_columns(units: UnitDisplay) -> list[Column[Any]]:
    """The "Quantity" and "Unit" columns in the units shown (metric or US), the recorded value as tip."""
    return [
        Column(
            "Quantity",
            lambda r: units.show(r.quantity, r.unit)[0],
            numeric=True,
            tip=lambda r: units.recorded(r.quantity, r.unit),
        ),
        Column("Unit", lambda r: units.show(r.quantity, r.unit)[1]),
    ]


def table_view(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


def buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class Tabs(QTabWidget):
    """Takes the height left over, and never less than its pages need.

    A word-wrapped label on a page must not make the panel ask for (and scroll to) the
    page's preferred height, nor may its tables' preferred heights: the tabs ask for
    their minimum only (at least ``lines`` lines of text), and the panel's stretch gives
    them the rest.  That minimum counts in the panel's height, so when the summary
    above grows (a long waste reason, orders holding the batch, larger text) the panel
    scrolls instead of squeezing the pages' forms into each other."""

    #: the fewest lines of text (of the current size) the tabs get
    lines = 9

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # the minimum is the page shown (a page with a form needs more than a table)
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def hasHeightForWidth(self) -> bool:
        return False

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()  # as wide as the widest page needs
        page = self.currentWidget()
        need = self.fontMetrics().height() * self.lines
        if page is not None:
            need = max(need, page.minimumSizeHint().height() + self.tabBar().sizeHint().height())
        return QSize(hint.width(), need)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())
