"""Sales orders: taking, editing, allocating, shipping FEFO, cancelling; every refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from smallbatch_desktop.domain.errors import (
    ConflictError,
    InsufficientStockError,
    NotFoundError,
    StatusError,
    UserError,
    ValidationError,
)
from smallbatch_desktop.domain.models import Allocation, AuditEntry, OrderShipment, Shipment
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import orders as ords
from smallbatch_desktop.services.orders import OrderLineInput as L
from tests.factories import DAY, kitchen, released_batch

LATER = DAY + dt.timedelta(days=10)


@pytest.fixture
def k(session):
    kt = kitchen(session)
    inv.create_customer(session, name="Corner Deli", kind="retailer")
    return kt


def _order(session, *lines, **kw):
    kw.setdefault("customer", "Corner Deli")
    kw.setdefault("ordered_date", DAY)
    return ords.create_order(session, lines=list(lines) or [L("HS", "12")], **kw)


def test_create_order_with_personalised_line_and_numbering(session, k):
    o = _order(
        session,
        L("HS", "12", personal_text="Happy birthday Anna", options={"Heat": "extra hot"}),
        L("hs", "6", unit_texts=["Ben", "Cleo"], made_to_order=True, unit_price="7.50"),
        channel="Web",
        promised_date=DAY + dt.timedelta(days=7),
        actor="maria",
    )
    assert o.number == f"SO-{DAY.year}-0001"
    assert o.status == "open" and o.channel == "web"
    first, second = o.lines
    assert (first.quantity, first.unit) == (Decimal("12"), "pcs")
    assert first.options == {"heat": "extra hot"} and first.personalised
    assert second.unit_texts == ["Ben", "Cleo"] and second.made_to_order
    assert second.unit_price == Decimal("7.5")
    assert _order(session).number == f"SO-{DAY.year}-0002"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "order.create")).first()
    assert entry.actor == "maria" and entry.details["number"] == o.number


@pytest.mark.parametrize(
    ("line", "kw", "field", "words"),
    [
        (L("NOPE", "1"), {}, "line 1 product", "no product"),
        (L("MASH", "1", unit="pcs"), {}, "line 1 unit", "cannot convert"),
        (L("HS", "0"), {}, "line 1 quantity", "greater than zero"),
        (L("HS", "1.5", unit_texts=["a"]), {}, "line 1 unit texts", "whole number"),
        (L("HS", "2", unit_texts=["a", "b", "c"]), {}, "line 1 unit texts", "at most one"),
        (L("HS", "2", options={"heat:x": "hot"}), {}, "line 1 options", "option name"),
        (L("HS", "2", unit_price="-1"), {}, "line 1 price", "negative"),
        (L("HS", "1"), {"channel": "fax"}, "channel", "not one of"),
        (L("HS", "1"), {"customer": "Nobody"}, "customer", "no customer"),
        (L("HS", "1"), {"promised_date": DAY - dt.timedelta(days=1)}, "promised date", "before"),
    ],
)
def test_create_order_refusals_name_the_field(session, k, line, kw, field, words):
    with pytest.raises(UserError) as ei:
        _order(session, line, **kw)
    assert ei.value.field == field and words in ei.value.message


def test_duplicate_number_and_empty_order_refused(session, k):
    _order(session, number="#1001")
    with pytest.raises(ConflictError) as ei:
        _order(session, number="#1001")
    assert ei.value.field == "order number"
    with pytest.raises(ValidationError) as ei:
        ords.create_order(session, customer="Corner Deli", lines=[])
    assert ei.value.field == "lines"


def test_product_without_published_version_refused(session, k):
    from smallbatch_desktop.services import recipes as rec

    rec.create_recipe(session, code="NEW", name="New sauce", yield_quantity="12", yield_unit="pcs")
    with pytest.raises(ValidationError) as ei:
        _order(session, L("NEW", "1"))
    assert ei.value.field == "line 1 product" and "published" in ei.value.message


def test_ordering_more_than_can_be_made_is_allowed(session, k):
    o = _order(session, L("HS", "5000"))
    assert o.lines[0].quantity == Decimal("5000")


def test_new_customer_made_on_import(session, k):
    o = _order(session, customer="Etsy buyer 42", create_customer=True, source="Etsy")
    assert o.customer.name == "Etsy buyer 42" and o.source == "etsy"


def test_fefo_allocation_and_shipping_links_shipments_to_the_line(session, k):
    late = released_batch(session, k.sauce_v, "24", day=DAY)
    early = released_batch(session, k.sauce_v, "24", day=DAY)
    bat.amend_batch(  # a shorter shelf life found after release: it expires first now
        session,
        early.id,
        field="best_before",
        new_value=(DAY + dt.timedelta(days=100)).isoformat(),
        reason="shelf life test",
        actor="maria",
    )
    o = _order(session, L("HS", "30"))
    ln = o.lines[0]
    allocs = ords.allocate_line(session, ln.id, today=DAY)
    assert [(a.batch_id, a.quantity) for a in allocs] == [
        (early.id, Decimal("24")),
        (late.id, Decimal("6")),
    ]
    p = ords.line_progress(session, ln)
    assert (p.allocated, p.unallocated) == (Decimal("30"), Decimal("0"))
    shipped = ords.ship_line(session, ln.id, quantity="10", shipped_date=LATER, actor="maria")
    assert [(s.batch_id, s.quantity) for s in shipped] == [(early.id, Decimal("10"))]
    s = shipped[0]
    assert s.customer.name == "Corner Deli"
    assert (s.document_type, s.document_number) == ("sales order", o.number)
    link = session.get(OrderShipment, s.id)
    assert link.line_id == ln.id
    p = ords.line_progress(session, ln)
    assert (p.shipped, p.allocated, p.remaining) == (Decimal(10), Decimal(20), Decimal(20))
    assert o.status == "open"
    rest = ords.ship_line(session, ln.id, shipped_date=LATER)
    assert [(s.batch_id, s.quantity) for s in rest] == [
        (early.id, Decimal("14")),
        (late.id, Decimal("6")),
    ]
    assert o.status == "shipped"
    assert session.scalars(select(Allocation)).all() == []
    assert bat.batch_on_hand(session, early.id) == 0
    with pytest.raises(StatusError):
        ords.ship_line(session, ln.id, shipped_date=LATER)


def test_shipping_skips_stock_held_for_other_orders(session, k):
    b = released_batch(session, k.sauce_v, "24")
    first = _order(session, L("HS", "20"))
    second = _order(session, L("HS", "10"))
    ords.allocate_line(session, first.lines[0].id, today=DAY)
    with pytest.raises(InsufficientStockError) as ei:
        ords.ship_line(session, second.lines[0].id, shipped_date=LATER)
    assert ei.value.field == "quantity" and "only 4" in ei.value.message
    ords.ship_line(session, second.lines[0].id, quantity="4", shipped_date=LATER)
    assert bat.batch_on_hand(session, b.id) == Decimal(20)


def test_ad_hoc_shipment_cannot_take_units_allocated_to_orders(session, k):
    """Shipping from the Batches view draws only on free units: what is left less what
    open orders hold; the refusal names the orders holding the rest."""
    b = released_batch(session, k.sauce_v, "24")
    inv.create_customer(session, name="Market stall")  # shipments go to customers on record
    first = _order(session, L("HS", "15"))
    second = _order(session, L("HS", "5"))
    ords.allocate_line(session, first.lines[0].id, today=DAY)
    ords.allocate_line(session, second.lines[0].id, today=DAY)
    assert bat.batch_allocations(session, b.id) == [
        (first.number, Decimal(15)),
        (second.number, Decimal(5)),
    ]
    assert bat.batch_free(session, b.id) == Decimal(4)
    with pytest.raises(InsufficientStockError) as ei:
        bat.ship_batch(session, b.id, customer="Market stall", quantity="5", shipped_date=LATER)
    assert ei.value.field == "quantity"
    assert ei.value.message == (
        f"quantity: only 4 pcs of {b.lot_code} is free to ship: 20 pcs of the 24 pcs left are "
        f"allocated to orders {first.number} (15 pcs), {second.number} (5 pcs); ship those "
        "from the order (Orders view), or release its allocation first"
    )
    assert bat.batch_on_hand(session, b.id) == Decimal(24)  # nothing shipped
    bat.ship_batch(session, b.id, customer="Market stall", quantity="4", shipped_date=LATER)
    assert bat.batch_free(session, b.id) == Decimal(0)
    # the order's own units still ship against it; released, they are free again
    ords.ship_line(session, second.lines[0].id, shipped_date=LATER)
    ords.release_allocation(session, first.lines[0].id)
    assert bat.batch_allocations(session, b.id) == []
    bat.ship_batch(session, b.id, customer="Market stall", quantity="15", shipped_date=LATER)
    assert bat.batch_on_hand(session, b.id) == Decimal(0)


def test_shipping_from_an_unreleased_batch_is_refused(session, k):
    released_batch(session, k.mash_v, "5")
    planned = bat.plan_batch(
        session, recipe_version_id=k.sauce_v.id, planned_quantity="24", made_date=DAY
    )
    o = _order(session)
    with pytest.raises(StatusError) as ei:
        ords.ship_line(session, o.lines[0].id, batch_id=planned.id, shipped_date=LATER)
    assert ei.value.field == "batch" and "only a released batch" in ei.value.message
    # nothing released at all: refused with the quantity named, nothing written
    with pytest.raises(InsufficientStockError) as ei:
        ords.ship_line(session, o.lines[0].id, shipped_date=LATER)
    assert ei.value.field == "quantity"
    assert session.scalars(select(Shipment)).all() == []


def test_wrong_product_batch_and_expired_batch_refused(session, k):
    mash = released_batch(session, k.mash_v, "5")
    sauce = released_batch(session, k.sauce_v, "24")
    o = _order(session)
    with pytest.raises(ValidationError) as ei:
        ords.ship_line(session, o.lines[0].id, batch_id=mash.id, shipped_date=LATER)
    assert ei.value.field == "batch" and "Habanero mash" in ei.value.message
    far = sauce.best_before + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as ei:
        ords.ship_line(session, o.lines[0].id, batch_id=sauce.id, shipped_date=far)
    assert ei.value.field == "batch" and "best-before" in ei.value.message
    with pytest.raises(InsufficientStockError):
        ords.ship_line(session, o.lines[0].id, shipped_date=far)  # FEFO skips it too


def test_over_shipping_and_early_ship_date_refused(session, k):
    released_batch(session, k.sauce_v, "24")
    o = _order(session, L("HS", "5"), ordered_date=LATER)
    with pytest.raises(ValidationError) as ei:
        ords.ship_line(session, o.lines[0].id, quantity="6", shipped_date=LATER)
    assert ei.value.field == "quantity" and "5 pcs left" in ei.value.message
    with pytest.raises(ValidationError) as ei:
        ords.ship_line(session, o.lines[0].id, shipped_date=DAY)
    assert ei.value.field == "ship date"


def test_cancelling_an_order_releases_its_allocation(session, k):
    b = released_batch(session, k.sauce_v, "24")
    o = _order(session, L("HS", "20"))
    other = _order(session, L("HS", "10"))
    ords.allocate_line(session, o.lines[0].id, today=DAY)
    stock = ords.released_stock(session, k.sauce_v.recipe_id)
    assert stock[0].free == Decimal(4)
    with pytest.raises(ValidationError) as ei:
        ords.cancel_order(session, o.id, reason=" ")
    assert ei.value.field == "reason"
    ords.cancel_order(session, o.id, reason="customer changed their mind", actor="maria")
    assert o.status == "cancelled" and o.cancel_reason == "customer changed their mind"
    assert session.scalars(select(Allocation)).all() == []
    assert ords.released_stock(session, k.sauce_v.recipe_id)[0].free == Decimal(24)
    ords.ship_line(session, other.lines[0].id, shipped_date=LATER)
    assert bat.batch_on_hand(session, b.id) == Decimal(14)
    with pytest.raises(StatusError) as ei:
        ords.ship_line(session, o.lines[0].id, shipped_date=LATER)
    assert ei.value.field == "shipment"
    with pytest.raises(StatusError):
        ords.cancel_order(session, o.id, reason="again")


def test_status_transitions(session, k):
    o = _order(session)
    ords.change_order_status(session, o.id, "start")
    assert o.status == "in_production"
    with pytest.raises(StatusError) as ei:
        ords.change_order_status(session, o.id, "start")
    assert ei.value.field == "status"
    ords.change_order_status(session, o.id, "ready")
    ords.change_order_status(session, o.id, "reopen")
    assert o.status == "open"
    with pytest.raises(ValidationError):
        ords.change_order_status(session, o.id, "fly")


def test_allocation_refusals_and_release(session, k):
    o = _order(session, L("HS", "10"))
    ln = o.lines[0]
    with pytest.raises(InsufficientStockError) as ei:
        ords.allocate_line(session, ln.id, today=DAY)
    assert ei.value.field == "allocation" and "make list" in ei.value.message
    b = released_batch(session, k.sauce_v, "24")
    with pytest.raises(ValidationError) as ei:
        ords.allocate_line(session, ln.id, quantity="11", today=DAY)
    assert ei.value.field == "quantity"
    ords.allocate_line(session, ln.id, batch_id=b.id, quantity="4", today=DAY)
    ords.allocate_line(session, ln.id, today=DAY)
    assert ords.line_progress(session, ln).allocated == Decimal(10)
    with pytest.raises(ConflictError):
        ords.allocate_line(session, ln.id, today=DAY)
    with pytest.raises(ValidationError) as ei:
        ords.update_line(session, ln.id, quantity="8")
    assert ei.value.field == "line 1 quantity" and "allocated" in ei.value.message
    assert ords.release_allocation(session, ln.id) == Decimal(10)
    with pytest.raises(ConflictError):
        ords.release_allocation(session, ln.id)
    ords.update_line(session, ln.id, quantity="8", personal_text="For Dad")
    assert ln.quantity == Decimal(8) and ln.personal_text == "For Dad"


def test_lines_added_removed_and_header_updated(session, k):
    o = _order(session)
    ln2 = ords.add_line(session, o.id, L("HS", "3", personal_text="Zoe"))
    assert ln2.position == 2
    ords.remove_line(session, o.lines[0].id)
    assert [ln.position for ln in o.lines] == [2]
    with pytest.raises(ValidationError) as ei:
        ords.remove_line(session, ln2.id)
    assert ei.value.field == "lines"
    inv.create_customer(session, name="Farm shop")
    ords.update_order(session, o.id, customer="Farm shop", channel="wholesale", promised_date=LATER)
    assert (o.customer.name, o.channel, o.promised_date) == ("Farm shop", "wholesale", LATER)


def test_order_view_and_paged_list(session, k):
    released_batch(session, k.sauce_v, "24")
    a = _order(session, L("HS", "2", personal_text="Anna"), number="A-1")
    _order(session, L("HS", "1"), number="B-2", ordered_date=LATER)
    ords.ship_line(session, a.lines[0].id, quantity="1", shipped_date=LATER)
    view = ords.order_view(session, a.id)
    line = view.lines[0]
    assert (line.shipped, line.remaining, line.product) == (Decimal(1), Decimal(1), "Hot sauce")
    assert line.personalised and len(line.lots) == 1
    assert "cancel" in view.actions
    rows = ords.list_orders(session, sort="number", descending=False)
    assert [r.number for r in rows] == ["A-1", "B-2"]
    assert rows[0].personalised and not rows[1].personalised
    assert ords.count_orders(session, search="anna") == 1
    assert [r.number for r in ords.list_orders(session, search="b-2")] == ["B-2"]
    assert ords.count_orders(session, status="shipped") == 0
    assert ords.list_orders(session, limit=1, offset=1)[0].number == "A-1"
    with pytest.raises(NotFoundError):
        ords.order_by_number(session, "Z-9")


def test_recall_lists_the_orders_in_report_csv_and_pdf(session, k):
    import csv
    import io

    import pypdfium2 as pdfium

    from smallbatch_desktop.pdf.recall import render_recall_report
    from smallbatch_desktop.services.recall import recall_report, write_recall_csv

    released_batch(session, k.mash_v, "5")
    sauce = released_batch(session, k.sauce_v, "24")
    o = _order(session, L("HS", "6"), number="WEB-1001")
    ords.ship_line(session, o.lines[0].id, shipped_date=LATER, document_number="INV-7")
    inv.create_customer(session, name="Farm shop")  # a shipment goes to a customer on record
    bat.ship_batch(session, sauce.id, customer="Farm shop", quantity="2", shipped_date=LATER)
    report = recall_report(session, k.chili_lot.lot_code)
    by_customer = {s.customer: s for s in report.shipments}
    assert by_customer["Corner Deli"].order_number == "WEB-1001"
    assert by_customer["Corner Deli"].reference == "sales order INV-7\norder WEB-1001"
    assert by_customer["Farm shop"].order_number == ""
    assert {c.name: c.orders for c in report.customers} == {
        "Corner Deli": ("WEB-1001",),
        "Farm shop": (),
    }
    buf = io.StringIO()
    write_recall_csv(report, buf)
    rows = [r for r in csv.DictReader(io.StringIO(buf.getvalue())) if r["record"] == "shipment"]
    assert {r["customer"]: r["order_number"] for r in rows} == {
        "Corner Deli": "WEB-1001",
        "Farm shop": "",
    }
    pdf = pdfium.PdfDocument(render_recall_report(report, invariant=True))
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "orders WEB-1001" in text and "order WEB-1001" in text


def _gift_box(session, k, per_box="6"):
    """A gift box (a kit) made of finished hot sauce: ``per_box`` jars a box."""
    from smallbatch_desktop.services import recipes as rec

    v = rec.create_recipe(
        session, code="GIFT", name="Gift box", yield_quantity="1", yield_unit="pcs"
    )
    hs = k.sauce_v.recipe_id
    rec.update_draft(
        session, v.id, lines=[rec.LineInput(component_recipe_id=hs, quantity=per_box, unit="pcs")]
    )
    rec.publish(session, v.id)
    return v


def test_a_kit_uses_only_units_not_allocated_to_orders(session, k):
    """A gift box consumes finished sauce: only what no order holds. The FEFO suggestion
    offers the free units only; taking more is refused naming the orders; units an
    order released (or shipped to it) are what the rest becomes."""
    b = released_batch(session, k.sauce_v, "24")
    first = _order(session, L("HS", "15"))
    second = _order(session, L("HS", "5"))
    ords.allocate_line(session, first.lines[0].id, today=DAY)
    ords.allocate_line(session, second.lines[0].id, today=DAY)
    box_v = _gift_box(session, k, per_box="6")
    box = bat.plan_batch(session, recipe_version_id=box_v.id, planned_quantity="1", made_date=LATER)
    (need,) = bat.suggest_lots(session, box.id)
    assert [(p.lot_code, p.available, p.take) for p in need.picks] == [
        (b.lot_code, Decimal(4), Decimal(4))
    ]
    assert need.shortfall == Decimal(2)
    with pytest.raises(InsufficientStockError) as ei:
        bat.record_consumption(
            session,
            box.id,
            lot_code=b.lot_code,
            quantity="6",
            unit="pcs",
            recipe_line_id=need.line_id,
        )
    assert ei.value.field == "quantity"
    assert ei.value.message == (
        f"quantity: only 4 pcs of {b.lot_code} is free to use: 20 pcs of the 24 pcs left are "
        f"allocated to orders {first.number} (15 pcs), {second.number} (5 pcs); release an "
        "order's allocation first (Orders view) or pick another batch"
    )
    assert bat.batch_on_hand(session, b.id) == Decimal(24)  # nothing used
    # the pick dialog's path: what the maker saw free is gone since (an order took it)
    third = _order(session, L("HS", "3"))
    ords.allocate_line(session, third.lines[0].id, today=DAY)
    with pytest.raises(InsufficientStockError) as ei:
        bat.record_consumptions(
            session, box.id, [bat.PickInput(b.lot_code, "4", "pcs", need.line_id, Decimal(4))]
        )
    assert ei.value.message.startswith(
        f"pick 1: quantity: only 1 pcs of {b.lot_code} is free to use: another workstation "
        f"allocated or used it since you looked; 23 pcs of the 24 pcs left are allocated to "
        f"orders {first.number} (15 pcs), {second.number} (5 pcs), {third.number} (3 pcs)"
    ), ei.value.message
    bat.record_consumption(session, box.id, lot_code=b.lot_code, quantity="1", unit="pcs")
    assert bat.batch_free(session, b.id) == Decimal(0)
    assert bat.suggest_lots(session, box.id)[0].picks == ()
    # an order cancelled: its units are free for the box
    ords.cancel_order(session, second.id, reason="shop closed")
    bat.record_consumption(session, box.id, lot_code=b.lot_code, quantity="5", unit="pcs")
    assert bat.batch_on_hand(session, b.id) == Decimal(18)
    assert bat.batch_allocations(session, b.id) == [
        (first.number, Decimal(15)),
        (third.number, Decimal(3)),
    ]
