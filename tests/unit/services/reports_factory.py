"""Test data for the report tests, made with the ORM models directly.

A small multi-level genealogy, independent of the batch services (whose rules are
tested elsewhere), so the reports are tested against data whose shape we know exactly:

    L-CHIL-001 ─┐                                  ┌─ HS-001 ─→ Corner Deli, Web shop
    L-SALT-001 ─┼─ MASH-001 ─┐                     │
                │            ├─ BASE-001 ──────────┤
    L-VIN-001 ──┼────────────┘                     └─ HS-002 ─→ Corner Deli
    L-CHIL-002 ─┴─ MASH-002 ──────────────────────────┘   (a second route into HS-002)
    L-BOT-001 (packaging) ─→ HS-001, HS-002
    L-VIN-001 ─→ PICKLE-001 ─→ Web shop          (unrelated to the chili)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from smallbatch_desktop.domain.models import (
    Amendment,
    Batch,
    Consumption,
    Customer,
    Material,
    MaterialLot,
    QcResult,
    QcSpecItem,
    Recipe,
    RecipeVersion,
    Setting,
    Shipment,
    Supplier,
)

DAY = dt.date(2026, 3, 2)
AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)

HOSTILE_MATERIAL = "<b>Salt & Co</b>"
HOSTILE_SUPPLIER = '=HYPERLINK("http://evil.example","Click")'
HOSTILE_CUSTOMER = "@SUM(A1:A9)"
HOSTILE_ORIGIN = "-2+3 <i>&amp;</i>"


#: what is made first as a draft / in production, then published / released by
#: ``_settle``: the database refuses lines, QC items, inputs and QC results added to a
#: published version or a released record
Pending = list[tuple[RecipeVersion | Batch, str]]


def _settle(s: Session, pending: Pending) -> None:
    s.flush()
    for obj, status in pending:
        obj.status = status
    s.flush()
    pending.clear()


@dataclass
class Genealogy:
    lots: dict[str, MaterialLot] = field(default_factory=dict)
    batches: dict[str, Batch] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    shipments: list[Shipment] = field(default_factory=list)


def settings(s: Session, **values: object) -> None:
    for k, v in values.items():
        s.merge(Setting(key=k, value=v))


def _version(
    s: Session,
    code: str,
    name: str,
    unit: str,
    *,
    pending: Pending,
    intermediate: bool = False,
    **facts: str,
) -> RecipeVersion:
    r = Recipe(code=code, name=name, intermediate=intermediate)
    v = RecipeVersion(
        recipe=r,
        version=2,
        status="draft",
        yield_quantity=Decimal(10),
        yield_unit=unit,
        label_facts={"product_name": name, **facts},
        shelf_life_days=365,
    )
    s.add_all([r, v])
    pending.append((v, "published"))
    return v


def _batch(
    s: Session,
    v: RecipeVersion,
    lot: str,
    *,
    pending: Pending,
    days: int,
    unit: str,
    qty: str = "10",
    status: str = "released",
) -> Batch:
    made = DAY + dt.timedelta(days=days)
    b = Batch(
        lot_code=lot,
        recipe_version=v,
        status="in_production",
        planned_quantity=Decimal(qty),
        actual_quantity=Decimal(qty),
        unit=unit,
        scale_factor=Decimal("1.5"),
        made_date=made,
        best_before=made + dt.timedelta(days=365),
        operator="Ann",
        started_at=AT + dt.timedelta(days=days),
        qc_at=AT + dt.timedelta(days=days, hours=3),
        released_at=AT + dt.timedelta(days=days, hours=5) if status == "released" else None,
        released_by="Ben" if status == "released" else "",
    )
    s.add(b)
    pending.append((b, status))
    return b


def _use(s: Session, b: Batch, source: MaterialLot | Batch, qty: str, unit: str) -> None:
    c = Consumption(
        batch=b,
        quantity=Decimal(qty),
        unit=unit,
        entered_quantity=Decimal(qty),
        entered_unit=unit,
        recorded_by="Ann",
        recorded_at=AT,
    )
    if isinstance(source, MaterialLot):
        c.material_lot = source
    else:
        c.input_batch = source
    s.add(c)


def genealogy(s: Session) -> Genealogy:
    """The genealogy in the module docstring; flushed, not committed."""
    settings(
        s,
        business_name="Hearth & Hive Workshop",
        business_address="12 Mill Lane\nHudson, NY 12534, USA",
    )
    g = Genealogy()
    pending: Pending = []
    farm = Supplier(name="Sunrise Pepper Farm", address="Hatch, NM, USA")
    mill = Supplier(name="Valley Cider Mill", address="Kinderhook, NY")
    pack = Supplier(name="Packright", address="Newark, NJ")
    chili = Material(code="CHIL", name="Habanero peppers", stock_unit="kg")
    salt = Material(code="SALT", name="Sea salt", stock_unit="kg")
    vin = Material(code="VIN", name="Cider vinegar", stock_unit="l")
    bottle = Material(code="BOT", name="Bottle 150 ml", stock_unit="pcs", kind="packaging")
    s.add_all([farm, mill, pack, chili, salt, vin, bottle])

    def lot(
        code: str, m: Material, sup: Supplier, sup_lot: str, qty: str, unit: str, **kw: object
    ) -> None:
        g.lots[code] = MaterialLot(
            lot_code=code,
            material=m,
            supplier=sup,
            supplier_lot_code=sup_lot,
            quantity_received=Decimal(qty),
            unit=unit,
            received_date=kw.pop("received", DAY),  # type: ignore[arg-type]
            document_ref=f"PO-{code}",
            **kw,
        )
        s.add(g.lots[code])

    lot(
        "L-CHIL-001",
        chili,
        farm,
        "SPF-A1",
        "40",
        "kg",
        origin="Hatch, New Mexico",
        certifications="USDA Organic",
        expiry_date=DAY + dt.timedelta(days=30),
    )
    lot(
        "L-CHIL-002",
        chili,
        farm,
        "SPF-A2",
        "40",
        "kg",
        origin="Hatch, New Mexico",
        received=DAY + dt.timedelta(days=3),
    )
    lot("L-SALT-001", salt, farm, "SS-9", "25", "kg", origin="Aveiro, Portugal")
    lot(
        "L-VIN-001",
        vin,
        mill,
        "VOC-5",
        "60",
        "l",
        origin="Kinderhook, NY",
        received=DAY - dt.timedelta(days=5),
    )
    lot("L-BOT-001", bottle, pack, "PB-1", "500", "pcs", origin="Ohio")

    mash_v = _version(s, "MASH", "Fermented mash", "kg", intermediate=True, pending=pending)
    base_v = _version(s, "BASE", "Sauce base", "kg", intermediate=True, pending=pending)
    hs_v = _version(
        s,
        "HS",
        "Habanero Hot Sauce",
        "pcs",
        maker_note="Fermented for two weeks with peppers from one farm.",
        net_quantity="150 ml",
        pending=pending,
    )
    pickle_v = _version(s, "PKL", "Pickles", "pcs", pending=pending)
    ph = QcSpecItem(
        version=hs_v, position=1, name="pH", kind="numeric", max_value=Decimal("3.9"), unit="pH"
    )
    taste = QcSpecItem(version=hs_v, position=2, name="Taste", kind="passfail")
    s.add_all([ph, taste])

    B = g.batches
    B["MASH-001"] = _batch(s, mash_v, "MASH-001", pending=pending, days=1, unit="kg")
    B["MASH-002"] = _batch(s, mash_v, "MASH-002", pending=pending, days=4, unit="kg")
    B["BASE-001"] = _batch(s, base_v, "BASE-001", pending=pending, days=6, unit="kg")
    B["HS-001"] = _batch(s, hs_v, "HS-001", pending=pending, days=8, unit="pcs", qty="60")
    B["HS-002"] = _batch(s, hs_v, "HS-002", pending=pending, days=9, unit="pcs", qty="48")
    B["PICKLE-001"] = _batch(
        s, pickle_v, "PICKLE-001", pending=pending, days=2, unit="pcs", qty="20"
    )
    B["HS-003"] = _batch(s, hs_v, "HS-003", pending=pending, days=20, unit="pcs", status="planned")
    L = g.lots
    _use(s, B["MASH-001"], L["L-CHIL-001"], "19", "kg")
    _use(s, B["MASH-001"], L["L-SALT-001"], "1", "kg")
    _use(s, B["MASH-002"], L["L-CHIL-002"], "18.5", "kg")
    _use(s, B["MASH-002"], L["L-SALT-001"], "0.75", "kg")
    _use(s, B["BASE-001"], B["MASH-001"], "8", "kg")
    _use(s, B["BASE-001"], L["L-VIN-001"], "7", "l")
    _use(s, B["HS-001"], B["BASE-001"], "6", "kg")
    _use(s, B["HS-001"], L["L-BOT-001"], "60", "pcs")
    _use(s, B["HS-002"], B["BASE-001"], "3.5", "kg")
    _use(s, B["HS-002"], B["MASH-002"], "1.25", "kg")
    _use(s, B["HS-002"], L["L-BOT-001"], "48", "pcs")
    _use(s, B["PICKLE-001"], L["L-VIN-001"], "2", "l")

    for b in (B["HS-001"], B["HS-002"]):
        s.add(
            QcResult(
                batch=b,
                spec_item=ph,
                value_text="3.6",
                value_numeric=Decimal("3.6"),
                passed=True,
                recorded_by="Ann",
                recorded_at=AT,
            )
        )
    s.add(
        QcResult(
            batch=B["HS-002"],
            spec_item=taste,
            value_text="fail",
            passed=False,
            recorded_by="Cleo",
            recorded_at=AT,
        )
    )
    s.add(
        Amendment(
            batch=B["HS-001"],
            field="operator",
            old_value="Ann",
            new_value="Ann Li",
            reason="full name for the record",
            amended_by="Ben",
            amended_at=AT,
        )
    )

    C = g.customers
    C["deli"] = Customer(
        name="Corner Deli",
        kind="retailer",
        contact="Sam Patel",
        phone="(518) 555-0142",
        email="sam@deli.example",
        address="3 Main St, Hudson",
    )
    C["web"] = Customer(name="Web shop", kind="web shop", email="orders@hh.example")
    s.add_all(C.values())

    def ship(b: Batch, c: Customer, qty: str, days: int, doc: str) -> None:
        sh = Shipment(
            batch=b,
            customer=c,
            quantity=Decimal(qty),
            unit="pcs",
            shipped_date=DAY + dt.timedelta(days=days),
            document_type="invoice",
            document_number=doc,
        )
        s.add(sh)
        g.shipments.append(sh)

    ship(B["HS-001"], C["deli"], "24", 10, "INV-1")
    ship(B["HS-001"], C["web"], "6", 11, "WEB-7")
    ship(B["HS-002"], C["deli"], "12", 12, "INV-2")
    ship(B["PICKLE-001"], C["web"], "5", 3, "WEB-8")
    _settle(s, pending)
    return g


def wide_batch(
    s: Session,
    n_inputs: int,
    *,
    lot_code: str = "WIDE-001",
    hostile: bool = False,
    notes: str = "",
) -> Batch:
    """A batch of ``n_inputs`` material lots, each from its own material (sheet paging)."""
    settings(s, business_name="Hearth & Hive Workshop", business_address="12 Mill Lane")
    pending: Pending = []
    sup = Supplier(name=HOSTILE_SUPPLIER if hostile else f"Spice Importer {lot_code}")
    v = _version(s, f"W{lot_code[-3:]}", "Spice blend", "kg", pending=pending)
    b = _batch(s, v, lot_code, pending=pending, days=0, unit="kg")
    b.notes = notes  # before release: a released record changes only by amendment
    s.add(sup)
    for i in range(n_inputs):
        m = Material(
            code=f"{lot_code}-M{i:03d}",
            name=HOSTILE_MATERIAL if hostile and i == 0 else f"Spice {i:03d}",
            stock_unit="g",
        )
        ml = MaterialLot(
            lot_code=f"{lot_code[:4]}-L{i:03d}",
            material=m,
            supplier=sup,
            supplier_lot_code=f"SUP-{i:03d}",
            quantity_received=Decimal(1000),
            unit="g",
            received_date=DAY,
            origin=HOSTILE_ORIGIN if hostile and i == 0 else f"Region {i % 7}",
            certifications="Fair trade" if i % 3 == 0 else "",
        )
        s.add_all([m, ml])
        _use(s, b, ml, str(5 + i % 11), "g")
    _settle(s, pending)
    return b


def busy_lot(s: Session, n: int) -> Genealogy:
    """The genealogy, and ``n`` more hot sauce batches (``HSB-0000``...) made with a
    new salt lot L-SALT-009, one in five through a brine intermediate (``BRINE-00``...):
    every third shipped, alternately whole and in part, to a third customer (Far
    Market, the most recent shipments), some others to the deli and the web shop;
    flushed, not committed."""
    g = genealogy(s)
    pending: Pending = []
    sauce = g.batches["HS-001"].recipe_version
    mash = g.batches["MASH-001"].recipe_version
    old = g.lots["L-SALT-001"]
    salt = g.lots["L-SALT-009"] = MaterialLot(
        lot_code="L-SALT-009",
        material_id=old.material_id,
        supplier_id=old.supplier_id,
        supplier_lot_code="SS-99",
        quantity_received=Decimal(1000),
        unit="kg",
        received_date=DAY,
    )
    s.add(salt)
    market = Customer(
        name="Far Market",
        kind="retailer",
        contact="Lee Ortiz",
        phone="+1 212 555 0199",
        email="lee@far.example",
        address="9 Pier Rd, Red Hook",
    )
    s.add(market)
    g.customers["market"] = market
    brines = []
    for k in range(n // 50 + 1):
        brine = _batch(s, mash, f"BRINE-{k:02d}", pending=pending, days=20, unit="kg")
        _use(s, brine, salt, "0.5", "kg")
        brines.append(brine)
    for i in range(n):
        b = _batch(
            s, sauce, f"HSB-{i:04d}", pending=pending, days=21 + i % 40, unit="pcs", qty="12"
        )
        if i % 5:
            _use(s, b, salt, "0.1", "kg")
        else:
            _use(s, b, brines[i // 50], "0.1", "kg")
        if i % 3 == 0:
            to, qty, days = market, 12 if i % 2 else 5, 70 + i % 9
        elif i % 7 == 1:
            to, qty, days = g.customers["deli"], 4, 40 + i % 5
        elif i % 11 == 2:
            to, qty, days = g.customers["web"], 2, 30
        else:
            to = None
        if to is not None:
            sh = Shipment(
                batch=b,
                customer=to,
                quantity=Decimal(qty),
                unit="pcs",
                shipped_date=DAY + dt.timedelta(days=days),
                document_type="invoice",
                document_number=f"FM-{i}",
            )
            s.add(sh)
            g.shipments.append(sh)
        g.batches[b.lot_code] = b
    _settle(s, pending)
    return g
