"""Read-side queries the desktop screens need, returning plain frozen dataclasses.

Owned by the UI work (issue 3): every function takes a ``Session``, never commits and
never imports Qt.  The views call them inside one ``with session_factory() as s:``
block and keep only the returned values, so no ORM object outlives its session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from smallbatch_desktop.domain.models import (
    Batch,
    Consumption,
    Customer,
    Material,
    MaterialLot,
    Recipe,
    RecipeLine,
    RecipeVersion,
    Supplier,
)
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.services.batches import BATCH_CANDIDATES, amendment_value_text
from smallbatch_desktop.services.common import get_or_404
from smallbatch_desktop.services.fast_reads import db_date
from smallbatch_desktop.services.inventory import list_lots

# -- workshop ----------------------------------------------------------------------------


def is_empty_workshop(session: Session) -> bool:
    """True when nothing has been entered yet (first run)."""
    for model in (Material, Recipe, Supplier, Batch):
        if session.scalar(select(func.count()).select_from(model)):
            return False
    return True


# -- choices for pickers -----------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRow:
    id: int
    name: str
    contact: str
    email: str
    phone: str
    address: str
    lot_count: int


def list_suppliers(session: Session) -> list[SupplierRow]:
    counts = dict(
        session.execute(
            select(MaterialLot.supplier_id, func.count()).group_by(MaterialLot.supplier_id)
        ).all()
    )
    return [
        SupplierRow(s.id, s.name, s.contact, s.email, s.phone, s.address, int(counts.get(s.id, 0)))
        for s in session.scalars(select(Supplier).order_by(func.lower(Supplier.name)))
    ]


def list_customer_names(session: Session) -> list[str]:
    return list(session.scalars(select(Customer.name).order_by(func.lower(Customer.name))))


@dataclass(frozen=True)
class InputChoice:
    """Something a recipe line can use: a material or an intermediate product."""

    kind: Literal["material", "recipe"]
    id: int
    code: str
    name: str
    unit: str  # stock unit, or the intermediate's latest yield unit

    @property
    def display(self) -> str:
        prefix = "" if self.kind == "material" else "[intermediate] "
        return f"{prefix}{self.name} ({self.code})"


def input_choices(session: Session, *, exclude_recipe_id: int | None = None) -> list[InputChoice]:
    out = [
        InputChoice("material", m.id, m.code, m.name, m.stock_unit)
        for m in session.scalars(select(Material).order_by(func.lower(Material.name)))
    ]
    recipes = session.scalars(
        select(Recipe)
        .where(Recipe.intermediate.is_(True), Recipe.archived.is_(False))
        .options(selectinload(Recipe.versions))
        .order_by(func.lower(Recipe.name))
    )
    for r in recipes:
        if r.id == exclude_recipe_id:
            continue
        unit = r.versions[-1].yield_unit if r.versions else "g"
        out.append(InputChoice("recipe", r.id, r.code, r.name, unit))
    return out


@dataclass(frozen=True)
class MaterialInfo:
    id: int
    code: str
    name: str
    kind: str
    stock_unit: str
    allergens: str
    inci_name: str
    density: Decimal | None
    reorder_level: Decimal | None
    default_supplier_id: int | None
    notes: str


def material_info(session: Session, material_id: int) -> MaterialInfo:
    m = get_or_404(session, Material, material_id, field="material")
    return MaterialInfo(
        m.id,
        m.code,
        m.name,
        m.kind,
        m.stock_unit,
        m.allergens,
        m.inci_name,
        m.density,
        m.reorder_level,
        m.default_supplier_id,
        m.notes,
    )


@dataclass(frozen=True)
class VersionChoice:
    id: int
    recipe_id: int
    code: str
    name: str
    version: int
    yield_quantity: Decimal
    yield_unit: str

    @property
    def display(self) -> str:
        return f"{self.name} ({self.code}) v{self.version}"


def published_versions(session: Session) -> list[VersionChoice]:
    """Every published version of every active recipe, newest version first per recipe."""
    rows = session.execute(
        select(RecipeVersion, Recipe)
        .join(Recipe)
        .where(RecipeVersion.status == "published", Recipe.archived.is_(False))
        .order_by(func.lower(Recipe.name), RecipeVersion.version.desc())
    ).all()
    return [
        VersionChoice(v.id, r.id, r.code, r.name, v.version, v.yield_quantity, v.yield_unit)
        for v, r in rows
    ]


# -- recipe versions ---------------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    id: int
    material_id: int | None
    component_recipe_id: int | None
    code: str
    name: str
    quantity: Decimal
    unit: str
    note: str
    allergens: str


@dataclass(frozen=True)
class QcItemRow:
    id: int
    name: str
    kind: str
    min_value: Decimal | None
    max_value: Decimal | None
    unit: str
    required: bool
    note: str


@dataclass(frozen=True)
class VersionDetail:
    id: int
    recipe_id: int
    code: str
    name: str
    product_line: str
    gtin: str
    intermediate: bool
    version: int
    status: str
    yield_quantity: Decimal
    yield_unit: str
    steps: str
    shelf_life_days: int | None
    label_facts: dict[str, Any]
    notes: str
    lines: tuple[LineRow, ...]
    qc_items: tuple[QcItemRow, ...]
    published_at: dt.datetime | None
    published_by: str

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def allergens(self) -> list[str]:
        keys: set[str] = set()
        for ln in self.lines:
            keys |= {a for a in ln.allergens.split(",") if a}
        return sorted(keys)


def version_detail(session: Session, version_id: int) -> VersionDetail:
    v = get_or_404(session, RecipeVersion, version_id, field="recipe version")
    r = v.recipe
    lines = []
    for ln in v.lines:
        if ln.material is not None:
            code, name, allergens = ln.material.code, ln.material.name, ln.material.allergens
        else:
            assert ln.component_recipe is not None
            code, name = ln.component_recipe.code, ln.component_recipe.name
            allergens = ",".join(_recipe_allergens(session, ln.component_recipe_id or 0, set()))
        lines.append(
            LineRow(
                ln.id,
                ln.material_id,
                ln.component_recipe_id,
                code,
                name,
                ln.quantity,
                ln.unit,
                ln.note,
                allergens,
            )
        )
    qcs = tuple(
        QcItemRow(q.id, q.name, q.kind, q.min_value, q.max_value, q.unit, q.required, q.note)
        for q in v.qc_items
    )
    return VersionDetail(
        v.id,
        r.id,
        r.code,
        r.name,
        r.product_line,
        r.gtin,
        r.intermediate,
        v.version,
        v.status,
        v.yield_quantity,
        v.yield_unit,
        v.steps,
        v.shelf_life_days,
        dict(v.label_facts or {}),
        v.notes,
        tuple(lines),
        qcs,
        v.published_at,
        v.published_by,
    )


def _recipe_allergens(session: Session, recipe_id: int, seen: set[int]) -> set[str]:
    """Allergens of an intermediate: those of its latest version's lines, recursively."""
    if recipe_id in seen:
        return set()
    seen.add(recipe_id)
    v = session.scalar(
        select(RecipeVersion)
        .where(RecipeVersion.recipe_id == recipe_id)
        .order_by(RecipeVersion.version.desc())
        .limit(1)
    )
    out: set[str] = set()
    if v is None:
        return out
    for ln in v.lines:
        if ln.material is not None:
            out |= set(ln.material.allergen_list)
        elif ln.component_recipe_id is not None:
            out |= _recipe_allergens(session, ln.component_recipe_id, seen)
    return out


def draft_version_id(session: Session, recipe_id: int) -> int | None:
    return session.scalar(
        select(RecipeVersion.id).where(
            RecipeVersion.recipe_id == recipe_id, RecipeVersion.status == "draft"
        )
    )


# -- batches -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InputRow:
    id: int
    kind: Literal["material", "batch"]
    lot_code: str
    name: str
    quantity: Decimal
    unit: str
    entered: str
    supplier: str
    supplier_lot_code: str
    origin: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class ShipmentRow:
    id: int
    customer: str
    quantity: Decimal
    unit: str
    shipped_date: dt.date
    document_type: str
    document_number: str


@dataclass(frozen=True)
class AmendmentRow:
    id: int
    field: str
    old_value: str
    new_value: str
    reason: str
    amended_by: str
    amended_at: dt.datetime


@dataclass(frozen=True)
class BatchDetail:
    id: int
    lot_code: str
    recipe_id: int
    recipe_code: str
    product: str
    version_id: int
    version: int
    status: str
    planned_quantity: Decimal
    actual_quantity: Decimal | None
    unit: str
    made_date: dt.date
    best_before: dt.date | None
    operator: str
    notes: str
    released_at: dt.datetime | None
    released_by: str
    close_reason: str
    inputs: tuple[InputRow, ...]
    shipments: tuple[ShipmentRow, ...]
    amendments: tuple[AmendmentRow, ...]
    waste_quantity: Decimal | None = None
    waste_reason: str = ""


def batch_detail(session: Session, batch_id: int) -> BatchDetail:
    b = get_or_404(session, Batch, batch_id, field="batch")
    v = b.recipe_version
    inputs = []
    for c in session.scalars(
        select(Consumption)
        .where(Consumption.batch_id == b.id)
        .options(selectinload(Consumption.material_lot), selectinload(Consumption.input_batch))
        .order_by(Consumption.id)
    ):
        entered = f"{c.entered_quantity.normalize():f} {c.entered_unit}"
        if c.material_lot is not None:
            lot = c.material_lot
            inputs.append(
                InputRow(
                    c.id,
                    "material",
                    lot.lot_code,
                    lot.material.name,
                    c.quantity,
                    c.unit,
                    entered,
                    lot.supplier.name if lot.supplier else "",
                    lot.supplier_lot_code,
                    lot.origin,
                    c.recorded_by,
                    c.recorded_at,
                )
            )
        else:
            assert c.input_batch is not None
            src = c.input_batch
            inputs.append(
                InputRow(
                    c.id,
                    "batch",
                    src.lot_code,
                    src.recipe_version.recipe.name,
                    c.quantity,
                    c.unit,
                    entered,
                    "",
                    "",
                    "",
                    c.recorded_by,
                    c.recorded_at,
                )
            )
    ships = tuple(
        ShipmentRow(
            s.id,
            s.customer.name,
            s.quantity,
            s.unit,
            s.shipped_date,
            s.document_type,
            s.document_number,
        )
        for s in b.shipments
    )
    amends = tuple(
        AmendmentRow(
            a.id,
            a.field,
            amendment_value_text(a.field, a.old_value, b.unit),
            amendment_value_text(a.field, a.new_value, b.unit),
            a.reason,
            a.amended_by,
            a.amended_at,
        )
        for a in b.amendments
    )
    return BatchDetail(
        b.id,
        b.lot_code,
        v.recipe_id,
        v.recipe.code,
        v.recipe.name,
        v.id,
        v.version,
        b.status,
        b.planned_quantity,
        b.actual_quantity,
        b.unit,
        b.made_date,
        b.best_before,
        b.operator,
        b.notes,
        b.released_at,
        b.released_by,
        b.close_reason,
        tuple(inputs),
        ships,
        amends,
        b.waste_quantity,
        b.waste_reason,
    )


@dataclass(frozen=True)
class Candidate:
    """A lot a recipe line could draw from, with what is left of it (in its own unit; of
    a batch, what is free: customers' orders hold the rest)."""

    kind: Literal["material", "batch"]
    id: int
    lot_code: str
    available: Decimal
    unit: str
    expiry: dt.date | None
    supplier: str

    @property
    def display(self) -> str:
        exp = f", exp {self.expiry.isoformat()}" if self.expiry else ""
        sup = f", {self.supplier}" if self.supplier else ""
        return f"{self.lot_code} ({self.available.normalize():f} {self.unit}{exp}{sup})"


def line_candidates(
    session: Session, line_id: int, *, made_date: dt.date | None = None
) -> list[Candidate]:
    """Lots with stock left for one recipe line, first-expiry-first (FEFO order).

    With ``made_date``, lots that expire before it are left out (the services refuse them)."""
    ln = get_or_404(session, RecipeLine, line_id, field="recipe line")
    if made_date is not None:
        return [
            c
            for c in line_candidates(session, line_id)
            if c.kind == "batch" or c.expiry is None or c.expiry >= made_date
        ]
    if ln.material_id is not None:
        return [
            Candidate(
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
    return [Candidate("batch", r[0], r[1], from_fixed(r[5]), r[2], db_date(r[3]), "") for r in rows]


@dataclass(frozen=True)
class LotInfo:
    """A material lot's record, for the inventory detail pane."""

    id: int
    lot_code: str
    material: str
    supplier: str
    supplier_lot_code: str
    gtin: str
    quantity_received: Decimal
    unit: str
    unit_cost: Decimal | None
    currency: str
    received_date: dt.date
    expiry_date: dt.date | None
    origin: str
    certifications: str
    document_ref: str
    notes: str


def lot_info(session: Session, lot_id: int) -> LotInfo:
    lot = get_or_404(session, MaterialLot, lot_id, field="lot")
    return LotInfo(
        lot.id,
        lot.lot_code,
        lot.material.name,
        lot.supplier.name if lot.supplier else "",
        lot.supplier_lot_code,
        lot.gtin,
        lot.quantity_received,
        lot.unit,
        lot.unit_cost,
        lot.currency,
        lot.received_date,
        lot.expiry_date,
        lot.origin,
        lot.certifications,
        lot.document_ref,
        lot.notes,
    )


def material_for_gtin(session: Session, gtin: str) -> int | None:
    """The material last received under this GTIN, to prefill a scan."""
    return session.scalar(
        select(MaterialLot.material_id)
        .where(MaterialLot.gtin == gtin)
        .order_by(MaterialLot.id.desc())
        .limit(1)
    )


__all__ = [
    "AmendmentRow",
    "BatchDetail",
    "Candidate",
    "InputChoice",
    "InputRow",
    "LineRow",
    "LotInfo",
    "MaterialInfo",
    "QcItemRow",
    "ShipmentRow",
    "SupplierRow",
    "VersionChoice",
    "VersionDetail",
    "batch_detail",
    "draft_version_id",
    "input_choices",
    "is_empty_workshop",
    "line_candidates",
    "list_customer_names",
    "list_suppliers",
    "lot_info",
    "material_for_gtin",
    "material_info",
    "published_versions",
    "version_detail",
]


# -- the batch list at scale -------------------------------------------------------------
# The SQL lives in ``services.fast_reads`` (importable without SQLAlchemy, so start-up can
# paint the list before the ORM loads); these wrappers take a Session as before.


def count_matching_batches(session: Session, *, status: str | None = None, search: str = "") -> int:
    from smallbatch_desktop.services import fast_reads

    return fast_reads.count_matching_batches(
        fast_reads.session_reader(session), status=status, search=search
    )


def batch_page(session: Session, **kwargs: Any) -> list[Any]:
    """One page of ``fast_reads.BatchRow`` (see ``fast_reads.batch_page``)."""
    from smallbatch_desktop.services import fast_reads

    return fast_reads.batch_page(fast_reads.session_reader(session), **kwargs)
