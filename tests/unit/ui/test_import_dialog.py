"""File > Import… through the real widgets: file chosen, kind detected, mapping shown and
changed, bad rows red and named, Import enabled only when clean, the database checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
)
from sqlalchemy import func, select

from smallbatch_desktop.domain.models import Material, MaterialLot, Supplier
from smallbatch_desktop.services.imports import KINDS, auto_map, import_table, read_table
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.dialogs.import_data import ImportDialog
from smallbatch_desktop.ui.testing import child
from smallbatch_desktop.ui.theme import error_background, warning_background

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"


def count(sf, model):
    with sf() as s:
        return s.scalar(select(func.count()).select_from(model))


def seed(sf, *kinds):
    for kind in kinds:
        table = read_table(DATA / f"{kind}.csv")
        k = KINDS[kind]
        with sf.begin() as s:
            import_table(s, table, k, auto_map(table.headers, k.fields))


def open_dialog(window: Any, qtbot: Any, monkeypatch: Any, path: Path) -> ImportDialog:
    """File > Import…, then Choose file… with the file dialog answering ``path``."""
    window.actions_[ActionId.IMPORT].trigger()
    dialog = window.findChild(QDialog, "importDialog")
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(child(dialog, QPushButton, "browseButton"), Qt.MouseButton.LeftButton)
    return dialog


def preview_rows(dialog: ImportDialog) -> list[list[str]]:
    m = dialog.preview.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def click_import(qtbot: Any, dialog: ImportDialog) -> None:
    button = child(dialog, QPushButton, "importButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_suppliers_csv_detected_previewed_and_imported(window, qtbot, monkeypatch, session_factory):
    dialog = open_dialog(window, qtbot, monkeypatch, DATA / "suppliers.csv")
    assert child(dialog, QLabel, "detectedLabel").text() == "Detected: Suppliers"
    name_combo = child(dialog, QComboBox, "map_name")
    assert name_combo.currentText() == "Supplier"
    assert child(dialog, QComboBox, "map_region").currentText() == "(not imported)"
    rows = preview_rows(dialog)
    assert [r[:3] for r in rows] == [
        ["2", "New", "Rio Grande Chili Co."],
        ["3", "New", "Kent Apple Press"],
        ["4", "New", "Bottles & Jars Ltd"],
    ]
    assert rows[0][-1] == "supplier Rio Grande Chili Co."
    assert "3 to import, 0 duplicates skipped" in child(dialog, QLabel, "summaryLabel").text()
    assert count(session_factory, Supplier) == 0  # the preview wrote nothing
    click_import(qtbot, dialog)
    assert count(session_factory, Supplier) == 3
    assert "Imported 3 suppliers from suppliers.csv" in dialog.summary_label.text()
    assert not dialog.import_button.isEnabled()
    # the same file again: every row a duplicate, nothing to import
    dialog.open_file(DATA / "suppliers.csv")
    assert [r[1] for r in preview_rows(dialog)] == ["Duplicate (skipped)"] * 3
    m = dialog.preview.model()
    assert m.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).color() == warning_background()
    assert not dialog.import_button.isEnabled()
    assert count(session_factory, Supplier) == 3


def test_bad_rows_red_and_named_import_disabled(window, qtbot, monkeypatch, session_factory):
    seed(session_factory, "suppliers", "materials")
    dialog = open_dialog(window, qtbot, monkeypatch, DATA / "lots_bad.csv")
    assert dialog.detected_label.text() == "Detected: Lots received"
    problems = child(dialog, QListWidget, "problemList")
    lines = [problems.item(i).text() for i in range(problems.count())]
    assert lines == (DATA / "lots_bad.expected").read_text().splitlines()
    assert not child(dialog, QPushButton, "importButton").isEnabled()
    rows = preview_rows(dialog)
    assert [r[1] for r in rows] == ["New", "Bad", "Bad", "Bad", "Bad", "Bad"]
    assert (
        rows[4][-1]
        == "Unit cost: 'four' is not a number; Received: '2026-02-31' is not a real date"
    )
    m = dialog.preview.model()
    assert m.index(1, 0).data(Qt.ItemDataRole.BackgroundRole).color() == error_background()
    # clicking a problem selects its row in the preview
    problems.setCurrentRow(3)  # row 6
    selected = dialog.preview.selectionModel().selectedRows()
    assert [i.data() for i in selected] == ["6"]
    assert count(session_factory, MaterialLot) == 0


def test_mapping_changed_by_hand(window, qtbot, monkeypatch, session_factory, tmp_path):
    f = tmp_path / "firms.csv"
    f.write_text("Firm,Who,Tel\nAcme Spice,Bo Chan,555-1\n")
    dialog = open_dialog(window, qtbot, monkeypatch, f)
    assert dialog.detected_label.text() == "Not recognised: choose what the file holds"
    kind = child(dialog, QComboBox, "kindCombo")
    kind.setCurrentIndex(kind.findData("suppliers"))
    assert [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())] == [
        "row 1, Name: required, but no column is mapped to it"
    ]
    assert not dialog.import_button.isEnabled()
    dialog.set_column("name", "Firm")
    dialog.set_column("contact", "Who")
    assert child(dialog, QComboBox, "map_phone").currentText() == "Tel"  # "tel" alias
    assert dialog.problem_list.count() == 0
    click_import(qtbot, dialog)
    with session_factory() as s:
        sup = s.scalar(select(Supplier))
        assert (sup.name, sup.contact, sup.phone) == ("Acme Spice", "Bo Chan", "555-1")


def test_date_order_asked_then_chosen(window, qtbot, monkeypatch, session_factory, tmp_path):
    seed(session_factory, "suppliers", "materials")
    f = tmp_path / "lots.csv"
    f.write_text("Material,Qty,Received\nHAB,1,05/03/2026\nVIN,2,2026-03-07\n")
    dialog = open_dialog(window, qtbot, monkeypatch, f)
    assert not dialog.import_button.isEnabled()
    assert "Choose the date order" in child(dialog, QLabel, "errorLabel").text()
    assert (
        dialog.problem_list.item(0)
        .text()
        .startswith("row 2, Received: '05/03/2026' could be day/month or month/day")
    )
    combo = child(dialog, QComboBox, "dateOrderCombo")
    combo.setCurrentIndex(combo.findText("Month/day/year (01/31/2026)"))
    assert dialog.problem_list.count() == 0 and dialog.import_button.isEnabled()
    click_import(qtbot, dialog)
    with session_factory() as s:
        got = sorted(s.scalars(select(MaterialLot.received_date)))
    assert got == [dt.date(2026, 3, 7), dt.date(2026, 5, 3)]


def test_xlsx_lots_through_the_dialog(window, qtbot, monkeypatch, session_factory, tmp_path):
    from openpyxl import Workbook

    seed(session_factory, "suppliers", "materials")
    wb = Workbook()
    ws = wb.active
    ws.append(["Material code", "Quantity", "Supplier", "Best before"])
    ws.append(["HAB", 2.75, "Rio Grande Chili Co.", dt.datetime(2030, 9, 1)])
    wb.save(tmp_path / "lots.xlsx")
    dialog = open_dialog(window, qtbot, monkeypatch, tmp_path / "lots.xlsx")
    assert dialog.detected_label.text() == "Detected: Lots received"
    assert preview_rows(dialog)[0][:4] == ["2", "New", "HAB", "2.75"]
    click_import(qtbot, dialog)
    with session_factory() as s:
        lot = s.scalar(select(MaterialLot))
        assert str(lot.quantity_received.normalize()) == "2.75"
        assert lot.expiry_date == dt.date(2030, 9, 1)
    assert count(session_factory, Material) == 4


def test_workbook_sheet_chosen_in_the_dialog(window, qtbot, monkeypatch, session_factory, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Read me"
    wb.active.append(["This workbook lists our suppliers on the next sheet"])
    ws = wb.create_sheet("Suppliers")
    ws.append(["Supplier", "Email"])
    ws.append(["Acme Spice", "hello@acme.example"])
    wb.save(tmp_path / "book.xlsx")
    dialog = open_dialog(window, qtbot, monkeypatch, tmp_path / "book.xlsx")
    sheet = child(dialog, QComboBox, "sheetCombo")
    assert sheet.isVisible() and [sheet.itemText(i) for i in range(sheet.count())] == [
        "Read me",
        "Suppliers",
    ]
    assert not dialog.import_button.isEnabled()  # the first sheet is no supplier list
    sheet.setCurrentText("Suppliers")
    assert dialog.detected_label.text() == "Detected: Suppliers"
    click_import(qtbot, dialog)
    with session_factory() as s:
        assert s.scalar(select(Supplier.email)) == "hello@acme.example"


def test_a_row_gone_bad_since_the_preview_refuses_the_whole_import(
    window, qtbot, monkeypatch, session_factory
):
    from smallbatch_desktop.services import inventory as inv

    seed(session_factory, "suppliers", "materials")
    dialog = open_dialog(window, qtbot, monkeypatch, DATA / "lots_dmy.csv")
    assert dialog.import_button.isEnabled()
    # meanwhile another workstation gives the file's lot code R-VIN-0402 to a habanero lot
    with session_factory.begin() as s:
        hab = inv.material_by_code(s, "HAB")
        inv.receive_lot(s, material_id=hab.id, quantity="1", lot_code="R-VIN-0402")
    click_import(qtbot, dialog)
    assert [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())] == [
        "row 3, Lot code: 'R-VIN-0402' is already used"
    ]
    assert "nothing imported" in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()
    assert count(session_factory, MaterialLot) == 1  # only the other workstation's


def test_preview_model_passes_qtmodeltester(qtmodeltester, qtbot, session_factory):
    seed(session_factory, "suppliers", "materials")
    from smallbatch_desktop.ui.testing import make_context

    dialog = ImportDialog(make_context(session_factory), path=DATA / "lots_bad.csv")
    qtbot.addWidget(dialog)
    assert dialog.preview.model().rowCount() == 6
    qtmodeltester.check(dialog.preview.model(), force_py=True)


@pytest.mark.slow
def test_checking_runs_off_the_ui_thread(qtbot, session_factory):
    """With the real thread pool the preview arrives through the task signals."""
    from PySide6.QtCore import QThreadPool

    from smallbatch_desktop.ui.testing import make_context

    ctx = make_context(session_factory, pool=QThreadPool.globalInstance())
    tasks = ctx.tasks
    dialog = ImportDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.open_file(DATA / "suppliers.csv")
    assert dialog.summary_label.text() == "Checking the rows…"
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20_000)
    assert len(preview_rows(dialog)) == 3
    tasks.wait(10_000)


ORDERS = DATA.parent / "orders"


@pytest.fixture
def products(session_factory):
    from smallbatch_desktop.services import inventory as inv
    from smallbatch_desktop.services import recipes as rec
    from smallbatch_desktop.services.recipes import LineInput

    with session_factory.begin() as s:
        chili = inv.create_material(s, code="CHILI", name="Chili", stock_unit="kg")
        for code, name in (
            ("HHS", "Habanero Hot Sauce"),
            ("GJS", "Red Jalapeño Garlic Sauce"),
            ("LAV", "Lavender Olive Soap"),
        ):
            v = rec.create_recipe(s, code=code, name=name, yield_quantity="24", yield_unit="pcs")
            rec.update_draft(s, v.id, lines=[LineInput("1", "kg", material_id=chili.id)])
            rec.publish(s, v.id)
    return session_factory


def test_etsy_orders_through_the_dialog(window, qtbot, monkeypatch, products):
    from smallbatch_desktop.domain.models import SalesOrder

    sf = products
    dialog = open_dialog(window, qtbot, monkeypatch, ORDERS / "EtsySoldOrderItems2026-2.csv")
    assert dialog.detected_label.text() == "Detected: Orders: Etsy sold order items"
    assert child(dialog, QComboBox, "channelCombo").isVisible()
    table = child(dialog, QTableWidget, "productTable")
    assert table.isVisible()
    shown = {
        table.item(r, 0).text(): (table.cellWidget(r, 2).currentText(), table.item(r, 3).text())
        for r in range(table.rowCount())
    }
    assert shown == {
        "Personalised Habanero Hot Sauce, gift bottle (SKU HHS-150)": (
            "(choose a product)",
            "not matched: choose one",
        ),
        "Lavender Olive Soap bar (SKU LAV)": (
            "LAV · Lavender Olive Soap",
            "SKU is the product code",
        ),
        "Red Jalapeño Garlic Sauce": ("GJS · Red Jalapeño Garlic Sauce", "same name"),
    }
    assert not dialog.import_button.isEnabled()
    assert (
        dialog.problem_list.item(0)
        .text()
        .startswith(
            "row 2, Item Name: no product chosen for 'Personalised Habanero Hot Sauce, gift bottle'"
        )
    )
    dialog.set_product("sku:HHS-150", "HHS")
    assert dialog.problem_list.count() == 0
    summary = dialog.summary_label.text()
    assert "2 orders to import (3 lines, 2 personalised), 2 new customers" in summary
    assert "New customers: Claire Dubois, Mike Turner." in summary
    rows = preview_rows(dialog)
    assert rows[0][1] == "New"
    assert rows[0][-1] == (
        "order ETSY-3141592653 line 1: 3 × HHS, “Claire's Kitchen, est. 2019”, heat level: Extra hot"
    )
    with sf() as s:
        assert s.scalar(select(func.count()).select_from(SalesOrder)) == 0
    click_import(qtbot, dialog)
    assert dialog.summary_label.text() == (
        "Imported 2 orders (3 lines, 2 new customers) from EtsySoldOrderItems2026-2.csv."
    )
    with sf() as s:
        got = {o.number: (o.customer.name, o.channel) for o in s.scalars(select(SalesOrder))}
    assert got == {
        "ETSY-3141592653": ("Claire Dubois", "web"),
        "ETSY-3141600001": ("Mike Turner", "web"),
    }
    # the choice is remembered, and the same export again is all duplicates
    dialog.open_file(ORDERS / "EtsySoldOrderItems2026-2.csv")
    table = child(dialog, QTableWidget, "productTable")
    assert table.item(0, 3).text() == "remembered"
    assert [r[1] for r in preview_rows(dialog)] == ["Duplicate (skipped)"] * 3
    assert not dialog.import_button.isEnabled()


def test_shopify_orders_on_the_market_channel(window, qtbot, monkeypatch, products):
    from smallbatch_desktop.domain.models import SalesOrder

    dialog = open_dialog(window, qtbot, monkeypatch, ORDERS / "shopify_orders_export.csv")
    assert dialog.detected_label.text() == "Detected: Orders: Shopify orders"
    rows = preview_rows(dialog)
    assert [r[1] for r in rows] == ["New", "New", "New", "Skipped"]
    assert rows[3][-1] == "order #1003: cancelled in Shopify on 2026-02-16 09:00:00 -0500"
    channel = child(dialog, QComboBox, "channelCombo")
    channel.setCurrentIndex(channel.findData("market"))
    click_import(qtbot, dialog)
    with products() as s:
        got = {o.number: o.channel for o in s.scalars(select(SalesOrder))}
    assert got == {"#1001": "market", "#1002": "market"}


def test_orders_view_import_button_opens_the_import_dialog(window, qtbot):
    from PySide6.QtWidgets import QToolButton

    view = window.show_view("orderView")
    button = child(view, QToolButton, "importOrdersButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(QDialog, "importDialog")
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
