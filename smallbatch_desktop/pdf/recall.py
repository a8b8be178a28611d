"""The recall report: from one lot, every affected batch, shipment and customer.

It renders a :class:`~smallbatch_desktop.domain.records.RecallReport` (plain frozen
dataclasses, filled by ``services.recall.recall_report``) as an A4-landscape PDF for the
people who make the phone calls, in the order they need it: what to do now (with this
recall's numbers), the customers to contact (contact details, orders, quantities, dates;
most recent shipment first), what is affected (counts per product and status, shipped
or still here, the dates), then the affected batches and the shipments with the path
that links each to the lot ("M-CHIL-001 → MASH-26001 → HS-26012"), and, for a batch,
where its inputs came from.

A recall of a heavily used raw material can reach a hundred thousand batches: the
service lists the first few hundred of each (``services.recall.LISTED``) and the page
says how many more there are and that the CSV has them all.  The long tables use
plain-string cells (wrapped by :func:`~smallbatch_desktop.pdf.common.wrap`), which
ReportLab lays out many times faster than Paragraphs; the header row repeats on every
page and no cell is truncated.
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
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from smallbatch_desktop.domain.records import (
    InputLine,
    Memo,
    RecallBatch,
    RecallCustomer,
    RecallLot,
    RecallReport,
    RecallShipment,
    RecallSummary,
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


#: a section heading starts a new page unless this much room is left under it: the
#: heading, its note, a table's header and its first rows (never a heading alone at the
#: foot of a page)
SECTION_START = 45 * mm


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

    t = r.totals
    story.append(Para("What to do now", st.h2))
    story.append(_actions(r, t))

    # customers first: they are who the coordinator calls
    story.append(CondPageBreak(SECTION_START))
    story.append(Para(f"Customers to contact ({len(r.customers):,})", st.h2))
    if r.customers:
        story.append(
            Para(
                "Most recent shipment first (their stock is the likeliest still on shelves), "
                "then the most shipped to them.",
                st.muted,
            )
        )
        story.append(Spacer(1, 1.5 * mm))
        story.append(_customers_table(r.customers))
    else:
        story.append(Para("No shipments: nothing left the workshop.", st.body))

    # what is affected: the lot's facts and the counts, then per product and status
    story.append(CondPageBreak(SECTION_START))
    story.append(Para("What is affected", st.h2))
    story.append(_summary(_facts(lot), _counts(r, t)))
    if len(t.by_depth) > 1:
        story.append(Spacer(1, 1.5 * mm))
        story.append(Para(esc(_depth_text(t)), st.muted))
    if t.lines:
        story.append(Spacer(1, 2 * mm))
        story.append(_lines_table(t))

    if r.upstream:
        story.append(CondPageBreak(SECTION_START))
        story.append(Para("Where the recalled batch came from", st.h2))
        story.append(_upstream_table(r.upstream))

    story.append(CondPageBreak(SECTION_START))
    story.append(Para(f"Affected batches ({t.batches:,})", st.h2))
    if r.batches:
        story.append(
            Para(
                esc(
                    "Every batch that contains the lot, directly or through intermediates; "
                    "the path shows how."
                    + _listed_note(len(r.batches), r.omitted_batches, "affected batches")
                ),
                st.muted if not r.omitted_batches else st.body,
            )
        )
        story.append(Spacer(1, 1.5 * mm))
        story.append(_batches_table(r.batches))
        if r.omitted_batches:
            story.append(_omitted(r.omitted_batches, "affected batches"))
    else:
        story.append(Para("The lot has not been used in any batch.", st.body))

    story.append(CondPageBreak(SECTION_START))
    story.append(Para(f"Shipments ({t.shipments:,})", st.h2))
    if r.shipments:
        if r.omitted_shipments:
            story.append(
                Para(esc(_listed_note(len(r.shipments), r.omitted_shipments, "shipments")), st.body)
            )
            story.append(Spacer(1, 1.5 * mm))
        story.append(_shipments_table(r.shipments))
        if r.omitted_shipments:
            story.append(_omitted(r.omitted_shipments, "shipments"))
    else:
        story.append(Para("None.", st.body))

    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([Para("Sign-off", st.h2), _signoff()]))
    return story


def _facts(lot: RecallLot) -> list[tuple[str, str]]:
    if lot.kind == "material":
        return [
            ("Supplier lot", lot.supplier_lot_code),
            ("Received", day(lot.date)),
            ("Quantity received", qty(lot.quantity, lot.unit)),
            ("Expiry", day(lot.expiry)),
            ("Origin", lot.origin),
            ("Certifications", lot.certifications),
        ]
    return [
        ("Made", day(lot.date)),
        ("Best before", day(lot.expiry)),
        ("Quantity", qty(lot.quantity, lot.unit)),
        ("Status", lot.status),
    ]


def _amounts(amounts: Sequence[tuple[Decimal, str]]) -> str:
    return ", ".join(qty(q, u) for q, u in amounts)


def _span(first: dt.date | None, last: dt.date | None) -> str:
    if first and last and first != last:
        return f"{day(first)} to {day(last)}"
    return day(first or last)


def _counts(r: RecallReport, t: RecallSummary) -> list[tuple[str, str]]:
    counts: list[tuple[str, str]] = [
        ("Affected batches", f"{t.batches:,}"),
        ("Shipments", f"{t.shipments:,}"),
        ("Customers to contact", f"{t.customers:,}"),
        ("Quantity shipped", _amounts(t.shipped) or "none"),
        ("By status", ", ".join(f"{label} {n:,}" for label, n in t.by_status()) or "none"),
        ("Batches made", _span(t.first_made, t.last_made)),
        ("Shipped", _span(t.first_shipped, t.last_shipped) or "never"),
    ]
    if r.drill_duration_ms is not None:
        counts.append(("Drill time", _duration(r.drill_duration_ms)))
    return counts


def _actions(r: RecallReport, t: RecallSummary) -> Flowable:
    """The coordinator's steps, with this recall's numbers in them."""
    st = styles()
    steps: list[str] = []
    if t.customers:
        steps.append(
            f"Contact the {t.customers:,} customer{'s' if t.customers != 1 else ''} below "
            f"({t.shipments:,} shipment{'s' if t.shipments != 1 else ''}, "
            f"{_amounts(t.shipped)}, shipped {_span(t.first_shipped, t.last_shipped)}): "
            "tell them to stop selling and using the product and how to return it."
        )
    else:
        steps.append("Nothing was shipped: no customer needs to be contacted.")
    here = t.not_shipped + t.partly_shipped
    if here:
        steps.append(
            f"Stop and set apart what is still here: {t.not_shipped:,} affected "
            f"batch{'es' if t.not_shipped != 1 else ''} never shipped and "
            f"{t.partly_shipped:,} partly shipped (see What is affected); "
            f"do not use the lot {r.lot.lot_code} again."
        )
    elif t.batches:
        steps.append(f"Every affected batch has left; do not use the lot {r.lot.lot_code} again.")
    else:
        steps.append(f"Set the lot {r.lot.lot_code} apart: it has not been used in any batch.")
    if r.omitted_batches or r.omitted_shipments:
        steps.append(
            f"The full lists ({t.batches:,} batches, {t.shipments:,} shipments) are in the "
            "recall CSV saved with this report; this report lists the first "
            f"{len(r.batches):,} batches and {len(r.shipments):,} shipments."
        )
    steps.append("Record who was told and when on the sign-off lines at the end.")
    rows = [[Para(f"{i}.", st.cell_bold), Para(esc(s), st.body)] for i, s in enumerate(steps, 1)]
    table = Table(rows, colWidths=[8 * mm, _BODY_W - 8 * mm])
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOX", (0, 0), (-1, -1), 0.8, FAIL),
        ]
    )
    return table


def _listed_note(listed: int, omitted: int, what: str) -> str:
    if not omitted:
        return ""
    return (
        f" Listed here: the first {listed:,} of {listed + omitted:,} {what}; "
        f"{omitted:,} more are not printed: the full list is in the recall CSV."
    )


def _omitted(omitted: int, what: str) -> Flowable:
    st = styles()
    return Para(
        esc(
            f"… and {omitted:,} more {what}, not printed here: "
            "the full list is in the recall CSV (one row per batch and per shipment)."
        ),
        ParagraphStyle("sb-omit", parent=st.cell_bold, textColor=FAIL),
    )


def _depth_text(t: RecallSummary) -> str:
    parts = []
    for depth, n in t.by_depth:
        if depth == 0:
            parts.append(f"{n:,} the recalled batch itself")
        elif depth == 1:
            parts.append(f"{n:,} made with the lot directly")
        else:
            parts.append(f"{n:,} through {depth - 1} intermediate{'s' if depth > 2 else ''}")
    return "Affected batches by how they reached the lot: " + "; ".join(parts) + "."


def _lines_table(t: RecallSummary) -> Flowable:
    lines = t.lines
    return _plain_table(
        _Column("Product", 58, [ln.product for ln in lines]),
        _Column("Status", 22, [ln.status for ln in lines]),
        _Column("Batches", 18, [f"{ln.batches:,}" for ln in lines]),
        _Column("Not shipped", 20, [f"{ln.not_shipped:,}" for ln in lines]),
        _Column("Partly shipped", 20, [f"{ln.partly_shipped:,}" for ln in lines]),
        _Column("All shipped", 18, [f"{ln.fully_shipped:,}" for ln in lines]),
        _Column("Made", 30, [_amounts(ln.made) for ln in lines]),
        _Column("Shipped", 30, [_amounts(ln.shipped) or "none" for ln in lines]),
        _Column("Made on", 53, [_span(ln.first_made, ln.last_made) for ln in lines]),
    )


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
