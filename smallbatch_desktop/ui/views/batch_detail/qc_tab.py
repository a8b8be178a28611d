"""The QC tab: one editor per check of the recipe version (out-of-spec values turn red
as they are typed), and the history of every result recorded, failed ones and retests
included, with who and when."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.status import FROZEN
from smallbatch_desktop.domain.units import parse_decimal
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services.ui_queries import QcItemRow
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.text import local, plain
from smallbatch_desktop.ui.theme import error_background, ok_background, set_invalid
from smallbatch_desktop.ui.views.batch_detail.common import BatchSnapshot, RunAction, table_view
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError, FormErrors
from smallbatch_desktop.ui.widgets.tips import plain_tip


def _when(at: dt.datetime | None) -> str:
    return local(at)


def _history_verdict(h: bsvc.QcHistoryEntry) -> str:
    """``4.2 — fail, superseded``, ``3.7 — pass (retest)``; a pass/fail check's value is
    its verdict, said once."""
    word = h.state
    if h.attempt > 1:
        word += " (retest)" if h.attempt == 2 else f" (retest {h.attempt - 1})"
    if not h.current:
        word += ", superseded"
    value = h.value.strip()
    return word if not value or value == h.state else f"{value} — {word}"


class QcTab(QWidget):
    title = "&QC"

    def __init__(self, ctx: UiContext, run: RunAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._run = ctx, run
        self._batch_id: int | None = None
        self._specs: dict[int, QcItemRow] = {}
        v = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("qcTable")
        self.table.setHorizontalHeaderLabels(["Check", "Spec", "Value", "Result"])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes editor to editor
        # without this the view takes Tab from an editor and walks its read-only cells
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        # the value editors must stay in view in a narrow panel: the check and its spec
        # take their text's width up to a cap (whole in the tooltip), the result the rest
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hdr.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        hdr.setStretchLastSection(False)  # sized in _fit_text_columns: a stretched last
        # section never went below the default section size, off the panel's edge
        self._size_table()
        self.table.viewport().installEventFilter(self)
        v.addWidget(self.table, 1)
        self.recorded = plain(QLabel())
        self.recorded.setObjectName("qcRecorded")
        self.recorded.setWordWrap(True)
        v.addWidget(self.recorded)
        self.save_row = QWidget()
        row = QHBoxLayout(self.save_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.save_button = QPushButton("&Save QC results")
        self.save_button.setObjectName("saveQcButton")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        row.addStretch(1)
        v.addWidget(self.save_row)
        self.error = FieldError(self, name="qcError")
        v.addWidget(self.error)
        self.history_model: RowTableModel[bsvc.QcHistoryEntry] = RowTableModel(
            [
                Column("Check", lambda h: h.name),
                Column("Result", _history_verdict),
                Column("By", lambda h: h.recorded_by),
                Column("When", lambda h: _when(h.recorded_at)),
                Column("Note", lambda h: h.note),
            ],
            parent=self,
        )
        self.history = table_view("qcHistoryTable")
        self.history.setModel(self.history_model)
        # in the order an inspector reads it in a narrow panel: the check and its
        # result first, who and when whole; a long check name or result is capped and
        # the note takes what room is left (the rows stay in the order recorded)
        fit_columns(
            self.history,
            ctx.settings,
            "batchDetail/qcHistory",
            whole=(2, 3),
            stretch=4,
            max_chars=24,
        )
        self.history.setToolTip(
            "Every result recorded, in order: a failed result stays on the record with its retest"
        )
        self.history_label = QLabel("Every result recorded, failed ones and retests included:")
        self.history_label.setWordWrap(True)  # the panel may be narrow: never wider than it
        v.addWidget(self.history_label)
        v.addWidget(self.history, 1)

    # -- loading ---------------------------------------------------------------------

    def load(self, snap: BatchSnapshot) -> None:
        self._batch_id = snap.detail.id
        self._specs = snap.specs
        frozen = snap.status in FROZEN
        self._fill(snap.qc, frozen)
        # a closed record takes no more results: the history alone, with all the room
        for w in (self.table, self.recorded, self.save_row):
            w.setVisible(not frozen)
        recorded = [h for h in snap.qc_history if h.recorded_at is not None]
        self.history_model.set_rows(
            sorted(recorded, key=lambda h: h.recorded_at or dt.datetime.min)
        )
        # while results go in, the table above shows each check's latest result (who and
        # when on hover): the history earns its room once a result was superseded
        show = frozen or any(not h.current for h in recorded)
        for w in (self.history_label, self.history):
            w.setVisible(show)

    def _fill(self, states: list[bsvc.QcState], frozen: bool) -> None:
        t = self.table
        t.setRowCount(0)
        previous: QWidget | None = None
        for state in states:
            r = t.rowCount()
            t.insertRow(r)
            name = QTableWidgetItem(state.name)
            name.setData(Qt.ItemDataRole.UserRole, state.spec_item_id)
            name.setToolTip(plain_tip(state.name))
            if not state.required:
                f = name.font()
                f.setItalic(True)
                name.setFont(f)
                name.setToolTip(plain_tip(f"{state.name}: optional, not needed for release"))
            spec = QTableWidgetItem(state.spec)
            spec.setToolTip(plain_tip(state.spec))
            result = QTableWidgetItem(state.state)
            result.setToolTip(
                plain_tip(f"Recorded by {state.recorded_by or '—'} on {_when(state.recorded_at)}")
                if state.recorded_at
                else "Not recorded yet" + ("" if state.required else " (optional)")
            )
            for it in (name, spec, result):
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if state.passed is False:
                result.setBackground(error_background())
            elif state.passed is True:
                result.setBackground(ok_background())
            t.setItem(r, 0, name)
            t.setItem(r, 1, spec)
            t.setItem(r, 3, result)
            editor = self._editor(state, r)
            editor.setObjectName(f"qcValue{r}")
            editor.setAccessibleName(f"QC value for {state.name}")
            editor.setProperty("original", state.value)
            editor.setEnabled(not frozen)
            t.setCellWidget(r, 2, editor)
            if previous is not None and previous.window() is editor.window():
                QWidget.setTabOrder(previous, editor)
            previous = editor
            self._live(r)
        self._fit_text_columns()
        if previous is not None and previous.window() is self.save_button.window():
            QWidget.setTabOrder(previous, self.save_button)
        recorded = [st for st in states if st.recorded_at is not None]
        if recorded:
            last = max(recorded, key=lambda st: st.recorded_at or dt.datetime.min)
            self.recorded.setText(
                f"Last recorded: {last.recorded_by or '—'}, {_when(last.recorded_at)}"
            )
            self.recorded.setToolTip("Hover a result for who recorded each check, and when")
        else:
            self.recorded.setText("No QC results recorded yet." if states else "")
        self.save_button.setEnabled(not frozen and bool(states))
        self.error.show_message("" if states else "This recipe version has no QC checks.")

    def _editor(self, state: bsvc.QcState, row: int) -> QWidget:
        if state.kind == "passfail":
            combo = QComboBox()
            combo.addItem("— choose —", "")
            combo.addItem("pass", "pass")
            combo.addItem("fail", "fail")
            combo.setCurrentIndex(max(0, combo.findData(state.value)))
            combo.currentIndexChanged.connect(lambda _i, r=row: self._live(r))
            return combo
        numeric = state.kind == "numeric"
        edit = DecimalEdit(allow_negative=True) if numeric else QLineEdit()
        spec_item = self._specs.get(state.spec_item_id)
        unit = spec_item.unit if spec_item is not None else ""
        edit.setPlaceholderText((f"number ({unit})" if unit else "number") if numeric else "note")
        edit.setText(state.value)
        edit.textChanged.connect(lambda _t, r=row: self._live(r))
        return edit

    def _size_table(self) -> None:
        """Value column wide enough to type a reading; rows tall enough for the editors."""
        fm = self.table.fontMetrics()
        self.table.setColumnWidth(2, fm.horizontalAdvance("0") * 7 + 28)
        probe = QComboBox()
        probe.setFont(self.table.font())
        height = max(probe.sizeHint().height(), QLineEdit().sizeHint().height(), fm.height())
        self.table.verticalHeader().setDefaultSectionSize(height + 6)

    def _fit_text_columns(self) -> None:
        """The result (pass, fail, missing) always whole and in view; the check and its
        spec share the rest of the panel's width, each up to its longest text (whole in
        the tooltip when cut), never below a few characters."""
        t = self.table
        fm = t.fontMetrics()
        pad = 12  # the cell's margins on both sides
        results = [it.text() for r in range(t.rowCount()) if (it := t.item(r, 3)) is not None]
        result = max(fm.horizontalAdvance(x) for x in [*results, "Result", "missing"]) + pad
        room = t.viewport().width() - t.columnWidth(2) - result
        floor = fm.averageCharWidth() * 5
        wanted = []
        for col in (0, 1):
            t.resizeColumnToContents(col)
            wanted.append(t.columnWidth(col))
        if sum(wanted) > room:
            share = max(room, 2 * floor) / max(sum(wanted), 1)
            wanted = [max(floor, int(w * share)) for w in wanted]
        for col, width in zip((0, 1), wanted, strict=True):
            t.setColumnWidth(col, width)
        used = sum(wanted) + t.columnWidth(2)
        t.setColumnWidth(3, max(result, t.viewport().width() - used))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_text_columns()  # the panel's width changed (splitter, window)
        return False

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "table"):
            self._size_table()
            self._fit_text_columns()

    def _value(self, row: int) -> str:
        w = self.table.cellWidget(row, 2)
        if isinstance(w, QComboBox):
            return str(w.currentData() or "")
        assert isinstance(w, QLineEdit)
        return w.text()

    def _live(self, row: int) -> None:
        """Out-of-spec values turn red as they are typed."""
        item = self.table.item(row, 0)
        w = self.table.cellWidget(row, 2)
        if item is None or w is None:
            return
        spec = self._specs.get(int(item.data(Qt.ItemDataRole.UserRole)))
        value = self._value(row).strip()
        bad = False
        if spec is not None and value:
            if spec.kind == "numeric":
                try:
                    num = parse_decimal(value, field="value")
                except ValidationError:
                    bad = True
                else:
                    bad = (spec.min_value is not None and num < spec.min_value) or (
                        spec.max_value is not None and num > spec.max_value
                    )
            elif spec.kind == "passfail":
                bad = value == "fail"
        set_invalid(w, bad)
        w.setToolTip("Out of spec" if bad else "")

    # -- action ----------------------------------------------------------------------

    def save(self) -> bool:
        if self._batch_id is None:
            return False
        bid, actor = self._batch_id, self._ctx.actor
        entries: list[tuple[int, str, QWidget]] = []
        for r in range(self.table.rowCount()):
            w = self.table.cellWidget(r, 2)
            value = self._value(r).strip()
            if not value or value == (w.property("original") or ""):
                continue
            item = self.table.item(r, 0)
            assert item is not None and w is not None  # made in _fill
            entries.append((int(item.data(Qt.ItemDataRole.UserRole)), value, w))
        if not entries:
            self.error.show_message("Enter a value for at least one check.")
            return False
        self.error.show_message("")

        def work(s: object) -> None:
            for spec_id, value, w in entries:
                try:
                    bsvc.record_qc(s, bid, spec_id, value, actor=actor)  # type: ignore[arg-type]
                except UserError:
                    set_invalid(w, True)
                    w.setFocus()
                    raise

        return self._run(work, FormErrors(self.error))
