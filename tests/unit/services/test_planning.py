"""The make list, material requirements through intermediates, draft purchase orders and
receiving against them (partial receipts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from smallbatch_desktop.domain.errors import StatusError, ValidationError
from smallbatch_desktop.domain.models import Batch, Material, PurchaseOrder
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import orders as ords
from smallbatch_desktop.services import planning as plan
from smallbatch_desktop.services import purchasing as pur
from smallbatch_desktop.services.orders import OrderLineInput as L
from tests.factories import DAY, kitchen, released_batch

TODAY = DAY + dt.timedelta(days=5)


@pytest.fixture
def k(session):
    kt = kitchen(session)
    inv.create_customer(session, name="Corner Deli")
    return kt


def _order(session, qty, **kw):
    return ords.create_order(
        session, customer="Corner Deli", lines=[L("HS", qty, **kw)], ordered_date=DAY
    )


def _by_code(lines):
    return {m.code: m for m in lines}


def test_make_list_rounds_up_to_batches_and_plans_intermediates(session, k):
    _order(session, "30")
    p = plan.demand_plan(session, today=TODAY)
    make = _by_code(p.make)
    hs, mash = make["HS"], make["MASH"]
    assert (hs.ordered, hs.free_stock, hs.to_make, hs.batches) == (
        Decimal(30),
        Decimal(0),
        Decimal(30),
        2,
    )
    assert (hs.plan_quantity, hs.unit, hs.order_lines) == (Decimal(48), "pcs", 1)
    # two sauce batches need 2 x 2 kg of mash: one 5 kg mash batch
    assert (mash.for_batches, mash.batches, mash.plan_quantity) == (Decimal(4), 1, Decimal(5))
    mats = _by_code(p.materials)
    assert mats["CHILI"].for_proposed == Decimal(5)  # the mash batch
    # 2 x 1000 g of vinegar, in litres through its density (1.01 g/ml)
    assert mats["VIN"].for_proposed == Decimal("1.980198")
    assert mats["CHILI"].on_hand == Decimal(10) and mats["CHILI"].shortage == 0
    assert p.shortages == ()


def test_free_stock_and_pipeline_reduce_the_make_list(session, k):
    released_batch(session, k.mash_v, "5")
    released_batch(session, k.sauce_v, "24")  # uses 2 kg of the mash
    _order(session, "30")
    hs = _by_code(plan.make_list(session, today=TODAY))["HS"]
    assert (hs.free_stock, hs.to_make, hs.batches) == (Decimal(24), Decimal(6), 1)
    mash = _by_code(plan.make_list(session, today=TODAY))["MASH"]
    assert (mash.free_stock, mash.for_batches, mash.batches) == (Decimal(3), Decimal(2), 0)
    bat.plan_batch(session, recipe_version_id=k.sauce_v.id, planned_quantity="24", made_date=TODAY)
    lines = _by_code(plan.make_list(session, today=TODAY))
    assert lines["HS"].in_progress == Decimal(24) and lines["HS"].batches == 0
    # the planned batch still needs its mash: held against the free mash
    assert lines["MASH"].for_batches == Decimal(2) and lines["MASH"].batches == 0


def test_made_to_order_lines_are_not_filled_from_free_stock(session, k):
    released_batch(session, k.mash_v, "5")
    released_batch(session, k.sauce_v, "24")
    _order(session, "6", made_to_order=True, personal_text="Anna")
    hs = _by_code(plan.make_list(session, today=TODAY))["HS"]
    assert (hs.made_to_order, hs.free_stock, hs.to_make, hs.batches) == (
        Decimal(6),
        Decimal(24),
        Decimal(6),
        1,
    )


def test_allocated_and_shipped_quantities_are_netted(session, k):
    released_batch(session, k.mash_v, "5")
    released_batch(session, k.sauce_v, "24")
    o = _order(session, "20")
    other = _order(session, "10")
    ords.allocate_line(session, o.lines[0].id, today=TODAY)
    ords.ship_line(session, o.lines[0].id, quantity="5", shipped_date=TODAY)
    hs = _by_code(plan.make_list(session, today=TODAY))["HS"]
    # open: 15 + 10; 15 held for the first order, 4 free, 6 to make for the second
    assert (hs.ordered, hs.allocated, hs.free_stock, hs.to_make) == (
        Decimal(25),
        Decimal(15),
        Decimal(4),
        Decimal(6),
    )
    ords.cancel_order(session, other.id, reason="changed their mind")
    assert _by_code(plan.make_list(session, today=TODAY))["HS"].to_make == 0


def test_ordering_more_than_can_be_made_shows_as_a_shortage(session, k):
    _order(session, "200")  # 9 batches of sauce, 18 kg of mash -> 4 mash batches, 20 kg chili
    p = plan.demand_plan(session, today=TODAY)
    assert _by_code(p.make)["HS"].batches == 9
    assert _by_code(p.make)["MASH"].batches == 4
    chili = _by_code(p.materials)["CHILI"]
    assert (chili.required, chili.on_hand, chili.shortage, chili.to_buy) == (
        Decimal(20),
        Decimal(10),
        Decimal(10),
        Decimal(10),
    )
    assert [m.code for m in p.shortages] == ["CHILI"]


def test_expired_lots_and_batches_do_not_count(session, k):
    _order(session, "30")
    late = k.chili_lot.expiry_date + dt.timedelta(days=1)
    chili = _by_code(plan.material_requirements(session, today=late))["CHILI"]
    assert chili.on_hand == 0 and chili.shortage == Decimal(5)


def test_plan_make_list_plans_the_batches_once(session, k):
    _order(session, "30")
    made = plan.plan_make_list(session, made_date=TODAY, actor="maria", today=TODAY)
    assert sorted(b.recipe_version.recipe.code for b in made) == ["HS", "HS", "MASH"]
    assert all(b.status == "planned" and b.notes == "planned from the make list" for b in made)
    assert {b.planned_quantity for b in made if b.recipe_version.recipe.code == "HS"} == {
        Decimal(24)
    }
    p = plan.demand_plan(session, today=TODAY)
    assert all(m.batches == 0 for m in p.make)
    chili = _by_code(p.materials)["CHILI"]
    # the planned mash batch now holds what it needs: allocated, not proposed
    assert (chili.for_proposed, chili.allocated, chili.available) == (
        Decimal(0),
        Decimal(5),
        Decimal(5),
    )
    with pytest.raises(ValidationError) as ei:
        plan.plan_make_list(session, today=TODAY)
    assert ei.value.field == "make list"
    assert len(session.scalars(select(Batch)).all()) == 3


def test_draft_purchase_orders_and_partial_receipts(session, k):
    _order(session, "200")
    with pytest.raises(ValidationError) as ei:
        pur.create_draft_pos(session, today=TODAY)
    assert ei.value.field == "default supplier" and "CHILI" in ei.value.message
    sup = inv.create_supplier(session, name="Pepper Co")
    session.get(Material, k.chili_lot.material_id).default_supplier_id = sup.id
    session.flush()
    result = pur.create_draft_pos(session, today=TODAY, actor="maria")
    (po,) = result.orders
    assert po.status == "draft" and po.supplier.name == "Pepper Co"
    assert po.number == f"PO-{TODAY.year}-0001"
    (line,) = po.lines
    assert (line.material.code, line.quantity, line.unit) == ("CHILI", Decimal(10), "kg")
    assert line.unit_cost is None  # never bought from Pepper Co before
    # on order now: nothing more to buy, no second draft
    chili = _by_code(plan.material_requirements(session, today=TODAY))["CHILI"]
    assert (chili.on_order, chili.to_buy, chili.shortage) == (Decimal(10), 0, Decimal(10))
    with pytest.raises(ValidationError) as ei:
        pur.create_draft_pos(session, today=TODAY)
    assert ei.value.field == "purchase list"
    # a draft is not received against
    with pytest.raises(StatusError) as ei:
        pur.receive_against_po(session, line.id, quantity="4")
    assert ei.value.field == "purchase order" and "mark it ordered" in ei.value.message
    pur.mark_ordered(session, po.id, ordered_date=TODAY)
    lot = pur.receive_against_po(
        session, line.id, quantity="4", supplier_lot_code="PC-77", received_date=TODAY
    )
    assert (lot.material_id, lot.supplier_id, lot.quantity_received, lot.unit) == (
        k.chili_lot.material_id,
        sup.id,
        Decimal(4),
        "kg",
    )
    assert lot.document_ref == po.number
    assert po.status == "partly_received"
    view = pur.po_view(session, po.id)
    assert (view.lines[0].received, view.lines[0].outstanding) == (Decimal(4), Decimal(6))
    assert view.lines[0].lots == (lot.lot_code,)
    rest = pur.receive_against_po(session, line.id, received_date=TODAY)  # the rest
    assert rest.quantity_received == Decimal(6) and po.status == "received"
    chili = _by_code(plan.material_requirements(session, today=TODAY))["CHILI"]
    assert (chili.on_hand, chili.on_order, chili.shortage) == (Decimal(20), 0, 0)
    with pytest.raises(StatusError):
        pur.receive_against_po(session, line.id, quantity="1")
    with pytest.raises(StatusError):
        pur.cancel_purchase_order(session, po.id)


def test_purchase_order_refusals(session, k):
    sup = inv.create_supplier(session, name="Pepper Co")
    mid = k.chili_lot.material_id
    with pytest.raises(ValidationError) as ei:
        pur.create_purchase_order(session, supplier_id=sup.id, lines=[])
    assert ei.value.field == "lines"
    with pytest.raises(ValidationError) as ei:
        pur.create_purchase_order(
            session, supplier_id=sup.id, lines=[pur.PoLineInput(mid, "2", "pcs")]
        )
    assert ei.value.field == "line 1 unit"
    with pytest.raises(ValidationError) as ei:
        pur.create_purchase_order(session, supplier_id=sup.id, lines=[pur.PoLineInput(mid, "-2")])
    assert ei.value.field == "line 1 quantity"
    po = pur.create_purchase_order(
        session, supplier_id=sup.id, lines=[pur.PoLineInput(mid, "2", "kg", "4.00")]
    )
    pur.mark_ordered(session, po.id)
    with pytest.raises(StatusError) as ei:
        pur.add_po_line(session, po.id, pur.PoLineInput(mid, "1"))
    assert ei.value.field == "purchase order"
    lot = pur.receive_against_po(session, po.lines[0].id, quantity="500", unit="g")
    assert lot.unit_cost == Decimal("0.004")  # 4.00 per kg, per gram
    pur.cancel_purchase_order(session, po.id, reason="supplier out of stock")
    assert po.status == "cancelled" and "out of stock" in po.notes
    assert session.scalars(select(PurchaseOrder)).all() == [po]
