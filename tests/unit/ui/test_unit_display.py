"""Settings -> Units shown: the views show mass and volume in metric or US customary
units; what is stored never changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.models import Batch, MaterialLot
from smallbatch_desktop.ui.models.batches import COLUMNS
from smallbatch_desktop.ui.testing import child
from smallbatch_desktop.ui.units import UnitDisplay, display_round


@pytest.mark.parametrize(
    ("system", "quantity", "unit", "shown"),
    [
        ("us", "1.5", "kg", ("3.31", "lb")),  # 1500 g / 453.59237 g = 3.3069 lb
        ("us", "150", "g", ("5.29", "oz")),  # 150 / 28.349523125 = 5.2911 oz
        ("us", "2", "l", ("67.63", "fl oz")),  # under a gallon: 2000 / 29.5735 = 67.628
        ("us", "10", "l", ("2.64", "gal")),  # 10000 / 3785.411784 = 2.6417 gal
        ("us", "500", "ml", ("16.91", "fl oz")),  # 500 / 29.5735295625 = 16.907 fl oz
        ("us", "24", "pcs", ("24", "pcs")),
        ("us", "3", "lb", ("3", "lb")),  # already US: as recorded
        ("metric", "2", "lb", ("907.18", "g")),  # 907.18474 g
        ("metric", "3", "lb", ("1.36", "kg")),
        ("metric", "1", "gal", ("3.79", "l")),
        ("metric", "1.5", "kg", ("1.5", "kg")),  # already metric: as recorded
    ],
)
def test_unit_display(system: str, quantity: str, unit: str, shown: tuple[str, str]) -> None:
    units = UnitDisplay(system)
    q, u = units.show(Decimal(quantity), unit)
    assert (f"{q:f}", u) == shown
    if u != unit:
        assert units.recorded(Decimal(quantity), unit) == f"recorded as {quantity} {unit}"
    else:
        assert units.recorded(Decimal(quantity), unit) == ""


def test_display_round_keeps_small_amounts_readable() -> None:
    assert display_round(Decimal("0.0176368")) == Decimal("0.0176")
    assert display_round(Decimal("22.046226")) == Decimal("22.05")
    assert display_round(Decimal("0")) == Decimal("0")


def _set_units(qtbot: Any, window: Any, system: str) -> None:
    dialog = window.open_settings()
    units = child(dialog, QWidget, "unitSystem")
    units.setCurrentIndex(units.findData(system))
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_views_follow_the_unit_setting_and_storage_does_not(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as s:
        mash = s.scalars(select(Batch).where(Batch.unit == "kg")).first()
        lot = s.scalars(select(MaterialLot).where(MaterialLot.unit == "kg")).first()
        assert mash is not None and lot is not None
        mash_id, mash_qty, lot_id, lot_code = mash.id, mash.planned_quantity, lot.id, lot.lot_code
    lb = Decimal("453.59237")
    expected_lb = f"{display_round(mash_qty * 1000 / lb):f}"

    batches = window.show_view("batchView")
    batches.refresh()  # the window opened before the workshop was filled
    inventory = window.view("inventoryView")
    trace = window.view("traceView")
    model = batches.model
    row = model.find_row(mash_id)
    cols = {c[1]: i for i, c in enumerate(COLUMNS)}

    def shown(attr: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.index(row, cols[attr]).data(role)

    assert (shown("planned_quantity"), shown("unit")) == (f"{mash_qty.normalize():f}", "kg")

    _set_units(qtbot, window, "us")
    assert (shown("planned_quantity"), shown("unit")) == (expected_lb, "lb")
    assert shown("planned_quantity", Qt.ItemDataRole.ToolTipRole) == (
        f"recorded as {mash_qty.normalize():f} kg"
    )
    batches.select_batch(mash_id)
    assert f"Planned {expected_lb} lb" in batches.detail.summary.text()
    # inventory: the lot's on-hand in lb
    inventory.open_lot(lot_id)
    lots = inventory.lots_model
    r = lots.find_row(lot_id)
    assert lots.index(r, 4).data() == "lb"  # the Unit column
    # trace: the quantities in the trees
    trace.trace(lot_code)
    texts = [
        trace.forward_model.index(i, 2, trace.forward_model.index(0, 0)).data()
        for i in range(trace.forward_model.rowCount(trace.forward_model.index(0, 0)))
    ]
    assert texts and all(" kg " not in t for t in texts)
    assert any(" lb " in t or " oz " in t for t in texts)

    # what is stored did not change
    with session_factory() as s:
        b = s.get(Batch, mash_id)
        assert b is not None and (b.planned_quantity, b.unit) == (mash_qty, "kg")

    _set_units(qtbot, window, "metric")
    assert (shown("planned_quantity"), shown("unit")) == (f"{mash_qty.normalize():f}", "kg")
    assert lots.index(lots.find_row(lot_id), 4).data() == "kg"
