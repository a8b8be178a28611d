"""Control characters are refused at the service layer, naming the field; multi-line
fields keep their line breaks and tabs (CR LF becomes LF); nothing is half-written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from factories import kitchen, released_batch
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.label_layout import TextElement, default_sheet_layout
from smallbatch_desktop.domain.models import Customer, Supplier
from smallbatch_desktop.domain.text import check_text
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import labels as lab
from smallbatch_desktop.services import recipes as rec
from smallbatch_desktop.services.customers import customer_by_name

HOSTILE = ["A\x00B", "A\x1bB", "A\x07B", "A\x7fB", "A\x85B", "A\x9bB"]

Call = Callable[[Session, Any, str], object]


def _layout_with_text(s: Session, k: Any, v: str) -> object:
    layout = default_sheet_layout()
    el = layout.element("product")
    assert isinstance(el, TextElement)
    new = layout.replace_element("product", TextElement(**{**el.__dict__, "text": v}))
    return lab.save_layout(s, new.__class__(**{**new.__dict__, "name": "Jar"}))


def _lot(s: Session, k: Any, **kw: str) -> object:
    return inv.receive_lot(s, material_id=k.chili_lot.material_id, quantity="1", **kw)


def _plan(s: Session, k: Any, **kw: str) -> object:
    return bat.plan_batch(s, recipe_version_id=k.sauce_v.id, planned_quantity="24", **kw)


def _ship(s: Session, k: Any, **kw: str) -> object:
    return bat.ship_batch(s, k.batch_id, quantity="1", **{"customer": "Shop", **kw})


def _draft(s: Session, k: Any, **kw: Any) -> object:
    return rec.update_draft(s, k.draft_id, **kw)


def given(fn: Callable[..., object], key: str, **fixed: Any) -> Call:
    """A call that puts the typed value in ``key``."""
    return lambda s, k, v: fn(s, k, **fixed, **{key: v})


def _svc(fn: Callable[..., object]) -> Callable[..., object]:
    return lambda s, _k, **kw: fn(s, **kw)


# (what a person fills in, how, the field named in the refusal, one line only?)
CASES: list[tuple[str, Call, str, bool]] = [
    ("supplier name", given(_svc(inv.create_supplier), "name"), "supplier name", True),
    ("supplier notes", given(_svc(inv.create_supplier), "notes", name="X"), "notes", False),
    ("customer name", given(_svc(inv.create_customer), "name"), "customer name", True),
    ("customer address", given(_svc(inv.create_customer), "address", name="X"), "address", False),
    (
        "material name",
        given(_svc(inv.create_material), "name", code="M1", stock_unit="kg"),
        "material name",
        True,
    ),
    ("lot origin", given(_lot, "origin"), "origin", True),
    ("supplier lot", given(_lot, "supplier_lot_code"), "supplier lot", True),
    (
        "recipe name",
        given(_svc(rec.create_recipe), "name", code="R1", yield_quantity="1", yield_unit="kg"),
        "recipe name",
        True,
    ),
    ("recipe steps", given(_draft, "steps"), "steps", False),
    (
        "label fact",
        lambda s, k, v: _draft(s, k, label_facts={"storage": v}),
        "label fact storage",
        False,
    ),
    ("batch operator", given(_plan, "operator"), "operator", True),
    ("batch notes", given(_plan, "notes"), "notes", False),
    ("shipment document", given(_ship, "document_number"), "document number", True),
    ("shipment customer", given(_ship, "customer"), "customer", True),
    ("label layout text", _layout_with_text, "product", False),
    ("printer profile", lambda s, k, v: lab.save_printer_profile(s, v, dpi=203), "name", True),
]


@pytest.mark.parametrize("what, call, field, single", CASES, ids=[c[0] for c in CASES])
def test_control_characters_are_refused_naming_the_field(
    session: Session, what: str, call: Call, field: str, single: bool
) -> None:
    k = kitchen(session)
    k.draft_id = rec.new_version(session, k.sauce_v.id).id  # type: ignore[attr-defined]
    k.batch_id = released_batch(session, k.sauce_v, "24").id  # type: ignore[attr-defined]
    customers = 0
    if what.startswith("shipment"):  # a shipment goes to a customer on record
        customer_by_name(session, "Shop", create=True)
        customers = 1
    session.commit()
    for bad in HOSTILE:
        with pytest.raises(ValidationError) as err, session.begin_nested():
            call(session, k, bad)
        assert err.value.field == field, (what, bad)
        assert str(err.value).startswith(f"{field}: contains"), str(err.value)
        assert f"U+{ord(bad[1]):04X}" in str(err.value) and "character 2" in str(err.value)
    # nothing of a refused action is left behind
    assert session.scalar(select(func.count()).select_from(Supplier)) == 1
    assert session.scalar(select(func.count()).select_from(Customer)) == customers
    # a line break: refused in a one-line field, kept (CR LF -> LF) in a multi-line one
    if single:
        with pytest.raises(ValidationError, match="line break"), session.begin_nested():
            call(session, k, "two\nlines")
    else:
        with session.begin_nested():
            call(session, k, "two\r\nlines\tand a tab")


def test_multi_line_text_is_normalised_and_kept(session: Session) -> None:
    sup = inv.create_supplier(session, name="Farm", address="1 Lane\r\nTown\rCounty\tUK")
    assert sup.address == "1 Lane\nTown\nCounty\tUK"
    # accents, scripts and emoji are text, not control characters
    for ok in ("Jalapeño", "שמן זית", "زيت زيتون", "chili 🌶"):
        assert check_text(ok, field="x") == ok
