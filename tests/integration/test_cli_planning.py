"""The make list and the purchase list on the demo workshop, through the command line:
text, CSV and JSON agree; --plan and --create-drafts act once; the demo's personalised
order prints its gift labels."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from smallbatch_desktop.cli import main
from smallbatch_desktop.db.engine import open_database
from smallbatch_desktop.domain.models import Batch, PurchaseOrder, SalesOrder


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("planning") / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    return path


@pytest.fixture
def demo_db(demo_file, tmp_path):
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_file, path)
    return path


def _json(capsys, *args):
    capsys.readouterr()
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_has_open_orders_one_personalised(demo_db):
    engine, sf = open_database(demo_db)
    with sf() as s:
        orders = s.scalars(select(SalesOrder)).all()
        assert {o.status for o in orders} == {"open"} and len(orders) >= 4
        personal = [ln for o in orders for ln in o.lines if ln.personalised]
        assert any(ln.unit_texts and ln.options.get("heat") for ln in personal)
        assert any(ln.made_to_order for o in orders for ln in o.lines)
        po = s.scalars(select(PurchaseOrder)).one()
        assert po.status == "partly_received"
    engine.dispose()


def test_make_list_text_csv_json_and_plan(demo_db, capsys):
    rows = {r["product_code"]: r for r in _json(capsys, "make-list", "--db", str(demo_db))}
    hhs = rows["HHS"]
    assert Decimal(hhs["ordered"]) == 651 and Decimal(hhs["allocated"]) == 51
    assert hhs["batches"] == 6 and Decimal(hhs["plan_quantity"]) == 600
    # intermediates through two levels: sauce base from mash, mash from peppers
    assert rows["BASE"]["intermediate"] and rows["BASE"]["batches"] >= 1
    assert rows["MASH"]["batches"] >= 1
    assert rows["LAV"]["batches"] == 2 and Decimal(rows["LAV"]["made_to_order"]) == 100
    assert main(["make-list", "--db", str(demo_db), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["product_code"]: r["batches"] for r in table} == {
        k: str(v["batches"]) for k, v in rows.items()
    }
    assert main(["make-list", "--db", str(demo_db)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Make list") and "Habanero Hot Sauce" in text
    planned_before = _count_planned(demo_db)
    assert main(["make-list", "--db", str(demo_db), "--plan"]) == 0
    err = capsys.readouterr().err
    total = sum(r["batches"] for r in rows.values())
    assert f"planned {total} batches" in err
    assert _count_planned(demo_db) == planned_before + total
    after = _json(capsys, "make-list", "--db", str(demo_db))
    assert all(r["batches"] == 0 for r in after)
    assert main(["make-list", "--db", str(demo_db), "--plan"]) == 2
    assert "nothing to make" in capsys.readouterr().err


def _count_planned(path):
    engine, sf = open_database(path)
    with sf() as s:
        n = s.scalar(select(func.count()).select_from(Batch).where(Batch.status == "planned"))
    engine.dispose()
    return n


def test_purchase_list_shortages_and_draft_orders(demo_db, capsys):
    rows = {r["material_code"]: r for r in _json(capsys, "purchase-list", "--db", str(demo_db))}
    hab = rows["HAB"]
    assert Decimal(hab["shortage"]) > 0 and hab["supplier"] == "Sunrise Pepper Farm"
    assert Decimal(hab["to_buy"]) == Decimal(hab["shortage"]) + Decimal(hab["reorder_level"])
    everything = _json(capsys, "purchase-list", "--db", str(demo_db), "--all")
    assert len(everything) > len(rows)
    assert main(["purchase-list", "--db", str(demo_db), "--create-drafts"]) == 0
    err = capsys.readouterr().err
    assert "draft purchase order PO-" in err and "Sunrise Pepper Farm" in err
    assert _json(capsys, "purchase-list", "--db", str(demo_db)) == []
    engine, sf = open_database(demo_db)
    with sf() as s:
        drafts = s.scalars(select(PurchaseOrder).where(PurchaseOrder.status == "draft")).all()
        suppliers = {po.supplier.name for po in drafts}
        assert "Sunrise Pepper Farm" in suppliers
        hab_line = next(ln for po in drafts for ln in po.lines if ln.material.code == "HAB")
        assert hab_line.quantity == Decimal(hab["to_buy"])
    engine.dispose()


def test_errors_are_one_line(demo_db, capsys):
    assert main(["make-list", "--db", str(demo_db), "--date", "tomorrow"]) == 2
    assert "--date" in capsys.readouterr().err
