"""Recipes and their versions: create, edit a draft, publish, new version, compare, scale.

A published version is immutable: every edit goes to a draft, and "new version" copies a
published version into the next draft.  A batch always points at the exact version it
was made from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import EllipsisType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from smallbatch_desktop.domain.errors import (
    ConflictError,
    ImmutableError,
    NotFoundError,
    ValidationError,
)
from smallbatch_desktop.domain.models import (
    DRAFT,
    PUBLISHED,
    Material,
    QcSpecItem,
    Recipe,
    RecipeLine,
    RecipeVersion,
    utcnow,
)
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
    lock,
    normalize_gtin,
    optional_text,
    required_text,
)

QC_KINDS = ("numeric", "passfail", "text")


@dataclass(frozen=True)
class LineInput:
    """One recipe line as typed: a material or an intermediate recipe, quantity and unit."""

    quantity: object
    unit: str
    material_id: int | None = None
    component_recipe_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class QcItemInput:
    name: str
    kind: str = "passfail"
    min_value: object = None
    max_value: object = None
    unit: str = ""
    required: bool = True
    note: str = ""


def recipe_by_code(session: Session, code: str) -> Recipe:
    r = session.scalar(select(Recipe).where(Recipe.code == (code or "").strip().upper()))
    if r is None:
        raise NotFoundError(f"recipe: no recipe with code {code!r}", field="recipe")
    return r


def create_recipe(
    session: Session,
    *,
    code: str,
    name: str,
    yield_quantity: object,
    yield_unit: str,
    product_line: str = "",
    gtin: str = "",
    intermediate: bool = False,
    actor: str = "",
) -> RecipeVersion:
    """A new recipe with an empty draft version 1."""
    code = required_text(code, field="product code", max_len=12).upper()
    if not code.replace("-", "").isalnum():
        raise ValidationError(
            f"product code: {code!r} may hold only letters, digits and -", field="product code"
        )
    if session.scalar(select(Recipe.id).where(Recipe.code == code)):
        raise ConflictError(f"product code: {code!r} already exists", field="product code")
    recipe = Recipe(
        code=code,
        name=required_text(name, field="recipe name"),
        product_line=optional_text(product_line, field="product line", max_len=100),
        gtin=normalize_gtin(gtin),
        intermediate=intermediate,
    )
    version = RecipeVersion(
        recipe=recipe,
        version=1,
        status=DRAFT,
        yield_quantity=positive_quantity(yield_quantity, field="yield"),
        yield_unit=normalize_unit(yield_unit, field="yield unit"),
        label_facts={"product_name": recipe.name},
        created_by=actor,
    )
    session.add_all([recipe, version])
    session.flush()
    audit(session, actor, "recipe.create", "recipe", recipe.id, code=code, name=recipe.name)
    return version


def update_recipe(
    session: Session,
    recipe_id: int,
    *,
    name: str,
    product_line: str = "",
    gtin: str = "",
    intermediate: bool | None = None,
    actor: str = "",
) -> Recipe:
    """The recipe's header (name, line, GTIN) is not versioned."""
    r = get_or_404(session, Recipe, recipe_id, field="recipe")
    r.name = required_text(name, field="recipe name")
    r.product_line = optional_text(product_line, field="product line", max_len=100)
    r.gtin = normalize_gtin(gtin)
    if intermediate is not None:
        r.intermediate = intermediate
    audit(session, actor, "recipe.update", "recipe", r.id, name=r.name, gtin=r.gtin)
    return r


def _draft(session: Session, version_id: int) -> RecipeVersion:
    v = lock(session, RecipeVersion, version_id, field="recipe version")
    if v.status != DRAFT:
        raise ImmutableError(
            f"recipe version: {v.recipe.code} v{v.version} is published and cannot change; "
            "start a new version from it",
            field="recipe version",
        )
    return v


def _line(session: Session, recipe: Recipe, i: int, li: LineInput) -> RecipeLine:
    fname = f"line {i + 1}"
    if (li.material_id is None) == (li.component_recipe_id is None):
        raise ValidationError(f"{fname}: choose a material or an intermediate product", field=fname)
    qty = positive_quantity(li.quantity, field=f"{fname} quantity")
    unit = normalize_unit(li.unit, field=f"{fname} unit")
    if li.material_id is not None:
        m = get_or_404(session, Material, li.material_id, field=f"{fname} material")
        convert(Decimal(1), unit, m.stock_unit, density=m.density, field=f"{fname} unit")
    else:
        assert li.component_recipe_id is not None
        comp = get_or_404(session, Recipe, li.component_recipe_id, field=f"{fname} product")
        if comp.id == recipe.id:
            raise ValidationError(f"{fname}: a recipe cannot use itself", field=fname)
    return RecipeLine(
        position=i,
        material_id=li.material_id,
        component_recipe_id=li.component_recipe_id,
        quantity=qty,
        unit=unit,
        note=optional_text(li.note, field=f"{fname} note", max_len=300),
    )


def _qc_item(i: int, qi: QcItemInput) -> QcSpecItem:
    fname = f"QC item {i + 1}"
    name = required_text(qi.name, field=f"{fname} name", max_len=120)
    if qi.kind not in QC_KINDS:
        raise ValidationError(
            f"{fname}: kind {qi.kind!r} is not one of {', '.join(QC_KINDS)}", field=fname
        )
    lo = hi = None
    if qi.kind == "numeric":
        if qi.min_value not in (None, ""):
            lo = quantize(parse_decimal(qi.min_value, field=f"{fname} min"))
        if qi.max_value not in (None, ""):
            hi = quantize(parse_decimal(qi.max_value, field=f"{fname} max"))
        if lo is None and hi is None:
            raise ValidationError(
                f"{fname} ({name}): a numeric check needs a min or a max", field=fname
            )
        if lo is not None and hi is not None and lo > hi:
            raise ValidationError(
                f"{fname} ({name}): min {format_quantity(lo)} is above max {format_quantity(hi)}",
                field=fname,
            )
    return QcSpecItem(
        position=i,
        name=name,
        kind=qi.kind,
        min_value=lo,
        max_value=hi,
        unit=optional_text(qi.unit, field=f"{fname} unit", max_len=20),
        required=bool(qi.required),
        note=optional_text(qi.note, field=f"{fname} note", max_len=300),
    )


def update_draft(
    session: Session,
    version_id: int,
    *,
    yield_quantity: object = None,
    yield_unit: str | None = None,
    steps: str | None = None,
    shelf_life_days: int | str | EllipsisType | None = ...,
    label_facts: dict[str, Any] | None = None,
    notes: str | None = None,
    lines: list[LineInput] | None = None,
    qc_items: list[QcItemInput] | None = None,
    actor: str = "",
) -> RecipeVersion:
    """Edit a draft. ``lines``/``qc_items`` replace the whole list when given."""
    v = _draft(session, version_id)
    if yield_quantity is not None:
        v.yield_quantity = positive_quantity(yield_quantity, field="yield")
    if yield_unit is not None:
        v.yield_unit = normalize_unit(yield_unit, field="yield unit")
    if steps is not None:
        v.steps = optional_text(steps, field="steps", max_len=20000, lines=True)
    if shelf_life_days is not ...:
        if shelf_life_days in (None, ""):
            v.shelf_life_days = None
        else:
            try:
                days = int(str(shelf_life_days).strip())
            except ValueError:
                raise ValidationError(
                    f"shelf life: {shelf_life_days!r} is not a whole number of days",
                    field="shelf life",
                ) from None
            if days <= 0 or days > 3650 * 3:
                raise ValidationError(
                    f"shelf life: {days} days is out of range (1 to 10950)", field="shelf life"
                )
            v.shelf_life_days = days
    if label_facts is not None:
        v.label_facts = {
            check_text(str(k), field="label fact"): check_text(
                "" if val is None else str(val), field=f"label fact {k}", lines=True
            )
            for k, val in label_facts.items()
        }
    if notes is not None:
        v.notes = optional_text(notes, field="notes", lines=True)
    if lines is not None:
        new_lines = [_line(session, v.recipe, i, li) for i, li in enumerate(lines)]
        v.lines.clear()
        session.flush()
        v.lines.extend(new_lines)
    if qc_items is not None:
        new_items = [_qc_item(i, qi) for i, qi in enumerate(qc_items)]
        v.qc_items.clear()
        session.flush()
        v.qc_items.extend(new_items)
    session.flush()
    audit(
        session,
        actor,
        "recipe_version.edit",
        "recipe_version",
        v.id,
        recipe=v.recipe.code,
        version=v.version,
    )
    return v


def _component_cycle(session: Session, recipe_id: int, start_ids: set[int]) -> bool:
    """Would using ``start_ids`` recipes inside ``recipe_id`` make a loop?"""
    seen: set[int] = set()
    todo = set(start_ids)
    while todo:
        rid = todo.pop()
        if rid == recipe_id:
            return True
        if rid in seen:
            continue
        seen.add(rid)
        todo |= set(
            session.scalars(
                select(RecipeLine.component_recipe_id)
                .join(RecipeVersion)
                .where(RecipeVersion.recipe_id == rid, RecipeLine.component_recipe_id.is_not(None))
            ).all()
        ) - {None}  # type: ignore[arg-type]
    return False


def publish(session: Session, version_id: int, *, actor: str = "") -> RecipeVersion:
    """Freeze a draft. It needs at least one line; from now on it never changes."""
    v = _draft(session, version_id)
    if not v.lines:
        raise ValidationError(
            f"lines: {v.recipe.code} v{v.version} has no lines to publish", field="lines"
        )
    comps = {ln.component_recipe_id for ln in v.lines if ln.component_recipe_id is not None}
    if comps and _component_cycle(session, v.recipe_id, comps):
        raise ValidationError(
            "lines: an intermediate product uses this recipe: that would be a loop", field="lines"
        )
    for ln in v.lines:
        if (
            ln.component_recipe_id is not None
            and latest_published(session, ln.component_recipe_id) is None
        ):
            comp = session.get(Recipe, ln.component_recipe_id)
            raise ValidationError(
                f"line {ln.position + 1}: intermediate {comp.name if comp else '?'} has no published version yet",
                field=f"line {ln.position + 1}",
            )
    v.status = PUBLISHED
    v.published_at = utcnow()
    v.published_by = actor
    session.flush()
    audit(
        session,
        actor,
        "recipe_version.publish",
        "recipe_version",
        v.id,
        recipe=v.recipe.code,
        version=v.version,
    )
    return v


def new_version(session: Session, version_id: int, *, actor: str = "") -> RecipeVersion:
    """Copy a version into the next draft (one open draft per recipe)."""
    src = get_or_404(session, RecipeVersion, version_id, field="recipe version")
    lock(session, Recipe, src.recipe_id, field="recipe")  # one draft, one next number
    open_draft = session.scalar(
        select(RecipeVersion).where(
            RecipeVersion.recipe_id == src.recipe_id, RecipeVersion.status == DRAFT
        )
    )
    if open_draft is not None:
        raise ConflictError(
            f"recipe version: {src.recipe.code} already has a draft (v{open_draft.version}); "
            "edit or publish it first",
            field="recipe version",
        )
    top = (
        session.scalar(
            select(func.max(RecipeVersion.version)).where(RecipeVersion.recipe_id == src.recipe_id)
        )
        or 0
    )
    v = RecipeVersion(
        recipe_id=src.recipe_id,
        version=top + 1,
        status=DRAFT,
        yield_quantity=src.yield_quantity,
        yield_unit=src.yield_unit,
        steps=src.steps,
        shelf_life_days=src.shelf_life_days,
        label_facts=dict(src.label_facts or {}),
        notes=src.notes,
        created_by=actor,
        lines=[
            RecipeLine(
                position=ln.position,
                material_id=ln.material_id,
                component_recipe_id=ln.component_recipe_id,
                quantity=ln.quantity,
                unit=ln.unit,
                note=ln.note,
            )
            for ln in src.lines
        ],
        qc_items=[
            QcSpecItem(
                position=q.position,
                name=q.name,
                kind=q.kind,
                min_value=q.min_value,
                max_value=q.max_value,
                unit=q.unit,
                required=q.required,
                note=q.note,
            )
            for q in src.qc_items
        ],
    )
    session.add(v)
    session.flush()
    audit(
        session,
        actor,
        "recipe_version.new",
        "recipe_version",
        v.id,
        recipe=src.recipe.code,
        version=v.version,
        from_version=src.version,
    )
    return v


def latest_published(session: Session, recipe_id: int) -> RecipeVersion | None:
    return session.scalar(
        select(RecipeVersion)
        .where(RecipeVersion.recipe_id == recipe_id, RecipeVersion.status == PUBLISHED)
        .order_by(RecipeVersion.version.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class VersionSummary:
    id: int
    version: int
    status: str
    yield_quantity: Decimal
    yield_unit: str
    line_count: int
    created_at: dt.datetime
    published_at: dt.datetime | None
    published_by: str


def list_versions(session: Session, recipe_id: int) -> list[VersionSummary]:
    get_or_404(session, Recipe, recipe_id, field="recipe")
    versions = session.scalars(
        select(RecipeVersion)
        .where(RecipeVersion.recipe_id == recipe_id)
        .options(selectinload(RecipeVersion.lines))
        .order_by(RecipeVersion.version)
    ).all()
    return [
        VersionSummary(
            v.id,
            v.version,
            v.status,
            v.yield_quantity,
            v.yield_unit,
            len(v.lines),
            v.created_at,
            v.published_at,
            v.published_by,
        )
        for v in versions
    ]


@dataclass(frozen=True)
class RecipeSummary:
    id: int
    code: str
    name: str
    product_line: str
    intermediate: bool
    latest_version: int
    latest_status: str
    published_version_id: int | None


def list_recipes(
    session: Session, *, search: str = "", include_archived: bool = False
) -> list[RecipeSummary]:
    q = select(Recipe).options(selectinload(Recipe.versions)).order_by(Recipe.name)
    if search:
        like = f"%{search.strip()}%"
        q = q.where(
            Recipe.name.ilike(like) | Recipe.code.ilike(like) | Recipe.product_line.ilike(like)
        )
    if not include_archived:
        q = q.where(Recipe.archived.is_(False))
    out = []
    for r in session.scalars(q):
        latest = r.versions[-1] if r.versions else None
        pub = [v for v in r.versions if v.status == PUBLISHED]
        out.append(
            RecipeSummary(
                r.id,
                r.code,
                r.name,
                r.product_line,
                r.intermediate,
                latest.version if latest else 0,
                latest.status if latest else "",
                pub[-1].id if pub else None,
            )
        )
    return out


# -- compare -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    what: str  # "field", "line", "qc"
    key: str
    before: str
    after: str

    @property
    def kind(self) -> str:
        if not self.before:
            return "added"
        if not self.after:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class VersionDiff:
    a_label: str
    b_label: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def identical(self) -> bool:
        return not self.changes


def _line_key(ln: RecipeLine) -> str:
    if ln.material is not None:
        return f"{ln.material.code} {ln.material.name}"
    assert ln.component_recipe is not None
    return f"{ln.component_recipe.code} {ln.component_recipe.name}"


def _qc_text(q: QcSpecItem) -> str:
    if q.kind == "numeric":
        lo = "" if q.min_value is None else format_quantity(q.min_value)
        hi = "" if q.max_value is None else format_quantity(q.max_value)
        rng = f"{lo}..{hi} {q.unit}".strip()
    else:
        rng = q.kind
    return f"{rng}{'' if q.required else ' (optional)'}"


def compare_versions(session: Session, a_id: int, b_id: int) -> VersionDiff:
    """What changed from version A to version B: header fields, lines, QC spec."""
    a = get_or_404(session, RecipeVersion, a_id, field="version A")
    b = get_or_404(session, RecipeVersion, b_id, field="version B")
    changes: list[Change] = []

    def fld(name: str, va: object, vb: object) -> None:
        sa, sb = ("" if va is None else str(va)), ("" if vb is None else str(vb))
        if sa != sb:
            changes.append(Change("field", name, sa, sb))

    fld(
        "yield",
        format_quantity(a.yield_quantity, a.yield_unit),
        format_quantity(b.yield_quantity, b.yield_unit),
    )
    fld("shelf life (days)", a.shelf_life_days, b.shelf_life_days)
    fld("steps", a.steps, b.steps)
    fld("notes", a.notes, b.notes)
    facts = sorted(set(a.label_facts or {}) | set(b.label_facts or {}))
    for k in facts:
        fld(f"label: {k}", (a.label_facts or {}).get(k), (b.label_facts or {}).get(k))
    la = {_line_key(ln): format_quantity(ln.quantity, ln.unit) for ln in a.lines}
    lb = {_line_key(ln): format_quantity(ln.quantity, ln.unit) for ln in b.lines}
    for k in list(la) + [k for k in lb if k not in la]:
        if la.get(k, "") != lb.get(k, ""):
            changes.append(Change("line", k, la.get(k, ""), lb.get(k, "")))
    qa = {q.name: _qc_text(q) for q in a.qc_items}
    qb = {q.name: _qc_text(q) for q in b.qc_items}
    for k in list(qa) + [k for k in qb if k not in qa]:
        if qa.get(k, "") != qb.get(k, ""):
            changes.append(Change("qc", k, qa.get(k, ""), qb.get(k, "")))
    return VersionDiff(
        f"{a.recipe.code} v{a.version}", f"{b.recipe.code} v{b.version}", tuple(changes)
    )


# -- scale -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaledLine:
    line_id: int
    position: int
    name: str
    material_id: int | None
    component_recipe_id: int | None
    quantity: Decimal
    unit: str
    base_quantity: Decimal


@dataclass(frozen=True)
class ScaledVersion:
    version_id: int
    factor: Decimal
    target_quantity: Decimal
    target_unit: str
    lines: tuple[ScaledLine, ...]


def scale_factor(
    version: RecipeVersion, target_quantity: object, target_unit: str | None = None
) -> Decimal:
    """target / yield, exact, after converting the target to the yield's unit."""
    qty = positive_quantity(target_quantity, field="target yield")
    unit = normalize_unit(target_unit or version.yield_unit, field="target unit")
    in_yield_unit = convert(qty, unit, version.yield_unit, field="target unit", exact=True)
    return in_yield_unit / version.yield_quantity


def scale_version(
    session: Session, version_id: int, target_quantity: object, target_unit: str | None = None
) -> ScaledVersion:
    """Every line multiplied by target/yield, in exact decimals, each in its own unit."""
    v = get_or_404(session, RecipeVersion, version_id, field="recipe version")
    factor = scale_factor(v, target_quantity, target_unit)
    lines = tuple(
        ScaledLine(
            ln.id,
            ln.position,
            ln.input_name,
            ln.material_id,
            ln.component_recipe_id,
            quantize(ln.quantity * factor),
            ln.unit,
            ln.quantity,
        )
        for ln in v.lines
    )
    qty = positive_quantity(target_quantity, field="target yield")
    return ScaledVersion(
        v.id, quantize(factor), qty, normalize_unit(target_unit or v.yield_unit), lines
    )


def archive_recipe(
    session: Session, recipe_id: int, *, archived: bool = True, actor: str = ""
) -> None:
    r = get_or_404(session, Recipe, recipe_id, field="recipe")
    r.archived = archived
    audit(session, actor, "recipe.archive" if archived else "recipe.unarchive", "recipe", r.id)
