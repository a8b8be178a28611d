"""Qt's side of label printing: PDF pages from the one ReportLab renderer onto paper.

The renderer (``pdf.labels``) makes the PDF; Qt only rasterises it.  Each PDF page is
rendered by QtPdf into a ``QImage`` at exactly the printer's resolution (a barcode's
modules are snapped to that dot grid by the renderer, so they stay crisp), composited on
white (``QPdfDocument.render`` leaves the background transparent), and painted 1:1 at the
paper's top-left corner of a full-page ``QPrinter``, so a millimetre in the layout is a
millimetre on the label.

``pdf_to_image`` also serves the designer's and the print dialog's previews.

Painting onto a ``QImage`` or a ``QPrinter`` is allowed off the UI thread, so
``paint_pdf`` may run inside a ``ui.tasks`` job; it creates its own ``QPdfDocument``.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Callable

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

MM_PER_INCH = 25.4
PT_PER_INCH = 72.0


class PdfLoadError(RuntimeError):
    """QtPdf could not open the renderer's PDF (a bug: the renderer wrote it)."""


class _LoadedPdf:
    """A ``QPdfDocument`` loaded from bytes through a temporary file.

    ``QPdfDocument.load(QIODevice)`` may load asynchronously; loading a file is
    synchronous, which a worker thread without an event loop needs.
    """

    def __init__(self, pdf: bytes) -> None:
        fd, self._path = tempfile.mkstemp(prefix="smallbatch-", suffix=".pdf")
        with os.fdopen(fd, "wb") as f:
            f.write(pdf)
        self.doc = QPdfDocument()
        err = self.doc.load(self._path)
        if err != QPdfDocument.Error.None_:
            self.close()
            raise PdfLoadError(f"QtPdf could not read the label PDF: {err.name}")

    def close(self) -> None:
        self.doc.close()
        with contextlib.suppress(OSError):
            os.unlink(self._path)

    def __enter__(self) -> QPdfDocument:
        return self.doc

    def __exit__(self, *exc: object) -> None:
        self.close()


def page_pixels(size_pt: QSizeF, dpi: float) -> QSize:
    """A page's size in device pixels at ``dpi``, rounded up to whole pixels."""
    return QSize(
        max(1, math.ceil(size_pt.width() * dpi / PT_PER_INCH - 1e-6)),
        max(1, math.ceil(size_pt.height() * dpi / PT_PER_INCH - 1e-6)),
    )


def render_page(doc: QPdfDocument, page: int, size: QSize) -> QImage:
    """One page of ``doc`` as an opaque RGB image of ``size``, on white."""
    raw = doc.render(page, size)
    out = QImage(size, QImage.Format.Format_RGB32)
    out.fill(QColor("white"))
    painter = QPainter(out)
    painter.drawImage(0, 0, raw)
    painter.end()
    return out


def pdf_to_image(pdf: bytes, *, page: int = 0, dpi: float = 150) -> QImage:
    """A page of PDF bytes as an opaque image at ``dpi`` (previews)."""
    with _LoadedPdf(pdf) as doc:
        if page >= doc.pageCount():
            raise PdfLoadError(f"the PDF has no page {page + 1}")
        return render_page(doc, page, page_pixels(doc.pagePointSize(page), dpi))


def configure_printer(
    printer: QPrinter, page_width_mm: float, page_height_mm: float, dpi: int
) -> None:
    """Paper of the stock's page size, no margins, full page, at ``dpi``.

    ``QPrinter`` defaults to 1200 dpi in high-resolution mode; the renderer snapped the
    barcodes to the profile's dots, so the printer must use that resolution.
    """
    printer.setResolution(int(dpi))
    printer.setFullPage(True)
    size = QPageSize(
        QSizeF(page_width_mm, page_height_mm),
        QPageSize.Unit.Millimeter,
        "",
        QPageSize.SizeMatchPolicy.ExactMatch,
    )
    layout = QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    layout.setMode(QPageLayout.Mode.FullPageMode)
    printer.setPageLayout(layout)


def paint_pdf(
    pdf: bytes,
    printer: QPrinter,
    *,
    dpi: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Print every page of ``pdf`` on ``printer``, one printer page per PDF page.

    ``printer`` must already be set up (``configure_printer``).  Pages are rendered at
    the printer's resolution (``dpi`` overrides it for the raster) and painted from the
    paper's top-left corner.  ``progress(done, total)`` runs after each page and may
    raise (``ui.tasks.Cancelled``) to stop; the pages painted so far are still sent, as
    with any printer.  Returns the number of pages painted.
    """
    res = dpi or printer.resolution()
    with _LoadedPdf(pdf) as doc:
        pages = doc.pageCount()
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be opened (is it connected?)")
        painted = 0
        try:
            scale = printer.resolution() / res
            for i in range(pages):
                if i:
                    printer.newPage()
                size = page_pixels(doc.pagePointSize(i), res)
                image = render_page(doc, i, size)
                target = QRectF(0, 0, size.width() * scale, size.height() * scale)
                painter.drawImage(target, image)
                painted += 1
                if progress is not None:
                    progress(painted, pages)
        finally:
            painter.end()
        return painted
