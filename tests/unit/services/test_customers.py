"""Customers: details checked field by field, names unique in any case, kept while
anything was shipped to them, never created by typing a name."""

from __future__ import annotations

import pytest
from factories import DAY, kitchen, released_batch

from smallbatch_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import customers as csvc
from smallbatch_desktop.services.customers import CustomerDetails


def test_create_update_list(session):
    c = csvc.create_customer(
        session,
        CustomerDetails(
            "  Corner   Deli ",
            "retailer",
            "Sam Patel",
            "(518) 555-0142 ext 12",
            "sam@deli.example",
            "3 Main St",
            "Call before 10",
        ),
        actor="ann",
    )
    assert (c.name, c.kind, c.phone, c.notes) == (
        "Corner Deli",
        "retailer",
        "(518) 555-0142 ext 12",
        "Call before 10",
    )
    csvc.create_customer(session, name="Web shop", kind="web shop")
    rows = csvc.list_customers(session)
    assert [r.name for r in rows] == ["Corner Deli", "Web shop"]
    assert rows[0].details.contact == "Sam Patel" and rows[0].shipments == 0
    assert [r.name for r in csvc.list_customers(session, search="555-0142")] == ["Corner Deli"]
    assert [r.name for r in csvc.list_customers(session, search="DELI.EX")] == ["Corner Deli"]
    csvc.update_customer(
        session, c.id, CustomerDetails("Corner Deli", "retailer", "Ravi", "", "", "", ""), actor="b"
    )
    assert (c.contact, c.phone, c.email) == ("Ravi", "", "")
    with pytest.raises(ConflictError, match=r"^customer name: another customer is already called"):
        csvc.update_customer(session, c.id, CustomerDetails("web SHOP"))
    assert csvc.customer_choices(session) == [(c.id, "Corner Deli"), (rows[1].id, "Web shop")]


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        (CustomerDetails(""), "customer name", r"^customer name: give the customer's"),
        (CustomerDetails("x" * 201), "customer name", r"^customer name: at most 200"),
        (CustomerDetails("A", kind="friend"), "customer kind", r"^kind: choose one of customer"),
        (CustomerDetails("A", email="sam.deli.example"), "email", r"^e-mail: 'sam.deli.example'"),
        (CustomerDetails("A", email="a b@c.de"), "email", r"^e-mail: "),
        (CustomerDetails("A", email="sam@"), "email", r"^e-mail: 'sam@' does not look"),
        (CustomerDetails("A", phone="12-34"), "phone", r"^phone: '12-34' has too few digits"),
        (CustomerDetails("A", phone="call me"), "phone", r"^phone: 'call me' has letters"),
        (CustomerDetails("A", contact="c" * 201), "contact", r"^contact person: at most 200"),
    ],
)
def test_details_are_checked_field_by_field(session, details, field, message):
    with pytest.raises(ValidationError, match=message) as e:
        csvc.create_customer(session, details)
    assert e.value.field == field
    assert csvc.list_customers(session) == []


def test_names_are_unique_in_any_case(session):
    csvc.create_customer(session, name="Corner Deli")
    with pytest.raises(ConflictError, match=r"^customer name: 'Corner Deli' already exists"):
        csvc.create_customer(session, name="corner deli")


def test_typing_a_name_never_creates_a_customer(session):
    k = kitchen(session)
    b = released_batch(session, k.sauce_v, "24")
    with pytest.raises(NotFoundError, match=r"^customer: there is no customer called 'Deli'"):
        bat.ship_batch(session, b.id, customer="Deli", quantity="1", shipped_date=DAY)
    assert csvc.list_customers(session) == []
    deli = csvc.create_customer(session, name="Deli")
    bat.ship_batch(session, b.id, customer=deli.id, quantity="1", shipped_date=DAY)
    bat.ship_batch(session, b.id, customer="  deli ", quantity="2", shipped_date=DAY)
    (row,) = csvc.list_customers(session)
    assert (row.shipments, row.last_shipped) == (2, DAY)
    # shipped to: it stays on record
    with pytest.raises(ConflictError, match=r"^customer: Deli received 2 shipments"):
        csvc.delete_customer(session, deli.id)
    other = csvc.create_customer(session, name="Nobody yet")
    csvc.delete_customer(session, other.id)
    assert [r.name for r in csvc.list_customers(session)] == ["Deli"]


def test_an_order_and_a_shipment_use_the_same_customer_record(session):
    """One customer model: an order (issue 13) and an ad-hoc shipment name the same row;
    a customer with an order stays on record."""
    from smallbatch_desktop.services import orders as ords

    k = kitchen(session)
    b = released_batch(session, k.sauce_v, "24")
    shop = csvc.create_customer(session, name="Hilltop Shop", phone="(518) 555-0100")
    order = ords.create_order(
        session, customer="hilltop shop", lines=[ords.OrderLineInput("HS", "2")]
    )
    shipped = bat.ship_batch(session, b.id, customer=shop.id, quantity="1", shipped_date=DAY)
    assert order.customer_id == shipped.customer_id == shop.id
    (row,) = csvc.list_customers(session)
    assert (row.name, row.phone, row.shipments) == ("Hilltop Shop", "(518) 555-0100", 1)
    lonely = csvc.create_customer(session, name="Ordered only")
    ords.create_order(session, customer=lonely.id, lines=[ords.OrderLineInput("HS", "1")])
    with pytest.raises(ConflictError, match=r"^customer: Ordered only has 1 order; a customer"):
        csvc.delete_customer(session, lonely.id)
