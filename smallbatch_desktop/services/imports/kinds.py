"""The master data a maker brings from a spreadsheet: suppliers, customers, materials and
the lots received, each with its fields, its duplicate rule and the service it calls.

Duplicates: a supplier or customer by name (whatever the case), a material by code (by
name when the file has no code), a lot by our lot code, or without one by material,
supplier lot code and received date.  A lot names its material by code or name and its
supplier by name; both must exist (import them first), so a typo never makes a second
"Habanero".
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain import lotcodes
from smallbatch_desktop.domain.errors import NotFoundError, ValidationError
from smallbatch_desktop.domain.models import Customer, Material, MaterialLot, Supplier
from smallbatch_desktop.domain.units import (
    format_quantity,
    non_negative,
    normalize_unit,
    positive_quantity,
)
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services.common import normalize_gtin
from smallbatch_desktop.services.imports.apply import Context, Kind
from smallbatch_desktop.services.imports.mapping import FieldSpec
from smallbatch_desktop.services.imports.validate import choice, currency_of, money_text


def _quantity(text: str, label: str) -> Any:
    return positive_quantity(text, field=label)


def _money(text: str, label: str) -> tuple[Any, str | None]:
    """(amount, the currency the cell names or None)."""
    return non_negative(money_text(text), field=label), currency_of(text)


def _non_negative(text: str, label: str) -> Any:
    return non_negative(text, field=label)


def _unit(text: str, label: str) -> str:
    return normalize_unit(text, field=label)


def _gtin(text: str, label: str) -> str:
    return normalize_gtin(text, field=label)


def _lot_code(text: str, label: str) -> str:
    return lotcodes.validate_lot_code(text, field=label)


def _material_kind(text: str, label: str) -> str:
    return choice(text, inv.MATERIAL_KINDS, field=label, default="ingredient")


def _customer_kind(text: str, label: str) -> str:
    return choice(text, inv.CUSTOMER_KINDS, field=label, default="customer")


def _currency(text: str, label: str) -> str:
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValidationError(f"{label}: {text!r} is not a 3-letter currency code", field=label)
    return code


# -- shared contact fields ---------------------------------------------------------------

_CONTACT = (
    FieldSpec("contact", "Contact", aliases=("contact name", "contact person", "attention")),
    FieldSpec("email", "Email", aliases=("e-mail", "email address", "mail")),
    FieldSpec("phone", "Phone", aliases=("telephone", "tel", "phone number", "mobile")),
)
_ADDRESS = (
    FieldSpec("address", "Address", aliases=("street", "address 1", "address line 1", "address1")),
    FieldSpec("address2", "Address line 2", aliases=("address 2", "address2")),
    FieldSpec("city", "City", aliases=("town",)),
    FieldSpec("region", "Region", aliases=("state", "province", "county")),
    FieldSpec("postcode", "Postcode", aliases=("zip", "zip code", "postal code", "postalcode")),
    FieldSpec("country", "Country"),
)


def full_address(v: dict[str, Any]) -> str:
    """Street lines, then "City Region Postcode", then the country, one per line."""
    town = " ".join(x for x in (v.get("city"), v.get("region"), v.get("postcode")) if x)
    lines = [v.get("address"), v.get("address2"), town, v.get("country")]
    return "\n".join(x for x in lines if x)


def _by_name(session: Session, model: type[Supplier] | type[Customer], name: str) -> Any:
    return session.scalar(select(model).where(func.lower(model.name) == name.strip().lower()))


def _names(ctx: Context, model: type[Supplier] | type[Customer]) -> set[str]:
    """The names the database holds before the run (lower case), read once."""
    key = f"{model.__tablename__} names"
    if key not in ctx.cache:
        ctx.cache[key] = {n.lower() for n in ctx.session.scalars(select(model.name))}
    return ctx.cache[key]


# -- suppliers ---------------------------------------------------------------------------


def _create_supplier(v: dict[str, Any], ctx: Context) -> str:
    s = inv.create_supplier(
        ctx.session,
        name=v["name"],
        address=full_address(v),
        contact=v["contact"],
        email=v["email"],
        phone=v["phone"],
        notes=v["notes"],
        actor=ctx.actor,
    )
    return f"supplier {s.name}"


SUPPLIERS = Kind(
    key="suppliers",
    title="Suppliers",
    fields=(
        FieldSpec(
            "name",
            "Name",
            required=True,
            aliases=("supplier", "supplier name", "company", "vendor", "vendor name"),
            service_fields=("supplier name",),
        ),
        *_CONTACT,
        *_ADDRESS,
        FieldSpec("notes", "Notes", aliases=("note", "comments", "remarks")),
    ),
    identity=lambda v: str(v["name"]).lower(),
    existing=lambda v, ctx: (
        f"supplier {v['name']}" if v["name"].lower() in _names(ctx, Supplier) else None
    ),
    create=_create_supplier,
)


# -- customers ---------------------------------------------------------------------------


def _create_customer(v: dict[str, Any], ctx: Context) -> str:
    c = inv.create_customer(
        ctx.session,
        name=v["name"],
        kind=v["kind"] or "customer",
        address=full_address(v),
        contact=v["contact"],
        email=v["email"],
        phone=v["phone"],
        actor=ctx.actor,
    )
    return f"customer {c.name} ({c.kind})"


CUSTOMERS = Kind(
    key="customers",
    title="Customers",
    fields=(
        FieldSpec(
            "name",
            "Name",
            required=True,
            aliases=("customer", "customer name", "company", "shop", "full name", "buyer"),
            service_fields=("customer name",),
        ),
        FieldSpec(
            "kind",
            "Kind",
            aliases=("type", "customer type", "channel"),
            service_fields=("customer kind",),
            parse=_customer_kind,
            help=", ".join(inv.CUSTOMER_KINDS),
        ),
        *_CONTACT,
        *_ADDRESS,
    ),
    identity=lambda v: str(v["name"]).lower(),
    existing=lambda v, ctx: (
        f"customer {v['name']}" if v["name"].lower() in _names(ctx, Customer) else None
    ),
    create=_create_customer,
)


# -- materials ---------------------------------------------------------------------------


def material_code_for(session: Session, name: str, ctx: Context) -> str:
    """A short free code from the name: "Habanero chillies" -> "HAB-CHI", then -2, -3..."""
    words = re.findall(r"[A-Za-z0-9]+", name.upper()) or ["MAT"]
    base = "-".join(w[:3] for w in words[:3])[:34]
    used: set[str] = ctx.cache.setdefault("file: material codes", set())
    code, n = base, 1
    while code in used or session.scalar(select(Material.id).where(Material.code == code)):
        n += 1
        code = f"{base}-{n}"
    used.add(code)
    return code


def _supplier_id(ctx: Context, name: str | None, field: str) -> int | None:
    if not name:
        return None
    ids: dict[str, int] = ctx.cache.setdefault("supplier ids", {})
    key = name.strip().lower()
    if key not in ids:
        s = _by_name(ctx.session, Supplier, name)
        if s is None:
            raise NotFoundError(
                f"{field}: no supplier named {name!r}; add it or import suppliers first",
                field=field,
            )
        ids[key] = int(s.id)
    return ids[key]


def _create_material(v: dict[str, Any], ctx: Context) -> str:
    s = ctx.session
    code = v["code"] or material_code_for(s, v["name"], ctx)
    m = inv.create_material(
        s,
        code=code,
        name=v["name"],
        stock_unit=v["stock_unit"],
        kind=v["kind"] or "ingredient",
        allergens=v["allergens"],
        inci_name=v["inci_name"],
        density=v["density"],
        reorder_level=v["reorder_level"],
        default_supplier_id=_supplier_id(ctx, v["supplier"], "default supplier"),
        notes=v["notes"],
        actor=ctx.actor,
    )
    return f"material {m.code} {m.name} ({m.stock_unit}, {m.kind})"


def _material_identity(v: dict[str, Any]) -> str:
    return str(v["code"]).upper() if v["code"] else str(v["name"]).lower()


def _existing_material(v: dict[str, Any], ctx: Context) -> str | None:
    if "materials by code" not in ctx.cache:
        rows = ctx.session.execute(select(Material.code, Material.name)).all()
        ctx.cache["materials by code"] = {c: n for c, n in rows}
        ctx.cache["materials by name"] = {n.lower(): c for c, n in reversed(rows)}
    by_code: dict[str, str] = ctx.cache["materials by code"]
    if v["code"]:
        code = str(v["code"]).upper()
        return f"material {code} {by_code[code]}" if code in by_code else None
    code = ctx.cache["materials by name"].get(str(v["name"]).lower())
    return None if code is None else f"material {code} {by_code[code]}"


MATERIALS = Kind(
    key="materials",
    title="Materials",
    fields=(
        FieldSpec(
            "code",
            "Code",
            aliases=("material code", "sku", "item code", "part number", "ref"),
            service_fields=("material code",),
            help="left empty: made from the name",
        ),
        FieldSpec(
            "name",
            "Name",
            required=True,
            aliases=("material", "material name", "item", "ingredient", "description"),
            service_fields=("material name",),
        ),
        FieldSpec(
            "kind",
            "Kind",
            aliases=("type", "category", "material kind"),
            parse=_material_kind,
            help=", ".join(inv.MATERIAL_KINDS),
        ),
        FieldSpec(
            "stock_unit",
            "Stock unit",
            required=True,
            aliases=("unit", "uom", "unit of measure", "units"),
            parse=_unit,
        ),
        FieldSpec("allergens", "Allergens", aliases=("allergen",)),
        FieldSpec("inci_name", "INCI name", aliases=("inci",)),
        FieldSpec("density", "Density", aliases=("density g/ml",), parse=_quantity),
        FieldSpec(
            "reorder_level",
            "Reorder level",
            aliases=("reorder point", "min stock", "minimum stock", "reorder"),
            parse=_non_negative,
        ),
        FieldSpec(
            "supplier",
            "Default supplier",
            aliases=("supplier", "supplier name", "vendor"),
            service_fields=("default supplier",),
        ),
        FieldSpec("notes", "Notes", aliases=("note", "comments")),
    ),
    identity=_material_identity,
    existing=_existing_material,
    create=_create_material,
)


# -- lots --------------------------------------------------------------------------------


def find_material(session: Session, ref: str, ctx: Context) -> Material:
    """A material by code, else by name (refused when two share the name)."""
    cache: dict[str, Material] = ctx.cache.setdefault("materials", {})
    key = ref.strip().lower()
    if key in cache:
        return cache[key]
    m = session.scalar(select(Material).where(Material.code == ref.strip().upper()))
    if m is None:
        found = session.scalars(
            select(Material).where(func.lower(Material.name) == key).limit(2)
        ).all()
        if len(found) > 1:
            raise ValidationError(
                f"material: {ref!r} names more than one material; use the material code",
                field="material",
            )
        if not found:
            raise NotFoundError(
                f"material: no material with code or name {ref!r}; import materials first",
                field="material",
            )
        m = found[0]
    cache[key] = m
    return m


def _lots_on_file(
    ctx: Context,
) -> tuple[dict[str, tuple[str, str]], dict[tuple[str, Any], list[tuple[str, str, str]]]]:
    """What the database holds before the run, read once: lot code -> (material code,
    name), and (supplier lot, received date) -> [(lot code, material code, name)]."""
    if "lots" not in ctx.cache:
        by_code: dict[str, tuple[str, str]] = {}
        by_supplier_lot: dict[tuple[str, Any], list[tuple[str, str, str]]] = {}
        q = select(
            MaterialLot.lot_code,
            MaterialLot.supplier_lot_code,
            MaterialLot.received_date,
            Material.code,
            Material.name,
        ).join(Material, Material.id == MaterialLot.material_id)
        for code, supplier_lot, received, m_code, m_name in ctx.session.execute(q):
            by_code[code] = (m_code, m_name)
            if supplier_lot:
                by_supplier_lot.setdefault((supplier_lot, received), []).append(
                    (code, m_code, m_name)
                )
        ctx.cache["lots"] = (by_code, by_supplier_lot)
    return ctx.cache["lots"]


def _names_material(ref: str, code: str, name: str) -> bool:
    return ref.upper() == code or ref.lower() == name.lower()


def _existing_lot(v: dict[str, Any], ctx: Context) -> str | None:
    by_code, by_supplier_lot = _lots_on_file(ctx)
    ref = v["material"].strip()
    if v["lot_code"]:
        found = by_code.get(v["lot_code"])
        if found is None or not _names_material(ref, *found):
            return None  # new, or the code names something else: receive_lot refuses it
        return f"lot {v['lot_code']} of {found[1]}"
    if not v["supplier_lot"] or v["received"] is None:
        return None
    for code, m_code, m_name in by_supplier_lot.get((v["supplier_lot"], v["received"]), []):
        if _names_material(ref, m_code, m_name):
            return f"lot {code} (supplier lot {v['supplier_lot']}) of {m_name}"
    return None


def _lot_identity(v: dict[str, Any]) -> str:
    if v["lot_code"]:
        return f"lot {v['lot_code']}"
    if v["supplier_lot"] and v["received"] is not None:
        return f"{v['material']} supplier lot {v['supplier_lot']} received {v['received']}"
    return ""


def _receive(v: dict[str, Any], ctx: Context) -> str:
    s = ctx.session
    m = find_material(s, v["material"], ctx)
    cost, cost_currency = v["unit_cost"] or (None, None)
    currency = v["currency"] or cost_currency
    if v["currency"] and cost_currency and cost_currency != v["currency"]:
        raise ValidationError(
            f"unit cost: {cost_currency} in the cell but {v['currency']} in the currency column",
            field="unit cost",
        )
    lot = inv.receive_lot(
        s,
        material_id=m.id,
        quantity=v["quantity"],
        unit=v["unit"] or None,
        supplier_id=_supplier_id(ctx, v["supplier"], "supplier"),
        supplier_lot_code=v["supplier_lot"],
        unit_cost=cost,
        currency=currency,
        received_date=v["received"],
        expiry_date=v["expiry"],
        origin=v["origin"],
        certifications=v["certifications"],
        gtin=v["gtin"] or "",
        lot_code=v["lot_code"] or None,
        document_ref=v["document"],
        notes=v["notes"],
        actor=ctx.actor,
        today=ctx.today,
    )
    return f"lot {lot.lot_code}: {format_quantity(lot.quantity_received, lot.unit)} of {m.name}"


LOTS = Kind(
    key="lots",
    title="Lots received",
    fields=(
        FieldSpec(
            "material",
            "Material",
            required=True,
            aliases=("material code", "material name", "item", "ingredient", "product", "sku"),
            help="code or name of an existing material",
        ),
        FieldSpec(
            "quantity",
            "Quantity",
            required=True,
            aliases=("qty", "quantity received", "amount"),
            parse=_quantity,
        ),
        FieldSpec("unit", "Unit", aliases=("uom", "unit of measure", "units"), parse=_unit),
        FieldSpec("supplier", "Supplier", aliases=("vendor", "supplier name")),
        FieldSpec(
            "supplier_lot",
            "Supplier lot",
            aliases=("supplier lot code", "vendor lot", "batch number", "supplier batch"),
        ),
        FieldSpec(
            "unit_cost",
            "Unit cost",
            aliases=("cost", "price", "unit price", "cost per unit"),
            parse=_money,
        ),
        FieldSpec("currency", "Currency", parse=_currency),
        FieldSpec(
            "received",
            "Received date",
            aliases=("received", "date received", "receipt date", "date"),
            is_date=True,
        ),
        FieldSpec(
            "expiry",
            "Expiry date",
            aliases=("expiry", "best before", "use by", "expiration date", "expires", "bbd"),
            is_date=True,
        ),
        FieldSpec("origin", "Origin", aliases=("country of origin", "farm", "region of origin")),
        FieldSpec("certifications", "Certifications", aliases=("certification", "certs")),
        FieldSpec("gtin", "GTIN", aliases=("barcode", "ean", "upc"), parse=_gtin),
        FieldSpec(
            "lot_code",
            "Lot code",
            aliases=("our lot", "our lot code", "lot", "internal lot"),
            parse=_lot_code,
            help="left empty: the next receiving code",
        ),
        FieldSpec(
            "document",
            "Document",
            aliases=("invoice", "delivery note", "po", "document ref", "reference"),
        ),
        FieldSpec("notes", "Notes", aliases=("note", "comments")),
    ),
    identity=_lot_identity,
    existing=_existing_lot,
    create=_receive,
)

KINDS: dict[str, Kind] = {k.key: k for k in (MATERIALS, SUPPLIERS, CUSTOMERS, LOTS)}
