"""The Shipments tab: what went to whom, and the form to ship a released batch.

The customer is picked from the customers on record (type to find one); a name that
is not on record is refused with a pointer to "New customer…", which creates one on
purpose, with its contact details, and selects it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services.ui_queries import ShipmentRow
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.new_batch import pydate, qdate
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.views.batch_detail.common import (
    BatchSnapshot,
    RunAction,
    buddy,
    quantity_columns,
    table_view,
)
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError, FormErrors


class ShipmentsTab(QWidget):
    """Signals:
    customerAdded(int): a customer was created here (New customer…); its id.
    """

    title = "S&hipments"
    customerAdded = Signal(int)

    def __init__(self, ctx: UiContext, run: RunAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._run = ctx, run
        self._batch_id: int | None = None
        self._unit = ""
        units = ctx.units
        v = QVBoxLayout(self)
        self.model: RowTableModel[ShipmentRow] = RowTableModel(
            [
                Column("Date", lambda r: r.shipped_date),
                Column("Customer", lambda r: r.customer),
                *quantity_columns(units),
                Column("Document", lambda r: f"{r.document_type} {r.document_number}".strip()),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.view = table_view("shipmentsTable")
        self.view.setModel(self.model)
        v.addWidget(self.view, 1)

        self.customer = QComboBox()
        self.customer.setObjectName("shipCustomer")
        self.customer.setEditable(True)  # to find one by typing; never to create one
        self.customer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.customer.completer()
        assert completer is not None  # editable
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        edit = self.customer.lineEdit()
        assert edit is not None
        edit.setPlaceholderText("Choose a customer (type to find)")
        self.customer.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.customer.setMinimumContentsLength(12)
        self.new_customer_button = QPushButton("New c&ustomer…")
        self.new_customer_button.setObjectName("newCustomerButton")
        self.new_customer_button.setToolTip("Add a customer with its contact details")
        self.new_customer_button.clicked.connect(self.new_customer)
        # the button under the list, not beside it: the panel may be narrow
        pick = QVBoxLayout()
        pick.setContentsMargins(0, 0, 0, 0)
        pick.addWidget(self.customer)
        pick.addWidget(self.new_customer_button, 0, Qt.AlignmentFlag.AlignLeft)
        pick_box = QWidget()
        pick_box.setLayout(pick)
        self.qty = DecimalEdit(field="quantity", required=True, placeholder="Quantity")
        self.qty.setObjectName("shipQuantity")
        self.date = QDateEdit(qdate(dt.date.today()))
        self.date.setObjectName("shipDate")
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        self.doc = QLineEdit()
        self.doc.setObjectName("shipDocument")
        self.doc.setPlaceholderText("Invoice / delivery note number")
        self.button = QPushButton("S&hip")
        self.button.setObjectName("shipButton")
        self.button.clicked.connect(self.ship)
        # a form, not a grid: it stays narrow enough for the panel at the larger text size
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(buddy("Customer", self.customer), pick_box)
        form.addRow(buddy("Quantity", self.qty), self.qty)
        form.addRow(buddy("Date", self.date), self.date)
        form.addRow(buddy("Document", self.doc), self.doc)
        form.addRow("", self.button)
        v.addLayout(form)
        err = FieldError(self, name="shipError")
        v.addWidget(err)
        self.errors = FormErrors(err)
        self.errors.add(("customer", "customer name"), self.customer, err)
        self.errors.add(("quantity", "unit"), self.qty, err)
        self.errors.add(("ship date",), self.date, err)
        self.errors.add(("document number", "document type"), self.doc, err)

    def load(self, snap: BatchSnapshot) -> None:
        self._batch_id, self._unit = snap.detail.id, snap.detail.unit
        self.model.set_rows(snap.detail.shipments)
        released = snap.status is BatchStatus.RELEASED
        self.button.setEnabled(released)
        self.button.setToolTip("" if released else "Only a released batch ships")
        self.set_customers(snap.customers)

    def set_customers(self, customers: list[tuple[int, str]], select: int | None = None) -> None:
        """The picker's list; keeps what was chosen or typed (or selects ``select``)."""
        typed = self.customer.currentText()
        chosen = self.customer_id() if select is None else select
        self.customer.blockSignals(True)
        self.customer.clear()
        for cid, name in customers:
            self.customer.addItem(name, cid)
        index = self.customer.findData(chosen) if chosen is not None else -1
        self.customer.setCurrentIndex(index)
        if index < 0:
            self.customer.setEditText(typed)
        self.customer.blockSignals(False)

    def customer_id(self) -> int | None:
        """The customer chosen: the list's current entry, or the entry whose name was
        typed in full (any case); None when the text names no customer on record."""
        text = " ".join(self.customer.currentText().split())
        if not text:
            return None
        i = self.customer.currentIndex()
        if i >= 0 and self.customer.itemText(i) == text:
            return int(self.customer.itemData(i))
        i = self.customer.findText(text, Qt.MatchFlag.MatchFixedString)
        return int(self.customer.itemData(i)) if i >= 0 else None

    def new_customer(self) -> QDialog:
        """Open "New customer" (window-modal), with the name typed so far; on OK the new
        customer is in the list and chosen. Returns the dialog."""
        from smallbatch_desktop.ui.dialogs.customer import CustomerDialog

        typed = self.customer.currentText() if self.customer_id() is None else ""
        dialog = CustomerDialog(self._ctx, self, name=typed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self._customer_added(int(d.result_value)))
        dialog.open()
        return dialog

    def _customer_added(self, customer_id: int) -> None:
        from smallbatch_desktop.services.customers import customer_choices

        with self._ctx.session_factory() as s:
            choices = customer_choices(s)
        self.errors.clear()
        self.set_customers(choices, select=customer_id)
        self.customerAdded.emit(customer_id)
        self.qty.setFocus()

    def ship(self) -> bool:
        if self._batch_id is None:
            return False
        bid, actor, unit = self._batch_id, self._ctx.actor, self._unit
        cid = self.customer_id()
        customer: int | str = cid if cid is not None else self.customer.currentText()
        qty, day, doc = self.qty.text(), pydate(self.date.date()), self.doc.text()
        self.errors.clear()
        ok = self._run(
            lambda s: bsvc.ship_batch(
                s,
                bid,
                customer=customer,
                quantity=qty,
                unit=unit,
                shipped_date=day,
                document_number=doc,
                actor=actor,
            ),
            self.errors,
            Change.BATCHES | Change.SHIPMENTS,
        )
        if ok:
            self.qty.clear()
            self.doc.clear()
        return ok
