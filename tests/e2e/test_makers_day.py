"""A maker's day, driven through the real widgets: create a supplier and a material,
receive lots (one by scanning the supplier's GS1 barcode), write and publish a recipe,
plan a batch with FEFO picks, enter QC (out of spec first), release, ship, amend, and
trace the supplier lot forward to the customer.  Every step is checked in the database
and in what the widgets show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.models import (
    Amendment,
    Batch,
    Consumption,
    Material,
    MaterialLot,
    QcResult,
    RecipeVersion,
    Shipment,
    Supplier,
)
from smallbatch_desktop.services.batches import preview_lot_code
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.testing import child


def _dialog(window: Any, name: str) -> QDialog:
    """The visible dialog with this name (closed ones linger until deleteLater runs)."""
    found = [w for w in window.findChildren(QDialog, name) if w.isVisible()]
    assert len(found) == 1, f"{len(found)} visible {name}"
    return found[0]


def _ok(qtbot: Any, dialog: QDialog) -> None:
    qtbot.mouseClick(child(dialog, QPushButton, "okButton"), Qt.MouseButton.LeftButton)


def _fill(qtbot: Any, widget: QLineEdit, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


def test_a_makers_day(qtbot: Any, window: Any, session_factory: sessionmaker[Session]) -> None:
    actions = window.actions_
    today = dt.date.today()

    # -- a supplier and two materials -------------------------------------------------
    actions[ActionId.NEW_SUPPLIER].trigger()
    d = _dialog(window, "supplierDialog")
    _fill(qtbot, child(d, QLineEdit, "supplierName"), "Valley Chili Farm")
    _fill(qtbot, child(d, QLineEdit, "supplierContact"), "Ana")
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())

    actions[ActionId.NEW_MATERIAL].trigger()
    d = _dialog(window, "materialDialog")
    _fill(qtbot, child(d, QLineEdit, "materialCode"), "chili")
    _fill(qtbot, child(d, QLineEdit, "materialName"), "Red chilies")
    child(d, QComboBox, "stockUnit").setCurrentText("kg")
    _fill(qtbot, child(d, QLineEdit, "reorderLevel"), "2")
    child(d, QComboBox, "defaultSupplier").setCurrentText("Valley Chili Farm")
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())

    # a second material with the same code is refused next to the field; nothing typed is lost
    actions[ActionId.NEW_MATERIAL].trigger()
    d = _dialog(window, "materialDialog")
    _fill(qtbot, child(d, QLineEdit, "materialCode"), "CHILI")
    _fill(qtbot, child(d, QLineEdit, "materialName"), "Cider vinegar")
    _ok(qtbot, d)
    err = child(d, QLabel, "materialCodeError")
    assert d.isVisible() and err.isVisible() and "already exists" in err.text()
    assert child(d, QLineEdit, "materialName").text() == "Cider vinegar"
    assert child(d, QLineEdit, "materialCode").property("invalid") is True
    _fill(qtbot, child(d, QLineEdit, "materialCode"), "VIN")
    child(d, QComboBox, "stockUnit").setCurrentText("l")
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Material)) == 2
        chili = s.scalar(select(Material).where(Material.code == "CHILI"))
        assert chili is not None and chili.reorder_level == Decimal("2")
        assert chili.default_supplier_id == s.scalar(select(Supplier.id))

    # -- receive lots: the chilies by scanning the supplier's GS1-128 barcode ------------
    actions[ActionId.RECEIVE_LOT].trigger()
    d = _dialog(window, "receiveLotDialog")
    combo = child(d, QComboBox, "lotMaterial")
    combo.setCurrentIndex(combo.findText("Red chilies (CHILI)"))
    assert child(d, QComboBox, "lotSupplier").currentText() == "Valley Chili Farm"
    scan = child(d, QLineEdit, "receiveScan")
    expiry = today + dt.timedelta(days=40)
    qtbot.keyClicks(scan, f"]C1010987654321098210VC-0042<GS>17{expiry:%y%m%d}")
    qtbot.keyClick(scan, Qt.Key.Key_Return)
    assert child(d, QLineEdit, "supplierLot").text() == "VC-0042"
    assert child(d, QLineEdit, "lotGtin").text() == "09876543210982"
    assert child(d, QCheckBox, "hasExpiry").isChecked()
    _fill(qtbot, child(d, QLineEdit, "lotQuantity"), "10")
    _fill(qtbot, child(d, QLineEdit, "unitCost"), "4.50")
    _fill(qtbot, child(d, QLineEdit, "lotOrigin"), "Hatch, NM, USA")
    _fill(qtbot, child(d, QLineEdit, "lotCertifications"), "Organic")
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())

    actions[ActionId.RECEIVE_LOT].trigger()
    d = _dialog(window, "receiveLotDialog")
    combo = child(d, QComboBox, "lotMaterial")
    combo.setCurrentIndex(combo.findText("Cider vinegar (VIN)"))
    _fill(qtbot, child(d, QLineEdit, "lotQuantity"), "0")
    assert child(d, QLineEdit, "lotQuantity").property("invalid") is True  # validated as typed
    _fill(qtbot, child(d, QLineEdit, "lotQuantity"), "5")
    _fill(qtbot, child(d, QLineEdit, "supplierLot"), "CV-1")
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    with session_factory() as s:
        lot = s.scalar(select(MaterialLot).where(MaterialLot.supplier_lot_code == "VC-0042"))
        assert lot is not None
        assert (lot.quantity_received, lot.unit, lot.expiry_date) == (Decimal("10"), "kg", expiry)
        assert lot.gtin == "09876543210982" and lot.origin == "Hatch, NM, USA"
        chili_lot_code = lot.lot_code
    inventory = window.view("inventoryView")
    assert window.current_view_name() == "inventoryView"
    assert inventory.selected_lot_code() != ""

    # -- write and publish a recipe ---------------------------------------------------
    actions[ActionId.NEW_RECIPE].trigger()
    d = _dialog(window, "newRecipeDialog")
    _fill(qtbot, child(d, QLineEdit, "recipeName"), "Red Chili Sauce")
    assert child(d, QLineEdit, "recipeCode").text() == "RCS"  # suggested from the name
    _fill(qtbot, child(d, QLineEdit, "recipeYield"), "12")
    child(d, QComboBox, "recipeYieldUnit").setCurrentText("pcs")
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    recipes = window.view("recipeView")
    assert window.current_view_name() == "recipeView"
    assert "Red Chili Sauce" in recipes.title.text()
    assert recipes.save_button.isEnabled() and not recipes.new_version_button.isEnabled()

    qtbot.mouseClick(recipes.add_line_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(recipes.lines.cellWidget(0, 0), "Red chilies (CHILI)")
    assert recipes.lines.cellWidget(0, 2).currentText() == "kg"  # unit follows the material
    qtbot.keyClicks(recipes.lines.cellWidget(0, 1), "1.5")
    qtbot.mouseClick(recipes.add_line_button, Qt.MouseButton.LeftButton)
    picker = recipes.lines.cellWidget(1, 0)
    qtbot.keyClicks(picker, "Cider")
    assert picker.property("invalid") is True  # not (yet) a known material
    picker.clear()
    qtbot.keyClicks(picker, "Cider vinegar (VIN)")
    assert picker.property("invalid") is False
    qtbot.keyClicks(recipes.lines.cellWidget(1, 1), "0.6")
    _fill(qtbot, recipes.shelf_life, "180")
    recipes.tabs.setCurrentIndex(2)
    qtbot.mouseClick(recipes.add_qc_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(recipes.qc.cellWidget(0, 0), "pH")
    recipes.qc.cellWidget(0, 1).setCurrentIndex(0)  # Number
    qtbot.keyClicks(recipes.qc.cellWidget(0, 2), "3.0")
    qtbot.keyClicks(recipes.qc.cellWidget(0, 3), "3.9")
    assert recipes.is_dirty()
    qtbot.mouseClick(recipes.publish_button, Qt.MouseButton.LeftButton)
    assert recipes.form_error.text() == ""
    with session_factory() as s:
        v = s.scalar(select(RecipeVersion))
        assert v is not None and v.status == "published" and v.shelf_life_days == 180
        assert [(ln.quantity, ln.unit) for ln in v.lines] == [
            (Decimal("1.5"), "kg"),
            (Decimal("0.6"), "l"),
        ]
        assert v.qc_items[0].min_value == Decimal("3") and v.qc_items[0].max_value == Decimal("3.9")
        version_id = v.id
    assert recipes.new_version_button.isEnabled() and not recipes.publish_button.isEnabled()
    assert recipes.frozen_hint.isVisible()

    # -- plan a batch: preview, FEFO picks, one transaction ----------------------------
    qtbot.mouseClick(recipes.plan_button, Qt.MouseButton.LeftButton)
    d = _dialog(window, "newBatchDialog")
    assert d.version_combo.currentData() == version_id
    _fill(qtbot, d.target, "24")
    qtbot.waitUntil(lambda: "3 kg" in d.picks.table.item(0, 0).text(), timeout=3000)
    with session_factory() as s:
        expected_code = preview_lot_code(s, version_id)
    assert child(d, QLabel, "lotCodePreview").text() == expected_code
    assert d.picks.picks()[0].lot_code == chili_lot_code
    assert "✓" in d.picks.summary.text()
    # too much from one lot turns red, live
    qty0 = d.picks.table.cellWidget(0, 3)
    _fill(qtbot, qty0, "11")
    assert qty0.property("invalid") is True
    _fill(qtbot, qty0, "3")
    assert qty0.property("invalid") is False
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    with session_factory() as s:
        b = s.scalar(select(Batch))
        assert b is not None and b.lot_code == expected_code and b.status == "planned"
        assert b.planned_quantity == Decimal("24")
        assert sorted((c.quantity, c.unit) for c in s.scalars(select(Consumption))) == [
            (Decimal("1.2"), "l"),
            (Decimal("3"), "kg"),
        ]
        batch_id = b.id
    batches = window.view("batchView")
    assert window.current_view_name() == "batchView"
    detail = batches.detail
    assert detail.batch_id == batch_id
    assert detail.lot_label.text() == expected_code
    assert detail.inputs_tab.model.rowCount() == 2

    # -- status life, QC with an out-of-spec value first -------------------------------
    assert detail.status_buttons["start"].isEnabled()
    assert not detail.status_buttons["release"].isEnabled()
    qtbot.mouseClick(detail.status_buttons["start"], Qt.MouseButton.LeftButton)
    # finishing production asks what the batch actually made (the plan, selected)
    qtbot.mouseClick(detail.status_buttons["to_qc"], Qt.MouseButton.LeftButton)
    d = _dialog(detail, "finishProductionDialog")
    actual = child(d, QLineEdit, "actualYield")
    assert actual.text() == "24" and actual.selectedText() == "24"
    qtbot.keyClicks(actual, "23")  # replaces the plan
    _fill(qtbot, child(d, QLineEdit, "wasteQuantity"), "1")
    _ok(qtbot, d)
    assert "Waste reason: say why 1 pcs" in child(d, QLabel, "wasteReasonError").text()
    assert d.isVisible() and detail.status_label.text() == "In production"
    _fill(qtbot, child(d, QLineEdit, "wasteQuantity"), "")
    _fill(qtbot, actual, "24")
    assert child(d, QLabel, "yieldBalance").text() == "24 pcs made = the 24 pcs planned"
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    assert detail.status_label.text() == "QC hold"
    assert "actual yield 24 pcs" in detail.summary.text()
    assert detail.status_buttons["release"].isEnabled()
    # before any click the maker sees why Release would be refused (the service decides)
    assert detail.release_blockers() == ["pH: missing"]
    assert detail.release_hint.isVisible() and "pH: missing" in detail.release_hint.text()
    assert "pH: missing" in detail.status_buttons["release"].toolTip()
    assert detail.status_buttons["release"].property("warning") is True
    detail.tabs.setCurrentIndex(1)
    ph = detail.qc_tab.table.cellWidget(0, 2)
    qtbot.keyClicks(ph, "4.2")
    assert ph.property("invalid") is True  # out of spec, highlighted as typed
    qtbot.mouseClick(detail.qc_tab.save_button, Qt.MouseButton.LeftButton)
    assert detail.qc_tab.table.item(0, 3).text() == "fail"
    assert detail.release_blockers() == ["pH: failed (4.2)"]
    qtbot.mouseClick(detail.status_buttons["release"], Qt.MouseButton.LeftButton)
    assert "cannot release" in detail.status_error.text()
    ph = detail.qc_tab.table.cellWidget(0, 2)
    _fill(qtbot, ph, "3.5")
    assert ph.property("invalid") is False
    qtbot.mouseClick(detail.qc_tab.save_button, Qt.MouseButton.LeftButton)
    assert detail.release_blockers() == [] and not detail.release_hint.isVisible()
    assert detail.status_buttons["release"].property("warning") is False
    qtbot.mouseClick(detail.status_buttons["release"], Qt.MouseButton.LeftButton)
    assert detail.status_label.text() == "Released"
    with session_factory() as s:
        b = s.get(Batch, batch_id)
        assert b is not None and b.status == "released" and b.released_by == "tester"
        assert [r.passed for r in s.scalars(select(QcResult).order_by(QcResult.id))] == [
            False,
            True,
        ]
    assert batches.model.row_at(batches.model.find_row(batch_id)).status == "released"

    # -- ship, then amend the released record -------------------------------------------
    detail.tabs.setCurrentIndex(2)
    ships = detail.shipments_tab
    ships.customer.setEditText("Green Grocer")
    _fill(qtbot, detail.shipments_tab.qty, "10")
    qtbot.mouseClick(detail.shipments_tab.button, Qt.MouseButton.LeftButton)
    # a name typed is not a customer: it is created on purpose, with its details
    assert "no customer called 'Green Grocer'" in child(detail, QLabel, "shipError").text()
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Shipment)) == 0
    qtbot.mouseClick(ships.new_customer_button, Qt.MouseButton.LeftButton)
    d = _dialog(detail, "customerDialog")
    assert child(d, QLineEdit, "customerName").text() == "Green Grocer"
    _fill(qtbot, child(d, QLineEdit, "customerContact"), "Buying desk")
    _fill(qtbot, child(d, QLineEdit, "customerPhone"), "(845) 555-0177")
    _ok(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    assert ships.customer.currentText() == "Green Grocer" and ships.customer_id() is not None
    _fill(qtbot, detail.shipments_tab.qty, "30")
    qtbot.mouseClick(detail.shipments_tab.button, Qt.MouseButton.LeftButton)
    assert "more than" in child(detail, QLabel, "shipError").text()  # only 24 made
    assert detail.shipments_tab.qty.text() == "30"
    _fill(qtbot, detail.shipments_tab.qty, "10")
    _fill(qtbot, detail.shipments_tab.doc, "INV-7")
    qtbot.mouseClick(detail.shipments_tab.button, Qt.MouseButton.LeftButton)
    assert detail.shipments_tab.model.rowCount() == 1
    detail.tabs.setCurrentIndex(3)
    detail.amendments_tab.field.setCurrentIndex(
        detail.amendments_tab.field.findData("actual_quantity")
    )
    _fill(qtbot, detail.amendments_tab.value, "23")
    qtbot.mouseClick(detail.amendments_tab.button, Qt.MouseButton.LeftButton)
    assert child(detail, QLabel, "amendError").text().startswith("Reason: say why")
    _fill(qtbot, detail.amendments_tab.reason, "One bottle broke at capping")
    qtbot.mouseClick(detail.amendments_tab.button, Qt.MouseButton.LeftButton)
    with session_factory() as s:
        sh = s.scalar(select(Shipment))
        assert (
            sh is not None and sh.quantity == Decimal("10") and sh.customer.name == "Green Grocer"
        )
        a = s.scalar(select(Amendment))
        assert a is not None and a.field == "actual_quantity"
        assert (Decimal(a.old_value), Decimal(a.new_value)) == (Decimal(24), Decimal(23))
        assert a.reason == "One bottle broke at capping" and a.amended_by == "tester"

    # -- scan the supplier's lot code, trace it to the customer ------------------------
    qtbot.keyClicks(window.scan_box, "VC-0042")
    qtbot.keyClick(window.scan_box, Qt.Key.Key_Return)
    assert window.current_view_name() == "inventoryView"
    assert inventory.selected_lot_code() == chili_lot_code
    actions[ActionId.TRACE_LOT].trigger()
    trace = window.view("traceView")
    assert window.current_view_name() == "traceView"
    forward = child(trace, QTreeView, "forwardTree").model()
    texts = _all_texts(forward)
    assert expected_code in texts and "Green Grocer" in texts
    # and backward from the batch: supplier, supplier lot and origin are there
    trace.trace(expected_code)
    back = _all_texts(child(trace, QTreeView, "backwardTree").model())
    assert chili_lot_code in back and "Valley Chili Farm (VC-0042)" in back
    assert any("Hatch, NM, USA" in t for t in back)


def _all_texts(model: Any) -> set[str]:
    out: set[str] = set()

    def walk(parent: Any) -> None:
        for r in range(model.rowCount(parent)):
            for c in range(model.columnCount(parent)):
                idx = model.index(r, c, parent)
                out.add(str(idx.data() or ""))
            walk(model.index(r, 0, parent))

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return out
