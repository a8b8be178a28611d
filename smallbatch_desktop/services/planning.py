"""Demand-driven planning: the make list and the material requirements.

**Make list.** For every product with open orders: the open order quantity (ordered less
shipped, on orders that are open, in production or ready) less what is allocated to those
lines, less the free stock (released batches within their best-before, less what every
order line holds), less the batches already on their way (planned, in production, QC
hold); what is left is rounded up to whole batches of the product's latest published
version.  Made-to-order lines are not filled from free stock: only their own
allocations and production count for them.  Intermediates are planned the same way from
the demand their parents create (the proposed batches and the planned batches' unused
component lines), level by level, to any depth.

**Material requirements.** What the proposed batches need of each material, in its stock
unit, against what is on hand (lots within their expiry) less what batches already
planned or in production still need of it ("allocated"); the shortage; what is on order
(draft and open purchase orders not yet received); and what to buy (the requirement and
the reorder level less on hand and on order).

Everything is computed with a few grouped SQL reads (no per-batch queries) and exact
decimals, so it stays quick on a database of 100,000 batches (``bench/planning.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session, selectinload

from smallbatch_desktop.domain.errors import UnitError, ValidationError
from smallbatch_desktop.domain.models import (
    Batch,
    Material,
    Recipe,
    RecipeLine,
    RecipeVersion,
    Supplier,
)
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.domain.units import convert, quantize
from smallbatch_desktop.services.common import audit

_ZERO = Decimal(0)
_ACTIVE = "('open', 'in_production', 'ready')"
_FRESH = "b.status = 'released' AND (b.best_before IS NULL OR b.best_before >= :today)"
_FRESH_LOT = "(l.expiry_date IS NULL OR l.expiry_date >= :today)"

_Q_DEMAND = text(
    f"""
    SELECT l.recipe_id, l.unit, l.made_to_order, SUM(l.quantity), COUNT(*)
    FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
    WHERE o.status IN {_ACTIVE}
    GROUP BY l.recipe_id, l.unit, l.made_to_order
    """
)
_Q_DEMAND_SHIPPED = text(
    f"""
    SELECT l.recipe_id, s.unit, l.made_to_order, SUM(s.quantity)
    FROM order_shipments os JOIN shipments s ON s.id = os.shipment_id
    JOIN sales_order_lines l ON l.id = os.line_id JOIN sales_orders o ON o.id = l.order_id
    WHERE o.status IN {_ACTIVE}
    GROUP BY l.recipe_id, s.unit, l.made_to_order
    """
)
_Q_ALLOCATED = text(
    f"""
    SELECT l.recipe_id, b.unit, l.made_to_order, SUM(a.quantity)
    FROM order_allocations a JOIN sales_order_lines l ON l.id = a.line_id
    JOIN sales_orders o ON o.id = l.order_id JOIN batches b ON b.id = a.batch_id
    WHERE o.status IN {_ACTIVE} AND {_FRESH}
    GROUP BY l.recipe_id, b.unit, l.made_to_order
    """
)
#: what is left of fresh released batches: their output less what they gave out (to other
#: batches and shipments), a running total the database keeps (``used_quantity``)
_Q_STOCK = text(
    f"""
    SELECT v.recipe_id, b.unit,
           SUM(COALESCE(b.actual_quantity, b.planned_quantity) - b.used_quantity)
    FROM batches b JOIN recipe_versions v ON v.id = b.recipe_version_id
    WHERE {_FRESH} GROUP BY v.recipe_id, b.unit
    """
)
# The few batches on their way are found by their status. The unary "+" (a no-op on
# both engines) keeps SQLite from walking every batch in recipe-version order instead,
# which its statistics (a handful of statuses, evenly spread) make look cheaper: 300 ms
# against under 1 ms at 100,000 batches.
_Q_PIPELINE = text(
    """
    SELECT v.recipe_id, b.unit, SUM(COALESCE(b.actual_quantity, b.planned_quantity)), COUNT(*)
    FROM batches b JOIN recipe_versions v ON v.id = +b.recipe_version_id
    WHERE b.status IN ('planned', 'in_production', 'qc_hold')
    GROUP BY v.recipe_id, b.unit
    """
)
#: batches still taking inputs: their scale summed per version (needs = line x scale)
_Q_OPEN_BATCHES = text(
    """
    SELECT b.recipe_version_id + 0, SUM(b.scale_factor)
    FROM batches b WHERE b.status IN ('planned', 'in_production')
    GROUP BY b.recipe_version_id + 0
    """
)
_Q_OPEN_CONSUMED = text(
    """
    SELECT c.recipe_line_id, c.unit, SUM(c.quantity)
    FROM consumptions c JOIN batches b ON b.id = c.batch_id
    WHERE b.status IN ('planned', 'in_production') AND c.recipe_line_id IS NOT NULL
    GROUP BY c.recipe_line_id, c.unit
    """
)
#: on hand of lots within their expiry (the database's running total ``on_hand``)
_Q_LOTS = text(
    f"SELECT l.material_id, l.unit, SUM(l.on_hand) FROM material_lots l "
    f"WHERE {_FRESH_LOT} GROUP BY l.material_id, l.unit"
)


@dataclass(frozen=True)
class MakeLine:
    """One product or intermediate to make; quantities in ``unit`` (the yield unit of the
    latest published version)."""

    recipe_id: int
    code: str
    name: str
    intermediate: bool
    version_id: int
    version: int
    unit: str
    batch_size: Decimal
    order_lines: int
    ordered: Decimal  # open order quantity still to ship
    made_to_order: Decimal  # of which on made-to-order lines
    allocated: Decimal  # held for those lines already
    free_stock: Decimal  # released, within best-before, held for nobody
    in_progress: Decimal  # planned, in production or on QC hold
    for_batches: Decimal  # needed as an input of other batches (planned and proposed)
    to_make: Decimal
    batches: int
    plan_quantity: Decimal  # batches x batch size

    @property
    def short(self) -> bool:
        return self.to_make > 0


@dataclass(frozen=True)
class MaterialNeed:
    """One material's requirement, in its stock unit."""

    material_id: int
    code: str
    name: str
    unit: str
    for_proposed: Decimal  # what the make list's batches need
    allocated: Decimal  # what planned / in-production batches still need
    on_hand: Decimal
    on_order: Decimal  # on draft or open purchase orders, not yet received
    reorder_level: Decimal | None
    supplier_id: int | None
    supplier: str

    @property
    def required(self) -> Decimal:
        return self.for_proposed + self.allocated

    @property
    def available(self) -> Decimal:
        """On hand less what planned batches still need."""
        return self.on_hand - self.allocated

    @property
    def shortage(self) -> Decimal:
        return max(_ZERO, self.required - self.on_hand)

    @property
    def to_buy(self) -> Decimal:
        """Enough for the requirement and the reorder level, less on hand and on order."""
        want = self.required + (self.reorder_level or _ZERO)
        return max(_ZERO, want - self.on_hand - self.on_order)


@dataclass(frozen=True)
class DemandPlan:
    today: dt.date
    make: tuple[MakeLine, ...]
    materials: tuple[MaterialNeed, ...]
    #: things the plan could not count (a unit that does not convert, no published version)
    warnings: tuple[str, ...]

    @property
    def shortages(self) -> tuple[MaterialNeed, ...]:
        return tuple(m for m in self.materials if m.shortage > 0)

    @property
    def to_buy(self) -> tuple[MaterialNeed, ...]:
        return tuple(m for m in self.materials if m.to_buy > 0)


class _Sums:
    """Quantities keyed by id, each added in its own unit and converted to a target unit
    once at the end (few distinct units, so few conversions)."""

    def __init__(self) -> None:
        self.raw: dict[tuple[int, str], Decimal] = defaultdict(Decimal)

    def add_rows(self, rows: Iterable[Sequence[Any]], *, sign: int = 1) -> None:
        for key, unit, value in rows:
            self.raw[(int(key), str(unit))] += sign * from_fixed(value)

    def add(self, key: int, unit: str, value: Decimal) -> None:
        self.raw[(key, unit)] += value

    def total(
        self, key: int, unit: str, warnings: list[str], what: str, density: Decimal | None = None
    ) -> Decimal:
        out = _ZERO
        for (k, u), v in self.raw.items():
            if k != key or not v:
                continue
            try:
                out += v if u == unit else convert(v, u, unit, density=density, exact=True)
            except UnitError:
                warnings.append(f"{what}: {v.normalize():f} {u} cannot be counted in {unit}")
        return out

    def keys(self) -> set[int]:
        return {k for k, _ in self.raw}


def _rows(session: Session, stmt: TextClause, today: dt.date) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(stmt, {"today": today})]


def _ceil_batches(quantity: Decimal, size: Decimal) -> int:
    return int((quantity / size).to_integral_value(rounding=ROUND_CEILING))


def demand_plan(session: Session, *, today: dt.date | None = None) -> DemandPlan:
    """The make list and the material requirements, computed together."""
    day = today or dt.date.today()
    warnings: list[str] = []

    # -- demand from orders, per product and made-to-order flag
    ordered: dict[bool, _Sums] = {False: _Sums(), True: _Sums()}
    allocated: dict[bool, _Sums] = {False: _Sums(), True: _Sums()}
    line_count: dict[int, int] = defaultdict(int)
    for rid, unit, mto, qty, n in _rows(session, _Q_DEMAND, day):
        ordered[bool(mto)].add(int(rid), str(unit), from_fixed(qty))
        line_count[int(rid)] += int(n)
    for rid, unit, mto, qty in _rows(session, _Q_DEMAND_SHIPPED, day):
        ordered[bool(mto)].add(int(rid), str(unit), -from_fixed(qty))
    for rid, unit, mto, qty in _rows(session, _Q_ALLOCATED, day):
        allocated[bool(mto)].add(int(rid), str(unit), from_fixed(qty))

    # -- stock and production of every product
    stock = _Sums()
    stock.add_rows(_rows(session, _Q_STOCK, day))
    pipeline = _Sums()
    pipeline.add_rows([r[:3] for r in _rows(session, _Q_PIPELINE, day)])

    # -- the recipes: latest published version of each, with lines
    versions = _latest_versions(session)
    recipes = {v.recipe_id: v.recipe for v in versions.values()}
    levels = _levels(versions)

    # -- what batches that still take inputs need (per recipe line, in the line's unit)
    open_scale = {int(v): from_fixed(s) for v, s in _rows(session, _Q_OPEN_BATCHES, day)}
    consumed: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for line_id, unit, qty in _rows(session, _Q_OPEN_CONSUMED, day):
        consumed[(int(line_id), str(unit))] += from_fixed(qty)
    materials = _materials(session)
    dependent = _Sums()  # intermediate recipe -> demand from batches (planned and proposed)
    mat_allocated = _Sums()
    mat_proposed = _Sums()
    if open_scale:
        open_versions = {
            v.id: v
            for v in session.scalars(
                select(RecipeVersion)
                .where(RecipeVersion.id.in_(list(open_scale)))
                .options(selectinload(RecipeVersion.lines))
            )
        }
        for vid, scale in open_scale.items():
            for ln in open_versions[vid].lines:
                need = ln.quantity * scale
                density = materials[ln.material_id].density if ln.material_id else None
                for (lid, unit), used in consumed.items():
                    if lid == ln.id:
                        try:
                            need -= convert(used, unit, ln.unit, density=density, exact=True)
                        except UnitError:
                            warnings.append(
                                f"{ln.input_name}: {unit} used against a {ln.unit} line"
                            )
                if need <= 0:
                    continue
                if ln.material_id is not None:
                    mat_allocated.add(ln.material_id, ln.unit, need)
                else:
                    assert ln.component_recipe_id is not None
                    dependent.add(ln.component_recipe_id, ln.unit, need)

    # -- level by level: products first, then what they are made of
    wanted = ordered[False].keys() | ordered[True].keys() | dependent.keys()
    make: list[MakeLine] = []
    done: set[int] = set()
    for rid in sorted(recipes, key=lambda r: (levels.get(r, 0), recipes[r].code)):
        if rid not in wanted and rid not in dependent.keys():  # noqa: SIM118 (grows in the loop)
            continue
        done.add(rid)
        v = versions[rid]
        r = recipes[rid]
        u = v.yield_unit
        what = f"{r.code} ({r.name})"
        stock_ord = ordered[False].total(rid, u, warnings, what)
        mto_ord = ordered[True].total(rid, u, warnings, what)
        stock_alloc = allocated[False].total(rid, u, warnings, what)
        mto_alloc = allocated[True].total(rid, u, warnings, what)
        on_hand = stock.total(rid, u, warnings, what)
        free = max(_ZERO, on_hand - stock_alloc - mto_alloc)
        in_progress = pipeline.total(rid, u, warnings, what)
        for_batches = dependent.total(rid, u, warnings, what)
        need = (
            max(_ZERO, stock_ord - stock_alloc + for_batches - free)
            + max(_ZERO, mto_ord - mto_alloc)
            - in_progress
        )
        n = _ceil_batches(need, v.yield_quantity) if need > 0 else 0
        plan_qty = v.yield_quantity * n
        make.append(
            MakeLine(
                rid,
                r.code,
                r.name,
                r.intermediate,
                v.id,
                v.version,
                u,
                v.yield_quantity,
                line_count.get(rid, 0),
                quantize(stock_ord + mto_ord),
                quantize(mto_ord),
                quantize(stock_alloc + mto_alloc),
                quantize(free),
                quantize(in_progress),
                quantize(for_batches),
                quantize(max(_ZERO, need)),
                n,
                quantize(plan_qty),
            )
        )
        if n:
            scale = plan_qty / v.yield_quantity
            for ln in v.lines:
                if ln.material_id is not None:
                    mat_proposed.add(ln.material_id, ln.unit, ln.quantity * scale)
                else:
                    assert ln.component_recipe_id is not None
                    dependent.add(ln.component_recipe_id, ln.unit, ln.quantity * scale)
    for rid in sorted(wanted - done):
        warnings.append(f"product {rid}: ordered but has no published recipe version")

    # -- materials
    on_hand_m = _Sums()
    on_hand_m.add_rows(_rows(session, _Q_LOTS, day))
    from smallbatch_desktop.services.purchasing import on_order

    ordered_m = _Sums()
    for mid, unit, qty in on_order(session):
        ordered_m.add(mid, unit, qty)
    needs = []
    for mid in sorted(mat_proposed.keys() | mat_allocated.keys(), key=lambda m: materials[m].code):
        m = materials[mid]
        what = f"{m.code} ({m.name})"
        needs.append(
            MaterialNeed(
                m.id,
                m.code,
                m.name,
                m.stock_unit,
                quantize(mat_proposed.total(mid, m.stock_unit, warnings, what, m.density)),
                quantize(mat_allocated.total(mid, m.stock_unit, warnings, what, m.density)),
                quantize(on_hand_m.total(mid, m.stock_unit, warnings, what, m.density)),
                quantize(ordered_m.total(mid, m.stock_unit, warnings, what, m.density)),
                m.reorder_level,
                m.default_supplier_id,
                m.supplier_name,
            )
        )
    return DemandPlan(day, tuple(make), tuple(needs), tuple(dict.fromkeys(warnings)))


def make_list(session: Session, *, today: dt.date | None = None) -> list[MakeLine]:
    """What to make, per product (and intermediate): see the module docstring."""
    return list(demand_plan(session, today=today).make)


def material_requirements(session: Session, *, today: dt.date | None = None) -> list[MaterialNeed]:
    return list(demand_plan(session, today=today).materials)


@dataclass(frozen=True)
class _MaterialInfo:
    id: int
    code: str
    name: str
    stock_unit: str
    density: Decimal | None
    reorder_level: Decimal | None
    default_supplier_id: int | None
    supplier_name: str


def _materials(session: Session) -> dict[int, _MaterialInfo]:
    rows = session.execute(
        select(
            Material.id,
            Material.code,
            Material.name,
            Material.stock_unit,
            Material.density,
            Material.reorder_level,
            Material.default_supplier_id,
            Supplier.name,
        ).outerjoin(Supplier, Supplier.id == Material.default_supplier_id)
    ).all()
    return {r[0]: _MaterialInfo(*r[:7], r[7] or "") for r in rows}


def _latest_versions(session: Session) -> dict[int, RecipeVersion]:
    """recipe id -> its latest published version (lines loaded), archived recipes too
    (an archived intermediate may still be in a planned batch)."""
    vs = session.scalars(
        select(RecipeVersion)
        .where(RecipeVersion.status == "published")
        .options(
            selectinload(RecipeVersion.lines).selectinload(RecipeLine.material),
            selectinload(RecipeVersion.recipe),
        )
    ).all()
    out: dict[int, RecipeVersion] = {}
    for v in vs:
        if v.recipe_id not in out or v.version > out[v.recipe_id].version:
            out[v.recipe_id] = v
    return out


def _levels(versions: dict[int, RecipeVersion]) -> dict[int, int]:
    """The low-level code of every recipe: 0 for those nothing uses, else one more than
    the deepest recipe that uses it, so a recipe is planned after all its users."""
    parents: dict[int, set[int]] = defaultdict(set)
    for rid, v in versions.items():
        for ln in v.lines:
            if ln.component_recipe_id is not None:
                parents[ln.component_recipe_id].add(rid)
    memo: dict[int, int] = {}

    def level(rid: int, seen: frozenset[int] = frozenset()) -> int:
        if rid in memo:
            return memo[rid]
        ps = [p for p in parents.get(rid, ()) if p not in seen]
        memo[rid] = 1 + max((level(p, seen | {rid}) for p in ps), default=-1)
        return memo[rid]

    return {rid: level(rid) for rid in versions}


# -- acting on the make list -------------------------------------------------------------


def plan_make_list(
    session: Session,
    *,
    recipe_ids: Iterable[int] | None = None,
    made_date: object = None,
    operator: str = "",
    actor: str = "",
    today: dt.date | None = None,
) -> list[Batch]:
    """Plan the make list's batches (all, or only those of ``recipe_ids``), each at the
    recipe's batch size, through the batch planning service. Computed afresh inside the
    caller's unit of work, so a make list that another workstation has just planned
    plans nothing twice."""
    from smallbatch_desktop.services.batches import plan_batch

    chosen = None if recipe_ids is None else set(recipe_ids)
    lines = [
        m
        for m in make_list(session, today=today)
        if m.batches and (chosen is None or m.recipe_id in chosen)
    ]
    if lines:
        # PostgreSQL: one workstation plans a product at a time (SQLite writers are serial)
        session.execute(
            select(Recipe.id).where(Recipe.id.in_([m.recipe_id for m in lines])).with_for_update()
        )
    if not lines:
        raise ValidationError(
            "make list: nothing to make; open orders are covered by stock and planned batches",
            field="make list",
        )
    planned: list[Batch] = []
    for m in lines:
        for _ in range(m.batches):
            planned.append(
                plan_batch(
                    session,
                    recipe_version_id=m.version_id,
                    planned_quantity=m.batch_size,
                    made_date=made_date,
                    operator=operator,
                    notes="planned from the make list",
                    actor=actor,
                )
            )
    audit(
        session,
        actor,
        "planning.plan_make_list",
        "batch",
        None,
        batches=[b.lot_code for b in planned],
    )
    return planned
