"""Customers view, shipping to a customer picked from the list, finishing production with
the actual yield, and the recall report that reaches the customers entered here, all
through the real widgets."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pdfplumber
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton
from sqlalchemy import func, select

from smallbatch_desktop.domain.models import AuditEntry, Batch, Customer, Shipment
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.testing import child


def _fill(qtbot: Any, widget: QLineEdit, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


def _click(qtbot: Any, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _dialog(parent: Any, name: str) -> QDialog:
    found = [w for w in parent.findChildren(QDialog, name) if w.isVisible()]
    assert len(found) == 1, f"{len(found)} visible {name}"
    return found[0]


def _customers(window: Any) -> Any:
    window.actions_[ActionId.VIEW_CUSTOMERS].trigger()
    assert window.current_view_name() == "customerView"
    return window.view("customerView")


def _table_names(view: Any) -> list[str]:
    proxy = view.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def test_customers_view_adds_edits_and_deletes_with_field_named_errors(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: Any
) -> None:
    view = _customers(window)
    assert _table_names(view) == ["Riverton Farmers Market", "The Corner Deli"]
    assert "Customers" in [window.nav.item(i).text() for i in range(window.nav.count())]
    form = view.form
    # a new customer: a bad e-mail and phone are named beside their fields
    _click(qtbot, view.new_button)
    _fill(qtbot, form.name, "Hudson Hotel Spa")
    _fill(qtbot, form.contact, "Lena Fox")
    _fill(qtbot, form.email, "lena at hotel")
    _fill(qtbot, form.phone, "call Lena")
    _click(qtbot, view.save_button)
    email_error = child(form, QLabel, "customerEmailError")
    assert email_error.isVisible()
    assert email_error.text().startswith("E-mail: 'lena at hotel' does not look like an e-mail")
    assert form.email.property("invalid") is True and form.email.hasFocus()
    _fill(qtbot, form.email, "spa@hudsonhotel.example")
    _click(qtbot, view.save_button)
    assert child(form, QLabel, "customerPhoneError").text().startswith("Phone: 'call Lena'")
    _fill(qtbot, form.phone, "(518) 555-0199")
    form.address.setPlainText("2 Front St\nHudson, NY 12534")
    form.notes.setPlainText("Deliveries Tuesday mornings")
    form.kind.setCurrentIndex(form.kind.findData("wholesaler"))
    _click(qtbot, view.save_button)
    assert not email_error.isVisible()
    assert _table_names(view) == ["Hudson Hotel Spa", "Riverton Farmers Market", "The Corner Deli"]
    assert view.heading.text() == "Hudson Hotel Spa" and view.current_id is not None
    with session_factory() as s:
        c = s.scalar(select(Customer).where(Customer.name == "Hudson Hotel Spa"))
        assert c is not None
        assert (c.kind, c.contact, c.phone, c.email, c.address, c.notes) == (
            "wholesaler",
            "Lena Fox",
            "(518) 555-0199",
            "spa@hudsonhotel.example",
            "2 Front St\nHudson, NY 12534",
            "Deliveries Tuesday mornings",
        )
        new_id = c.id
    # a name already taken (any case) is refused, naming the field; nothing changes
    _click(qtbot, view.new_button)
    _fill(qtbot, form.name, "the corner deli")
    _click(qtbot, view.save_button)
    assert "already exists" in child(form, QLabel, "customerNameError").text()
    view.ask_discard = lambda _q: True
    # edit an existing one: pick it in the list, change the contact, save
    with session_factory() as s:
        deli_id = s.scalar(select(Customer.id).where(Customer.name == "The Corner Deli"))
    view.table.selectRow(
        view.proxy.mapFromSource(view.model.index(view.model.find_row(deli_id), 0)).row()
    )
    assert view.current_id == deli_id and form.name.text() == "The Corner Deli"
    assert "Received 1 shipment" in view.shipped.text()
    _fill(qtbot, form.contact, "Sam Patel")
    _fill(qtbot, form.email, "sam@cornerdeli.example")
    # leaving unsaved edits asks; answering Cancel keeps them
    view.ask_discard = lambda _q: False
    view.table.selectRow(0)
    assert view.current_id == deli_id and form.contact.text() == "Sam Patel"
    _click(qtbot, view.save_button)
    with session_factory() as s:
        deli = s.get(Customer, deli_id)
        assert (deli.contact, deli.email) == ("Sam Patel", "sam@cornerdeli.example")
        assert s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "customer.update", AuditEntry.entity_id == deli_id)
        )
    # a customer with shipments stays; one without may go
    view.ask_delete = lambda _q: True
    _click(qtbot, view.delete_button)
    assert "stays on record" in child(form, QLabel, "customerFormError").text()
    view.open_customer(new_id)
    _click(qtbot, view.delete_button)
    assert _table_names(view) == ["Riverton Farmers Market", "The Corner Deli"]
    with session_factory() as s:
        assert s.get(Customer, new_id) is None and s.get(Customer, deli_id) is not None


def test_search_finds_a_customer_by_phone(
    qtbot: Any, window: Any, workshop: dict[str, int]
) -> None:
    view = _customers(window)
    qtbot.keyClicks(view.search, "555-0142")
    assert _table_names(view) == ["The Corner Deli"]


def test_finish_production_asks_the_actual_yield_and_waste(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: Any
) -> None:
    view = window.view("batchView")
    view.refresh()
    view.select_batch(workshop["soap_batch"])  # in production, 20 bars planned
    detail = view.detail
    assert detail.status_buttons["to_qc"].isEnabled()
    _click(qtbot, detail.status_buttons["to_qc"])
    d = _dialog(detail, "finishProductionDialog")
    actual = child(d, QLineEdit, "actualYield")
    assert actual.text() == "20" and actual.selectedText() == "20"  # the plan, to type over
    qtbot.keyClicks(actual, "18")
    _fill(qtbot, child(d, QLineEdit, "wasteQuantity"), "1")
    balance = child(d, QLabel, "yieldBalance")
    assert balance.text() == "18 pcs made + 1 pcs wasted; 1 pcs short of the 20 pcs planned"
    _click(qtbot, child(d, QPushButton, "okButton"))
    # a waste without its reason: refused beside the field, the batch unchanged
    assert child(d, QLabel, "wasteReasonError").text().startswith("Waste reason: say why 1 pcs")
    assert d.isVisible()
    with session_factory() as s:
        b = s.get(Batch, workshop["soap_batch"])
        assert (b.status, b.actual_quantity) == ("in_production", None)
    _fill(qtbot, child(d, QLineEdit, "wasteReason"), "One bar cracked in the mould")
    _click(qtbot, child(d, QPushButton, "okButton"))
    qtbot.waitUntil(lambda: not d.isVisible())
    with session_factory() as s:
        b = s.get(Batch, workshop["soap_batch"])
        assert (b.status, b.actual_quantity, b.waste_quantity, b.waste_reason) == (
            "qc_hold",
            Decimal(18),
            Decimal(1),
            "One bar cracked in the mould",
        )
    assert detail.status_label.text() == "QC hold"
    text = detail.summary.text()
    assert "actual yield 18 pcs (1 pcs wasted: One bar cracked in the mould)" in text
    assert "left 18 pcs" in text
    # the list row shows the actual yield without a refresh
    row = view.model.row_at(view.model.find_row(workshop["soap_batch"]))
    assert row.actual_quantity == Decimal(18)


def test_qc_tab_lists_every_result_with_the_failed_one(
    qtbot: Any, window: Any, workshop: dict[str, int]
) -> None:
    view = window.view("batchView")
    view.refresh()
    view.select_batch(workshop["qc_batch"])  # pH 4.1 recorded: out of spec
    qc = view.detail.qc_tab
    assert qc.table.isVisibleTo(qc) and qc.save_button.isVisibleTo(qc)  # QC hold: results go in
    assert not qc.history.isVisibleTo(qc)  # one result a check: the table says it all
    ph_row = next(r for r in range(qc.table.rowCount()) if qc.table.item(r, 0).text() == "pH")
    _fill(qtbot, qc.table.cellWidget(ph_row, 2), "3.6")
    _click(qtbot, qc.save_button)
    assert qc.history.isVisibleTo(qc)  # the failed result is superseded: the history shows
    rows = [  # check, result, by
        tuple(qc.history_model.index(r, c).data() for c in (0, 1, 2))
        for r in range(qc.history_model.rowCount())
    ]
    ph = [r for r in rows if r[0] == "pH"]
    assert [r[1] for r in ph] == ["4.1 — fail, superseded", "3.6 — pass (retest)"]
    assert ph[1][2] == window.ctx.actor
    # a released record takes no more results: its history alone, with the room
    view.select_batch(workshop["hs_batch"])
    assert not qc.table.isVisibleTo(qc) and not qc.save_button.isVisibleTo(qc)
    assert qc.history.isVisibleTo(qc) and qc.history_model.rowCount() > 0


def test_a_shipment_picks_a_customer_and_the_recall_reaches_its_contact(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: Any
) -> None:
    from smallbatch_desktop.pdf.recall import render_recall_report
    from smallbatch_desktop.services.recall import recall_report, write_recall_csv

    view = window.view("batchView")
    view.refresh()
    view.select_batch(workshop["hs_batch"])  # released, 18 + 12 of 48 shipped
    ships = view.detail.shipments_tab
    view.detail.tabs.setCurrentWidget(ships)
    names = [ships.customer.itemText(i) for i in range(ships.customer.count())]
    assert names == ["Riverton Farmers Market", "The Corner Deli"]
    # typing a name that is not a customer never creates one
    ships.customer.setEditText("Hilltop Co-op")
    _fill(qtbot, ships.qty, "6")
    _click(qtbot, ships.button)
    err = child(view.detail, QLabel, "shipError")
    assert err.text().startswith("Customer: there is no customer called 'Hilltop Co-op'")
    assert ships.customer.property("invalid") is True
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 2
    # New customer…: created on purpose, with its details, and chosen
    _click(qtbot, ships.new_customer_button)
    d = _dialog(view.detail, "customerDialog")
    assert child(d, QLineEdit, "customerName").text() == "Hilltop Co-op"
    _fill(qtbot, child(d, QLineEdit, "customerContact"), "Rita Moreno")
    _fill(qtbot, child(d, QLineEdit, "customerPhone"), "+1 845 555 0123")
    _fill(qtbot, child(d, QLineEdit, "customerEmail"), "rita@hilltop.example")
    _click(qtbot, child(d, QPushButton, "okButton"))
    qtbot.waitUntil(lambda: not d.isVisible())
    assert ships.customer.currentText() == "Hilltop Co-op"
    _fill(qtbot, ships.doc, "INV-2001")
    _click(qtbot, ships.button)
    assert not err.isVisible()
    # picking from the list by typing part of a name in full case-insensitively works too
    ships.customer.setEditText("the corner deli")
    _fill(qtbot, ships.qty, "2")
    _click(qtbot, ships.button)
    with session_factory() as s:
        got = sorted(
            (sh.customer.name, sh.quantity)
            for sh in s.scalars(select(Shipment).where(Shipment.batch_id == workshop["hs_batch"]))
        )
        assert got == [
            ("Hilltop Co-op", Decimal(6)),
            ("Riverton Farmers Market", Decimal(18)),
            ("The Corner Deli", Decimal(2)),
            ("The Corner Deli", Decimal(12)),
        ]
        lot = s.get(Batch, workshop["hs_batch"]).lot_code
        report = recall_report(s, lot)
    pdf = render_recall_report(report, invariant=True)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        text = " ".join(" ".join((p.extract_text() or "") for p in doc.pages).split())
    for fact in ("Hilltop Co-op", "Rita Moreno", "+1 845 555 0123", "rita@hilltop.example"):
        assert fact in text, fact
    out = io.StringIO()
    write_recall_csv(report, out)
    rows = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r.get("customer")]
    hill = [r for r in rows if r["customer"] == "Hilltop Co-op"]
    assert hill and hill[0]["customer_contact"] == "Rita Moreno"
    # a leading "+" is guarded so a spreadsheet never reads the cell as a formula
    assert hill[0]["customer_phone"] == "'+1 845 555 0123"
    assert hill[0]["customer_email"] == "rita@hilltop.example"


def test_trace_of_a_received_lot_names_supplier_lot_and_origin(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: Any
) -> None:
    from smallbatch_desktop.domain.models import MaterialLot

    with session_factory() as s:
        lot = s.get(MaterialLot, workshop["lot_oil"])
        code, theirs, origin = lot.lot_code, lot.supplier_lot_code, lot.origin
        supplier = lot.supplier.name
    trace = window.view("traceView")
    window.show_view("traceView")
    trace.trace(code)
    qtbot.waitUntil(lambda: trace.backward_result is not None, timeout=5000)
    model = trace.backward_model
    root = model.item(0, 0)
    assert root.text() == code
    row = [model.item(0, c).text() for c in range(model.columnCount())]
    assert row[3] == supplier
    assert row[4].startswith(origin)
    # under it, the supplier's own lot code in the supplier column, the delivery document
    theirs_row = [root.child(0, c).text() for c in range(model.columnCount())]
    assert theirs_row[1:4] == ["supplier's lot", "", theirs]
    assert f"from {supplier}, their lot {theirs}; origin {origin}" in trace.summary.text()


def test_a_customer_added_in_one_view_is_in_the_other_without_refresh(
    qtbot: Any, window: Any, workshop: dict[str, int]
) -> None:
    customers = _customers(window)
    batches = window.show_view("batchView")
    batches.select_batch(workshop["hs_batch"])
    ships = batches.detail.shipments_tab
    # added in the Customers view: in the shipment's picker at once
    window.show_view("customerView")
    _click(qtbot, customers.new_button)
    _fill(qtbot, customers.form.name, "Hilltop Co-op")
    _fill(qtbot, customers.form.phone, "845 555 0123")
    _click(qtbot, customers.save_button)
    window.show_view("batchView")
    names = [ships.customer.itemText(i) for i in range(ships.customer.count())]
    assert "Hilltop Co-op" in names
    # added beside a shipment: in the Customers list when it is next shown
    _click(qtbot, ships.new_customer_button)
    d = _dialog(batches.detail, "customerDialog")
    _fill(qtbot, child(d, QLineEdit, "customerName"), "Market Hall")
    _click(qtbot, child(d, QPushButton, "okButton"))
    qtbot.waitUntil(lambda: not d.isVisible())
    window.show_view("customerView")
    assert "Market Hall" in _table_names(customers)


def test_qc_check_names_in_tooltips_show_as_typed(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: Any
) -> None:
    """A check called ``<b>pH</b>`` is not shown bold on hover: the QC table's tips and
    the Release button's reasons carry it escaped."""
    from smallbatch_desktop.services import batches as bsvc
    from smallbatch_desktop.services import recipes as rsvc

    with session_factory.begin() as s:
        r = rsvc.create_recipe(
            s, code="TIP", name="Tip sauce", yield_quantity="10", yield_unit="pcs"
        )
        rsvc.update_draft(
            s,
            r.id,
            lines=[rsvc.LineInput("1", "kg", material_id=workshop["garlic"])],
            qc_items=[rsvc.QcItemInput("<b>pH</b>", "numeric", max_value="4.0", unit="pH")],
        )
        rsvc.publish(s, r.id)
        b = bsvc.plan_batch(s, recipe_version_id=r.id, planned_quantity="10")
        bsvc.change_status(s, b.id, "start")
        bsvc.finish_production(s, b.id, actual_quantity="10")
        bsvc.record_qc(s, b.id, r.qc_items[0].id, "4.4", actor="<i>Dana</i>")
        bid = b.id
    view = window.view("batchView")
    view.refresh()
    view.select_batch(bid)
    detail = view.detail
    detail.tabs.setCurrentIndex(1)
    table = detail.qc_tab.table
    assert table.item(0, 0).text() == "<b>pH</b>"  # a table cell's text is plain already
    assert "<b>pH</b>" in _tip_as_shown(table.item(0, 0).toolTip())
    assert "<i>Dana</i>" in _tip_as_shown(table.item(0, 3).toolTip())
    release = _tip_as_shown(detail.status_buttons["release"].toolTip())
    assert "<b>pH</b>: failed (4.4)" in release
    assert detail.release_hint.text().endswith("<b>pH</b>: failed (4.4)")  # plain label


def _tip_as_shown(tip: str) -> str:
    """The characters a tooltip shows: Qt reads text that looks like HTML as HTML."""
    from PySide6.QtGui import Qt as QtGuiNs
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    if QtGuiNs.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText()


def test_every_tab_of_the_batch_detail_fits_the_panel_at_1280x800(
    qtbot: Any, window: Any, workshop: dict[str, int], normal_font: None
) -> None:
    """The list takes its key columns and leaves the detail its minimum: no tab may need
    more width than that (the panel scrolls only vertically, so more would be cut off
    on the right), at the normal and the larger text size."""
    from smallbatch_desktop.ui.actions import ActionId as A

    window.resize(1280, 800)
    view = window.show_view("batchView")
    view.select_batch(workshop["qc_batch"])
    detail = view.detail

    def fits() -> None:
        room = detail.body_scroll.viewport().width()
        for i in range(detail.tabs.count()):
            detail.tabs.setCurrentIndex(i)
            need = detail.body.minimumSizeHint().width()
            assert need <= room, (detail.tabs.tabText(i), need, room)

    qtbot.waitUntil(lambda: detail.body_scroll.viewport().width() > 0)
    qtbot.waitUntil(fits)
    window.actions_[A.LARGER_TEXT].trigger()
    qtbot.waitUntil(fits)
