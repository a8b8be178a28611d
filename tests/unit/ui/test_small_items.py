"""The day-to-day details: user text shown as typed, local times, the currency setting,
no red error after a successful save, forms that do not jump, Tab only on QC values,
expired and allocated stock, and messages in a maker's words."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QLineEdit, QWidget
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.models import Batch, MaterialLot
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.testing import child, make_context
from smallbatch_desktop.ui.text import local


def shown(label: QLabel) -> str:
    """What a label shows on screen: rich text as rendered, plain text as it is."""
    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    doc = QTextDocument()
    if label.textFormat() == Qt.TextFormat.RichText or Qt.mightBeRichText(label.text()):
        doc.setHtml(label.text())
        return doc.toPlainText()
    return label.text()


def _ok(dialog: Any) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


# -- user text is shown as typed ---------------------------------------------------------


def test_user_text_that_looks_like_html_is_shown_as_typed(
    qtbot: Any, session_factory: sessionmaker[Session], workshop: dict[str, int], window: Any
) -> None:
    cam = "<b>Cam</b> & <i>co</i>"
    with session_factory.begin() as s:
        bsvc.update_batch(s, workshop["planned_batch"], operator=cam)
        lot = s.get(MaterialLot, workshop["lot_pep2"])
        lot.supplier.name = cam
    batches = window.show_view("batchView")
    batches.refresh()
    batches.select_batch(workshop["planned_batch"])
    summary = child(batches.detail, QLabel, "detailSummary")
    assert f"Operator {cam}" in shown(summary)

    inventory = window.show_view("inventoryView")
    inventory.refresh()
    inventory.open_lot(workshop["lot_pep2"])
    assert f"Supplier {cam} lot" in shown(child(inventory, QLabel, "lotDetail"))

    # a refusal quoting what was typed is shown as typed too
    window.actions_[ActionId.NEW_SUPPLIER].trigger()
    dialog = window.findChild(QWidget, "supplierDialog")
    name_error = child(dialog, QLabel, "supplierNameError")
    assert name_error.textFormat() == Qt.TextFormat.PlainText
    dialog.reject()


# -- local time ----------------------------------------------------------------------------


@pytest.fixture
def far_east() -> Iterator[None]:
    """The computer's zone is UTC+05:30 for the test (stored times stay UTC)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_times_are_shown_in_local_time(
    far_east: None, session_factory: sessionmaker[Session], workshop: dict[str, int], window: Any
) -> None:
    with session_factory() as s:
        b = s.get(Batch, workshop["hs_batch"])
        assert b is not None and b.released_at is not None
        released = b.released_at
    assert released.tzinfo is not None
    utc_text = released.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    local_text = local(released)
    assert local_text != utc_text  # +05:30 moves the minutes
    batches = window.show_view("batchView")
    batches.select_batch(workshop["hs_batch"])
    text = shown(child(batches.detail, QLabel, "detailSummary"))
    assert f"Released {local_text}" in text and utc_text not in text
    # a naive value is a stored UTC time, not a local one
    assert local(released.replace(tzinfo=None)) == local_text


# -- currency ----------------------------------------------------------------------------


def test_currency_setting_is_used_wherever_money_shows(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: sessionmaker[Session]
) -> None:
    from smallbatch_desktop.services.common import get_setting

    dialog = window.open_settings()
    currency = child(dialog, QWidget, "currency")
    currency.setCurrentText("E1")
    _ok(dialog)
    assert dialog.isVisible()
    assert "three-letter code" in child(dialog, QLabel, "currencyError").text()
    currency.setCurrentText("eur")
    _ok(dialog)
    assert not dialog.isVisible()
    with session_factory() as s:
        assert get_setting(s, "currency") == "EUR"
    assert window.ctx.currency == "EUR"  # at once, no restart

    batches = window.show_view("batchView")
    batches.select_batch(workshop["hs_batch"])
    assert "EUR" in child(batches.detail, QLabel, "costSummary").text()
    window.actions_[ActionId.RECEIVE_LOT].trigger()
    receive = window.findChild(QWidget, "receiveLotDialog")
    assert "EUR" in child(receive, QLineEdit, "unitCost").placeholderText()
    receive.reject()


# -- no red error right after a successful save -----------------------------------------


def test_saving_the_whole_run_leaves_a_note_not_an_error(
    qtbot: Any, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    from smallbatch_desktop.services.demo import load_demo
    from smallbatch_desktop.ui.dialogs.print_labels import PrintLabelsDialog

    with session_factory.begin() as s:
        load_demo(s)
    d = PrintLabelsDialog(make_context(session_factory), 5)  # released: 97 of 100 pcs made
    qtbot.addWidget(d)
    plan = d.set_choices(copies=80)
    assert plan is not None and (plan.first_number, plan.last_number) == (1, 80)
    d.save_pdf(tmp_path / "a.pdf")
    assert "Saving" not in d.status.text() and "a.pdf" in d.status.text()
    assert d.error.isHidden()  # the next run is the 17 left, not a refusal
    assert d.copies.value() == 17  # the actual yield numbers the labels
    d.save_pdf(tmp_path / "b.pdf")
    assert (tmp_path / "b.pdf").exists()
    assert not d.error.isHidden()
    assert d.error.property("role") == "note"  # not the red form error
    assert "All 97 labels" in d.error.text()
    assert not d.print_button.isEnabled()


# -- forms keep their place when an error appears -----------------------------------------


def test_a_form_does_not_jump_when_an_error_appears(qtbot: Any, window: Any) -> None:
    window.actions_[ActionId.NEW_SUPPLIER].trigger()
    dialog = window.findChild(QWidget, "supplierDialog")
    qtbot.waitExposed(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    address = child(dialog, QWidget, "supplierAddress")

    def place(w: QWidget) -> QPoint:
        return w.mapTo(dialog, QPoint(0, 0))

    before = (place(ok), place(address), dialog.height())
    _ok(dialog)  # the name is empty: its error line appears
    assert child(dialog, QLabel, "supplierNameError").isVisible()
    QApplication.processEvents()
    assert (place(ok), place(address), dialog.height()) == before
    dialog.reject()


# -- Tab goes from QC value to QC value ----------------------------------------------------


def test_tab_skips_the_read_only_qc_cells(
    qtbot: Any, window: Any, workshop: dict[str, int]
) -> None:
    batches = window.show_view("batchView")
    batches.select_batch(workshop["qc_batch"])
    panel = batches.detail
    panel.tabs.setCurrentIndex(1)
    table = panel.qc_tab.table
    assert table.rowCount() >= 2
    first, second = table.cellWidget(0, 2), table.cellWidget(1, 2)
    window.activateWindow()
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    focus = QApplication.focusWidget()
    assert focus is second or (focus is not None and focus.parentWidget() is second)


# -- expired and allocated stock ---------------------------------------------------------------


def test_expired_stock_is_not_available_and_planned_batches_allocate(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: sessionmaker[Session]
) -> None:
    today = dt.date.today()
    with session_factory.begin() as s:
        old = inv.receive_lot(
            s,
            material_id=workshop["garlic"],
            quantity="3",
            received_date=today - dt.timedelta(days=200),
            expiry_date=today - dt.timedelta(days=1),
        )
        allocated = bsvc.allocated_materials(s)
        stock = {m.material_id: m for m in inv.material_stock(s)}
    garlic = stock[workshop["garlic"]]
    assert garlic.expired == Decimal("3")
    assert garlic.available == garlic.on_hand - Decimal("3") - garlic.allocated
    assert allocated and all(v > 0 for v in allocated.values())  # the planned batch's lines

    inventory = window.show_view("inventoryView")
    model = inventory.materials_model
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    col = {title: i for i, title in enumerate(header)}
    row = model.find_row(workshop["garlic"])
    expired_text = model.data(model.index(row, col["Expired"]))
    assert Decimal(expired_text) == Decimal("3")
    available = Decimal(model.data(model.index(row, col["Available"])))
    assert available == garlic.available
    some = next(iter(allocated))
    r = model.find_row(some)
    assert Decimal(model.data(model.index(r, col["Allocated"]))) > 0
    # an expired lot is marked in its record line
    inventory.open_lot(old.id)
    assert "not available" in shown(child(inventory, QLabel, "lotDetail"))


# -- a maker's words ---------------------------------------------------------------------------


def test_an_empty_reason_is_asked_for_in_a_makers_words(
    qtbot: Any, window: Any, workshop: dict[str, int]
) -> None:
    batches = window.show_view("batchView")
    batches.select_batch(workshop["hs_batch"])  # released: corrections are amendments
    panel = batches.detail
    panel.amendments_tab.value.setText("47")
    assert not panel.amendments_tab.amend()
    errors = [
        w.text()
        for w in panel.findChildren(QLabel)
        if w.property("role") == "fieldError" and w.text()
    ]
    assert any(t.startswith("Reason: say why you are changing this") for t in errors), errors
    assert not any("is required" in t for t in errors)
