"""The one label renderer: plain data in, PDF bytes out.

``render_labels(LabelJob)`` serves the command line, the print dialog (Qt prints the
PDF pages) and the designer preview alike, so what the maker sees is what prints.

Coordinates: layouts and stock are in mm from the top-left (y down); each label is drawn
in its own coordinate system translated to its cell's top-left corner (plus the printer
offset), clipped to the cell so nothing can land on a neighbouring label.  Text shrinks to
fit down to the layout's minimum x-height and otherwise refuses (naming the element);
barcodes are vector modules snapped to the printer's dots (see ``pdf.barcodes``).

Output is reproducible (``invariant=1``: same job, same bytes) and embeds subset TrueType
fonts, so it prints the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import string
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.gs1 import (
    GS1_USES,
    BarcodeError,
    digital_link,
    gs1_element_string,
    yymmdd,
)
from smallbatch_desktop.domain.label_data import Ingredient, LabelData, LabelJob
from smallbatch_desktop.domain.label_layout import (
    BarcodeElement,
    BoxElement,
    ImageElement,
    IngredientsElement,
    Layout,
    LineElement,
    TextElement,
    validate_layout,
)
from smallbatch_desktop.domain.label_stock import ROLL, LabelStock, single_label_stock
from smallbatch_desktop.pdf import fonts
from smallbatch_desktop.pdf.barcodes import make_symbol, place_symbol, symbol_ops
from smallbatch_desktop.pdf.label_text import (
    FAMILIES,
    PT_PER_MM,
    FittedText,
    Run,
    draw_fitted,
    fit_text,
    missing_glyphs,
    vertical_metrics,
)

#: "02 May 2027": unambiguous on both sides of the Atlantic (02/05/2027 is 5 February to
#: a US reader); a layout can ask for any strftime format per field
DEFAULT_DATE_FORMAT = "%d %b %Y"
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    pages: int
    labels: int
    warnings: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- fields

FIELD_HELP = (
    "product, lot, made, best_before, net_quantity, producer, address, allergens, gtin, "
    "n, N, order, customer, personal_text, option:<name> or a label fact"
)


class _Options(dict[str, str]):
    """An order line's options: ``{option:heat}`` formats to the value of "heat", or to
    nothing on a label whose line has no such option (a plain batch label)."""


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        if isinstance(value, _Options):
            key = format_spec.strip().lower()
            if not key:
                raise ValueError("{option} needs the option's name, as in {option:heat}")
            return value.get(key, "")
        if isinstance(value, dt.date):
            # month names in English whatever the process locale (Qt sets it from the
            # system): the GUI and the command line print the same bytes
            month = _MONTHS[value.month - 1]
            format_spec = (
                (format_spec or DEFAULT_DATE_FORMAT).replace("%B", month).replace("%b", month[:3])
            )
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def field_values(data: LabelData) -> dict[str, Any]:
    values: dict[str, Any] = dict(data.facts)
    values.update(
        product=data.product,
        lot=data.lot,
        made=data.made,
        best_before=data.best_before,
        use_by=data.best_before,
        net_quantity=data.net_quantity,
        producer=data.producer,
        address=data.address,
        allergens=", ".join(data.allergens),
        gtin=data.gtin,
        n=data.n,
        N=data.total,
        order=data.order,
        customer=data.customer,
        personal_text=data.personal_text,
        option=_Options(data.options),
    )
    return values


def fill_template(template: str, data: LabelData, *, name: str) -> str:
    """Fill ``{field}`` / ``{date:%d %b %Y}`` placeholders, naming the element on error."""
    values = field_values(data)
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ValidationError(f"{name}: {exc} in {template!r}", field=name) from None
    for _lit, fname, _spec, _conv in parsed:
        if fname is None:
            continue
        if fname not in values:
            raise ValidationError(
                f"{name}: unknown field {{{fname}}}; use {FIELD_HELP}", field=name
            )
        if values[fname] is None:
            raise ValidationError(
                f"{name}: the label has no {fname.replace('_', ' ')} for {{{fname}}}",
                field=name,
            )
    try:
        return _FORMATTER.vformat(template, (), values)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"{name}: {exc} in {template!r}", field=name) from None


def ingredient_runs(
    data: LabelData, prefix: str, *, inci: bool = False, contains_line: bool = False
) -> tuple[Run, ...]:
    """The ingredients paragraph as (text, bold) runs: allergens bold, compounds bracketed.

    EU 1169/2011 Art. 18 / Annex VII part E: a compound ingredient is its name followed by
    its own ingredients in brackets, all in descending order of weight.
    """
    runs: list[Run] = []

    def add(text: str, bold: bool = False) -> None:
        if runs and runs[-1][1] == bold:
            runs[-1] = (runs[-1][0] + text, bold)
        else:
            runs.append((text, bold))

    def emit(items: Iterable[Ingredient]) -> None:
        for i, ing in enumerate(items):
            if i:
                add(", ")
            label = (ing.inci or ing.name) if inci else ing.name
            add(label, bool(ing.allergens) and not ing.parts)
            if ing.parts:
                add(" (")
                emit(ing.parts)
                add(")")

    if prefix:
        add(prefix)
    emit(data.ingredients)
    if data.ingredients and not inci:
        add(".")
    if contains_line and data.allergens:
        add("\nContains: ")
        for i, a in enumerate(data.allergens):
            if i:
                add(", ")
            add(a, True)
        add(".")
    return tuple(runs)


# --------------------------------------------------------------------------- barcodes


def barcode_content(e: BarcodeElement, data: LabelData) -> tuple[str, str]:
    """(symbology, content) for a barcode element and one label's data."""
    sym = e.symbology
    if sym == "auto-linear":
        sym = "gs1-128" if data.gtin else "code128"
    elif sym == "auto-matrix":
        sym = "gs1-datamatrix" if data.gtin else "datamatrix"
    date_ai = "17" if data.date_kind == "use_by" else "15"
    if sym in ("gs1-128", "gs1-datamatrix"):
        if not data.gtin:
            raise BarcodeError(
                f"{e.name}: a GS1 barcode needs the product's GTIN; set it on the recipe "
                "or use Code 128 / Data Matrix",
                field=e.name,
            )
        pairs: list[tuple[str, str]] = []
        for ai in e.ais:
            if ai == "01":
                pairs.append(("01", data.gtin))
            elif ai in ("15", "17"):
                if data.best_before is None:
                    raise BarcodeError(f"{e.name}: ({ai}) needs a best-before date", field=e.name)
                pairs.append((date_ai if ai == "15" else "17", yymmdd(data.best_before)))
            elif ai == "11":
                if data.made is None:
                    raise BarcodeError(f"{e.name}: (11) needs the production date", field=e.name)
                pairs.append(("11", yymmdd(data.made)))
            elif ai == "10":
                pairs.append(("10", data.lot))
            elif ai == "21":
                pairs.append(("21", str(data.n)))
            else:
                raise BarcodeError(f"{e.name}: GS1 AI ({ai}) is not supported", field=e.name)
        return sym, gs1_element_string(pairs, field=e.name)
    if sym == "gs1-digital-link-qr":
        if not data.gtin:
            raise BarcodeError(
                f"{e.name}: a GS1 Digital Link needs the product's GTIN", field=e.name
            )
        return sym, digital_link(
            e.domain or data.link_domain or "id.gs1.org",
            data.gtin,
            data.lot,
            date_ai=date_ai if data.best_before else None,
            day=data.best_before,
            serial=str(data.n) if "21" in e.ais else None,
            field=e.name,
        )
    content = fill_template(e.data or "{lot}", data, name=e.name)
    if not content:
        raise BarcodeError(f"{e.name}: the barcode data is empty", field=e.name)
    if sym == "code128" and not all(32 <= ord(c) < 127 for c in content):
        raise BarcodeError(
            f"{e.name}: Code 128 holds only plain ASCII; {content!r} does not fit, "
            "use QR or Data Matrix",
            field=e.name,
        )
    return sym, content


# --------------------------------------------------------------------------- renderer


class _Renderer:
    """Draws labels on one canvas; holds per-document caches and the warnings."""

    def __init__(self, canvas: Any, job: LabelJob) -> None:
        self.c = canvas
        self.job = job
        self.layout = job.layout
        self.warnings: dict[str, None] = {}
        self.dot_pt = 72.0 / job.dpi
        self.page_h = job.stock.page_height * PT_PER_MM
        self._draw: dict[type, Callable[[Any, LabelData, float, float], None]] = {
            TextElement: self._text,
            IngredientsElement: self._ingredients,
            BarcodeElement: self._barcode,
            ImageElement: self._image,
            LineElement: self._line,
            BoxElement: self._box,
        }
        self._images: dict[str, Any] = {}

    # origin_x/origin_y: the label's top-left in absolute page pt (y up)
    def label(self, data: LabelData, origin_x: float, origin_y: float, w: float, h: float) -> None:
        c = self.c
        c.saveState()
        c.translate(origin_x, origin_y)
        p = c.beginPath()
        p.rect(0, -h, w, h)
        c.clipPath(p, stroke=0, fill=0)
        for e in self.layout.elements:
            self._draw[type(e)](e, data, origin_x, origin_y)
        if self.job.draft:
            self._watermark(w, h)
        c.restoreState()
        if self.job.outline:
            self._outline(origin_x, origin_y, w, h)

    def _text(self, e: TextElement, data: LabelData, ox: float, oy: float) -> None:
        text = fill_template(e.text, data, name=e.name)
        if not text.strip():
            return
        fitted = fit_text(
            ((text, e.bold),), e.w, e.h, e.size, self.layout.min_x_height, e.font, e.wrap, e.name
        )
        self._check_glyphs(e.name, fitted)
        draw_fitted(
            self.c,
            fitted,
            e.x * PT_PER_MM,
            -e.y * PT_PER_MM,
            e.w * PT_PER_MM,
            e.h * PT_PER_MM,
            e.align,
            e.valign,
        )

    def _check_glyphs(self, name: str, fitted: FittedText) -> None:
        missing = missing_glyphs(fitted)
        if missing:
            self.warnings.setdefault(fonts.glyph_warning(name, missing))

    def _ingredients(self, e: IngredientsElement, data: LabelData, ox: float, oy: float) -> None:
        if not data.ingredients:
            return
        inci = e.inci or data.cosmetic
        runs = ingredient_runs(data, e.prefix, inci=inci, contains_line=e.contains_line)
        fitted = fit_text(runs, e.w, e.h, e.size, self.layout.min_x_height, e.font, True, e.name)
        self._check_glyphs(e.name, fitted)
        draw_fitted(
            self.c,
            fitted,
            e.x * PT_PER_MM,
            -e.y * PT_PER_MM,
            e.w * PT_PER_MM,
            e.h * PT_PER_MM,
            e.align,
            "top",
        )

    def _barcode(self, e: BarcodeElement, data: LabelData, ox: float, oy: float) -> None:
        sym_name, content = barcode_content(e, data)
        try:
            symbol = make_symbol(sym_name, content)
        except ValueError as exc:
            raise BarcodeError(
                f"{e.name}: cannot encode {content!r} as {sym_name}: {exc}", field=e.name
            ) from None
        hri_fit = None
        hri_h = 0.0
        if symbol.linear and e.hri:
            asc, desc = vertical_metrics(FAMILIES["condensed"][0])
            box_h = (asc + desc) * e.hri_size / PT_PER_MM
            hri_fit = fit_text(
                ((symbol.hri, False),),
                e.w,
                box_h,
                e.hri_size,
                self.layout.min_x_height,
                "condensed",
                False,
                f"{e.name} text",
            )
            hri_h = (asc + desc) * hri_fit.size / PT_PER_MM + 0.5
        min_module, min_reason = 0.0, ""
        if sym_name in ("gs1-128", "gs1-datamatrix"):
            use = GS1_USES[e.gs1_use]
            min_module = use.linear_min_mm if symbol.linear else use.matrix_min_mm
            label = "GS1-128" if symbol.linear else "GS1 DataMatrix"
            min_reason = f"{label} for {use.title} ({use.reference})"
        place = place_symbol(
            symbol,
            e.w,
            e.h,
            self.job.dpi,
            name=e.name,
            hri_height=hri_h,
            min_module=min_module,
            min_reason=min_reason,
        )
        for w in place.warnings:
            self.warnings.setdefault(w)
        # snap the symbol's corner to the printer's dot grid, which starts at the page's
        # top-left corner (where a driver starts rasterising)
        dot = self.dot_pt
        page_h = self.page_h
        ax = ox + (e.x + place.x) * PT_PER_MM
        atop = oy - (e.y + place.y) * PT_PER_MM
        ax = round(ax / dot) * dot
        atop = page_h - round((page_h - atop) / dot) * dot
        module_pt = place.module * PT_PER_MM
        height_pt = place.height * PT_PER_MM
        x_local = ax - ox
        bottom_local = atop - oy - height_pt
        sy = height_pt if symbol.linear else module_pt
        self.c.addLiteral(symbol_ops(symbol, x_local, bottom_local, module_pt, sy))
        if hri_fit is not None:
            draw_fitted(
                self.c,
                hri_fit,
                e.x * PT_PER_MM,
                bottom_local - 0.5 * PT_PER_MM,
                e.w * PT_PER_MM,
                (hri_h - 0.5) * PT_PER_MM,
                "center",
                "top",
            )

    def _image(self, e: ImageElement, data: LabelData, ox: float, oy: float) -> None:
        from reportlab.lib.utils import ImageReader

        key = e.path or f"embedded:{hash(e.image)}"
        reader = self._images.get(key)
        if reader is None:
            try:
                reader = ImageReader(e.path if e.path else io.BytesIO(e.image))
                reader.getSize()
            except Exception as exc:  # ReportLab raises many kinds for unreadable images
                raise ValidationError(
                    f"{e.name}: cannot read the image {e.path or '(embedded)'}: {exc}",
                    field=e.name,
                ) from None
            self._images[key] = reader
        self.c.drawImage(
            reader,
            e.x * PT_PER_MM,
            -(e.y + e.h) * PT_PER_MM,
            e.w * PT_PER_MM,
            e.h * PT_PER_MM,
            preserveAspectRatio=e.keep_aspect,
            anchor="c",
            mask="auto",
        )

    def _line(self, e: LineElement, data: LabelData, ox: float, oy: float) -> None:
        c = self.c
        c.setLineWidth(e.stroke * PT_PER_MM)
        c.line(
            e.x * PT_PER_MM,
            -e.y * PT_PER_MM,
            (e.x + e.w) * PT_PER_MM,
            -(e.y + e.h) * PT_PER_MM,
        )

    def _box(self, e: BoxElement, data: LabelData, ox: float, oy: float) -> None:
        c = self.c
        c.setLineWidth(e.stroke * PT_PER_MM)
        # the stroke is centred on the path: inset by half of it to stay in the box
        inset = e.stroke / 2 if not e.fill else 0.0
        x, y = (e.x + inset) * PT_PER_MM, -(e.y + e.h - inset) * PT_PER_MM
        w, h = (e.w - 2 * inset) * PT_PER_MM, (e.h - 2 * inset) * PT_PER_MM
        stroke = 0 if e.fill else 1
        if e.radius > 0:
            c.roundRect(x, y, w, h, e.radius * PT_PER_MM, stroke=stroke, fill=int(e.fill))
        else:
            c.rect(x, y, w, h, stroke=stroke, fill=int(e.fill))

    def _watermark(self, w: float, h: float) -> None:
        c = self.c
        c.saveState()
        angle = math.degrees(math.atan2(h, w))
        diag = math.hypot(w, h)
        width1 = _text_width1("DRAFT", fonts.SANS_BOLD)
        size = min(0.6 * diag / width1, 0.5 * min(w, h) / 0.73 * 1.4)
        c.setFillColorRGB(0.85, 0.1, 0.1)
        c.setFillAlpha(0.35)
        c.translate(w / 2, -h / 2)
        c.rotate(-angle if h > w else angle)
        c.setFont(fonts.SANS_BOLD, size)
        c.drawCentredString(0, -0.36 * size, "DRAFT")
        c.restoreState()

    def _outline(self, x: float, y: float, w: float, h: float) -> None:
        c = self.c
        c.saveState()
        c.setStrokeColorRGB(0.6, 0.6, 0.6)
        c.setLineWidth(0.25)
        c.setDash(1.5, 1.5)
        r = self.job.stock.corner_radius * PT_PER_MM
        if self.job.stock.shape in ("round", "ellipse", "cd"):
            c.ellipse(x, y - h, x + w, y, stroke=1, fill=0)
        elif r > 0:
            c.roundRect(x, y - h, w, h, r, stroke=1, fill=0)
        else:
            c.rect(x, y - h, w, h, stroke=1, fill=0)
        c.restoreState()


def _text_width1(text: str, font: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, 1.0)


def _new_canvas(buf: io.BytesIO, w_pt: float, h_pt: float, title: str) -> Any:
    from reportlab.pdfgen.canvas import Canvas

    fonts.register_fonts()
    # every page opens with a text state naming the initial font: an embedded one, not
    # ReportLab's default Helvetica (never embedded, flagged by preflight and PDF/A checks)
    c = Canvas(
        buf,
        pagesize=(w_pt, h_pt),
        invariant=1,
        pageCompression=1,
        initialFontName=fonts.COND,
    )
    c.setTitle(title)
    c.setAuthor("Smallbatch Desktop")
    c.setCreator("Smallbatch Desktop")
    c.setProducer("Smallbatch Desktop (ReportLab)")
    return c


_SAVE_LOCK = threading.Lock()


def _save(canvas: Any) -> None:
    """Save without the ASCII85 stream filter.

    ReportLab wraps every page stream in ASCII85 (7-bit safe, 25 % bigger) and, without
    the optional C accelerator, encodes it in pure Python: that alone took longer than
    drawing 1,000 labels.  Our PDFs go to files and printers, never through 7-bit mail,
    so page streams are only Flate-compressed.  ``rl_config.useA85`` is read when the
    document is saved, hence the brief, locked override.
    """
    from reportlab import rl_config

    with _SAVE_LOCK:
        old = rl_config.useA85
        rl_config.useA85 = 0
        try:
            canvas.save()
        finally:
            rl_config.useA85 = old


def check_job(job: LabelJob) -> None:
    """Refuse a job that would not print as intended, naming the field."""
    validate_layout(job.layout, job.stock.label_width, job.stock.label_height)
    per_page = job.stock.per_page
    if job.skip < 0 or (job.stock.kind != ROLL and job.skip >= per_page):
        raise ValidationError(
            f"skip: give 0 to {per_page - 1} used positions for this sheet of {per_page}",
            field="skip",
        )
    if job.stock.kind == ROLL and job.skip:
        raise ValidationError("skip: roll stock has no used positions to skip", field="skip")
    if not 72 <= job.dpi <= 4800:
        raise ValidationError(f"dpi: {job.dpi} is not a printer resolution", field="dpi")
    for name, v in (("offset x", job.offset_x), ("offset y", job.offset_y)):
        if abs(v) > 20:
            raise ValidationError(f"{name}: {v:g} mm is more than 20 mm", field=name)


def render_labels(
    job: LabelJob, progress: Callable[[int, int], None] | None = None
) -> RenderResult:
    """Render every label of ``job`` to PDF; refuses (``UserError``) rather than cut text.

    ``progress(done, total)`` is called every 50 labels (the print dialog shows it).
    """
    check_job(job)
    stock = job.stock
    page_w, page_h = stock.page_width * PT_PER_MM, stock.page_height * PT_PER_MM
    buf = io.BytesIO()
    c = _new_canvas(buf, page_w, page_h, job.title)
    r = _Renderer(c, job)
    cells = stock.cells()
    per_page = len(cells)
    ox, oy = job.offset_x * PT_PER_MM, job.offset_y * PT_PER_MM
    lw, lh = stock.label_width * PT_PER_MM, stock.label_height * PT_PER_MM
    total = len(job.labels)
    page = 0
    for i, data in enumerate(job.labels):
        pos = i + job.skip
        page_no, slot = divmod(pos, per_page)
        if page_no != page:
            c.showPage()
            page = page_no
        cell = cells[slot]
        r.label(data, cell.x * PT_PER_MM + ox, page_h - cell.y * PT_PER_MM - oy, lw, lh)
        if progress is not None and (i + 1) % 50 == 0:
            progress(i + 1, total)
    if total == 0 and job.outline:
        for cell in cells:
            r._outline(cell.x * PT_PER_MM + ox, page_h - cell.y * PT_PER_MM - oy, lw, lh)
    c.showPage()
    _save(c)
    if progress is not None:
        progress(total, total)
    return RenderResult(buf.getvalue(), page + 1, total, tuple(r.warnings))


def render_preview(
    layout: Layout, stock: LabelStock, data: LabelData, *, draft: bool = False, dpi: int = 300
) -> RenderResult:
    """One label on a page of its own size, outlined: the designer's live preview."""
    job = LabelJob(
        stock=single_label_stock(stock.label_width, stock.label_height, stock.corner_radius)
        if stock.kind != ROLL
        else stock,
        layout=layout,
        labels=(data,),
        dpi=dpi,
        draft=draft,
        outline=True,
        title=f"Preview: {layout.name}",
    )
    return render_labels(job)


# --------------------------------------------------------------------------- calibration


def calibration_pdf(
    stock: LabelStock,
    *,
    offset_x: float = 0.0,
    offset_y: float = 0.0,
    dpi: int = 300,
    profile_name: str = "",
) -> bytes:
    """A calibration sheet: per label, its outline, a crosshair and mm scales.

    Everything is drawn where the labels should be, shifted by the current offset.  Each
    cell has a horizontal scale across its left edge and a vertical scale across its top
    edge, ticks every mm from -3 to +3.  Read the number where the real die-cut edge
    falls and add it to the offset: a left edge at +1 means "offset x + 1 mm".
    """
    page_w, page_h = stock.page_width * PT_PER_MM, stock.page_height * PT_PER_MM
    buf = io.BytesIO()
    c = _new_canvas(buf, page_w, page_h, f"Calibration {stock.key}")
    lw, lh = stock.label_width, stock.label_height
    mm = PT_PER_MM
    for cell in stock.cells():
        x0 = (cell.x + offset_x) * mm
        top = page_h - (cell.y + offset_y) * mm
        c.saveState()
        c.setLineWidth(0.2)
        c.setStrokeColorRGB(0.5, 0.5, 0.5)
        c.setDash(1, 1)
        c.rect(x0, top - lh * mm, lw * mm, lh * mm, stroke=1, fill=0)
        c.setDash()
        c.setStrokeColorRGB(0, 0, 0)
        cx, cy = x0 + lw * mm / 2, top - lh * mm / 2
        arm = min(lw, lh, 20) * mm / 4
        c.line(cx - arm, cy, cx + arm, cy)
        c.line(cx, cy - arm, cx, cy + arm)
        c.circle(cx, cy, arm / 3, stroke=1, fill=0)
        # scale across the left edge, at mid-height; across the top edge, at mid-width
        c.setFont(fonts.COND, 4.5)
        for k in range(-3, 4):
            tick = (2.2 if k == 0 else 1.4 if k % 2 == 0 else 0.9) * mm
            xk = x0 + k * mm
            c.line(xk, cy - tick / 2, xk, cy + tick / 2)
            yk = top - k * mm
            c.line(cx - tick / 2, yk, cx + tick / 2, yk)
            if k % 2 == 0:
                c.drawCentredString(xk, cy + tick / 2 + 0.6, f"{k:+d}" if k else "0")
                c.drawString(cx + tick / 2 + 0.8, yk - 1.5, f"{k:+d}" if k else "0")
        c.line(x0 - 3 * mm, cy, x0 + 3 * mm, cy)
        c.line(cx, top + 3 * mm, cx, top - 3 * mm)
        c.restoreState()
    legend = [
        f"Calibration: {stock.key} ({stock.size_text}), printer profile "
        f"{profile_name or '(none)'}, {dpi} dpi, offset x {offset_x:+.1f} mm, y {offset_y:+.1f} mm.",
        "Print at 100 % (no 'fit to page'). On each label, read the scale where the real "
        "left and top edges fall:",
        "new offset x = offset x + left-edge reading; new offset y = offset y + top-edge "
        "reading (positive x moves the print right, positive y down).",
    ]
    size = 6.0
    c.setFont(fonts.SANS, size)
    widest = max(c.stringWidth(t, fonts.SANS, size) for t in legend)
    if widest > page_w * 0.95:
        size = size * page_w * 0.95 / widest
        c.setFont(fonts.SANS, size)
    box_h = (len(legend) + 0.8) * size * 1.3
    y = page_h / 2 + box_h / 2
    c.setFillColorRGB(1, 1, 1)
    c.rect(page_w * 0.02, y - box_h, page_w * 0.96, box_h, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    for i, t in enumerate(legend):
        c.drawCentredString(page_w / 2, y - (i + 1) * size * 1.3, t)
    c.showPage()
    _save(c)
    return buf.getvalue()


def as_mapping(data: LabelData) -> Mapping[str, Any]:
    """The label's fields as a plain mapping (for previews and the CLI's --dry-run)."""
    return field_values(data)
