"""The provenance sheet (the batch record as a PDF) and the customer-facing card.

Both render from one :class:`~smallbatch_desktop.domain.records.BatchRecord`, a plain
frozen dataclass that ``services.reports.batch_record`` fills from the database: this
module never sees an ORM object, so the same renderer serves the GUI preview, printing
and the command line.

The sheet is a platypus document (A4): header with the lot's Code 128, the batch facts,
the full input genealogy (intermediates' own inputs nested and indented beneath them, to
any depth), QC against the spec, amendments, release, shipments and signature lines; the
long tables repeat their header row on every page (``repeatRows``) and every page says
"page x of y" and when it was generated.  The card (A6 landscape, one page by
construction: its content shrinks to fit) tells a customer where the ingredients came
from, with a QR code to the lot's page or the lot code.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from smallbatch_desktop.domain.records import (
    AmendmentLine,
    BatchRecord,
    InputLine,
    QcLine,
    ShipmentLine,
)
from smallbatch_desktop.pdf.common import (
    ACCENT,
    ACCENT_LIGHT,
    FAIL,
    INK,
    MUTED,
    PASS,
    RULE,
    Output,
    Para,
    day,
    esc,
    finish_pdf,
    flow_document,
    footer_canvas,
    grid_style,
    local_time,
    module_matrix,
    qty,
    signature_lines,
    styles,
    symbol_or_text,
)
from smallbatch_desktop.pdf.fonts import SANS, SANS_BOLD, SANS_ITALIC, register_fonts


def _generated_line(
    generated_at: dt.datetime | None, tz: dt.tzinfo | None, what: str, producer: str
) -> str:
    when = local_time(generated_at or dt.datetime.now(dt.UTC), tz)
    who = f" for {producer}" if producer else ""
    return f"{what}{who} · generated {when} by Smallbatch Desktop"


# --------------------------------------------------------------------------- the sheet

_PAGE_W, _PAGE_H = A4
_MARGIN = 15 * mm
_BODY_W = _PAGE_W - 2 * _MARGIN
#: inputs table columns (mm): name, our lot, supplier, supplier lot, origin, certs, qty, expiry
_INPUT_COLS = [34, 25, 24, 20, 22, 20, 16, 19]


def render_provenance_sheet(
    record: BatchRecord,
    out: Output = None,
    *,
    generated_at: dt.datetime | None = None,
    tz: dt.tzinfo | None = None,
    invariant: bool = False,
    pdfa: bool = False,
) -> bytes:
    """The batch record as an A4 PDF; returns the bytes (and writes ``out`` if given).

    ``invariant`` makes the bytes reproducible (fixed document id and dates) for tests;
    pass ``generated_at`` too, since the footer prints it.  ``pdfa`` writes PDF/A-2b, the
    archive format (see ``pdf.pdfa``).
    """
    register_fonts()
    buf = io.BytesIO()
    doc = flow_document(
        buf,
        A4,
        margin=_MARGIN,
        top=15 * mm,
        bottom=18 * mm,
        invariant=invariant,
        title=f"Provenance sheet {record.lot_code}",
        author=record.producer_name or "Smallbatch Desktop",
        subject=f"{record.product}, lot {record.lot_code}",
    )
    story = _sheet_story(record, tz)
    footer = _generated_line(generated_at, tz, "Batch record", record.producer_name)
    header = f"Provenance sheet · {record.product} · lot {record.lot_code}"
    doc.build(story, canvasmaker=footer_canvas(footer, header, pdfa=pdfa))
    return finish_pdf(buf, out)


def _sheet_story(r: BatchRecord, tz: dt.tzinfo | None) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = []

    # header: producer left, title and the lot's barcode right
    left = [
        Para(esc(r.producer_name) or "&nbsp;", st.subtitle),
        Para(esc(r.producer_address), st.muted),
        Spacer(1, 4 * mm),
        Para("PROVENANCE SHEET · BATCH RECORD", _kicker()),
        Para(esc(r.product), st.title),
        Para(
            f"Lot <b>{esc(r.lot_code)}</b> &nbsp;·&nbsp; {esc(r.status_label)}",
            st.subtitle,
        ),
    ]
    code = symbol_or_text(
        "code128", r.lot_code, module=0.33 * mm, bar_height=13 * mm, caption=r.lot_code
    )
    head = Table(
        [[left, code]],
        colWidths=[_BODY_W - 62 * mm, 62 * mm],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    story += [head, Spacer(1, 4 * mm)]

    # the batch facts, two label/value pairs per row
    made_qty = qty(r.actual_quantity, r.unit) if r.actual_quantity is not None else "not recorded"
    version = f"{r.recipe_name} v{r.recipe_version}"
    if r.recipe_code:
        version += f" ({r.recipe_code})"
    facts: list[tuple[str, str]] = [
        ("Recipe", version),
        ("Scale factor", f"× {qty(r.scale_factor)}"),
        ("Planned quantity", qty(r.planned_quantity, r.unit)),
        ("Actual yield", made_qty),
        ("Made", day(r.made_date)),
        (r.date_label, day(r.best_before) or "none"),
        ("Operator", r.operator),
        ("Status", r.status_label),
        ("Production started", local_time(r.started_at, tz)),
        ("Sent to QC", local_time(r.qc_at, tz)),
    ]
    if r.waste_quantity:
        waste = qty(r.waste_quantity, r.unit)
        facts.insert(4, ("Waste / loss", f"{waste}: {r.waste_reason}" if r.waste_reason else waste))
    if r.yield_quantity is not None:
        facts.insert(2, ("Recipe yield", qty(r.yield_quantity, r.yield_unit)))
    if r.gtin:
        facts.append(("GTIN", r.gtin))
    if r.net_quantity:
        facts.append(("Net quantity", r.net_quantity))
    if r.storage:
        facts.append(("Storage", r.storage))
    story.append(_facts_table(facts))

    # inputs, nested
    story.append(Para("Inputs and their origin", st.h2))
    if r.inputs:
        story.append(_inputs_table(r.inputs))
        if any(line.level > 1 for line in r.inputs):
            story.append(
                Para(
                    "Indented rows are the inputs of the intermediate batch above them. "
                    "Quantities are what was used, in the lot's own unit.",
                    st.muted,
                )
            )
    else:
        story.append(Para("No inputs recorded.", st.body))

    # QC
    story.append(Para("Quality control against the specification", st.h2))
    if r.qc:
        story.append(_qc_table(r.qc, tz))
        if any(q.attempt > 1 for q in r.qc):
            story.append(
                Para(
                    "Every result is listed in the order it was recorded, failed ones "
                    "included; a retest supersedes the result above it, and release "
                    "looks at the latest result of each check.",
                    st.muted,
                )
            )
    else:
        story.append(Para("The recipe version has no QC specification.", st.body))

    if r.notes:
        story.append(Para("Batch notes", st.h2))
        story.append(Para(esc(r.notes), st.body))

    # amendments
    if r.amendments:
        story.append(Para("Amendments", st.h2))
        story.append(_amendments_table(r.amendments, tz))

    # release / closure
    story.append(Para("Release", st.h2))
    if r.released_at:
        text = f"Released by <b>{esc(r.released_by or 'unknown')}</b> on {esc(local_time(r.released_at, tz))}."
    else:
        text = f"Not released (status: {esc(r.status_label)})."
    if r.closed_at:
        text += (
            f" {esc(r.status_label)} by <b>{esc(r.closed_by or 'unknown')}</b> on "
            f"{esc(local_time(r.closed_at, tz))}"
            + (f": {esc(r.close_reason)}" if r.close_reason else ".")
        )
    if r.snapshot_backfilled_at:
        text += (
            " Released before Smallbatch kept records at release: the names, inputs and "
            "producer shown are as they stood in the snapshot taken at upgrade on "
            f"{esc(local_time(r.snapshot_backfilled_at, tz))}."
        )
    story.append(Para(text, st.body))

    # shipments, then the signatures, which never stand alone on the last page: they
    # keep the end of the shipments section with them
    signatures = [Spacer(1, 6 * mm), Para("Signatures", st.h2), _signature_table()]
    heading = Para("Shipments", st.h2)
    ships = r.shipments
    if not ships:
        story.append(KeepTogether([heading, Para("None recorded.", st.body), *signatures]))
    elif len(ships) <= _KEPT_SHIPMENT_ROWS:
        story.append(KeepTogether([heading, _shipments_table(ships), *signatures]))
    else:
        tail = _KEPT_SHIPMENT_ROWS - 1
        story += [heading, _shipments_table(ships[:-tail])]
        story.append(KeepTogether([_shipments_table(ships[-tail:], header=False), *signatures]))
    return story


#: a short shipments section moves to the next page whole with the signatures; of a long
#: one, the last rows go with them (a table split row by row cannot keep its tail)
_KEPT_SHIPMENT_ROWS = 4


def _kicker() -> ParagraphStyle:
    return ParagraphStyle(
        "sb-kicker",
        parent=styles().small,
        fontName=SANS_BOLD,
        textColor=ACCENT,
        fontSize=7.5,
        leading=10,
    )


def _facts_table(facts: Sequence[tuple[str, str]]) -> Table:
    st = styles()
    label = ParagraphStyle("sb-fact-label", parent=st.cell, textColor=MUTED)
    rows: list[list[Any]] = []
    for i in range(0, len(facts), 2):
        row: list[Any] = []
        for k, v in facts[i : i + 2]:
            row += [Para(esc(k), label), Para(esc(v), st.cell_bold)]
        while len(row) < 4:
            row.append("")
        rows.append(row)
    w = _BODY_W / 2
    t = Table(rows, colWidths=[w * 0.36, w * 0.64, w * 0.36, w * 0.64])
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return t


def _inputs_table(lines: Sequence[InputLine]) -> Table:
    st = styles()
    widths = [w * mm for w in _INPUT_COLS]
    head = [
        Para(h, st.head)
        for h in (
            "Material / intermediate",
            "Our lot",
            "Supplier",
            "Supplier lot",
            "Origin",
            "Certified",
            "Used",
            "Expiry / best before",
        )
    ]
    rows: list[list[Any]] = [head]
    nested_style: dict[int, ParagraphStyle] = {}
    shade_rows: list[int] = []
    for i, ln in enumerate(lines, start=1):
        level = max(1, ln.level)
        ps = nested_style.get(level)
        if ps is None:
            ps = ParagraphStyle(
                f"sb-in-{level}",
                parent=st.cell,
                leftIndent=(level - 1) * 7,
                firstLineIndent=0,
            )
            nested_style[level] = ps
        if ln.kind == "batch":
            name = Para(
                f"{'↳ ' if level > 1 else ''}<b>{esc(ln.name)}</b>"
                f'<br/><font color="#616e7c">intermediate batch, made here</font>',
                ps,
            )
            shade_rows.append(i)
        else:
            name = Para(f"{'↳ ' if level > 1 else ''}{esc(ln.name)}", ps)
        rows.append(
            [
                name,
                Para(esc(ln.lot_code), st.cell),
                Para(esc(ln.supplier), st.cell),
                Para(esc(ln.supplier_lot_code), st.cell),
                Para(esc(ln.origin), st.cell),
                Para(esc(ln.certifications), st.cell),
                Para(esc(qty(ln.quantity, ln.unit)), st.right),
                Para(esc(day(ln.expiry)), st.cell),
            ]
        )
    style = grid_style()
    style += [("BACKGROUND", (0, r), (-1, r), ACCENT_LIGHT) for r in shade_rows]
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle(style))
    return t


def _qc_table(lines: Sequence[QcLine], tz: dt.tzinfo | None) -> Table:
    """Every result, check by check in the order recorded: a failed result stays on the
    record with the retest beneath it, each with who and when."""
    st = styles()
    rows: list[list[Any]] = [
        [Para(h, st.head) for h in ("Check", "Specification", "Result", "Pass / fail", "By, when")]
    ]
    style = grid_style()
    muted = '<font color="#616e7c">{}</font>'
    for q in lines:
        word = {"pass": "PASS", "fail": "FAIL"}.get(q.state, "not recorded")
        color = {"pass": PASS, "fail": FAIL}.get(q.state, MUTED)
        verdict = f'<font color="#{color.hexval()[2:]}">{word}</font>'
        if q.attempt > 1:
            retest = "retest" if q.attempt == 2 else f"retest {q.attempt - 1}"
            name = f"↳ {esc(q.name)} {muted.format(retest)}"
            spec = ""
        else:
            name = esc(q.name) + ("" if q.required else " " + muted.format("(optional)"))
            spec = esc(q.spec)
        value = esc(q.value)
        if q.note:
            value += "<br/>" + muted.format(esc(q.note))
        if not q.current:
            verdict += "<br/>" + muted.format("superseded")
        who = ", ".join(x for x in (q.recorded_by, local_time(q.recorded_at, tz)) if x)
        rows.append(
            [
                Para(name, st.cell),
                Para(spec, st.cell),
                Para(value, st.cell),
                Para(verdict, st.cell_bold),
                Para(esc(who), st.cell),
            ]
        )
    t = Table(rows, colWidths=[m * mm for m in (40, 36, 38, 22, 44)], repeatRows=1)
    t.setStyle(TableStyle(style))
    return t


def _amendments_table(lines: Sequence[AmendmentLine], tz: dt.tzinfo | None) -> Table:
    st = styles()
    rows: list[list[Any]] = [
        [Para(h, st.head) for h in ("When", "By", "Field", "Was → now", "Why")]
    ]
    for a in lines:
        rows.append(
            [
                Para(esc(local_time(a.amended_at, tz)), st.cell),
                Para(esc(a.amended_by), st.cell),
                Para(esc(a.field), st.cell),
                Para(f"{esc(a.old_value)} → <b>{esc(a.new_value)}</b>", st.cell),
                Para(esc(a.reason), st.cell),
            ]
        )
    t = Table(rows, colWidths=[m * mm for m in (30, 24, 24, 50, 52)], repeatRows=1)
    t.setStyle(TableStyle(grid_style()))
    return t


def _shipments_table(lines: Sequence[ShipmentLine], *, header: bool = True) -> Table:
    st = styles()
    rows: list[list[Any]] = []
    if header:
        rows.append([Para(h, st.head) for h in ("Shipped", "Customer", "Quantity", "Document")])
    for s in lines:
        doc = " ".join(x for x in (s.document_type, s.document_number) if x)
        rows.append(
            [
                Para(esc(day(s.shipped_date)), st.cell),
                Para(esc(s.customer), st.cell),
                Para(esc(qty(s.quantity, s.unit)), st.right),
                Para(esc(doc), st.cell),
            ]
        )
    t = Table(rows, colWidths=[m * mm for m in (24, 78, 28, 50)], repeatRows=1 if header else 0)
    t.setStyle(TableStyle(grid_style(1 if header else 0)))
    return t


def _signature_table() -> Table:
    return signature_lines(("Produced by", "QC checked by", "Released by"), _BODY_W)


# --------------------------------------------------------------------------- the card

_CARD_SIZE = landscape(A6)  # 148 x 105 mm: a postcard that goes in the box


def render_provenance_card(
    record: BatchRecord,
    out: Output = None,
    *,
    generated_at: dt.datetime | None = None,
    tz: dt.tzinfo | None = None,
    invariant: bool = False,
) -> bytes:
    """A one-page card for customers: the product, where its ingredients came from,
    the maker's note and a QR code (the lot's provenance page, or the lot code).

    The content sits in a ``KeepInFrame(mode="shrink")``: a product with forty
    ingredients gets smaller type instead of a second page.
    """
    register_fonts()
    buf = io.BytesIO()
    w, h = _CARD_SIZE
    margin = 8 * mm
    band = 11 * mm
    qr_col = 36 * mm
    doc = BaseDocTemplate(
        buf,
        pagesize=_CARD_SIZE,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{record.product}: lot {record.lot_code}",
        author=record.producer_name or "Smallbatch Desktop",
        creator="Smallbatch Desktop",
        invariant=1 if invariant else 0,
        initialFontName=SANS,  # not ReportLab's unembedded Helvetica (see common.one_frame_doc)
    )
    body = Frame(
        margin,
        margin + band,
        w - 2 * margin - qr_col - 4 * mm,
        h - 2 * margin - band - 12 * mm,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def decorate(canvas: Any, _doc: Any) -> None:
        _draw_card_furniture(canvas, record, w, h, margin, band, qr_col, generated_at, tz)

    doc.addPageTemplates([PageTemplate(id="card", frames=[body], onPage=decorate)])
    content = _card_content(record)
    doc.build([KeepInFrame(body._width, body._height, content, mode="shrink")])
    return finish_pdf(buf, out)


def _card_content(r: BatchRecord) -> list[Flowable]:
    st = styles()
    title = ParagraphStyle(
        "sb-card-title", parent=st.title, fontSize=16, leading=19, textColor=ACCENT, spaceAfter=1
    )
    small_caps = ParagraphStyle(
        "sb-card-kicker", parent=st.small, fontName=SANS_BOLD, fontSize=6.5, textColor=MUTED
    )
    note = ParagraphStyle(
        "sb-card-note", parent=st.body, fontName=SANS_ITALIC, fontSize=8.5, leading=11
    )
    out: list[Flowable] = [
        Para(esc(r.product), title),
        Para(
            f"Lot {esc(r.lot_code)} · made {esc(day(r.made_date))}"
            + (
                f" · {esc(r.date_label.lower())} {esc(day(r.best_before))}" if r.best_before else ""
            ),
            st.small,
        ),
        Spacer(1, 3 * mm),
    ]
    if r.maker_note:
        out += [Para(f"“{esc(r.maker_note)}”", note), Spacer(1, 3 * mm)]
    sources = r.ingredient_sources
    out.append(Para("WHERE THE INGREDIENTS CAME FROM", small_caps))
    out.append(Spacer(1, 1 * mm))
    if sources:
        cell = ParagraphStyle("sb-card-cell", parent=st.cell, fontSize=7.5, leading=9)
        rows = []
        for name, origin, certs in sources:
            extra = f' <font color="#1e6b34">· {esc(certs)}</font>' if certs else ""
            rows.append(
                [
                    Para(f"<b>{esc(name)}</b>", cell),
                    Para((esc(origin) or "origin not recorded") + extra, cell),
                ]
            )
        t = Table(rows, colWidths=[34 * mm, None])
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#e4e7eb")),
                ]
            )
        )
        out.append(t)
    else:
        out.append(Para("No ingredient lots recorded for this batch.", st.small))
    return out


def _draw_card_furniture(
    c: Any,
    r: BatchRecord,
    w: float,
    h: float,
    margin: float,
    band: float,
    qr_col: float,
    generated_at: dt.datetime | None,
    tz: dt.tzinfo | None,
) -> None:
    c.saveState()
    # a soft background and an accent bar on top
    c.setFillColor(colors.HexColor("#fffdf9"))
    c.rect(0, 0, w, h, stroke=0, fill=1)
    c.setFillColor(ACCENT)
    c.rect(0, h - 4 * mm, w, 4 * mm, stroke=0, fill=1)
    # producer line under the bar
    c.setFillColor(INK)
    c.setFont(SANS_BOLD, 8)
    c.drawString(
        margin, h - margin - 3.5 * mm, _fit(r.producer_name or "", SANS_BOLD, 8, w - 2 * margin)
    )
    # bottom band: address and a thin rule
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    c.line(margin, margin + band - 2 * mm, w - margin, margin + band - 2 * mm)
    c.setFont(SANS, 6.5)
    c.setFillColor(MUTED)
    addr = " ".join((r.producer_address or "").split())
    c.drawString(margin, margin + band - 6 * mm, _fit(addr, SANS, 6.5, w - 2 * margin))
    c.drawString(
        margin,
        margin + band - 9.5 * mm,
        _fit(
            f"Batch record kept by the maker · card printed {local_time(generated_at or dt.datetime.now(dt.UTC), tz)}",
            SANS,
            6.5,
            w - 2 * margin,
        ),
    )
    c.restoreState()
    # the QR fills its own column (cells of at most 1.2 mm), centred in the body height
    matrix_cols = _qr_cols(r.qr_content)
    module = min(1.2 * mm, qr_col / (matrix_cols + 8)) if matrix_cols else 1.0 * mm
    qr = symbol_or_text("qr", r.qr_content, module=module)
    qw, qh = qr.wrap(qr_col, qr_col)
    body_bottom = margin + band
    body_top = h - margin - 8 * mm
    x = w - margin - qr_col + (qr_col - qw) / 2
    y = body_bottom + (body_top - body_bottom - qh) / 2 + 3 * mm
    qr.drawOn(c, x, y)
    c.saveState()
    c.setFont(SANS, 6.5)
    c.setFillColor(MUTED)
    cx = x + qw / 2
    caption = "Scan for this lot's story" if r.provenance_url else "Lot code"
    c.drawCentredString(cx, y - 1.5 * mm, caption)
    c.setFont(SANS_BOLD, 7)
    c.setFillColor(INK)
    c.drawCentredString(cx, y - 4.5 * mm, _fit(r.lot_code, SANS_BOLD, 7, qr_col))
    c.restoreState()


def _qr_cols(content: str) -> int:
    try:
        return module_matrix("qr", content).cols
    except Exception:  # the caller's symbol_or_text prints the refusal
        return 0


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Single-line furniture text that would overrun the card: ellipsised at the end.

    Only decorative lines (address, producer) go through here; the facts that matter
    (product, lot, ingredients) flow in the shrinking frame and are never cut.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
