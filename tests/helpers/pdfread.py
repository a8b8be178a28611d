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


@dataclass(frozen=True)
class FontUse:
    """One font a PDF page uses, as a preflight tool (qpdf, pdffonts) lists it."""

    page: int
    name: str  # the BaseFont, e.g. "AAAAAA+DejaVuSans"
    subtype: str  # Type0, TrueType, Type1...
    embedded: bool  # a FontFile, FontFile2 or FontFile3 stream in its descriptor
    subset: bool  # the name carries a six-capital-letter subset tag

    @property
    def ok(self) -> bool:
        return self.embedded and self.subset


def fonts_of(pdf: bytes) -> list[FontUse]:
    """Every font in every page's resources, form XObjects and annotations included.

    Read with pikepdf (qpdf), independently of ReportLab that wrote the file.  A font
    counts as embedded when its descriptor (or, for a Type0 font, its descendant's) holds
    a font program; a Type3 font is its own glyph procedures and counts as embedded.
    """
    import io
    import re

    import pikepdf

    found: list[FontUse] = []
    seen: set[tuple[int, int, int]] = set()

    def visit_resources(page_no: int, res: Any) -> None:
        if res is None:
            return
        fonts = res.get("/Font")
        if fonts is not None:
            for _key, font in fonts.items():
                key = (page_no, *font.objgen)
                if font.objgen != (0, 0) and key in seen:
                    continue
                seen.add(key)
                found.append(_font_use(page_no, font))
        xobjects = res.get("/XObject")
        if xobjects is not None:
            for _key, xo in xobjects.items():
                if xo.get("/Subtype") == "/Form":
                    visit_resources(page_no, xo.get("/Resources"))

    def _font_use(page_no: int, font: Any) -> FontUse:
        subtype = str(font.get("/Subtype", "/?"))[1:]
        name = str(font.get("/BaseFont", "/?"))[1:]
        if subtype == "Type3":
            return FontUse(page_no, name, subtype, True, True)
        desc = font.get("/FontDescriptor")
        if subtype == "Type0":
            desc = font["/DescendantFonts"][0].get("/FontDescriptor")
        embedded = desc is not None and any(
            k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        return FontUse(page_no, name, subtype, embedded, bool(re.match(r"[A-Z]{6}\+", name)))

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for i, page in enumerate(doc.pages):
            visit_resources(i, page.obj.get("/Resources"))
            for annot in page.obj.get("/Annots", []):
                ap = annot.get("/AP")
                if ap is not None and ap.get("/N") is not None:
                    visit_resources(i, ap["/N"].get("/Resources"))
    return found
