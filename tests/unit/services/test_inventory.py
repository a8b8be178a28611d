import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from smallbatch_desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    UnitError,
    ValidationError,
)
from smallbatch_desktop.domain.models import AuditEntry, MaterialLot
from smallbatch_desktop.services import inventory as inv


@pytest.fixture
def chili(session):
    sup = inv.create_supplier(session, name="Chili Farm")
    m = inv.create_material(
        session, code="chili", name="Habanero", stock_unit="kg", reorder_level="5"
    )
    return sup, m


def test_receive_lot_and_on_hand(session, chili):
    sup, m = chili
    lot = inv.receive_lot(
        session,
        material_id=m.id,
        quantity="12.5",
        unit="kg",
        supplier_id=sup.id,
        supplier_lot_code="CF-1",
        unit_cost="4.5",
        received_date="2026-01-10",
        expiry_date="2026-03-01",
        origin="Hatch",
        certifications="Organic",
        gtin="09506000134352",
    )
    assert lot.lot_code.startswith("R260110-")
    assert m.code == "CHILI"
    assert inv.lot_on_hand(session, lot.id) == Decimal("12.5")
    # a second lot in grams adds up exactly in the stock unit
    inv.receive_lot(session, material_id=m.id, quantity="750", unit="g", received_date="2026-01-11")
    assert inv.material_on_hand(session, m.id) == Decimal("13.25")
    assert session.scalars(select(AuditEntry.action)).all().count("lot.receive") == 2


def test_adjustments_with_reason_never_below_zero(session, chili):
    _, m = chili
    lot = inv.receive_lot(session, material_id=m.id, quantity="2", received_date="2026-01-10")
    inv.adjust_lot(session, lot.id, quantity="-0.5", reason="spill")
    assert inv.lot_on_hand(session, lot.id) == Decimal("1.5")
    with pytest.raises(ValidationError, match=r"^adjustment: -2 kg would leave -0.5"):
        inv.adjust_lot(session, lot.id, quantity="-2", reason="count")
    with pytest.raises(ValidationError, match=r"^reason: say why"):
        inv.adjust_lot(session, lot.id, quantity="1", reason=" ")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"quantity": "0"}, ValidationError, r"^quantity: must be greater than zero"),
        ({"quantity": "-3"}, ValidationError, r"^quantity: must be greater than zero"),
        ({"quantity": "abc"}, ValidationError, r"^quantity: 'abc' is not a number"),
        ({"quantity": "1", "unit": "stone"}, UnitError, r"^unit: unknown unit 'stone'"),
        ({"quantity": "1", "unit": "pcs"}, UnitError, r"^unit: cannot convert pcs"),
        (
            {"quantity": "1", "unit": "l"},
            UnitError,
            r"^unit: converting l to kg needs the material's density",
        ),
        (
            {"quantity": "1", "unit_cost": "-1"},
            ValidationError,
            r"^unit cost: must not be negative",
        ),
        (
            {"quantity": "1", "gtin": "09506000134353"},
            ValidationError,
            r"^GTIN: .* wrong check digit",
        ),
        (
            {"quantity": "1", "received_date": "2026-02-01", "expiry_date": "2026-01-01"},
            ValidationError,
            r"^expiry date: 2026-01-01 is before the received date",
        ),
        (
            {"quantity": "1", "expiry_date": "31/12/2026"},
            ValidationError,
            r"^expiry date: '31/12/2026' is not a date",
        ),
    ],
)
def test_receive_refusals_name_the_field(session, chili, kwargs, error, message):
    _, m = chili
    with pytest.raises(error, match=message):
        inv.receive_lot(session, material_id=m.id, **kwargs)
    assert session.scalars(select(MaterialLot)).all() == []


def test_duplicate_lot_code_refused(session, chili):
    _, m = chili
    inv.receive_lot(session, material_id=m.id, quantity="1", lot_code="ABC-1")
    with pytest.raises(ConflictError, match=r"^lot code: 'ABC-1' is already used"):
        inv.receive_lot(session, material_id=m.id, quantity="1", lot_code="ABC-1")


def test_unknown_lot(session):
    with pytest.raises(NotFoundError, match=r"^lot: no material lot with code 'NOPE'"):
        inv.lot_by_code(session, "NOPE")


def test_duplicates_and_bad_material_fields(session, chili):
    with pytest.raises(ConflictError, match=r"^supplier name: 'chili farm' already exists"):
        inv.create_supplier(session, name="chili farm")
    with pytest.raises(ConflictError, match=r"^material code: 'CHILI' already exists"):
        inv.create_material(session, code="Chili", name="x", stock_unit="kg")
    with pytest.raises(UnitError, match=r"^stock unit: unknown unit"):
        inv.create_material(session, code="X", name="x", stock_unit="bushel")
    with pytest.raises(ValidationError, match=r"^density: must be greater than zero"):
        inv.create_material(session, code="Y", name="y", stock_unit="l", density="0")


def test_low_stock_and_expiring_soon(session, chili):
    _, m = chili
    today = dt.date(2026, 1, 10)
    lot = inv.receive_lot(
        session,
        material_id=m.id,
        quantity="4",
        received_date=today,
        expiry_date=today + dt.timedelta(days=10),
    )
    inv.receive_lot(
        session,
        material_id=m.id,
        quantity="0.5",
        received_date=today,
        expiry_date=today + dt.timedelta(days=200),
    )
    low = inv.low_stock(session)
    assert [x.code for x in low] == ["CHILI"] and low[0].on_hand == Decimal("4.5")
    soon = inv.expiring_soon(session, within_days=30, today=today)
    assert [x.lot_code for x in soon] == [lot.lot_code]
    inv.receive_lot(session, material_id=m.id, quantity="10", received_date=today)
    assert inv.low_stock(session) == []


def test_fefo_order(session, chili):
    _, m = chili
    a = inv.receive_lot(
        session,
        material_id=m.id,
        quantity="1",
        received_date="2026-01-01",
        expiry_date="2026-06-01",
    )
    b = inv.receive_lot(
        session,
        material_id=m.id,
        quantity="1",
        received_date="2026-01-05",
        expiry_date="2026-03-01",
    )
    c = inv.receive_lot(session, material_id=m.id, quantity="1", received_date="2026-01-02")
    order = [
        x.lot_code for x in inv.list_lots(session, material_id=m.id, only_on_hand=True, fefo=True)
    ]
    assert order == [b.lot_code, a.lot_code, c.lot_code]
