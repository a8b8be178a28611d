"""Recall report and mock recall drills: enter or scan a lot, see everything it reached.

The report (and, for a drill, the timed run that records it) is built off the UI thread
by a ``ui.tasks`` job with its own Session: a recall of a busy raw material can take
seconds, and the window must stay responsive while it runs.  The job also renders the
PDF and the CSV, since a drill is only done when the documents exist; saving then just
writes the bytes.  The customers are few and held whole; the affected batches and the
shipments (a hundred thousand of each for a busy raw material) are read from the
database a page at a time as the table scrolls (``canFetchMore``/``fetchMore`` over
``services.recall.batch_page``/``shipment_page``): the dialog keeps only their ids.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.csvsafe import CSV_ENCODING
from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.records import RecallReport
from smallbatch_desktop.pdf.common import local_time, qty
from smallbatch_desktop.pdf.recall import render_recall_report
from smallbatch_desktop.services.drills import LOT_NOT_FOUND, DrillRecord, drill_history, run_drill
from smallbatch_desktop.services.recall import (
    RecallScope,
    batch_page,
    recall_report,
    shipment_page,
    write_recall_csv,
)
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.widgets.tips import plain_tip

Column = tuple[str, Callable[[Any], object]]


class RowsModel(QAbstractTableModel):
    """Read-only rows of plain objects, one column per (title, getter)."""

    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: Sequence[Any] = ()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_object(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        value = self._columns[index.column()][1](self._rows[index.row()])
        text = "" if value is None else str(value)
        return plain_tip(text) if role == Qt.ItemDataRole.ToolTipRole else text

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section][0]
        return section + 1


#: rows read per page of the batches and shipments tables
PAGE = 200


class PagedRowsModel(RowsModel):
    """Rows read a page at a time as the view scrolls (``canFetchMore``/``fetchMore``):
    ``read(start, stop)`` gives rows ``start`` to ``stop`` of ``total``."""

    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(columns, parent)
        self._loaded: list[Any] = []
        self._rows = self._loaded
        self._total = 0
        self._read: Callable[[int, int], Sequence[Any]] = lambda _a, _b: ()

    def set_source(self, total: int, read: Callable[[int, int], Sequence[Any]]) -> None:
        self.beginResetModel()
        self._loaded = []
        self._rows = self._loaded
        self._total = total
        self._read = read
        self.endResetModel()
        if total:
            self.fetchMore()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.set_source(len(rows), lambda a, b: rows[a:b])

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._loaded) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        start = len(self._loaded)
        rows = list(self._read(start, min(start + PAGE, self._total)))
        if not rows:
            self._total = start  # gone meanwhile: stop asking
            return
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._loaded.extend(rows)
        self.endInsertRows()


def _day(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


BATCH_COLUMNS: list[Column] = [
    ("Batch lot", lambda b: b.lot_code),
    ("Product", lambda b: b.product),
    ("Status", lambda b: b.status),
    ("Made", lambda b: _day(b.made_date)),
    ("Best before", lambda b: _day(b.best_before)),
    ("Made qty", lambda b: qty(b.quantity, b.unit)),
    ("Shipped", lambda b: qty(b.shipped, b.unit)),
    ("Path from the lot", lambda b: b.path_text),
]
SHIPMENT_COLUMNS: list[Column] = [
    ("Shipped", lambda s: _day(s.shipped_date)),
    ("Customer", lambda s: s.customer),
    ("Batch lot", lambda s: s.batch_lot_code),
    ("Product", lambda s: s.product),
    ("Quantity", lambda s: qty(s.quantity, s.unit)),
    ("Document", lambda s: s.document),
    ("Path from the lot", lambda s: s.path_text),
]
#: most recent shipment first (as the report sorts them), so the dates come early
CUSTOMER_COLUMNS: list[Column] = [
    ("Customer", lambda c: c.name),
    ("Contact", lambda c: c.contact),
    ("Phone", lambda c: c.phone),
    ("E-mail", lambda c: c.email),
    ("Last shipped", lambda c: _day(c.last_shipped)),
    ("First shipped", lambda c: _day(c.first_shipped)),
    ("Shipments", lambda c: c.shipments),
    ("Quantity", lambda c: c.quantity_text),
    ("Orders", lambda c: ", ".join(c.orders)),
    ("Address", lambda c: " ".join(c.address.split())),
]
HISTORY_COLUMNS: list[Column] = [
    ("Started", lambda d: local_time(d.started_at)),
    ("Lot", lambda d: d.lot_code),
    ("Result", lambda d: d.result_label),
    ("Time", lambda d: "" if d.duration_ms is None else f"{d.duration_ms:,} ms"),
    ("Batches", lambda d: d.batches_found),
    ("Shipments", lambda d: d.shipments_found),
    ("Customers", lambda d: d.customers_found),
    ("By", lambda d: d.run_by),
]


@dataclass(frozen=True)
class RecallOutcome:
    """What a job hands back to the UI thread: plain data and document bytes."""

    report: RecallReport | None
    pdf: bytes
    csv: str
    drill: DrillRecord | None = None


def _documents(report: RecallReport) -> tuple[bytes, str]:
    buf = io.StringIO()
    write_recall_csv(report, buf)
    if isinstance(report.scope, RecallScope):
        report.scope.drop_rows()  # the tables read their pages by id
    return render_recall_report(report), buf.getvalue()


def recall_job(lot_code: str) -> Callable[[Session, Any], RecallOutcome]:
    def job(session: Session, _progress: Any) -> RecallOutcome:
        report = recall_report(session, lot_code)
        pdf, csv_text = _documents(report)
        return RecallOutcome(report, pdf, csv_text)

    return job


def drill_job(lot_code: str) -> Callable[[Session, Any], RecallOutcome]:
    def job(session: Session, _progress: Any) -> RecallOutcome:
        docs: dict[str, Any] = {}

        def produce(report: RecallReport) -> None:
            docs["pdf"], docs["csv"] = _documents(report)

        drill, report = run_drill(session, lot_code, produce=produce)
        return RecallOutcome(report, docs.get("pdf", b""), docs.get("csv", ""), drill)

    return job


class RecallDialog(QDialog):
    """Enter or scan a lot; run the recall report or a timed mock drill in the background.

    Widgets (object names): ``lotEdit``, ``runButton``, ``drillButton``,
    ``summaryLabel``, ``errorLabel``, ``resultTabs`` with ``batchesTable``,
    ``shipmentsTable``, ``customersTable``; ``savePdfButton``, ``saveCsvButton``;
    ``historyTable`` (the drill history).  ``outcome`` holds the last result.
    ``pool`` lets tests run jobs synchronously (``ui.tasks.SyncPool``).
    """

    def __init__(
        self,
        ctx: UiContext,
        lot_code: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recallDialog")
        self.setWindowTitle("Recall report")
        self.resize(1100, 760)
        self._ctx = ctx
        self._sf = ctx.session_factory
        self.tasks = ctx.tasks.child(self)
        self.outcome: RecallOutcome | None = None

        layout = QVBoxLayout(self)
        intro = QLabel(
            "Scan or type a lot code: one of our material lots or batches, or a supplier's "
            "lot code. The report lists every batch that contains it, every shipment and "
            "every customer to contact. A mock drill does the same against the clock and "
            "keeps a record."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        row = QHBoxLayout()
        self.lot_edit = QLineEdit(lot_code)
        self.lot_edit.setObjectName("lotEdit")
        self.lot_edit.setPlaceholderText("Lot code, supplier lot, or scan a GS1 barcode")
        self.lot_edit.setClearButtonEnabled(True)
        self.lot_edit.returnPressed.connect(self.run_report)
        row.addWidget(self.lot_edit, 1)
        self.run_button = QPushButton("Recall report")
        self.run_button.setObjectName("runButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_report)
        self.drill_button = QPushButton("Run mock drill")
        self.drill_button.setObjectName("drillButton")
        self.drill_button.setToolTip("Time a full recall of this lot and record it")
        self.drill_button.clicked.connect(self.run_drill)
        row.addWidget(self.run_button)
        row.addWidget(self.drill_button)
        layout.addLayout(row)

        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setProperty("role", "formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.summary = QLabel("No report yet.")
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("resultTabs")
        self.batches_model = PagedRowsModel(BATCH_COLUMNS, self)
        self.shipments_model = PagedRowsModel(SHIPMENT_COLUMNS, self)
        self.customers_model = RowsModel(CUSTOMER_COLUMNS, self)
        self.history_model = RowsModel(HISTORY_COLUMNS, self)
        self.customers_table = self._table("customersTable", self.customers_model)
        self.batches_table = self._table("batchesTable", self.batches_model)
        self.shipments_table = self._table("shipmentsTable", self.shipments_model)
        self.history_table = self._table("historyTable", self.history_model)
        self.tabs.addTab(self.customers_table, "Customers")
        self.tabs.addTab(self.batches_table, "Batches")
        self.tabs.addTab(self.shipments_table, "Shipments")
        self.tabs.addTab(self.history_table, "Drill history")
        layout.addWidget(self.tabs, 1)

        buttons = QHBoxLayout()
        self.save_pdf_button = QPushButton("Save PDF…")
        self.save_pdf_button.setObjectName("savePdfButton")
        self.save_pdf_button.clicked.connect(self.save_pdf)
        self.save_csv_button = QPushButton("Save CSV…")
        self.save_csv_button.setObjectName("saveCsvButton")
        self.save_csv_button.clicked.connect(self.save_csv)
        close = QPushButton("Close")
        close.setObjectName("closeButton")
        close.clicked.connect(self.accept)
        buttons.addWidget(self.save_pdf_button)
        buttons.addWidget(self.save_csv_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._set_busy(False)
        self.refresh_history()

    def _table(self, name: str, model: RowsModel) -> QTableView:
        view = QTableView()
        view.setObjectName(name)
        view.setModel(model)
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setDefaultSectionSize(22)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.horizontalHeader().setStretchLastSection(True)
        return view

    # -- running ---------------------------------------------------------------------

    def lot_code(self) -> str:
        """The lot to recall: a GS1 scan gives its lot (AI 10), anything else as typed."""
        from smallbatch_desktop.ui.widgets.scan_box import parse_scan

        text = self.lot_edit.text().strip()
        return (parse_scan(text).lot or text).strip() if text else ""

    def run_report(self) -> None:
        self._start("Recall report", recall_job, write=False)

    def run_drill(self) -> None:
        self._start("Mock recall drill", drill_job, write=True)

    def _start(
        self,
        title: str,
        make: Callable[[str], Callable[[Session, Any], RecallOutcome]],
        *,
        write: bool,
    ) -> None:
        code = self.lot_code()
        if not code:
            self._show_error("lot: give a lot code to recall")
            self.lot_edit.setFocus()
            return
        self._show_error("")
        self._set_busy(True)
        self.summary.setText(f"{title} of {code}: working…")
        self.tasks.submit(
            f"{title} {code}",
            make(code),
            write=write,
            on_result=self._on_result,
            on_error=self._on_error,
        )

    def _set_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.drill_button.setEnabled(not busy)
        self.lot_edit.setReadOnly(busy)
        has = self.outcome is not None and self.outcome.report is not None and not busy
        self.save_pdf_button.setEnabled(has)
        self.save_csv_button.setEnabled(has)

    def _on_error(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, UserError):
            self._show_error(exc.message)
            self.summary.setText("No report.")
            return
        self.summary.setText("The report failed; see the log.")
        self._ctx.errors.report(exc, context="recall report")  # logged and shown

    def _on_result(self, outcome: RecallOutcome) -> None:
        if outcome.drill is not None:
            self.refresh_history()
        if outcome.report is None:  # a failed drill: recorded, and shown
            self.outcome = None
            self._set_busy(False)
            note = outcome.drill.notes if outcome.drill else "lot not found"
            self._show_error(note)
            self.summary.setText("Drill failed: the lot could not be found (recorded).")
            return
        self.outcome = outcome
        rep = outcome.report
        self.customers_model.set_rows(rep.customers)
        scope = rep.scope
        if isinstance(scope, RecallScope):
            self.batches_model.set_source(rep.batch_count, self._pages(batch_page, scope))
            self.shipments_model.set_source(rep.shipment_count, self._pages(shipment_page, scope))
        else:
            self.batches_model.set_rows(rep.batches)
            self.shipments_model.set_rows(rep.shipments)
        self.tabs.setTabText(0, f"Customers ({len(rep.customers):,})")
        self.tabs.setTabText(1, f"Batches ({rep.batch_count:,})")
        self.tabs.setTabText(2, f"Shipments ({rep.shipment_count:,})")
        for view in (self.customers_table, self.batches_table, self.shipments_table):
            if view.model().rowCount() <= 2000:
                view.resizeColumnsToContents()
        t = rep.totals
        text = (
            f"Lot {rep.lot.lot_code} ({rep.lot.name}): {t.batches:,} affected batches, "
            f"{t.shipments:,} shipments, {t.customers:,} customers to contact. "
            f"Still here: {t.not_shipped:,} batches never shipped, "
            f"{t.partly_shipped:,} partly shipped."
        )
        if rep.omitted_batches or rep.omitted_shipments:
            text += (
                f" The PDF lists the first {len(rep.batches):,} batches and "
                f"{len(rep.shipments):,} shipments; the CSV has every one."
            )
        if outcome.drill is not None:
            d = outcome.drill
            text = f"Mock drill #{d.id} {d.result_label.lower()} in {d.duration_ms:,} ms. " + text
        self.summary.setText(text)
        self.tabs.setCurrentIndex(0)
        self._set_busy(False)

    def _pages(
        self,
        read: Callable[[Session, RecallScope, int, int], list[Any]],
        scope: RecallScope,
    ) -> Callable[[int, int], list[Any]]:
        """Rows ``start`` to ``stop`` of the recall, read by id in a short session."""

        def page(start: int, stop: int) -> list[Any]:
            with self._sf() as s:
                return read(s, scope, start, stop)

        return page

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def refresh_history(self) -> None:
        with self._sf() as s:
            rows = drill_history(s)
        self.history_model.set_rows(rows)
        self.tabs.setTabText(3, f"Drill history ({len(rows)})")

    # -- saving ----------------------------------------------------------------------

    def default_name(self, suffix: str) -> str:
        code = self.outcome.report.lot.lot_code if self.outcome and self.outcome.report else "lot"
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in code)
        kind = "drill" if self.outcome and self.outcome.drill else "recall"
        return f"{safe}-{kind}{suffix}"

    def save_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save recall report", self.default_name(".pdf"), "PDF files (*.pdf)"
        )
        if path:
            self.save_pdf_to(path)

    def save_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save recall CSV", self.default_name(".csv"), "CSV files (*.csv)"
        )
        if path:
            self.save_csv_to(path)

    def save_pdf_to(self, path: str | Path) -> Path:
        out = _with_suffix(Path(path), ".pdf")
        assert self.outcome is not None
        out.write_bytes(self.outcome.pdf)
        self.summary.setText(self.summary.text().split(" Saved ")[0] + f" Saved {out.name}.")
        return out

    def save_csv_to(self, path: str | Path) -> Path:
        out = _with_suffix(Path(path), ".csv")
        assert self.outcome is not None
        with open(out, "w", encoding=CSV_ENCODING, newline="") as f:
            f.write(self.outcome.csv)
        self.summary.setText(self.summary.text().split(" Saved ")[0] + f" Saved {out.name}.")
        return out

    def done(self, result: int) -> None:
        self.tasks.cancel_all()
        self.tasks.wait(10_000)
        super().done(result)


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


__all__ = ["LOT_NOT_FOUND", "PagedRowsModel", "RecallDialog", "RecallOutcome", "RowsModel"]
