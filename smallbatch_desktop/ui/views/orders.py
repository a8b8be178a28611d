"""The Orders view: customers' orders paged from SQL, the selected order's lines with what
is shipped and allocated, and the actions on them (new order, allocate, ship a line,
personalised labels, status, cancel), plus the make list and the purchase list.

Every action is one unit of work; a refusal is shown in the view's message line and
nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import NotFoundError
from smallbatch_desktop.domain.status import OrderStatus
from smallbatch_desktop.services import orders as ords
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.orders import ORDER_COLUMN, OrderListModel
from smallbatch_desktop.ui.models.table import Column, Role, RowTableModel
from smallbatch_desktop.ui.ops import Change, watch
from smallbatch_desktop.ui.text import esc, rich
from smallbatch_desktop.ui.theme import warning_background
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.fields import FieldError

#: status filter: (label, status, active only)
FILTERS: tuple[tuple[str, str | None, bool], ...] = (
    ("Active (open, in production, ready)", None, True),
    ("Open", "open", False),
    ("In production", "in_production", False),
    ("Ready", "ready", False),
    ("Shipped", "shipped", False),
    ("Cancelled", "cancelled", False),
    ("All orders", None, False),
)

#: what allocating, releasing and shipping change
_STOCK = Change.ORDERS | Change.SHIPMENTS | Change.BATCHES

#: status buttons: (action, text, objectName)
STATUS_BUTTONS = (
    ("start", "Start &production", "startOrderButton"),
    ("ready", "Mark rea&dy", "readyOrderButton"),
    ("reopen", "Re&open", "reopenOrderButton"),
)


def _button(text: str, name: str, slot: Callable[[], Any], tip: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    if tip:
        b.setToolTip(tip)
    b.clicked.connect(slot)
    return b


class OrderView(QWidget):
    """Signals:
    currentOrderChanged(object): the selected order's id, or None.

    Reloads whenever an action anywhere changes orders, shipments, batches or customers
    (``ui.ops.watch``).
    """

    currentOrderChanged = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderView")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._order: ords.OrderView | None = None
        self.last_dialog: QDialog | None = None

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("orderSearch")
        self.search.setPlaceholderText("Search order, customer, product, personal text…")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.filter = QComboBox()
        self.filter.setObjectName("orderFilter")
        for text, _status, _active in FILTERS:
            self.filter.addItem(text)
        bar.addWidget(self.filter)
        bar.addWidget(_button("&New order…", "newOrderButton", self.new_order))
        # Import… is the window's action (the import dialog detects a web shop export)
        import_button = QToolButton()
        import_button.setObjectName("importOrdersButton")
        import_button.setDefaultAction(ctx.actions[ActionId.IMPORT])
        import_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        import_button.setToolTip(
            "Import orders from a Shopify, Etsy, WooCommerce or Square export (Ctrl+I)"
        )
        bar.addWidget(import_button)
        bar.addWidget(
            _button(
                "&Make list…",
                "makeListButton",
                self.open_make_list,
                "What to make for the open orders; plan those batches",
            )
        )
        bar.addWidget(
            _button(
                "P&urchase list…",
                "purchaseListButton",
                self.open_purchase_list,
                "Materials short for the planned work; draft and receive purchase orders",
            )
        )
        layout.addLayout(bar)
        self.message = FieldError(self, name="orderMessage")
        layout.addWidget(self.message)

        # the list above, the order below: both are wide tables
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("orderSplitter")
        self.model = OrderListModel(self._sf, self)
        self.table = QTableView()
        self.table.setObjectName("ordersTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        # with larger text at 1280 px the line count, order date and channel step aside
        # (the order below names them) so the products and the personalised mark show
        fit_columns(
            self.table,
            ctx.settings,
            "orders/ordersTable",
            whole=(0, 1, ORDER_COLUMN["Products"]),
            give_way=(ORDER_COLUMN["Lines"], ORDER_COLUMN["Ordered"], ORDER_COLUMN["Channel"]),
        )
        split.addWidget(self.table)

        detail = QWidget()
        dv = QVBoxLayout(detail)
        dv.setContentsMargins(0, 4, 0, 0)
        self.header = rich(QLabel("Select an order."))
        self.header.setObjectName("orderHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dv.addWidget(self.header)
        self.lines_model: RowTableModel[ords.LineView] = RowTableModel(
            [
                Column("#", lambda r: r.position, numeric=True),
                Column("Product", lambda r: r.product),
                Column("Ordered", lambda r: r.quantity, numeric=True),
                Column("Unit", lambda r: r.unit),
                Column("Shipped", lambda r: r.shipped, numeric=True),
                Column("Allocated", lambda r: r.allocated, numeric=True),
                Column("To ship", lambda r: r.remaining, numeric=True),
                Column("MTO", lambda r: "yes" if r.made_to_order else ""),
                # the lots allocated before the long personal texts: with larger text
                # at 1280 px they stay in view (the texts are whole in their tooltip)
                Column("Lots", lambda r: ", ".join(r.lots)),
                Column("Personalised", lambda r: _personal_text(r), tip=_personal_tip),
            ],
            row_id=lambda r: r.id,
            background=lambda r: warning_background() if r.personalised else None,
            parent=self,
        )
        self.lines = QTableView()
        self.lines.setObjectName("orderLinesTable")
        self.lines.setModel(self.lines_model)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.verticalHeader().hide()
        fit_columns(self.lines, ctx.settings, "orders/orderLinesTable", whole=(1,))
        dv.addWidget(self.lines, 1)
        line_bar = QHBoxLayout()
        self.allocate_button = _button(
            "&Allocate", "allocateButton", self.allocate, "Reserve free released stock, FEFO"
        )
        self.release_button = _button(
            "Re&lease allocation", "releaseButton", self.release_allocation
        )
        self.ship_button = _button("&Ship line…", "shipLineButton", self.ship_line)
        self.labels_button = _button(
            "Print &labels…",
            "orderLabelsButton",
            self.print_labels,
            "One personalised label per unit of the selected line",
        )
        for b in (self.allocate_button, self.release_button, self.ship_button, self.labels_button):
            line_bar.addWidget(b)
        line_bar.addStretch(1)
        dv.addLayout(line_bar)
        status_bar = QHBoxLayout()
        self.status_buttons: dict[str, QPushButton] = {}
        for action, text, name in STATUS_BUTTONS:
            b = _button(text, name, self._status_slot(action))
            self.status_buttons[action] = b
            status_bar.addWidget(b)
        self.allocate_all_button = _button(
            "Allocate all &lines", "allocateOrderButton", self.allocate_order
        )
        status_bar.addWidget(self.allocate_all_button)
        status_bar.addStretch(1)
        self.cancel_button = _button("&Cancel order…", "cancelOrderButton", self.cancel_order)
        status_bar.addWidget(self.cancel_button)
        dv.addLayout(status_bar)
        split.addWidget(detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        self.search.textChanged.connect(lambda _t: self.reload())
        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.selectionModel().currentRowChanged.connect(self._order_selected)
        self.lines.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.reload()
        watch(
            self,
            ctx,
            Change.ORDERS | Change.SHIPMENTS | Change.BATCHES | Change.CUSTOMERS,
            lambda _event: self.reload(keep_detail=True),
        )

    def _status_slot(self, action: str) -> Callable[[], Any]:
        return lambda: self.change_status(action)

    # -- data ------------------------------------------------------------------------

    def reload(self, *, keep_detail: bool = False) -> None:
        """The list again (after a search or filter change, or a change anywhere).
        ``keep_detail``: the order shown stays shown even when it no longer matches the
        filter (shipping its last line made it Shipped): the maker is still at work on
        it (printing its labels)."""
        keep = self.current_order_id()
        _text, status, active = FILTERS[max(0, self.filter.currentIndex())]
        self.model.set_filter(status=status, active_only=active, search=self.search.text())
        if keep is not None and self.select_order(keep):
            return
        if keep is not None and keep_detail and self._keep_showing(keep):
            return
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self._show(None)

    def _keep_showing(self, order_id: int) -> bool:
        try:
            self._load(order_id)
        except NotFoundError:
            return False
        o = self._order
        if o is None:
            return False
        where = next((text for text, st, _a in FILTERS if st == o.status), FILTERS[-1][0])
        self.message.show_note(
            f"{o.number} is {o.status_label.lower()} now and no longer in this list; "
            f"it is under “{where}”"
        )
        return True

    def refresh(self) -> None:
        self.reload(keep_detail=True)

    def current_order_id(self) -> int | None:
        return self._order.id if self._order is not None else None

    def select_order(self, order_id: int) -> bool:
        row = self.model.find_row(order_id)
        while row < 0 and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.find_row(order_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        self._load(order_id)
        return True

    def _order_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._load(int(current.data(Role.Id)) if current.isValid() else None)

    def _load(self, order_id: int | None) -> None:
        if order_id is None:
            self._show(None)
            return
        with self._sf() as s:
            view = ords.order_view(s, order_id)
        self._show(view)

    def _show(self, view: ords.OrderView | None) -> None:
        line_id = self.current_line_id()
        self._order = view
        if view is None:
            self.header.setText("Select an order, or make a new one.")
            self.lines_model.set_rows([])
        else:
            promised = view.promised_date.isoformat() if view.promised_date else "—"
            # the customer's and the shop's own text shown as typed
            extra = f"<br>Cancelled: {esc(view.cancel_reason)}" if view.cancel_reason else ""
            notes = f"<br>{esc(view.notes)}" if view.notes else ""
            source = f" · from {esc(_source_name(view.source))}" if view.source else ""
            self.header.setText(
                f"<b>{esc(view.number)}</b> · {esc(view.customer)} · "
                f"{esc(ords.CHANNEL_LABELS.get(view.channel, view.channel))} · "
                f"<b>{view.status_label}</b><br>Ordered {view.ordered_date.isoformat()}, "
                f"promised {promised}{source}{notes}{extra}"
            )
            self.lines_model.set_rows(list(view.lines))
            row = self.lines_model.find_row(line_id) if line_id is not None else -1
            self.lines.selectRow(row if row >= 0 else 0)
        self._update_buttons()
        self.currentOrderChanged.emit(self.current_order_id())

    def current_line(self) -> ords.LineView | None:
        idx = self.lines.currentIndex()
        if not idx.isValid():
            return None
        return self.lines_model.row_at(idx.row())

    def current_line_id(self) -> int | None:
        ln = self.current_line()
        return ln.id if ln is not None else None

    def _update_buttons(self) -> None:
        o = self._order
        active = o is not None and OrderStatus(o.status) in (
            OrderStatus.OPEN,
            OrderStatus.IN_PRODUCTION,
            OrderStatus.READY,
        )
        ln = self.current_line()
        has_line = ln is not None
        self.allocate_button.setEnabled(bool(active and ln and ln.remaining > ln.allocated))
        self.release_button.setEnabled(bool(active and ln and ln.allocated > 0))
        self.ship_button.setEnabled(bool(active and ln and ln.remaining > 0))
        self.labels_button.setEnabled(has_line and bool(ln and (ln.shipped or ln.allocated)))
        self.allocate_all_button.setEnabled(active)
        self.cancel_button.setEnabled(active)
        allowed = set(o.actions) if o is not None else set()
        for action, b in self.status_buttons.items():
            b.setEnabled(action in allowed)

    # -- actions ---------------------------------------------------------------------

    def _act(self, fn: Callable[[Session], Any], done: str, changes: Change = _STOCK) -> bool:
        """One user action (``UiContext.run``): a refusal in the message line; on success
        every view showing what changed reloads (this one through the bus too)."""
        result = self._ctx.run(fn, changes=changes, message=self.message, what=done)
        if result:
            self._status(done)
        return bool(result)

    def _status(self, done: str) -> None:
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(done, 5000)

    def allocate(self) -> bool:
        line_id = self.current_line_id()
        if line_id is None:
            return False
        return self._act(
            lambda s: ords.allocate_line(s, line_id, actor=self._ctx.actor), "Stock allocated"
        )

    def allocate_order(self) -> bool:
        oid = self.current_order_id()
        if oid is None:
            return False
        return self._act(
            lambda s: ords.allocate_order(s, oid, actor=self._ctx.actor), "Stock allocated"
        )

    def release_allocation(self) -> bool:
        line_id = self.current_line_id()
        if line_id is None:
            return False
        return self._act(
            lambda s: ords.release_allocation(s, line_id, actor=self._ctx.actor),
            "Allocation released",
        )

    def change_status(self, action: str) -> bool:
        oid = self.current_order_id()
        if oid is None:
            return False
        return self._act(
            lambda s: ords.change_order_status(s, oid, action, actor=self._ctx.actor),
            "Order status changed",
            Change.ORDERS,
        )

    def _open(self, dialog: QDialog, done: str, select: bool = False) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            value = getattr(dialog, "result_value", None)
            self._status(done)
            if select and isinstance(value, int):
                self.select_order(value)

        dialog.accepted.connect(accepted)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def new_order(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.orders import NewOrderDialog

        return self._open(NewOrderDialog(self._ctx, self), "Order saved", select=True)

    def ship_line(self) -> QDialog | None:
        line_id = self.current_line_id()
        if line_id is None:
            return None
        from smallbatch_desktop.ui.dialogs.orders import ShipLineDialog

        return self._open(ShipLineDialog(self._ctx, line_id, self), "Shipped")

    def cancel_order(self) -> QDialog | None:
        if self._order is None:
            return None
        from smallbatch_desktop.ui.dialogs.orders import CancelOrderDialog

        return self._open(
            CancelOrderDialog(self._ctx, self._order.id, self._order.number, self),
            "Order cancelled; its stock is free again",
        )

    def print_labels(self, out_path: str = "") -> QDialog | None:
        line_id = self.current_line_id()
        if line_id is None:
            return None
        from smallbatch_desktop.ui.dialogs.orders import OrderLabelsDialog

        return self._open(
            OrderLabelsDialog(self._ctx, line_id, self, out_path=out_path),
            "Labels saved",
        )

    def open_make_list(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.planning import MakeListDialog

        return self._open(MakeListDialog(self._ctx, self), "Batches planned from the make list")

    def open_purchase_list(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.planning import PurchaseListDialog

        dialog = PurchaseListDialog(self._ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()
        return dialog


def _personal_text(ln: ords.LineView) -> str:
    parts = []
    if ln.personal_text:
        parts.append(ln.personal_text)
    if ln.unit_texts:
        parts.append(" | ".join(ln.unit_texts))
    if ln.options:
        parts.append(", ".join(f"{k}: {v}" for k, v in ln.options))
    return " · ".join(parts)


def _personal_tip(ln: ords.LineView) -> str:
    return "Personalised: one label per unit" if ln.personalised else ""


def _source_name(source: str) -> str:
    """Where an imported order came from, by the platform's own name ("Shopify"), not
    the key the import stores ("shopify")."""
    from smallbatch_desktop.services.imports.platforms import PLATFORMS

    platform = PLATFORMS.get(source)
    return platform.name if platform is not None else source
