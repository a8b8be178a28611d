"""Inventory: suppliers, materials, customers, receiving lots, on-hand, adjustments,
low-stock and expiring-soon.

On-hand of a material lot = received + adjustments - consumed, all in the lot's own
unit, computed by SQL over exact scaled integers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from smallbatch_desktop.domain import lotcodes
from smallbatch_desktop.domain.allergens import normalize_allergens
from smallbatch_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from smallbatch_desktop.domain.models import (
    Batch,
    Material,
    MaterialLot,
    StockAdjustment,
    Supplier,
)
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.domain.units import (
    convert,
    format_quantity,
    non_negative,
    normalize_unit,
    parse_decimal,
    positive_quantity,
    quantize,
    same_dimension,
)
from smallbatch_desktop.services.common import (
    audit,
    get_or_404,
    get_setting,
    insert_with_new_code,
    like,
    lock,
    lock_lot_codes,
    normalize_gtin,
    optional_text,
    parse_date,
    required_text,
)
from smallbatch_desktop.services.customers import CUSTOMER_KINDS, create_customer, customer_by_name
from smallbatch_desktop.services.fast_reads import db_date

MATERIAL_KINDS = ("ingredient", "packaging", "component", "fragrance", "colorant", "other")


# -- suppliers and customers -------------------------------------------------------------


def create_supplier(
    session: Session,
    *,
    name: str,
    address: str = "",
    contact: str = "",
    email: str = "",
    phone: str = "",
    notes: str = "",
    actor: str = "",
) -> Supplier:
    name = required_text(name, field="supplier name")
    if session.scalar(select(Supplier.id).where(func.lower(Supplier.name) == name.lower())):
        raise ConflictError(f"supplier name: {name!r} already exists", field="supplier name")
    s = Supplier(
        name=name,
        address=optional_text(address, field="address", lines=True),
        contact=optional_text(contact, field="contact", max_len=200),
        email=optional_text(email, field="email", max_len=200),
        phone=optional_text(phone, field="phone", max_len=50),
        notes=optional_text(notes, field="notes", lines=True),
    )
    session.add(s)
    session.flush()
    audit(session, actor, "supplier.create", "supplier", s.id, name=name)
    return s


# -- materials ---------------------------------------------------------------------------


def _material_fields(
    *,
    name: str,
    stock_unit: str,
    kind: str,
    allergens: str,
    inci_name: str,
    density: object,
    reorder_level: object,
) -> dict[str, object]:
    if kind not in MATERIAL_KINDS:
        raise ValidationError(
            f"kind: {kind!r} is not one of {', '.join(MATERIAL_KINDS)}", field="kind"
        )
    dens = None
    if density not in (None, ""):
        dens = positive_quantity(density, field="density")
    reorder = None
    if reorder_level not in (None, ""):
        reorder = non_negative(reorder_level, field="reorder level")
    return dict(
        name=required_text(name, field="material name"),
        stock_unit=normalize_unit(stock_unit, field="stock unit"),
        kind=kind,
        allergens=normalize_allergens(allergens),
        inci_name=optional_text(inci_name, field="INCI name", max_len=300),
        density=dens,
        reorder_level=reorder,
    )


def create_material(
    session: Session,
    *,
    code: str,
    name: str,
    stock_unit: str,
    kind: str = "ingredient",
    allergens: str = "",
    inci_name: str = "",
    density: object = None,
    reorder_level: object = None,
    default_supplier_id: int | None = None,
    notes: str = "",
    actor: str = "",
) -> Material:
    code = required_text(code, field="material code", max_len=40).upper()
    if session.scalar(select(Material.id).where(Material.code == code)):
        raise ConflictError(f"material code: {code!r} already exists", field="material code")
    fields = _material_fields(
        name=name,
        stock_unit=stock_unit,
        kind=kind,
        allergens=allergens,
        inci_name=inci_name,
        density=density,
        reorder_level=reorder_level,
    )
    if default_supplier_id is not None:
        get_or_404(session, Supplier, default_supplier_id, field="default supplier")
    m = Material(
        code=code,
        default_supplier_id=default_supplier_id,
        notes=optional_text(notes, field="notes", lines=True),
        **fields,
    )
    session.add(m)
    session.flush()
    audit(session, actor, "material.create", "material", m.id, code=code, name=m.name)
    return m


def update_material(
    session: Session,
    material_id: int,
    *,
    name: str,
    stock_unit: str,
    kind: str = "ingredient",
    allergens: str = "",
    inci_name: str = "",
    density: object = None,
    reorder_level: object = None,
    default_supplier_id: int | None = None,
    notes: str = "",
    actor: str = "",
) -> Material:
    m = get_or_404(session, Material, material_id, field="material")
    fields = _material_fields(
        name=name,
        stock_unit=stock_unit,
        kind=kind,
        allergens=allergens,
        inci_name=inci_name,
        density=density,
        reorder_level=reorder_level,
    )
    if fields["stock_unit"] != m.stock_unit and not same_dimension(
        str(fields["stock_unit"]), m.stock_unit
    ):
        has_lots = session.scalar(
            select(func.count()).select_from(MaterialLot).where(MaterialLot.material_id == m.id)
        )
        if has_lots:
            raise ValidationError(
                f"stock unit: cannot change from {m.stock_unit} to {fields['stock_unit']} "
                "(another dimension) once lots are received",
                field="stock unit",
            )
    changes = {k: (str(getattr(m, k)), str(v)) for k, v in fields.items() if getattr(m, k) != v}
    for k, v in fields.items():
        setattr(m, k, v)
    m.default_supplier_id = default_supplier_id
    m.notes = optional_text(notes, field="notes", lines=True)
    audit(session, actor, "material.update", "material", m.id, changes=changes)
    return m


def material_by_code(session: Session, code: str) -> Material:
    m = session.scalar(select(Material).where(Material.code == code.strip().upper()))
    if m is None:
        raise NotFoundError(f"material: no material with code {code!r}", field="material")
    return m


# -- lots --------------------------------------------------------------------------------


def lot_code_taken(session: Session, code: str) -> bool:
    """Lot codes are unique across material lots and batches: a scan must name one thing."""
    return bool(
        session.scalar(select(MaterialLot.id).where(MaterialLot.lot_code == code))
        or session.scalar(select(Batch.id).where(Batch.lot_code == code))
    )


def receive_lot(
    session: Session,
    *,
    material_id: int,
    quantity: object,
    unit: str | None = None,
    supplier_id: int | None = None,
    supplier_lot_code: str = "",
    unit_cost: object = None,
    currency: str | None = None,
    received_date: object = None,
    expiry_date: object = None,
    origin: str = "",
    certifications: str = "",
    gtin: str = "",
    lot_code: str | None = None,
    document_ref: str = "",
    notes: str = "",
    actor: str = "",
    today: dt.date | None = None,
) -> MaterialLot:
    """Receive one lot of a material from a supplier."""
    material = get_or_404(session, Material, material_id, field="material")
    qty = positive_quantity(quantity, field="quantity")
    unit_code = normalize_unit(unit or material.stock_unit, field="unit")
    # the lot's unit must be convertible to the material's stock unit
    convert(Decimal(1), unit_code, material.stock_unit, density=material.density, field="unit")
    if supplier_id is not None:
        get_or_404(session, Supplier, supplier_id, field="supplier")
    cost = None
    if unit_cost not in (None, ""):
        cost = non_negative(unit_cost, field="unit cost")
    received = (
        parse_date(received_date, field="received date")
        if received_date
        else (today or dt.date.today())
    )
    expiry = parse_date(expiry_date, field="expiry date") if expiry_date else None
    if expiry is not None and expiry < received:
        raise ValidationError(
            f"expiry date: {expiry.isoformat()} is before the received date {received.isoformat()}",
            field="expiry date",
        )
    lock_lot_codes(session)
    code = ""
    if lot_code:
        code = lotcodes.validate_lot_code(lot_code, field="lot code")
        if lot_code_taken(session, code):
            raise ConflictError(f"lot code: {code!r} is already used", field="lot code")
    lot = MaterialLot(
        lot_code=code,
        material_id=material.id,
        supplier_id=supplier_id,
        supplier_lot_code=optional_text(supplier_lot_code, field="supplier lot", max_len=80),
        quantity_received=qty,
        unit=unit_code,
        unit_cost=cost,
        currency=(currency or get_setting(session, "currency") or "USD").upper()[:3],
        received_date=received,
        expiry_date=expiry,
        origin=optional_text(origin, field="origin", max_len=200),
        certifications=optional_text(certifications, field="certifications", max_len=300),
        gtin=normalize_gtin(gtin, field="GTIN"),
        document_ref=optional_text(document_ref, field="document", max_len=80),
        notes=optional_text(notes, field="notes", lines=True),
        received_by=actor,
    )
    if lot_code:
        session.add(lot)
        session.flush()
    else:
        insert_with_new_code(session, lot, lambda: next_receiving_code(session, received))
    code = lot.lot_code
    audit(
        session,
        actor,
        "lot.receive",
        "material_lot",
        lot.id,
        lot_code=code,
        material=material.code,
        quantity=qty,
        unit=unit_code,
    )
    return lot


def next_receiving_code(session: Session, day: dt.date) -> str:
    pattern = get_setting(session, "receiving_lot_pattern")
    return lotcodes.generate(
        pattern,
        product="R",
        day=day,
        first_seq=1,
        is_taken=lambda c: lot_code_taken(session, c),
        field="receiving lot pattern",
    )


def lot_by_code(session: Session, code: str, *, field: str = "lot") -> MaterialLot:
    lot = session.scalar(select(MaterialLot).where(MaterialLot.lot_code == (code or "").strip()))
    if lot is None:
        raise NotFoundError(f"{field}: no material lot with code {code!r}", field=field)
    return lot


_LOT_ON_HAND = text(
    """
    SELECT l.quantity_received
         + COALESCE((SELECT SUM(a.quantity) FROM stock_adjustments a WHERE a.material_lot_id = l.id), 0)
         - COALESCE((SELECT SUM(c.quantity) FROM consumptions c WHERE c.material_lot_id = l.id), 0)
    FROM material_lots l WHERE l.id = :id
    """
)


def lot_on_hand(session: Session, lot_id: int) -> Decimal:
    """What is left of a material lot, in the lot's own unit."""
    raw = session.execute(_LOT_ON_HAND, {"id": lot_id}).scalar()
    if raw is None:
        raise NotFoundError(f"lot: no material lot with id {lot_id}", field="lot")
    return from_fixed(raw)


@dataclass(frozen=True)
class LotStock:
    lot_id: int
    lot_code: str
    material_id: int
    material_code: str
    material_name: str
    supplier: str
    supplier_lot_code: str
    received_date: dt.date
    expiry_date: dt.date | None
    unit: str
    received: Decimal
    on_hand: Decimal
    unit_cost: Decimal | None
    origin: str
    certifications: str


_LOTS_SQL = """
SELECT l.id AS lot_id, l.lot_code AS lot_code, m.id AS material_id, m.code AS material_code,
       m.name AS material_name, COALESCE(s.name, '') AS supplier_name,
       l.supplier_lot_code AS supplier_lot_code, l.received_date AS received_date,
       l.expiry_date AS expiry_date, l.unit AS unit, l.quantity_received AS quantity_received,
       l.quantity_received
         + COALESCE((SELECT SUM(a.quantity) FROM stock_adjustments a WHERE a.material_lot_id = l.id), 0)
         - COALESCE((SELECT SUM(c.quantity) FROM consumptions c WHERE c.material_lot_id = l.id), 0)
         AS on_hand,
       l.unit_cost AS unit_cost, l.origin AS origin, l.certifications AS certifications
FROM material_lots l JOIN materials m ON m.id = l.material_id
LEFT JOIN suppliers s ON s.id = l.supplier_id
"""


def _lot_stock(r: tuple) -> LotStock:
    return LotStock(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        r[6],
        db_date(r[7]) or dt.date.min,
        db_date(r[8]),
        r[9],
        from_fixed(r[10]),
        from_fixed(r[11]),
        None if r[12] is None else from_fixed(r[12]),
        r[13],
        r[14],
    )


def list_lots(
    session: Session,
    *,
    material_id: int | None = None,
    only_on_hand: bool = False,
    search: str = "",
    limit: int | None = None,
    fefo: bool = False,
) -> list[LotStock]:
    """Lots with on-hand; ``fefo`` orders by expiry first (no expiry last), then receipt."""
    where = []
    params: dict[str, object] = {}
    if material_id is not None:
        where.append("l.material_id = :mid")
        params["mid"] = material_id
    if search:
        op = like(session)
        where.append(
            f"(l.lot_code {op} :q OR l.supplier_lot_code {op} :q OR m.name {op} :q "
            f"OR m.code {op} :q)"
        )
        params["q"] = f"%{search.strip()}%"
    sql = _LOTS_SQL + (" WHERE " + " AND ".join(where) if where else "")
    if only_on_hand:
        sql = f"SELECT * FROM ({sql}) x WHERE x.on_hand > 0"
        order = (
            "ORDER BY (x.expiry_date IS NULL), x.expiry_date, x.received_date, x.lot_id"
            if fefo
            else "ORDER BY x.received_date DESC, x.lot_id DESC"
        )
    else:
        order = (
            "ORDER BY (l.expiry_date IS NULL), l.expiry_date, l.received_date, l.id"
            if fefo
            else "ORDER BY l.received_date DESC, l.id DESC"
        )
    sql += " " + order
    if limit:
        sql += " LIMIT :lim"
        params["lim"] = limit
    return [_lot_stock(tuple(r)) for r in session.execute(text(sql), params)]


def material_on_hand(session: Session, material_id: int) -> Decimal:
    """Total on hand across lots, in the material's stock unit (exact conversion)."""
    m = get_or_404(session, Material, material_id, field="material")
    total = Decimal(0)
    for lot in list_lots(session, material_id=material_id, only_on_hand=True):
        total += convert(lot.on_hand, lot.unit, m.stock_unit, density=m.density, exact=True)
    return quantize(total)


def adjust_lot(
    session: Session,
    lot_id: int,
    *,
    quantity: object,
    reason: str,
    actor: str = "",
) -> StockAdjustment:
    """A signed correction in the lot's unit (a count, a spill). Never below zero."""
    lot = lock(session, MaterialLot, lot_id, field="lot")
    qty = quantize(parse_decimal(quantity, field="adjustment"))
    if qty == 0:
        raise ValidationError("adjustment: must not be zero", field="adjustment")
    reason = required_text(reason, field="reason", max_len=300, lines=True)
    on_hand = lot_on_hand(session, lot.id)
    if on_hand + qty < 0:
        raise ValidationError(
            f"adjustment: {format_quantity(qty, lot.unit)} would leave "
            f"{format_quantity(on_hand + qty, lot.unit)} of lot {lot.lot_code} "
            f"(on hand {format_quantity(on_hand, lot.unit)})",
            field="adjustment",
        )
    adj = StockAdjustment(material_lot_id=lot.id, quantity=qty, reason=reason, created_by=actor)
    session.add(adj)
    session.flush()
    audit(session, actor, "lot.adjust", "material_lot", lot.id, quantity=qty, reason=reason)
    return adj


@dataclass(frozen=True)
class MaterialStock:
    """A material's stock in its stock unit. ``expired``: on hand in lots past their
    expiry (still counted on hand, never available); ``allocated``: still to be taken by
    planned and running batches."""

    material_id: int
    code: str
    name: str
    unit: str
    on_hand: Decimal
    reorder_level: Decimal | None
    expired: Decimal = Decimal(0)
    allocated: Decimal = Decimal(0)

    @property
    def available(self) -> Decimal:
        """What can still be used: on hand less expired and allocated (may be negative:
        the planned batches need more than there is)."""
        return self.on_hand - self.expired - self.allocated

    @property
    def low(self) -> bool:
        return self.reorder_level is not None and self.available <= self.reorder_level


def material_stock(session: Session, *, today: dt.date | None = None) -> list[MaterialStock]:
    """Every material with its on-hand, expired and allocated stock in its stock unit."""
    from smallbatch_desktop.services.batches import allocated_materials

    day = today or dt.date.today()
    materials = session.scalars(select(Material).order_by(Material.name)).all()
    per: dict[int, Decimal] = {m.id: Decimal(0) for m in materials}
    expired: dict[int, Decimal] = {m.id: Decimal(0) for m in materials}
    by_id = {m.id: m for m in materials}
    for lot in list_lots(session, only_on_hand=True):
        m = by_id[lot.material_id]
        qty = convert(lot.on_hand, lot.unit, m.stock_unit, density=m.density, exact=True)
        per[m.id] += qty
        if lot.expiry_date is not None and lot.expiry_date < day:
            expired[m.id] += qty
    allocated = allocated_materials(session)
    return [
        MaterialStock(
            m.id,
            m.code,
            m.name,
            m.stock_unit,
            quantize(per[m.id]),
            m.reorder_level,
            quantize(expired[m.id]),
            allocated.get(m.id, Decimal(0)),
        )
        for m in materials
    ]


def low_stock(session: Session) -> list[MaterialStock]:
    """Materials at or under their reorder level."""
    return [s for s in material_stock(session) if s.low]


def expiring_soon(
    session: Session, *, within_days: int | None = None, today: dt.date | None = None
) -> list[LotStock]:
    """Lots with stock left whose expiry falls within the window (expired ones included)."""
    days = int(
        within_days if within_days is not None else get_setting(session, "expiring_soon_days") or 30
    )
    limit_day = (today or dt.date.today()) + dt.timedelta(days=days)
    return [
        lot
        for lot in list_lots(session, only_on_hand=True, fefo=True)
        if lot.expiry_date is not None and lot.expiry_date <= limit_day
    ]


__all__ = [
    "CUSTOMER_KINDS",
    "MATERIAL_KINDS",
    "LotStock",
    "MaterialStock",
    "adjust_lot",
    "create_customer",
    "create_material",
    "create_supplier",
    "customer_by_name",
    "expiring_soon",
    "list_lots",
    "lot_by_code",
    "lot_code_taken",
    "lot_on_hand",
    "low_stock",
    "material_by_code",
    "material_on_hand",
    "material_stock",
    "next_receiving_code",
    "receive_lot",
    "update_material",
]
