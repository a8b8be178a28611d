"""Sales orders: take an order, allocate released stock to its lines, ship them first-expiry-
first, cancel; the order list paged in SQL.

Rules that protect the record:
- a line asks for a product that has a published recipe version, in a unit of the same
  dimension as the product's yield; personal texts and options are checked and kept;
- only released batches are allocated or shipped, never more than is free (on hand less
  what other lines hold), never past their best-before date;
- shipping draws the line's own allocations first, then free stock, earliest best-before
  first (FEFO), and every shipment points back at its order line, so a recall names the
  orders; an order whose lines have all shipped becomes shipped;
- cancelling releases the order's allocations; a shipped or cancelled order is closed.

Every quantity is a Decimal. Services never commit: the caller owns the unit of work.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import (
    ConflictError,
    InsufficientStockError,
    NotFoundError,
    StatusError,
    ValidationError,
)
from smallbatch_desktop.domain.models import (
    Allocation,
    Batch,
    Customer,
    OrderShipment,
    Recipe,
    RecipeVersion,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    utcnow,
)
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.domain.status import (
    ORDER_ACTIVE,
    ORDER_TRANSITIONS,
    BatchStatus,
    OrderStatus,
)
from smallbatch_desktop.domain.units import (
    convert,
    format_quantity,
    non_negative,
    normalize_unit,
    positive_quantity,
    quantize,
)
from smallbatch_desktop.services.common import (
    audit,
    get_or_404,
    like,
    lock,
    lock_order_numbers,
    next_number,
    optional_text,
    parse_date,
    required_text,
)
from smallbatch_desktop.services.fast_reads import db_date
from smallbatch_desktop.services.inventory import customer_by_name
from smallbatch_desktop.services.recipes import latest_published

CHANNELS = ("shop", "market", "wholesale", "web")
CHANNEL_LABELS = {"shop": "Shop", "market": "Market", "wholesale": "Wholesale", "web": "Web"}
#: the ``document type`` of a shipment made against an order (FSMA 204 reference document)
ORDER_DOCUMENT = "sales order"
MAX_PERSONAL_TEXT = 500
MAX_UNIT_TEXT = 200
MAX_OPTIONS = 20
_OPTION_KEY = re.compile(r"^[a-z0-9][a-z0-9_ -]{0,39}$")
_ZERO = Decimal(0)


@dataclass(frozen=True)
class OrderLineInput:
    """One line of a new order, as typed or imported.

    ``product`` is a recipe code ("HOT-1") or id.  ``quantity`` is in ``unit`` (the
    product's yield unit when left out).  ``personal_text`` goes on every unit's label;
    ``unit_texts`` gives units their own text (one entry per unit, in order).  ``options``
    are key -> value ("heat" -> "extra hot"); keys are lower case letters, digits, "_",
    "-" or spaces.
    """

    product: str | int
    quantity: object
    unit: str | None = None
    personal_text: str = ""
    unit_texts: Sequence[str] = ()
    options: Mapping[str, object] = field(default_factory=dict)
    made_to_order: bool = False
    unit_price: object = None
    notes: str = ""


# -- lookups -----------------------------------------------------------------------------


def order_by_number(session: Session, number: str, *, field: str = "order") -> SalesOrder:
    o = session.scalar(select(SalesOrder).where(SalesOrder.number == (number or "").strip()))
    if o is None:
        raise NotFoundError(f"{field}: no order with number {number!r}", field=field)
    return o


def order_number_taken(session: Session, number: str) -> bool:
    return session.scalar(select(SalesOrder.id).where(SalesOrder.number == number)) is not None


def next_order_number(session: Session, day: dt.date | None = None) -> str:
    """``SO-<year>-<NNNN>``, one more than the highest of that year."""
    return next_number(session, SalesOrder.number, f"SO-{(day or dt.date.today()).year}-")


def _product(session: Session, product: str | int, *, field: str) -> tuple[Recipe, RecipeVersion]:
    if isinstance(product, int):
        r = session.get(Recipe, product)
        if r is None:
            raise NotFoundError(f"{field}: no product with id {product}", field=field)
    else:
        code = (product or "").strip()
        if not code:
            raise ValidationError(f"{field}: choose a product", field=field)
        r = session.scalar(select(Recipe).where(func.upper(Recipe.code) == code.upper()))
        if r is None:
            raise NotFoundError(f"{field}: no product with code {code!r}", field=field)
    if r.archived:
        raise ValidationError(f"{field}: {r.code} ({r.name}) is archived", field=field)
    v = latest_published(session, r.id)
    if v is None:
        raise ValidationError(
            f"{field}: {r.code} ({r.name}) has no published recipe version; publish one "
            "before taking orders for it",
            field=field,
        )
    return r, v


def _customer(session: Session, customer: str | int, *, create: bool, actor: str) -> Customer:
    if isinstance(customer, int):
        return get_or_404(session, Customer, customer, field="customer")
    return customer_by_name(session, customer, create=create, actor=actor)


def _channel(value: str) -> str:
    ch = (value or "").strip().lower()
    if ch not in CHANNELS:
        raise ValidationError(
            f"channel: {value!r} is not one of {', '.join(CHANNELS)}", field="channel"
        )
    return ch


def _options(raw: Mapping[str, object] | None, *, field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in (raw or {}).items():
        key = str(k).strip().lower()
        if not _OPTION_KEY.match(key):
            raise ValidationError(
                f"{field}: option name {k!r} must start with a letter or digit and use only "
                "letters, digits, spaces, '-' or '_' (at most 40)",
                field=field,
            )
        if key in out:
            raise ValidationError(f"{field}: option {key!r} is given twice", field=field)
        value = optional_text(str(v) if v is not None else "", field=f"{field} {key}", max_len=200)
        if value:
            out[key] = value
    if len(out) > MAX_OPTIONS:
        raise ValidationError(f"{field}: at most {MAX_OPTIONS} options", field=field)
    return out


def _unit_texts(raw: Iterable[str], quantity: Decimal, unit: str, *, field: str) -> list[str]:
    texts = [optional_text(t, field=field, max_len=MAX_UNIT_TEXT) for t in raw]
    while texts and not texts[-1]:
        texts.pop()
    if not texts:
        return []
    if quantity != quantity.to_integral_value():
        raise ValidationError(
            f"{field}: one text per unit needs a whole number of units, not "
            f"{format_quantity(quantity, unit)}",
            field=field,
        )
    if len(texts) > quantity:
        raise ValidationError(
            f"{field}: {len(texts)} texts for {format_quantity(quantity, unit)}; "
            "give at most one text per unit",
            field=field,
        )
    return texts


def _line(session: Session, position: int, li: OrderLineInput, *, field: str) -> SalesOrderLine:
    recipe, version = _product(session, li.product, field=f"{field} product")
    qty = positive_quantity(li.quantity, field=f"{field} quantity")
    unit = normalize_unit(li.unit or version.yield_unit, field=f"{field} unit")
    convert(Decimal(1), unit, version.yield_unit, field=f"{field} unit")  # same dimension
    price = None
    if li.unit_price not in (None, ""):
        price = non_negative(li.unit_price, field=f"{field} price")
    return SalesOrderLine(
        position=position,
        recipe_id=recipe.id,
        quantity=qty,
        unit=unit,
        unit_price=price,
        personal_text=optional_text(
            li.personal_text, field=f"{field} personal text", max_len=MAX_PERSONAL_TEXT
        ),
        unit_texts=_unit_texts(li.unit_texts, qty, unit, field=f"{field} unit texts"),
        options=_options(li.options, field=f"{field} options"),
        made_to_order=bool(li.made_to_order),
        notes=optional_text(li.notes, field=f"{field} notes", lines=True),
    )


def _line_field(position: int) -> str:
    return f"line {position}"


def _flush_unique(session: Session, number: str) -> None:
    """Flush; a duplicate order number written by another workstation meanwhile becomes a
    ConflictError rather than a raw IntegrityError."""
    try:
        session.flush()
    except IntegrityError as exc:
        if "number" in str(exc.orig).lower():
            raise ConflictError(
                f"order number: {number!r} was just taken by another workstation; try again",
                field="order number",
            ) from None
        raise


# -- taking and editing orders -----------------------------------------------------------


def create_order(
    session: Session,
    *,
    customer: str | int,
    lines: Sequence[OrderLineInput],
    channel: str = "shop",
    number: str | None = None,
    ordered_date: object = None,
    promised_date: object = None,
    notes: str = "",
    source: str = "",
    create_customer: bool = False,
    actor: str = "",
) -> SalesOrder:
    """A new open order with its lines.

    ``customer`` is a customer id or name (``create_customer`` makes a new one for an
    unknown name, as an import does). ``number`` defaults to the next ``SO-<year>-NNNN``.
    Ordering more than stock or production can cover is allowed: it shows as a shortage
    in the make list.
    """
    if not lines:
        raise ValidationError("lines: an order needs at least one line", field="lines")
    lock_order_numbers(session)
    cust = _customer(session, customer, create=create_customer, actor=actor)
    ch = _channel(channel)
    ordered = parse_date(ordered_date, field="ordered date") if ordered_date else dt.date.today()
    promised = parse_date(promised_date, field="promised date") if promised_date else None
    if promised is not None and promised < ordered:
        raise ValidationError(
            f"promised date: {promised.isoformat()} is before the order date {ordered.isoformat()}",
            field="promised date",
        )
    if number is not None and str(number).strip():
        num = required_text(number, field="order number", max_len=40)
        if order_number_taken(session, num):
            raise ConflictError(f"order number: {num!r} already exists", field="order number")
    else:
        num = next_order_number(session, ordered)
    built = [_line(session, i, li, field=_line_field(i)) for i, li in enumerate(lines, start=1)]
    o = SalesOrder(
        number=num,
        customer_id=cust.id,
        channel=ch,
        status=OrderStatus.OPEN.value,
        ordered_date=ordered,
        promised_date=promised,
        source=optional_text(source, field="source", max_len=20).lower(),
        notes=optional_text(notes, field="notes", lines=True),
        created_by=actor,
        lines=built,
    )
    session.add(o)
    _flush_unique(session, num)
    audit(
        session,
        actor,
        "order.create",
        "sales_order",
        o.id,
        number=num,
        customer=cust.name,
        channel=ch,
        lines=[
            {"product": ln.recipe.code, "quantity": ln.quantity, "unit": ln.unit} for ln in built
        ],
    )
    return o


def _open_order(session: Session, order_id: int, what: str) -> SalesOrder:
    o = get_or_404(session, SalesOrder, order_id, field="order")
    if OrderStatus(o.status) not in ORDER_ACTIVE:
        raise StatusError(
            f"{what}: order {o.number} is {OrderStatus(o.status).label.lower()}", field=what
        )
    return o


def update_order(
    session: Session,
    order_id: int,
    *,
    customer: str | int | None = None,
    channel: str | None = None,
    promised_date: object = None,
    clear_promised_date: bool = False,
    notes: str | None = None,
    actor: str = "",
) -> SalesOrder:
    """Change an active order's customer, channel, promised date or notes."""
    o = _open_order(session, order_id, "order")
    changes: dict[str, object] = {}
    if customer is not None:
        if session.scalar(
            select(func.count())
            .select_from(OrderShipment)
            .join(SalesOrderLine, SalesOrderLine.id == OrderShipment.line_id)
            .where(SalesOrderLine.order_id == o.id)
        ):
            raise ConflictError(
                f"customer: order {o.number} has shipped to {o.customer.name} already",
                field="customer",
            )
        cust = _customer(session, customer, create=False, actor=actor)
        changes["customer"] = cust.name
        o.customer_id = cust.id
    if channel is not None:
        o.channel = changes["channel"] = _channel(channel)
    if clear_promised_date:
        o.promised_date = None
        changes["promised_date"] = None
    elif promised_date not in (None, ""):
        p = parse_date(promised_date, field="promised date")
        if p < o.ordered_date:
            raise ValidationError(
                f"promised date: {p.isoformat()} is before the order date "
                f"{o.ordered_date.isoformat()}",
                field="promised date",
            )
        o.promised_date = changes["promised_date"] = p
    if notes is not None:
        o.notes = optional_text(notes, field="notes", lines=True)
    session.flush()
    audit(session, actor, "order.update", "sales_order", o.id, number=o.number, **changes)
    return o


def add_line(
    session: Session, order_id: int, line: OrderLineInput, *, actor: str = ""
) -> SalesOrderLine:
    o = _open_order(session, order_id, "lines")
    pos = max((ln.position for ln in o.lines), default=0) + 1
    ln = _line(session, pos, line, field=_line_field(pos))
    o.lines.append(ln)
    session.flush()
    audit(
        session,
        actor,
        "order.add_line",
        "sales_order",
        o.id,
        number=o.number,
        product=ln.recipe.code,
        quantity=ln.quantity,
        unit=ln.unit,
    )
    return ln


def update_line(
    session: Session,
    line_id: int,
    *,
    quantity: object = None,
    personal_text: str | None = None,
    unit_texts: Sequence[str] | None = None,
    options: Mapping[str, object] | None = None,
    made_to_order: bool | None = None,
    unit_price: object = None,
    notes: str | None = None,
    actor: str = "",
) -> SalesOrderLine:
    """Change a line of an active order. The quantity never goes below what has shipped
    or is allocated (release the allocation first)."""
    ln = get_or_404(session, SalesOrderLine, line_id, field="line")
    _open_order(session, ln.order_id, "line")
    fld = _line_field(ln.position)
    if quantity not in (None, ""):
        qty = positive_quantity(quantity, field=f"{fld} quantity")
        p = line_progress(session, ln)
        if qty < p.shipped + p.allocated:
            raise ValidationError(
                f"{fld} quantity: {format_quantity(qty, ln.unit)} is less than the "
                f"{format_quantity(p.shipped, ln.unit)} shipped and "
                f"{format_quantity(p.allocated, ln.unit)} allocated",
                field=f"{fld} quantity",
            )
        ln.quantity = qty
    if personal_text is not None:
        ln.personal_text = optional_text(
            personal_text, field=f"{fld} personal text", max_len=MAX_PERSONAL_TEXT
        )
    if unit_texts is not None or quantity not in (None, ""):
        ln.unit_texts = _unit_texts(
            ln.unit_texts if unit_texts is None else unit_texts,
            ln.quantity,
            ln.unit,
            field=f"{fld} unit texts",
        )
    if options is not None:
        ln.options = _options(options, field=f"{fld} options")
    if made_to_order is not None:
        ln.made_to_order = bool(made_to_order)
    if unit_price is not None:
        ln.unit_price = None if unit_price == "" else non_negative(unit_price, field=f"{fld} price")
    if notes is not None:
        ln.notes = optional_text(notes, field=f"{fld} notes", lines=True)
    session.flush()
    audit(
        session,
        actor,
        "order.update_line",
        "sales_order",
        ln.order_id,
        line=ln.position,
        quantity=ln.quantity,
    )
    return ln


def remove_line(session: Session, line_id: int, *, actor: str = "") -> None:
    """Take a line off an active order; its allocations go back to free stock. A line
    that has shipped stays (it is part of the trace)."""
    ln = get_or_404(session, SalesOrderLine, line_id, field="line")
    o = _open_order(session, ln.order_id, "line")
    if session.scalar(
        select(OrderShipment.shipment_id).where(OrderShipment.line_id == ln.id).limit(1)
    ):
        raise ConflictError(
            f"line {ln.position}: has shipped already and stays on order {o.number}",
            field=f"line {ln.position}",
        )
    if len(o.lines) == 1:
        raise ValidationError(
            f"lines: line {ln.position} is the last line of order {o.number}; cancel the order instead",
            field="lines",
        )
    o.lines.remove(ln)
    session.flush()
    audit(session, actor, "order.remove_line", "sales_order", o.id, line=ln.position)


# -- status ------------------------------------------------------------------------------


def change_order_status(
    session: Session, order_id: int, action: str, *, reason: str = "", actor: str = ""
) -> SalesOrder:
    """Move an order along its life. ``action``: start, ready, reopen, cancel.
    Cancelling needs a reason and releases every allocation of the order."""
    o = get_or_404(session, SalesOrder, order_id, field="order")
    if action not in ORDER_TRANSITIONS:
        raise ValidationError(f"status: unknown action {action!r}", field="status")
    allowed_from, target = ORDER_TRANSITIONS[action]
    current = OrderStatus(o.status)
    if current not in allowed_from:
        raise StatusError(
            f"status: cannot {'mark ready' if action == 'ready' else action} order {o.number}: "
            f"it is {current.label.lower()}",
            field="status",
        )
    released = _ZERO
    if action == "cancel":
        reason = required_text(reason, field="reason", max_len=2000)
        o.cancelled_at, o.cancel_reason = utcnow(), reason
        for ln in o.lines:
            released += sum((a.quantity for a in ln.allocations), _ZERO)
            ln.allocations.clear()
    o.status = target.value
    session.flush()
    audit(
        session,
        actor,
        f"order.{action}",
        "sales_order",
        o.id,
        number=o.number,
        status_from=current.value,
        status_to=target.value,
        reason=reason,
        released=released,
    )
    return o


def cancel_order(session: Session, order_id: int, *, reason: str, actor: str = "") -> SalesOrder:
    """Cancel an active order; its allocated stock becomes free again."""
    return change_order_status(session, order_id, "cancel", reason=reason, actor=actor)


# -- stock: free, allocated, shipped -----------------------------------------------------

#: What is left of given batches (their output less what they gave out, the database's
#: running total), what every line holds and what one line holds of them.
_STOCK_OF = text(
    """
    SELECT b.id, b.lot_code, b.unit, b.best_before, b.made_date,
           COALESCE(b.actual_quantity, b.planned_quantity) - b.used_quantity,
           COALESCE((SELECT SUM(a.quantity) FROM order_allocations a WHERE a.batch_id = b.id), 0),
           COALESCE((SELECT SUM(a.quantity) FROM order_allocations a
                     WHERE a.batch_id = b.id AND a.line_id = :line), 0)
    FROM batches b WHERE b.id IN :ids
    """
).bindparams(bindparam("ids", expanding=True))

#: One page of a product's released batches within their best-before with something
#: left, first expiry first, after the last one of the previous page (keyset: a busy
#: product has tens of thousands of released batches and a line needs the first few).
_FEFO_DATED = text(
    """
    SELECT b.id, b.best_before, b.made_date FROM batches b
    JOIN recipe_versions v ON v.id = b.recipe_version_id
    WHERE v.recipe_id = :rid AND b.status = 'released' AND b.best_before >= :today
      AND COALESCE(b.actual_quantity, b.planned_quantity) > b.used_quantity
      AND (b.best_before > :bb OR (b.best_before = :bb
           AND (b.made_date > :md OR (b.made_date = :md AND b.id > :id))))
    ORDER BY b.best_before, b.made_date, b.id LIMIT :lim
    """
)
#: then those without a best-before date, oldest first
_FEFO_UNDATED = text(
    """
    SELECT b.id, b.best_before, b.made_date FROM batches b
    JOIN recipe_versions v ON v.id = b.recipe_version_id
    WHERE v.recipe_id = :rid AND b.status = 'released' AND b.best_before IS NULL
      AND COALESCE(b.actual_quantity, b.planned_quantity) > b.used_quantity
      AND (b.made_date > :md OR (b.made_date = :md AND b.id > :id))
    ORDER BY b.made_date, b.id LIMIT :lim
    """
)
_PAGE = 200


@dataclass(frozen=True)
class StockBatch:
    """A released batch of a product as an order line sees it (quantities in ``unit``,
    the batch's unit)."""

    batch_id: int
    lot_code: str
    unit: str
    best_before: dt.date | None
    made_date: dt.date
    on_hand: Decimal
    allocated: Decimal  # to any line
    mine: Decimal  # to the line asked about

    @property
    def free(self) -> Decimal:
        return max(_ZERO, self.on_hand - self.allocated)

    @property
    def usable(self) -> Decimal:
        """What the line may take: the free stock plus its own allocation."""
        return max(_ZERO, min(self.on_hand, self.free + self.mine))


def _fefo_key(b: StockBatch) -> tuple[bool, dt.date, dt.date, int]:
    return (b.best_before is None, b.best_before or dt.date.max, b.made_date, b.batch_id)


def _stock_of(session: Session, ids: Sequence[int], line_id: int | None) -> list[StockBatch]:
    """The given batches with what is left of them, in the order of ``ids``."""
    if not ids:
        return []
    rows = {r[0]: r for r in session.execute(_STOCK_OF, {"ids": list(ids), "line": line_id or 0})}
    out = []
    for i in ids:
        r = rows.get(i)
        if r is None:
            continue
        out.append(
            StockBatch(
                r[0],
                r[1],
                r[2],
                db_date(r[3]),
                db_date(r[4]),  # type: ignore[arg-type]
                from_fixed(r[5]),
                from_fixed(r[6]),
                from_fixed(r[7]),
            )
        )
    return out


def fefo_stock(
    session: Session,
    recipe_id: int,
    *,
    line_id: int | None = None,
    today: dt.date | None = None,
    skip: Iterable[int] = (),
) -> Iterator[StockBatch]:
    """A product's released batches within their best-before that have something left,
    first expiry first (then those without a date, oldest first), read a page at a
    time as the caller goes on. ``skip``: batch ids already dealt with."""
    day = today or dt.date.today()
    skipped = set(skip)
    for stmt in (_FEFO_DATED, _FEFO_UNDATED):
        key: dict[str, object] = {"bb": dt.date.min, "md": dt.date.min, "id": 0}
        while True:
            rows = session.execute(
                stmt, {"rid": recipe_id, "today": day, "lim": _PAGE, **key}
            ).all()
            if not rows:
                break
            last = rows[-1]
            key = {"bb": db_date(last[1]) or dt.date.min, "md": db_date(last[2]), "id": last[0]}
            ids = [r[0] for r in rows if r[0] not in skipped]
            for b in _stock_of(session, ids, line_id):
                if b.on_hand > 0:
                    yield b
            if len(rows) < _PAGE:
                break


def released_stock(
    session: Session,
    recipe_id: int,
    *,
    line_id: int | None = None,
    today: dt.date | None = None,
    limit: int | None = None,
) -> list[StockBatch]:
    """Released batches of a product with something left, first expiry first (at most
    ``limit``: a pick list shows the first few)."""
    out = []
    for b in fefo_stock(session, recipe_id, line_id=line_id, today=today):
        out.append(b)
        if limit is not None and len(out) >= limit:
            break
    return out


def _line_stock(
    session: Session, ln: SalesOrderLine, day: dt.date, *, own_first: bool
) -> Iterator[StockBatch]:
    """What a line may draw on, lazily: its own allocations first (when shipping), then
    the product's free stock, first expiry first."""
    own: list[int] = []
    if own_first:
        own = sorted({a.batch_id for a in ln.allocations})
        mine = [
            b
            for b in _stock_of(session, own, ln.id)
            if b.best_before is None or b.best_before >= day
        ]
        yield from sorted(mine, key=_fefo_key)
    yield from fefo_stock(session, ln.recipe_id, line_id=ln.id, today=day, skip=own)


@dataclass(frozen=True)
class LineProgress:
    """How far a line has got, in the line's unit."""

    ordered: Decimal
    shipped: Decimal
    allocated: Decimal

    @property
    def remaining(self) -> Decimal:
        """Still to ship."""
        return max(_ZERO, self.ordered - self.shipped)

    @property
    def unallocated(self) -> Decimal:
        """Still to ship and not yet covered by an allocation."""
        return max(_ZERO, self.remaining - self.allocated)


def _to_line(ln: SalesOrderLine, quantity: Decimal, unit: str) -> Decimal:
    return quantity if unit == ln.unit else convert(quantity, unit, ln.unit)


def _batch_units(session: Session, ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    rows = session.execute(select(Batch.id, Batch.unit).where(Batch.id.in_(ids))).all()
    return {bid: unit for bid, unit in rows}


def line_progress(session: Session, ln: SalesOrderLine) -> LineProgress:
    ships = session.execute(
        select(Shipment.quantity, Shipment.unit)
        .join(OrderShipment, OrderShipment.shipment_id == Shipment.id)
        .where(OrderShipment.line_id == ln.id)
    ).all()
    shipped = sum((_to_line(ln, q, u) for q, u in ships), _ZERO)
    units = _batch_units(session, (a.batch_id for a in ln.allocations))
    allocated = sum((_to_line(ln, a.quantity, units[a.batch_id]) for a in ln.allocations), _ZERO)
    return LineProgress(ln.quantity, quantize(shipped), quantize(allocated))


def _lock_product(session: Session, recipe_id: int) -> None:
    """Serialise stock moves of one product between workstations (``common.lock``: the
    product's row lock on PostgreSQL; SQLite's write unit of work is one at a time)."""
    lock(session, Recipe, recipe_id, field="product")


def _check_batch(b: Batch, ln: SalesOrderLine, day: dt.date, *, what: str) -> None:
    if b.recipe_version.recipe_id != ln.recipe_id:
        raise ValidationError(
            f"batch: {b.lot_code} is {b.recipe_version.recipe.name}, but line {ln.position} "
            f"asks for {ln.recipe.name}",
            field="batch",
        )
    if b.status != BatchStatus.RELEASED.value:
        raise StatusError(
            f"batch: {b.lot_code} is {BatchStatus(b.status).label.lower()}; only a released "
            f"batch can be {what}",
            field="batch",
        )
    if b.best_before is not None and b.best_before < day:
        raise ValidationError(
            f"batch: {b.lot_code} is past its best-before date ({b.best_before.isoformat()})",
            field="batch",
        )


@dataclass(frozen=True)
class Pick:
    batch_id: int
    lot_code: str
    quantity: Decimal  # in the batch's unit
    unit: str
    from_allocation: Decimal  # of which the line's own allocation


def _pick(
    stock: Iterable[StockBatch],
    ln: SalesOrderLine,
    need_line: Decimal,
    *,
    day: dt.date,
    include_own: bool,
) -> tuple[list[Pick], Decimal]:
    """Picks for ``need_line`` (line unit) from ``stock`` in its order (first expiry
    first); returns the picks and what is still short. Reads ``stock`` only as far as
    it needs."""
    picks: list[Pick] = []
    left = need_line
    for b in stock:
        if b.best_before is not None and b.best_before < day:
            continue
        if left <= 0:
            break
        avail = b.usable if include_own else b.free
        if avail <= 0:
            continue
        avail_line = _to_line(ln, avail, b.unit)
        take_line = min(avail_line, left)
        take = min(avail, convert(take_line, ln.unit, b.unit)) if b.unit != ln.unit else take_line
        if take <= 0:
            continue
        own = min(b.mine, take) if include_own else _ZERO
        picks.append(Pick(b.batch_id, b.lot_code, take, b.unit, own))
        left -= take_line
    return picks, max(_ZERO, left)


# -- allocation --------------------------------------------------------------------------


def allocate_line(
    session: Session,
    line_id: int,
    *,
    batch_id: int | None = None,
    quantity: object = None,
    actor: str = "",
    today: dt.date | None = None,
) -> list[Allocation]:
    """Reserve released stock for a line: first-expiry-first from free stock, or
    ``quantity`` of one chosen batch. Allocates what is free up to what the line still
    needs; refuses when nothing is free."""
    ln = get_or_404(session, SalesOrderLine, line_id, field="line")
    o = _open_order(session, ln.order_id, "allocation")
    _lock_product(session, ln.recipe_id)
    day = today or dt.date.today()
    p = line_progress(session, ln)
    fld = _line_field(ln.position)
    need = p.unallocated
    if quantity not in (None, ""):
        q = positive_quantity(quantity, field="quantity")
        if q > need:
            raise ValidationError(
                f"quantity: {format_quantity(q, ln.unit)} is more than the "
                f"{format_quantity(need, ln.unit)} {fld} still needs",
                field="quantity",
            )
        need = q
    if need <= 0:
        raise ConflictError(
            f"allocation: {fld} of order {o.number} is fully allocated or shipped",
            field="allocation",
        )
    stock: Iterable[StockBatch]
    if batch_id is not None:
        b = get_or_404(session, Batch, batch_id, field="batch")
        _check_batch(b, ln, day, what="allocated")
        stock = _stock_of(session, [b.id], ln.id)
        if not stock or stock[0].free <= 0:
            raise InsufficientStockError(
                f"batch: nothing of {b.lot_code} is free to allocate", field="batch"
            )
    else:
        stock = _line_stock(session, ln, day, own_first=False)
    picks, short = _pick(stock, ln, need, day=day, include_own=False)
    if not picks:
        raise InsufficientStockError(
            f"allocation: no released stock of {ln.recipe.name} is free "
            f"({format_quantity(need, ln.unit)} needed); plan a batch from the make list",
            field="allocation",
        )
    if batch_id is not None and quantity not in (None, "") and short > 0:
        raise InsufficientStockError(
            f"quantity: only {format_quantity(need - short, ln.unit)} of "
            f"{picks[0].lot_code} is free",
            field="quantity",
        )
    made = []
    for pk in picks:
        a = Allocation(batch_id=pk.batch_id, quantity=pk.quantity, created_by=actor)
        ln.allocations.append(a)
        made.append(a)
    session.flush()
    audit(
        session,
        actor,
        "order.allocate",
        "sales_order",
        o.id,
        number=o.number,
        line=ln.position,
        picks=[{"lot": pk.lot_code, "quantity": pk.quantity, "unit": pk.unit} for pk in picks],
    )
    return made


def allocate_order(
    session: Session, order_id: int, *, actor: str = "", today: dt.date | None = None
) -> int:
    """Allocate free stock to every line of an order that still needs some; returns how
    many lines got stock. Lines with nothing free are left as they are."""
    o = _open_order(session, order_id, "allocation")
    done = 0
    for ln in o.lines:
        if line_progress(session, ln).unallocated <= 0:
            continue
        try:
            allocate_line(session, ln.id, actor=actor, today=today)
        except InsufficientStockError:
            continue
        done += 1
    return done


def release_allocation(session: Session, line_id: int, *, actor: str = "") -> Decimal:
    """Give a line's allocated stock back to free stock; returns how much (line unit)."""
    ln = get_or_404(session, SalesOrderLine, line_id, field="line")
    o = get_or_404(session, SalesOrder, ln.order_id, field="order")
    if not ln.allocations:
        raise ConflictError(
            f"allocation: line {ln.position} of order {o.number} has nothing allocated",
            field="allocation",
        )
    amount = line_progress(session, ln).allocated
    ln.allocations.clear()
    session.flush()
    audit(
        session,
        actor,
        "order.release_allocation",
        "sales_order",
        o.id,
        number=o.number,
        line=ln.position,
        quantity=amount,
    )
    return amount


# -- shipping ----------------------------------------------------------------------------


def ship_line(
    session: Session,
    line_id: int,
    *,
    quantity: object = None,
    batch_id: int | None = None,
    shipped_date: object = None,
    document_number: str = "",
    notes: str = "",
    actor: str = "",
) -> list[Shipment]:
    """Ship (part of) a line: the line's own allocations first, then free released stock,
    earliest best-before first; or only from ``batch_id``. ``quantity`` (line unit)
    defaults to all that is left to ship. Each batch drawn makes one shipment linked to
    the line, to the order's customer, with the order number as its document."""
    ln = get_or_404(session, SalesOrderLine, line_id, field="line")
    o = _open_order(session, ln.order_id, "shipment")
    _lock_product(session, ln.recipe_id)
    day = parse_date(shipped_date, field="ship date") if shipped_date else dt.date.today()
    if day < o.ordered_date:
        raise ValidationError(
            f"ship date: {day.isoformat()} is before the order date {o.ordered_date.isoformat()}",
            field="ship date",
        )
    p = line_progress(session, ln)
    fld = _line_field(ln.position)
    if p.remaining <= 0:
        raise ConflictError(
            f"shipment: {fld} of order {o.number} has shipped in full", field="shipment"
        )
    if quantity in (None, ""):
        qty = p.remaining
    else:
        qty = positive_quantity(quantity, field="quantity")
        if qty > p.remaining:
            raise ValidationError(
                f"quantity: {format_quantity(qty, ln.unit)} is more than the "
                f"{format_quantity(p.remaining, ln.unit)} left to ship on {fld}",
                field="quantity",
            )
    stock: Iterable[StockBatch]
    if batch_id is not None:
        b = get_or_404(session, Batch, batch_id, field="batch")
        _check_batch(b, ln, day, what="shipped")
        stock = _stock_of(session, [b.id], ln.id)
        where = f"of {b.lot_code}"
    else:
        stock = _line_stock(session, ln, day, own_first=True)
        where = f"of {ln.recipe.name} in released batches"
    picks, short = _pick(stock, ln, qty, day=day, include_own=True)
    if short > 0:
        have = qty - short
        raise InsufficientStockError(
            f"quantity: only {format_quantity(have, ln.unit)} {where} is free to ship "
            f"({format_quantity(qty, ln.unit)} asked); the rest is not made, not released, "
            "past its best-before or held for other orders",
            field="quantity",
        )
    batches = {
        b.id: b
        for b in session.scalars(select(Batch).where(Batch.id.in_([pk.batch_id for pk in picks])))
    }
    made = []
    for pk in picks:
        b = batches[pk.batch_id]
        if day < b.made_date:
            raise ValidationError(
                f"ship date: {day.isoformat()} is before batch {b.lot_code} was made "
                f"({b.made_date.isoformat()})",
                field="ship date",
            )
        s = Shipment(
            batch_id=b.id,
            customer_id=o.customer_id,
            quantity=pk.quantity,
            unit=b.unit,
            shipped_date=day,
            document_type=ORDER_DOCUMENT,
            document_number=optional_text(document_number, field="document number", max_len=80)
            or o.number,
            notes=optional_text(notes, field="notes", lines=True),
            recorded_by=actor,
        )
        session.add(s)
        session.add(OrderShipment(shipment=s, line_id=ln.id))
        made.append(s)
        _use_allocation(ln, b.id, pk.from_allocation)
    session.flush()
    if all(line_progress(session, x).remaining <= 0 for x in o.lines):
        o.status = OrderStatus.SHIPPED.value
        session.flush()
    audit(
        session,
        actor,
        "order.ship",
        "sales_order",
        o.id,
        number=o.number,
        line=ln.position,
        customer=o.customer.name,
        picks=[{"lot": pk.lot_code, "quantity": pk.quantity, "unit": pk.unit} for pk in picks],
        status=o.status,
    )
    return made


def _use_allocation(ln: SalesOrderLine, batch_id: int, amount: Decimal) -> None:
    """Shipping ``amount`` (batch unit) of a batch uses up that much of the line's
    allocations on it."""
    for a in list(ln.allocations):
        if amount <= 0:
            break
        if a.batch_id != batch_id:
            continue
        if a.quantity <= amount:
            amount -= a.quantity
            ln.allocations.remove(a)
        else:
            a.quantity = quantize(a.quantity - amount)
            amount = _ZERO


# -- reading: one order, the paged order list -------------------------------------------


@dataclass(frozen=True)
class LineView:
    id: int
    position: int
    recipe_id: int
    product_code: str
    product: str
    quantity: Decimal
    unit: str
    shipped: Decimal
    allocated: Decimal
    personal_text: str
    unit_texts: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    made_to_order: bool
    unit_price: Decimal | None
    notes: str
    lots: tuple[str, ...]  # lots shipped or allocated

    @property
    def remaining(self) -> Decimal:
        return max(_ZERO, self.quantity - self.shipped)

    @property
    def personalised(self) -> bool:
        return bool(self.personal_text or self.unit_texts or self.options)


@dataclass(frozen=True)
class OrderView:
    id: int
    number: str
    customer_id: int
    customer: str
    channel: str
    status: str
    ordered_date: dt.date
    promised_date: dt.date | None
    source: str
    notes: str
    cancel_reason: str
    lines: tuple[LineView, ...]

    @property
    def status_label(self) -> str:
        return OrderStatus(self.status).label

    @property
    def actions(self) -> list[str]:
        from smallbatch_desktop.domain.status import order_actions

        return order_actions(self.status)


def order_view(session: Session, order_id: int) -> OrderView:
    """An order with each line's progress, as plain data for a view or a report."""
    o = get_or_404(session, SalesOrder, order_id, field="order")
    lines = []
    for ln in o.lines:
        p = line_progress(session, ln)
        lots = session.scalars(
            select(Batch.lot_code)
            .where(
                Batch.id.in_(
                    select(Shipment.batch_id)
                    .join(OrderShipment, OrderShipment.shipment_id == Shipment.id)
                    .where(OrderShipment.line_id == ln.id)
                    .union(select(Allocation.batch_id).where(Allocation.line_id == ln.id))
                )
            )
            .order_by(Batch.lot_code)
        ).all()
        lines.append(
            LineView(
                ln.id,
                ln.position,
                ln.recipe_id,
                ln.recipe.code,
                ln.recipe.name,
                ln.quantity,
                ln.unit,
                p.shipped,
                p.allocated,
                ln.personal_text,
                tuple(ln.unit_texts or ()),
                tuple(sorted((ln.options or {}).items())),
                ln.made_to_order,
                ln.unit_price,
                ln.notes,
                tuple(lots),
            )
        )
    return OrderView(
        o.id,
        o.number,
        o.customer_id,
        o.customer.name,
        o.channel,
        o.status,
        o.ordered_date,
        o.promised_date,
        o.source,
        o.notes,
        o.cancel_reason,
        tuple(lines),
    )


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    customer: str
    channel: str
    status: str
    ordered_date: dt.date
    promised_date: dt.date | None
    lines: int
    personalised: bool
    products: str


ORDER_SORT_COLUMNS = {
    "number": "o.number",
    "customer": "c.name",
    "channel": "o.channel",
    "status": "o.status",
    "ordered_date": "o.ordered_date",
    "promised_date": "o.promised_date",
}


def _order_filter(
    session: Session, status: str | None, search: str, active_only: bool
) -> tuple[str, dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if status:
        where.append("o.status = :status")
        params["status"] = status
    elif active_only:
        where.append("o.status IN ('open', 'in_production', 'ready')")
    if search.strip():
        op = like(session)
        where.append(
            f"(o.number {op} :q OR c.name {op} :q OR EXISTS (SELECT 1 FROM sales_order_lines l"
            f" JOIN recipes r ON r.id = l.recipe_id WHERE l.order_id = o.id AND"
            f" (r.name {op} :q OR r.code {op} :q OR l.personal_text {op} :q)))"
        )
        params["q"] = f"%{search.strip()}%"
    return (" WHERE " + " AND ".join(where)) if where else "", params


def count_orders(
    session: Session, *, status: str | None = None, search: str = "", active_only: bool = False
) -> int:
    where, params = _order_filter(session, status, search, active_only)
    sql = f"SELECT COUNT(*) FROM sales_orders o JOIN customers c ON c.id = o.customer_id{where}"
    return int(session.execute(text(sql), params).scalar() or 0)


def list_orders(
    session: Session,
    *,
    status: str | None = None,
    search: str = "",
    active_only: bool = False,
    sort: str = "ordered_date",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[OrderRow]:
    """One page of orders, filtered and sorted in SQL."""
    where, params = _order_filter(session, status, search, active_only)
    col = ORDER_SORT_COLUMNS.get(sort, "o.ordered_date")
    direction = "DESC" if descending else "ASC"
    params.update(lim=int(limit), off=int(offset))
    sql = (
        "SELECT o.id, o.number, c.name, o.channel, o.status, o.ordered_date, o.promised_date,"
        " (SELECT COUNT(*) FROM sales_order_lines l WHERE l.order_id = o.id),"
        " EXISTS (SELECT 1 FROM sales_order_lines l WHERE l.order_id = o.id AND"
        "   (l.personal_text <> '' OR l.unit_texts <> '[]' OR l.options <> '{}')),"
        " (SELECT MIN(r.name) FROM sales_order_lines l JOIN recipes r ON r.id = l.recipe_id"
        "   WHERE l.order_id = o.id)"
        f" FROM sales_orders o JOIN customers c ON c.id = o.customer_id{where}"
        f" ORDER BY {col} {direction}, o.id {direction} LIMIT :lim OFFSET :off"
    )
    return [
        OrderRow(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            db_date(r[5]),  # type: ignore[arg-type]
            db_date(r[6]),
            int(r[7]),
            bool(r[8]),
            r[9] or "",
        )
        for r in session.execute(text(sql), params)
    ]


def orders_for_batches(session: Session, batch_ids: Sequence[int]) -> dict[int, list[str]]:
    """Order numbers that shipments of each batch filled (batch id -> sorted numbers)."""
    out: dict[int, set[str]] = {}
    ids = list(batch_ids)
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(Shipment.batch_id, SalesOrder.number)
            .join(OrderShipment, OrderShipment.shipment_id == Shipment.id)
            .join(SalesOrderLine, SalesOrderLine.id == OrderShipment.line_id)
            .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
            .where(Shipment.batch_id.in_(ids[i : i + 500]))
        ).all()
        for bid, num in rows:
            out.setdefault(bid, set()).add(num)
    return {k: sorted(v) for k, v in out.items()}
