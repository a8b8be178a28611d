"""``smallbatch orders import``: platform detected, mapping and products printed, bad rows
one per line with exit 2 and nothing written, --product remembered, duplicates skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from smallbatch_desktop.cli import main
from smallbatch_desktop.db.engine import open_database
from smallbatch_desktop.domain.models import SalesOrder

ORDERS = Path(__file__).resolve().parents[1] / "data" / "orders"


def numbers(db):
    engine, sf = open_database(db)
    try:
        with sf() as s:
            return s.scalars(select(SalesOrder.number).order_by(SalesOrder.number)).all()
    finally:
        engine.dispose()


def test_orders_import_on_the_demo(tmp_path, capsys):
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(db)]) == 0
    before = numbers(db)
    etsy = str(ORDERS / "EtsySoldOrderItems2026-2.csv")
    capsys.readouterr()
    # the Etsy listing names the sauce its own way: exit 2, the row named, nothing written
    r = subprocess.run(
        [sys.executable, "-m", "smallbatch_desktop", "orders", "import", etsy, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2
    assert "Etsy sold order items from EtsySoldOrderItems2026-2.csv, 3 rows" in r.stderr
    assert (
        "  Personalised Habanero Hot Sauce, gift bottle (SKU HHS-150) [1 lines] -> "
        "NOT CHOSEN: use --product" in r.stderr
    )
    assert [ln for ln in r.stderr.splitlines() if ln.startswith("row ")] == [
        "row 2, Item Name: no product chosen for 'Personalised Habanero Hot Sauce, gift bottle' "
        "(SKU HHS-150); choose one in the product list"
    ]
    assert numbers(db) == before
    # a dry run with the product chosen writes nothing
    args = ["orders", "import", etsy, "--db", str(db), "--product", "HHS-150=HHS"]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr()
    assert (
        "would import order ETSY-3141592653 line 1: 3 × HHS, “Claire's Kitchen, est. 2019”"
        in out.out
    )
    assert "dry run, nothing written" in out.err
    assert numbers(db) == before
    assert main(args) == 0
    assert set(numbers(db)) - set(before) == {"ETSY-3141592653", "ETSY-3141600001"}
    capsys.readouterr()
    # the choice is remembered; the same export again is all duplicates
    assert main(["orders", "import", etsy, "--db", str(db)]) == 0
    out = capsys.readouterr()
    assert "-> HHS (remembered)" in out.err
    assert "row 2: skipped, duplicate: order ETSY-3141592653 is already in Smallbatch" in out.out
    assert "0 orders to import" in out.err


def test_shopify_woocommerce_square_through_the_cli(tmp_path, capsys):
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(db)]) == 0
    before = set(numbers(db))
    for name, platform in (
        ("shopify_orders_export.csv", "shopify"),
        ("woocommerce_orders.csv", "woocommerce"),
        ("square_items_detail.csv", "square"),
    ):
        assert (
            main(["orders", "import", str(ORDERS / name), "--db", str(db), "--platform", platform])
            == 0
        )
    out = capsys.readouterr()
    assert "row 5: skipped, order #1003: cancelled in Shopify" in out.out
    assert set(numbers(db)) - before == {
        "#1001",
        "#1002",
        "WOO-1207",
        "SQ-Kq3ZPx7vJ9mN2",
        "SQ-Lr8YbT2cW4qA7",
    }
    engine, sf = open_database(db)
    with sf() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(SalesOrder).where(SalesOrder.source == "square")
            )
            == 2
        )
    engine.dispose()


def test_unrecognised_export_asks_for_the_platform(tmp_path, capsys):
    f = tmp_path / "x.csv"
    f.write_text("Foo,Bar\n1,2\n")
    assert main(["orders", "import", str(f), "--db", str(tmp_path / "d.sqlite")]) == 2
    assert "say which with --platform" in capsys.readouterr().err
