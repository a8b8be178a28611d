"""Personalised labels for an order line: one label per unit, with that unit's text.

Each unit is a unit of a batch: the units already shipped come first (in shipping order),
then the units allocated; a unit takes its batch's lot, dates and "n of N" number (the
batch's own numbering, continued after its last final print run, so a number is never
printed twice), the order number, the customer, the line's options, and its own text:
the line's per-unit text where it has one, else the line's personal text.

Built on ``services.labels.plan_print`` (one plan per batch, then one job), so layouts,
stocks, printer profiles and numbering work exactly as for a batch's labels. As for a
batch, the numbers are reserved before anything is rendered: plan with
``lock_numbers=True`` in a write unit of work, ``reserve_order_print``, then render; a
render that fails rolls the unit of work (and the reservation) back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import ConflictError, ValidationError
from smallbatch_desktop.domain.label_data import LabelData, LabelJob
from smallbatch_desktop.domain.models import (
    Allocation,
    Batch,
    LabelPrintRun,
    OrderShipment,
    SalesOrderLine,
    Shipment,
)
from smallbatch_desktop.domain.units import Dimension, convert, format_quantity, get_unit
from smallbatch_desktop.services.common import get_or_404
from smallbatch_desktop.services.labels import PrintPlan, plan_print, reserve_print_run


@dataclass(frozen=True)
class OrderLabelPlan:
    """A ready-to-render job for a line's units, and the batch plans whose numbers it
    consumes."""

    job: LabelJob
    order_number: str
    line_id: int
    line_position: int
    parts: tuple[PrintPlan, ...]
    #: units of the line with no batch yet (neither shipped nor allocated): not printed
    missing: int

    @property
    def copies(self) -> int:
        return len(self.job.labels)


def unit_batches(session: Session, ln: SalesOrderLine) -> list[tuple[int, int]]:
    """(batch id, whole units) of a line, shipped first then allocated, in line units."""
    rows = session.execute(
        select(Shipment.batch_id, Shipment.quantity, Shipment.unit)
        .join(OrderShipment, OrderShipment.shipment_id == Shipment.id)
        .where(OrderShipment.line_id == ln.id)
        .order_by(Shipment.id)
    ).all()
    allocs = session.execute(
        select(Allocation.batch_id, Allocation.quantity, Batch.unit)
        .join(Batch, Batch.id == Allocation.batch_id)
        .where(Allocation.line_id == ln.id)
        .order_by(Allocation.id)
    ).all()
    out: list[tuple[int, int]] = []
    for bid, qty, unit in [*rows, *allocs]:
        n = int(convert(qty, unit, ln.unit))
        if n <= 0:
            continue
        if out and out[-1][0] == bid:
            out[-1] = (bid, out[-1][1] + n)
        else:
            out.append((bid, n))
    return out


def plan_order_labels(
    session: Session,
    line_id: int,
    *,
    layout_name: str | None = None,
    stock_key: str | None = None,
    skip: int = 0,
    profile_name: str | None = None,
    outline: bool = False,
    lock_numbers: bool = False,
) -> OrderLabelPlan:
    """One label per unit of an order line that has a batch (shipped or allocated)."""
    ln = get_or_404(session, SalesOrderLine, line_id, field="line")
    o = ln.order
    fld = f"line {ln.position}"
    if get_unit(ln.unit).dimension is not Dimension.COUNT or (
        ln.quantity != ln.quantity.to_integral_value()
    ):
        raise ValidationError(
            f"{fld}: {format_quantity(ln.quantity, ln.unit)} is not a number of pieces; "
            "labels per unit need a line counted in pieces",
            field=fld,
        )
    units = unit_batches(session, ln)
    if not units:
        raise ConflictError(
            f"{fld}: no unit of {ln.recipe.name} on order {o.number} has a batch yet; "
            "allocate released stock to the line first",
            field=fld,
        )
    texts = list(ln.unit_texts or [])
    options = tuple(sorted((ln.options or {}).items()))
    parts: list[PrintPlan] = []
    labels: list[LabelData] = []
    i = 0
    for bid, count in units:
        part = plan_print(
            session,
            bid,
            layout_name=layout_name,
            stock_key=stock_key,
            copies=count,
            skip=skip,
            profile_name=profile_name,
            outline=outline,
            lock_numbers=lock_numbers,
        )
        parts.append(part)
        for label in part.job.labels:
            text = texts[i] if i < len(texts) and texts[i] else ln.personal_text
            labels.append(
                dataclasses.replace(
                    label,
                    order=o.number,
                    customer=o.customer.name,
                    personal_text=text,
                    options=options,
                )
            )
            i += 1
    first = parts[0].job
    job = dataclasses.replace(
        first,
        labels=tuple(labels),
        draft=any(p.job.draft for p in parts),
        title=f"Labels {o.number} line {ln.position}",
    )
    return OrderLabelPlan(
        job, o.number, ln.id, ln.position, tuple(parts), int(ln.quantity) - len(labels)
    )


def reserve_order_print(
    session: Session, plan: OrderLabelPlan, *, printed_by: str = ""
) -> list[LabelPrintRun]:
    """Reserve the numbers the job uses, batch by batch, before it is rendered."""
    runs = [reserve_print_run(session, p, printed_by=printed_by) for p in plan.parts]
    return [r for r in runs if r is not None]
