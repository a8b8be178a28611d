"""The Orders view, its dialogs, the make list and the purchase list, through the real
widgets: clicks, typing, and what the database holds afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QTableView
from sqlalchemy import select

from smallbatch_desktop.domain.models import (
    Batch,
    Material,
    PurchaseOrder,
    SalesOrder,
    Shipment,
)
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import orders as ords
from smallbatch_desktop.services.orders import OrderLineInput as L
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.testing import child
from tests.factories import DAY, kitchen, released_batch


@pytest.fixture
def shop(session_factory):
    with session_factory.begin() as s:
        k = kitchen(s)
        released_batch(s, k.mash_v, "5")
        b = released_batch(s, k.sauce_v, "24")
        inv.create_customer(s, name="Corner Deli")
        return {"sauce_batch": b.id, "sauce_lot": b.lot_code, "chili": k.chili_lot.material_id}


def _orders(window: Any) -> Any:
    window.actions_[ActionId.VIEW_ORDERS].trigger()
    view = window.findChild(object, "orderView")
    assert window.current_view_name() == "orderView"
    return view


def _click(qtbot: Any, widget: QPushButton) -> None:
    assert widget.isEnabled(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _cell(table: QTableView, row: int, title: str) -> str:
    model = table.model()
    for c in range(model.columnCount()):
        if model.headerData(c, Qt.Orientation.Horizontal) == title:
            return str(model.index(row, c).data())
    raise KeyError(title)


def test_new_order_through_the_dialog_with_a_refusal_first(qtbot, window, shop, session_factory):
    view = _orders(window)
    _click(qtbot, child(view, QPushButton, "newOrderButton"))
    dialog = view.last_dialog
    qtbot.waitExposed(dialog)
    customer = child(dialog, QComboBox, "customerCombo")
    customer.setCurrentText("Anna Baker")
    dialog.findChild(QComboBox, "channelCombo").setCurrentIndex(3)  # web
    product = child(dialog, QComboBox, "lineProduct1")
    product.setCurrentIndex(product.findData("HS"))
    qtbot.keyClicks(child(dialog, QLineEdit, "lineQuantity1"), "3")
    table = dialog.lines
    table.item(0, 2).setText("Happy birthday")
    table.item(0, 3).setText("For Anna | For Ben")
    table.item(0, 4).setText("heat=extra hot")
    _click(qtbot, child(dialog, QPushButton, "addLineButton"))
    second = child(dialog, QComboBox, "lineProduct2")
    second.setCurrentIndex(second.findData("HS"))
    qtbot.keyClicks(child(dialog, QLineEdit, "lineQuantity2"), "0")
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    error = child(dialog, QLabel, "orderLinesError")
    assert "line 2 quantity" in error.text().lower() and dialog.isVisible()
    with session_factory() as s:
        assert s.scalars(select(SalesOrder)).all() == []  # nothing half-written
    child(dialog, QLineEdit, "lineQuantity2").setText("12")
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    with session_factory() as s:
        o = s.scalars(select(SalesOrder)).one()
        assert (o.customer.name, o.channel) == ("Anna Baker", "web")
        first = o.lines[0]
        assert first.unit_texts == ["For Anna", "For Ben"] and first.options == {
            "heat": "extra hot"
        }
        assert [ln.quantity for ln in o.lines] == [Decimal(3), Decimal(12)]
    assert view.current_order_id() == o.id
    assert o.number in child(view, QLabel, "orderHeader").text()
    lines = child(view, QTableView, "orderLinesTable")
    assert _cell(lines, 0, "Personalised").startswith("Happy birthday · For Anna | For Ben")


def test_allocate_ship_and_cancel_through_the_view(qtbot, window, shop, session_factory):
    with session_factory.begin() as s:
        o = ords.create_order(
            s, customer="Corner Deli", ordered_date=DAY, lines=[L("HS", "10"), L("HS", "30")]
        )
        oid, number = o.id, o.number
    view = _orders(window)
    assert view.select_order(oid)
    lines = child(view, QTableView, "orderLinesTable")
    lines.selectRow(0)
    _click(qtbot, child(view, QPushButton, "allocateButton"))
    assert _cell(lines, 0, "Allocated") == "10" and _cell(lines, 0, "Lots") == shop["sauce_lot"]
    # the second line wants 30: only 14 are free; allocating takes them, shipping refuses more
    lines.selectRow(1)
    _click(qtbot, child(view, QPushButton, "shipLineButton"))
    dialog = view.last_dialog
    assert child(dialog, QLineEdit, "shipQuantity").text() == "30"
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert dialog.isVisible() and "only 14" in child(dialog, QLabel, "shipQuantityError").text()
    child(dialog, QLineEdit, "shipQuantity").setText("4")
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    assert _cell(lines, 1, "Shipped") == "4" and _cell(lines, 1, "To ship") == "26"
    with session_factory() as s:
        (sh,) = s.scalars(select(Shipment)).all()
        assert (sh.quantity, sh.document_number) == (Decimal(4), number)
    # cancel: a reason is required; the first line's allocation goes back to free stock
    _click(qtbot, child(view, QPushButton, "cancelOrderButton"))
    dialog = view.last_dialog
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert (
        dialog.isVisible() and "reason" in child(dialog, QLabel, "cancelReasonError").text().lower()
    )
    qtbot.keyClicks(dialog.reason, "Customer closed the shop")
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    with session_factory() as s:
        assert s.get(SalesOrder, oid).status == "cancelled"
        free = ords.released_stock(s, s.get(Batch, shop["sauce_batch"]).recipe_version.recipe_id)
        assert free[0].free == Decimal(20)
    filt = child(view, QComboBox, "orderFilter")
    filt.setCurrentIndex(5)  # cancelled
    assert view.current_order_id() == oid
    assert "Cancelled" in child(view, QLabel, "orderHeader").text()
    assert not child(view, QPushButton, "shipLineButton").isEnabled()


def test_status_buttons_follow_the_order_life(qtbot, window, shop, session_factory):
    with session_factory.begin() as s:
        oid = ords.create_order(s, customer="Corner Deli", lines=[L("HS", "1")]).id
    view = _orders(window)
    view.select_order(oid)
    start = child(view, QPushButton, "startOrderButton")
    ready = child(view, QPushButton, "readyOrderButton")
    reopen = child(view, QPushButton, "reopenOrderButton")
    assert (start.isEnabled(), ready.isEnabled(), reopen.isEnabled()) == (True, True, False)
    _click(qtbot, start)
    assert "In production" in child(view, QLabel, "orderHeader").text()
    assert (start.isEnabled(), reopen.isEnabled()) == (False, True)


def test_an_imported_order_names_its_shop_as_the_maker_knows_it(
    qtbot, window, shop, session_factory
):
    """The header says where an imported order came from by the platform's name
    ("from Shopify", "from WooCommerce"), not the key the import stores."""
    with session_factory.begin() as s:
        ids = {
            key: ords.create_order(
                s,
                customer="Corner Deli",
                lines=[L("HS", "1")],
                source=key,
                number=f"#{1001 + len(key)}",
            ).id
            for key in ("shopify", "woocommerce", "")
        }
    view = _orders(window)
    header = child(view, QLabel, "orderHeader")
    view.select_order(ids["shopify"])
    assert "from Shopify" in header.text() and "shopify" not in header.text()
    view.select_order(ids["woocommerce"])
    assert "from WooCommerce" in header.text()
    view.select_order(ids[""])  # taken in Smallbatch: no source
    assert " from " not in header.text()


def test_order_list_pages_sorts_and_searches_in_sql(
    qtbot, window, shop, session_factory, qtmodeltester
):
    with session_factory.begin() as s:
        for i in range(230):
            ords.create_order(
                s,
                customer="Corner Deli",
                number=f"N{i:04d}",
                ordered_date=DAY + dt.timedelta(days=i % 7),
                lines=[L("HS", "1", personal_text="Zed" if i == 117 else "")],
            )
    view = _orders(window)
    model = view.model
    assert model.total == 230 and model.rowCount() == 100
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 200
    from smallbatch_desktop.ui.models.orders import OrderListModel

    alone = OrderListModel(session_factory)
    alone.sort(1, Qt.SortOrder.AscendingOrder)  # reloads, sorted in SQL
    qtmodeltester.check(alone, force_py=True)  # fetches the rest, page by page
    assert alone.rowCount() == 230
    header = view.table.horizontalHeader()
    view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(i).number for i in range(3)] == ["N0000", "N0001", "N0002"]
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).number == "N0229" and header.sortIndicatorSection() == 0
    qtbot.keyClicks(child(view, QLineEdit, "orderSearch"), "zed")
    assert model.total == 1 and model.row_at(0).number == "N0117"
    assert view.current_order_id() == model.row_at(0).id


def test_make_list_plans_batches_and_purchase_list_drafts_and_receives(
    qtbot, window, shop, session_factory
):
    with session_factory.begin() as s:
        ords.create_order(s, customer="Corner Deli", ordered_date=DAY, lines=[L("HS", "300")])
    view = _orders(window)
    window.actions_[ActionId.MAKE_LIST].trigger()
    dialog = view.last_dialog
    qtbot.waitExposed(dialog)
    make = child(dialog, QTableView, "makeTable")
    rows = {_cell(make, r, "Product"): r for r in range(make.model().rowCount())}
    assert _cell(make, rows["Hot sauce"], "Batches") == "12"  # 300 - 14 free: 286 -> 12 x 24
    summary = child(dialog, QLabel, "planSummary").text()
    assert "1 material short" in summary and "Habanero" in summary
    _click(qtbot, child(dialog, QPushButton, "planButton"))
    assert "Planned 1" in child(dialog, QLabel, "planMessage").text()
    # what was done reads as a note, not in an error's red
    assert child(dialog, QLabel, "planMessage").property("role") == "fieldNote"
    with session_factory() as s:
        planned = s.scalars(select(Batch).where(Batch.status == "planned")).all()
        codes = sorted(b.recipe_version.recipe.code for b in planned)
        assert codes.count("HS") == 12 and "MASH" in codes
    assert not child(dialog, QPushButton, "planButton").isEnabled()  # nothing left to make
    dialog.close()

    with session_factory.begin() as s:
        sup = inv.create_supplier(s, name="Pepper Co")
        s.get(Material, shop["chili"]).default_supplier_id = sup.id
    window.actions_[ActionId.PURCHASE_LIST].trigger()
    plist = view.last_dialog
    qtbot.waitExposed(plist)
    buy = child(plist, QTableView, "purchaseTable")
    names = [_cell(buy, r, "Material") for r in range(buy.model().rowCount())]
    assert "Habanero" in names
    _click(qtbot, child(plist, QPushButton, "createDraftsButton"))
    msg = child(plist, QLabel, "planMessage").text()
    assert "PO-" in msg and "Pepper Co" in msg
    po_table = child(plist, QTableView, "poLinesTable")
    chili_row = next(
        r
        for r in range(po_table.model().rowCount())
        if _cell(po_table, r, "Material") == "Habanero"
    )
    po_table.selectRow(chili_row)
    assert not child(plist, QPushButton, "receivePoButton").isEnabled()  # a draft
    _click(qtbot, child(plist, QPushButton, "markOrderedButton"))
    po_table.selectRow(chili_row)
    assert _cell(po_table, chili_row, "Status") == "Ordered"
    _click(qtbot, child(plist, QPushButton, "receivePoButton"))
    receive = plist.last_dialog
    qty = child(receive, QLineEdit, "receiveQuantity")
    ordered = Decimal(qty.text())
    qty.setText("5")
    qtbot.keyClicks(child(receive, QLineEdit, "receiveSupplierLot"), "PC-1")
    _click(qtbot, receive.buttons.button(receive.buttons.StandardButton.Ok))
    assert not receive.isVisible()
    with session_factory() as s:
        po = s.scalars(select(PurchaseOrder).where(PurchaseOrder.supplier_id == sup.id)).one()
        assert po.status == "partly_received"
        lot = s.scalars(
            select(inv.MaterialLot).where(inv.MaterialLot.supplier_lot_code == "PC-1")
        ).one()
        assert (lot.material_id, lot.supplier_id, lot.quantity_received) == (
            shop["chili"],
            sup.id,
            Decimal(5),
        )
    assert _cell(po_table, chili_row, "Received") == "5"
    assert Decimal(_cell(po_table, chili_row, "Outstanding")) == ordered - 5
    # the maker stays on the line they received against: the next delivery is one click
    assert po_table.currentIndex().row() == chili_row
    assert child(plist, QPushButton, "receivePoButton").isEnabled()


def test_personalised_labels_saved_from_the_view(qtbot, window, shop, session_factory, tmp_path):
    with session_factory.begin() as s:
        o = ords.create_order(
            s,
            customer="Corner Deli",
            ordered_date=DAY,
            lines=[L("HS", "2", unit_texts=["For Anna", "For Ben"])],
        )
        ords.allocate_line(s, o.lines[0].id, today=DAY)
        oid = o.id
        from smallbatch_desktop.services.labels import save_layout
        from tests.unit.services.test_order_labels import GIFT

        save_layout(s, GIFT)
    view = _orders(window)
    view.select_order(oid)
    out = tmp_path / "gift.pdf"
    dialog = view.print_labels(out_path=str(out))
    assert child(dialog, QComboBox, "labelLayout").currentText() == "Gift"
    assert "2 labels" in child(dialog, QLabel, "labelInfo").text()
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    doc = pdfium.PdfDocument(out.read_bytes())
    texts = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    assert ["For Anna" in texts[0], "For Ben" in texts[1]] == [True, True]
    assert all(f"Lot {shop['sauce_lot']}" in t for t in texts)


def test_shipped_order_stays_in_view_for_its_labels(qtbot, window, shop, session_factory, tmp_path):
    """Shipping the last line makes the order Shipped, which the Active list no longer
    shows: the order stays on screen, says where it went, and its labels still print
    (read back from the PDF, every barcode decoded)."""
    import zxingcpp

    with session_factory.begin() as s:
        o = ords.create_order(
            s,
            customer="Corner Deli",
            ordered_date=DAY,
            lines=[L("HS", "2", unit_texts=["For Anna", "For Ben"])],
        )
        oid, number = o.id, o.number
        from smallbatch_desktop.services.labels import save_layout
        from tests.unit.services.test_order_labels import GIFT

        save_layout(s, GIFT)
    view = _orders(window)
    assert view.select_order(oid)
    _click(qtbot, view.ship_button)
    ship = view.last_dialog
    qtbot.waitExposed(ship)
    _click(qtbot, ship.buttons.button(ship.buttons.StandardButton.Ok))
    assert not ship.isVisible()
    with session_factory() as s:
        assert s.get(SalesOrder, oid).status == "shipped"
    assert view.model.find_row(oid) < 0  # not in the Active list any more
    assert view.current_order_id() == oid  # but still the order on screen
    note = child(view, QLabel, "orderMessage")
    assert note.isVisible() and note.property("role") == "fieldNote"
    assert (
        note.text() == f"{number} is shipped now and no longer in this list; it is under “Shipped”"
    )
    assert not view.ship_button.isEnabled() and view.labels_button.isEnabled()
    out = tmp_path / "shipped.pdf"
    dialog = view.print_labels(out_path=str(out))
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    doc = pdfium.PdfDocument(out.read_bytes())
    assert len(doc) == 2
    for n, (page, text) in enumerate(zip(doc, ("For Anna", "For Ben"), strict=True), start=1):
        assert text in page.get_textpage().get_text_range()
        codes = zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())
        assert [c.text for c in codes] == [f"{number}|{shop['sauce_lot']}|{n}"]
    # a search or a filter change is the maker moving on: then the list rules
    view.search.setText("Corner")
    assert view.current_order_id() != oid


def test_batch_detail_shows_units_allocated_to_orders(qtbot, window, shop, session_factory):
    """The Batches view says which orders hold a batch's units and how many are free;
    shipping from there cannot take the held ones (the refusal names the order)."""
    with session_factory.begin() as s:
        o = ords.create_order(s, customer="Corner Deli", ordered_date=DAY, lines=[L("HS", "20")])
        ords.allocate_line(s, o.lines[0].id, today=DAY)
        number = o.number
    batches = window.show_view("batchView")
    batches.refresh()
    batches.select_batch(shop["sauce_batch"])
    summary = child(batches.detail, QLabel, "detailSummary")
    assert "left 24 pcs\n" in summary.text()
    assert f"\nAllocated to order {number} (20 pcs); 4 pcs free to ship" in summary.text()
    tab = batches.detail.shipments_tab
    batches.detail.tabs.setCurrentWidget(tab)
    tab.customer.setCurrentIndex(tab.customer.findText("Corner Deli"))
    tab.qty.setText("5")
    _click(qtbot, child(tab, QPushButton, "shipButton"))
    error = child(tab, QLabel, "shipError")
    assert not error.isHidden(), error.text()
    assert f"allocated to order {number} (20 pcs)" in error.text(), error.text()
    with session_factory() as s:
        assert s.scalars(select(Shipment)).all() == []
    tab.qty.setText("4")
    _click(qtbot, child(tab, QPushButton, "shipButton"))
    with session_factory() as s:
        assert [sh.quantity for sh in s.scalars(select(Shipment))] == [Decimal(4)]
    assert "; 0 pcs free to ship" in child(batches.detail, QLabel, "detailSummary").text()


def test_batch_detail_follows_allocations_made_in_the_orders_view(
    qtbot, window, shop, session_factory
):
    """The batch shown in the Batches view hears of an allocation, a shipment against the
    order and the order's cancellation done in the Orders view: back in the Batches view
    its detail shows them without Refresh."""
    with session_factory.begin() as s:
        o = ords.create_order(s, customer="Corner Deli", ordered_date=DAY, lines=[L("HS", "10")])
        oid, number = o.id, o.number
    batches = window.show_view("batchView")
    batches.refresh()
    batches.select_batch(shop["sauce_batch"])
    summary = child(batches.detail, QLabel, "detailSummary")
    assert "Allocated" not in summary.text()

    def seen() -> str:
        window.show_view("batchView")
        text = summary.text()
        _orders(window)
        return text

    view = _orders(window)
    assert view.select_order(oid)
    lines = child(view, QTableView, "orderLinesTable")
    lines.selectRow(0)
    _click(qtbot, child(view, QPushButton, "allocateButton"))
    assert f"\nAllocated to order {number} (10 pcs); 14 pcs free to ship" in seen()
    # ship 4 of the 10 held: the order holds 6, 20 are left, 14 still free
    _click(qtbot, child(view, QPushButton, "shipLineButton"))
    dialog = view.last_dialog
    child(dialog, QLineEdit, "shipQuantity").setText("4")
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    text = seen()
    assert "left 20 pcs\n" in text, text
    assert f"\nAllocated to order {number} (6 pcs); 14 pcs free to ship" in text
    _click(qtbot, child(view, QPushButton, "cancelOrderButton"))
    dialog = view.last_dialog
    qtbot.keyClicks(dialog.reason, "Customer closed the shop")
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    text = seen()
    assert "Allocated" not in text and "left 20 pcs" in text, text


def test_batch_detail_scrolls_rather_than_squeezing_its_summary_and_ship_form(
    qtbot, window, shop, session_factory, normal_font
):
    """A batch held for several orders has a long summary: at 1280x800, with Larger text
    and on a smaller screen the summary keeps every line and the ship form's fields keep
    their height (they used to be squeezed into each other): the panel scrolls instead."""
    from smallbatch_desktop.ui.actions import ActionId as A

    with session_factory.begin() as s:
        b = released_batch(
            s,
            s.get(Batch, shop["sauce_batch"]).recipe_version,
            "17",
            operator="Ann",
            waste="3",
            waste_reason="Three bottles under-filled at the end of the run when the filler ran dry",
        )
        bid = b.id
        for n in ("5", "7", "2"):
            o = ords.create_order(s, customer="Corner Deli", ordered_date=DAY, lines=[L("HS", n)])
            ords.allocate_line(s, o.lines[0].id, batch_id=bid, quantity=n, today=DAY)
    window.resize(1280, 800)
    batches = window.show_view("batchView")
    batches.refresh()
    batches.select_batch(bid)
    detail = batches.detail
    detail.tabs.setCurrentWidget(detail.shipments_tab)
    summary = child(detail, QLabel, "detailSummary")
    assert "Allocated to orders " in summary.text() and "; 0 pcs free to ship" in summary.text()
    tab = detail.shipments_tab
    fields = [tab.customer, tab.qty, child(tab, QPushButton, "shipButton")]

    def whole() -> None:
        assert summary.height() >= summary.heightForWidth(summary.width()), summary.size()
        for w in fields:
            assert w.height() >= w.minimumSizeHint().height(), (w.objectName(), w.size())
        tops = [w.mapTo(detail.body, w.rect().topLeft()).y() for w in fields]
        bottoms = [w.mapTo(detail.body, w.rect().bottomLeft()).y() for w in fields]
        assert all(b < t for b, t in zip(bottoms, tops[1:], strict=False)), (tops, bottoms)

    qtbot.waitUntil(lambda: detail.body_scroll.viewport().height() > 0)
    qtbot.waitUntil(whole)
    window.actions_[A.LARGER_TEXT].trigger()
    qtbot.waitUntil(whole)
    # a laptop's 1366x768 less its task bar: no room for it all, so the panel scrolls
    window.resize(1280, 660)
    qtbot.waitUntil(whole)
    assert detail.body_scroll.verticalScrollBar().maximum() > 0
