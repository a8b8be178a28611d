"""The Batches view: a paged, SQL-filtered batch list with a debounced search and a
status filter, and the selected batch's detail beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.batches import BatchTableModel
from smallbatch_desktop.ui.models.table import Role
from smallbatch_desktop.ui.ops import Change, watch
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.splitter import fit_splitter

if TYPE_CHECKING:
    from smallbatch_desktop.ui.views.batch_detail import BatchDetailPanel

SEARCH_DEBOUNCE_MS = 200


class BatchView(QWidget):
    """Signals:
    currentBatchChanged(object): the selected batch id, or None.
    traceRequested(str): trace this lot code.
    """

    currentBatchChanged = Signal(object)
    traceRequested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchView")
        self._ctx = ctx
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("batchSearch")
        self.search.setPlaceholderText("Search lot code or product…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search batches")
        self.status = QComboBox()
        self.status.setObjectName("batchStatusFilter")
        self.status.setAccessibleName("Status filter")
        self.status.addItem("All statuses", None)
        for st in BatchStatus:
            self.status.addItem(st.label, st.value)
        self.count_label = QLabel()
        self.count_label.setObjectName("batchCount")
        new = QToolButton()
        new.setDefaultAction(ctx.actions[ActionId.NEW_BATCH])
        new.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        new.setObjectName("newBatchButton")
        label = QLabel("&Status")
        label.setBuddy(self.status)
        bar.addWidget(self.search, 2)
        bar.addWidget(label)
        bar.addWidget(self.status)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(new)
        layout.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("batchSplitter")
        self.model = BatchTableModel(
            ctx.session_factory, self, reads=ctx.batch_reads, units=ctx.units
        )
        self.model.countChanged.connect(self._update_count)
        self.table = QTableView()
        self.table.setObjectName("batchTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.DescendingOrder)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("Batches")
        # the detail panel (and the services it imports) is built after the first paint,
        # or when first needed; until then an empty widget holds its place
        self._detail: BatchDetailPanel | None = None
        self._detail_slot = QWidget()
        self._detail_slot.setObjectName("batchDetailSlot")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._detail_slot)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self._columns = fit_columns(self.table, ctx.settings, "batches", whole=self.WHOLE_COLUMNS)
        self._product_width = self.table.columnWidth(1)
        self._splitter_fit = fit_splitter(self.splitter, self._fit_list, before=self._size_columns)
        # new rows or a new font size the columns to their content again: the product
        # gives way again if the key columns no longer fit beside the detail
        self._columns.fitted.connect(self._columns_fitted)
        self._size_columns()
        layout.addWidget(self.splitter, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._after_reset)
        self._update_count()
        watch(
            self,
            ctx,
            Change.BATCHES | Change.SHIPMENTS | Change.RECIPES | Change.SETTINGS,
            lambda _event: self.refresh(),
        )

    @property
    def detail(self) -> BatchDetailPanel:
        """The selected batch's panel, built on first use."""
        if self._detail is None:
            from smallbatch_desktop.ui.views.batch_detail import BatchDetailPanel

            panel = BatchDetailPanel(self._ctx)
            panel.batchChanged.connect(self._batch_changed)
            panel.traceRequested.connect(self.traceRequested)
            sizes = self.splitter.sizes()
            self.splitter.replaceWidget(1, panel)
            self._detail_slot.deleteLater()
            self.splitter.setSizes(sizes)
            self._detail = panel
        return self._detail

    def has_detail(self) -> bool:
        return self._detail is not None

    #: the columns that must be visible without scrolling at 1280 px wide, even with
    #: larger text: lot code, product, version, status, made and best before
    KEY_COLUMNS = 6
    #: lot code, product, made and best before are never cut by content sizing
    WHOLE_COLUMNS = (0, 1, 4, 5)
    #: the detail beside the list never gets less than this many average characters
    DETAIL_MIN_CHARS = 36
    #: ... unless the key columns need it (long lot codes): never less than this
    DETAIL_FLOOR_CHARS = 28
    #: ... and keeps this share of the room before the list shows more than its key columns
    DETAIL_SHARE = 0.36
    #: the product column gives way down to this many characters (full name in its tooltip)
    PRODUCT_MIN_CHARS = 10
    #: the version column steps aside when even that is too wide (larger text at 1280
    #: px): the product's tooltip and the detail's heading name the version
    VERSION_COLUMN = 2

    def _size_columns(self) -> None:
        """Each column as wide as its header and its longest value (from the font, so
        the larger-text setting re-sizes them); the user's own widths are kept."""
        self._columns.fit()  # fitted: the product's own width is noted (_columns_fitted)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)

    def _columns_fitted(self) -> None:
        self._product_width = self.table.columnWidth(1)
        if self.isVisible():
            self._splitter_fit.apply()

    def list_width(self, columns: int | None = None) -> int:
        """Width that shows the first ``columns`` (the key columns) without scrolling."""
        n = self.KEY_COLUMNS if columns is None else columns
        cols = sum(self.table.columnWidth(c) for c in range(n) if not self.table.isColumnHidden(c))
        frame = self.table.frameWidth() * 2
        scroll = self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return cols + frame + scroll + 4

    def detail_min_width(self) -> int:
        return self.fontMetrics().averageCharWidth() * self.DETAIL_MIN_CHARS

    def _fit_list(self, total: int) -> int:
        """The list's share of the splitter: the key columns whole (the product gives
        way first when the detail would get less than its minimum), then more whole
        columns while the detail keeps its share; never a sliver of a column."""
        handle = self.splitter.handleWidth()
        detail_min = self.detail_min_width()
        room = total - handle - detail_min
        self._columns.set_hidden(self.VERSION_COLUMN, False)
        self._columns.set_width(1, self._product_width)
        floor = self.table.fontMetrics().averageCharWidth() * self.PRODUCT_MIN_CHARS
        if self.list_width() - (self._product_width - floor) > room:
            self._columns.set_hidden(self.VERSION_COLUMN, True)
        over = self.list_width() - room
        if over > 0:
            self._columns.set_width(1, max(floor, self._product_width - over))
        # a maker's long lot codes: the detail gives a little more before a key column
        # is cut, down to DETAIL_FLOOR_CHARS
        floor_room = (
            total - handle - self.fontMetrics().averageCharWidth() * self.DETAIL_FLOOR_CHARS
        )
        room = max(room, min(self.list_width(), floor_room))
        left = min(self.list_width(), room)
        share = max(detail_min, int(total * self.DETAIL_SHARE))
        for col in range(self.KEY_COLUMNS, self.model.columnCount()):
            width = self.table.columnWidth(col)
            if total - handle - (left + width) < share:
                break
            left += width
        return left

    # -- filter ----------------------------------------------------------------------

    def apply_filter(self) -> None:
        self._timer.stop()
        self.model.set_filter(status=self.status.currentData(), search=self.search.text())
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.total()
        if self.model.total_is_exact():
            self.count_label.setText(f"{n:,} batch{'es' if n != 1 else ''}")
        else:  # many match: the exact figure is counted off the UI thread (countChanged)
            self.count_label.setText("Counting batches…")

    def refresh(self) -> None:
        keep = self.current_batch_id()
        self.model.refresh()
        self._update_count()
        if keep is not None:
            self.select_batch(keep)

    # -- selection -------------------------------------------------------------------

    def current_batch_id(self) -> int | None:
        idx = self.table.currentIndex()
        if idx.isValid() and self.table.selectionModel().isRowSelected(idx.row()):
            return int(self.model.data(idx, Role.Id))
        return self._detail.batch_id if self._detail is not None else None

    def select_batch(self, batch_id: int) -> None:
        """Select a batch; when it is not on a loaded page, show it in the detail anyway."""
        row = self.model.find_row(batch_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.table.clearSelection()
            self.detail.show_batch(batch_id)
            self.currentBatchChanged.emit(batch_id)

    def open_lot(self, lot_code: str, batch_id: int) -> None:
        """A scan found a batch: filter to its code so it is in the list, select it."""
        self.status.setCurrentIndex(0)
        self.search.setText(lot_code)
        self.apply_filter()
        self.select_batch(batch_id)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        bid = int(self.model.data(rows[0], Role.Id))
        if bid != self.detail.batch_id:
            self.detail.show_batch(bid)
        self.currentBatchChanged.emit(bid)

    def _after_reset(self) -> None:
        if self._detail is not None and self.detail.batch_id is not None:
            row = self.model.find_row(self.detail.batch_id)
            if row >= 0:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)

    def _batch_changed(self, batch_id: int) -> None:
        # the list itself reloaded from the change bus; keep the batch selected
        self.select_batch(batch_id)

    # -- state -----------------------------------------------------------------------

    def save_state(self) -> None:
        s = self._ctx.settings
        s.setValue("batches/splitter", self.splitter.saveState())
        s.setValue("batches/header", self.table.horizontalHeader().saveState())

    def restore_state(self) -> None:
        s = self._ctx.settings
        splitter = s.value("batches/splitter")
        if splitter is not None and self.splitter.restoreState(splitter):
            self._splitter_fit.restored()
        header = s.value("batches/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
            # hidden only while the room is short (see _fit_list), never remembered so
            self._columns.set_hidden(self.VERSION_COLUMN, False)
