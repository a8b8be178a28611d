"""Customers: who finished goods go to (a shop, a market stall, the web shop), with the
contact details a recall needs: contact person, phone, e-mail, address, notes.

A customer is created on purpose (the Customers view, or "New customer..." beside a
shipment), never as a side effect of typing a name. Every refusal names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import (
    ConflictError,
    DuplicateError,
    NotFoundError,
    ValidationError,
)
from smallbatch_desktop.domain.models import Customer, SalesOrder, Shipment
from smallbatch_desktop.domain.text import check_text
from smallbatch_desktop.services.common import audit, get_or_404, like, optional_text
from smallbatch_desktop.services.fast_reads import db_date

CUSTOMER_KINDS = ("customer", "retailer", "wholesaler", "market", "web shop", "other")

#: one "@" between a name and a host, no spaces (a local host without a dot is legal)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE_CHARS = re.compile(r"^[0-9+()\-./ ]*(?:\s*(?:ext\.?|x)\s*[0-9]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class CustomerDetails:
    """What the form holds; ``clean`` checks it all and names the first wrong field."""

    name: str
    kind: str = "customer"
    contact: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    notes: str = ""

    def clean(self) -> CustomerDetails:
        name = " ".join(check_text(self.name or "", field="customer name").split())
        if not name:
            raise ValidationError(
                "customer name: give the customer's or channel's name", field="customer name"
            )
        if len(name) > 200:
            raise ValidationError(
                f"customer name: at most 200 characters (this one has {len(name)})",
                field="customer name",
            )
        kind = (self.kind or "customer").strip().lower()
        if kind not in CUSTOMER_KINDS:
            raise ValidationError(
                f"kind: choose one of {', '.join(CUSTOMER_KINDS)} (not {self.kind!r})",
                field="customer kind",
            )
        email = (self.email or "").strip()
        if email and not _EMAIL.match(email):
            raise ValidationError(
                f"e-mail: {email!r} does not look like an e-mail address (name@example.com)",
                field="email",
            )
        phone = " ".join((self.phone or "").split())
        if phone:
            digits = sum(ch.isdigit() for ch in phone)
            if not _PHONE_CHARS.match(phone):
                raise ValidationError(
                    f"phone: {phone!r} has letters or signs a phone number does not; "
                    "use digits, spaces and + ( ) - . (and 'ext' for an extension)",
                    field="phone",
                )
            if digits < 5:
                raise ValidationError(
                    f"phone: {phone!r} has too few digits for a phone number", field="phone"
                )
        return CustomerDetails(
            name=name,
            kind=kind,
            contact=_text(self.contact, "contact", "contact person", 200),
            phone=_text(phone, "phone", "phone", 50),
            email=_text(email, "email", "e-mail", 200),
            address=optional_text(self.address, field="address", lines=True),
            notes=optional_text(self.notes, field="notes", lines=True),
        )


def _text(value: str, field: str, words: str, max_len: int) -> str:
    text = check_text((value or "").strip(), field=field)
    if len(text) > max_len:
        raise ValidationError(
            f"{words}: at most {max_len} characters (this has {len(text)})", field=field
        )
    return text


@dataclass(frozen=True)
class CustomerRow:
    """A customer as the list and the form show it."""

    id: int
    name: str
    kind: str
    contact: str
    phone: str
    email: str
    address: str
    notes: str
    shipments: int
    last_shipped: dt.date | None

    @property
    def details(self) -> CustomerDetails:
        return CustomerDetails(
            self.name, self.kind, self.contact, self.phone, self.email, self.address, self.notes
        )


def _name_taken(session: Session, name: str, *, other_than: int | None = None) -> str | None:
    q = select(Customer.name).where(func.lower(Customer.name) == name.lower())
    if other_than is not None:
        q = q.where(Customer.id != other_than)
    return session.scalar(q)


def _flush_unique(session: Session, name: str) -> None:
    """Flush; another workstation that saved the same name a moment earlier is a
    clear message (the database's unique name refuses the second; the caller's unit of
    work then rolls back whole)."""
    try:
        session.flush()
    except (IntegrityError, DuplicateError):  # DuplicateError: the engine's guard said it
        raise ConflictError(
            f"customer name: {name!r} was just added on another workstation", field="customer name"
        ) from None


def create_customer(
    session: Session, details: CustomerDetails | None = None, *, actor: str = "", **fields: str
) -> Customer:
    """A new customer. ``details`` or the same as keywords (``name=...``)."""
    d = (details or CustomerDetails(**fields)).clean()
    taken = _name_taken(session, d.name)
    if taken is not None:
        raise ConflictError(
            f"customer name: {taken!r} already exists; pick it from the list", field="customer name"
        )
    c = Customer(
        name=d.name,
        kind=d.kind,
        contact=d.contact,
        phone=d.phone,
        email=d.email,
        address=d.address,
        notes=d.notes,
    )
    session.add(c)
    _flush_unique(session, d.name)
    audit(session, actor, "customer.create", "customer", c.id, name=d.name)
    return c


def update_customer(
    session: Session, customer_id: int, details: CustomerDetails, *, actor: str = ""
) -> Customer:
    c = get_or_404(session, Customer, customer_id, field="customer")
    d = details.clean()
    taken = _name_taken(session, d.name, other_than=c.id)
    if taken is not None:
        raise ConflictError(
            f"customer name: another customer is already called {taken!r}",
            field="customer name",
        )
    before = CustomerRow(
        c.id, c.name, c.kind, c.contact, c.phone, c.email, c.address, c.notes, 0, None
    ).details
    changed = {
        key: getattr(d, key)
        for key in ("name", "kind", "contact", "phone", "email", "address", "notes")
        if getattr(d, key) != getattr(before, key)
    }
    for key, value in changed.items():
        setattr(c, key, value)
    _flush_unique(session, d.name)
    if changed:
        audit(session, actor, "customer.update", "customer", c.id, **changed)
    return c


def delete_customer(session: Session, customer_id: int, *, actor: str = "") -> None:
    """Only a customer nothing was shipped to (a shipment is part of the trace)."""
    c = get_or_404(session, Customer, customer_id, field="customer")
    # shipments are part of the trace and recall; orders (issue 13) reference it too
    for table, what in ((Shipment, "received {n} shipment{s}"), (SalesOrder, "has {n} order{s}")):
        n = session.scalar(select(func.count()).select_from(table).where(table.customer_id == c.id))
        if n:
            said = what.format(n=n, s="s" if n != 1 else "")
            raise ConflictError(
                f"customer: {c.name} {said}; a customer with {table.__tablename__.replace('_', ' ')} "
                "stays on record for trace and recall",
                field="customer",
            )
    name = c.name
    session.delete(c)
    session.flush()
    audit(session, actor, "customer.delete", "customer", customer_id, name=name)


def customer_by_name(
    session: Session, name: str, *, create: bool = False, actor: str = ""
) -> Customer:
    """The customer with this name (any case). ``create`` makes one: only for imports
    and scripts that mean it; the UI picks from the list or creates on purpose."""
    clean = " ".join(check_text(name or "", field="customer").split())
    if not clean:
        raise ValidationError("customer: choose a customer", field="customer")
    c = session.scalar(select(Customer).where(func.lower(Customer.name) == clean.lower()))
    if c is None:
        if not create:
            raise NotFoundError(
                f"customer: there is no customer called {clean!r}; choose one from the list "
                "or add it with New customer…",
                field="customer",
            )
        c = create_customer(session, name=clean, actor=actor)
    return c


_LIST = """
SELECT c.id, c.name, c.kind, c.contact, c.phone, c.email, c.address, c.notes,
       COUNT(s.id), MAX(s.shipped_date)
FROM customers c LEFT JOIN shipments s ON s.customer_id = c.id
{where}
GROUP BY c.id, c.name, c.kind, c.contact, c.phone, c.email, c.address, c.notes
ORDER BY LOWER(c.name), c.id
"""


def list_customers(session: Session, *, search: str = "") -> list[CustomerRow]:
    """Every customer (a workshop has tens to a few thousand), by name; ``search``
    matches name, contact person, e-mail, phone or address."""
    where, params = "", {}
    if search.strip():
        op = like(session)
        where = (
            f"WHERE c.name {op} :q OR c.contact {op} :q OR c.email {op} :q "
            f"OR c.phone {op} :q OR c.address {op} :q"
        )
        params = {"q": f"%{search.strip()}%"}
    return [_row(r) for r in session.execute(text(_LIST.format(where=where)), params)]


def customer_row(session: Session, customer_id: int) -> CustomerRow:
    get_or_404(session, Customer, customer_id, field="customer")
    r = session.execute(text(_LIST.format(where="WHERE c.id = :id")), {"id": customer_id})
    return _row(r.one())


def _row(r: Any) -> CustomerRow:
    contact, phone, email, address, notes = (v or "" for v in r[3:8])
    return CustomerRow(
        r[0], r[1], r[2], contact, phone, email, address, notes, int(r[8] or 0), db_date(r[9])
    )


def customer_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every customer by name, for a picker."""
    rows = session.execute(select(Customer.id, Customer.name).order_by(func.lower(Customer.name)))
    return [(r[0], r[1]) for r in rows]
