"""Purchase orders: drafts from the purchase list (one per supplier), ordering, receiving
lots against a line (supplier, material, quantity and cost filled in; partial receipts),
cancelling; the list of purchase orders.

Status: draft -> ordered -> partly received -> received, or cancelled (before anything
is received in full). The received quantity of a line is the sum of the lots linked to
it, so a partial receipt needs no bookkeeping beyond the lot itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from smallbatch_desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    StatusError,
    UnitError,
    ValidationError,
)
from smallbatch_desktop.domain.models import (
    Material,
    MaterialLot,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    Supplier,
)
from smallbatch_desktop.domain.status import PoStatus
from smallbatch_desktop.domain.units import (
    convert,
    non_negative,
    normalize_unit,
    positive_quantity,
    quantize,
)
from smallbatch_desktop.services.common import (
    audit,
    get_or_404,
    next_number,
    optional_text,
    parse_date,
)

_ZERO = Decimal(0)
#: purchase orders whose unreceived quantities count as "on order" in planning
_COUNTS_ON_ORDER = (PoStatus.DRAFT.value, PoStatus.ORDERED.value, PoStatus.PARTLY_RECEIVED.value)


@dataclass(frozen=True)
class PoLineInput:
    material_id: int
    quantity: object
    unit: str | None = None
    unit_cost: object = None
    notes: str = ""


def po_by_number(session: Session, number: str, *, field: str = "purchase order") -> PurchaseOrder:
    po = session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == (number or "").strip()))
    if po is None:
        raise NotFoundError(f"{field}: no purchase order {number!r}", field=field)
    return po


def next_po_number(session: Session, day: dt.date | None = None) -> str:
    """``PO-<year>-<NNNN>``, one more than the highest of that year."""
    return next_number(session, PurchaseOrder.number, f"PO-{(day or dt.date.today()).year}-")


def _po_line(session: Session, position: int, li: PoLineInput) -> PurchaseOrderLine:
    fld = f"line {position}"
    m = get_or_404(session, Material, li.material_id, field=f"{fld} material")
    qty = positive_quantity(li.quantity, field=f"{fld} quantity")
    unit = normalize_unit(li.unit or m.stock_unit, field=f"{fld} unit")
    convert(Decimal(1), unit, m.stock_unit, density=m.density, field=f"{fld} unit")
    cost = None if li.unit_cost in (None, "") else non_negative(li.unit_cost, field=f"{fld} cost")
    return PurchaseOrderLine(
        position=position,
        material_id=m.id,
        quantity=qty,
        unit=unit,
        unit_cost=cost,
        notes=optional_text(li.notes, field=f"{fld} notes", max_len=300),
    )


def create_purchase_order(
    session: Session,
    *,
    supplier_id: int,
    lines: Sequence[PoLineInput],
    expected_date: object = None,
    notes: str = "",
    actor: str = "",
    today: dt.date | None = None,
) -> PurchaseOrder:
    """A draft purchase order to one supplier."""
    sup = get_or_404(session, Supplier, supplier_id, field="supplier")
    if not lines:
        raise ValidationError("lines: a purchase order needs at least one line", field="lines")
    built = [_po_line(session, i, li) for i, li in enumerate(lines, start=1)]
    number = next_po_number(session, today)
    po = PurchaseOrder(
        number=number,
        supplier_id=sup.id,
        status=PoStatus.DRAFT.value,
        expected_date=parse_date(expected_date, field="expected date") if expected_date else None,
        notes=optional_text(notes, field="notes"),
        created_by=actor,
        lines=built,
    )
    session.add(po)
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(
            f"purchase order: number {number} was just taken by another workstation; try again",
            field="purchase order",
        ) from None
    audit(
        session,
        actor,
        "po.create",
        "purchase_order",
        po.id,
        number=number,
        supplier=sup.name,
        lines=[
            {"material": ln.material.code, "quantity": ln.quantity, "unit": ln.unit} for ln in built
        ],
    )
    return po


def add_po_line(
    session: Session, po_id: int, line: PoLineInput, *, actor: str = ""
) -> PurchaseOrderLine:
    po = _editable(session, po_id)
    pos = max((ln.position for ln in po.lines), default=0) + 1
    ln = _po_line(session, pos, line)
    po.lines.append(ln)
    session.flush()
    audit(session, actor, "po.add_line", "purchase_order", po.id, material=ln.material.code)
    return ln


def _editable(session: Session, po_id: int) -> PurchaseOrder:
    po = get_or_404(session, PurchaseOrder, po_id, field="purchase order")
    if po.status != PoStatus.DRAFT.value:
        raise StatusError(
            f"purchase order: {po.number} is {PoStatus(po.status).label.lower()}; only a draft "
            "can change",
            field="purchase order",
        )
    return po


def mark_ordered(
    session: Session, po_id: int, *, ordered_date: object = None, actor: str = ""
) -> PurchaseOrder:
    """The draft was sent to the supplier."""
    po = _editable(session, po_id)
    po.status = PoStatus.ORDERED.value
    po.ordered_date = (
        parse_date(ordered_date, field="ordered date") if ordered_date else dt.date.today()
    )
    session.flush()
    audit(session, actor, "po.order", "purchase_order", po.id, number=po.number)
    return po


def cancel_purchase_order(
    session: Session, po_id: int, *, reason: str = "", actor: str = ""
) -> PurchaseOrder:
    """Cancel a draft or an order not yet received in full; lots already received stay."""
    po = get_or_404(session, PurchaseOrder, po_id, field="purchase order")
    if po.status in (PoStatus.RECEIVED.value, PoStatus.CANCELLED.value):
        raise StatusError(
            f"purchase order: {po.number} is {PoStatus(po.status).label.lower()} already",
            field="purchase order",
        )
    old = po.status
    po.status = PoStatus.CANCELLED.value
    if reason:
        po.notes = (
            (po.notes + "\n" if po.notes else "")
            + "Cancelled: "
            + optional_text(reason, field="reason")
        )
    session.flush()
    audit(session, actor, "po.cancel", "purchase_order", po.id, number=po.number, status_from=old)
    return po


def received_quantity(session: Session, line: PurchaseOrderLine) -> Decimal:
    """What has been received against a line, in the line's unit."""
    rows = session.execute(
        select(MaterialLot.quantity_received, MaterialLot.unit)
        .join(PurchaseReceipt, PurchaseReceipt.material_lot_id == MaterialLot.id)
        .where(PurchaseReceipt.po_line_id == line.id)
    ).all()
    dens = line.material.density
    return quantize(
        sum((convert(q, u, line.unit, density=dens, exact=True) for q, u in rows), _ZERO)
    )


def _refresh_status(session: Session, po: PurchaseOrder) -> None:
    done = [received_quantity(session, ln) >= ln.quantity for ln in po.lines]
    any_received = session.scalar(
        select(func.count())
        .select_from(PurchaseReceipt)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.po_line_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id)
    )
    if all(done):
        po.status = PoStatus.RECEIVED.value
    elif any_received:
        po.status = PoStatus.PARTLY_RECEIVED.value


def receive_against_po(
    session: Session,
    po_line_id: int,
    *,
    quantity: object = None,
    unit: str | None = None,
    supplier_lot_code: str = "",
    received_date: object = None,
    expiry_date: object = None,
    unit_cost: object = None,
    lot_code: str | None = None,
    origin: str = "",
    certifications: str = "",
    gtin: str = "",
    notes: str = "",
    actor: str = "",
    today: dt.date | None = None,
) -> MaterialLot:
    """Receive one lot against a purchase order line: the supplier, material and cost come
    from the order, the quantity defaults to what is still outstanding. A partial receipt
    leaves the order partly received; more than ordered is accepted (suppliers round up)
    and closes the line."""
    from smallbatch_desktop.services.inventory import receive_lot

    line = get_or_404(session, PurchaseOrderLine, po_line_id, field="purchase order line")
    po = line.purchase_order
    if po.status not in (PoStatus.ORDERED.value, PoStatus.PARTLY_RECEIVED.value):
        hint = "; mark it ordered first" if po.status == PoStatus.DRAFT.value else ""
        raise StatusError(
            f"purchase order: {po.number} is {PoStatus(po.status).label.lower()}{hint}",
            field="purchase order",
        )
    outstanding = max(_ZERO, line.quantity - received_quantity(session, line))
    if quantity in (None, ""):
        if outstanding <= 0:
            raise ValidationError(
                f"quantity: line {line.position} ({line.material.name}) is received in full; "
                "give the quantity of an extra delivery",
                field="quantity",
            )
        qty, u = outstanding, line.unit
    else:
        qty = positive_quantity(quantity, field="quantity")
        u = normalize_unit(unit or line.unit, field="unit")
    cost = unit_cost
    if cost in (None, "") and line.unit_cost is not None:
        try:  # the order's price per line unit, restated per received unit
            cost = quantize(
                line.unit_cost
                * convert(Decimal(1), u, line.unit, density=line.material.density, exact=True)
            )
        except UnitError:
            cost = None
    lot = receive_lot(
        session,
        material_id=line.material_id,
        quantity=qty,
        unit=u,
        supplier_id=po.supplier_id,
        supplier_lot_code=supplier_lot_code,
        unit_cost=cost,
        received_date=received_date,
        expiry_date=expiry_date,
        origin=origin,
        certifications=certifications,
        gtin=gtin,
        lot_code=lot_code,
        document_ref=po.number,
        notes=notes,
        actor=actor,
        today=today,
    )
    session.add(PurchaseReceipt(material_lot_id=lot.id, po_line_id=line.id))
    session.flush()
    old = po.status
    _refresh_status(session, po)
    session.flush()
    audit(
        session,
        actor,
        "po.receive",
        "purchase_order",
        po.id,
        number=po.number,
        line=line.position,
        lot=lot.lot_code,
        quantity=qty,
        unit=u,
        status_from=old,
        status_to=po.status,
    )
    return lot


# -- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PoLineView:
    id: int
    position: int
    material_id: int
    material_code: str
    material: str
    quantity: Decimal
    unit: str
    unit_cost: Decimal | None
    received: Decimal
    lots: tuple[str, ...]
    notes: str

    @property
    def outstanding(self) -> Decimal:
        return max(_ZERO, self.quantity - self.received)


@dataclass(frozen=True)
class PoView:
    id: int
    number: str
    supplier_id: int
    supplier: str
    status: str
    ordered_date: dt.date | None
    expected_date: dt.date | None
    created_at: dt.datetime
    notes: str
    lines: tuple[PoLineView, ...]

    @property
    def status_label(self) -> str:
        return PoStatus(self.status).label

    @property
    def total(self) -> Decimal | None:
        if any(ln.unit_cost is None for ln in self.lines):
            return None
        return quantize(sum((ln.quantity * ln.unit_cost for ln in self.lines), _ZERO))  # type: ignore[operator]


def po_view(session: Session, po_id: int) -> PoView:
    po = get_or_404(session, PurchaseOrder, po_id, field="purchase order")
    lines = []
    for ln in po.lines:
        lots = session.scalars(
            select(MaterialLot.lot_code)
            .join(PurchaseReceipt, PurchaseReceipt.material_lot_id == MaterialLot.id)
            .where(PurchaseReceipt.po_line_id == ln.id)
            .order_by(MaterialLot.id)
        ).all()
        lines.append(
            PoLineView(
                ln.id,
                ln.position,
                ln.material_id,
                ln.material.code,
                ln.material.name,
                ln.quantity,
                ln.unit,
                ln.unit_cost,
                received_quantity(session, ln),
                tuple(lots),
                ln.notes,
            )
        )
    return PoView(
        po.id,
        po.number,
        po.supplier_id,
        po.supplier.name,
        po.status,
        po.ordered_date,
        po.expected_date,
        po.created_at,
        po.notes,
        tuple(lines),
    )


def list_purchase_orders(
    session: Session, *, status: str | None = None, open_only: bool = False
) -> list[PoView]:
    """Purchase orders, newest first (a workshop has tens to hundreds: read whole)."""
    q = select(PurchaseOrder.id).order_by(PurchaseOrder.id.desc())
    if status:
        q = q.where(PurchaseOrder.status == status)
    elif open_only:
        q = q.where(PurchaseOrder.status.in_(_COUNTS_ON_ORDER))
    return [po_view(session, pid) for pid in session.scalars(q)]


def on_order(session: Session) -> list[tuple[int, str, Decimal]]:
    """What draft and open purchase orders still bring: (material id, unit, quantity) per
    line with something outstanding."""
    lines = session.scalars(
        select(PurchaseOrderLine)
        .join(PurchaseOrder)
        .where(PurchaseOrder.status.in_(_COUNTS_ON_ORDER))
        .options(selectinload(PurchaseOrderLine.material))
    ).all()
    out = []
    for ln in lines:
        left = ln.quantity - received_quantity(session, ln)
        if left > 0:
            out.append((ln.material_id, ln.unit, left))
    return out


# -- from the purchase list --------------------------------------------------------------


@dataclass(frozen=True)
class DraftResult:
    orders: tuple[PurchaseOrder, ...]
    #: materials to buy that have no default supplier (code, name)
    no_supplier: tuple[tuple[str, str], ...]


def _last_cost(session: Session, material_id: int, supplier_id: int, unit: str) -> Decimal | None:
    row = session.execute(
        select(MaterialLot.unit_cost, MaterialLot.unit)
        .where(
            MaterialLot.material_id == material_id,
            MaterialLot.supplier_id == supplier_id,
            MaterialLot.unit_cost.is_not(None),
        )
        .order_by(MaterialLot.received_date.desc(), MaterialLot.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    cost: Decimal | None = row[0]
    lot_unit: str = row[1]
    if cost is None:
        return None
    try:
        return quantize(cost * convert(Decimal(1), unit, lot_unit, exact=True))
    except UnitError:
        return None


def create_draft_pos(
    session: Session,
    *,
    material_ids: Iterable[int] | None = None,
    actor: str = "",
    today: dt.date | None = None,
) -> DraftResult:
    """Turn the purchase list (what to buy) into draft purchase orders, one per default
    supplier; a supplier's existing draft gains the lines instead of a second draft.
    Materials without a default supplier are left out and named in the result."""
    from smallbatch_desktop.services.planning import demand_plan

    chosen = None if material_ids is None else set(material_ids)
    plan = demand_plan(session, today=today)
    buy = [m for m in plan.to_buy if chosen is None or m.material_id in chosen]
    if not buy:
        raise ValidationError(
            "purchase list: nothing to buy; on hand and on order cover the requirements",
            field="purchase list",
        )
    by_supplier: dict[int, list] = {}
    missing = []
    for m in buy:
        if m.supplier_id is None:
            missing.append((m.code, m.name))
        else:
            by_supplier.setdefault(m.supplier_id, []).append(m)
    made: list[PurchaseOrder] = []
    for sid, needs in by_supplier.items():
        lines = [
            PoLineInput(
                m.material_id, m.to_buy, m.unit, _last_cost(session, m.material_id, sid, m.unit)
            )
            for m in needs
        ]
        draft = session.scalar(
            select(PurchaseOrder)
            .where(PurchaseOrder.supplier_id == sid, PurchaseOrder.status == PoStatus.DRAFT.value)
            .order_by(PurchaseOrder.id)
            .limit(1)
        )
        if draft is None:
            made.append(
                create_purchase_order(
                    session,
                    supplier_id=sid,
                    lines=lines,
                    actor=actor,
                    today=today,
                    notes="from the purchase list",
                )
            )
        else:
            for li in lines:
                add_po_line(session, draft.id, li, actor=actor)
            made.append(draft)
    if not made:
        names = ", ".join(f"{c} ({n})" for c, n in missing)
        raise ValidationError(
            f"default supplier: {names} {'has' if len(missing) == 1 else 'have'} no default "
            "supplier; set one on the material",
            field="default supplier",
        )
    return DraftResult(tuple(made), tuple(missing))
