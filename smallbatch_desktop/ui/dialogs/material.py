"""Material and supplier forms."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.units import UNIT_CODES
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services.ui_queries import list_suppliers, material_info
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.widgets.fields import DecimalEdit


class MaterialDialog(FormDialog):
    """New material, or edit one (``material_id``). ``result_value`` is its id."""

    changes = Change.MATERIALS

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        material_id: int | None = None,
    ) -> None:
        super().__init__(ctx, "Edit material" if material_id else "New material", parent)
        self.setObjectName("materialDialog")
        self._id = material_id
        with self._sf() as s:
            suppliers = list_suppliers(s)
            info = material_info(s, material_id) if material_id else None
        self.code = QLineEdit()
        self.code.setObjectName("materialCode")
        self.code.setPlaceholderText("Short code, e.g. PEP-HAB")
        self.code.setMaxLength(40)
        self.add_field("&Code", self.code, ("material code",))
        self.name = QLineEdit()
        self.name.setObjectName("materialName")
        self.add_field("&Name", self.name, ("material name",))
        self.kind = QComboBox()
        self.kind.setObjectName("materialKind")
        self.kind.addItems(list(inv.MATERIAL_KINDS))
        self.add_field("&Kind", self.kind, ("kind",))
        self.unit = QComboBox()
        self.unit.setObjectName("stockUnit")
        self.unit.addItems(list(UNIT_CODES))
        self.unit.setCurrentText("kg")
        self.add_field("Stock &unit", self.unit, ("stock unit",))
        self.allergens = QLineEdit()
        self.allergens.setObjectName("allergens")
        self.allergens.setPlaceholderText("comma separated: mustard, sesame, milk…")
        self.add_field("&Allergens", self.allergens, ("allergens",))
        self.inci = QLineEdit()
        self.inci.setObjectName("inciName")
        self.inci.setPlaceholderText("Cosmetics: INCI name")
        self.add_field("&INCI name", self.inci, ("INCI name",))
        self.density = DecimalEdit(field="density", placeholder="g/ml, for mass ↔ volume")
        self.density.setObjectName("density")
        self.add_field("&Density", self.density, ("density",))
        self.reorder = DecimalEdit(field="reorder level", placeholder="in the stock unit")
        self.reorder.setObjectName("reorderLevel")
        self.add_field("&Reorder level", self.reorder, ("reorder level",))
        self.supplier = QComboBox()
        self.supplier.setObjectName("defaultSupplier")
        self.supplier.addItem("—", None)
        for sup in suppliers:
            self.supplier.addItem(sup.name, sup.id)
        self.add_field("Default &supplier", self.supplier, ("default supplier",))
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("materialNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        self.add_field("N&otes", self.notes, ("notes",))
        if info is not None:
            self.code.setText(info.code)
            self.code.setReadOnly(True)
            self.name.setText(info.name)
            self.kind.setCurrentText(info.kind)
            self.unit.setCurrentText(info.stock_unit)
            self.allergens.setText(info.allergens.replace(",", ", "))
            self.inci.setText(info.inci_name)
            self.density.set_decimal(info.density)
            self.reorder.set_decimal(info.reorder_level)
            self.supplier.setCurrentIndex(max(0, self.supplier.findData(info.default_supplier_id)))
            self.notes.setPlainText(info.notes)
        self.code.textChanged.connect(
            lambda t: self.errors.set_field(
                "material code", "" if t.strip() else "A code is required"
            )
        )
        self.name.textChanged.connect(
            lambda t: self.errors.set_field(
                "material name", "" if t.strip() else "A name is required"
            )
        )
        fit_to_text(self, 64)

    def save(self, session: Session) -> Any:
        fields: dict[str, Any] = dict(
            name=self.name.text(),
            stock_unit=self.unit.currentText(),
            kind=self.kind.currentText(),
            allergens=self.allergens.text(),
            inci_name=self.inci.text(),
            density=self.density.text().strip() or None,
            reorder_level=self.reorder.text().strip() or None,
            default_supplier_id=self.supplier.currentData(),
            notes=self.notes.toPlainText(),
            actor=self._actor,
        )
        if self._id is None:
            return inv.create_material(session, code=self.code.text(), **fields).id
        return inv.update_material(session, self._id, **fields).id


class SupplierDialog(FormDialog):
    """New supplier. ``result_value`` is its id."""

    changes = Change.SUPPLIERS

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "New supplier", parent)
        self.setObjectName("supplierDialog")
        self.name = QLineEdit()
        self.name.setObjectName("supplierName")
        self.add_field("&Name", self.name, ("supplier name",))
        self.address = QPlainTextEdit()
        self.address.setObjectName("supplierAddress")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        self.add_field("&Address", self.address, ("address",))
        self.contact = QLineEdit()
        self.contact.setObjectName("supplierContact")
        self.add_field("&Contact", self.contact, ("contact",))
        self.email = QLineEdit()
        self.email.setObjectName("supplierEmail")
        self.add_field("&Email", self.email, ("email",))
        self.phone = QLineEdit()
        self.phone.setObjectName("supplierPhone")
        self.add_field("&Phone", self.phone, ("phone",))
        fit_to_text(self, 60)

    def save(self, session: Session) -> Any:
        return inv.create_supplier(
            session,
            name=self.name.text(),
            address=self.address.toPlainText(),
            contact=self.contact.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            actor=self._actor,
        ).id
