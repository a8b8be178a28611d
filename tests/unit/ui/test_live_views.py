"""One operation runner and one change bus: an action taken in one view (or dialog) shows
in every other view that displays the same data, with no Refresh; refusals and bugs are
shown and nothing is half-written."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit, QWidget
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.models import AuditEntry, MaterialLot, Supplier
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.ops import Change, Changed, watch
from smallbatch_desktop.ui.testing import child, make_context


def _ok(dialog: Any) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _lot_row(view: Any, lot_id: int) -> Any:
    row = view.lots_model.find_row(lot_id)
    return view.lots_model.row_at(row) if row >= 0 else None


@pytest.fixture
def no_refresh(window: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails the test if anything goes through the Refresh action."""
    used: list[str] = []
    monkeypatch.setattr(window, "refresh_current", lambda: used.append("refresh"))
    return used


@pytest.fixture
def day(window: Any, workshop: dict[str, int], no_refresh: list[str]) -> Iterator[Any]:
    """The main window on the small workshop; at the end, nothing used Refresh."""
    yield window


def test_a_received_lot_shows_in_inventory_without_refresh(
    qtbot: Any, day: Any, session_factory: sessionmaker[Session]
) -> None:
    window = day
    inventory = window.show_view("inventoryView")
    before = inventory.lots_model.rowCount()
    window.actions_[ActionId.RECEIVE_LOT].trigger()
    dialog = window.findChild(QWidget, "receiveLotDialog")
    material = child(dialog, QComboBox, "lotMaterial")
    material.setCurrentIndex(material.findText("Garlic", Qt.MatchFlag.MatchStartsWith))
    qtbot.keyClicks(child(dialog, QLineEdit, "lotQuantity"), "7.5")
    qtbot.keyClicks(child(dialog, QLineEdit, "supplierLot"), "LIVE-1")
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with session_factory() as s:
        lot = s.scalar(select(MaterialLot).where(MaterialLot.supplier_lot_code == "LIVE-1"))
        assert lot is not None
    assert inventory.lots_model.rowCount() == before + 1
    row = _lot_row(inventory, lot.id)
    assert row is not None and row.on_hand == Decimal("7.5")


def test_inputs_recorded_on_a_batch_update_inventory_on_hand_and_its_detail_line(
    qtbot: Any, day: Any, workshop: dict[str, int], session_factory: sessionmaker[Session]
) -> None:
    """Record 0.5 of a material lot on the planned batch: the Inventory view (built
    before, hidden meanwhile) shows the new on-hand in its row and in the selected lot's
    record line, and the batch's Inputs tab lists the pick."""
    window = day
    with session_factory() as s:
        lots = {lot.lot_code: (lot.id, lot.unit) for lot in s.scalars(select(MaterialLot))}
    batches = window.show_view("batchView")
    batches.select_batch(workshop["planned_batch"])
    dialog = batches.detail.record_inputs_dialog()
    table = dialog.picks.table
    chosen: tuple[int, int, str] | None = None  # row, lot id, lot code
    for r in range(table.rowCount()):
        combo = table.cellWidget(r, 1)
        for k in range(combo.count()):
            code = next((c for c in lots if c in combo.itemText(k)), None)
            if chosen is None and code is not None:
                combo.setCurrentIndex(k)
                chosen = (r, lots[code][0], code)
        table.cellWidget(r, 3).setText("")
    assert chosen is not None
    row, lot_id, lot_code = chosen
    unit = lots[lot_code][1]
    with session_factory() as s:
        start = inv.lot_on_hand(s, lot_id)

    inventory = window.show_view("inventoryView")
    inventory.open_lot(lot_id)
    detail = child(inventory, QLabel, "lotDetail")
    units = window.ctx.units
    assert f"on hand {units.text(start, unit)}" in detail.text()
    window.show_view("batchView")

    table.cellWidget(row, 3).setText("0.5")
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert any(r.lot_code == lot_code for r in batches.detail.inputs_tab.model.rows())

    window.show_view("inventoryView")
    now = start - Decimal("0.5")
    assert _lot_row(inventory, lot_id).on_hand == now
    assert inventory.selected_lot_code() == lot_code
    assert f"on hand {units.text(now, unit)}" in detail.text()


def test_a_shipment_shows_in_an_open_trace_without_refresh(
    qtbot: Any, day: Any, workshop: dict[str, int]
) -> None:
    window = day
    batches = window.show_view("batchView")
    batches.select_batch(workshop["hs_batch"])
    code = batches.detail.detail.lot_code
    trace = window.show_view("traceView")
    trace.trace(code)
    shipped_before = len(trace.forward_result.shipments)
    window.show_view("batchView")
    panel = batches.detail
    ships = panel.shipments_tab
    ships.customer.setEditText("The Corner Deli")  # a customer on record
    ships.qty.setText("2")
    assert ships.ship()
    window.show_view("traceView")
    assert len(trace.forward_result.shipments) == shipped_before + 1


def test_a_refused_action_writes_nothing_and_names_the_field(
    qtbot: Any, window: Any, session_factory: sessionmaker[Session]
) -> None:
    window.actions_[ActionId.NEW_SUPPLIER].trigger()
    dialog = window.findChild(QWidget, "supplierDialog")
    seen: list[Changed] = []
    window.ctx.bus.changed.connect(seen.append)
    _ok(dialog)  # no name
    assert dialog.isVisible()
    assert child(dialog, QLabel, "supplierNameError").text()
    assert child(dialog, QLineEdit, "supplierName").property("invalid") is True
    assert seen == []
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Supplier)) == 0


def test_a_bug_in_an_action_rolls_back_is_reported_and_announces_nothing(
    qtbot: Any, qapp: Any, session_factory: sessionmaker[Session]
) -> None:
    ctx = make_context(session_factory)
    seen: list[Changed] = []
    ctx.bus.changed.connect(seen.append)

    def half_then_bug(s: Session) -> None:
        inv.create_supplier(s, name="Half written")
        s.flush()
        raise RuntimeError("boom")

    done = ctx.run(half_then_bug, changes=Change.SUPPLIERS)
    assert not done and isinstance(done.error, RuntimeError)
    assert ctx.errors.last is done.error  # logged and shown by the reporter
    assert seen == []
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Supplier)) == 0
    # a refusal with no form goes to the reporter too, as a plain message
    refused = ctx.run(lambda s: inv.create_supplier(s, name=""), changes=Change.SUPPLIERS)
    assert isinstance(refused.error, ValidationError) and ctx.errors.last is refused.error
    ok = ctx.run(lambda s: inv.create_supplier(s, name="Whole").id, changes=Change.SUPPLIERS)
    assert ok and isinstance(ok.value, int)
    assert [e.kinds for e in seen] == [Change.SUPPLIERS]


def test_a_hidden_view_reloads_when_shown_and_only_for_what_it_shows(
    qtbot: Any, session_factory: sessionmaker[Session]
) -> None:
    ctx = make_context(session_factory)
    widget = QWidget()
    qtbot.addWidget(widget)
    calls: list[Change] = []
    watch(widget, ctx, Change.LOTS | Change.BATCHES, lambda e: calls.append(e.kinds))
    ctx.bus.announce(Change.LOTS)  # hidden: deferred
    ctx.bus.announce(Change.RECIPES)  # not shown here: ignored
    assert calls == []
    widget.show()
    qtbot.waitExposed(widget)
    assert calls == [Change.LOTS]
    ctx.bus.announce(Change.BATCHES | Change.SHIPMENTS)
    assert calls == [Change.LOTS, Change.BATCHES | Change.SHIPMENTS]


@pytest.fixture
def cam_designer(qtbot: Any, session_factory: sessionmaker[Session], qsettings: Any) -> Any:
    """The label designer on the demo workshop, with Cam at the workbench."""
    from smallbatch_desktop.services.demo import load_demo
    from smallbatch_desktop.ui.testing import make_window

    with session_factory.begin() as s:
        load_demo(s)
    window = make_window(session_factory, qsettings, actor="Cam")
    qtbot.addWidget(window)
    return window.show_view("labelView")


def _actors(session_factory: sessionmaker[Session], action: str) -> list[str]:
    with session_factory() as s:
        return list(s.scalars(select(AuditEntry.actor).where(AuditEntry.action == action)))


def test_label_layout_changes_are_audited_with_the_person_working(
    cam_designer: Any, session_factory: sessionmaker[Session]
) -> None:
    view = cam_designer
    view.new_layout()
    view.add_element("text")
    assert view.save_as("Audited jar label")
    assert _actors(session_factory, "save_layout")[-1] == "Cam"


def test_a_custom_label_stock_and_a_deleted_layout_are_audited_with_the_person(
    qtbot: Any, cam_designer: Any, session_factory: sessionmaker[Session], monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    view = cam_designer
    # no modal question in a test: leave the stock change unsaved, confirm the deletion
    monkeypatch.setattr(view, "_ask_unsaved", lambda: QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    view.stock_picker.new_custom_stock()
    dialog = view.window().findChild(QWidget, "customStockDialog")
    child(dialog, QLineEdit, "customName").setText("Kitchen jar 62x29")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    view.new_layout()
    view.add_element("text")
    assert view.save_as("Short-lived label")
    assert view.delete_layout()
    assert _actors(session_factory, "save_stock") == ["Cam"]
    assert _actors(session_factory, "delete_layout") == ["Cam"]


def test_a_new_material_is_offered_in_the_recipe_editor_and_unsaved_edits_stay(
    qtbot: Any,
    day: Any,
    session_factory: sessionmaker[Session],
    workshop: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from smallbatch_desktop.domain.models import RecipeLine, RecipeVersion

    # no modal "save the changes?" (closing the window with a draft left dirty)
    monkeypatch.setattr(
        QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Discard
    )
    window = day
    recipes = window.show_view("recipeView")
    recipes.open_version(workshop["hs_v2"])
    qtbot.mouseClick(recipes.new_version_button, Qt.MouseButton.LeftButton)  # a draft
    assert recipes.save_button.isEnabled()
    draft_id = recipes._detail.id
    recipes.tabs.setCurrentIndex(1)
    qtbot.keyClicks(recipes.steps, "Stir in the chilies")
    assert recipes.is_dirty()

    window.actions_[ActionId.NEW_MATERIAL].trigger()  # from anywhere: File > New material
    dialog = window.findChild(QWidget, "materialDialog")
    qtbot.keyClicks(child(dialog, QLineEdit, "materialCode"), "CHILI")
    qtbot.keyClicks(child(dialog, QLineEdit, "materialName"), "Red chilies")
    child(dialog, QComboBox, "stockUnit").setCurrentText("kg")
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    # the line picker offers it at once; what was typed in the draft is still there
    assert "Red chilies (CHILI)" in recipes._completer_model.stringList()
    assert "Stir in the chilies" in recipes.steps.toPlainText()
    assert recipes.is_dirty()
    recipes.tabs.setCurrentIndex(0)
    row = recipes.add_line()
    qtbot.keyClicks(recipes.lines.cellWidget(row, 0), "Red chilies (CHILI)")
    qtbot.keyClicks(recipes.lines.cellWidget(row, 1), "0.5")
    qtbot.mouseClick(recipes.save_button, Qt.MouseButton.LeftButton)
    assert not recipes.is_dirty()
    with session_factory() as s:
        version = s.get(RecipeVersion, draft_id)
        assert version is not None and "Stir in the chilies" in version.steps
        names = [
            ln.material.name
            for ln in s.scalars(select(RecipeLine).where(RecipeLine.version_id == draft_id))
            if ln.material is not None
        ]
    assert "Red chilies" in names
