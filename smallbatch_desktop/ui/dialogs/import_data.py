"""File > Import…: master data (and web shop orders) from a CSV or XLSX file.

The maker picks a file; the kind is detected from the headers (or chosen); the column
mapping is shown, one row per field with a drop-down of the file's columns; the preview
lists every row as new, duplicate (skipped) or bad, with the bad ones in red and their
problems named (row, column, why).  Import is enabled only when no row is bad, and it
runs the same check again inside one unit of work, so a row that went bad meanwhile
refuses the whole import.  Reading the file and checking the rows run as background
jobs; nothing touches the database until Import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.services.imports import (
    KINDS,
    DateOrder,
    ImportRefused,
    ImportReport,
    Kind,
    Table,
    detect_kind,
    import_table,
    read_table,
    run_import,
)
from smallbatch_desktop.services.imports.mapping import Mapping, apply_overrides, auto_map
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import fit_to_text
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.ops import Change, run_task_op
from smallbatch_desktop.ui.tasks import Progress, TaskHandle
from smallbatch_desktop.ui.theme import error_background, ok_background, warning_background
from smallbatch_desktop.ui.widgets.fields import FieldError

log = logging.getLogger(__name__)

AUTO = ""
FILE_FILTER = "Spreadsheets (*.csv *.xlsx *.xlsm *.txt *.tsv);;All files (*)"


@dataclass(frozen=True)
class PreviewRow:
    number: int
    status: str  # new, duplicate, bad
    cells: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Checked:
    """What a preview job hands back to the UI thread."""

    table: Table
    kind: Kind | None
    detected: Kind | None
    mapping: Mapping
    report: ImportReport | None


STATUS_TEXT = {"new": "New", "duplicate": "Duplicate (skipped)", "bad": "Bad"}


def _status_color(status: str) -> QColor | None:
    if status == "bad":
        return error_background()
    if status == "duplicate":
        return warning_background()
    return ok_background() if status == "new" else None


#: what an import of each kind changes (the views showing it reload)
IMPORT_CHANGES = {
    "materials": Change.MATERIALS,
    "suppliers": Change.SUPPLIERS,
    "customers": Change.CUSTOMERS,
    "lots": Change.LOTS,
}


class ImportDialog(QDialog):
    """Pick a file, confirm the mapping, look at the preview, import.

    Widgets (object names): ``fileEdit``, ``browseButton``, ``kindCombo``,
    ``detectedLabel``, ``dateOrderCombo``, ``mappingTable`` (a ``map_<field>`` combo
    per field), ``previewTable``, ``problemList``, ``summaryLabel``, ``errorLabel``,
    ``importButton``, ``closeButton``.

    Signals:
        imported(str, int): the kind's key and how many records were made.
    """

    imported = Signal(str, int)

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        path: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import")
        self._ctx = ctx
        self._sf = ctx.session_factory
        # the window's runner: progress and Cancel show in the status bar
        self.tasks = ctx.tasks
        self._actor = ctx.actor
        self._table: Table | None = None
        self._table_path = ""
        self._overrides: dict[str, int | None] = {}
        self._generation = 0
        self._checking: TaskHandle | None = None
        self.checked: Checked | None = None
        self.last_imported: ImportReport | None = None

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Bring materials, suppliers, customers or received lots in from a spreadsheet "
            "(CSV or Excel .xlsx, one header row). Nothing is written until every row is "
            "good; rows already in Smallbatch are skipped."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        file_row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fileEdit")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("Choose a .csv or .xlsx file")
        self.browse_button = QPushButton("&Choose file…")
        self.browse_button.setObjectName("browseButton")
        self.browse_button.clicked.connect(self.browse)
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        form.addRow(_buddy("&File", self.browse_button), file_row)
        kind_row = QHBoxLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        self.kind_combo.addItem("Detect from the headers", AUTO)
        for k in KINDS.values():
            self.kind_combo.addItem(k.title, k.key)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.detected_label = QLabel()
        self.detected_label.setObjectName("detectedLabel")
        kind_row.addWidget(self.kind_combo)
        kind_row.addWidget(self.detected_label, 1)
        form.addRow(_buddy("&What", self.kind_combo), kind_row)
        self.date_combo = QComboBox()
        self.date_combo.setObjectName("dateOrderCombo")
        self.date_combo.addItem("Ask when the file does not settle it", None)
        self.date_combo.addItem("Day/month/year (31/01/2026)", DateOrder.DMY)
        self.date_combo.addItem("Month/day/year (01/31/2026)", DateOrder.MDY)
        self.date_combo.setToolTip(
            "How to read numeric dates like 05/03/2026 (5 March or 3 May?). "
            "ISO dates (2026-03-05) and month names are never ambiguous."
        )
        self.date_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        form.addRow("&Dates", self.date_combo)
        layout.addLayout(form)

        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setObjectName("mappingTable")
        self.mapping_table.setHorizontalHeaderLabels(["Field", "Column in the file", "First row"])
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        split.addWidget(self.mapping_table)
        self.preview = QTableView()
        self.preview.setObjectName("previewTable")
        self.preview.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview.verticalHeader().hide()
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setWordWrap(False)  # one line a row; the full text is the tooltip
        split.addWidget(self.preview)
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("problemList")
        self.problem_list.currentRowChanged.connect(self._show_problem_row)
        split.addWidget(self.problem_list)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 1)
        layout.addWidget(split, 1)

        self.summary_label = QLabel("Choose a file to see what it holds.")
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        self.error_label = FieldError(self, name="errorLabel")
        self.error_label.setProperty("role", "formError")
        layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        close = QPushButton("Close")
        close.setObjectName("closeButton")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        fit_to_text(self, 160, 44)
        if path:
            self.open_file(path)

    # -- choosing --------------------------------------------------------------------

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import from", "", FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        self.file_edit.setText(str(path))
        self._table = None
        self._overrides = {}
        self.refresh()

    def _kind_changed(self, _index: int) -> None:
        self._overrides = {}
        self.refresh()

    def chosen_kind(self) -> str:
        return str(self.kind_combo.currentData() or AUTO)

    def date_order(self) -> DateOrder | None:
        data = self.date_combo.currentData()
        return DateOrder(data) if data else None

    def set_column(self, field_key: str, header: str | None) -> None:
        """Map a field to the column with this header (None: leave it out), as the
        maker does with the drop-down."""
        combo = self.mapping_table.findChild(QComboBox, f"map_{field_key}")
        if combo is None:
            raise LookupError(f"no field {field_key!r} in the mapping")
        combo.setCurrentIndex(0 if header is None else combo.findText(header))

    # -- checking --------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the file (once) and check every row in the background."""
        path = self.file_edit.text()
        self.import_button.setEnabled(False)
        self._show_error("")
        if not path:
            return
        self._generation += 1
        generation = self._generation
        table = self._table if self._table_path == path else None
        kind_key = self.chosen_kind()
        overrides = dict(self._overrides)
        order = self.date_order()
        actor = self._actor
        self.summary_label.setText("Checking the rows…")

        def job(session: Session, progress: Progress) -> Checked:
            t = table if table is not None else read_table(path)
            detected = detect_kind(t.headers)
            kind = KINDS[kind_key] if kind_key else detected
            if kind is None:
                return Checked(t, None, None, {}, None)
            mapping = apply_overrides(auto_map(t.headers, kind.fields), overrides)
            report = run_import(
                session,
                t,
                kind,
                mapping,
                date_order=order,
                actor=actor,
                progress=_progress_fn(progress, "Checking rows"),
            )
            session.rollback()  # a preview: never written
            return Checked(t, kind, detected, mapping, report)

        if self._checking is not None and self._checking.is_running:
            self._checking.cancel()  # its rows are being checked again anyway

        def on_result(checked: Checked) -> None:
            self._on_checked(checked, generation, path)

        self._checking = self.tasks.submit(
            "Check import", job, on_result=on_result, on_error=self._on_error
        )

    def _on_checked(self, checked: Checked, generation: int, path: str) -> None:
        if generation != self._generation:
            return  # a newer check is on its way
        self.checked = checked
        self._table, self._table_path = checked.table, path
        det = checked.detected
        self.detected_label.setText(
            f"Detected: {det.title}" if det else "Not recognised: choose what the file holds"
        )
        if checked.kind is None:
            self._fill_mapping(None, {}, checked.table)
            self._fill_preview(checked.table, None, {}, None)
            self.summary_label.setText(
                f"{len(checked.table)} rows in {checked.table.source}; choose what they are above."
            )
            return
        self._fill_mapping(checked.kind, checked.mapping, checked.table)
        self._fill_preview(checked.table, checked.kind, checked.mapping, checked.report)
        report = checked.report
        assert report is not None
        parts = [f"{checked.kind.title} from {checked.table.source}: {report.summary()}."]
        parts += [n[0].upper() + n[1:] + "." for n in report.notes]
        self.summary_label.setText(" ".join(parts))
        self.date_combo.setProperty("attention", report.needs_date_order)
        if report.needs_date_order:
            self._show_error("Choose the date order: the file's dates could be read either way.")
        self.import_button.setEnabled(report.ok and bool(report.created))

    def _fill_mapping(self, kind: Kind | None, mapping: Mapping, table: Table) -> None:
        mt = self.mapping_table
        mt.setRowCount(0)
        if kind is None:
            return
        first = table.rows[0] if table.rows else ()
        mt.setRowCount(len(kind.fields))
        for r, f in enumerate(kind.fields):
            label = QTableWidgetItem(f.label + (" *" if f.required else ""))
            label.setToolTip(("Required. " if f.required else "") + f.help)
            mt.setItem(r, 0, label)
            combo = QComboBox()
            combo.setObjectName(f"map_{f.key}")
            combo.addItem("(not imported)", None)
            for i, h in enumerate(table.headers):
                combo.addItem(h, i)
            idx = mapping.get(f.key)
            combo.setCurrentIndex(0 if idx is None else idx + 1)
            combo.currentIndexChanged.connect(
                lambda _i, key=f.key, c=combo: self._mapping_changed(key, c.currentData())
            )
            mt.setCellWidget(r, 1, combo)
            example = first[idx] if idx is not None and idx < len(first) else ""
            mt.setItem(r, 2, QTableWidgetItem(example))
        mt.resizeColumnsToContents()

    def _mapping_changed(self, key: str, index: Any) -> None:
        self._overrides[key] = None if index is None else int(index)
        self.refresh()

    def _fill_preview(
        self, table: Table, kind: Kind | None, mapping: Mapping, report: ImportReport | None
    ) -> None:
        status = report.row_status() if report is not None else {}
        if kind is not None:
            # the file's own headers, as the problems name them
            shown = [
                (table.headers[mapping[f.key]], mapping[f.key])
                for f in kind.fields
                if f.key in mapping
            ]
        else:
            shown = [(h, i) for i, h in enumerate(table.headers)]
        rows = [
            PreviewRow(
                n,
                status.get(n, ("", ""))[0],
                tuple(cells[i] for _h, i in shown),
                status.get(n, ("", ""))[1],
            )
            for n, cells in zip(table.numbers, table.rows, strict=True)
        ]
        columns: list[Column[PreviewRow]] = [
            Column("Row", lambda r: r.number, numeric=True),
            Column("Status", lambda r: STATUS_TEXT.get(r.status, "")),
        ]
        columns += [Column(h, _cell(j)) for j, (h, _i) in enumerate(shown)]
        columns.append(Column("What happens", lambda r: r.text, tip=lambda r: r.text))
        model: RowTableModel[PreviewRow] = RowTableModel(
            columns, background=lambda r: _status_color(r.status), parent=self.preview
        )
        model.set_rows(rows)
        old = self.preview.model()
        self.preview.setModel(model)
        if old is not None:
            old.deleteLater()
        self.preview.resizeColumnsToContents()
        self.problem_list.clear()
        if report is not None:
            for p in report.problems:
                self.problem_list.addItem(p.line())
        self.problem_list.setVisible(bool(report and report.problems))

    def _show_problem_row(self, index: int) -> None:
        report = self.checked.report if self.checked else None
        if report is None or not (0 <= index < len(report.problems)):
            return
        row = report.problems[index].row
        model = self.preview.model()
        for r in range(model.rowCount()):
            if model.index(r, 0).data() == str(row):
                self.preview.selectRow(r)
                self.preview.scrollTo(model.index(r, 0))
                return

    # -- importing -------------------------------------------------------------------

    def run_import(self) -> None:
        checked = self.checked
        if checked is None or checked.kind is None or checked.report is None:
            return
        if not checked.report.ok:
            return
        table, kind, mapping = checked.table, checked.kind, checked.mapping
        order, actor = checked.report.date_order, self._actor
        self.import_button.setEnabled(False)
        self.summary_label.setText(f"Importing {kind.title.lower()}…")

        def job(session: Session, progress: Progress) -> ImportReport:
            return import_table(
                session,
                table,
                kind,
                mapping,
                date_order=order,
                actor=actor,
                progress=_progress_fn(progress, f"Importing {kind.title.lower()}"),
            )

        run_task_op(
            self._ctx,
            f"Import {kind.title.lower()}",
            job,
            changes=IMPORT_CHANGES.get(kind.key, Change.all()),
            origin=self,
            on_result=self._on_imported,
            on_error=self._on_error,
        )

    def _on_imported(self, report: ImportReport) -> None:
        self.last_imported = report
        kind = KINDS[report.kind]
        dup = f"; {len(report.duplicates)} duplicates skipped" if report.duplicates else ""
        self.summary_label.setText(
            f"Imported {len(report.created)} {kind.title.lower()} from {report.source}{dup}."
        )
        self.import_button.setEnabled(False)
        self.imported.emit(report.kind, len(report.created))

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ImportRefused):
            # something changed since the preview: show the rows as they are now
            self._show_error(exc.message.splitlines()[0])
            if self.checked is not None and self.checked.kind is not None:
                self.checked = Checked(
                    self.checked.table,
                    self.checked.kind,
                    self.checked.detected,
                    self.checked.mapping,
                    exc.report,
                )
                self._fill_preview(
                    self.checked.table, self.checked.kind, self.checked.mapping, exc.report
                )
            self.summary_label.setText(exc.report.summary() + "; nothing imported.")
            return
        if isinstance(exc, UserError):
            self._show_error(exc.message)
            self.summary_label.setText("")
            return
        self.summary_label.setText("The import failed; nothing was written. See the log.")
        reporter = getattr(self.parent(), "errors", None)
        if reporter is not None:
            reporter.report(exc, context="import")
        else:
            log.error("import failed", exc_info=exc)

    def _show_error(self, message: str) -> None:
        self.error_label.show_message(message)

    def done(self, result: int) -> None:
        # a check still running is of no use once the dialog closes; an import runs on
        # (the status bar shows it, with its own Cancel)
        if self._checking is not None and self._checking.is_running:
            self._checking.cancel()
        super().done(result)


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _cell(j: int) -> Callable[[PreviewRow], str]:
    return lambda r: r.cells[j]


def _progress_fn(progress: Progress, text: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        progress.check()
        progress.report(done, total, text)

    return report
