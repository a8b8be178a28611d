"""The recall report: from one lot, every affected batch, shipment and customer.

It renders a :class:`~smallbatch_desktop.domain.records.RecallReport` (plain frozen
dataclasses, filled by ``services.reports.recall_report``) as an A4-landscape PDF for the
people who make the phone calls: what the lot is, who to contact (with contact details and what they got),
every affected batch and every shipment with the path that links it to the lot
("M-CHIL-001 → MASH-26001 → HS-26012"), and, for a batch, where its inputs came from.

A recall of a heavily used raw material can reach tens of thousands of batches, so the
long tables use plain-string cells (wrapped by :func:`~smallbatch_desktop.pdf.common.wrap`),
which ReportLab lays out many times faster than Paragraphs; the header row repeats on
every page and nothing is truncated.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from smallbatch_desktop.domain.records import (
    InputLine,
    Memo,
    RecallBatch,
    RecallCustomer,
    RecallReport,
    RecallShipment,
    collector_paused,
)
from smallbatch_desktop.pdf.common import (
    ACCENT,
    FAIL,
    MUTED,
    RULE,
    Output,
    PagedTable,
    Para,
    day,
    esc,
    finish_pdf,
    flow_document,
    footer_canvas,
    local_time,
    qty,
    signature_lines,
    styles,
    symbol_or_text,
    wrap,
    wrap_column,
)
from smallbatch_desktop.pdf.fonts import SANS, SANS_BOLD, register_fonts

# --------------------------------------------------------------------------- rendering

_PAGE = landscape(A4)
_MARGIN = 14 * mm
_BODY_W = _PAGE[0] - 2 * _MARGIN
_CELL_FONT = SANS
_CELL_SIZE = 7.5


def render_recall_report(
    report: RecallReport,
    out: Output = None,
    *,
    tz: dt.tzinfo | None = None,
    invariant: bool = False,
) -> bytes:
    """The recall report as a PDF; returns the bytes (and writes ``out`` if given)."""
    register_fonts()
    buf = io.BytesIO()
    title = "Mock recall drill" if report.drill_duration_ms is not None else "Recall report"
    doc = flow_document(
        buf,
        _PAGE,
        margin=_MARGIN,
        top=14 * mm,
        bottom=17 * mm,
        invariant=invariant,
        title=f"{title}: {report.lot.lot_code}",
        author=report.producer_name or "Smallbatch Desktop",
        subject=f"Everything that contains lot {report.lot.lot_code}",
    )
    when = local_time(report.generated_at or dt.datetime.now(dt.UTC), tz)
    producer = f" for {report.producer_name}" if report.producer_name else ""
    footer = (
        f"{title}{producer} · lot {report.lot.lot_code} · generated {when} by Smallbatch Desktop"
    )
    header = f"{title} · lot {report.lot.lot_code} · {report.lot.name}"
    with collector_paused():  # a long recall is thousands of pages: see domain.records
        doc.build(_story(report, title, tz), canvasmaker=footer_canvas(footer, header))
    return finish_pdf(buf, out)


def _story(r: RecallReport, title: str, tz: dt.tzinfo | None) -> list[Flowable]:
    st = styles()
    story: list[Flowable] = []
    kicker = ParagraphStyle(
        "sb-rk", parent=st.small, fontName=SANS_BOLD, textColor=ACCENT, fontSize=8
    )
    lot = r.lot
    left: list[Flowable] = [
        Para(esc(r.producer_name) or "&nbsp;", st.subtitle),
        Para(esc(" ".join(r.producer_address.split())), st.muted),
        Spacer(1, 3 * mm),
        Para(esc(title.upper()), kicker),
        Para(f"Lot {esc(lot.lot_code)}: {esc(lot.name)}", st.title),
        Para(
            esc(
                ("Material lot received from " + (lot.supplier or "an unrecorded supplier"))
                if lot.kind == "material"
                else f"Batch made here · {lot.status}"
            ),
            st.subtitle,
        ),
    ]
    code = symbol_or_text(
        "code128", lot.lot_code, module=0.33 * mm, bar_height=12 * mm, caption=lot.lot_code
    )
    story.append(
        Table(
            [[left, code]],
            colWidths=[_BODY_W - 70 * mm, 70 * mm],
            style=[
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ],
        )
    )
    story.append(Spacer(1, 3 * mm))

    # summary: the lot's facts and the counts side by side
    facts: list[tuple[str, str]] = []
    if lot.kind == "material":
        facts += [
            ("Supplier lot", lot.supplier_lot_code),
            ("Received", day(lot.date)),
            ("Quantity received", qty(lot.quantity, lot.unit)),
            ("Expiry", day(lot.expiry)),
            ("Origin", lot.origin),
            ("Certifications", lot.certifications),
        ]
    else:
        facts += [
            ("Made", day(lot.date)),
            ("Best before", day(lot.expiry)),
            ("Quantity", qty(lot.quantity, lot.unit)),
            ("Status", lot.status),
        ]
    shipped = ", ".join(qty(q, u) for q, u in r.shipped_totals) or "none"
    counts: list[tuple[str, str]] = [
        ("Affected batches", f"{len(r.batches):,}"),
        ("Shipments", f"{len(r.shipments):,}"),
        ("Customers to contact", f"{len(r.customers):,}"),
        ("Quantity shipped", shipped),
    ]
    if r.drill_duration_ms is not None:
        counts.append(("Drill time", _duration(r.drill_duration_ms)))
    story.append(_summary(facts, counts))

    # customers first: they are who the coordinator calls
    story.append(Para("Customers to contact", st.h2))
    if r.customers:
        story.append(_customers_table(r.customers))
    else:
        story.append(Para("No shipments: nothing left the workshop.", st.body))

    if r.upstream:
        story.append(Para("Where the recalled batch came from", st.h2))
        story.append(_upstream_table(r.upstream))

    story.append(Para(f"Affected batches ({len(r.batches):,})", st.h2))
    if r.batches:
        story.append(
            Para(
                "Every batch that contains the lot, directly or through intermediates; "
                "the path shows how.",
                st.muted,
            )
        )
        story.append(Spacer(1, 1.5 * mm))
        story.append(_batches_table(r.batches))
    else:
        story.append(Para("The lot has not been used in any batch.", st.body))

    story.append(Para(f"Shipments ({len(r.shipments):,})", st.h2))
    if r.shipments:
        story.append(_shipments_table(r.shipments))
    else:
        story.append(Para("None.", st.body))

    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([Para("Sign-off", st.h2), _signoff()]))
    return story


def _duration(ms: int) -> str:
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms / 1000
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {sec:02d} s"


def _summary(facts: Sequence[tuple[str, str]], counts: Sequence[tuple[str, str]]) -> Table:
    st = styles()
    label = ParagraphStyle("sb-rl", parent=st.cell, textColor=MUTED)
    n = max(len(facts), len(counts))
    rows = []
    for i in range(n):
        row: list[Any] = []
        for group in (facts, counts):
            if i < len(group):
                k, v = group[i]
                row += [Para(esc(k), label), Para(esc(v), st.cell_bold)]
            else:
                row += ["", ""]
        rows.append(row)
    w = _BODY_W
    t = Table(rows, colWidths=[w * 0.13, w * 0.37, w * 0.15, w * 0.35])
    t.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("TEXTCOLOR", (3, 0), (3, 2), FAIL),
        ]
    )
    return t


@dataclass(frozen=True)
class _Column:
    """A column of a long table: its heading, its width and its cells, top to bottom."""

    heading: str
    width_mm: float
    cells: Sequence[str]


def _plain_table(*columns: _Column) -> Flowable:
    """A long table of wrapped plain strings with a repeated header row.

    Built and wrapped a column at a time (``wrap_column``): the values of a column
    repeat (products, dates, quantities) and are wrapped once.
    """
    widths = [c.width_mm * mm for c in columns]
    inner = [w - 6 for w in widths]  # less the cell padding
    return PagedTable(
        [
            wrap(c.heading, w, font=SANS_BOLD, size=_CELL_SIZE)
            for c, w in zip(columns, inner, strict=True)
        ],
        [
            wrap_column(c.cells, w, font=_CELL_FONT, size=_CELL_SIZE)
            for c, w in zip(columns, inner, strict=True)
        ],
        widths,
    )


def _qty(pair: tuple[Decimal | None, str]) -> str:
    return qty(*pair)


def _customers_table(customers: Sequence[RecallCustomer]) -> Flowable:
    def shipped(c: RecallCustomer) -> str:
        if c.last_shipped and c.last_shipped != c.first_shipped:
            return f"{day(c.first_shipped)} to {day(c.last_shipped)}"
        return day(c.first_shipped)

    return _plain_table(
        _Column(
            "Customer",
            50,
            [c.name + ("\norders " + ", ".join(c.orders) if c.orders else "") for c in customers],
        ),
        _Column("Kind", 20, [c.kind for c in customers]),
        _Column(
            "Contact",
            50,
            ["\n".join(x for x in (c.contact, c.phone, c.email) if x) for c in customers],
        ),
        _Column("Address", 62, [c.address for c in customers]),
        _Column("Shipments", 18, [f"{c.shipments:,}" for c in customers]),
        _Column("Quantity", 30, [c.quantity_text for c in customers]),
        _Column("Shipped", 39, [shipped(c) for c in customers]),
    )


def _upstream_table(lines: Sequence[InputLine]) -> Flowable:
    return _plain_table(
        _Column(
            "Input",
            65,
            ["   " * (ln.level - 1) + ("↳ " if ln.level > 1 else "") + ln.name for ln in lines],
        ),
        _Column("Our lot", 35, [ln.lot_code for ln in lines]),
        _Column(
            "Supplier",
            50,
            [ln.supplier if ln.kind == "material" else "made here" for ln in lines],
        ),
        _Column("Supplier lot", 35, [ln.supplier_lot_code for ln in lines]),
        _Column("Origin", 55, [ln.origin for ln in lines]),
        _Column("Used", 29, Memo(_qty).each((ln.quantity, ln.unit) for ln in lines)),
    )


def _batches_table(batches: Sequence[RecallBatch]) -> Flowable:
    return _plain_table(
        _Column("Batch lot", 30, [b.lot_code for b in batches]),
        _Column("Product", 44, [b.product for b in batches]),
        _Column("Status", 20, [b.status for b in batches]),
        _Column("Made", 19, Memo(day).each(b.made_date for b in batches)),
        _Column("Best before", 19, Memo(day).each(b.best_before for b in batches)),
        _Column("Made qty", 21, Memo(_qty).each((b.quantity, b.unit) for b in batches)),
        _Column("Shipped", 20, Memo(_qty).each((b.shipped, b.unit) for b in batches)),
        _Column("Path from the recalled lot", 96, [b.path_text for b in batches]),
    )


def _shipments_table(shipments: Sequence[RecallShipment]) -> Flowable:
    return _plain_table(
        _Column("Shipped", 19, Memo(day).each(s.shipped_date for s in shipments)),
        _Column("Customer", 46, [s.customer for s in shipments]),
        _Column("Batch lot", 30, [s.batch_lot_code for s in shipments]),
        _Column("Product", 40, [s.product for s in shipments]),
        _Column("Quantity", 20, Memo(_qty).each((s.quantity, s.unit) for s in shipments)),
        _Column("Document", 30, [s.reference for s in shipments]),
        _Column("Path from the recalled lot", 84, [s.path_text for s in shipments]),
    )


def _signoff() -> Table:
    return signature_lines(
        (
            "Recall coordinator",
            "Customers notified (date, time)",
            "Regulator notified (if required)",
        ),
        _BODY_W,
    )


__all__ = ["render_recall_report"]
