"""The make list (with "Plan these batches") and the purchase list (with "Create draft
POs", purchase orders, "Mark ordered" and receiving a lot against a line).

The plan is computed in the task pool (on a large database it takes a noticeable part of
a second); the actions are one unit of work each, their refusals shown in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.status import PoStatus
from smallbatch_desktop.services import purchasing as pur
from smallbatch_desktop.services.planning import DemandPlan, MakeLine, MaterialNeed
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.dialogs.orders import _date_edit, date_of
from smallbatch_desktop.ui.models.table import Column, RowTableModel, sortable_proxy
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.theme import error_background, warning_background
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError


def _table(ctx: UiContext, name: str, model: Any) -> QTableView:
    """A sortable list whose columns fit their content and remember what the user drags;
    in the service's order (products before what they are made of) until sorted."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    fit_columns(view, ctx.settings, f"planning/{name}", whole=(0,))
    return view


def _materials_model(parent: QWidget, *, buying: bool = False) -> RowTableModel[MaterialNeed]:
    need: list[Column[MaterialNeed]] = [
        Column("For new batches", lambda m: m.for_proposed, numeric=True),
        Column("Planned batches", lambda m: m.allocated, numeric=True),
    ]
    stock: list[Column[MaterialNeed]] = [
        Column("On hand", lambda m: m.on_hand, numeric=True),
        Column("Available", lambda m: m.available, numeric=True),
        Column("Shortage", lambda m: m.shortage or None, numeric=True),
        Column("On order", lambda m: m.on_order or None, numeric=True),
        Column("Reorder at", lambda m: m.reorder_level, numeric=True),
    ]
    buy: list[Column[MaterialNeed]] = [
        Column("To buy", lambda m: m.to_buy or None, numeric=True),
        Column("Supplier", lambda m: m.supplier or "— none —"),
    ]
    head: list[Column[MaterialNeed]] = [
        Column("Material", lambda m: m.name),
        Column("Unit", lambda m: m.unit),
    ]
    return RowTableModel(
        # buying: what to order and from whom first; planning: what the batches need first
        head + (buy + stock + need if buying else need + stock + buy),
        row_id=lambda m: m.material_id,
        background=lambda m: (
            error_background() if m.shortage > 0 else warning_background() if m.to_buy else None
        ),
        parent=parent,
    )


class _PlanDialog(QDialog):
    """Shared: compute the plan in the pool, show it, run an action, recompute."""

    def __init__(self, ctx: UiContext, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._ctx = ctx
        self._sf = ctx.session_factory
        self.plan: DemandPlan | None = None
        self.layout_ = QVBoxLayout(self)
        self.summary = QLabel("Working out the plan…")
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.layout_.addWidget(self.summary)
        self.message = FieldError(self, name="planMessage")

    def compute(self) -> None:
        from smallbatch_desktop.services.planning import demand_plan

        self._ctx.tasks.submit(
            "Working out the plan",
            lambda s, _p: demand_plan(s),
            on_result=self._show_plan,
        )

    def _show_plan(self, plan: DemandPlan) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def act(self, fn: Callable[[Session], Any], what: str, changes: Change) -> Any:
        """One user action (``UiContext.run``); a refusal shown in the dialog. Returns the
        result, or None when refused."""
        done = self._ctx.run(fn, changes=changes, message=self.message, origin=self, what=what)
        if not done:
            return None
        self.compute()
        return done.value


class MakeListDialog(_PlanDialog):
    """What to make for the open orders, and "Plan these batches"."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Make list", parent)
        self.setObjectName("makeListDialog")
        self.planned: list[str] = []
        self.make_model: RowTableModel[MakeLine] = RowTableModel(
            [
                Column("Product", lambda m: m.name + (" (intermediate)" if m.intermediate else "")),
                Column("Unit", lambda m: m.unit),
                Column("Open orders", lambda m: m.ordered or None, numeric=True),
                Column("To make", lambda m: m.to_make or None, numeric=True),
                Column("Batches", lambda m: m.batches or None, numeric=True),
                Column("Plan", lambda m: m.plan_quantity or None, numeric=True),
                Column("Batch size", lambda m: m.batch_size, numeric=True),
                Column("Made to order", lambda m: m.made_to_order or None, numeric=True),
                Column("Allocated", lambda m: m.allocated or None, numeric=True),
                Column("Free stock", lambda m: m.free_stock, numeric=True),
                Column("In progress", lambda m: m.in_progress or None, numeric=True),
                Column("For other batches", lambda m: m.for_batches or None, numeric=True),
            ],
            row_id=lambda m: m.recipe_id,
            background=lambda m: warning_background() if m.batches else None,
            parent=self,
        )
        self.make_table = _table(self._ctx, "makeTable", sortable_proxy(self.make_model, self))
        self.layout_.addWidget(self.make_table, 3)
        self.layout_.addWidget(QLabel("<b>Materials for these and the planned batches</b>"))
        self.materials_model = _materials_model(self)
        self.materials_table = _table(
            self._ctx, "makeMaterialsTable", sortable_proxy(self.materials_model, self)
        )
        self.layout_.addWidget(self.materials_table, 2)
        self.layout_.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.plan_button = QPushButton("&Plan these batches")
        self.plan_button.setObjectName("planButton")
        self.plan_button.setToolTip("Plan every batch in the list, each at the recipe's batch size")
        self.plan_button.setEnabled(False)
        buttons.addButton(self.plan_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.plan_button.clicked.connect(self.plan_batches)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self._close)
        self.layout_.addWidget(buttons)
        fit_to_text(self, 150, 36)
        self.compute()

    def _close(self) -> None:
        if self.planned:
            self.accept()
        else:
            self.reject()

    def _show_plan(self, plan: DemandPlan) -> None:
        self.plan = plan
        rows = [m for m in plan.make if m.ordered or m.batches or m.for_batches]
        self.make_model.set_rows(rows)
        self.materials_model.set_rows(list(plan.materials))
        n = sum(m.batches for m in plan.make)
        short = plan.shortages
        parts = [
            f"{n} batches to plan"
            if n
            else "Nothing to make: stock and planned batches cover the open orders"
        ]
        if short:
            parts.append(
                f"<b>{len(short)} material{'s' if len(short) != 1 else ''} short</b>: "
                + ", ".join(f"{m.name} {m.shortage.normalize():f} {m.unit}" for m in short[:4])
            )
        parts += plan.warnings
        self.summary.setText(" · ".join(parts))
        self.plan_button.setEnabled(n > 0)

    def plan_batches(self) -> list[str] | None:
        from smallbatch_desktop.services.planning import plan_make_list

        codes = self.act(
            lambda s: [b.lot_code for b in plan_make_list(s, actor=self._ctx.actor)],
            "plan the make list",
            Change.BATCHES,
        )
        if codes:
            self.planned += codes
            self.message.show_note(f"Planned {len(codes)} batches: {', '.join(codes)}")
        return codes


class PurchaseListDialog(_PlanDialog):
    """What to buy, the purchase orders, and receiving against them."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Purchase list", parent)
        self.setObjectName("purchaseListDialog")
        self.last_dialog: QDialog | None = None
        self.materials_model = _materials_model(self, buying=True)
        self.materials_table = _table(
            self._ctx, "purchaseTable", sortable_proxy(self.materials_model, self)
        )
        self.layout_.addWidget(self.materials_table, 2)
        row = QHBoxLayout()
        self.drafts_button = QPushButton("Create &draft POs")
        self.drafts_button.setObjectName("createDraftsButton")
        self.drafts_button.setToolTip("One draft purchase order per default supplier")
        self.drafts_button.clicked.connect(self.create_drafts)
        row.addWidget(self.drafts_button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(QLabel("<b>Purchase orders</b>"))
        self.po_lines_model: RowTableModel[tuple[pur.PoView, pur.PoLineView]] = RowTableModel(
            [
                Column("PO", lambda r: r[0].number),
                Column("Supplier", lambda r: r[0].supplier),
                Column("Status", lambda r: r[0].status_label),
                Column("Material", lambda r: r[1].material),
                Column("Ordered", lambda r: r[1].quantity, numeric=True),
                Column("Unit", lambda r: r[1].unit),
                Column("Received", lambda r: r[1].received, numeric=True),
                Column("Outstanding", lambda r: r[1].outstanding, numeric=True),
                Column("Cost/unit", lambda r: r[1].unit_cost, numeric=True),
                Column("Lots", lambda r: ", ".join(r[1].lots)),
            ],
            row_id=lambda r: r[1].id,
            background=lambda r: (
                warning_background() if r[0].status == PoStatus.DRAFT.value else None
            ),
            parent=self,
        )
        self.po_table = _table(self._ctx, "poLinesTable", self.po_lines_model)
        self.po_table.setSortingEnabled(False)
        self.layout_.addWidget(self.po_table, 2)
        po_row = QHBoxLayout()
        self.ordered_button = QPushButton("&Mark ordered")
        self.ordered_button.setObjectName("markOrderedButton")
        self.ordered_button.clicked.connect(self.mark_ordered)
        self.receive_button = QPushButton("&Receive…")
        self.receive_button.setObjectName("receivePoButton")
        self.receive_button.setToolTip("Receive a lot against the selected line")
        self.receive_button.clicked.connect(self.receive)
        self.cancel_po_button = QPushButton("Cancel P&O")
        self.cancel_po_button.setObjectName("cancelPoButton")
        self.cancel_po_button.clicked.connect(self.cancel_po)
        for b in (self.ordered_button, self.receive_button, self.cancel_po_button):
            po_row.addWidget(b)
        po_row.addStretch(1)
        self.layout_.addLayout(po_row)
        self.layout_.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.reject)
        self.layout_.addWidget(buttons)
        self.po_table.selectionModel().currentRowChanged.connect(lambda *_: self._po_buttons())
        fit_to_text(self, 140, 38)
        self.compute()

    def _show_plan(self, plan: DemandPlan) -> None:
        self.plan = plan
        self.materials_model.set_rows(list(plan.to_buy))
        with self._sf() as s:
            pos = pur.list_purchase_orders(s)
        cur = self.current_po()
        self.po_lines_model.set_rows([(po, ln) for po in pos for ln in po.lines])
        if cur is not None:  # the maker stays on the line they just received or ordered
            self.select_po_line(cur[1].id)
        buy = plan.to_buy
        short = plan.shortages
        self.summary.setText(
            (
                f"{len(buy)} materials to buy ({len(short)} short for the planned work)"
                if buy
                else "Nothing to buy: on hand and on order cover the plan"
            )
            + "".join(f" · {w}" for w in plan.warnings)
        )
        self.drafts_button.setEnabled(bool(buy))
        self._po_buttons()

    def current_po(self) -> tuple[pur.PoView, pur.PoLineView] | None:
        idx = self.po_table.currentIndex()
        if not idx.isValid():
            return None
        return self.po_lines_model.row_at(idx.row())

    def select_po_line(self, po_line_id: int) -> None:
        row = self.po_lines_model.find_row(po_line_id)
        if row >= 0:
            self.po_table.selectRow(row)

    def _po_buttons(self) -> None:
        cur = self.current_po()
        status = cur[0].status if cur else ""
        self.ordered_button.setEnabled(status == PoStatus.DRAFT.value)
        self.receive_button.setEnabled(
            status in (PoStatus.ORDERED.value, PoStatus.PARTLY_RECEIVED.value)
        )
        self.cancel_po_button.setEnabled(
            status in (PoStatus.DRAFT.value, PoStatus.ORDERED.value, PoStatus.PARTLY_RECEIVED.value)
        )

    def create_drafts(self) -> Any:
        result = self.act(
            lambda s: _draft_summary(pur.create_draft_pos(s, actor=self._ctx.actor)),
            "create draft purchase orders",
            Change.ORDERS,
        )
        if result:
            self.message.show_note(result)
        return result

    def mark_ordered(self) -> Any:
        cur = self.current_po()
        if cur is None:
            return None
        po_id = cur[0].id
        return self.act(
            lambda s: pur.mark_ordered(s, po_id, actor=self._ctx.actor).number,
            "mark ordered",
            Change.ORDERS,
        )

    def cancel_po(self) -> Any:
        cur = self.current_po()
        if cur is None:
            return None
        po_id = cur[0].id
        return self.act(
            lambda s: pur.cancel_purchase_order(s, po_id, actor=self._ctx.actor).number,
            "cancel purchase order",
            Change.ORDERS,
        )

    def receive(self) -> QDialog | None:
        cur = self.current_po()
        if cur is None:
            return None
        dialog = ReceivePoDialog(self._ctx, cur[0], cur[1], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.compute)
        self.last_dialog = dialog
        dialog.open()
        return dialog


def _draft_summary(result: pur.DraftResult) -> str:
    text = "Draft purchase orders: " + ", ".join(
        f"{po.number} ({po.supplier.name})" for po in result.orders
    )
    if result.no_supplier:
        text += ". No default supplier, not ordered: " + ", ".join(
            f"{code} ({name})" for code, name in result.no_supplier
        )
    return text


class ReceivePoDialog(FormDialog):
    """Receive a lot against a purchase order line: supplier, material and cost come from
    the order; the quantity starts at what is outstanding. ``result_value``: lot code."""

    changes = Change.LOTS | Change.ORDERS

    def __init__(
        self,
        ctx: UiContext,
        po: pur.PoView,
        line: pur.PoLineView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            f"Receive against {po.number}",
            parent,
            ok_text="Receive",
            intro=f"{po.supplier}: line {line.position}, {line.material}. Ordered "
            f"{line.quantity.normalize():f} {line.unit}, received "
            f"{line.received.normalize():f}.",
        )
        self.setObjectName("receivePoDialog")
        self._line_id = line.id
        self.quantity = DecimalEdit(field="quantity", required=True)
        self.quantity.setObjectName("receiveQuantity")
        self.quantity.setText(f"{line.outstanding.normalize():f}")
        self.add_field(f"&Quantity ({line.unit})", self.quantity, ("quantity", "unit"))
        self.supplier_lot = QLineEdit()
        self.supplier_lot.setObjectName("receiveSupplierLot")
        self.add_field("&Supplier lot", self.supplier_lot, "supplier lot")
        self.received = _date_edit("receiveDate", None)
        self.add_field("&Received", self.received, "received date")
        self.expiry = _date_edit("receiveExpiry", None, optional=True)
        self.add_field("&Expiry", self.expiry, "expiry date")
        self.origin = QLineEdit()
        self.origin.setObjectName("receiveOrigin")
        self.add_field("&Origin", self.origin, "origin")
        fit_to_text(self, 60)

    def save(self, session: Session) -> Any:
        lot = pur.receive_against_po(
            session,
            self._line_id,
            quantity=self.quantity.text(),
            supplier_lot_code=self.supplier_lot.text(),
            received_date=date_of(self.received),
            expiry_date=date_of(self.expiry),
            origin=self.origin.text(),
            actor=self._actor,
        )
        return lot.lot_code
