"""Labels: what a batch's label says, which numbers it prints, and the saved designs.

Use cases, one function each, all taking a ``Session`` and never committing (the caller
owns the unit of work):

- ``label_data_for_batch``: the plain ``LabelData`` of a batch, read from the recipe
  version, materials and workshop settings.  Ingredients are listed in descending order
  of weight in the batch (EU 1169/2011 Art. 18); a line made from an intermediate
  recipe is a compound ingredient, "Name (a, b, c)", its own ingredients in brackets.
- ``plan_print`` / ``reserve_print_run`` / ``release_print_run``: a print job with
  "n of N" numbers that continue after the last final run, so a reprint never repeats a
  number unless the maker explicitly asks for a start number.  The numbers are reserved
  in the database first, in their own committed unit of work, and only then rendered; a
  render that fails gives them back (``release_print_run``).  Several workstations
  printing the same batch queue on the batch's row lock, so no number is handed out
  twice.  Only a released batch prints final labels; any other status, and a proof
  asked for as a draft, prints drafts (watermarked) that neither use nor check numbers.
- CRUD for label layouts, custom stock and printer profiles, with errors naming fields.

This module builds plain data (``domain.label_data``) for the PDF layer (``pdf.labels``)
but never imports or calls it, so the CLI, the print dialog and tests choose when and
where the PDF is made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.allergens import ALL_ALLERGENS, EU_ALLERGENS
from smallbatch_desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    UserError,
    ValidationError,
)
from smallbatch_desktop.domain.gs1 import BarcodeError, normalize_gtin
from smallbatch_desktop.domain.label_data import Ingredient, LabelData, LabelJob
from smallbatch_desktop.domain.label_layout import (
    Layout,
    builtin_layouts,
    default_roll_layout,
    default_sheet_layout,
    layout_from_dict,
    layout_to_dict,
    validate_layout,
)
from smallbatch_desktop.domain.label_stock import (
    ROLL,
    SHEET,
    LabelStock,
    builtin_catalog,
    single_label_stock,
    stock_from_geometry,
)
from smallbatch_desktop.domain.models import (
    PUBLISHED,
    Batch,
    CustomStock,
    LabelLayout,
    LabelPrintRun,
    PrinterProfile,
    Recipe,
    RecipeVersion,
    utcnow,
)
from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.domain.text import check_text
from smallbatch_desktop.domain.units import Dimension, convert, get_unit, parse_decimal
from smallbatch_desktop.services.common import audit, get_setting, lock

#: material kinds that never appear in an ingredients list
NOT_INGREDIENTS = frozenset({"packaging", "component", "label", "equipment", "consumable"})
MAX_COPIES = 10_000


# --------------------------------------------------------------------------- label data


@dataclass(frozen=True)
class BatchLabelInfo:
    """A batch's label content plus what printing needs to decide (status, recipe)."""

    batch_id: int
    lot: str
    status: str
    recipe_id: int
    recipe_name: str
    released: bool
    #: finished units when the batch is counted in pieces, else None
    units: int | None
    data: LabelData


@dataclass
class _Item:
    grams: Decimal
    position: int
    ingredient: Ingredient
    allergen_keys: frozenset[str]


def _allergen_names(keys: frozenset[str] | set[str]) -> tuple[str, ...]:
    names = []
    for k in sorted(keys):
        names.append(EU_ALLERGENS.get(k) or ALL_ALLERGENS.get(k) or k.capitalize())
    return tuple(names)


def _component_version(session: Session, recipe: Recipe, batch: Batch | None) -> RecipeVersion:
    """The version of an intermediate actually used: the input batch's, else the latest
    published one (else the latest draft, for a recipe still being developed)."""
    if batch is not None:
        for c in batch.consumptions:
            if c.input_batch is not None and c.input_batch.recipe_version.recipe_id == recipe.id:
                return c.input_batch.recipe_version
    published = [v for v in recipe.versions if v.status == PUBLISHED]
    chosen = (published or list(recipe.versions))[-1:] if recipe.versions else []
    if not chosen:
        raise ValidationError(
            f"ingredients: intermediate recipe {recipe.name!r} has no version", field="ingredients"
        )
    return chosen[0]


def _line_items(
    session: Session, version: RecipeVersion, batch: Batch | None, depth: int = 0
) -> list[_Item]:
    if depth > 8:
        raise ValidationError(
            "ingredients: intermediate recipes nest more than 8 deep", field="ingredients"
        )
    items: list[_Item] = []
    for line in version.lines:
        where = f"ingredients: {version.recipe.name} line {line.position}"
        if line.material is not None:
            m = line.material
            if m.kind in NOT_INGREDIENTS:
                continue
            if get_unit(line.unit, field=where).dimension is Dimension.COUNT:
                raise ValidationError(
                    f"{where}: {line.quantity.normalize():f} {line.unit} of {m.name} has no "
                    "weight; give the line in g, kg, ml or l so it can be ordered by weight",
                    field="ingredients",
                )
            grams = convert(line.quantity, line.unit, "g", density=m.density, field=where)
            keys = frozenset(k.strip().lower() for k in m.allergen_list)
            ing = Ingredient(name=m.name, inci=m.inci_name, allergens=_allergen_names(keys))
            items.append(_Item(grams, line.position, ing, keys))
            continue
        recipe = line.component_recipe
        assert recipe is not None
        comp = _component_version(session, recipe, batch)
        parts = _line_items(session, comp, None, depth + 1)
        sub_total = sum((p.grams for p in parts), Decimal(0))
        line_dim = get_unit(line.unit, field=where).dimension
        if line_dim is Dimension.MASS:
            grams = convert(line.quantity, line.unit, "g", field=where)
        elif get_unit(comp.yield_unit, field=where).dimension is line_dim:
            fraction = convert(line.quantity, line.unit, comp.yield_unit, exact=True, field=where)
            grams = fraction / comp.yield_quantity * sub_total
        else:
            raise ValidationError(
                f"{where}: cannot weigh {line.unit} of {recipe.name} (its yield is in "
                f"{comp.yield_unit}); give the line in {comp.yield_unit} or by weight",
                field="ingredients",
            )
        keys = frozenset().union(*(p.allergen_keys for p in parts)) if parts else frozenset()
        ordered = tuple(p.ingredient for p in sorted(parts, key=lambda p: (-p.grams, p.position)))
        ing = Ingredient(name=recipe.name, parts=ordered, allergens=_allergen_names(keys))
        items.append(_Item(grams, line.position, ing, keys))
    # one material on two lines is one ingredient (its weights add up)
    merged: dict[tuple[str, tuple[Ingredient, ...]], _Item] = {}
    for it in items:
        key = (it.ingredient.name, it.ingredient.parts)
        if key in merged:
            merged[key].grams += it.grams
        else:
            merged[key] = dataclasses.replace(it)
    return sorted(merged.values(), key=lambda i: (-i.grams, i.position))


def ingredients_for(
    session: Session, version: RecipeVersion, batch: Batch | None = None
) -> tuple[tuple[Ingredient, ...], tuple[str, ...]]:
    """(ingredients in descending weight, allergen names of the whole product)."""
    items = _line_items(session, version, batch)
    keys: set[str] = set()
    for it in items:
        keys |= it.allergen_keys
    return tuple(i.ingredient for i in items), _allergen_names(keys)


def _setting_text(session: Session, key: str) -> str:
    value = get_setting(session, key)
    return "" if value is None else str(value).strip()


def _batch(session: Session, batch_id: int | None = None, lot: str | None = None) -> Batch:
    if batch_id is not None:
        b = session.get(Batch, batch_id)
    else:
        b = session.scalar(select(Batch).where(Batch.lot_code == (lot or "").strip()))
    if b is None:
        what = f"id {batch_id}" if batch_id is not None else repr(lot)
        raise NotFoundError(f"batch: no batch with {what}", field="batch")
    return b


def label_data_for_batch(
    session: Session, batch_id: int | None = None, *, lot: str | None = None
) -> BatchLabelInfo:
    """The label content of a batch (numbering left at 1 of 1; ``plan_print`` sets it).

    A released batch's label shows what was true at release (``services.snapshots``)."""
    b = _batch(session, batch_id, lot)
    kept = _released_label(session, b)
    if kept is not None:
        return kept
    version = b.recipe_version
    recipe = version.recipe
    facts = dict(version.label_facts or {})
    ingredients, allergens = ingredients_for(session, version, b)
    gtin = ""
    if recipe.gtin:
        try:
            gtin = normalize_gtin(recipe.gtin, field="GTIN")
        except BarcodeError as exc:
            raise ValidationError(
                f"GTIN: recipe {recipe.name!r}: {exc.message.removeprefix('GTIN: ')}", field="gtin"
            ) from None
    use_by = str(facts.get("use_by", "best_before")).strip().lower() in ("use_by", "use by")
    units = _units(b)
    skip = {"product_name", "net_quantity", "use_by", "product_kind"}
    data = LabelData(
        product=str(facts.get("product_name") or recipe.name),
        lot=b.lot_code,
        made=b.made_date,
        best_before=b.best_before,
        date_kind="use_by" if use_by else "best_before",
        net_quantity=str(facts.get("net_quantity") or ""),
        producer=_setting_text(session, "business_name"),
        address=_setting_text(session, "business_address"),
        ingredients=ingredients,
        allergens=allergens,
        gtin=gtin,
        facts=tuple(
            (str(k), "" if v is None else str(v)) for k, v in sorted(facts.items()) if k not in skip
        ),
        cosmetic=str(facts.get("product_kind", "")).strip().lower() in ("cosmetic", "cosmetics"),
        link_domain=_setting_text(session, "gs1_digital_link_domain"),
    )
    return BatchLabelInfo(
        batch_id=b.id,
        lot=b.lot_code,
        status=b.status,
        recipe_id=recipe.id,
        recipe_name=recipe.name,
        released=b.status == BatchStatus.RELEASED.value,
        units=units,
        data=data,
    )


def _units(b: Batch) -> int | None:
    """Finished units when the batch is counted in whole pieces, else None."""
    quantity = b.actual_quantity if b.actual_quantity is not None else b.planned_quantity
    if get_unit(b.unit).dimension is Dimension.COUNT and quantity == quantity.to_integral_value():
        return int(quantity)
    return None


def _released_label(session: Session, b: Batch) -> BatchLabelInfo | None:
    """The label kept at release; what amendments may change (best before, yield) and
    the printing settings are read now."""
    from smallbatch_desktop.domain.snapshot import label_from_json
    from smallbatch_desktop.services import snapshots

    kept = snapshots.load(session, b.id)
    if kept is None or kept.get("label") is None:
        return None
    data = label_from_json(
        kept["label"], lot=b.lot_code, made=b.made_date, best_before=b.best_before
    )
    data = dataclasses.replace(data, link_domain=_setting_text(session, "gs1_digital_link_domain"))
    return BatchLabelInfo(
        batch_id=b.id,
        lot=b.lot_code,
        status=b.status,
        recipe_id=b.recipe_version.recipe_id,
        recipe_name=kept["record"]["recipe_name"],
        released=b.status == BatchStatus.RELEASED.value,
        units=_units(b),
        data=data,
    )


# --------------------------------------------------------------------------- numbering


def last_printed_number(session: Session, batch_id: int) -> int:
    """The highest number a final run printed for the batch (0 if none)."""
    value = session.scalar(
        select(func.max(LabelPrintRun.last_number)).where(
            LabelPrintRun.batch_id == batch_id, LabelPrintRun.final.is_(True)
        )
    )
    return int(value or 0)


def _last_total(session: Session, batch_id: int) -> int | None:
    run = session.scalars(
        select(LabelPrintRun)
        .where(LabelPrintRun.batch_id == batch_id, LabelPrintRun.final.is_(True))
        .order_by(LabelPrintRun.id.desc())
        .limit(1)
    ).first()
    return run.total if run else None


def print_runs(session: Session, batch_id: int) -> list[LabelPrintRun]:
    return list(
        session.scalars(
            select(LabelPrintRun)
            .where(LabelPrintRun.batch_id == batch_id)
            .order_by(LabelPrintRun.id)
        )
    )


@dataclass(frozen=True)
class PrintPlan:
    """A ready-to-render job plus the numbers it will consume, if final."""

    job: LabelJob
    batch_id: int
    lot: str
    layout_name: str
    stock_key: str
    first_number: int
    last_number: int
    total: int
    #: True: a released batch's real labels; recording the run consumes the numbers
    final: bool
    profile_name: str = ""
    #: the maker asked for these numbers (a start number): they may repeat earlier ones
    reprint: bool = False

    @property
    def copies(self) -> int:
        return len(self.job.labels)


def _positive_int(value: object, *, field: str, minimum: int = 1, maximum: int = MAX_COPIES) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{field}: give a whole number", field=field)
    try:
        d = parse_decimal(value if not isinstance(value, int) else Decimal(value), field=field)
    except ValidationError:
        raise ValidationError(f"{field}: {value!r} is not a whole number", field=field) from None
    if d != d.to_integral_value():
        raise ValidationError(f"{field}: {value} is not a whole number", field=field)
    n = int(d)
    if n < minimum or n > maximum:
        raise ValidationError(f"{field}: must be {minimum} to {maximum}, got {n}", field=field)
    return n


def plan_print(
    session: Session,
    batch_id: int | None = None,
    *,
    lot: str | None = None,
    layout_name: str | None = None,
    stock_key: str | None = None,
    copies: int | None = None,
    skip: int = 0,
    start_number: int | None = None,
    total: int | None = None,
    profile_name: str | None = None,
    final: bool = True,
    outline: bool = False,
    lock_numbers: bool = False,
) -> PrintPlan:
    """Everything needed to print a batch's labels, validated; nothing is written.

    Numbers continue after the last final run ("n of N" never repeats) unless
    ``start_number`` asks for a reprint.  ``lock_numbers`` (in a write unit of work that
    then calls ``reserve_print_run``) locks the batch's numbering first, so no other
    workstation takes the same numbers in between.  A draft (not released, or
    ``final=False``) is a proof: it shows the next numbers when there are any left, and
    numbers from 1 when all are printed, and is never refused for want of numbers.  ``copies`` defaults to the units not yet
    numbered (a batch counted in pieces) or one sheet / one label.  ``N`` is ``total``,
    else the batch's pieces, else the previous run's N, else the last number printed.
    """
    info = label_data_for_batch(session, batch_id, lot=lot)
    stored = resolve_layout(session, layout_name, recipe_id=info.recipe_id)
    stock = resolve_stock(
        session,
        stock_key
        or stored.stock_key
        or _setting_text(session, "default_label_stock")
        or "Avery 5160",
    )
    if not layout_name and stored.builtin and stock.kind == ROLL:
        stored = _builtin_stored(default_roll_layout())
    validate_layout(stored.layout, stock.label_width, stock.label_height)
    profile = get_printer_profile(session, profile_name) if profile_name else None
    if profile is None and profile_name is None:
        default_profile = _setting_text(session, "default_printer_profile")
        if default_profile:
            profile = session.scalar(
                select(PrinterProfile).where(PrinterProfile.name == default_profile)
            )
    final = final and info.released
    if lock_numbers and final:
        lock(session, Batch, info.batch_id, field="batch")
    last = last_printed_number(session, info.batch_id)
    if start_number is not None:
        first = _positive_int(start_number, field="start number", maximum=1_000_000)
    else:
        first = last + 1
    if total is not None:
        n_total = _positive_int(total, field="total", maximum=1_000_000)
    else:
        n_total = info.units or _last_total(session, info.batch_id) or 0
    if copies is None:
        if n_total and n_total >= first:
            n_copies = n_total - first + 1
        elif stock.kind == SHEET:
            n_copies = stock.per_page - skip
        else:
            n_copies = 1
        if n_copies < 1:
            n_copies = 1
    else:
        n_copies = _positive_int(copies, field="copies")
    if n_copies > MAX_COPIES:
        raise ValidationError(f"copies: at most {MAX_COPIES} labels per run", field="copies")
    last_number = first + n_copies - 1
    if not n_total:
        n_total = last_number
    if last_number > n_total and not final:
        # a proof uses no numbers, so it never runs out of them
        if start_number is None and n_copies <= n_total:
            first = 1
        last_number = first + n_copies - 1
        n_total = max(n_total, last_number)
    if last_number > n_total:
        if total is None and start_number is None and last:
            raise ConflictError(
                f"numbering: labels up to {last} of {n_total} are already printed for "
                f"{info.lot}; give a start number to reprint, or a larger total",
                field="start number",
            )
        raise ValidationError(
            f"copies: numbers {first}-{last_number} exceed the total of {n_total}; "
            "print fewer copies or raise the total",
            field="copies",
        )
    labels = tuple(
        dataclasses.replace(info.data, n=first + i, total=n_total) for i in range(n_copies)
    )
    job = LabelJob(
        stock=stock,
        layout=stored.layout,
        labels=labels,
        skip=skip,
        offset_x=float(profile.offset_x_mm) if profile else 0.0,
        offset_y=float(profile.offset_y_mm) if profile else 0.0,
        dpi=profile.dpi if profile else 300,
        draft=not final,
        outline=outline,
        title=f"Labels {info.lot}",
    )
    return PrintPlan(
        job=job,
        batch_id=info.batch_id,
        lot=info.lot,
        layout_name=stored.name,
        stock_key=stock.key,
        first_number=first,
        last_number=last_number,
        total=n_total,
        final=final,
        profile_name=profile.name if profile else "",
        reprint=start_number is not None,
    )


def reserve_print_run(
    session: Session, plan: PrintPlan, *, printed_by: str = ""
) -> LabelPrintRun | None:
    """Reserve the numbers of a final plan, before anything is rendered; drafts reserve
    nothing.  Commit this unit of work, then render; if the render fails, give the
    numbers back with ``release_print_run``.

    The batch's numbering is locked and checked again here: when another workstation
    took these numbers since the plan was made, a ``ConflictError`` says which number
    is free now (a reprint the maker asked for is let through)."""
    if not plan.final:
        return None
    lock(session, Batch, plan.batch_id, field="batch")
    last = last_printed_number(session, plan.batch_id)
    if not plan.reprint and plan.first_number <= last:
        raise ConflictError(
            f"numbering: another workstation printed labels up to {last} of {plan.lot} "
            f"since this print was planned; the next free number is {last + 1}: "
            "plan the print again",
            field="start number",
        )
    run = LabelPrintRun(
        batch_id=plan.batch_id,
        layout_name=plan.layout_name,
        first_number=plan.first_number,
        last_number=plan.last_number,
        total=plan.total,
        final=True,
        reprint=plan.reprint,
        printed_by=printed_by,
        printed_at=utcnow(),
    )
    session.add(run)
    session.flush()
    audit(
        session,
        printed_by,
        "print_labels",
        "batch",
        plan.batch_id,
        numbers=f"{plan.first_number}-{plan.last_number}",
        total=plan.total,
        layout=plan.layout_name,
        stock=plan.stock_key,
    )
    return run


def release_print_run(
    session: Session, run_id: int, *, actor: str = "", reason: str, keep: int = 0
) -> None:
    """Give back the numbers of a run that never printed (its render failed, the maker
    cancelled, the printer could not be opened).

    ``keep``: how many of the run's first labels did leave for the printer (pages
    already sent when printing stopped); their numbers stay taken, the rest are given
    back.  Numbers handed out after this run by another workstation stay taken; the
    ones given back are free again only if no later run took numbers after them."""
    run = session.get(LabelPrintRun, run_id)
    if run is None:
        return
    lock(session, Batch, run.batch_id, field="batch")
    keep = max(0, min(keep, run.last_number - run.first_number + 1))
    kept = {"kept": f"{run.first_number}-{run.first_number + keep - 1}"} if keep else {}
    audit(
        session,
        actor,
        "print_labels.release",
        "batch",
        run.batch_id,
        numbers=f"{run.first_number + keep}-{run.last_number}",
        reason=reason,
        **kept,
    )
    if keep:
        run.last_number = run.first_number + keep - 1
    else:
        session.delete(run)
    session.flush()


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class StoredLayout:
    """A layout with its database row's facts (id None for the built-in ones)."""

    id: int | None
    name: str
    layout: Layout
    stock_key: str
    recipe_id: int | None = None
    is_default: bool = False

    @property
    def builtin(self) -> bool:
        return self.id is None


def _builtin_stored(layout: Layout) -> StoredLayout:
    return StoredLayout(None, layout.name, layout, layout.stock_key)


def _stored(row: LabelLayout) -> StoredLayout:
    layout = layout_from_dict(row.data, name=row.name)
    layout = dataclasses.replace(layout, stock_key=row.stock_key)
    return StoredLayout(row.id, row.name, layout, row.stock_key, row.recipe_id, row.is_default)


def list_layouts(session: Session, *, include_builtin: bool = True) -> list[StoredLayout]:
    rows = session.scalars(select(LabelLayout).order_by(LabelLayout.name))
    out = [_stored(r) for r in rows]
    if include_builtin:
        names = {s.name for s in out}
        out += [_builtin_stored(lay) for lay in builtin_layouts().values() if lay.name not in names]
    return out


def get_layout(session: Session, name: str) -> StoredLayout:
    row = session.scalar(select(LabelLayout).where(LabelLayout.name == name))
    if row is not None:
        return _stored(row)
    builtin = builtin_layouts().get(name)
    if builtin is not None:
        return _builtin_stored(builtin)
    raise NotFoundError(f"layout: no label layout named {name!r}", field="layout")


def resolve_layout(
    session: Session, name: str | None = None, *, recipe_id: int | None = None
) -> StoredLayout:
    """The named layout, else the recipe's default, else the global default, else built-in."""
    if name:
        return get_layout(session, name)
    if recipe_id is not None:
        row = session.scalar(
            select(LabelLayout).where(
                LabelLayout.recipe_id == recipe_id, LabelLayout.is_default.is_(True)
            )
        )
        if row is not None:
            return _stored(row)
    row = session.scalar(
        select(LabelLayout).where(LabelLayout.recipe_id.is_(None), LabelLayout.is_default.is_(True))
    )
    if row is not None:
        return _stored(row)
    return _builtin_stored(default_sheet_layout())


def save_layout(
    session: Session,
    layout: Layout,
    *,
    stock_key: str | None = None,
    recipe_id: int | None = None,
    is_default: bool | None = None,
    layout_id: int | None = None,
    actor: str = "",
) -> int:
    """Create or update a layout row; the name is unique.  Returns its id.

    The layout is checked against its stock (elements inside the label), so a saved
    layout always prints.  ``is_default`` makes it the default of its recipe (or the
    global default when it has no recipe), clearing the previous default.
    """
    name = check_text((layout.name or "").strip(), field="name")
    if not name:
        raise ValidationError("name: a layout needs a name", field="name")
    if len(name) > 120:
        raise ValidationError("name: at most 120 characters", field="name")
    key = (stock_key or layout.stock_key or "").strip()
    if not key:
        raise ValidationError("stock: choose the label stock", field="stock")
    stock = resolve_stock(session, key)
    validate_layout(layout, stock.label_width, stock.label_height)
    clash = session.scalar(select(LabelLayout).where(LabelLayout.name == name))
    if layout_id is None:
        if clash is not None:
            raise ConflictError(f"name: a layout named {name!r} already exists", field="name")
        row = LabelLayout(name=name, stock_key=stock.key, data={})
        session.add(row)
    else:
        found = session.get(LabelLayout, layout_id)
        if found is None:
            raise NotFoundError(f"layout: no layout with id {layout_id}", field="layout")
        row = found
        if clash is not None and clash.id != row.id:
            raise ConflictError(f"name: a layout named {name!r} already exists", field="name")
    if recipe_id is not None and session.get(Recipe, recipe_id) is None:
        raise NotFoundError(f"recipe: no recipe with id {recipe_id}", field="recipe")
    row.name = name
    row.stock_key = stock.key
    row.data = layout_to_dict(dataclasses.replace(layout, name=name, stock_key=stock.key))
    row.recipe_id = recipe_id if recipe_id is not None else row.recipe_id
    row.updated_at = utcnow()
    session.flush()
    if is_default is not None:
        set_default_layout(session, row.id, is_default, actor=actor)
    audit(session, actor, "save_layout", "label_layout", row.id, name=name, stock=stock.key)
    return row.id


def attach_layout(
    session: Session, layout_id: int, recipe_id: int | None, *, actor: str = ""
) -> None:
    """Tie a layout to a recipe (``None`` detaches it: a workshop-wide layout)."""
    row = session.get(LabelLayout, layout_id)
    if row is None:
        raise NotFoundError(f"layout: no layout with id {layout_id}", field="layout")
    if recipe_id is not None and session.get(Recipe, recipe_id) is None:
        raise NotFoundError(f"recipe: no recipe with id {recipe_id}", field="recipe")
    if row.recipe_id != recipe_id and row.is_default:
        row.is_default = False  # a default of one scope does not carry over to another
    row.recipe_id = recipe_id
    session.flush()
    audit(session, actor, "attach_layout", "label_layout", row.id, recipe_id=recipe_id)


def set_default_layout(
    session: Session, layout_id: int, default: bool = True, *, actor: str = ""
) -> None:
    """Make a layout the default of its recipe (or the global one); one per scope."""
    row = session.get(LabelLayout, layout_id)
    if row is None:
        raise NotFoundError(f"layout: no layout with id {layout_id}", field="layout")
    if default:
        scope = (
            LabelLayout.recipe_id.is_(None)
            if row.recipe_id is None
            else LabelLayout.recipe_id == row.recipe_id
        )
        for other in session.scalars(
            select(LabelLayout).where(scope, LabelLayout.is_default.is_(True))
        ):
            other.is_default = False
    row.is_default = default
    session.flush()
    audit(session, actor, "default_layout", "label_layout", row.id, default=default)


def delete_layout(session: Session, layout_id: int, *, actor: str = "") -> None:
    row = session.get(LabelLayout, layout_id)
    if row is None:
        raise NotFoundError(f"layout: no layout with id {layout_id}", field="layout")
    audit(session, actor, "delete_layout", "label_layout", row.id, name=row.name)
    session.delete(row)
    session.flush()


# --------------------------------------------------------------------------- stock


def resolve_stock(session: Session, key: str) -> LabelStock:
    """A stock from a layout's key or what a maker types.

    "custom:<id>", a custom stock's name, "roll:<w>x<h>" (a plain roll label in mm),
    a catalog key ("Avery 5160") or a unique part number ("5160", "L7160").
    """
    text = (key or "").strip()
    if not text:
        raise ValidationError("stock: choose the label stock", field="stock")
    cat = builtin_catalog()
    if text.lower().startswith("custom:"):
        try:
            row = session.get(CustomStock, int(text.split(":", 1)[1]))
        except ValueError:
            row = None
        if row is None:
            raise NotFoundError(f"stock: no custom stock {text!r}", field="stock")
        return stock_from_geometry(f"custom:{row.id}", row.name, row.kind, row.geometry, cat.papers)
    if text.lower().startswith("roll:"):
        try:
            w, h = (float(v) for v in text[5:].lower().replace(" ", "").split("x"))
        except ValueError:
            raise ValidationError(
                f"stock: {text!r} is not a roll size like roll:100x50", field="stock"
            ) from None
        if not (5 <= w <= 500 and 5 <= h <= 2000):
            raise ValidationError(f"stock: {text!r} is not a label size", field="stock")
        stock = single_label_stock(w, h)
        return dataclasses.replace(stock, key=f"roll:{w:g}x{h:g}")
    row = session.scalar(select(CustomStock).where(CustomStock.name == text))
    if row is not None:
        return stock_from_geometry(f"custom:{row.id}", row.name, row.kind, row.geometry, cat.papers)
    found = cat.find_part(text)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        keys = ", ".join(s.key for s in found[:6])
        raise ValidationError(
            f"stock: {text!r} is made by several brands ({keys}); give the brand too",
            field="stock",
        )
    suggestions = ", ".join(s.key for s in cat.search(text, limit=5))
    hint = f"; did you mean {suggestions}?" if suggestions else ""
    raise NotFoundError(f"stock: no label stock {text!r}{hint}", field="stock")


def save_custom_stock(
    session: Session,
    name: str,
    kind: str,
    geometry: dict[str, Any],
    *,
    stock_id: int | None = None,
    actor: str = "",
) -> int:
    """Create or update a custom stock after validating its geometry (see
    ``domain.label_stock.stock_from_geometry`` for the fields)."""
    name = check_text((name or "").strip(), field="name")
    if not name:
        raise ValidationError("name: a stock needs a name", field="name")
    if name.lower().startswith(("custom:", "roll:")):
        raise ValidationError("name: may not start with 'custom:' or 'roll:'", field="name")
    kind = (kind or "").strip().lower()
    stock_from_geometry("custom:0", name, kind, geometry, builtin_catalog().papers)
    clean = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in geometry.items()}
    clash = session.scalar(select(CustomStock).where(CustomStock.name == name))
    if stock_id is None:
        if clash is not None:
            raise ConflictError(f"name: a stock named {name!r} already exists", field="name")
        row = CustomStock(name=name, kind=kind, geometry=clean)
        session.add(row)
    else:
        found = session.get(CustomStock, stock_id)
        if found is None:
            raise NotFoundError(f"stock: no custom stock with id {stock_id}", field="stock")
        if clash is not None and clash.id != stock_id:
            raise ConflictError(f"name: a stock named {name!r} already exists", field="name")
        row = found
        row.name, row.kind, row.geometry = name, kind, clean
    session.flush()
    audit(session, actor, "save_stock", "custom_stock", row.id, name=name, kind=kind)
    return row.id


def list_custom_stocks(session: Session) -> list[LabelStock]:
    papers = builtin_catalog().papers
    return [
        stock_from_geometry(f"custom:{r.id}", r.name, r.kind, r.geometry, papers)
        for r in session.scalars(select(CustomStock).order_by(CustomStock.name))
    ]


def delete_custom_stock(session: Session, stock_id: int, *, actor: str = "") -> None:
    row = session.get(CustomStock, stock_id)
    if row is None:
        raise NotFoundError(f"stock: no custom stock with id {stock_id}", field="stock")
    used = session.scalar(
        select(func.count())
        .select_from(LabelLayout)
        .where(LabelLayout.stock_key == f"custom:{stock_id}")
    )
    if used:
        raise ConflictError(
            f"stock: {row.name!r} is used by {used} layout(s); change them first", field="stock"
        )
    audit(session, actor, "delete_stock", "custom_stock", row.id, name=row.name)
    session.delete(row)
    session.flush()


# --------------------------------------------------------------------------- printers


def get_printer_profile(session: Session, name: str) -> PrinterProfile:
    row = session.scalar(select(PrinterProfile).where(PrinterProfile.name == name))
    if row is None:
        raise NotFoundError(f"printer profile: no profile named {name!r}", field="profile")
    return row


def list_printer_profiles(session: Session) -> list[PrinterProfile]:
    return list(session.scalars(select(PrinterProfile).order_by(PrinterProfile.name)))


def save_printer_profile(
    session: Session,
    name: str,
    *,
    dpi: object = 300,
    offset_x_mm: object = "0",
    offset_y_mm: object = "0",
    printer_name: str = "",
    profile_id: int | None = None,
    actor: str = "",
) -> int:
    """Create or update a printer profile: resolution and calibration offsets (mm)."""
    name = check_text((name or "").strip(), field="name")
    if not name:
        raise ValidationError("name: a printer profile needs a name", field="name")
    dpi_i = _positive_int(dpi, field="dpi", minimum=72, maximum=4800)
    offsets = []
    for field, value in (("offset x", offset_x_mm), ("offset y", offset_y_mm)):
        d = parse_decimal(value, field=field)
        if abs(d) > 20:
            raise ValidationError(f"{field}: {d} mm is more than 20 mm", field=field)
        offsets.append(d)
    clash = session.scalar(select(PrinterProfile).where(PrinterProfile.name == name))
    if profile_id is None:
        if clash is not None:
            raise ConflictError(f"name: a profile named {name!r} already exists", field="name")
        row = PrinterProfile(name=name)
        session.add(row)
    else:
        found = session.get(PrinterProfile, profile_id)
        if found is None:
            raise NotFoundError(
                f"printer profile: no profile with id {profile_id}", field="profile"
            )
        if clash is not None and clash.id != profile_id:
            raise ConflictError(f"name: a profile named {name!r} already exists", field="name")
        row = found
    row.name = name
    row.printer_name = (printer_name or "").strip()
    row.dpi = dpi_i
    row.offset_x_mm, row.offset_y_mm = offsets
    session.flush()
    audit(session, actor, "save_printer_profile", "printer_profile", row.id, name=name, dpi=dpi_i)
    return row.id


def delete_printer_profile(session: Session, profile_id: int, *, actor: str = "") -> None:
    row = session.get(PrinterProfile, profile_id)
    if row is None:
        raise NotFoundError(f"printer profile: no profile with id {profile_id}", field="profile")
    audit(session, actor, "delete_printer_profile", "printer_profile", row.id, name=row.name)
    session.delete(row)
    session.flush()


def sample_label_data() -> LabelData:
    """Stand-in content for designing a layout before any batch exists."""
    return LabelData(
        product="Smoky Habanero Hot Sauce",
        lot="HS-26327-01",
        made=dt.date(2026, 11, 23),
        best_before=dt.date(2027, 11, 23),
        net_quantity="250 ml",
        producer="Your workshop",
        address="1 Market Street, Yourtown",
        ingredients=(
            Ingredient("Habanero peppers"),
            Ingredient("Cider vinegar", allergens=("Sulphur dioxide and sulphites",)),
            Ingredient("Mustard seeds", allergens=("Mustard",)),
            Ingredient("Garlic"),
            Ingredient("Salt"),
        ),
        allergens=("Mustard", "Sulphur dioxide and sulphites"),
        gtin="09506000134352",
        n=1,
        total=24,
        order="SO-2026-0042",
        customer="Anna Baker",
        personal_text="Happy birthday, Anna!",
        options=(("heat", "extra hot"),),
    )


__all__ = [
    "BatchLabelInfo",
    "PrintPlan",
    "StoredLayout",
    "UserError",
    "attach_layout",
    "delete_custom_stock",
    "delete_layout",
    "delete_printer_profile",
    "get_layout",
    "get_printer_profile",
    "ingredients_for",
    "label_data_for_batch",
    "last_printed_number",
    "list_custom_stocks",
    "list_layouts",
    "list_printer_profiles",
    "plan_print",
    "print_runs",
    "release_print_run",
    "reserve_print_run",
    "resolve_layout",
    "resolve_stock",
    "sample_label_data",
    "save_custom_stock",
    "save_layout",
    "save_printer_profile",
    "set_default_layout",
]
