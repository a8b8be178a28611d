"""The customer's details as a form: name, kind, contact person, phone, e-mail, address,
notes. One widget for the Customers view and the "New customer..." dialog, so both
check and show errors the same way (``services.customers`` decides; this only shows).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.services.customers import CUSTOMER_KINDS, CustomerDetails
from smallbatch_desktop.ui.widgets.fields import FieldError, FormErrors


def _text_box(name: str, lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 12)
    return box


class CustomerForm(QWidget):
    """The fields, each with its own error line; ``errors`` shows a service's
    ``UserError`` beside the field it names."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerForm")
        self.name = QLineEdit()
        self.name.setObjectName("customerName")
        self.name.setPlaceholderText("Shop, market or person")
        self.kind = QComboBox()
        self.kind.setObjectName("customerKind")
        for kind in CUSTOMER_KINDS:
            self.kind.addItem(kind.capitalize(), kind)
        self.contact = QLineEdit()
        self.contact.setObjectName("customerContact")
        self.contact.setPlaceholderText("Who to call (buyer, manager)")
        self.phone = QLineEdit()
        self.phone.setObjectName("customerPhone")
        self.phone.setPlaceholderText("+1 518 555 0142")
        self.email = QLineEdit()
        self.email.setObjectName("customerEmail")
        self.email.setPlaceholderText("name@example.com")
        self.address = _text_box("customerAddress", 3)
        self.notes = _text_box("customerNotes", 4)
        self.notes.setPlaceholderText("Delivery days, who to call first in a recall…")

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_error = FieldError(self, name="customerFormError")
        self.errors = FormErrors(self.form_error)
        for label, widget, fields in (
            ("&Name", self.name, ("customer name",)),
            ("&Kind", self.kind, ("customer kind",)),
            ("&Contact person", self.contact, ("contact",)),
            ("&Phone", self.phone, ("phone",)),
            ("&E-mail", self.email, ("email",)),
            ("A&ddress", self.address, ("address",)),
            ("N&otes", self.notes, ("notes",)),
        ):
            self._row(label, widget, fields)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(self.form_error)

    def _row(self, label: str, widget: QWidget, fields: tuple[str, ...]) -> None:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        err = FieldError(box, name=f"{widget.objectName()}Error")
        v.addWidget(err)
        self.form.addRow(label, box)
        lab = self.form.labelForField(box)
        if lab is not None:
            lab.setBuddy(widget)  # type: ignore[attr-defined]
        self.errors.add(fields, widget, err)

    def fields(self) -> list[QWidget]:
        """In Tab order."""
        return [
            self.name,
            self.kind,
            self.contact,
            self.phone,
            self.email,
            self.address,
            self.notes,
        ]

    def details(self) -> CustomerDetails:
        return CustomerDetails(
            name=self.name.text(),
            kind=str(self.kind.currentData() or "customer"),
            contact=self.contact.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.toPlainText(),
            notes=self.notes.toPlainText(),
        )

    def set_details(self, d: CustomerDetails | None) -> None:
        d = d or CustomerDetails(name="")
        self.errors.clear()
        self.name.setText(d.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(d.kind)))
        self.contact.setText(d.contact)
        self.phone.setText(d.phone)
        self.email.setText(d.email)
        self.address.setPlainText(d.address)
        self.notes.setPlainText(d.notes)

    def is_modified(self, against: CustomerDetails | None) -> bool:
        return self.details() != (against or CustomerDetails(name=""))
