"""Orders from Shopify, Etsy, WooCommerce and Square exports, end to end: orders, lines,
personalisation and options, customers made on purpose, products mapped and remembered,
duplicates and cancelled orders skipped, bad rows named with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from smallbatch_desktop.domain.models import Customer, SalesOrder
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import recipes as rec
from smallbatch_desktop.services.common import get_setting
from smallbatch_desktop.services.imports import ImportRefused, auto_map, read_table
from smallbatch_desktop.services.imports.orders import (
    PRODUCT_MAP_SETTING,
    import_orders,
    run_order_import,
)
from smallbatch_desktop.services.imports.platforms import (
    PLATFORMS,
    detect_platform,
    parse_properties,
)
from smallbatch_desktop.services.imports.readers import read_csv_bytes
from smallbatch_desktop.services.recipes import LineInput

ORDERS = Path(__file__).resolve().parents[2] / "data" / "orders"
FILES = {
    "shopify": "shopify_orders_export.csv",
    "etsy": "EtsySoldOrderItems2026-2.csv",
    "woocommerce": "woocommerce_orders.csv",
    "square": "square_items_detail.csv",
}


@pytest.fixture
def shop(session_factory):
    """Three published products, as a maker would have them before taking orders."""
    with session_factory.begin() as s:
        chili = inv.create_material(s, code="CHILI", name="Chili", stock_unit="kg")
        for code, name in (
            ("HHS", "Habanero Hot Sauce"),
            ("GJS", "Red Jalapeño Garlic Sauce"),
            ("LAV", "Lavender Olive Soap"),
        ):
            v = rec.create_recipe(s, code=code, name=name, yield_quantity="24", yield_unit="pcs")
            rec.update_draft(s, v.id, lines=[LineInput("1", "kg", material_id=chili.id)])
            rec.publish(s, v.id)
    return session_factory


def do_import(sf, platform, *, table=None, **kw):
    p = PLATFORMS[platform]
    t = table if table is not None else read_table(ORDERS / FILES[platform])
    with sf.begin() as s:
        return import_orders(s, t, p, auto_map(t.headers, p.fields), actor="tester", **kw)


def orders_by_number(sf):
    with sf() as s:
        out = {}
        for o in s.scalars(select(SalesOrder).order_by(SalesOrder.id)):
            out[o.number] = {
                "customer": o.customer.name,
                "channel": o.channel,
                "source": o.source,
                "date": o.ordered_date,
                "notes": o.notes,
                "lines": [
                    (
                        ln.recipe.code,
                        ln.quantity,
                        ln.unit_price,
                        ln.personal_text,
                        dict(ln.options),
                        ln.notes,
                    )
                    for ln in o.lines
                ],
            }
        return out


def test_detect_platform_from_headers():
    for key, name in FILES.items():
        assert detect_platform(read_table(ORDERS / name).headers).key == key
    assert detect_platform(("Name", "Email")) is None


def test_shopify_export_end_to_end(shop):
    report = do_import(shop, "shopify")
    got = orders_by_number(shop)
    assert set(got) == {"#1001", "#1002"}  # #1003 was cancelled in Shopify
    a = got["#1001"]
    assert (a["customer"], a["channel"], a["source"], a["date"]) == (
        "Anna Keller",
        "web",
        "shopify",
        dt.date(2026, 2, 14),
    )
    assert a["lines"] == [
        (
            "HHS",
            Decimal(2),
            Decimal("9.5"),
            "Tom's Fire",  # the line item property, on every unit's label
            {"variant": "Extra hot", "heat level": "extra hot"},  # _app_ref is private
            "",
        ),
        ("LAV", Decimal(1), Decimal(6), "", {}, ""),
    ]
    assert (
        a["notes"] == "Birthday present, please ship by Friday\nGift message: Happy birthday, Tom!"
    )
    b = got["#1002"]
    # the cart attribute "Label name" personalises the order's line
    assert b["lines"] == [("GJS", Decimal(2), Decimal(8), "Ben's Batch", {}, "")]
    assert b["notes"] == "How did you hear about us?: Market stall"
    with shop() as s:
        anna = s.scalar(select(Customer).where(Customer.name == "Anna Keller"))
        assert anna.email == "anna.keller@example.com" and anna.phone == "+1 802 555 0144"
        assert anna.address == "14 Elm Street\nBurlington VT 05401\nUS"
    assert report.new_customers == ["Anna Keller", "Ben Ortiz"]
    assert "new customers: Anna Keller, Ben Ortiz" in report.notes
    assert (report.orders, len(report.created), report.personalised_lines) == (2, 3, 2)
    assert [(o.row, o.text) for o in report.skipped] == [
        (5, "order #1003: cancelled in Shopify on 2026-02-16 09:00:00 -0500")
    ]
    products = {pc.key: (pc.recipe, pc.how) for pc in report.products}
    assert products == {
        "sku:HHS-150": ("HHS", "same name"),  # "Habanero Hot Sauce - Extra hot"
        "sku:LAV": ("LAV", "SKU is the product code"),
        "name:redjalapenogarlicsauce": ("GJS", "same name"),
    }
    # re-importing the same export: every order a duplicate, nothing added
    again = do_import(shop, "shopify")
    assert again.orders == 0 and again.new_customers == []
    assert [o.row for o in again.duplicates] == [2, 3, 4]
    assert again.duplicates[0].text == "order #1001 is already in Smallbatch"
    assert orders_by_number(shop).keys() == {"#1001", "#1002"}
    with shop() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 2


def test_etsy_export_with_product_choice_remembered(shop):
    # the Etsy listing's name is not the product's: the maker must choose
    with pytest.raises(ImportRefused) as info:
        do_import(shop, "etsy")
    assert [p.line() for p in info.value.report.problems] == [
        "row 2, Item Name: no product chosen for 'Personalised Habanero Hot Sauce, gift bottle' "
        "(SKU HHS-150); choose one in the product list"
    ]
    assert orders_by_number(shop) == {}
    report = do_import(shop, "etsy", products={"sku:HHS-150": "HHS"})
    got = orders_by_number(shop)
    claire = got["ETSY-3141592653"]
    assert claire["customer"] == "Claire Dubois" and claire["date"] == dt.date(2026, 2, 14)
    assert claire["lines"] == [
        (
            "HHS",
            Decimal(3),
            Decimal("9.5"),
            "Claire's Kitchen, est. 2019",
            {"heat level": "Extra hot"},
            "",
        ),
        ("LAV", Decimal(2), Decimal(6), "", {"scent": "Lavender"}, ""),
    ]
    mike = got["ETSY-3141600001"]
    assert mike["customer"] == "Mike Turner" and mike["lines"][0][:2] == ("GJS", Decimal(1))
    assert report.notes[0] == "dates read as month/day/year, as Etsy writes them"
    with shop() as s:
        assert get_setting(s, PRODUCT_MAP_SETTING)["sku:HHS-150"] == "HHS"
        addr = s.scalar(select(Customer.address).where(Customer.name == "Mike Turner"))
        assert addr == "900 Pine St\nApt 4\nSeattle WA 98101\nUnited States"
    # remembered: a new export with the same listing maps itself
    with shop() as s:
        p = PLATFORMS["etsy"]
        t = read_table(ORDERS / FILES["etsy"])
        r = run_order_import(s, t, p, auto_map(t.headers, p.fields))
        assert {pc.key: pc.how for pc in r.products}["sku:HHS-150"] == "remembered"
        s.rollback()


def test_woocommerce_export(shop):
    report = do_import(shop, "woocommerce")
    got = orders_by_number(shop)
    assert set(got) == {"WOO-1207"}  # 1208 was cancelled
    dana = got["WOO-1207"]
    assert dana["customer"] == "Dana Lee" and dana["notes"] == "Wedding favours, 4 May"
    assert dana["lines"] == [
        ("HHS", Decimal(2), Decimal("9.5"), "Dana & Sam, 4 May 2026", {"heat level": "medium"}, ""),
        ("LAV", Decimal(1), Decimal(6), "", {}, ""),
    ]
    assert [o.text for o in report.skipped] == ["order WOO-1208: cancelled in WooCommerce"]


def test_square_export(shop):
    report = do_import(shop, "square")
    got = orders_by_number(shop)
    walk_in = got["SQ-Kq3ZPx7vJ9mN2"]
    assert (walk_in["customer"], walk_in["channel"], walk_in["date"]) == (
        "Walk-in (Square)",
        "market",
        dt.date(2026, 2, 21),
    )
    assert walk_in["lines"] == [
        (
            "HHS",
            Decimal(2),
            Decimal("9.5"),
            "",
            {"variation": "150 ml", "modifiers": "Gift wrap"},
            "",
        ),
        ("LAV", Decimal(1), Decimal(6), "", {}, ""),
    ]
    rosa = got["SQ-Lr8YbT2cW4qA7"]
    assert rosa["customer"] == "Rosa Diaz"
    assert rosa["lines"] == [("GJS", Decimal(3), Decimal(8), "For Rosa", {}, "")]
    assert report.new_customers == ["Walk-in (Square)", "Rosa Diaz"]


def test_bad_rows_named_and_nothing_written(shop):
    p = PLATFORMS["shopify"]
    data = (
        b"Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem sku,Lineitem price,Billing Name\n"
        b"#2001,a@x,2026-03-01 10:00:00 -0500,2,Habanero Hot Sauce,,9.50,Ann\n"
        b"#2002,b@x,2026-03-01 11:00:00 -0500,two,Habanero Hot Sauce,,9.50,Bo\n"
        b"#2003,c@x,yesterday,1,Habanero Hot Sauce,,$9.50,Cy\n"
        b"#2004,d@x,2026-03-02,1,Mystery Jam,MJ-1,4.00,Di\n"
        b"#2005,,2026-03-02,1,Lavender Olive Soap,,-1,\n"
    )
    t = read_csv_bytes(data, source="orders.csv")
    with pytest.raises(ImportRefused) as info, shop.begin() as s:
        import_orders(s, t, p, auto_map(t.headers, p.fields))
    assert [x.line() for x in info.value.report.problems] == [
        "row 3, Lineitem quantity: 'two' is not a number",
        "row 4, Created at: 'yesterday' is not a date; use YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY, or 5 Mar 2024",
        "row 6, Lineitem price: must not be negative, got -1",
        "row 5, Lineitem name: no product chosen for 'Mystery Jam' (SKU MJ-1); choose one in the product list",
    ]
    assert orders_by_number(shop) == {}
    with shop() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0


def test_service_refusal_lands_on_the_lines_row(shop):
    """A product chosen that cannot take orders (no published version): create_order's
    refusal of "line 2 product" is reported on line 2's row."""
    with shop.begin() as s:
        rec.create_recipe(s, code="NEW", name="New jam", yield_quantity="12", yield_unit="pcs")
    data = (
        b"Name,Created at,Lineitem quantity,Lineitem name,Lineitem sku,Billing Name\n"
        b"#3001,2026-03-01,1,Habanero Hot Sauce,,Ann\n"
        b"#3001,2026-03-01,1,New jam,,Ann\n"
    )
    t = read_csv_bytes(data)
    p = PLATFORMS["shopify"]
    with shop() as s:
        r = run_order_import(s, t, p, auto_map(t.headers, p.fields))
        assert [x.row for x in r.problems] == [3]
        assert r.problems[0].column == "Lineitem name"
        assert "has no published recipe version" in r.problems[0].why
        assert r.new_customers == []  # Ann's order failed: she is not listed as made
        s.rollback()


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        (
            "Heat level:Extra hot,Personalization:Hi, Anna",
            [("Heat level", "Extra hot"), ("Personalization", "Hi, Anna")],
        ),
        ("Label name: Tom\n_ref: x", [("Label name", "Tom"), ("_ref", "x")]),
        ("Gift wrap", [("", "Gift wrap")]),
        ("a=1; b=2", [("a", "1"), ("b", "2")]),
        ("", []),
    ],
)
def test_parse_properties(text, pairs):
    assert parse_properties(text) == pairs


def test_a_preview_that_gives_way_between_orders_reports_the_same(shop):
    """A long preview of an export lets other workstations write between its orders
    (rolling back the orders checked so far): giving way before every order reports what
    a preview that never gives way reports, a new customer with two orders included."""
    p = PLATFORMS["shopify"]
    body = (ORDERS / FILES["shopify"]).read_text(encoding="utf-8")
    header, rest = body.split("\n", 1)
    first = rest[: rest.index("\n#1002,")]  # Anna Keller's order, both its rows
    table = read_csv_bytes(
        f"{header}\n{rest.rstrip()}\n{first.replace('#1001', '#1004')}\n".encode()
    )

    def preview(spell):
        with shop.trial(spell=spell) as s:
            report = run_order_import(s, table, p, auto_map(table.headers, p.fields))
            return report, s.info["smallbatch_breathe"].__self__.breaths

    whole, none = preview(1e9)
    spells, breaths = preview(0)
    assert none == 0 and breaths == 4  # before each of the four orders
    assert (whole.orders, whole.new_customers) == (3, ["Anna Keller", "Ben Ortiz"])
    for attr in ("orders", "created", "duplicates", "skipped", "problems", "notes"):
        assert getattr(spells, attr) == getattr(whole, attr), attr
    assert spells.new_customers == whole.new_customers
    assert orders_by_number(shop) == {}
