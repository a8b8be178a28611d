"""What the batch detail's tabs share: the plain data one load reads, how a tab runs a
user action, and small widget helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

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
    """Takes the height left over: a word-wrapped label on a page must not make the
    panel ask for (and scroll to) the page's preferred height."""

    def hasHeightForWidth(self) -> bool:
        return False
