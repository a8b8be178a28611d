"""Receive a lot: material, supplier, supplier lot, quantity and unit, cost, dates,
origin, certifications. Scanning the supplier's GS1 barcode into the scan field fills
the GTIN, supplier lot and expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.units import UNIT_CODES, same_dimension
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services.ui_queries import (
    InputChoice,
    input_choices,
    list_suppliers,
    material_for_gtin,
    material_info,
)
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.dialogs.new_batch import pydate, qdate
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.widgets.fields import DecimalEdit
from smallbatch_desktop.ui.widgets.scan_box import ScanBox, ScanData


class ReceiveLotDialog(FormDialog):
    """``result_value`` is the new lot's id."""

    changes = Change.LOTS

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        material_id: int | None = None,
        scan: ScanData | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(ctx, "Receive lot", parent, ok_text="Receive")
        self.setObjectName("receiveLotDialog")
        self._today = today or dt.date.today()
        with self._sf() as s:
            self._materials: list[InputChoice] = [
                c for c in input_choices(s) if c.kind == "material"
            ]
            suppliers = list_suppliers(s)
            self._default_supplier = {
                m.id: material_info(s, m.id).default_supplier_id for m in self._materials
            }

        self.scan = ScanBox()
        self.scan.setObjectName("receiveScan")
        self.scan.setPlaceholderText("Scan the supplier's barcode to fill GTIN, lot and expiry")
        self.scan.scanned.connect(self.apply_scan)
        self.add_field("Sca&n", self.scan)

        self.material = QComboBox()
        self.material.setObjectName("lotMaterial")
        self.material.setEditable(True)
        self.material.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for m in self._materials:
            self.material.addItem(f"{m.name} ({m.code})", m.id)
        comp = self.material.completer()
        if comp is not None:  # an editable combo has one
            comp.setFilterMode(Qt.MatchFlag.MatchContains)
            comp.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.material.setCurrentIndex(-1)
        edit = self.material.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("Type to find a material…")
        self.add_field("&Material", self.material, ("material",))

        self.supplier = QComboBox()
        self.supplier.setObjectName("lotSupplier")
        self.supplier.addItem("—", None)
        for sup in suppliers:
            self.supplier.addItem(sup.name, sup.id)
        self.add_field("&Supplier", self.supplier, ("supplier",))
        self.supplier_lot = QLineEdit()
        self.supplier_lot.setObjectName("supplierLot")
        self.add_field("Supplier's &lot", self.supplier_lot, ("supplier lot",))

        qty_row = QWidget()
        h = QHBoxLayout(qty_row)
        h.setContentsMargins(0, 0, 0, 0)
        self.quantity = DecimalEdit(field="quantity", required=True)
        self.quantity.setObjectName("lotQuantity")
        self.quantity.setAccessibleName("Quantity")
        self.unit = QComboBox()
        self.unit.setObjectName("lotUnit")
        self.unit.addItems(list(UNIT_CODES))
        h.addWidget(self.quantity, 1)
        h.addWidget(self.unit)
        err = self.add_field("&Quantity", qty_row)
        self.errors.add(("quantity",), self.quantity, err)
        self.errors.add(("unit",), self.unit, err)
        self.cost = DecimalEdit(field="unit cost", placeholder=f"{ctx.currency} per unit")
        self.cost.setObjectName("unitCost")
        self.add_field(f"Unit &cost ({ctx.currency})", self.cost, ("unit cost",))
        self.received = QDateEdit(qdate(self._today))
        self.received.setObjectName("receivedDate")
        self.received.setDisplayFormat("yyyy-MM-dd")
        self.received.setCalendarPopup(True)
        self.add_field("&Received", self.received, ("received date",))
        exp_row = QWidget()
        h2 = QHBoxLayout(exp_row)
        h2.setContentsMargins(0, 0, 0, 0)
        self.has_expiry = QCheckBox("has an expiry")
        self.has_expiry.setObjectName("hasExpiry")
        self.expiry = QDateEdit(qdate(self._today + dt.timedelta(days=180)))
        self.expiry.setObjectName("expiryDate")
        self.expiry.setDisplayFormat("yyyy-MM-dd")
        self.expiry.setCalendarPopup(True)
        self.expiry.setEnabled(False)
        self.has_expiry.toggled.connect(self.expiry.setEnabled)
        h2.addWidget(self.has_expiry)
        h2.addWidget(self.expiry, 1)
        err = self.add_field("E&xpiry / best before", exp_row)
        self.errors.add(("expiry date",), self.expiry, err)
        self.origin = QLineEdit()
        self.origin.setObjectName("lotOrigin")
        self.origin.setPlaceholderText("Country, region, farm")
        self.add_field("&Origin", self.origin, ("origin",))
        self.certs = QLineEdit()
        self.certs.setObjectName("lotCertifications")
        self.certs.setPlaceholderText("Organic, Fair Trade…")
        self.add_field("Cer&tifications", self.certs, ("certifications",))
        self.gtin = QLineEdit()
        self.gtin.setObjectName("lotGtin")
        self.add_field("&GTIN", self.gtin, ("gtin",))
        self.document = QLineEdit()
        self.document.setObjectName("lotDocument")
        self.document.setPlaceholderText("Delivery note / invoice number")
        self.add_field("&Document", self.document, ("document",))
        self.material.currentIndexChanged.connect(self._material_changed)
        self.quantity.textChanged.connect(self._check_quantity)
        if material_id is not None:
            self.material.setCurrentIndex(self.material.findData(material_id))
        if scan is not None:
            self.apply_scan(scan)
        fit_to_text(self, 72)

    def _check_quantity(self, text: str) -> None:
        value = self.quantity.decimal()
        msg = ""
        if text.strip() and (value is None or value <= 0):
            msg = "quantity: must be greater than zero"
        self.errors.set_field("quantity", msg)

    def _material(self) -> InputChoice | None:
        mid = self.material.currentData()
        return next((m for m in self._materials if m.id == mid), None)

    def _material_changed(self, _i: int) -> None:
        m = self._material()
        if m is None:
            return
        self.unit.clear()
        self.unit.addItems([u for u in UNIT_CODES if same_dimension(u, m.unit)])
        self.unit.setCurrentText(m.unit)
        sup = self._default_supplier.get(m.id)
        if sup is not None and self.supplier.currentData() is None:
            self.supplier.setCurrentIndex(max(0, self.supplier.findData(sup)))

    def apply_scan(self, data: ScanData) -> None:
        """Fill what a supplier barcode says; nothing already typed is overwritten by blanks."""
        if data.lot:
            self.supplier_lot.setText(data.lot)
        if data.gtin:
            self.gtin.setText(data.gtin)
            with self._sf() as s:
                mid = material_for_gtin(s, data.gtin)
            if mid is not None and self.material.currentData() is None:
                self.material.setCurrentIndex(self.material.findData(mid))
        expiry = data.expiry or data.best_before
        if expiry is not None:
            self.has_expiry.setChecked(True)
            self.expiry.setDate(QDate(expiry.year, expiry.month, expiry.day))

    def save(self, session: Session) -> Any:
        from smallbatch_desktop.domain.errors import ValidationError

        m = self._material()
        if m is None:
            raise ValidationError("material: choose the material received", field="material")
        lot = inv.receive_lot(
            session,
            material_id=m.id,
            quantity=self.quantity.text(),
            unit=self.unit.currentText(),
            supplier_id=self.supplier.currentData(),
            supplier_lot_code=self.supplier_lot.text(),
            unit_cost=self.cost.text().strip() or None,
            currency=self._ctx.currency,
            received_date=pydate(self.received.date()),
            expiry_date=pydate(self.expiry.date()) if self.has_expiry.isChecked() else None,
            origin=self.origin.text(),
            certifications=self.certs.text(),
            gtin=self.gtin.text(),
            document_ref=self.document.text(),
            actor=self._actor,
        )
        return lot.id
