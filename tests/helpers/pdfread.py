"""Read PDFs back the way a person and a scanner would: rendered pages and decoded barcodes.

Shared by the label and the report tests.  Pages are rendered by pdfium (an engine
independent of ReportLab, which wrote them) at a chosen resolution, such as a thermal
printer's 203 dpi, and every barcode on a page is decoded by zxing-cpp, so a test compares
what a scanner would read with what was meant to be printed.

    from helpers.pdfread import decode_pdf, render_pages

    for code in decode_pdf(pdf_bytes, dpi=203):
        assert code.text == expected[code.page]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Decoded:
    """One decoded barcode: page index, content and where it was found (mm, top-left)."""

    page: int
    text: str
    format: str  # zxing-cpp format name: "Code128", "DataMatrix", "QRCode"...
    content_type: Any  # zxingcpp.ContentType (GS1, Text, Binary...)
    symbology_identifier: str
    raw: bytes
    x: float  # centre of the symbol, mm from the page's left edge
    y: float  # centre of the symbol, mm from the page's top edge

    @property
    def is_gs1(self) -> bool:
        import zxingcpp

        return bool(self.content_type == zxingcpp.ContentType.GS1)


def page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def render_pages(
    pdf: bytes, dpi: float = 300, *, pages: Iterable[int] | None = None, grayscale: bool = True
) -> list[Any]:
    """PIL images of the chosen pages (all by default), rendered on white at ``dpi``.

    Like a printer, the page is scaled by exactly ``dpi / 72`` from its top-left corner
    and the bitmap is the page size rounded up to whole pixels.  (pypdfium2's own
    ``render`` stretches the page to fill the rounded-up bitmap, which drifts a symbol
    snapped to a 203 dpi grid by a fraction of a dot across its width.)
    """
    import math

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    scale = dpi / 72.0
    fmt = raw.FPDFBitmap_Gray if grayscale else raw.FPDFBitmap_BGR
    doc = pdfium.PdfDocument(pdf)
    try:
        indexes = range(len(doc)) if pages is None else list(pages)
        out = []
        for i in indexes:
            page = doc[i]
            w, h = page.get_size()
            wpx, hpx = math.ceil(w * scale - 1e-6), math.ceil(h * scale - 1e-6)
            bitmap = pdfium.PdfBitmap.new_native(wpx, hpx, fmt)
            bitmap.fill_rect((255, 255, 255, 255), 0, 0, wpx, hpx)
            matrix = raw.FS_MATRIX(scale, 0, 0, scale, 0, 0)
            clip = raw.FS_RECTF(0, 0, wpx, hpx)
            raw.FPDF_RenderPageBitmapWithMatrix(bitmap, page, matrix, clip, raw.FPDF_ANNOT)
            out.append(bitmap.to_pil())
            page.close()
        return out
    finally:
        doc.close()


def decode_image(image: Any, *, page: int = 0, dpi: float = 300) -> list[Decoded]:
    """Every barcode zxing-cpp finds in a PIL image, with its position in mm."""
    import zxingcpp

    found = []
    for b in zxingcpp.read_barcodes(image):
        pos = b.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        found.append(
            Decoded(
                page=page,
                text=b.text,
                format=b.format.name,
                content_type=b.content_type,
                symbology_identifier=b.symbology_identifier,
                raw=bytes(b.bytes),
                x=sum(xs) / 4 * MM_PER_INCH / dpi,
                y=sum(ys) / 4 * MM_PER_INCH / dpi,
            )
        )
    return found


def decode_pdf(
    pdf: bytes, dpi: float = 300, *, pages: Iterable[int] | None = None
) -> list[Decoded]:
    """Every barcode on every (chosen) page, in page order then reading order."""
    out: list[Decoded] = []
    indexes = list(range(page_count(pdf))) if pages is None else list(pages)
    for i, image in zip(indexes, render_pages(pdf, dpi, pages=indexes), strict=True):
        found = decode_image(image, page=i, dpi=dpi)
        found.sort(key=lambda d: (round(d.y), d.x))
        out.extend(found)
    return out


def save_pngs(pdf: bytes, prefix: str, dpi: float = 150) -> list[str]:
    """Write each page as ``<prefix>-<n>.png`` (for looking at output while debugging)."""
    paths = []
    for i, image in enumerate(render_pages(pdf, dpi, grayscale=False)):
        path = f"{prefix}-{i + 1}.png"
        image.save(path)
        paths.append(path)
    return paths
