"""New customer (on purpose, with its details) or edit one: the form of the Customers
view in a dialog, for the shipment form's "New customer..." button and File menu."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from sqlalchemy.orm import Session

from smallbatch_desktop.services import customers as csvc
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.widgets.customer_form import CustomerForm


class CustomerDialog(FormDialog):
    """OK creates the customer (or saves the one given); ``result_value`` is its id."""

    changes = Change.CUSTOMERS

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        customer_id: int | None = None,
        name: str = "",
    ) -> None:
        editing = customer_id is not None
        super().__init__(
            ctx,
            "Edit customer" if editing else "New customer",
            parent,
            ok_text="Save" if editing else "Add customer",
            intro=""
            if editing
            else "A recall reaches customers through these details: the contact person "
            "and a phone number or e-mail at least.",
        )
        self.setObjectName("customerDialog")
        self._id = customer_id
        self.customer = CustomerForm(self)
        self.form.addRow(self.customer)
        self.errors = self.customer.errors
        if editing:
            assert customer_id is not None
            with ctx.session_factory() as s:
                self.customer.set_details(csvc.customer_row(s, customer_id).details)
        else:
            self.customer.name.setText(name.strip())
        fit_to_text(self, 64, 26)

    def save(self, session: Session) -> int:
        details = self.customer.details()
        if self._id is None:
            return csvc.create_customer(session, details, actor=self._actor).id
        return csvc.update_customer(session, self._id, details, actor=self._actor).id
