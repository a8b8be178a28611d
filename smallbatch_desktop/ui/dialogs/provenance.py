"""Preview, print and save a batch's provenance sheet or its customer card.

The dialog shows exactly the PDF the command line writes: one renderer
(``pdf.provenance``), fed the same ``BatchRecord`` (``services.reports``), displayed
by QtPdf.  Printing rasterises those PDF pages at the printer's resolution (set
explicitly: ``QPrinter`` defaults to 1200 dpi, which makes a 30 MB spool file per
page for no gain) through ``ui.printing``, which paints each page on white because
``QPdfDocument.render`` leaves the background transparent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtGui import QCloseEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.records import BatchRecord
from smallbatch_desktop.pdf.common import glyph_warnings
from smallbatch_desktop.pdf.provenance import render_provenance_card, render_provenance_sheet
from smallbatch_desktop.services.reports import batch_record
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.text import plain
from smallbatch_desktop.ui.widgets.tips import plain_tip

log = logging.getLogger(__name__)

#: the resolution sheets and cards are printed at: sharp text and barcodes, small spool
PRINT_DPI = 300


class PdfPreview(QPdfView):
    """A ``QPdfView`` showing PDF bytes, loaded synchronously through a temporary file.

    ``QPdfDocument.load(QIODevice)`` may finish later; a file loads at once, so the
    page count is known as soon as ``set_pdf`` returns (and in tests).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.setObjectName("pdfView")
        # The document must outlive the view: parented to the view, it is deleted in the
        # view's own destructor while QPdfView still refers to it (a crash at teardown).
        # Parented to the view's parent, it is created after the view and deleted after it.
        self.document_ = QPdfDocument(parent) if parent is not None else QPdfDocument()
        self.setDocument(self.document_)
        self.setPageMode(QPdfView.PageMode.MultiPage)
        self.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._path: str | None = None

    def set_pdf(self, pdf: bytes) -> None:
        self.document_.close()
        self._drop_file()
        fd, self._path = tempfile.mkstemp(prefix="smallbatch-preview-", suffix=".pdf")
        with os.fdopen(fd, "wb") as f:
            f.write(pdf)
        err = self.document_.load(self._path)
        if err != QPdfDocument.Error.None_:
            raise RuntimeError(f"QtPdf could not read the generated PDF: {err.name}")

    def page_count(self) -> int:
        return self.document_.pageCount()

    def release(self) -> None:
        self.document_.close()
        self._drop_file()

    def _drop_file(self) -> None:
        if self._path:
            with contextlib.suppress(OSError):
                os.unlink(self._path)
            self._path = None


class ProvenanceDialog(QDialog):
    """The provenance sheet (or, toggled, the customer card) of one batch.

    Widgets (object names): ``cardToggle``, ``pdfView``, ``printButton``,
    ``saveButton``, ``closeButton``, ``statusLabel``.  ``pdf_bytes`` holds what is shown.
    """

    def __init__(
        self,
        ctx: UiContext,
        batch_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("provenanceDialog")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self.batch_id = batch_id
        with self._sf() as s:
            self.record: BatchRecord = batch_record(s, batch_id)
        self.pdf_bytes = b""
        self.setWindowTitle(f"Provenance sheet: {self.record.product}, lot {self.record.lot_code}")
        self.resize(860, 960)

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.card_toggle = QCheckBox("Customer card")
        self.card_toggle.setObjectName("cardToggle")
        self.card_toggle.setToolTip(
            "A one-page card for customers: where the ingredients came from, "
            "the maker's note and a QR code"
        )
        self.card_toggle.toggled.connect(self._render)
        bar.addWidget(self.card_toggle)
        self.pdfa_toggle = QCheckBox("Archive (PDF/A)")
        self.pdfa_toggle.setObjectName("pdfaToggle")
        self.pdfa_toggle.setToolTip(
            "Save the batch record as PDF/A-2b, the archive format inspectors and "
            "document systems accept: every font embedded, colour profile and metadata"
        )
        self.pdfa_toggle.toggled.connect(self._render)
        bar.addWidget(self.pdfa_toggle)
        bar.addStretch(1)
        self.status = plain(QLabel())
        self.status.setObjectName("statusLabel")
        bar.addWidget(self.status)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("printButton")
        self.print_button.clicked.connect(self.print_)
        self.save_button = QPushButton("Save PDF…")
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.setObjectName("closeButton")
        close.clicked.connect(self.accept)
        for b in (self.print_button, self.save_button, close):
            bar.addWidget(b)
        layout.addLayout(bar)
        self.preview = PdfPreview(self)  # creates its document as a child of the dialog
        layout.addWidget(self.preview, 1)
        self._render()

    def done(self, result: int) -> None:
        self.preview.release()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.preview.release()
        super().closeEvent(event)

    @property
    def is_card(self) -> bool:
        return self.card_toggle.isChecked()

    def _render(self) -> None:
        self.pdfa_toggle.setEnabled(not self.is_card)
        if self.is_card:
            self.pdf_bytes = render_provenance_card(self.record)
        else:
            self.pdf_bytes = render_provenance_sheet(self.record, pdfa=self.pdfa_toggle.isChecked())
        self.preview.set_pdf(self.pdf_bytes)
        n = self.preview.page_count()
        what = "Card" if self.is_card else "Sheet"
        self.status.setText(f"{what}: {n} page{'s' if n != 1 else ''}")
        warnings = glyph_warnings(self.record)
        if warnings:
            self.status.setText(f"{self.status.text()}. Warning: {warnings[0]}")
            self.status.setToolTip(plain_tip("\n".join(warnings)))

    def default_file_name(self) -> str:
        kind = "card" if self.is_card else "provenance"
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in self.record.lot_code)
        return f"{safe}-{kind}.pdf"

    # -- save ------------------------------------------------------------------------

    def save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save PDF", self.default_file_name(), "PDF files (*.pdf)"
        )
        if path:
            self.save_to(path)

    def save_to(self, path: str | Path) -> Path:
        out = Path(path)
        if out.suffix.lower() != ".pdf":
            out = out.with_suffix(out.suffix + ".pdf") if out.suffix else out.with_suffix(".pdf")
        out.write_bytes(self.pdf_bytes)
        self.status.setText(f"Saved {out.name}")
        return out

    # -- print -----------------------------------------------------------------------

    def make_printer(self) -> QPrinter:
        """A printer at ``PRINT_DPI`` with the document's page size, no extra margins."""
        from smallbatch_desktop.ui.printing import configure_printer

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        size = self.preview.document_.pagePointSize(0)
        configure_printer(printer, size.width() * 25.4 / 72, size.height() * 25.4 / 72, PRINT_DPI)
        printer.setDocName(self.default_file_name())
        return printer

    def print_(self) -> None:
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("printDialog")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        """Paint every page on ``printer`` (already set up); returns the pages printed."""
        from smallbatch_desktop.ui.printing import paint_pdf

        if printer.resolution() != PRINT_DPI:
            printer.setResolution(PRINT_DPI)
        try:
            n = paint_pdf(self.pdf_bytes, printer)
        except (OSError, UserError) as exc:
            self.status.setText(str(exc))
            raise
        self.status.setText(f"Printed {n} page{'s' if n != 1 else ''}")
        return n
