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
    DateOrder,
    ImportRefused,
    ImportReport,
    Table,
    read_table,
)
from smallbatch_desktop.services.imports.mapping import Mapping, apply_overrides, auto_map
from smallbatch_desktop.services.imports.orders import OrderReport, plural, product_choices
from smallbatch_desktop.services.imports.readers import sheet_names
from smallbatch_desktop.services.imports.sources import SOURCES, Options, Source, detect_source
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import fit_to_text
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.ops import Change, run_task_op
from smallbatch_desktop.ui.tasks import Progress, TaskHandle
from smallbatch_desktop.ui.theme import (
    ALIGN_NUMBER,
    error_background,
    ok_background,
    warning_background,
)
from smallbatch_desktop.ui.widgets.fields import FieldError

log = logging.getLogger(__name__)

AUTO = ""
#: the fields an order export's preview shows
ORDER_PREVIEW = ("number", "date", "customer", "product", "sku", "quantity", "price")
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
    source: Source | None
    detected: Source | None
    mapping: Mapping
    report: ImportReport | None
    #: (code, name) of the products order lines can name
    recipes: tuple[tuple[str, str], ...] = ()
    #: the workbook's sheets (an XLSX file), to choose from
    sheets: tuple[str, ...] = ()


STATUS_TEXT = {
    "new": "New",
    "duplicate": "Duplicate (skipped)",
    "skipped": "Skipped",
    "bad": "Bad",
}


def _status_color(status: str) -> QColor | None:
    if status == "bad":
        return error_background()
    if status in ("duplicate", "skipped"):
        return warning_background()
    return ok_background() if status == "new" else None


#: what an import of each kind changes (the views showing it reload)
IMPORT_CHANGES = {
    "materials": Change.MATERIALS,
    "suppliers": Change.SUPPLIERS,
    "customers": Change.CUSTOMERS,
    "lots": Change.LOTS,
}


def import_changes(source: Source) -> Change:
    """An order export makes orders and customers (and remembers product choices)."""
    if source.is_orders:
        return Change.ORDERS | Change.CUSTOMERS | Change.SETTINGS
    return IMPORT_CHANGES.get(source.key, Change.all())


class ImportDialog(QDialog):
    """Pick a file, confirm the mapping, look at the preview, import.

    Widgets (object names): ``fileEdit``, ``browseButton``, ``sheetCombo`` (a workbook
    with several sheets), ``kindCombo``,
    ``detectedLabel``, ``dateOrderCombo``, ``channelCombo`` (orders), ``mappingTable``
    (a ``map_<field>`` combo per field), ``productTable`` (orders: a ``product_<key>``
    combo per product of the export), ``previewTable``, ``problemList``,
    ``summaryLabel``, ``errorLabel``, ``importButton``, ``closeButton``.

    Signals:
        imported(str, int): the source's key (``suppliers``, ``orders:shopify``...) and
        how many records were made (orders for an order export).
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
        self._products: dict[str, str | None] = {}
        self._generation = 0
        self._checking: TaskHandle | None = None
        self.checked: Checked | None = None
        self.last_imported: ImportReport | None = None

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Bring materials, suppliers, customers or received lots in from a spreadsheet "
            "(CSV or Excel .xlsx, one header row), or orders from a Shopify, Etsy, "
            "WooCommerce or Square export. Nothing is written until every row is good; "
            "rows already in Smallbatch are skipped."
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
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheetCombo")
        self.sheet_combo.setToolTip("The sheet of the workbook to import")
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        self.sheet_label = _buddy("S&heet", self.sheet_combo)
        form.addRow(self.sheet_label, self.sheet_combo)
        kind_row = QHBoxLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindCombo")
        self.kind_combo.addItem("Detect from the headers", AUTO)
        for src in SOURCES.values():
            self.kind_combo.addItem(("Orders: " if src.is_orders else "") + src.title, src.key)
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
        self.channel_combo = QComboBox()
        self.channel_combo.setObjectName("channelCombo")
        self.channel_combo.addItem("As the platform sells (web; market for Square)", None)
        for ch in ("shop", "market", "wholesale", "web"):
            self.channel_combo.addItem(ch.capitalize(), ch)
        self.channel_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.channel_label = _buddy("Cha&nnel", self.channel_combo)
        form.addRow(self.channel_label, self.channel_combo)
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
        self.product_table = QTableWidget(0, 4)
        self.product_table.setObjectName("productTable")
        self.product_table.setHorizontalHeaderLabels(
            ["Product in the export", "Lines", "Smallbatch product", "Matched by"]
        )
        self.product_table.verticalHeader().hide()
        self.product_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.product_table.horizontalHeader().setStretchLastSection(True)
        self.product_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        split.addWidget(self.product_table)
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
        for i, stretch in enumerate((2, 1, 3, 1)):
            split.setStretchFactor(i, stretch)
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
        fit_to_text(self, 190, 48)
        self._show_orders_widgets(False)
        self._show_sheets(())
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
        self._products = {}
        self._show_sheets(())
        self.refresh()

    def _sheet_changed(self, _index: int) -> None:
        if self.sheet_combo.signalsBlocked():
            return
        self._table = None
        self._overrides = {}
        self.refresh()

    def sheet(self) -> str | None:
        return self.sheet_combo.currentText() if self.sheet_combo.count() > 1 else None

    def _show_sheets(self, sheets: tuple[str, ...]) -> None:
        current = self.sheet_combo.currentText()
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(sheets))
        if current in sheets:
            self.sheet_combo.setCurrentText(current)
        self.sheet_combo.blockSignals(False)
        self.sheet_combo.setVisible(len(sheets) > 1)
        self.sheet_label.setVisible(len(sheets) > 1)

    def _kind_changed(self, _index: int) -> None:
        self._overrides = {}
        self._products = {}
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

    def set_product(self, key: str, code: str | None) -> None:
        """Choose the Smallbatch product for the export's product ``key`` (``sku:…`` or
        ``name:…``), as the maker does with the drop-down."""
        combo = self.product_table.findChild(QComboBox, f"product_{key}")
        if combo is None:
            raise LookupError(f"no product {key!r} in the export")
        combo.setCurrentIndex(combo.findData(code) if code else 0)

    def channel(self) -> str | None:
        data = self.channel_combo.currentData()
        return str(data) if data else None

    def _show_orders_widgets(self, orders: bool) -> None:
        self.product_table.setVisible(orders)
        self.channel_combo.setVisible(orders)
        self.channel_label.setVisible(orders)

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
        source_key = self.chosen_kind()
        overrides = dict(self._overrides)
        options = Options(
            date_order=self.date_order(),
            products=dict(self._products),
            channel=self.channel(),
            actor=self._actor,
        )
        self.summary_label.setText("Checking the rows…")
        sheet = self.sheet()
        known_sheets = self.checked.sheets if table is not None and self.checked else None

        def job(session: Session, progress: Progress) -> Checked:
            sheets = known_sheets if known_sheets is not None else tuple(sheet_names(path))
            t = table if table is not None else read_table(path, sheet=sheet)
            detected = detect_source(t.headers)
            source = SOURCES[source_key] if source_key else detected
            if source is None:
                return Checked(t, None, None, {}, None, sheets=sheets)
            mapping = apply_overrides(auto_map(t.headers, source.fields), overrides)
            report = source.check(
                session, t, mapping, options, _progress_fn(progress, "Checking rows")
            )
            session.rollback()  # a preview: never written (the trial rolls back anyway)
            recipes = tuple(product_choices(session)) if source.is_orders else ()
            return Checked(t, source, detected, mapping, report, recipes, sheets)

        if self._checking is not None and self._checking.is_running:
            self._checking.cancel()  # its rows are being checked again anyway

        def on_result(checked: Checked) -> None:
            self._on_checked(checked, generation, path)

        self._checking = self.tasks.submit(
            "Check import", job, write="trial", on_result=on_result, on_error=self._on_error
        )

    def _on_checked(self, checked: Checked, generation: int, path: str) -> None:
        if generation != self._generation:
            return  # a newer check is on its way
        self.checked = checked
        self._table, self._table_path = checked.table, path
        self._show_sheets(checked.sheets)
        det = checked.detected
        self.detected_label.setText(
            f"Detected: {_title(det)}" if det else "Not recognised: choose what the file holds"
        )
        source, report = checked.source, checked.report
        self._show_orders_widgets(bool(source and source.is_orders))
        if source is None or report is None:
            self._fill_mapping(None, {}, checked.table)
            self._fill_preview(checked.table, None, {}, None)
            self.summary_label.setText(
                f"{len(checked.table)} rows in {checked.table.source}; choose what they are above."
            )
            return
        self._fill_mapping(source, checked.mapping, checked.table)
        if isinstance(report, OrderReport):
            self._fill_products(report, checked.recipes)
        self._fill_preview(checked.table, source, checked.mapping, report)
        parts = [f"{_title(source)} from {checked.table.source}: {report.summary()}."]
        parts += [n[0].upper() + n[1:] + "." for n in report.notes]
        self.summary_label.setText(" ".join(parts))
        if report.needs_date_order:
            self._show_error("Choose the date order: the file's dates could be read either way.")
        self.import_button.setEnabled(report.ok and bool(report.created))

    def _fill_products(self, report: OrderReport, recipes: tuple[tuple[str, str], ...]) -> None:
        pt = self.product_table
        pt.setRowCount(len(report.products))
        for r, pc in enumerate(report.products):
            pt.setItem(r, 0, QTableWidgetItem(pc.label))
            lines = QTableWidgetItem(str(pc.lines))
            lines.setTextAlignment(ALIGN_NUMBER)
            pt.setItem(r, 1, lines)
            combo = QComboBox()
            combo.setObjectName(f"product_{pc.key}")
            combo.addItem("(choose a product)", None)
            for code, name in recipes:
                combo.addItem(f"{code} · {name}", code)
            combo.setCurrentIndex(max(0, combo.findData(pc.recipe)) if pc.recipe else 0)
            combo.currentIndexChanged.connect(
                lambda _i, key=pc.key, c=combo: self._product_changed(key, c.currentData())
            )
            pt.setCellWidget(r, 2, combo)
            how = QTableWidgetItem(pc.how or "not matched: choose one")
            if not pc.recipe:
                how.setBackground(error_background())
            pt.setItem(r, 3, how)
        pt.resizeColumnsToContents()

    def _product_changed(self, key: str, code: Any) -> None:
        self._products[key] = str(code) if code else None
        self.refresh()

    def _fill_mapping(self, kind: Source | None, mapping: Mapping, table: Table) -> None:
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
        self, table: Table, kind: Source | None, mapping: Mapping, report: ImportReport | None
    ) -> None:
        status = report.row_status() if report is not None else {}
        if kind is not None:
            # the file's own headers, as the problems name them; an order export shows
            # what makes its lines (the mapping table shows the rest)
            keys = [f.key for f in kind.fields]
            if kind.is_orders:
                keys = [k for k in ORDER_PREVIEW if k in keys]
            shown = [(table.headers[mapping[k]], mapping[k]) for k in keys if k in mapping]
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
        if checked is None or checked.source is None or checked.report is None:
            return
        if not checked.report.ok:
            return
        table, source, mapping = checked.table, checked.source, checked.mapping
        options = Options(
            date_order=checked.report.date_order,
            products={pc.key: pc.recipe for pc in getattr(checked.report, "products", [])},
            channel=self.channel(),
            actor=self._actor,
        )
        what = _title(source).lower()
        self.import_button.setEnabled(False)
        self.summary_label.setText(f"Importing {what}…")

        def job(session: Session, progress: Progress) -> ImportReport:
            return source.apply(
                session, table, mapping, options, _progress_fn(progress, f"Importing {what}")
            )

        run_task_op(
            self._ctx,
            f"Import {what}",
            job,
            changes=import_changes(source),
            origin=self,
            on_result=self._on_imported,
            on_error=self._on_error,
        )

    def _on_imported(self, report: ImportReport) -> None:
        self.last_imported = report
        source = SOURCES[report.kind]
        dup = (
            f"; {len(report.duplicates)} rows already in Smallbatch skipped"
            if report.duplicates
            else ""
        )
        if isinstance(report, OrderReport):
            made = report.orders
            new = report.new_customers
            text = (
                f"Imported {plural(made, 'order')} ({plural(len(report.created), 'line')}"
                + (f", {plural(len(new), 'new customer')}" if new else "")
                + f") from {report.source}"
            )
        else:
            made = len(report.created)
            text = f"Imported {made} {source.title.lower()} from {report.source}"
        self.summary_label.setText(f"{text}{dup}.")
        self.import_button.setEnabled(False)
        self.imported.emit(report.kind, made)

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, ImportRefused):
            # something changed since the preview: show the rows as they are now
            self._show_error(exc.message.splitlines()[0])
            c = self.checked
            if c is not None and c.source is not None:
                self.checked = Checked(
                    c.table, c.source, c.detected, c.mapping, exc.report, c.recipes, c.sheets
                )
                self._fill_preview(c.table, c.source, c.mapping, exc.report)
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


def _title(source: Source) -> str:
    return ("Orders: " if source.is_orders else "") + source.title


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
