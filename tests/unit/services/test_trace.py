from decimal import Decimal

import pytest
from factories import DAY, kitchen, released_batch

from smallbatch_desktop.domain.errors import NotFoundError
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services.trace import find_lot, trace_backward, trace_forward


@pytest.fixture
def chain(session):
    k = kitchen(session)
    mash = released_batch(session, k.mash_v, "5")
    sauce = released_batch(session, k.sauce_v, "24")
    for name in ("Corner Deli", "Web shop"):
        inv.create_customer(session, name=name, contact=f"{name} buyer")
    bat.ship_batch(
        session,
        sauce.id,
        customer="Corner Deli",
        quantity="10",
        shipped_date=DAY,
        document_number="INV-7",
    )
    bat.ship_batch(session, sauce.id, customer="Web shop", quantity="4", shipped_date=DAY)
    return k, mash, sauce


def test_backward_through_the_intermediate(session, chain):
    k, mash, sauce = chain
    r = trace_backward(session, sauce.lot_code)
    got = [(level, e.source_lot_code, e.supplier_lot_code) for level, e in r.walk()]
    assert got == [
        (1, mash.lot_code, ""),
        (2, k.chili_lot.lot_code, "CF-001"),
        (1, k.vinegar_lot.lot_code, "V-9"),
    ]
    chili_edge = next(
        e for e in r.edges if e.source_kind == "material" and e.source_id == k.chili_lot.id
    )
    assert (chili_edge.supplier, chili_edge.origin, chili_edge.quantity) == (
        "Chili Farm",
        "Hatch, NM",
        Decimal(5),
    )


def test_forward_from_raw_lot_to_customers(session, chain):
    k, mash, sauce = chain
    r = trace_forward(session, k.chili_lot.lot_code)
    assert r.batch_ids == {mash.id, sauce.id}
    assert r.customers == ["Corner Deli", "Web shop"]
    assert sum(s.quantity for s in r.shipments) == Decimal(14)
    # the supplier's lot code finds our lot too
    assert trace_forward(session, "CF-001").batch_ids == r.batch_ids


def test_forward_from_a_batch_includes_its_own_shipments(session, chain):
    _, _, sauce = chain
    r = trace_forward(session, sauce.lot_code)
    assert r.edges == () and len(r.shipments) == 2


def test_unknown_lot(session):
    with pytest.raises(NotFoundError, match=r"^lot: no batch or material lot has the code 'XYZ'"):
        find_lot(session, "XYZ")


def test_diamond_is_listed_once(session, chain):
    """Two batches use the same mash; a third uses both: the mash's inputs appear once each."""
    k, _, _ = chain
    s = session
    a = released_batch(s, k.sauce_v, "12")
    b = released_batch(s, k.sauce_v, "12")
    top = bat.plan_batch(s, recipe_version_id=k.sauce_v.id, planned_quantity="1", made_date=DAY)
    bat.record_consumption(s, top.id, lot_code=a.lot_code, quantity="1", unit="pcs")
    bat.record_consumption(s, top.id, lot_code=b.lot_code, quantity="1", unit="pcs")
    r = trace_backward(s, top.lot_code)
    ids = [e.consumption_id for e in r.edges]
    assert len(ids) > len(set(ids))  # the SQL reached the mash twice...
    walked = [e.consumption_id for _, e in r.walk()]
    assert sorted(set(walked)) == sorted(set(ids))  # ...and every edge is shown


def test_backward_trace_of_a_received_lot_names_its_supplier_lot_and_origin(session, chain):
    k, _, _ = chain
    for code in (k.chili_lot.lot_code, "CF-001"):  # our code or the supplier's
        r = trace_backward(session, code)
        assert r.edges == ()
        assert r.origin is not None
        o = r.origin
        assert (o.supplier, o.supplier_lot_code, o.origin, o.received_date) == (
            "Chili Farm",
            "CF-001",
            "Hatch, NM",
            k.chili_lot.received_date,
        )
        assert o.quantity == k.chili_lot.quantity_received
        assert "from Chili Farm, their lot CF-001; origin Hatch, NM" in o.text
    assert trace_backward(session, chain[2].lot_code).origin is None  # a batch has inputs
