"""The batch list: filtered and sorted in SQL, paged in with ``canFetchMore``/``fetchMore``.

At 100,000 batches the view only ever holds the pages it has scrolled through; a new
filter or sort resets the model and reads one page (``PAGE`` rows) in one short
read-only session.  The count comes with the first page, capped at what the list needs
(``fast_reads.first_page``); when a filter matches more, the exact figure is counted on
a worker thread with its own connection and arrives later (``countChanged``), so a
keystroke never waits for a scan of the whole table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QBrush

from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.services.fast_reads import (
    BatchRow,
    Reader,
    batch_page,
    count_matching_batches,
    first_page,
    session_reader,
)
from smallbatch_desktop.ui.models.table import Role, display_text
from smallbatch_desktop.ui.theme import ALIGN_NUMBER, status_background
from smallbatch_desktop.ui.units import UnitDisplay
from smallbatch_desktop.ui.widgets.tips import plain_tip

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
#: opens a short read: ``with reads() as read: read(sql, params)``; called on a worker
#: thread too (the exact count), where it must give a connection of that thread's own
ReaderFactory = Callable[[], AbstractContextManager[Reader]]


class Pool(Protocol):
    """Where the exact count runs (``QThreadPool``; tests pass ``ui.tasks.SyncPool``)."""

    def start(self, work: Callable[[], None]) -> None: ...


class _CountRelay(QObject):
    """Carries a worker's count to the UI thread (a queued signal)."""

    counted = Signal(int, object)  # generation, count (None when the count failed)


def session_reads(session_factory: sessionmaker[Session]) -> ReaderFactory:
    """Reads through a new Session each time (works on every database)."""

    @contextmanager
    def reads() -> Iterator[Reader]:
        with session_factory() as s:
            yield session_reader(s)

    return reads


#: (header, BatchRow attribute, services.batches.SORT_COLUMNS key or None)
COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("Lot code", "lot_code", "lot_code"),
    ("Product", "product", "product"),
    ("Version", "version", None),
    ("Status", "status", "status"),
    ("Made", "made_date", "made_date"),
    ("Best before", "best_before", "best_before"),
    ("Planned", "planned_quantity", "planned_quantity"),
    ("Actual", "actual_quantity", None),
    ("Unit", "unit", None),
    ("Operator", "operator", "operator"),
)
NUMERIC = {"planned_quantity", "actual_quantity", "version"}
#: the columns a unit system changes (the unit is picked from the planned quantity)
QUANTITY = {"planned_quantity", "actual_quantity", "unit"}


class BatchTableModel(QAbstractTableModel):
    """Pages ``services.fast_reads.batch_page`` into a table (the order of
    ``services.batches.list_batches``).

    Signals:
        filterChanged(): the filter or sort changed and the first page is loaded.
        countChanged(): ``total()`` changed (the exact count arrived from the worker).
    """

    PAGE = 200
    filterChanged = Signal()
    countChanged = Signal()

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        parent: QObject | None = None,
        *,
        reads: ReaderFactory | None = None,
        units: UnitDisplay | None = None,
        count_pool: Pool | None = None,
    ) -> None:
        super().__init__(parent)
        self.units = units if units is not None else UnitDisplay()
        self._reads = reads if reads is not None else session_reads(session_factory)
        self._pool: Pool = count_pool if count_pool is not None else QThreadPool.globalInstance()
        self._relay = _CountRelay(self)
        self._relay.counted.connect(self._counted)
        #: bumped on every reload: a count for an older filter is dropped
        self._generation = 0
        #: a count is running on the worker / the filter to count when it is done
        self._counting = False
        self._count_next: tuple[int, str | None, str] | None = None
        self._exact = True
        self._rows: list[BatchRow] = []
        self._exhausted = False
        self._status: str | None = None
        self._search = ""
        self._sort = "made_date"
        self._descending = True
        self._total = 0
        self._reload()

    # -- filter and sort -------------------------------------------------------------

    @property
    def status_filter(self) -> str | None:
        return self._status

    @property
    def search_text(self) -> str:
        return self._search

    def set_filter(self, *, status: str | None = None, search: str = "") -> None:
        status = status or None
        search = search.strip()
        if status == self._status and search == self._search:
            return
        self._status, self._search = status, search
        self._reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(COLUMNS)):
            return
        key = COLUMNS[column][2]
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._sort and descending == self._descending:
            return
        self._sort, self._descending = key, descending
        self._reload()

    def sortable(self, column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column][2] is not None

    def refresh(self) -> None:
        """Re-read from the database keeping the filter (after a change elsewhere)."""
        self._reload(keep=len(self._rows))

    def total(self) -> int:
        """How many batches match the filter when ``total_is_exact()``; otherwise a bound
        that says "many" (``DENSE_MATCHES``) until the worker's count arrives
        (``countChanged``)."""
        return self._total

    def total_is_exact(self) -> bool:
        return self._exact

    def _fetch(self, offset: int, limit: int) -> list[BatchRow]:
        with self._reads() as read:
            return batch_page(
                read,
                status=self._status,
                search=self._search,
                sort=self._sort,
                descending=self._descending,
                offset=offset,
                limit=limit,
                matches=self._total,
            )

    def _reload(self, keep: int = 0) -> None:
        limit = max(self.PAGE, keep)
        with self._reads() as read:
            page = first_page(
                read,
                status=self._status,
                search=self._search,
                sort=self._sort,
                descending=self._descending,
                limit=limit,
            )
        self._generation += 1
        self._total, self._exact = page.count, page.exact
        self.beginResetModel()
        self._rows = page.rows
        self._exhausted = len(page.rows) < limit
        self.endResetModel()
        self.filterChanged.emit()
        if not page.exact:
            self._count_later((self._generation, self._status, self._search))

    # -- the exact count, off the UI thread --------------------------------------------

    def _count_later(self, job: tuple[int, str | None, str]) -> None:
        if self._counting:  # one count at a time; only the newest filter's is wanted
            self._count_next = job
            return
        self._counting = True
        generation, status, search = job
        reads, relay = self._reads, self._relay

        def work() -> None:  # on a worker thread: no widget, no model state
            try:
                with reads() as read:
                    n: int | None = count_matching_batches(read, status=status, search=search)
            except Exception:
                log.exception("counting the batches that match %r", search)
                n = None
            relay.counted.emit(generation, n)

        self._pool.start(work)

    def _counted(self, generation: int, count: int | None) -> None:
        self._counting = False
        if generation == self._generation and count is not None:
            self._total, self._exact = count, True
            self.countChanged.emit()
        pending, self._count_next = self._count_next, None
        if pending is not None and pending[0] == self._generation:
            self._count_later(pending)

    # -- paging ----------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        more = self._fetch(len(self._rows), self.PAGE)
        if len(more) < self.PAGE:
            self._exhausted = True
        if not more:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    # -- lookups ---------------------------------------------------------------------

    def row_at(self, row: int) -> BatchRow:
        return self._rows[row]

    def find_row(self, batch_id: int) -> int:
        """Row of a loaded batch, or -1 (it may be on a page not read yet)."""
        for i, r in enumerate(self._rows):
            if r.id == batch_id:
                return i
        return -1

    # -- Qt interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][2] is None:
                return "This column does not sort"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(COLUMNS)):
            return None
        row = self._rows[index.row()]
        attr = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.DisplayRole:
            if attr == "status":
                return BatchStatus(row.status).label
            if attr == "version":
                return f"v{row.version}"
            if attr in QUANTITY:  # shown in the chosen unit system, stored as recorded
                unit = self.units.target_unit(row.planned_quantity, row.unit)
                if attr == "unit":
                    return unit
                value = getattr(row, attr)
                return display_text(
                    None if value is None else self.units.convert(value, row.unit, unit)
                )
            return display_text(getattr(row, attr))
        if role == Qt.ItemDataRole.BackgroundRole and attr == "status":
            return QBrush(status_background(row.status))
        if role == Qt.ItemDataRole.TextAlignmentRole and attr in NUMERIC:
            return int(ALIGN_NUMBER.value)
        if role == Qt.ItemDataRole.ToolTipRole and attr in QUANTITY:
            value = row.actual_quantity if attr == "actual_quantity" else row.planned_quantity
            return self.units.recorded(value, row.unit) if value is not None else None
        if role == Qt.ItemDataRole.ToolTipRole and attr == "product":
            return plain_tip(f"{row.product} ({row.recipe_code} v{row.version})")
        if role == Role.Id:
            return row.id
        if role == Role.Row:
            return row
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
