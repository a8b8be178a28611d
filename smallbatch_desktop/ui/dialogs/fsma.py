"""Export the FSMA 204 sortable spreadsheet for a date range.

The FDA may ask for it with 24 hours' notice; the dialog is a date range, a count of the
events it holds (so the maker sees at once whether the range is right) and Save CSV.
The events are gathered by a ``ui.tasks`` job with its own Session, since a year of a
busy workshop is hundreds of thousands of rows.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.csvsafe import CSV_ENCODING
from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.services.fsma import (
    RECEIVING,
    SHIPPING,
    TRANSFORMATION,
    CteRow,
    date_range,
    fsma_events,
    write_fsma_csv,
)
from smallbatch_desktop.ui.context import UiContext

log = logging.getLogger(__name__)


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class FsmaExportDialog(QDialog):
    """Date range in, FSMA 204 CSV out.

    Widgets (object names): ``fromDate``, ``toDate``, ``packagingCheck``,
    ``countLabel``, ``errorLabel``, ``saveButton``, ``closeButton``.  ``pool`` lets tests
    run the job synchronously.
    """

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("fsmaExportDialog")
        self.setWindowTitle("FSMA 204 export")
        self._sf = ctx.session_factory
        self.tasks = ctx.tasks.child(self)
        self.rows: list[CteRow] | None = None
        today = today or dt.date.today()

        layout = QVBoxLayout(self)
        intro = QLabel(
            "The electronic sortable spreadsheet of the FDA Food Traceability Rule: one row "
            "per receiving, transformation (one row per input lot) and shipping event in "
            "the range, with lot codes, quantities, locations and reference documents."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.from_date = QDateEdit(_qdate(today - dt.timedelta(days=365)))
        self.from_date.setObjectName("fromDate")
        self.to_date = QDateEdit(_qdate(today))
        self.to_date.setObjectName("toDate")
        for w in (self.from_date, self.to_date):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.dateChanged.connect(self.refresh)
        form.addRow("From", self.from_date)
        form.addRow("To", self.to_date)
        self.packaging = QCheckBox("Include packaging materials (not food)")
        self.packaging.setObjectName("packagingCheck")
        self.packaging.toggled.connect(self.refresh)
        form.addRow("", self.packaging)
        layout.addLayout(form)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        layout.addWidget(self.count_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setProperty("role", "formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("Save CSV…")
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.setObjectName("closeButton")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()

    def range(self) -> tuple[dt.date, dt.date]:
        """The chosen range, checked (``ValidationError`` naming ``from`` or ``to``)."""
        return date_range(_pydate(self.from_date.date()), _pydate(self.to_date.date()))

    def refresh(self) -> None:
        """Gather the events of the range in the background and show how many."""
        self.rows = None
        self.save_button.setEnabled(False)
        try:
            start, end = self.range()
        except UserError as exc:
            self._show_error(exc.message)
            self.count_label.setText("")
            return
        self._show_error("")
        self.count_label.setText("Counting events…")
        include = self.packaging.isChecked()

        def job(session: Session, _progress: Any) -> list[CteRow]:
            return fsma_events(session, start, end, include_packaging=include)

        self.tasks.submit("FSMA 204 events", job, on_result=self._on_rows, on_error=self._on_error)

    def _on_rows(self, rows: list[CteRow]) -> None:
        self.rows = rows
        counts = {k: 0 for k in (RECEIVING, TRANSFORMATION, SHIPPING)}
        events = {k: set() for k in counts}  # type: dict[str, set[str]]
        for r in rows:
            counts[r.event_type] += 1
            events[r.event_type].add(r.event_id)
        self.count_label.setText(
            f"{len(rows):,} rows: {len(events[RECEIVING]):,} receiving, "
            f"{len(events[TRANSFORMATION]):,} transformation ({counts[TRANSFORMATION]:,} input "
            f"rows), {len(events[SHIPPING]):,} shipping events"
        )
        self.save_button.setEnabled(True)

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self._show_error(exc.message)
            return
        self.count_label.setText("Counting failed; see the log.")
        reporter = getattr(self.parent(), "errors", None)
        if reporter is not None:
            reporter.report(exc, context="FSMA 204 export")
        else:
            log.error("FSMA 204 export failed", exc_info=exc)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def default_name(self) -> str:
        start, end = _pydate(self.from_date.date()), _pydate(self.to_date.date())
        return f"fsma204-{start.isoformat()}-to-{end.isoformat()}.csv"

    def save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save FSMA 204 spreadsheet", self.default_name(), "CSV files (*.csv)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str | Path) -> Path:
        """Write the gathered rows as CSV (one header row, ISO dates, injection-safe)."""
        if self.rows is None:
            raise RuntimeError("no events gathered yet")
        out = Path(path)
        if out.suffix.lower() != ".csv":
            out = out.with_name(out.name + ".csv")
        buf = io.StringIO()
        write_fsma_csv(self.rows, buf)
        with open(out, "w", encoding=CSV_ENCODING, newline="") as f:
            f.write(buf.getvalue())
        self.count_label.setText(
            self.count_label.text().split(" · saved")[0] + f" · saved {out.name}"
        )
        return out

    def done(self, result: int) -> None:
        self.tasks.cancel_all()
        self.tasks.wait(10_000)
        super().done(result)
