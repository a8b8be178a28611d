"""A read-only table model over a list of frozen dataclasses (small lists in memory).

Columns are declared as data; sorting and searching happen in a
``QSortFilterProxyModel`` on top (``SortRole`` gives the raw value so dates and
decimals sort as values, not as text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from smallbatch_desktop.ui.theme import ALIGN_NUMBER
from smallbatch_desktop.ui.widgets.tips import plain_tip

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


class Role(IntEnum):
    """Custom item data roles shared by the app's models."""

    Id = Qt.ItemDataRole.UserRole + 1
    Row = Qt.ItemDataRole.UserRole + 2
    Sort = Qt.ItemDataRole.UserRole + 3
    Kind = Qt.ItemDataRole.UserRole + 4


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    value: Callable[[R], Any]
    numeric: bool = False
    tip: Callable[[R], str] | None = None


def display_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows are plain objects; ``row_id`` gives ``Role.Id``; ``background`` colours rows."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        row_id: Callable[[R], int] | None = None,
        background: Callable[[R], QColor | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[R] = []
        self._row_id = row_id
        self._background = background

    # -- data in ---------------------------------------------------------------------

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def find_row(self, id_: int) -> int:
        if self._row_id is None:
            return -1
        for i, r in enumerate(self._rows):
            if self._row_id(r) == id_:
                return i
        return -1

    # -- Qt interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(self._columns)):
            return None
        row = self._rows[index.row()]
        col = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(col.value(row))
        if role == Role.Sort:
            v = col.value(row)
            if isinstance(v, Decimal):
                return float(v)  # ordering only; never stored
            if isinstance(v, dt.date):
                return v.isoformat()
            return "" if v is None else v
        if role == Qt.ItemDataRole.TextAlignmentRole and col.numeric:
            return int(ALIGN_NUMBER.value)
        if role == Qt.ItemDataRole.ToolTipRole and col.tip is not None:
            tip = col.tip(row)
            return None if tip is None else plain_tip(tip)
        if role == Qt.ItemDataRole.BackgroundRole and self._background is not None:
            color = self._background(row)
            return QBrush(color) if color is not None else None
        if role == Role.Id and self._row_id is not None:
            return self._row_id(row)
        if role == Role.Row:
            return row
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def sortable_proxy(
    model: QAbstractTableModel, parent: QObject | None = None
) -> QSortFilterProxyModel:
    """A proxy that sorts by ``Role.Sort`` and searches every column, case-insensitive."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(Role.Sort)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    return proxy
