"""Web shop order exports: Shopify, Etsy, WooCommerce and Square, read into plain orders.

Each platform is its documented CSV export, described as fields (``FieldSpec``) whose
aliases are the export's column names, so the mapping is found, shown and edited like
any other import:

- **Shopify** (Orders > Export): one row per line item, the order's own columns (Email,
  Created at, Billing/Shipping address, Notes, Note Attributes, Cancelled at) on its
  first row only; ``Name`` is the order number (``#1001``); ``Lineitem name`` carries the
  variant after `` - ``.  Line item properties (the personalisation a product page
  asks for) are not in Shopify's own export; apps that export orders add them as a
  ``Lineitem properties`` column of ``Key: Value`` lines, read when present.  Note
  Attributes (cart attributes) go to the order's notes, except a personalisation key
  ("Label name: Anna"), which personalises the order's lines that have none.
- **Etsy** (Shop Manager > Settings > Options > Download Data, "Order Items",
  ``EtsySoldOrderItems*.csv``): one row per item, ``Order ID``, ``Sale Date``
  (MM/DD/YY), ``Buyer``/``Ship Name``, ``Variations`` as ``Key:Value,Key:Value``
  (Etsy puts the buyer's personalisation there, or in a ``Personalization`` column).
- **WooCommerce** (the Customer/Order CSV Export, one row per item): ``order_number``,
  ``order_date``, ``billing_*``, ``item_name``, ``item_sku``, ``item_quantity``,
  ``item_meta`` (``Key: Value`` pairs), ``customer_note``, ``status``.
- **Square** (Transactions > Export > Items Detail): one row per item, ``Transaction
  ID``, ``Date``, ``Customer Name``, ``Item``, ``Qty``, ``SKU``, ``Price Point Name``
  (the variation), ``Modifiers Applied``, ``Notes``; Square sells at the market stall,
  so its orders default to the market channel and a sale without a customer goes to
  "Walk-in (Square)".

Order numbers keep the platform's own text where people quote it (Shopify's ``#1001``)
and get a prefix otherwise (``ETSY-3141592653``, ``WOO-1234``, ``SQ-…``), so orders from
two shops never collide and a re-import finds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from smallbatch_desktop.domain.units import non_negative, positive_quantity
from smallbatch_desktop.services.imports.mapping import FieldSpec, fold
from smallbatch_desktop.services.imports.validate import DateOrder, money_text

#: property names whose value is the text printed on the unit's label (folded)
PERSONAL_KEYS = frozenset(
    fold(k)
    for k in (
        "personalization",
        "personalisation",
        "personalized text",
        "personalised text",
        "personal text",
        "custom text",
        "label text",
        "label name",
        "name on label",
        "name on jar",
        "name on bottle",
        "engraving",
        "label message",
        "custom name",
        "label",
    )
)

_PROP = re.compile(r"(?:^|(?<=[,;|\n]))\s*([A-Za-z_][A-Za-z0-9 _\-()/?]{0,39}?)\s*[:=]")


def parse_properties(text: str) -> list[tuple[str, str]]:
    """``"Heat level:Extra hot,Personalization:Happy birthday, Anna"`` -> pairs.

    A key is a short name before ``:`` or ``=`` at the start or after ``,`` ``;`` ``|``
    or a new line; everything up to the next key is its value, commas included (a
    message "Happy birthday, Anna" stays whole).  Text without any key is returned as
    one ``("", text)`` pair.
    """
    s = (text or "").strip()
    if not s:
        return []
    keys = list(_PROP.finditer(s))
    if not keys:
        return [("", s)]
    out: list[tuple[str, str]] = []
    if keys[0].start(1) > 0 and s[: keys[0].start()].strip(" ,;|\n"):
        out.append(("", s[: keys[0].start()].strip(" ,;|\n")))
    for i, m in enumerate(keys):
        end = keys[i + 1].start() if i + 1 < len(keys) else len(s)
        out.append((m.group(1).strip(), s[m.end() : end].strip(" ,;|\n")))
    return out


@dataclass
class LineData:
    row: int
    name: str
    sku: str
    quantity: Decimal
    price: Decimal | None
    personal_text: str = ""
    options: dict[str, str] = field(default_factory=dict)
    notes: str = ""

    @property
    def product_key(self) -> str:
        """How the file names the product: its SKU, else its name."""
        return f"sku:{self.sku.strip().upper()}" if self.sku.strip() else f"name:{fold(self.name)}"

    @property
    def base_name(self) -> str:
        """The product name without a variant suffix (``"Hot Sauce - Extra hot"``)."""
        return self.name.split(" - ")[0].strip()


@dataclass
class OrderData:
    number: str
    rows: list[int]
    ordered: Any = None  # a date once read
    customer: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    notes: list[str] = field(default_factory=list)
    personal_text: str = ""  # order-level personalisation for lines without their own
    lines: list[LineData] = field(default_factory=list)
    skip_reason: str = ""


#: per-row hook: (values by field key, the line so far, the order) -> fills extras
RowHook = Callable[[dict[str, Any], LineData, OrderData], None]


@dataclass(frozen=True)
class Platform:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    #: headers that only this platform's export has (folded); all must be present
    signature: tuple[str, ...]
    number_prefix: str
    channel: str
    #: numeric dates in this export: the platform's documented format
    date_order: DateOrder | None
    hook: RowHook
    walk_in: str = ""
    #: the price column is the line's total (Square's Gross Sales), not the unit price
    price_is_total: bool = False

    @property
    def name(self) -> str:
        """The platform's own name, as a maker knows it ("Shopify", "WooCommerce")."""
        return self.title.split()[0]

    def order_number(self, raw: str) -> str:
        raw = raw.strip()
        return raw if not self.number_prefix else f"{self.number_prefix}{raw.lstrip('#')}"


def _qty(text: str, label: str) -> Any:
    return positive_quantity(text, field=label)


def _price(text: str, label: str) -> Any:
    return non_negative(money_text(text), field=label)


def _f(key: str, label: str, *aliases: str, required: bool = False, **kw: Any) -> FieldSpec:
    return FieldSpec(key, label, required=required, aliases=aliases, **kw)


def _common(
    *,
    number: str,
    date: str,
    name: str,
    sku: str,
    qty: str,
    price: str,
    customer: Sequence[str],
    email: Sequence[str] = (),
    phone: Sequence[str] = (),
    address1: Sequence[str] = (),
    address2: Sequence[str] = (),
    city: Sequence[str] = (),
    region: Sequence[str] = (),
    postcode: Sequence[str] = (),
    country: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> tuple[FieldSpec, ...]:
    return (
        _f("number", "Order number", number, required=True, service_fields=("order number",)),
        _f(
            "date",
            "Order date",
            date,
            required=True,
            is_date=True,
            service_fields=("ordered date",),
        ),
        _f("customer", "Customer", *customer, service_fields=("customer", "customer name")),
        _f("email", "Email", *email),
        _f("phone", "Phone", *phone),
        _f("address", "Address", *address1),
        _f("address2", "Address line 2", *address2),
        _f("city", "City", *city),
        _f("region", "Region", *region),
        _f("postcode", "Postcode", *postcode),
        _f("country", "Country", *country),
        _f("notes", "Order notes", *notes),
        _f("product", "Product name", name, required=True, service_fields=("product",)),
        _f("sku", "SKU", sku),
        _f("quantity", "Quantity", qty, required=True, parse=_qty, service_fields=("quantity",)),
        _f("price", "Unit price", price, parse=_price, service_fields=("price",)),
    )


def _split_props(pairs: list[tuple[str, str]], line: LineData) -> None:
    for key, value in pairs:
        if not value:
            continue
        if not key:
            line.options.setdefault("details", value)
        elif key.startswith("_"):
            continue  # Shopify's private properties (app bookkeeping)
        elif fold(key) in PERSONAL_KEYS:
            line.personal_text = value
        else:
            line.options[key.strip().lower()] = value


# -- Shopify -----------------------------------------------------------------------------


def _shopify_row(v: dict[str, Any], line: LineData, order: OrderData) -> None:
    if " - " in line.name:
        line.options.setdefault("variant", line.name.split(" - ", 1)[1].strip())
    _split_props(parse_properties(v.get("properties") or ""), line)
    for key, value in parse_properties(v.get("note_attributes") or ""):
        if key and fold(key) in PERSONAL_KEYS:
            order.personal_text = value
        elif value and (f"{key}: {value}" if key else value) not in order.notes:
            order.notes.append(f"{key}: {value}" if key else value)
    if v.get("cancelled"):
        order.skip_reason = f"cancelled in Shopify on {v['cancelled']}"


SHOPIFY = Platform(
    key="shopify",
    title="Shopify orders",
    fields=(
        *_common(
            number="Name",
            date="Created at",
            name="Lineitem name",
            sku="Lineitem sku",
            qty="Lineitem quantity",
            price="Lineitem price",
            customer=("Billing Name", "Shipping Name"),
            email=("Email",),
            phone=("Billing Phone", "Phone", "Shipping Phone"),
            address1=("Billing Address1", "Billing Street"),
            address2=("Billing Address2",),
            city=("Billing City",),
            region=("Billing Province", "Billing Province Name"),
            postcode=("Billing Zip",),
            country=("Billing Country",),
            notes=("Notes",),
        ),
        _f("properties", "Line item properties", "Lineitem properties", "Line: Properties"),
        _f("note_attributes", "Note attributes", "Note Attributes"),
        _f("cancelled", "Cancelled at", "Cancelled at"),
    ),
    signature=("lineitemname", "lineitemquantity", "name"),
    number_prefix="",
    channel="web",
    date_order=None,
    hook=_shopify_row,
)


# -- Etsy --------------------------------------------------------------------------------


def _etsy_row(v: dict[str, Any], line: LineData, order: OrderData) -> None:
    _split_props(parse_properties(v.get("variations") or ""), line)
    if v.get("personalization"):
        line.personal_text = str(v["personalization"])
    if not order.customer and v.get("buyer"):
        order.customer = str(v["buyer"])


ETSY = Platform(
    key="etsy",
    title="Etsy sold order items",
    fields=(
        *_common(
            number="Order ID",
            date="Sale Date",
            name="Item Name",
            sku="SKU",
            qty="Quantity",
            price="Price",
            customer=("Ship Name", "Full Name"),
            address1=("Ship Address1",),
            address2=("Ship Address2",),
            city=("Ship City",),
            region=("Ship State",),
            postcode=("Ship Zipcode",),
            country=("Ship Country",),
        ),
        _f("buyer", "Buyer (Etsy user name)", "Buyer"),
        _f("variations", "Variations", "Variations"),
        _f("personalization", "Personalization", "Personalization", "Personalisation"),
    ),
    signature=("saledate", "itemname", "orderid", "buyer"),
    number_prefix="ETSY-",
    channel="web",
    date_order=DateOrder.MDY,
    hook=_etsy_row,
)


# -- WooCommerce -------------------------------------------------------------------------


def _woo_row(v: dict[str, Any], line: LineData, order: OrderData) -> None:
    _split_props(parse_properties(v.get("item_meta") or ""), line)
    if not order.customer:
        name = " ".join(x for x in (v.get("first_name"), v.get("last_name")) if x)
        order.customer = name or str(v.get("company") or "")
    status = str(v.get("status") or "").strip().lower().removeprefix("wc-")
    if status in ("cancelled", "refunded", "failed", "trash"):
        order.skip_reason = f"{status} in WooCommerce"


WOOCOMMERCE = Platform(
    key="woocommerce",
    title="WooCommerce orders",
    fields=(
        *_common(
            number="order_number",
            date="order_date",
            name="item_name",
            sku="item_sku",
            qty="item_quantity",
            price="item_total",
            customer=("billing_full_name",),
            email=("billing_email",),
            phone=("billing_phone",),
            address1=("billing_address_1",),
            address2=("billing_address_2",),
            city=("billing_city",),
            region=("billing_state",),
            postcode=("billing_postcode",),
            country=("billing_country",),
            notes=("customer_note",),
        ),
        _f("first_name", "First name", "billing_first_name"),
        _f("last_name", "Last name", "billing_last_name"),
        _f("company", "Company", "billing_company"),
        _f("item_meta", "Item meta", "item_meta"),
        _f("status", "Status", "status"),
    ),
    signature=("ordernumber", "itemname", "itemquantity"),
    number_prefix="WOO-",
    channel="web",
    date_order=None,
    hook=_woo_row,
    price_is_total=True,
)


# -- Square ------------------------------------------------------------------------------


def _square_row(v: dict[str, Any], line: LineData, order: OrderData) -> None:
    variation = str(v.get("variation") or "").strip()
    if variation and variation.lower() != "regular":
        line.options["variation"] = variation
    modifiers = str(v.get("modifiers") or "").strip()
    if modifiers:
        _split_props(
            [(k, val) for k, val in parse_properties(modifiers) if k] or [("modifiers", modifiers)],
            line,
        )
    notes = []
    for key, value in parse_properties(str(v.get("item_notes") or "")):
        if key and fold(key) in PERSONAL_KEYS:
            line.personal_text = value
        elif value:
            notes.append(f"{key}: {value}" if key else value)
    line.notes = "; ".join(notes)
    if str(v.get("event") or "").strip().lower() == "refund":
        order.skip_reason = "a refund in Square"


SQUARE = Platform(
    key="square",
    title="Square item sales",
    fields=(
        *_common(
            number="Transaction ID",
            date="Date",
            name="Item",
            sku="SKU",
            qty="Qty",
            price="Gross Sales",
            customer=("Customer Name",),
        ),
        _f("variation", "Variation", "Price Point Name"),
        _f("modifiers", "Modifiers", "Modifiers Applied"),
        _f("item_notes", "Item notes", "Notes"),
        _f("event", "Event type", "Event Type"),
    ),
    signature=("transactionid", "item", "qty", "pricepointname"),
    number_prefix="SQ-",
    channel="market",
    date_order=None,
    hook=_square_row,
    walk_in="Walk-in (Square)",
    price_is_total=True,
)

PLATFORMS: dict[str, Platform] = {p.key: p for p in (SHOPIFY, ETSY, WOOCOMMERCE, SQUARE)}


def detect_platform(headers: Sequence[str]) -> Platform | None:
    """The platform whose signature columns are all in the headers."""
    folded = {fold(h) for h in headers}
    found = [p for p in PLATFORMS.values() if set(p.signature) <= folded]
    return found[0] if len(found) == 1 else None
