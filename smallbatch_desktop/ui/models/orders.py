"""The order list: filtered, sorted and paged in SQL (``services.orders.list_orders``).

Rows come in pages of ``PAGE`` through ``canFetchMore``/``fetchMore``, so a workshop
with years of web-shop orders opens the list at once; a click on a header sorts in SQL
and starts again from the first page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.status import OrderStatus
from smallbatch_desktop.services.orders import CHANNEL_LABELS, OrderRow, count_orders, list_orders
from smallbatch_desktop.ui.models.table import Role, display_text
from smallbatch_desktop.ui.theme import ALIGN_NUMBER, warning_background
from smallbatch_desktop.ui.widgets.tips import plain_tip

Index = QModelIndex | QPersistentModelIndex
PAGE = 100

#: (title, sort key in ``ORDER_SORT_COLUMNS`` or "", value)
COLUMNS: tuple[tuple[str, str, Callable[[OrderRow], Any]], ...] = (
    ("Order", "number", lambda r: r.number),
    ("Customer", "customer", lambda r: r.customer),
    ("Channel", "channel", lambda r: CHANNEL_LABELS.get(r.channel, r.channel)),
    ("Status", "status", lambda r: OrderStatus(r.status).label),
    ("Ordered", "ordered_date", lambda r: r.ordered_date),
    ("Promised", "promised_date", lambda r: r.promised_date),
    ("Lines", "", lambda r: r.lines),
    ("Personalised", "", lambda r: "yes" if r.personalised else ""),
    ("Products", "", lambda r: r.products + (f" + {r.lines - 1} more" if r.lines > 1 else "")),
)

#: a column's number by its title
ORDER_COLUMN = {title: i for i, (title, _key, _value) in enumerate(COLUMNS)}


class OrderListModel(QAbstractTableModel):
    """Orders page by page. ``set_filter`` and ``sort`` start again from the top."""

    def __init__(self, session_factory: Callable[[], Session], parent: QObject | None = None):
        super().__init__(parent)
        self._sf = session_factory
        self._rows: list[OrderRow] = []
        self._total = 0
        self._status: str | None = None
        self._active_only = True
        self._search = ""
        self._sort = "ordered_date"
        self._descending = True
        #: a view attached to the model asks for more while rows are being inserted
        self._fetching = False

    # -- loading ---------------------------------------------------------------------

    def set_filter(self, *, status: str | None, active_only: bool, search: str) -> None:
        self._status, self._active_only, self._search = status, active_only, search
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        with self._sf() as s:
            self._total = count_orders(
                s, status=self._status, search=self._search, active_only=self._active_only
            )
            self._rows = self._page(s, 0)
        self.endResetModel()

    def _page(self, s: Session, offset: int) -> list[OrderRow]:
        return list_orders(
            s,
            status=self._status,
            search=self._search,
            active_only=self._active_only,
            sort=self._sort,
            descending=self._descending,
            offset=offset,
            limit=PAGE,
        )

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._fetching:
            return
        self._fetching = True
        try:
            with self._sf() as s:
                more = self._page(s, len(self._rows))
            if not more:
                self._total = len(self._rows)
                return
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()
        finally:
            self._fetching = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else ""
        if not key:
            return
        self._sort = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def find_row(self, order_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == order_id:
                return i
        return -1

    def row_at(self, row: int) -> OrderRow:
        return self._rows[row]

    # -- Qt interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(COLUMNS)):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(COLUMNS[index.column()][2](row))
        if role == Role.Id:
            return row.id
        if role == Role.Row:
            return row
        if role == Qt.ItemDataRole.BackgroundRole and row.personalised:
            return QBrush(warning_background())
        if role == Qt.ItemDataRole.ToolTipRole:
            more = f" and {row.lines - 1} more line{'s' if row.lines > 2 else ''}"
            tip = row.products + (more if row.lines > 1 else "")
            if row.personalised:
                tip += "\nPersonalised: print one label per unit with its own text"
            return plain_tip(tip)
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()][0] == "Lines":
            return int(ALIGN_NUMBER.value)  # a count, right-aligned as every number
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
