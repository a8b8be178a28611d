"""The Customers view: everyone finished goods go to, with the details a recall needs.

Left, the list (searchable, sortable: name, kind, contact, phone, e-mail, shipments,
last shipped); right, the selected customer's form. New starts an empty form, Save
creates or updates (one unit of work), Delete removes a customer nothing was shipped
to. Leaving a form with unsaved edits asks first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.services import customers as csvc
from smallbatch_desktop.services.customers import CustomerDetails, CustomerRow
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Column, Role, RowTableModel, sortable_proxy
from smallbatch_desktop.ui.ops import Change, watch
from smallbatch_desktop.ui.theme import scaled_font
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.customer_form import CustomerForm

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _last(r: CustomerRow) -> str:
    return r.last_shipped.isoformat() if r.last_shipped else ""


class CustomersView(QWidget):
    """Customers: the list and the selected one's form. What it changes is announced on
    the change bus (``Change.CUSTOMERS``); it reloads when customers or shipments change
    elsewhere."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerView")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self.current_id: int | None = None
        self._loaded: CustomerDetails | None = None  # what the form held when opened
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("customerSearch")
        self.search.setPlaceholderText("Search name, contact, phone, e-mail, address…")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.new_button = QPushButton("&New customer")
        self.new_button.setObjectName("newCustomerButton")
        self.new_button.clicked.connect(self.new_customer)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)

        self.model: RowTableModel[CustomerRow] = RowTableModel(
            [
                # what a recall needs first: who, whom to call, how to reach them
                Column("Name", lambda r: r.name),
                Column("Contact person", lambda r: r.contact),
                Column("Phone", lambda r: r.phone),
                Column("E-mail", lambda r: r.email),
                Column("Kind", lambda r: r.kind),
                Column("Shipments", lambda r: r.shipments, numeric=True),
                Column("Last shipped", _last),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.proxy = sortable_proxy(self.model, self)
        self.table = QTableView()
        self.table.setObjectName("customerTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # names, phones and dates whole; widths the maker drags are remembered
        fit_columns(self.table, ctx.settings, "customers", whole=(0, 2, 3, 5, 6))
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 0, 0, 0)
        self.heading = QLabel()
        self.heading.setObjectName("customerHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        scaled_font(self.heading, 1.3, bold=True)
        rv.addWidget(self.heading)
        self.shipped = QLabel()
        self.shipped.setObjectName("customerShipped")
        self.shipped.setWordWrap(True)
        self.shipped.setTextFormat(Qt.TextFormat.PlainText)
        rv.addWidget(self.shipped)
        self.form = CustomerForm()
        rv.addWidget(self.form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("saveCustomerButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setObjectName("deleteCustomerButton")
        self.delete_button.clicked.connect(self.delete)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        rv.addLayout(buttons)
        rv.addStretch(1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("customerSplit")
        split.addWidget(self.table)
        split.addWidget(right)
        # the list gets the room (e-mail, shipments, last shipped); the form what it needs
        char = self.fontMetrics().averageCharWidth()
        right.setMinimumWidth(char * 44)
        right.setMaximumWidth(char * 80)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setSizes([char * 110, char * 52])
        layout.addWidget(split, 1)
        self.refresh()
        self.new_customer()
        # customers added elsewhere (New customer… beside a shipment, an import) and new
        # shipments (the counts) show without Refresh
        watch(self, ctx, Change.CUSTOMERS | Change.SHIPMENTS, lambda _e: self.refresh())

    # -- list ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the list (keeps the selection and the form as they are)."""
        with self._sf() as s:
            rows = csvc.list_customers(s)
        keep = self.current_id
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        self._select_row(keep)
        self.table.selectionModel().blockSignals(False)
        if keep is not None:
            row = self.model.find_row(keep)
            if row >= 0:
                self._show_shipped(self.model.row_at(row))

    def _select_row(self, customer_id: int | None) -> None:
        sel = self.table.selectionModel()
        row = self.model.find_row(customer_id) if customer_id is not None else -1
        if row < 0:
            sel.clearSelection()
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        sel.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        cid = current.data(Role.Id) if current.isValid() else None
        if cid == self.current_id:
            return
        if not self.confirm_leave():
            self.table.selectionModel().blockSignals(True)
            self._select_row(self.current_id)
            self.table.selectionModel().blockSignals(False)
            return
        if cid is None:
            self.new_customer(ask=False)
        else:
            self.open_customer(int(cid), ask=False)

    # -- form ------------------------------------------------------------------------

    def confirm_leave(self) -> bool:
        """True when the form has no unsaved edits, or the user lets them go."""
        if not self.form.is_modified(self._loaded):
            return True
        name = self.form.name.text().strip() or "the new customer"
        return self.ask_discard(f"Discard your changes to {name}?")

    def ask_discard(self, question: str) -> bool:
        """Ask before unsaved edits are lost. Tests replace this method."""
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            question,
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def open_customer(self, customer_id: int, *, ask: bool = True) -> None:
        if ask and not self.confirm_leave():
            return
        row = self.model.find_row(customer_id)
        if row < 0:
            self.refresh()
            row = self.model.find_row(customer_id)
            if row < 0:
                return
        r = self.model.row_at(row)
        self.current_id = r.id
        self._loaded = r.details
        self.form.set_details(r.details)
        self.heading.setText(r.name)
        self._show_shipped(r)
        self.delete_button.setEnabled(True)
        self.save_button.setText("&Save")
        self._select_row(r.id)

    def _show_shipped(self, r: CustomerRow) -> None:
        if r.shipments:
            self.shipped.setText(
                f"Received {r.shipments} shipment{'s' if r.shipments != 1 else ''}, "
                f"the last on {_last(r)}. A recall reaches them through these details."
            )
        else:
            self.shipped.setText("Nothing shipped to this customer yet.")

    def new_customer(self, *, ask: bool = True) -> None:
        """An empty form for a new customer."""
        if ask and not self.confirm_leave():
            return
        self.current_id = None
        self._loaded = None
        self.form.set_details(None)
        self.heading.setText("New customer")
        self.shipped.setText(
            "A recall reaches customers through these details: the contact person and a "
            "phone number or e-mail at least."
        )
        self.delete_button.setEnabled(False)
        self.save_button.setText("&Add customer")
        self.table.selectionModel().blockSignals(True)
        self.table.selectionModel().clearSelection()
        self.table.selectionModel().blockSignals(False)
        self.form.name.setFocus()

    def save(self) -> bool:
        details, cid, actor = self.form.details(), self.current_id, self._ctx.actor

        def work(s: Session) -> int:
            if cid is None:
                return csvc.create_customer(s, details, actor=actor).id
            return csvc.update_customer(s, cid, details, actor=actor).id

        done = self._ctx.run(
            work, changes=Change.CUSTOMERS, form=self.form.errors, origin=self, what="save customer"
        )
        if not done or done.value is None:
            return False
        self.current_id = done.value
        self.refresh()
        self.open_customer(done.value, ask=False)
        return True

    def delete(self) -> bool:
        cid = self.current_id
        if cid is None:
            return False
        name = self.heading.text()
        if not self.ask_delete(f"Delete {name}? This cannot be undone."):
            return False
        actor = self._ctx.actor
        done = self._ctx.run(
            lambda s: csvc.delete_customer(s, cid, actor=actor),
            changes=Change.CUSTOMERS,
            form=self.form.errors,
            origin=self,
            what="delete customer",
        )
        if not done:
            return False
        self.current_id = None
        self.refresh()
        self.new_customer(ask=False)
        return True

    def ask_delete(self, question: str) -> bool:
        """Confirm a deletion. Tests replace this method."""
        answer = QMessageBox.question(self, "Delete customer", question)
        return answer == QMessageBox.StandardButton.Yes
