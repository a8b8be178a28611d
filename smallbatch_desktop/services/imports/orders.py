"""Import web shop orders (Shopify, Etsy, WooCommerce, Square) through ``create_order``.

The rows of the export are grouped into orders by order number; each order's products
are matched to recipes (see ``match_products``), its customer is found by name or made
on purpose (every new customer is listed in the preview), and the order is created by
the service the New order form uses, with each line's personalisation and options.
An order whose number is already in Smallbatch is skipped and reported (re-importing
an export adds nothing); an order the shop cancelled or refunded is skipped too.

As with master data, one run serves preview and import: ``run_order_import`` writes
into the caller's session and reports every row; ``import_orders`` refuses the whole
file (``ImportRefused``) when any row is bad, and remembers the product choices the
maker confirmed, so the next export maps itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.models import Customer, Recipe
from smallbatch_desktop.domain.units import quantize
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import orders as order_service
from smallbatch_desktop.services.common import (
    get_setting,
    let_others_in,
    lock_order_numbers,
    set_setting,
)
from smallbatch_desktop.services.imports.apply import (
    Columns,
    ImportRefused,
    ImportReport,
    Outcome,
    Problem,
    ProgressFn,
    check_mapping,
    check_session,
    file_date_order,
    read_row,
    strip_field,
)
from smallbatch_desktop.services.imports.kinds import full_address
from smallbatch_desktop.services.imports.mapping import Mapping, fold
from smallbatch_desktop.services.imports.platforms import LineData, OrderData, Platform
from smallbatch_desktop.services.imports.readers import Table
from smallbatch_desktop.services.imports.validate import DateOrder

#: the setting that remembers the maker's product choices: {"sku:HHS-150": "HHS", ...}
PRODUCT_MAP_SETTING = "import_product_map"


@dataclass
class ProductChoice:
    """A product as the export names it, and the recipe its lines become."""

    key: str
    sku: str
    name: str
    lines: int
    recipe: str | None = None  # recipe code
    how: str = ""  # "remembered", "chosen", "SKU is the product code", "same name", ""

    @property
    def label(self) -> str:
        return f"{self.name} (SKU {self.sku})" if self.sku else self.name


@dataclass
class OrderReport(ImportReport):
    platform: str = ""
    products: list[ProductChoice] = field(default_factory=list)
    new_customers: list[str] = field(default_factory=list)
    orders: int = 0
    personalised_lines: int = 0

    def summary(self) -> str:
        parts = [
            f"{plural(self.orders, 'order')} to import ({plural(len(self.created), 'line')}, "
            f"{self.personalised_lines} personalised)",
            plural(len(self.new_customers), "new customer"),
        ]
        if self.duplicates:
            parts.append(f"{plural(len(self.duplicates), 'row')} of orders already in Smallbatch")
        if self.skipped:
            parts.append(f"{plural(len(self.skipped), 'row')} skipped")
        if self.problems:
            parts.append(plural(len(self.bad_rows()), "bad row"))
        return ", ".join(parts)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _recipes(session: Session) -> list[tuple[str, str]]:
    return [
        (code, name)
        for code, name in session.execute(
            select(Recipe.code, Recipe.name)
            .where(Recipe.archived.is_(False), Recipe.intermediate.is_(False))
            .order_by(Recipe.code)
        )
    ]


def product_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every product an order line can name, for the mapping drop-down."""
    return _recipes(session)


def match_products(
    session: Session, lines: list[LineData], chosen: AbcMapping[str, str | None]
) -> list[ProductChoice]:
    """One ``ProductChoice`` per product the export names, matched in this order: the
    maker's choice now, the choice remembered from an earlier import, a recipe whose
    code is the SKU, a recipe with the same name (with or without the variant)."""
    remembered: dict[str, str] = dict(get_setting(session, PRODUCT_MAP_SETTING) or {})
    recipes = _recipes(session)
    by_code = {c.upper(): c for c, _n in recipes}
    by_name: dict[str, str] = {}
    for c, n in recipes:
        by_name.setdefault(fold(n), c)
    out: dict[str, ProductChoice] = {}
    for ln in lines:
        key = ln.product_key
        if key in out:
            out[key].lines += 1
            continue
        pc = ProductChoice(key, ln.sku.strip(), ln.name.strip(), 1)
        if key in chosen:
            pc.recipe, pc.how = chosen[key], "chosen" if chosen[key] else ""
        elif remembered.get(key, "").upper() in by_code:
            pc.recipe, pc.how = by_code[remembered[key].upper()], "remembered"
        elif pc.sku and pc.sku.upper() in by_code:
            pc.recipe, pc.how = by_code[pc.sku.upper()], "SKU is the product code"
        elif fold(ln.name) in by_name or fold(ln.base_name) in by_name:
            pc.recipe = by_name.get(fold(ln.name)) or by_name[fold(ln.base_name)]
            pc.how = "same name"
        out[key] = pc
    return list(out.values())


def remember_products(session: Session, products: list[ProductChoice], *, actor: str) -> None:
    """Keep the confirmed choices for the next import (one setting, audited)."""
    remembered: dict[str, str] = dict(get_setting(session, PRODUCT_MAP_SETTING) or {})
    changed = False
    for pc in products:
        if pc.recipe and remembered.get(pc.key) != pc.recipe:
            remembered[pc.key] = pc.recipe
            changed = True
    if changed:
        set_setting(session, PRODUCT_MAP_SETTING, remembered, actor=actor)


def group_orders(
    table: Table,
    platform: Platform,
    mapping: Mapping,
    order: DateOrder | None,
    columns: Columns,
    report: ImportReport,
) -> list[OrderData]:
    """The export's rows as orders (in file order); a bad cell is a problem of its row
    and its order is not imported."""
    orders: dict[str, OrderData] = {}
    bad_orders: set[str] = set()
    for n, cells in zip(table.numbers, table.rows, strict=True):
        v, problems = read_row(cells, platform.fields, mapping, order, columns, n)
        raw = str(v.get("number") or "").strip()
        if not raw:
            report.problems += problems or [Problem(n, columns.for_key("number"), "is required")]
            continue
        o = orders.get(raw)
        if o is None:
            o = orders[raw] = OrderData(platform.order_number(raw), [])
        o.rows.append(n)
        if problems:
            report.problems += problems
            bad_orders.add(raw)
            continue
        for key in ("customer", "email", "phone"):
            if v.get(key) and not getattr(o, key):
                setattr(o, key, str(v[key]))
        if o.ordered is None:
            o.ordered = v.get("date")
        address = full_address(v)
        if address and not o.address:
            o.address = address
        if v.get("notes") and str(v["notes"]) not in o.notes:
            o.notes.append(str(v["notes"]))  # WooCommerce repeats it on every item row
        qty: Decimal = v["quantity"]
        price = v.get("price")
        if price is not None and platform.price_is_total:
            price = quantize(price / qty)
        line = LineData(n, str(v["product"]), str(v.get("sku") or ""), qty, price)
        platform.hook(v, line, o)
        o.lines.append(line)
    return [o for raw, o in orders.items() if raw not in bad_orders]


_LINE_FIELD = re.compile(r"^line (\d+)(?: (.*))?$")
_LINE_KEYS = {
    "product": "product",
    "quantity": "quantity",
    "unit": "quantity",
    "price": "price",
    "personal text": "product",
    "unit texts": "product",
    "options": "product",
    "notes": "product",
}


def _where(exc: UserError, o: OrderData, columns: Columns) -> tuple[int, str, list[str]]:
    """The row and column a ``create_order`` refusal belongs to."""
    m = _LINE_FIELD.match(exc.field or "")
    if m and 1 <= int(m.group(1)) <= len(o.lines):
        line = o.lines[int(m.group(1)) - 1]
        sub = (m.group(2) or "product").split(" ")[0:2]
        key = _LINE_KEYS.get(" ".join(sub), _LINE_KEYS.get(sub[0], "product"))
        return line.row, columns.for_key(key), [exc.field or ""]
    column, names = columns.for_service_field(exc.field)
    return o.rows[0], column, names


def run_order_import(
    session: Session,
    table: Table,
    platform: Platform,
    mapping: Mapping,
    *,
    products: AbcMapping[str, str | None] | None = None,
    date_order: DateOrder | None = None,
    channel: str | None = None,
    actor: str = "",
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
) -> OrderReport:
    """Create every good order in ``session``; report every row (see module doc)."""
    report = OrderReport(f"orders:{platform.key}", table.source, len(table), platform=platform.key)
    report.problems += check_mapping(platform.fields, mapping)
    if report.problems:
        return report
    columns = Columns(platform.fields, mapping, table.headers)
    chosen = date_order or platform.date_order
    order, ask, note = file_date_order(table, platform.fields, mapping, chosen)
    if platform.date_order is not None and date_order is None:
        note = f"dates read as {platform.date_order.label}, as {platform.name} writes them"
    report.date_order, report.needs_date_order = order, ask
    if note:
        report.notes.append(note)
    orders = group_orders(table, platform, mapping, order, columns, report)
    # another workstation importing the same export waits here, then finds its orders
    lock_order_numbers(session)
    report.products = match_products(
        session, [ln for o in orders for ln in o.lines], products or {}
    )
    recipe_of = {pc.key: pc.recipe for pc in report.products}
    made_customers: dict[str, str] = {}
    used_new: set[str] = set()
    for i, o in enumerate(orders):
        if progress is not None and i % 20 == 0:
            progress(i, len(orders))
        # a long preview gives way to other workstations between orders (rolling back the
        # orders checked so far: a new customer is then made again for its next order)
        let_others_in(session)
        if o.skip_reason:
            report.skipped += [Outcome(n, f"order {o.number}: {o.skip_reason}") for n in o.rows]
            continue
        if order_service.order_number_taken(session, o.number):
            report.duplicates += [
                Outcome(n, f"order {o.number} is already in Smallbatch") for n in o.rows
            ]
            continue
        unmapped = [ln for ln in o.lines if not recipe_of.get(ln.product_key)]
        for ln in unmapped:
            report.problems.append(
                Problem(
                    ln.row,
                    columns.for_key("product"),
                    f"no product chosen for {ln.name!r}"
                    + (f" (SKU {ln.sku})" if ln.sku else "")
                    + "; choose one in the product list",
                )
            )
        name = (o.customer or platform.walk_in or o.email).strip()
        if not name:
            report.problems.append(
                Problem(
                    o.rows[0],
                    columns.for_key("customer"),
                    "is required: the order names no customer",
                )
            )
        if unmapped or not name:
            _held(report, o, {ln.row for ln in unmapped} | ({o.rows[0]} if not name else set()))
            continue
        try:
            customer_id = _customer(session, o, name, actor, made_customers)
            created = order_service.create_order(
                session,
                customer=customer_id,
                lines=[
                    order_service.OrderLineInput(
                        product=str(recipe_of[ln.product_key]),
                        quantity=ln.quantity,
                        personal_text=ln.personal_text or o.personal_text,
                        options=ln.options,
                        unit_price=ln.price,
                        notes=ln.notes,
                    )
                    for ln in o.lines
                ],
                channel=channel or platform.channel,
                number=o.number,
                ordered_date=o.ordered,
                notes="\n".join(o.notes),
                source=platform.key,
                actor=actor,
            )
        except UserError as exc:
            check_session(session, o.rows[0], exc)
            row, column, names = _where(exc, o, columns)
            report.problems.append(Problem(row, column, strip_field(exc.message, names)))
            _held(report, o, {row})
            continue
        if name.lower() in made_customers:
            used_new.add(name.lower())
        report.orders += 1
        for position, (ln, sol) in enumerate(zip(o.lines, created.lines, strict=True), start=1):
            personal = f", “{sol.personal_text}”" if sol.personal_text else ""
            opts = "".join(f", {k}: {v}" for k, v in sol.options.items())
            report.personalised_lines += bool(sol.personal_text or sol.options)
            report.created.append(
                Outcome(
                    ln.row,
                    f"order {created.number} line {position}: {sol.quantity.normalize():f} × "
                    f"{sol.recipe.code}{personal}{opts}",
                )
            )
    report.new_customers = [made_customers[k] for k in made_customers if k in used_new]
    if report.new_customers:
        report.notes.append("new customers: " + ", ".join(report.new_customers))
    if progress is not None:
        progress(len(orders), len(orders))
    return report


def _held(report: OrderReport, o: OrderData, bad: set[int]) -> None:
    """The good rows of an order that a bad row keeps out."""
    first = min(bad)
    report.skipped += [
        Outcome(n, f"not imported: order {o.number} has a bad row (row {first})")
        for n in o.rows
        if n not in bad
    ]


def _customer(session: Session, o: OrderData, name: str, actor: str, made: dict[str, str]) -> int:
    """The customer of this name, or a new one with the order's email, phone and
    address (noted in ``made``: the preview lists them)."""
    found = session.scalar(select(Customer.id).where(func.lower(Customer.name) == name.lower()))
    if found is not None:
        return int(found)
    c = inv.create_customer(
        session,
        name=name,
        address=o.address,
        email=o.email,
        phone=o.phone,
        actor=actor,
    )
    made[name.lower()] = c.name
    return int(c.id)


def import_orders(
    session: Session, table: Table, platform: Platform, mapping: Mapping, **kw: Any
) -> OrderReport:
    """``run_order_import`` that refuses when any row is bad, and remembers the
    product choices of a clean import."""
    report = run_order_import(session, table, platform, mapping, **kw)
    if not report.ok:
        raise ImportRefused(report)
    remember_products(session, report.products, actor=kw.get("actor", ""))
    return report


def resolve_choices(items: list[str], products: list[ProductChoice]) -> dict[str, str | None]:
    """``["HHS-150=HHS", "Mystery Jam="]`` -> product keys -> recipe codes (empty: no
    product).  The left side is an SKU or a name as the export writes it."""
    out: dict[str, str | None] = {}
    for item in items:
        ref, sep, code = item.rpartition("=")
        if not sep or not ref.strip():
            raise ValidationError(
                f"--product: {item!r} must be SKU=PRODUCT or NAME=PRODUCT", field="product"
            )
        want = ref.strip()
        match = next((pc for pc in products if pc.sku and pc.sku.upper() == want.upper()), None)
        if match is None:
            match = next((pc for pc in products if fold(pc.name) == fold(want)), None)
        if match is None:
            names = ", ".join(pc.label for pc in products)
            raise ValidationError(
                f"--product: the file has no product with SKU or name {want!r} (it has {names})",
                field="product",
            )
        out[match.key] = code.strip().upper() or None
    return out
