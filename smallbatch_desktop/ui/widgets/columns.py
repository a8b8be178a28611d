"""Column widths for the app's lists: sized to their content, remembered, and using the
window's width.

``fit_columns(view, settings, key, ...)`` attaches a ``ColumnFitter`` to a table or tree:

- each column is as wide as its header and its longest value (lot codes, products and
  dates are never cut); long free text (notes, addresses) is capped at ``max_chars``
  and shows in full in the tooltip;
- ``stretch`` names the column that takes the room left over (a description), so a
  wide window is not left empty on the right; without it the last column stretches;
- a width the user drags is remembered in QSettings (per list and column title) and
  wins over the content width from then on; double-clicking the header's edge or
  ``reset()`` forgets it;
- a change of font (Settings -> Larger text) re-sizes every column at once;
- ``give_way`` names columns (least needed first) that step aside while the others
  would not fit the view's width whole (larger text on a small screen), and come back
  when there is room; then the last column gives what is still short.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView, QTreeView

#: free-text columns never grow past this many average characters
MAX_CHARS = 42
#: a column's content width is read from at most this many rows, the ones on screen
#: first (Qt's default is 1,000: at start-up, sizing the batch list's first page of 200
#: rows took 33,000 calls into the model and 0.1 s of CPU before the window's first
#: paint, for rows nobody sees before scrolling; new rows are fitted as they arrive)
ROWS_SIZED = 50


class ColumnFitter(QObject):
    """Sizes ``view``'s columns; see the module docstring.

    Signals:
        fitted(): every column was sized to its content again (new rows, a sort, a
            new font); a view that narrows a column to fit its window does it again.
    """

    fitted = Signal()

    def __init__(
        self,
        view: QTableView | QTreeView,
        settings: QSettings | None,
        key: str,
        *,
        whole: Iterable[int] = (),
        stretch: int | None = None,
        max_chars: int = MAX_CHARS,
        give_way: Iterable[int] = (),
    ) -> None:
        super().__init__(view)
        self.view = view
        self._settings = settings
        self._key = f"columns/{key}"
        self._whole = set(whole)
        self._stretch = stretch
        self._max_chars = max_chars
        self._give_way = tuple(give_way)
        self._fitting = False
        self._user: dict[str, int] = self._load()
        header = self.header
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(stretch is None)
        header.setMinimumSectionSize(24)
        header.setResizeContentsPrecision(ROWS_SIZED)
        header.sectionResized.connect(self._resized)
        header.sectionHandleDoubleClicked.connect(self.forget)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        self._model: QAbstractItemModel | None = None
        self._watch_model()
        # kept, not asked for again: during the view's destruction an event may still
        # arrive, and calling into the half-destroyed view would crash
        self._viewport = view.viewport()
        view.installEventFilter(self)
        self._viewport.installEventFilter(self)
        self.fit()

    @property
    def header(self) -> QHeaderView:
        view = self.view
        return view.horizontalHeader() if isinstance(view, QTableView) else view.header()

    # -- sizing ----------------------------------------------------------------------

    def _title(self, col: int) -> str:
        model = self.view.model()
        title = model.headerData(col, Qt.Orientation.Horizontal) if model is not None else None
        return str(title if title is not None else col)

    def header_width(self, col: int) -> int:
        """The header's own width; a column the model cannot sort needs no room for the
        sort arrow (Qt reserves it in every section)."""
        header = self.header
        width = header.sectionSizeHint(col)
        sortable = getattr(self.view.model(), "sortable", None)
        if header.isSortIndicatorShown() and callable(sortable) and not sortable(col):
            width -= header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize)
        return width

    def content_width(self, col: int) -> int:
        """Header and longest value, capped for free text unless the column is whole."""
        view = self.view
        head = self.header_width(col)
        width = max(view.sizeHintForColumn(col), head)
        if isinstance(view, QTreeView) and col == 0:
            width += view.indentation() * 3
        if col in self._whole:
            return width
        cap = view.fontMetrics().averageCharWidth() * self._max_chars
        return max(head, min(width, cap))

    def preferred_width(self, col: int) -> int:
        """The user's width for ``col`` if they set one, else its content width."""
        return self._user.get(self._title(col)) or self.content_width(col)

    def fit_soon(self, *_args: object) -> None:
        """Fit once the event loop is back (a reset, a sort or a page of rows)."""
        self._timer.start()

    def fit(self) -> None:
        """Every column to its content (or the user's width); the stretch column (or the
        last) takes what is left of the view's width."""
        model = self.view.model()
        if model is None:
            return
        self._watch_model()
        self._fitting = True
        try:
            header = self.header
            for col in range(model.columnCount()):
                if header.isSectionHidden(col):
                    continue
                header.resizeSection(col, self.preferred_width(col))
            self._make_room()
            self._fill()
        finally:
            self._fitting = False
        self.fitted.emit()

    def _make_room(self) -> None:
        """Hide the ``give_way`` columns, one by one, while the rest would not fit."""
        model = self.view.model()
        if not self._give_way or model is None:
            return
        header = self.header
        for col in self._give_way:
            if header.isSectionHidden(col):
                header.setSectionHidden(col, False)
                header.resizeSection(col, self.preferred_width(col))
        room = self._viewport.width()

        def needed() -> int:
            return sum(
                self.preferred_width(c)
                for c in range(model.columnCount())
                if not header.isSectionHidden(c)
            )

        for col in self._give_way:
            if room <= 0 or needed() <= room:
                break
            header.setSectionHidden(col, True)
        # still short: the last column (the one that stretches) gives the few pixels
        # left, down to a dozen characters (its tooltip has the rest)
        last = header.logicalIndex(header.count() - 1)
        over = needed() - room
        if room > 0 and over > 0 and self._stretch is None and not header.isSectionHidden(last):
            floor = self.view.fontMetrics().averageCharWidth() * 12
            header.resizeSection(last, max(floor, self.preferred_width(last) - over))

    def _fill(self) -> None:
        col = self._stretch
        model = self.view.model()
        if col is None or model is None or col >= model.columnCount():
            return
        if self._title(col) in self._user:
            return
        header = self.header
        others = sum(
            header.sectionSize(c)
            for c in range(model.columnCount())
            if c != col and not header.isSectionHidden(c)
        )
        room = self._viewport.width() - others
        header.resizeSection(col, max(self.content_width(col), room))

    def set_width(self, col: int, width: int) -> None:
        """A width the program chose (not remembered as the user's)."""
        self._fitting = True
        try:
            self.header.resizeSection(col, width)
        finally:
            self._fitting = False

    def set_hidden(self, col: int, hidden: bool) -> None:
        """Hide or show a column for the program's own reasons (showing it again is not
        a width the user chose); it comes back at its preferred width."""
        if self.header.isSectionHidden(col) == hidden:
            return
        self._fitting = True
        try:
            self.header.setSectionHidden(col, hidden)
            if not hidden:
                self.header.resizeSection(col, self.preferred_width(col))
        finally:
            self._fitting = False

    def reset(self) -> None:
        """Forget every width the user set."""
        self._user.clear()
        self._save()
        self.fit()

    def forget(self, col: int) -> None:
        self._user.pop(self._title(col), None)
        self._save()
        self.fit()

    # -- events ----------------------------------------------------------------------

    def _watch_model(self) -> None:
        model = self.view.model()
        if model is None or model is self._model:
            return
        self._model = model
        model.modelReset.connect(self.fit)  # new rows: never shown at the old widths
        model.layoutChanged.connect(self.fit_soon)
        model.rowsInserted.connect(self.fit_soon)

    def _resized(self, col: int, _old: int, new: int) -> None:
        if self._fitting or new <= 0:
            return
        if col == self._stretch or (self._stretch is None and col == self.header.count() - 1):
            return  # the filler follows the window, not the user
        self._user[self._title(col)] = new
        self._save()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FontChange and obj is self.view:
            self.fit_soon()
        elif kind == QEvent.Type.Resize and obj is self._viewport and not self._fitting:
            self._fitting = True
            try:
                self._make_room()
                self._fill()
            finally:
                self._fitting = False
        return False

    # -- settings --------------------------------------------------------------------

    def _load(self) -> dict[str, int]:
        if self._settings is None:
            return {}
        raw = self._settings.value(self._key, "")
        try:
            data = json.loads(str(raw)) if raw else {}
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in data.items() if isinstance(v, int) and v > 0}

    def _save(self) -> None:
        if self._settings is not None:
            self._settings.setValue(self._key, json.dumps(self._user, sort_keys=True))


#: attach a ``ColumnFitter`` to a table or a tree and size it now
fit_columns = ColumnFitter
