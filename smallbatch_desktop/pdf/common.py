"""What the provenance sheet, the card and the recall report share.

- **Escaping.** User text goes into ReportLab ``Paragraph`` markup, which is XML: a
  material called ``<b>Salt & Co</b>`` would turn bold (or break the parser) unless
  escaped.  :func:`esc` is the only way user text enters markup.  Plain-string table cells
  (:func:`wrap`) are not parsed as markup and need no escaping.
- **Time.** Timestamps are stored in UTC and shown in the reader's local time with the
  zone (``2026-03-02 14:05 CET``), because a recall coordinator compares them with
  e-mails and phone calls in local time.  Renderers take a ``tz`` so tests can pin it.
- **Page furniture.** :class:`FooterCanvas` writes "page x of y" and the generated-at
  line on every page once the page count is known (ReportLab's two-pass "numbered
  canvas" pattern), plus a running header from page 2 on.
- **Barcodes.** zxing-cpp encodes (the same library that reads them back in the tests);
  :class:`SymbolFlowable` draws its module matrix as vector rectangles, one PDF path per
  symbol: sharp at any zoom and on any printer, and far cheaper than ReportLab's QR
  widget.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from smallbatch_desktop.domain.units import format_quantity
from smallbatch_desktop.pdf.fonts import SANS, SANS_BOLD, SANS_ITALIC, register_fonts

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef1f4")
ACCENT = colors.HexColor("#7b341e")
ACCENT_LIGHT = colors.HexColor("#fbf3ec")
PASS = colors.HexColor("#1e6b34")
FAIL = colors.HexColor("#b42318")

# Control characters other than newline and tab mean nothing on paper and some of them
# upset the PDF text operators; they become a visible replacement mark.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --------------------------------------------------------------------------- text


def clean(text: object) -> str:
    """User text as printable plain text: control characters shown as U+FFFD, tabs as spaces."""
    s = "" if text is None else str(text)
    return _CONTROL.sub("\ufffd", s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def esc(text: object) -> str:
    """User text made safe for Paragraph markup: XML-escaped, line breaks kept."""
    return _xml_escape(clean(text)).replace("\n", "<br/>")


def qty(value: Decimal | None, unit: str = "") -> str:
    """An exact quantity as people write it: ``1.500000`` kg -> ``1.5 kg``."""
    return "" if value is None else format_quantity(value, unit)


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def local_time(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    """A stored UTC timestamp in local time with its zone: ``2026-03-02 14:05 CET``.

    ``tz=None`` means the computer's zone.  When the zone has no abbreviation (some
    systems print ``+0530``), the UTC offset is shown instead.
    """
    if value is None:
        return ""
    if value.tzinfo is None:  # stored values are aware; be forgiving with callers
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(tz) if tz is not None else value.astimezone()
    name = local.tzname() or ""
    if not name or name[0] in "+-" or (name.startswith("UTC") and name != "UTC"):
        off = local.strftime("%z")
        name = f"UTC{off[:3]}:{off[3:]}" if off else "UTC"
    return f"{local:%Y-%m-%d %H:%M} {name}"


def wrap(text: object, width: float, *, font: str = SANS, size: float = 7.5) -> str:
    """Plain text broken into lines that fit ``width`` points, for plain-string table cells.

    Plain strings in a ``Table`` are drawn as they are (no markup, so no escaping) and
    are far cheaper than Paragraphs, which matters for a recall report of ten thousand
    rows.  A word longer than the column is broken by characters, never cut off.
    """
    s = clean(text)
    if not s:
        return ""
    # no ASCII glyph of DejaVu Sans (nor the path arrow) is wider than 1.1 em: short
    # text fits without measuring, which skips most cells of a long recall
    if len(s) * size * 1.1 <= width and "\n" not in s and s.replace("→", "").isascii():
        return s
    return _wrap_cached(s, width, font, size)


@lru_cache(maxsize=65536)
def _wrap_cached(s: str, width: float, font: str, size: float) -> str:
    """:func:`wrap` for text that needs measuring (product names repeat: cached)."""
    register_fonts()
    lines: list[str] = []
    for para in s.split("\n"):
        if stringWidth(para, font, size) <= width:
            lines.append(para)
            continue
        for line in simpleSplit(para, font, size, width):
            while stringWidth(line, font, size) > width and len(line) > 1:
                cut = _fit_chars(line, width, font, size)
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
    return "\n".join(lines)


def _fit_chars(text: str, width: float, font: str, size: float) -> int:
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stringWidth(text[:mid], font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of our documents (DejaVu Sans, embedded)."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    head: ParagraphStyle
    right: ParagraphStyle
    muted: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    register_fonts()
    base = ParagraphStyle("sb-body", fontName=SANS, fontSize=9, leading=11.5, textColor=INK)
    cell = ParagraphStyle("sb-cell", parent=base, fontSize=7.5, leading=9.2)
    return Styles(
        title=ParagraphStyle(
            "sb-title", parent=base, fontName=SANS_BOLD, fontSize=17, leading=21, spaceAfter=2
        ),
        subtitle=ParagraphStyle("sb-subtitle", parent=base, fontSize=10.5, leading=13),
        h2=ParagraphStyle(
            "sb-h2",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=9,
            spaceAfter=4,
            textColor=ACCENT,
            keepWithNext=1,
        ),
        body=base,
        small=ParagraphStyle("sb-small", parent=base, fontSize=8, leading=10),
        cell=cell,
        cell_bold=ParagraphStyle("sb-cell-bold", parent=cell, fontName=SANS_BOLD),
        head=ParagraphStyle(
            "sb-head", parent=cell, fontName=SANS_BOLD, textColor=INK, alignment=TA_LEFT
        ),
        right=ParagraphStyle("sb-right", parent=cell, alignment=TA_RIGHT),
        muted=ParagraphStyle("sb-muted", parent=base, fontSize=8, leading=10, textColor=MUTED),
    )


#: A table look shared by every grid in our documents: shaded bold header, hairlines.
def grid_style(header_rows: int = 1) -> list[tuple[Any, ...]]:
    register_fonts()
    return [
        ("FONT", (0, 0), (-1, -1), SANS, 7.5, 9.2),
        ("FONT", (0, 0), (-1, header_rows - 1), SANS_BOLD, 7.5, 9.2),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("LINEBELOW", (0, 0), (-1, header_rows - 1), 0.8, INK),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]


# --------------------------------------------------------------------------- long tables

_CELL_SIZE = 7.5
_CELL_LEADING = 9.2
_TOP_PAD, _BOTTOM_PAD, _SIDE_PAD = 2.0, 2.5, 3.0


class _TextOps:
    """PDF text-showing operators for strings in one embedded TrueType font, cached.

    ReportLab's ``drawString`` re-encodes, re-measures and re-formats every string; a
    recall report of 50,000 rows spends most of its time there.  Here each distinct
    string is encoded once per document (``splitString`` assigns the font-subset codes
    exactly as ``drawString`` would, so the embedded subsets are the same) and later
    draws are one dictionary lookup and one formatted position.
    """

    def __init__(self, canv: Canvas, font_name: str, size: float) -> None:
        from reportlab.pdfbase.pdfmetrics import getFont

        self.canv = canv
        self.doc = canv._doc
        self.font = getFont(font_name)
        self.size = f"{size:g}"
        canv.setFont(font_name, size)  # registers the font with the document
        self._cache: dict[str, str] = {}

    def show(self, text: str) -> str:
        ops = self._cache.get(text)
        if ops is None:
            parts = []
            for subset, chunk in self.font.splitString(text, self.doc):
                name = self.font.getSubsetInternalName(subset, self.doc)
                parts.append(f"{name} {self.size} Tf ({self.canv._escape(chunk)}) Tj")
            ops = " ".join(parts)
            self._cache[text] = ops
        return ops


def _text_ops(canv: Canvas, font_name: str, size: float) -> _TextOps:
    cache: dict[tuple[str, float], _TextOps] = canv.__dict__.setdefault("_sb_text_ops", {})
    ops = cache.get((font_name, size))
    if ops is None or ops.doc is not canv._doc:
        ops = cache[(font_name, size)] = _TextOps(canv, font_name, size)
    return ops


def _rgb(c: colors.Color) -> str:
    return f"{c.red:.3f} {c.green:.3f} {c.blue:.3f}"


class PagedTable(Flowable):
    """A very long table of plain-string rows: linear-time paging, fast drawing.

    ReportLab's ``Table`` re-measures and copies all remaining rows at every page break
    (quadratic: a 27,000-row recall took minutes) and draws each cell through the
    general text machinery.  Here the rows are wrapped by the caller once, their heights
    summed once (prefix sums), a page break is a binary search, and each page's rows are
    written straight into the content stream with cached encodings (:class:`_TextOps`).
    It looks like ``grid_style``: shaded bold header repeated on every page, hairlines.
    Cells are plain text, never markup, so user text needs no escaping here.
    """

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float],
        *,
        right_align: Iterable[int] = (),
        _shared: tuple[list[list[str]], list[float]] | None = None,
        _start: int = 0,
        _end: int | None = None,
    ) -> None:
        super().__init__()
        self.header = [h.split("\n") for h in header]
        self.col_widths = list(col_widths)
        self.right_align = frozenset(right_align)
        if _shared is None:
            data = [list(r) for r in rows]
            cum = [0.0]
            for r in data:
                lines = max((c.count("\n") + 1 for c in r if c), default=1)
                cum.append(cum[-1] + lines * _CELL_LEADING + _TOP_PAD + _BOTTOM_PAD)
            _shared = (data, cum)
        self._data, self._cum = _shared
        self._start = _start
        self._end = len(self._data) if _end is None else _end
        lines = max((len(h) for h in self.header), default=1)
        self._header_h = lines * _CELL_LEADING + _TOP_PAD + _BOTTOM_PAD
        self.width = sum(self.col_widths)
        self.height = self._header_h + self._cum[self._end] - self._cum[self._start]
        self.hAlign = "LEFT"

    def _part(self, start: int, end: int) -> PagedTable:
        part = PagedTable(
            (),
            (),
            self.col_widths,
            right_align=self.right_align,
            _shared=(self._data, self._cum),
            _start=start,
            _end=end,
        )
        part.header = self.header
        part._header_h = self._header_h
        part.height = self._header_h + self._cum[end] - self._cum[start]
        return part

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        import bisect

        limit = self._cum[self._start] + availHeight - self._header_h
        end = bisect.bisect_right(self._cum, limit + 1e-6, lo=self._start, hi=self._end + 1) - 1
        if end <= self._start:
            return []  # not even one row fits: the frame moves on to the next page
        if end >= self._end:
            return [self]
        return [self._part(self._start, end), self._part(end, self._end)]

    def draw(self) -> None:
        register_fonts()
        canv = self.canv
        regular = _text_ops(canv, SANS, _CELL_SIZE)
        bold = _text_ops(canv, SANS_BOLD, _CELL_SIZE)
        xs = [0.0]
        for w in self.col_widths:
            xs.append(xs[-1] + w)
        width, height = self.width, self.height
        code: list[str] = ["q"]
        # header: shade, bold text, rule
        code.append(
            f"{_rgb(SHADE)} rg 0 {height - self._header_h:.2f} {width:.2f} {self._header_h:.2f} re f"
        )
        code.append(f"{_rgb(INK)} rg BT")
        self._row_text(code, bold, self.header, height, xs)
        top = height - self._header_h
        base = self._cum[self._start]
        for i in range(self._start, self._end):
            row_top = top - (self._cum[i] - base)
            self._row_text(
                code, regular, [c.split("\n") if c else [] for c in self._data[i]], row_top, xs
            )
        code.append("ET")
        # rules: strong under the header, hairlines under each row
        code.append(f"{_rgb(INK)} RG 0.8 w 0 {top:.2f} m {width:.2f} {top:.2f} l S")
        code.append(f"{_rgb(RULE)} RG 0.25 w")
        for i in range(self._start + 1, self._end + 1):
            y = top - (self._cum[i] - base)
            code.append(f"0 {y:.2f} m {width:.2f} {y:.2f} l")
        code.append("S Q")
        canv._code.append("\n".join(code))

    def _row_text(
        self,
        code: list[str],
        ops: _TextOps,
        cells: list[list[str]],
        row_top: float,
        xs: list[float],
    ) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        first = row_top - _TOP_PAD - _CELL_SIZE
        for col, lines in enumerate(cells):
            if col >= len(xs) - 1:
                break
            for k, line in enumerate(lines):
                if not line:
                    continue
                if col in self.right_align:
                    x = xs[col + 1] - _SIDE_PAD - stringWidth(line, ops.font.fontName, _CELL_SIZE)
                else:
                    x = xs[col] + _SIDE_PAD
                y = first - k * _CELL_LEADING
                code.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm {ops.show(line)}")


# --------------------------------------------------------------------------- pages

#: Where a renderer writes its PDF besides returning the bytes: a path, a binary file, or
#: nowhere.
Output = str | Path | IO[bytes] | None


def finish_pdf(buf: io.BytesIO, out: Output) -> bytes:
    """The document's bytes, also written to ``out`` when one is given."""
    data = buf.getvalue()
    if out is None:
        return data
    if isinstance(out, (str, Path)):
        Path(out).write_bytes(data)
    else:
        out.write(data)
    return data


_A85_LOCK = threading.Lock()


class FooterCanvas(Canvas):
    """A canvas that knows the page count: "page x of y" and a generated-at line.

    Pages are kept as saved states until ``save()``, then the footer (and, from page 2,
    a running header naming the document) is drawn on each.  Subclass-free use through
    :func:`footer_canvas` which binds the texts.
    """

    footer_left: str = ""
    header_text: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Draw the furniture on every kept page, then write the file.

        Pages are written without ReportLab's ASCII85 stream filter (25 % bigger, and
        pure Python without the optional C accelerator: seconds on a long recall).  Our
        PDFs go to files and printers, never through 7-bit channels.  ``rl_config.useA85``
        is read while pages are emitted and saved, hence the brief, locked override.
        """
        from reportlab import rl_config

        total = len(self._pages)
        with _A85_LOCK:
            old = rl_config.useA85
            rl_config.useA85 = 0
            try:
                for state in self._pages:
                    self.__dict__.update(state)
                    self._draw_furniture(total)
                    super().showPage()
                super().save()
            finally:
                rl_config.useA85 = old

    def _draw_furniture(self, total: int) -> None:
        width, _height = self._pagesize
        margin = 15 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(margin, 12 * mm, width - margin, 12 * mm)
        self.setFont(SANS, 7)
        self.setFillColor(MUTED)
        self.drawString(margin, 8.5 * mm, self.footer_left)
        self.drawRightString(width - margin, 8.5 * mm, f"Page {self._pageNumber} of {total}")
        if self._pageNumber > 1 and self.header_text:
            _w, height = self._pagesize
            self.drawString(margin, height - 10 * mm, self.header_text)
            self.line(margin, height - 11.5 * mm, width - margin, height - 11.5 * mm)
        self.restoreState()


def flow_document(
    buf: Any,
    pagesize: tuple[float, float],
    *,
    margin: float,
    top: float,
    bottom: float,
    invariant: bool,
    **meta: str,
) -> BaseDocTemplate:
    """A one-frame document whose frame has no inner padding, so tables drawn to the
    body width line up exactly with headings (SimpleDocTemplate pads its frame 6 pt)."""
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=top,
        bottomMargin=bottom,
        invariant=1 if invariant else 0,
        creator="Smallbatch Desktop",
        **meta,
    )
    frame = Frame(
        margin,
        bottom,
        pagesize[0] - 2 * margin,
        pagesize[1] - top - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc


def footer_canvas(footer_left: str, header_text: str = "") -> type[FooterCanvas]:
    """A :class:`FooterCanvas` class with its texts bound (what ``build(canvasmaker=)`` takes)."""
    register_fonts()
    return type(
        "BoundFooterCanvas",
        (FooterCanvas,),
        {"footer_left": clean(footer_left), "header_text": clean(header_text)},
    )


# --------------------------------------------------------------------------- barcodes


@dataclass(frozen=True)
class ModuleMatrix:
    """An encoded symbol: dark rectangles in module units, origin top-left."""

    cols: int
    rows: int
    rects: tuple[tuple[int, int, int, int], ...]  # x, y (from top), width, height
    linear: bool


_FORMATS = {"code128": ("Code128", True, 10), "qr": ("QRCode", False, 4)}


@lru_cache(maxsize=512)
def module_matrix(symbology: str, content: str) -> ModuleMatrix:
    """Encode ``content`` with zxing-cpp; runs of dark modules merged into rectangles."""
    import zxingcpp

    fmt_name, linear, _quiet = _FORMATS[symbology]
    fmt = getattr(zxingcpp.BarcodeFormat, fmt_name)
    image = zxingcpp.create_barcode(content, fmt).to_image(scale=1, add_quiet_zones=False)
    height, width = int(image.shape[0]), int(image.shape[1])
    data = bytes(memoryview(image))  # type: ignore[arg-type]
    dark = re.compile(rb"[\x00-\x7f]+")
    rects: list[tuple[int, int, int, int]] = []
    if linear:
        rects = [(m.start(), 0, m.end() - m.start(), 1) for m in dark.finditer(data[:width])]
        return ModuleMatrix(width, 1, tuple(rects), True)
    open_runs: dict[tuple[int, int], int] = {}
    for r in range(height):
        row = data[r * width : (r + 1) * width]
        current = {(m.start(), m.end() - m.start()) for m in dark.finditer(row)}
        for key in [k for k in open_runs if k not in current]:
            top = open_runs.pop(key)
            rects.append((key[0], top, key[1], r - top))
        for key in current:
            open_runs.setdefault(key, r)
    rects.extend((k[0], top, k[1], height - top) for k, top in open_runs.items())
    rects.sort(key=lambda t: (t[1], t[0]))
    return ModuleMatrix(width, height, tuple(rects), False)


class SymbolFlowable(Flowable):
    """A Code 128 or QR symbol as vector rectangles, quiet zones included in its size.

    ``module`` is the narrow bar / cell size in points.  Code 128 at 0.33 mm per module
    (the GS1 nominal X-dimension) scans from paper with any workshop scanner; QR at
    0.6 mm per cell from a phone at arm's length.  ``caption`` prints under a linear
    symbol (the human-readable lot code).
    """

    def __init__(
        self,
        symbology: str,
        content: str,
        *,
        module: float,
        bar_height: float = 12 * mm,
        caption: str = "",
        caption_size: float = 8,
        align: str = "LEFT",
    ) -> None:
        super().__init__()
        if symbology not in _FORMATS:
            raise ValueError(f"unknown symbology {symbology!r}")
        self.symbology = symbology
        self.content = content
        self.matrix = module_matrix(symbology, content)
        self.module = module
        self.quiet = _FORMATS[symbology][2]
        self.bar_height = bar_height if self.matrix.linear else self.matrix.rows * module
        self.caption = clean(caption)
        self.caption_size = caption_size
        self.hAlign = align
        self.width = (self.matrix.cols + 2 * self.quiet) * module
        q = 0 if self.matrix.linear else self.quiet * module
        self.height = self.bar_height + 2 * q + (caption_size + 3 if self.caption else 0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        m = self.module
        quiet = self.quiet * m
        text_h = self.caption_size + 3 if self.caption else 0
        y0 = text_h + (0 if self.matrix.linear else quiet)
        c.saveState()
        c.setFillColor(colors.black)
        c.setStrokeColor(colors.black)
        path = c.beginPath()
        rows = self.matrix.rows
        for x, y, w, h in self.matrix.rects:
            if self.matrix.linear:
                path.rect(quiet + x * m, y0, w * m, self.bar_height)
            else:
                path.rect(quiet + x * m, y0 + (rows - y - h) * m, w * m, h * m)
        c.drawPath(path, stroke=0, fill=1)
        if self.caption:
            register_fonts()
            c.setFont(SANS, self.caption_size)
            c.drawCentredString(self.width / 2, 1.5, self.caption)
        c.restoreState()


def symbol_or_text(
    symbology: str, content: str, *, module: float, bar_height: float = 12 * mm, caption: str = ""
) -> Flowable:
    """The symbol, or when the encoder refuses the content (say, a character Code 128
    cannot hold), a short printed note: a sheet must still print for the recall file."""
    from reportlab.platypus import Paragraph

    try:
        return SymbolFlowable(
            symbology, content, module=module, bar_height=bar_height, caption=caption
        )
    except Exception:  # encoder errors are plain ValueError/RuntimeError from zxing-cpp
        return Paragraph(
            f"{esc(caption or content)} <i>(no barcode: the code holds characters "
            f"{esc(symbology)} cannot encode)</i>",
            styles().small,
        )


def signature_lines(roles: Sequence[str], width: float) -> Any:
    """A row of signature boxes: role above, a separate line to sign on, a hint below."""
    from reportlab.platypus import Paragraph, Table

    st = styles()
    gap = 8 * mm
    n = len(roles)
    w = (width - gap * (n - 1)) / n
    widths: list[float] = []
    top: list[Any] = []
    hint: list[Any] = []
    for i, role in enumerate(roles):
        if i:
            widths.append(gap)
            top.append("")
            hint.append("")
        widths.append(w)
        top.append(Paragraph(esc(role), st.small))
        hint.append(Paragraph("Name, signature, date", st.muted))
    style: list[tuple[Any, ...]] = [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    style += [("LINEBELOW", (c, 1), (c, 1), 0.6, INK) for c in range(0, 2 * n - 1, 2)]
    return Table(
        [top, [""] * len(widths), hint],
        colWidths=widths,
        rowHeights=[None, 13 * mm, None],
        style=style,
    )


def italic_note(text: str) -> str:
    """Markup for an explanatory note in italics (text escaped)."""
    return f'<font name="{SANS_ITALIC}">{esc(text)}</font>'


def cells(row: Sequence[object]) -> list[str]:
    """A row of plain-string cells (no markup): None becomes empty."""
    return ["" if v is None else clean(v) for v in row]
