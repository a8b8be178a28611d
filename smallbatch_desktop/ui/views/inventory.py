"""The Inventory view: materials with on-hand and low-stock, lots with expiring-soon
and expired highlights, suppliers; receive a lot, add or edit a material."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services.common import get_setting
from smallbatch_desktop.services.ui_queries import SupplierRow, list_suppliers, lot_info
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Column, Role, RowTableModel, sortable_proxy
from smallbatch_desktop.ui.ops import Change, watch
from smallbatch_desktop.ui.text import esc, money, rich
from smallbatch_desktop.ui.theme import error_background, warning_background
from smallbatch_desktop.ui.widgets.columns import fit_columns

TAB_MATERIALS, TAB_LOTS, TAB_SUPPLIERS = range(3)


def _table(name: str, model: Any, settings: QSettings, whole: tuple[int, ...]) -> QTableView:
    """A sortable list whose columns fit their content (``whole`` ones are never cut)
    and remember the widths the user sets."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    fit_columns(view, settings, f"inventory/{name}", whole=whole)
    return view


#: the lots list's columns that content sizing never cuts: lot, material, expiry,
#: received, supplier lot
LOT_WHOLE = (0, 1, 2, 5, 7)


def _stock_state(m: inv.MaterialStock) -> str:
    if m.low:
        return "LOW — reorder"
    if m.available < 0:
        return "short for planned batches"
    return "ok"


class InventoryView(QWidget):
    """Signals:
    traceRequested(str): trace this lot code.
    """

    traceRequested = Signal(str)

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inventoryView")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._today = today or dt.date.today()
        self._soon: set[int] = set()
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("inventorySearch")
        self.search.setPlaceholderText("Search materials, lots, suppliers…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.search.fontMetrics().averageCharWidth() * 18)
        bar.addWidget(self.search, 1)
        self.only_on_hand = QCheckBox("Only lots on &hand")
        self.only_on_hand.setObjectName("onlyOnHand")
        self.only_on_hand.setChecked(True)
        bar.addWidget(self.only_on_hand)
        for aid, name in (
            (ActionId.RECEIVE_LOT, "receiveLotButton"),
            (ActionId.NEW_MATERIAL, "newMaterialButton"),
            (ActionId.NEW_SUPPLIER, "newSupplierButton"),
        ):
            act = ctx.actions[aid]
            b = QPushButton(act.text().replace("&", ""))
            b.setObjectName(name)
            b.setToolTip(act.toolTip())
            b.clicked.connect(act.trigger)
            bar.addWidget(b)
        self.edit_material_button = QPushButton("&Edit material…")
        self.edit_material_button.setObjectName("editMaterialButton")
        self.edit_material_button.clicked.connect(self.edit_material)
        bar.addWidget(self.edit_material_button)
        layout.addLayout(bar)
        self.summary = rich(QLabel())
        self.summary.setObjectName("inventorySummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("inventoryTabs")
        layout.addWidget(self.tabs, 1)

        units = ctx.units  # quantities shown metric or US; stored as recorded

        def qty(value: Any) -> Any:
            """A stock figure in the unit shown for the material's on-hand."""
            return lambda r: units.convert(
                getattr(r, value), r.unit, units.show(r.on_hand, r.unit)[1]
            )

        self.materials_model: RowTableModel[inv.MaterialStock] = RowTableModel(
            [
                Column("Code", lambda r: r.code),
                Column("Material", lambda r: r.name),
                Column(
                    "On hand",
                    lambda r: units.show(r.on_hand, r.unit)[0],
                    numeric=True,
                    tip=lambda r: units.recorded(r.on_hand, r.unit),
                ),
                Column(
                    "Expired",
                    qty("expired"),
                    numeric=True,
                    tip=lambda r: "On hand in lots past their expiry: never available",
                ),
                Column(
                    "Allocated",
                    qty("allocated"),
                    numeric=True,
                    tip=lambda r: "Still to be taken by planned and running batches",
                ),
                Column(
                    "Available",
                    qty("available"),
                    numeric=True,
                    tip=lambda r: "On hand less expired and allocated",
                ),
                Column("Unit", lambda r: units.show(r.on_hand, r.unit)[1]),
                Column(
                    "Reorder at",
                    lambda r: (
                        None
                        if r.reorder_level is None
                        else units.convert(
                            r.reorder_level, r.unit, units.show(r.on_hand, r.unit)[1]
                        )
                    ),
                    numeric=True,
                ),
                Column("Stock", _stock_state),
            ],
            row_id=lambda r: r.material_id,
            background=lambda r: warning_background() if r.low else None,
            parent=self,
        )
        self.materials_proxy = sortable_proxy(self.materials_model, self)
        self.materials = _table("materialsTable", self.materials_proxy, ctx.settings, (0, 1))
        self.materials.doubleClicked.connect(lambda _i: self.edit_material())
        self.tabs.addTab(self.materials, "&Materials")

        self.lots_model: RowTableModel[inv.LotStock] = RowTableModel(
            [
                # what a maker picks by first (lot, material, expiry, on hand), then
                # where it came from: at 1280 px with larger text the first six show whole
                Column("Lot", lambda r: r.lot_code),
                Column("Material", lambda r: r.material_name),
                Column("Expiry", lambda r: r.expiry_date, tip=self._expiry_tip),
                Column(
                    "On hand",
                    lambda r: units.show(r.on_hand, r.unit)[0],
                    numeric=True,
                    tip=lambda r: units.recorded(r.on_hand, r.unit),
                ),
                Column("Unit", lambda r: units.show(r.on_hand, r.unit)[1]),
                Column("Received", lambda r: r.received_date),
                Column("Supplier", lambda r: r.supplier),
                Column("Supplier lot", lambda r: r.supplier_lot_code),
                Column("Origin", lambda r: r.origin),
                Column("Certifications", lambda r: r.certifications),
            ],
            row_id=lambda r: r.lot_id,
            background=self._lot_color,
            parent=self,
        )
        self.lots_proxy = sortable_proxy(self.lots_model, self)
        lots_page = QWidget()
        lv = QVBoxLayout(lots_page)
        lv.setContentsMargins(0, 0, 0, 0)
        self.lots = _table("lotsTable", self.lots_proxy, ctx.settings, LOT_WHOLE)
        lv.addWidget(self.lots, 1)
        detail_row = QHBoxLayout()
        self.lot_detail = rich(QLabel("Select a lot to see its record."))
        self.lot_detail.setObjectName("lotDetail")
        self.lot_detail.setWordWrap(True)
        self.lot_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail_row.addWidget(self.lot_detail, 1)
        self.trace_button = QPushButton("&Trace this lot")
        self.trace_button.setObjectName("traceLotButton")
        self.trace_button.clicked.connect(ctx.actions[ActionId.TRACE_LOT].trigger)
        detail_row.addWidget(self.trace_button, 0, Qt.AlignmentFlag.AlignTop)
        lv.addLayout(detail_row)
        self.tabs.addTab(lots_page, "&Lots")

        self.suppliers_model: RowTableModel[SupplierRow] = RowTableModel(
            [
                Column("Supplier", lambda r: r.name),
                Column("Contact", lambda r: r.contact),
                Column("Email", lambda r: r.email),
                Column("Phone", lambda r: r.phone),
                Column("Lots received", lambda r: r.lot_count, numeric=True),
                Column("Address", lambda r: r.address.replace("\n", ", ")),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.suppliers_proxy = sortable_proxy(self.suppliers_model, self)
        self.suppliers = _table("suppliersTable", self.suppliers_proxy, ctx.settings, (0,))
        self.tabs.addTab(self.suppliers, "S&uppliers")

        self.search.textChanged.connect(self._filter)
        self.only_on_hand.toggled.connect(lambda _c: self.refresh())
        self.lots.selectionModel().currentRowChanged.connect(self._lot_selected)
        self.refresh()
        self.tabs.setCurrentIndex(TAB_LOTS)
        watch(
            self,
            ctx,
            Change.LOTS | Change.MATERIALS | Change.SUPPLIERS | Change.BATCHES | Change.SETTINGS,
            lambda _event: self.refresh(),
        )

    # -- data ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload every tab; the selected lot stays selected and its record is re-read."""
        keep = self._current_lot_id()
        with self._sf() as s:
            materials = inv.material_stock(s, today=self._today)
            lots = inv.list_lots(s, only_on_hand=self.only_on_hand.isChecked())
            days = int(get_setting(s, "expiring_soon_days") or 30)
            soon = inv.expiring_soon(s, within_days=days, today=self._today)
            suppliers = list_suppliers(s)
        self._soon = {lot.lot_id for lot in soon}
        self.materials_model.set_rows(materials)
        self.lots.setCurrentIndex(QModelIndex())
        self.lots_model.set_rows(lots)
        self.suppliers_model.set_rows(suppliers)
        low = [m for m in materials if m.low]
        expired = [lot for lot in soon if lot.expiry_date and lot.expiry_date < self._today]
        parts = [
            f"{len(materials)} materials, {len(lots)} lots{' on hand' if self.only_on_hand.isChecked() else ''}"
        ]
        if low:
            parts.append(
                f"<b>{len(low)} low on stock</b>: " + ", ".join(esc(m.name) for m in low[:5])
            )
        if soon:
            parts.append(
                f"<b>{len(soon)} expiring within {days} days</b>"
                + (f" ({len(expired)} expired)" if expired else "")
            )
        self.summary.setText(" · ".join(parts))
        if keep is not None:
            self._reselect_lot(keep)

    def _current_lot_id(self) -> int | None:
        idx = self.lots.currentIndex() if hasattr(self, "lots") else None
        return int(idx.data(Role.Id)) if idx is not None and idx.isValid() else None

    def _reselect_lot(self, lot_id: int) -> None:
        row = self.lots_model.find_row(lot_id)
        if row < 0:
            self.lot_detail.setText("Select a lot to see its record.")
            return
        idx = self.lots_proxy.mapFromSource(self.lots_model.index(row, 0))
        self.lots.setCurrentIndex(idx)  # re-reads the lot's record (_lot_selected)

    def _lot_color(self, lot: inv.LotStock) -> QColor | None:
        if lot.expiry_date is not None and lot.expiry_date < self._today:
            return error_background()
        if lot.lot_id in self._soon:
            return warning_background()
        return None

    def _expiry_tip(self, lot: inv.LotStock) -> str:
        if lot.expiry_date is None:
            return "No expiry"
        days = (lot.expiry_date - self._today).days
        return f"Expired {-days} days ago" if days < 0 else f"Expires in {days} days"

    def _filter(self, text: str) -> None:
        for proxy in (self.materials_proxy, self.lots_proxy, self.suppliers_proxy):
            proxy.setFilterFixedString(text)

    # -- selection -------------------------------------------------------------------

    def _lot_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        lot_id = int(current.data(Role.Id))
        with self._sf() as s:
            info = lot_info(s, lot_id)
            on_hand = inv.lot_on_hand(s, lot_id)
        units = self._ctx.units
        cost = (
            ""
            if info.unit_cost is None
            else f", cost {esc(money(info.unit_cost, info.currency))} per {esc(info.unit)}"
        )
        expired = info.expiry_date is not None and info.expiry_date < self._today
        extra = [f"Supplier {esc(info.supplier or '—')} lot {esc(info.supplier_lot_code or '—')}"]
        if info.gtin:
            extra.append(f"GTIN {esc(info.gtin)}")
        extra.append(f"origin {esc(info.origin or '—')}")
        if info.certifications:
            extra.append(esc(info.certifications))
        if info.expiry_date:
            extra.append(
                f"<b>expired {info.expiry_date.isoformat()}</b>: not available"
                if expired
                else f"expiry {info.expiry_date.isoformat()}"
            )
        self.lot_detail.setText(
            f"<b>{esc(info.lot_code)}</b> — {esc(info.material)}: received "
            f"{units.text(info.quantity_received, info.unit)} on {info.received_date.isoformat()}, "
            f"on hand {units.text(on_hand, info.unit)}{cost}<br>" + " · ".join(extra)
        )

    def selected_lot_code(self) -> str:
        idx = self.lots.currentIndex()
        if not idx.isValid():
            return ""
        row = idx.data(Role.Row)
        return row.lot_code if row is not None else ""

    def open_lot(self, lot_id: int) -> None:
        """Show a lot (after a scan or a receipt): Lots tab, filters cleared, row selected."""
        self.tabs.setCurrentIndex(TAB_LOTS)
        self.search.clear()
        row = self.lots_model.find_row(lot_id)
        if row < 0 and self.only_on_hand.isChecked():
            self.only_on_hand.setChecked(False)  # an empty lot is still a lot
            row = self.lots_model.find_row(lot_id)
        if row < 0:
            self.refresh()
            row = self.lots_model.find_row(lot_id)
        if row >= 0:
            idx = self.lots_proxy.mapFromSource(self.lots_model.index(row, 0))
            self.lots.setCurrentIndex(idx)
            self.lots.selectRow(idx.row())
            self.lots.scrollTo(idx)
            self.lots.setFocus()

    def edit_material(self) -> Any:
        idx = self.materials.currentIndex()
        if self.tabs.currentIndex() != TAB_MATERIALS or not idx.isValid():
            self.tabs.setCurrentIndex(TAB_MATERIALS)
            return None
        from smallbatch_desktop.ui.dialogs.material import MaterialDialog

        dialog = MaterialDialog(self._ctx, self, material_id=int(idx.data(Role.Id)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
