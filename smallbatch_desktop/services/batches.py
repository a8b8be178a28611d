"""Batches: plan, pick lots (FEFO), record consumption, QC, status life, release,
amendments, shipments, cost, and the paged batch list.

Rules that protect the record:
- inputs are recorded only while planned or in production, never more than on hand;
- release needs every required QC check passed (latest result per check) and inputs;
- a released (or rejected, recalled) batch is read-only: corrections are amendments
  with who, when and why;
- only a released batch ships, never more than is left of it.

Several workstations may share the database: every use case that checks a batch or a
lot and then writes locks the rows it checks first (``services.common.lock``), so a
check cannot go stale before the write, and a workstation that loses a race for the
last of a lot gets a message with what is left now.  The database guards the same
rules itself (migration ``0003_integrity``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from smallbatch_desktop.domain import lotcodes
from smallbatch_desktop.domain.errors import (
    ConflictError,
    ImmutableError,
    InsufficientStockError,
    NotFoundError,
    StatusError,
    ValidationError,
)
from smallbatch_desktop.domain.models import (
    Amendment,
    Batch,
    Consumption,
    MaterialLot,
    QcResult,
    QcSpecItem,
    Recipe,
    RecipeLine,
    RecipeVersion,
    Shipment,
    utcnow,
)
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.domain.status import EDITABLE, FROZEN, TRANSITIONS, BatchStatus
from smallbatch_desktop.domain.text import check_text
from smallbatch_desktop.domain.units import (
    convert,
    format_quantity,
    normalize_unit,
    parse_decimal,
    positive_quantity,
    quantize,
)
from smallbatch_desktop.services.common import (
    audit,
    get_or_404,
    get_setting,
    insert_with_new_code,
    like,
    lock,
    lock_lot_codes,
    optional_text,
    parse_date,
    required_text,
)
from smallbatch_desktop.services.fast_reads import BatchRow, batch_row, db_date
from smallbatch_desktop.services.inventory import (
    customer_by_name,
    list_lots,
    lot_code_taken,
    lot_on_hand,
)
from smallbatch_desktop.services.recipes import scale_factor

# -- lot codes and planning --------------------------------------------------------------


def _product_code(session: Session, version_id: int) -> tuple[RecipeVersion, str]:
    v = get_or_404(session, RecipeVersion, version_id, field="recipe version")
    return v, v.recipe.code


def _first_seq(session: Session, pattern: str, product: str, day: dt.date) -> int:
    parsed = lotcodes.parse_pattern(pattern)
    if parsed.sequence_kind == "SEQ":
        n = session.scalar(select(func.count()).select_from(Batch).where(Batch.made_date == day))
    elif parsed.sequence_kind == "PSEQ":
        n = session.scalar(
            select(func.count())
            .select_from(Batch)
            .join(RecipeVersion)
            .join(Recipe)
            .where(Recipe.code == product)
        )
    else:
        n = 0
    return int(n or 0) + 1


def preview_lot_code(
    session: Session,
    recipe_version_id: int,
    made_date: object = None,
    *,
    pattern: str | None = None,
) -> str:
    """The code a batch planned now would get (same rule as ``plan_batch``)."""
    _, product = _product_code(session, recipe_version_id)
    day = parse_date(made_date, field="made date") if made_date else dt.date.today()
    pat = pattern or get_setting(session, "lot_code_pattern")
    return lotcodes.generate(
        pat,
        product=product,
        day=day,
        first_seq=_first_seq(session, pat, product, day),
        is_taken=lambda c: lot_code_taken(session, c),
    )


def plan_batch(
    session: Session,
    *,
    recipe_version_id: int,
    planned_quantity: object,
    unit: str | None = None,
    made_date: object = None,
    operator: str = "",
    notes: str = "",
    lot_code: str | None = None,
    actor: str = "",
) -> Batch:
    """A planned batch of a published recipe version, scaled to ``planned_quantity``."""
    v = get_or_404(session, RecipeVersion, recipe_version_id, field="recipe version")
    if v.status != "published":
        raise ValidationError(
            f"recipe version: {v.recipe.code} v{v.version} is a draft; publish it before planning a batch",
            field="recipe version",
        )
    factor = scale_factor(v, planned_quantity, unit)
    planned = convert(
        positive_quantity(planned_quantity, field="planned quantity"),
        unit or v.yield_unit,
        v.yield_unit,
        field="unit",
    )
    day = parse_date(made_date, field="made date") if made_date else dt.date.today()
    lock_lot_codes(session)
    code = ""
    if lot_code:
        code = lotcodes.validate_lot_code(lot_code)
        if lot_code_taken(session, code):
            raise ConflictError(f"lot code: {code!r} is already used", field="lot code")
    best_before = day + dt.timedelta(days=v.shelf_life_days) if v.shelf_life_days else None
    b = Batch(
        lot_code=code,
        recipe_version_id=v.id,
        status=BatchStatus.PLANNED.value,
        planned_quantity=planned,
        unit=v.yield_unit,
        scale_factor=quantize(factor),
        made_date=day,
        best_before=best_before,
        operator=optional_text(operator or actor, field="operator", max_len=100),
        notes=optional_text(notes, field="notes", lines=True),
    )
    if lot_code:
        session.add(b)
        session.flush()
    else:
        insert_with_new_code(session, b, lambda: preview_lot_code(session, v.id, day))
    code = b.lot_code
    audit(
        session,
        actor,
        "batch.plan",
        "batch",
        b.id,
        lot_code=code,
        recipe=v.recipe.code,
        version=v.version,
        planned=planned,
        unit=v.yield_unit,
    )
    return b


def batch_by_code(session: Session, code: str, *, field: str = "batch") -> Batch:
    b = session.scalar(select(Batch).where(Batch.lot_code == (code or "").strip()))
    if b is None:
        raise NotFoundError(f"{field}: no batch with lot code {code!r}", field=field)
    return b


def _editable(b: Batch, what: str) -> None:
    if BatchStatus(b.status) not in EDITABLE:
        raise ImmutableError(
            f"{what}: batch {b.lot_code} is {BatchStatus(b.status).label.lower()}; "
            + (
                "correct it with an amendment"
                if BatchStatus(b.status) in FROZEN
                else "inputs can no longer change"
            ),
            field=what,
        )


# -- inputs ------------------------------------------------------------------------------

_BATCH_ON_HAND = text(
    """
    SELECT COALESCE(b.actual_quantity, b.planned_quantity)
         - COALESCE((SELECT SUM(c.quantity) FROM consumptions c WHERE c.input_batch_id = b.id), 0)
         - COALESCE((SELECT SUM(s.quantity) FROM shipments s WHERE s.batch_id = b.id), 0)
    FROM batches b WHERE b.id = :id
    """
)


def batch_on_hand(session: Session, batch_id: int) -> Decimal:
    """What is left of a batch's output (in its unit) after use in other batches and shipments."""
    raw = session.execute(_BATCH_ON_HAND, {"id": batch_id}).scalar()
    if raw is None:
        raise NotFoundError(f"batch: no batch with id {batch_id}", field="batch")
    return from_fixed(raw)


def batch_allocations(session: Session, batch_id: int) -> list[tuple[str, Decimal]]:
    """Units of a batch held for customers' orders (allocated, not yet shipped): the
    order numbers and what each holds, in the batch's unit, by order number."""
    from smallbatch_desktop.domain.models import Allocation, SalesOrder, SalesOrderLine

    rows = session.execute(
        select(SalesOrder.number, func.sum(Allocation.quantity))
        .join(SalesOrderLine, SalesOrderLine.id == Allocation.line_id)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.order_id)
        .where(Allocation.batch_id == batch_id)
        .group_by(SalesOrder.number)
        .order_by(SalesOrder.number)
    ).all()
    return [(str(n), Decimal(q)) for n, q in rows if q]


def batch_free(session: Session, batch_id: int) -> Decimal:
    """What of a batch can go out without an order: what is left less what is held
    for orders (its unit; negative when more is held than is left)."""
    return batch_on_hand(session, batch_id) - sum(
        (q for _, q in batch_allocations(session, batch_id)), Decimal(0)
    )


def _held_for_orders(
    b: Batch, left: Decimal, held: list[tuple[str, Decimal]], verb: str, why: str, then: str
) -> InsufficientStockError:
    """The refusal when units of ``b`` are wanted that customers' orders hold: how many
    are free to ``verb``, which orders hold the rest, and what to do (``then``)."""
    free = max(left - sum((q for _, q in held), Decimal(0)), Decimal(0))
    orders = ", ".join(f"{n} ({format_quantity(q, b.unit)})" for n, q in held)
    return InsufficientStockError(
        f"quantity: only {format_quantity(free, b.unit)} of {b.lot_code} is free to {verb}: "
        f"{why}{format_quantity(left - free, b.unit)} of the {format_quantity(left, b.unit)} "
        f"left are allocated to order{'s' if len(held) > 1 else ''} {orders}; {then}",
        field="quantity",
    )


@dataclass(frozen=True)
class LotPick:
    kind: Literal["material", "batch"]
    id: int
    lot_code: str
    available: Decimal  # in the lot's unit
    unit: str
    take: Decimal  # in the lot's unit
    expiry: dt.date | None
    supplier: str = ""


@dataclass(frozen=True)
class LineNeed:
    line_id: int
    position: int
    name: str
    material_id: int | None
    component_recipe_id: int | None
    required: Decimal  # in the line unit, scaled
    unit: str
    recorded: Decimal  # already consumed for this line, in the line unit
    picks: tuple[LotPick, ...]
    shortfall: Decimal  # in the line unit

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(0), self.required - self.recorded)


def _recorded_by_line(b: Batch) -> dict[int, Decimal]:
    """What the batch already consumed for each recipe line, in the line's unit."""
    lines = {ln.id: ln for ln in b.recipe_version.lines}
    recorded: dict[int, Decimal] = {}
    for c in b.consumptions:
        ln = lines.get(c.recipe_line_id) if c.recipe_line_id is not None else None
        if ln is not None:
            dens = ln.material.density if ln.material is not None else None
            recorded[ln.id] = recorded.get(ln.id, Decimal(0)) + convert(
                c.quantity, c.unit, ln.unit, density=dens, exact=True
            )
    return recorded


def allocated_materials(session: Session) -> dict[int, Decimal]:
    """Material still to be taken by planned and running batches (their recipe lines
    less what they already consumed), per material id, in its stock unit."""
    out: dict[int, Decimal] = {}
    active = (BatchStatus.PLANNED.value, BatchStatus.IN_PRODUCTION.value)
    query = (
        select(Batch)
        .where(Batch.status.in_(active))
        .options(
            selectinload(Batch.consumptions),
            selectinload(Batch.recipe_version)
            .selectinload(RecipeVersion.lines)
            .joinedload(RecipeLine.material),
        )
    )
    for b in session.scalars(query):
        recorded = _recorded_by_line(b)
        for ln in b.recipe_version.lines:
            m = ln.material
            if m is None:
                continue
            required = quantize(ln.quantity * b.scale_factor)
            left = required - quantize(recorded.get(ln.id, Decimal(0)))
            if left > 0:
                out[m.id] = out.get(m.id, Decimal(0)) + convert(
                    left, ln.unit, m.stock_unit, density=m.density, exact=True
                )
    return {k: quantize(v) for k, v in out.items()}


def suggest_lots(session: Session, batch_id: int) -> list[LineNeed]:
    """For each recipe line: what is still needed and a first-expiry-first-out pick of lots."""
    b = get_or_404(session, Batch, batch_id, field="batch")
    v = b.recipe_version
    recorded = _recorded_by_line(b)
    needs = []
    for ln in v.lines:
        required = quantize(ln.quantity * b.scale_factor)
        done = quantize(recorded.get(ln.id, Decimal(0)))
        remaining = max(Decimal(0), required - done)
        picks: list[LotPick] = []
        density = ln.material.density if ln.material is not None else None
        for cand in _candidates(session, ln):
            if remaining <= 0:
                break
            if cand.expiry is not None and cand.expiry < b.made_date:
                continue  # expired before the batch is made: never suggest it
            avail_line = convert(cand.available, cand.unit, ln.unit, density=density, exact=True)
            take_line = min(avail_line, remaining)
            take_lot = convert(take_line, ln.unit, cand.unit, density=density)
            take_lot = min(take_lot, cand.available)
            if take_lot <= 0:
                continue
            picks.append(
                LotPick(
                    cand.kind,
                    cand.id,
                    cand.lot_code,
                    cand.available,
                    cand.unit,
                    take_lot,
                    cand.expiry,
                    cand.supplier,
                )
            )
            remaining -= take_line
        needs.append(
            LineNeed(
                ln.id,
                ln.position,
                ln.input_name,
                ln.material_id,
                ln.component_recipe_id,
                required,
                ln.unit,
                done,
                tuple(picks),
                quantize(max(Decimal(0), remaining)),
            )
        )
    return needs


#: A product's released batches with units free to use in another batch (an
#: intermediate in its product, finished products in a kit or gift box): what is left
#: less what customers' orders hold, first expiry first.  Column 5 is the free quantity.
BATCH_CANDIDATES = text(
    """
    SELECT * FROM (
      SELECT b.id, b.lot_code, b.unit, b.best_before, b.made_date,
             COALESCE(b.actual_quantity, b.planned_quantity)
             - COALESCE((SELECT SUM(c.quantity) FROM consumptions c WHERE c.input_batch_id = b.id), 0)
             - COALESCE((SELECT SUM(s.quantity) FROM shipments s WHERE s.batch_id = b.id), 0)
             - COALESCE((SELECT SUM(a.quantity) FROM order_allocations a WHERE a.batch_id = b.id), 0)
             AS free_
      FROM batches b JOIN recipe_versions v ON v.id = b.recipe_version_id
      WHERE v.recipe_id = :rid AND b.status = 'released'
    ) x WHERE x.free_ > 0
    ORDER BY (x.best_before IS NULL), x.best_before, x.made_date, x.id
    """
)


@dataclass(frozen=True)
class _Cand:
    kind: Literal["material", "batch"]
    id: int
    lot_code: str
    available: Decimal
    unit: str
    expiry: dt.date | None
    supplier: str


def _candidates(session: Session, ln: RecipeLine) -> list[_Cand]:
    if ln.material_id is not None:
        return [
            _Cand(
                "material",
                lot.lot_id,
                lot.lot_code,
                lot.on_hand,
                lot.unit,
                lot.expiry_date,
                lot.supplier,
            )
            for lot in list_lots(session, material_id=ln.material_id, only_on_hand=True, fefo=True)
        ]
    rows = session.execute(BATCH_CANDIDATES, {"rid": ln.component_recipe_id}).all()
    return [_Cand("batch", r[0], r[1], from_fixed(r[5]), r[2], db_date(r[3]), "") for r in rows]


def _resolve_source(session: Session, lot_code: str) -> tuple[MaterialLot | None, Batch | None]:
    code = (lot_code or "").strip()
    lot = session.scalar(select(MaterialLot).where(MaterialLot.lot_code == code))
    if lot is not None:
        return lot, None
    src = session.scalar(select(Batch).where(Batch.lot_code == code))
    if src is not None:
        return None, src
    raise NotFoundError(f"lot: no material lot or batch has the code {code!r}", field="lot")


def record_consumption(
    session: Session,
    batch_id: int,
    *,
    lot_code: str,
    quantity: object,
    unit: str,
    recipe_line_id: int | None = None,
    seen_on_hand: Decimal | None = None,
    actor: str = "",
) -> Consumption:
    """The batch used ``quantity unit`` of a material lot or of another (released) batch.

    ``seen_on_hand`` is what the maker saw left of the lot (in its unit) when picking:
    when that would have been enough but is no longer, the message says another
    workstation used it meanwhile.

    Of another batch only its free units can be used: those held for customers' orders
    ship against their orders (the refusal names them).  Its product is locked before
    any batch, as allocating and shipping do, so an order cannot take the units meanwhile."""
    source_batch = session.scalar(
        select(Batch.id).where(Batch.lot_code == (lot_code or "").strip())
    )
    if source_batch is not None:
        _lock_product_of(session, source_batch)
    b = lock(session, Batch, batch_id, field="batch")
    _editable(b, "inputs")
    qty = positive_quantity(quantity, field="quantity")
    entered_unit = normalize_unit(unit, field="unit")
    lot, src = _resolve_source(session, lot_code)
    if lot is not None:
        lot = lock(session, MaterialLot, lot.id, field="lot")
    else:
        assert src is not None
        src = lock(session, Batch, src.id, field="lot")
    line = None
    if recipe_line_id is not None:
        line = get_or_404(session, RecipeLine, recipe_line_id, field="recipe line")
        if line.version_id != b.recipe_version_id:
            raise ValidationError(
                f"recipe line: line {recipe_line_id} is not in this batch's recipe version",
                field="recipe line",
            )
    if lot is not None:
        material = lot.material
        if line is not None and line.material_id != lot.material_id:
            raise ValidationError(
                f"lot: {lot.lot_code} is {material.name}, but the line needs {line.input_name}",
                field="lot",
            )
        if lot.expiry_date is not None and lot.expiry_date < b.made_date:
            raise ValidationError(
                f"lot: {lot.lot_code} ({material.name}) expired on {lot.expiry_date.isoformat()}, "
                f"before this batch is made ({b.made_date.isoformat()})",
                field="lot",
            )
        in_source = convert(qty, entered_unit, lot.unit, density=material.density, field="unit")
        on_hand = lot_on_hand(session, lot.id)
        source_unit, source_code = lot.unit, lot.lot_code
    else:
        assert src is not None
        if src.id == b.id:
            raise ValidationError("lot: a batch cannot use itself", field="lot")
        if src.status != BatchStatus.RELEASED.value:
            raise StatusError(
                f"lot: batch {src.lot_code} is {BatchStatus(src.status).label.lower()}; only a released batch can be used",
                field="lot",
            )
        if line is not None and line.component_recipe_id != src.recipe_version.recipe_id:
            raise ValidationError(
                f"lot: {src.lot_code} is {src.recipe_version.recipe.name}, but the line needs {line.input_name}",
                field="lot",
            )
        if _is_descendant(session, ancestor=b.id, batch_id=src.id):
            raise ValidationError(
                f"lot: {src.lot_code} was made from this batch; that would be a loop", field="lot"
            )
        in_source = convert(qty, entered_unit, src.unit, field="unit")
        on_hand = batch_on_hand(session, src.id)
        source_unit, source_code = src.unit, src.lot_code
    if in_source <= 0:
        raise ValidationError(
            f"quantity: {format_quantity(qty, entered_unit)} rounds to nothing in {source_unit}",
            field="quantity",
        )
    if in_source > on_hand:
        if seen_on_hand is not None and in_source <= seen_on_hand:
            raise InsufficientStockError(
                f"quantity: only {format_quantity(max(on_hand, Decimal(0)), source_unit)} of "
                f"{source_code} is left now: another workstation used it since you looked "
                f"({format_quantity(seen_on_hand, source_unit)} then); pick again",
                field="quantity",
            )
        raise InsufficientStockError(
            f"quantity: {format_quantity(qty, entered_unit)} is more than the "
            f"{format_quantity(on_hand, source_unit)} on hand of lot {source_code}",
            field="quantity",
        )
    if src is not None:
        held = batch_allocations(session, src.id)
        if in_source > on_hand - sum((q for _, q in held), Decimal(0)):
            raced = seen_on_hand is not None and in_source <= seen_on_hand
            raise _held_for_orders(
                src,
                on_hand,
                held,
                "use",
                "another workstation allocated or used it since you looked; " if raced else "",
                "release an order's allocation first (Orders view) or pick another batch",
            )
    c = Consumption(
        batch=b,
        material_lot_id=lot.id if lot else None,
        input_batch_id=src.id if src else None,
        recipe_line_id=line.id if line else None,
        quantity=in_source,
        unit=source_unit,
        entered_quantity=qty,
        entered_unit=entered_unit,
        recorded_by=actor,
    )
    session.add(c)
    session.flush()
    audit(
        session,
        actor,
        "batch.consume",
        "batch",
        b.id,
        lot=source_code,
        quantity=in_source,
        unit=source_unit,
    )
    return c


def _is_descendant(session: Session, *, ancestor: int, batch_id: int) -> bool:
    """Does ``batch_id`` (transitively) contain ``ancestor``?"""
    row = session.execute(
        text(
            """
        WITH RECURSIVE up(id, depth) AS (
          SELECT input_batch_id, 1 FROM consumptions WHERE batch_id = :b AND input_batch_id IS NOT NULL
          UNION SELECT c.input_batch_id, up.depth + 1 FROM consumptions c JOIN up ON c.batch_id = up.id
          WHERE c.input_batch_id IS NOT NULL AND up.depth < 64
        ) SELECT 1 FROM up WHERE id = :a LIMIT 1
        """
        ),
        {"b": batch_id, "a": ancestor},
    ).first()
    return row is not None


@dataclass(frozen=True)
class PickInput:
    lot_code: str
    quantity: object
    unit: str
    recipe_line_id: int | None = None
    #: what the maker saw left of the lot when picking (its unit), if known
    seen_on_hand: Decimal | None = None


def record_consumptions(
    session: Session, batch_id: int, picks: list[PickInput], *, actor: str = ""
) -> list[Consumption]:
    """Several lots at once (one user action): all recorded, or none."""
    if not picks:
        raise ValidationError("inputs: pick at least one lot", field="inputs")
    # the source batches' products, the batch, then every source, in one order on every
    # workstation (products before batches, as allocating and shipping lock them): two
    # workstations picking the same lots in another order must not wait for each other
    codes = sorted({(p.lot_code or "").strip() for p in picks})
    batch_ids = session.scalars(
        select(Batch.id).where(Batch.lot_code.in_(codes)).order_by(Batch.id)
    ).all()
    product_ids = session.scalars(
        select(RecipeVersion.recipe_id)
        .join(Batch, Batch.recipe_version_id == RecipeVersion.id)
        .where(Batch.id.in_(batch_ids))
        .distinct()
        .order_by(RecipeVersion.recipe_id)
    ).all()
    for rid in product_ids:
        lock(session, Recipe, rid, field="product")
    lock(session, Batch, batch_id, field="batch")
    lot_ids = session.scalars(
        select(MaterialLot.id).where(MaterialLot.lot_code.in_(codes)).order_by(MaterialLot.id)
    ).all()
    for lot_id in lot_ids:
        lock(session, MaterialLot, lot_id, field="lot")
    for src_id in batch_ids:
        lock(session, Batch, src_id, field="lot")
    out: list[Consumption] = []
    for i, p in enumerate(picks):
        seen = p.seen_on_hand
        if seen is not None:  # less the earlier picks of the same lot in this action
            code = (p.lot_code or "").strip()
            seen -= sum((c.quantity for c in out if _source_code(c) == code), Decimal(0))
        try:
            out.append(
                record_consumption(
                    session,
                    batch_id,
                    lot_code=p.lot_code,
                    quantity=p.quantity,
                    unit=p.unit,
                    recipe_line_id=p.recipe_line_id,
                    seen_on_hand=seen,
                    actor=actor,
                )
            )
        except ValidationError as exc:  # name the row
            raise type(exc)(f"pick {i + 1}: {exc.message}", field=exc.field) from None
        except ConflictError as exc:
            raise type(exc)(f"pick {i + 1}: {exc.message}", field=exc.field) from None
    return out


def _source_code(c: Consumption) -> str:
    source = c.material_lot if c.material_lot is not None else c.input_batch
    return source.lot_code if source is not None else ""


def remove_consumption(session: Session, consumption_id: int, *, actor: str = "") -> None:
    c = get_or_404(session, Consumption, consumption_id, field="input")
    _editable(lock(session, Batch, c.batch_id, field="batch"), "inputs")
    audit(
        session,
        actor,
        "batch.unconsume",
        "batch",
        c.batch_id,
        consumption=c.id,
        quantity=c.quantity,
        unit=c.unit,
    )
    batch = c.batch
    session.delete(c)
    session.flush()
    session.expire(batch, ["consumptions"])


# -- QC ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QcState:
    spec_item_id: int
    name: str
    kind: str
    spec: str
    required: bool
    value: str  # latest result, '' if none
    passed: bool | None  # None when missing
    recorded_by: str
    recorded_at: dt.datetime | None

    @property
    def state(self) -> str:
        return "missing" if self.passed is None else ("pass" if self.passed else "fail")


def _spec_text(q: QcSpecItem) -> str:
    if q.kind == "numeric":
        lo = "" if q.min_value is None else format_quantity(q.min_value)
        hi = "" if q.max_value is None else format_quantity(q.max_value)
        if lo and hi:
            return f"{lo} to {hi} {q.unit}".strip()
        return (f"≥ {lo} {q.unit}" if lo else f"≤ {hi} {q.unit}").strip()
    return "pass / fail" if q.kind == "passfail" else "text"


def evaluate(q: QcSpecItem, value: object) -> tuple[bool, str, Decimal | None]:
    """(passed, text as stored, numeric value) for a value against a spec item."""
    fname = f"QC {q.name}"
    if q.kind == "numeric":
        num = quantize(parse_decimal(value, field=fname))
        ok = (q.min_value is None or num >= q.min_value) and (
            q.max_value is None or num <= q.max_value
        )
        return ok, format_quantity(num), num
    if q.kind == "passfail":
        if isinstance(value, bool):
            ok = value
        else:
            word = str(value or "").strip().lower()
            if word in ("pass", "passed", "ok", "yes", "y", "true", "1"):
                ok = True
            elif word in ("fail", "failed", "no", "n", "false", "0"):
                ok = False
            else:
                raise ValidationError(f"{fname}: answer pass or fail, not {value!r}", field=fname)
        return ok, "pass" if ok else "fail", None
    txt = check_text(str(value or "").strip(), field=fname, lines=True)
    if not txt:
        raise ValidationError(f"{fname}: write what was observed", field=fname)
    return True, txt[:300], None


def record_qc(
    session: Session,
    batch_id: int,
    spec_item_id: int,
    value: object,
    *,
    actor: str = "",
    note: str = "",
) -> QcResult:
    """A result for one check; judged against the spec. Only before release."""
    b = lock(session, Batch, batch_id, field="batch")
    if BatchStatus(b.status) in FROZEN:
        raise ImmutableError(
            f"QC: batch {b.lot_code} is {BatchStatus(b.status).label.lower()}; QC is closed",
            field="QC",
        )
    q = get_or_404(session, QcSpecItem, spec_item_id, field="QC item")
    if q.version_id != b.recipe_version_id:
        raise ValidationError(
            f"QC item: {q.name!r} is not on this batch's recipe version", field="QC item"
        )
    passed, stored, num = evaluate(q, value)
    r = QcResult(
        batch=b,
        spec_item_id=q.id,
        value_text=stored,
        value_numeric=num,
        passed=passed,
        note=optional_text(note, field="note", max_len=300),
        recorded_by=actor,
    )
    session.add(r)
    session.flush()
    audit(session, actor, "batch.qc", "batch", b.id, check=q.name, value=stored, passed=passed)
    return r


def qc_summary(session: Session, batch_id: int) -> list[QcState]:
    b = get_or_404(session, Batch, batch_id, field="batch")
    latest: dict[int, QcResult] = {}
    for res in b.qc_results:  # ordered by id: the last one wins
        latest[res.spec_item_id] = res
    out = []
    for q in b.recipe_version.qc_items:
        r = latest.get(q.id)
        out.append(
            QcState(
                q.id,
                q.name,
                q.kind,
                _spec_text(q),
                q.required,
                r.value_text if r else "",
                r.passed if r else None,
                r.recorded_by if r else "",
                r.recorded_at if r else None,
            )
        )
    return out


@dataclass(frozen=True)
class QcHistoryEntry:
    """One recorded QC result (or a check with none: ``passed`` None), for the record."""

    spec_item_id: int
    name: str
    spec: str
    required: bool
    value: str
    passed: bool | None
    recorded_by: str
    recorded_at: dt.datetime | None
    note: str = ""
    attempt: int = 1  # 1: first result of the check, 2: first retest...
    current: bool = True  # the latest result of its check: the one release looks at

    @property
    def state(self) -> str:
        return "missing" if self.passed is None else ("pass" if self.passed else "fail")


def qc_history(session: Session, batch_id: int) -> list[QcHistoryEntry]:
    """Every QC result of a batch, failed ones and retests included: check by check in
    the spec's order, each check's results in the order they were recorded. A check
    with no result yet is one entry with ``passed`` None."""
    b = get_or_404(session, Batch, batch_id, field="batch")
    by_item: dict[int, list[QcResult]] = {}
    for res in b.qc_results:  # ordered by id, the order they were recorded
        by_item.setdefault(res.spec_item_id, []).append(res)
    out: list[QcHistoryEntry] = []
    for q in b.recipe_version.qc_items:
        results = by_item.get(q.id, [])
        if not results:
            out.append(QcHistoryEntry(q.id, q.name, _spec_text(q), q.required, "", None, "", None))
            continue
        for n, r in enumerate(results, start=1):
            out.append(
                QcHistoryEntry(
                    q.id,
                    q.name,
                    _spec_text(q),
                    q.required,
                    r.value_text,
                    r.passed,
                    r.recorded_by,
                    r.recorded_at,
                    r.note,
                    n,
                    n == len(results),
                )
            )
    return out


# -- status ------------------------------------------------------------------------------


def change_status(
    session: Session,
    batch_id: int,
    action: str,
    *,
    actor: str = "",
    reason: str = "",
    at: dt.datetime | None = None,
) -> Batch:
    """Move a batch along its life. ``action``: start, to_qc, back_to_production,
    release, reject, recall.  ``at``: when it happened, for a record kept on paper and
    entered later (default: now).

    Release and rejection freeze the record: a snapshot of what it shows is kept
    (``services.snapshots``)."""
    b = lock(session, Batch, batch_id, field="batch")
    if action not in TRANSITIONS:
        raise ValidationError(f"status: unknown action {action!r}", field="status")
    allowed_from, target = TRANSITIONS[action]
    current = BatchStatus(b.status)
    if current not in allowed_from:
        raise StatusError(
            f"status: cannot {action.replace('_', ' ')} batch {b.lot_code}: it is {current.label.lower()}",
            field="status",
        )
    now = at or utcnow()
    if action in ("reject", "recall"):
        reason = required_text(reason, field="reason", max_len=2000, lines=True)
        b.closed_at, b.closed_by, b.close_reason = now, actor, reason
    if action == "start":
        b.started_at = now
    elif action == "to_qc":
        if b.actual_quantity is None:
            raise ValidationError(
                f"actual yield: record how much batch {b.lot_code} made "
                "(Finish production) before it goes to QC",
                field="actual yield",
            )
        b.qc_at = now
    elif action == "release":
        if not b.consumptions:
            raise ValidationError(
                f"inputs: batch {b.lot_code} has no inputs recorded; record the lots used before release",
                field="inputs",
            )
        bad = [s for s in qc_summary(session, b.id) if s.required and s.passed is not True]
        if bad:
            parts = ", ".join(
                f"{s.name} ({'missing' if s.passed is None else 'failed: ' + s.value})" for s in bad
            )
            raise StatusError(f"QC: cannot release {b.lot_code}: {parts}", field="QC")
        b.released_at, b.released_by = now, actor
    b.status = target.value
    session.flush()
    if target in (BatchStatus.RELEASED, BatchStatus.REJECTED):
        from smallbatch_desktop.services import snapshots

        snapshots.take(session, b)
    audit(
        session,
        actor,
        f"batch.{action}",
        "batch",
        b.id,
        lot_code=b.lot_code,
        status_from=current.value,
        status_to=target.value,
        reason=reason,
    )
    return b


def finish_production(
    session: Session,
    batch_id: int,
    *,
    actual_quantity: object,
    unit: str | None = None,
    waste_quantity: object = None,
    waste_reason: str = "",
    actor: str = "",
) -> Batch:
    """End of production: record what the batch actually made (and what was wasted or
    lost, with why), then hold it for QC. One user action, one unit of work.

    Quantities are in ``unit`` (default: the batch's own unit) and are stored in the
    batch's unit. The actual yield is what labels number and what the batch record
    shows; it need not equal the plan (a batch of 60 jars that filled 58).
    """
    b = get_or_404(session, Batch, batch_id, field="batch")
    current = BatchStatus(b.status)
    if current is not BatchStatus.IN_PRODUCTION:
        hint = (
            "start production first"
            if current is BatchStatus.PLANNED
            else f"it is {current.label.lower()}"
        )
        raise StatusError(
            f"status: cannot finish production of batch {b.lot_code}: {hint}", field="status"
        )
    u = normalize_unit(unit or b.unit, field="unit")
    made = _yield_quantity(actual_quantity, u, b, field="actual yield")
    if made <= 0:
        raise ValidationError(
            "actual yield: the batch made nothing; reject it instead of sending it to QC",
            field="actual yield",
        )
    waste: Decimal | None = None
    if waste_quantity not in (None, ""):
        waste = _yield_quantity(waste_quantity, u, b, field="waste")
    reason = optional_text(waste_reason, field="waste reason", max_len=2000)
    if waste and not reason:
        raise ValidationError(
            f"waste reason: say why {format_quantity(waste, b.unit)} was wasted or lost "
            "(spilt, burnt, under-filled...)",
            field="waste reason",
        )
    if reason and not waste:
        raise ValidationError(
            "waste: give the quantity wasted or lost, or clear the reason", field="waste"
        )
    used = _used_or_shipped(session, b.id)
    if made < used:
        raise ValidationError(
            f"actual yield: {format_quantity(made, b.unit)} is less than the "
            f"{format_quantity(used, b.unit)} already used or shipped",
            field="actual yield",
        )
    b.actual_quantity = made
    b.waste_quantity = waste or None
    b.waste_reason = reason if waste else ""
    session.flush()
    audit(
        session,
        actor,
        "batch.finish",
        "batch",
        b.id,
        lot_code=b.lot_code,
        planned=b.planned_quantity,
        actual=made,
        waste=waste,
        waste_reason=b.waste_reason,
        unit=b.unit,
    )
    return change_status(session, b.id, "to_qc", actor=actor)


def _yield_quantity(value: object, unit: str, b: Batch, *, field: str) -> Decimal:
    """A typed quantity (>= 0) converted to the batch's unit, exactly as stored."""
    q = quantize(parse_decimal(value, field=field))
    if q < 0:
        raise ValidationError(f"{field}: must not be negative", field=field)
    return convert(q, unit, b.unit, field="unit")


def _used_or_shipped(session: Session, batch_id: int) -> Decimal:
    """How much of a batch's output other batches used and shipments took."""
    raw = session.execute(
        text(
            "SELECT COALESCE((SELECT SUM(quantity) FROM consumptions WHERE input_batch_id = :id), 0)"
            " + COALESCE((SELECT SUM(quantity) FROM shipments WHERE batch_id = :id), 0)"
        ),
        {"id": batch_id},
    ).scalar()
    return from_fixed(raw or 0)


def update_batch(
    session: Session,
    batch_id: int,
    *,
    actual_quantity: object = None,
    operator: str | None = None,
    notes: str | None = None,
    best_before: object = None,
    actor: str = "",
) -> Batch:
    """Edit a batch that is not yet released/closed."""
    b = lock(session, Batch, batch_id, field="batch")
    if BatchStatus(b.status) in FROZEN:
        raise ImmutableError(
            f"batch: {b.lot_code} is {BatchStatus(b.status).label.lower()}; correct it with an amendment",
            field="batch",
        )
    changes: dict[str, object] = {}
    if actual_quantity not in (None, ""):
        q = quantize(parse_decimal(actual_quantity, field="actual yield"))
        if q < 0:
            raise ValidationError("actual yield: must not be negative", field="actual yield")
        changes["actual_quantity"] = q
        b.actual_quantity = q
    if operator is not None:
        b.operator = optional_text(operator, field="operator", max_len=100)
    if notes is not None:
        b.notes = optional_text(notes, field="notes", lines=True)
    if best_before not in (None, ""):
        b.best_before = parse_date(best_before, field="best before")
    session.flush()
    audit(session, actor, "batch.update", "batch", b.id, **changes)
    return b


AMENDABLE = {
    "actual_quantity": "actual yield",
    "best_before": "best before",
    "notes": "notes",
    "operator": "operator",
}


def amendment_field_label(field: str) -> str:
    """An amended field as the maker calls it: ``actual_quantity`` -> ``Actual yield``."""
    label = AMENDABLE.get(field) or field.replace("_", " ")
    return label[:1].upper() + label[1:]


def amendment_value_text(field: str, value: str, unit: str) -> str:
    """A stored amendment value in the maker's words: ``60.000000`` -> ``60 pcs``.

    Amendments keep the value as text exactly as it was (an audit trail is never
    rewritten); this only changes how it reads."""
    if field == "actual_quantity" and value.strip():
        try:
            return format_quantity(Decimal(value.strip()), unit)
        except ArithmeticError:  # decimal.InvalidOperation: an old free-text value
            return value
    return value


def amend_batch(
    session: Session, batch_id: int, *, field: str, new_value: str, reason: str, actor: str
) -> Amendment:
    """A correction to a released batch record: kept beside the old value, never over it."""
    b = lock(session, Batch, batch_id, field="batch")
    if BatchStatus(b.status) not in FROZEN:
        raise StatusError(
            f"amendment: batch {b.lot_code} is not released yet; edit it directly",
            field="amendment",
        )
    if field not in AMENDABLE:
        raise ValidationError(
            f"field: {field!r} cannot be amended; choose one of {', '.join(AMENDABLE)}",
            field="field",
        )
    reason = required_text(reason, field="reason", max_len=2000, lines=True)
    actor = required_text(actor, field="who", max_len=100)
    old = getattr(b, field)
    if field == "actual_quantity":
        made = _yield_quantity(new_value, b.unit, b, field="actual yield")
        used = _used_or_shipped(session, b.id)
        if made < used:
            raise ValidationError(
                f"actual yield: {format_quantity(made, b.unit)} is less than the "
                f"{format_quantity(used, b.unit)} already used or shipped",
                field="actual yield",
            )
        value: object = made
    elif field == "best_before":
        value = parse_date(new_value, field="best before")
    else:
        value = optional_text(new_value, field=AMENDABLE[field], lines=field == "notes")
    old_text = "" if old is None else (old.isoformat() if isinstance(old, dt.date) else str(old))
    new_text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if old_text == new_text:
        raise ValidationError(
            f"{AMENDABLE[field]}: the new value is the same as the old one", field=field
        )
    a = Amendment(
        batch=b,
        field=field,
        old_value=old_text,
        new_value=new_text,
        reason=reason,
        amended_by=actor,
    )
    session.add(a)
    # the amendment first: the database lets a released record change only as the
    # latest amendment of that field says
    session.flush()
    setattr(b, field, value)
    session.flush()
    audit(
        session,
        actor,
        "batch.amend",
        "batch",
        b.id,
        field=field,
        old=old_text,
        new=new_text,
        reason=reason,
    )
    return a


# -- shipments ---------------------------------------------------------------------------


def _lock_product_of(session: Session, batch_id: int) -> None:
    """Serialise stock moves of a batch's product between workstations, as order
    allocation and shipping do (``services.orders``): the product first, then the
    batch, always in that order."""
    rid = session.scalar(
        select(RecipeVersion.recipe_id)
        .join(Batch, Batch.recipe_version_id == RecipeVersion.id)
        .where(Batch.id == batch_id)
    )
    if rid is not None:
        lock(session, Recipe, rid, field="product")


def ship_batch(
    session: Session,
    batch_id: int,
    *,
    customer: str | int,
    quantity: object,
    unit: str | None = None,
    shipped_date: object = None,
    document_type: str = "invoice",
    document_number: str = "",
    notes: str = "",
    create_customer: bool = False,
    seen_left: Decimal | None = None,
    actor: str = "",
) -> Shipment:
    """Units of a released batch to a customer or channel.

    ``seen_left`` is what the maker saw left of the batch (its unit): when that would
    have been enough but is no longer, the message says another workstation took it.
    Units allocated to customers' orders are not free for it: they ship against their
    order (the refusal names the orders)."""
    _lock_product_of(session, batch_id)
    b = lock(session, Batch, batch_id, field="batch")
    if b.status != BatchStatus.RELEASED.value:
        raise StatusError(
            f"shipment: batch {b.lot_code} is {BatchStatus(b.status).label.lower()}; only a released batch ships",
            field="shipment",
        )
    qty = positive_quantity(quantity, field="quantity")
    u = normalize_unit(unit or b.unit, field="unit")
    in_batch = convert(qty, u, b.unit, field="unit")
    left = batch_on_hand(session, b.id)
    if in_batch > left and seen_left is not None and in_batch <= seen_left:
        raise InsufficientStockError(
            f"quantity: only {format_quantity(max(left, Decimal(0)), b.unit)} of {b.lot_code} "
            f"is left now: another workstation used or shipped it since you looked "
            f"({format_quantity(seen_left, b.unit)} then)",
            field="quantity",
        )
    if in_batch > left:
        raise InsufficientStockError(
            f"quantity: {format_quantity(qty, u)} is more than the {format_quantity(left, b.unit)} left of {b.lot_code}",
            field="quantity",
        )
    held = batch_allocations(session, b.id)
    if in_batch > left - sum((q for _, q in held), Decimal(0)):
        raise _held_for_orders(
            b,
            left,
            held,
            "ship",
            "",
            "ship those from the order (Orders view), or release its allocation first",
        )
    if isinstance(customer, int):
        from smallbatch_desktop.domain.models import Customer

        cust = get_or_404(session, Customer, customer, field="customer")
    else:
        cust = customer_by_name(session, customer, create=create_customer, actor=actor)
    day = parse_date(shipped_date, field="ship date") if shipped_date else dt.date.today()
    if day < b.made_date:
        raise ValidationError(
            f"ship date: {day.isoformat()} is before the batch was made ({b.made_date.isoformat()})",
            field="ship date",
        )
    s = Shipment(
        batch=b,
        customer_id=cust.id,
        quantity=in_batch,
        unit=b.unit,
        shipped_date=day,
        document_type=optional_text(document_type, field="document type", max_len=30) or "invoice",
        document_number=optional_text(document_number, field="document number", max_len=80),
        notes=optional_text(notes, field="notes", lines=True),
        recorded_by=actor,
    )
    session.add(s)
    session.flush()
    audit(
        session,
        actor,
        "batch.ship",
        "batch",
        b.id,
        customer=cust.name,
        quantity=in_batch,
        unit=b.unit,
    )
    return s


# -- cost --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    lot_code: str
    name: str
    quantity: Decimal
    unit: str
    unit_cost: Decimal | None
    cost: Decimal | None


@dataclass(frozen=True)
class BatchCost:
    total: Decimal
    per_unit: Decimal | None
    unit: str
    lines: tuple[CostLine, ...]
    complete: bool  # False when an input has no cost


def batch_cost(session: Session, batch_id: int, _depth: int = 0) -> BatchCost:
    """Cost from the lots used (and, for intermediates, their own cost per unit)."""
    b = get_or_404(session, Batch, batch_id, field="batch")
    lines: list[CostLine] = []
    complete = True
    total = Decimal(0)
    for c in b.consumptions:
        if c.material_lot is not None:
            uc = c.material_lot.unit_cost
            name, code = c.material_lot.material.name, c.material_lot.lot_code
        else:
            assert c.input_batch is not None
            sub = batch_cost(session, c.input_batch.id, _depth + 1) if _depth < 32 else None
            uc = sub.per_unit if sub and sub.complete else None
            name, code = c.input_batch.recipe_version.recipe.name, c.input_batch.lot_code
        cost = None if uc is None else quantize(c.quantity * uc)
        if cost is None:
            complete = False
        else:
            total += cost
        lines.append(CostLine(code, name, c.quantity, c.unit, uc, cost))
    out_qty = b.actual_quantity if b.actual_quantity else b.planned_quantity
    per = quantize(total / out_qty) if out_qty else None
    return BatchCost(quantize(total), per, b.unit, tuple(lines), complete)


# -- the batch list (paged in SQL) -------------------------------------------------------


SORT_COLUMNS = {
    "lot_code": "b.lot_code",
    "product": "r.name",
    "status": "b.status",
    "made_date": "b.made_date",
    "best_before": "b.best_before",
    "planned_quantity": "b.planned_quantity",
    "operator": "b.operator",
}


def _batch_filter(
    session: Session, status: str | None, search: str
) -> tuple[str, dict[str, object]]:
    where: list[str] = []
    params: dict[str, object] = {}
    if status:
        where.append("b.status = :status")
        params["status"] = status
    if search:
        op = like(session)
        where.append(f"(b.lot_code {op} :q OR r.name {op} :q OR r.code {op} :q)")
        params["q"] = f"%{search.strip()}%"
    return (" WHERE " + " AND ".join(where)) if where else "", params


def count_batches(session: Session, *, status: str | None = None, search: str = "") -> int:
    where, params = _batch_filter(session, status, search)
    join = (
        " JOIN recipe_versions v ON v.id = b.recipe_version_id JOIN recipes r ON r.id = v.recipe_id"
        if search
        else ""
    )
    return int(
        session.execute(text(f"SELECT COUNT(*) FROM batches b{join}{where}"), params).scalar() or 0
    )


def list_batches(
    session: Session,
    *,
    status: str | None = None,
    search: str = "",
    sort: str = "made_date",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[BatchRow]:
    """One page of batches, filtered and sorted in SQL."""
    where, params = _batch_filter(session, status, search)
    col = SORT_COLUMNS.get(sort, "b.made_date")
    direction = "DESC" if descending else "ASC"
    params.update(lim=int(limit), off=int(offset))
    sql = (
        "SELECT b.id, b.lot_code, r.name, r.code, v.version, b.status, b.made_date, b.best_before, "
        "b.planned_quantity, b.actual_quantity, b.unit, b.operator FROM batches b "
        "JOIN recipe_versions v ON v.id = b.recipe_version_id JOIN recipes r ON r.id = v.recipe_id"
        f"{where} ORDER BY {col} {direction}, b.id {direction} LIMIT :lim OFFSET :off"
    )

    return [batch_row(r) for r in session.execute(text(sql), params)]
