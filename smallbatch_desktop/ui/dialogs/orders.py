"""Order dialogs: a new order with its lines, shipping a line, cancelling an order, and
saving a line's personalised labels.

Each is a ``FormDialog``: OK runs one service call in one unit of work, and a refusal is
shown beside the field it names ("line 2 quantity" beside the lines table) with
everything typed left in place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.models import Customer, Recipe
from smallbatch_desktop.domain.units import format_quantity
from smallbatch_desktop.services import orders as ords
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.text import esc, rich
from smallbatch_desktop.ui.widgets.fields import DecimalEdit

#: lines table columns
COL_PRODUCT, COL_QTY, COL_TEXT, COL_UNIT_TEXTS, COL_OPTIONS, COL_MTO = range(6)


def _date_edit(name: str, day: dt.date | None, *, optional: bool = False) -> QDateEdit:
    w = QDateEdit()
    w.setObjectName(name)
    w.setCalendarPopup(True)
    w.setDisplayFormat("yyyy-MM-dd")
    if optional:
        w.setMinimumDate(QDate(2000, 1, 1))
        w.setSpecialValueText("none")
    if day is None:
        w.setDate(w.minimumDate() if optional else QDate.currentDate())
    else:
        w.setDate(QDate(day.year, day.month, day.day))
    return w


def date_of(w: QDateEdit) -> dt.date | None:
    if w.specialValueText() and w.date() == w.minimumDate():
        return None
    d = w.date()
    return dt.date(d.year(), d.month(), d.day())


def parse_options(text: str, *, field: str) -> dict[str, str]:
    """``heat=extra hot; scent=lavender`` -> {"heat": "extra hot", "scent": "lavender"}."""
    out: dict[str, str] = {}
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            key, sep, value = part.partition(":")
        if not sep or not key.strip():
            raise ValidationError(
                f"{field}: write options as name=value, separated by ';' (got {part.strip()!r})",
                field=field,
            )
        out[key.strip()] = value.strip()
    return out


class NewOrderDialog(FormDialog):
    """A customer's order with one or more lines. ``result_value``: the new order's id."""

    changes = Change.ORDERS | Change.CUSTOMERS

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(
            ctx,
            "New order",
            parent,
            ok_text="Save order",
            intro="What the customer ordered. Personal text goes on every unit's label, "
            "unless 'one per unit' gives a unit its own text instead (texts separated by '|').",
        )
        self.setObjectName("newOrderDialog")
        with ctx.session_factory() as s:
            customers = list(s.scalars(select(Customer.name).order_by(Customer.name)))
            self._products = [
                (r.code, f"{r.name} ({r.code})")
                for r in s.scalars(
                    select(Recipe).where(Recipe.archived.is_(False)).order_by(Recipe.name)
                )
            ]
        self.customer = QComboBox()
        self.customer.setObjectName("customerCombo")
        self.customer.setEditable(True)
        self.customer.addItems(customers)
        self.customer.setCurrentIndex(-1)
        edit = self.customer.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("Choose or type a new customer")
        self.add_field("&Customer", self.customer, "customer")
        self.channel = QComboBox()
        self.channel.setObjectName("channelCombo")
        for ch in ords.CHANNELS:
            self.channel.addItem(ords.CHANNEL_LABELS[ch], ch)
        self.add_field("C&hannel", self.channel, "channel")
        self.number = QLineEdit()
        self.number.setObjectName("orderNumber")
        self.number.setPlaceholderText("next SO number")
        self.add_field("Order &number", self.number, "order number")
        self.ordered = _date_edit("orderedDate", today)
        self.add_field("&Ordered", self.ordered, "ordered date")
        self.promised = _date_edit("promisedDate", None, optional=True)
        self.add_field("&Promised", self.promised, "promised date")
        self.notes = QLineEdit()
        self.notes.setObjectName("orderNotes")
        self.add_field("No&tes", self.notes, "notes")

        box = QWidget()
        box.setObjectName("orderLines")
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        self.lines = QTableWidget(0, 6)
        self.lines.setObjectName("linesTable")
        self.lines.setHorizontalHeaderLabels(
            [
                "Product",
                "Quantity",
                "Personal text",
                "One per unit (|)",
                "Options (a=b; c=d)",
                "MTO",
            ]
        )
        self.lines.verticalHeader().setVisible(True)
        self.lines.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.lines.horizontalHeader().setStretchLastSection(False)
        v.addWidget(self.lines)
        row = QHBoxLayout()
        self.add_line_button = QPushButton("&Add line")
        self.add_line_button.setObjectName("addLineButton")
        self.add_line_button.clicked.connect(lambda: self.add_line())
        self.remove_line_button = QPushButton("&Remove line")
        self.remove_line_button.setObjectName("removeLineButton")
        self.remove_line_button.clicked.connect(self.remove_line)
        row.addWidget(self.add_line_button)
        row.addWidget(self.remove_line_button)
        row.addStretch(1)
        v.addLayout(row)
        self.add_field("&Lines", box, ("line", "lines"))
        self.add_line()
        fit_to_text(self, 120, 34)

    def add_line(
        self,
        product: str = "",
        quantity: str = "",
        text: str = "",
        unit_texts: str = "",
        options: str = "",
        made_to_order: bool = False,
    ) -> int:
        r = self.lines.rowCount()
        self.lines.insertRow(r)
        combo = QComboBox()
        combo.setObjectName(f"lineProduct{r + 1}")
        for code, label in self._products:
            combo.addItem(label, code)
        combo.setCurrentIndex(combo.findData(product) if product else -1)
        self.lines.setCellWidget(r, COL_PRODUCT, combo)
        qty = DecimalEdit(field="quantity")
        qty.setObjectName(f"lineQuantity{r + 1}")
        qty.setText(quantity)
        self.lines.setCellWidget(r, COL_QTY, qty)
        for col, value in ((COL_TEXT, text), (COL_UNIT_TEXTS, unit_texts), (COL_OPTIONS, options)):
            self.lines.setItem(r, col, QTableWidgetItem(value))
        mto = QCheckBox()
        mto.setObjectName(f"lineMto{r + 1}")
        mto.setToolTip("Made to order: free stock on the shelf does not fill this line")
        mto.setChecked(made_to_order)
        self.lines.setCellWidget(r, COL_MTO, mto)
        char = self.fontMetrics().averageCharWidth()
        for col, chars in (
            (COL_PRODUCT, 28),
            (COL_QTY, 9),
            (COL_TEXT, 22),
            (COL_UNIT_TEXTS, 22),
            (COL_OPTIONS, 20),
            (COL_MTO, 5),
        ):
            self.lines.setColumnWidth(col, char * chars)
        return r

    def remove_line(self) -> None:
        r = self.lines.currentRow()
        if r < 0:
            r = self.lines.rowCount() - 1
        if r >= 0:
            self.lines.removeRow(r)

    def _cell(self, r: int, col: int) -> str:
        item = self.lines.item(r, col)
        return item.text().strip() if item is not None else ""

    def line_inputs(self) -> list[ords.OrderLineInput]:
        out = []
        for r in range(self.lines.rowCount()):
            combo: QComboBox = self.lines.cellWidget(r, COL_PRODUCT)  # type: ignore[assignment]
            qty: DecimalEdit = self.lines.cellWidget(r, COL_QTY)  # type: ignore[assignment]
            mto: QCheckBox = self.lines.cellWidget(r, COL_MTO)  # type: ignore[assignment]
            texts = self._cell(r, COL_UNIT_TEXTS)
            out.append(
                ords.OrderLineInput(
                    product=str(combo.currentData() or ""),
                    quantity=qty.text(),
                    personal_text=self._cell(r, COL_TEXT),
                    unit_texts=[t.strip() for t in texts.split("|")] if texts else (),
                    options=parse_options(
                        self._cell(r, COL_OPTIONS), field=f"line {r + 1} options"
                    ),
                    made_to_order=mto.isChecked(),
                )
            )
        return out

    def save(self, session: Session) -> Any:
        customer = self.customer.currentText().strip()
        if not customer:
            raise ValidationError("customer: choose or type the customer", field="customer")
        order = ords.create_order(
            session,
            customer=customer,
            create_customer=True,
            channel=str(self.channel.currentData()),
            number=self.number.text().strip() or None,
            ordered_date=date_of(self.ordered),
            promised_date=date_of(self.promised),
            notes=self.notes.text(),
            lines=self.line_inputs(),
            actor=self._actor,
        )
        return order.id


class ShipLineDialog(FormDialog):
    """Ship (part of) a line: quantity, date, document; first expiry first or one batch."""

    changes = Change.ORDERS | Change.SHIPMENTS | Change.BATCHES

    def __init__(
        self,
        ctx: UiContext,
        line_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "Ship order line", parent, ok_text="Ship")
        self.setObjectName("shipLineDialog")
        self._line_id = line_id
        with ctx.session_factory() as s:
            from smallbatch_desktop.domain.models import SalesOrderLine

            ln = s.get(SalesOrderLine, line_id)
            if ln is None:
                raise ValidationError("line: the line is gone", field="line")
            p = ords.line_progress(s, ln)
            stock = ords.released_stock(s, ln.recipe_id, line_id=ln.id, limit=50)
            head = (
                f"<b>{esc(ln.order.number)}</b> line {ln.position}: "
                f"{format_quantity(ln.quantity, ln.unit)} {esc(ln.recipe.name)} for "
                f"{esc(ln.order.customer.name)}; {format_quantity(p.shipped, ln.unit)} shipped, "
                f"{format_quantity(p.allocated, ln.unit)} allocated"
            )
            unit = ln.unit
            remaining = p.remaining
        self.summary = rich(QLabel(head))
        self.summary.setObjectName("shipSummary")
        self.summary.setWordWrap(True)
        self.body.insertWidget(0, self.summary)
        self.quantity = DecimalEdit(field="quantity", required=True)
        self.quantity.setObjectName("shipQuantity")
        self.quantity.setText(f"{remaining.normalize():f}")
        self.add_field(f"&Quantity ({unit})", self.quantity, "quantity")
        self.batch = QComboBox()
        self.batch.setObjectName("shipBatch")
        self.batch.addItem("First expiry first (allocated stock first)", None)
        for b in stock:
            bb = b.best_before.isoformat() if b.best_before else "no date"
            self.batch.addItem(
                f"{b.lot_code}  best before {bb}  usable {format_quantity(b.usable, b.unit)}",
                b.batch_id,
            )
        self.add_field("&From", self.batch, "batch")
        self.day = _date_edit("shipDate", None)
        self.add_field("Ship &date", self.day, "ship date")
        self.document = QLineEdit()
        self.document.setObjectName("shipDocument")
        self.document.setPlaceholderText("the order number")
        self.add_field("&Document no.", self.document, "document number")
        fit_to_text(self, 70)

    def save(self, session: Session) -> Any:
        shipments = ords.ship_line(
            session,
            self._line_id,
            quantity=self.quantity.text(),
            batch_id=self.batch.currentData(),
            shipped_date=date_of(self.day),
            document_number=self.document.text(),
            actor=self._actor,
        )
        return [s.id for s in shipments]


class CancelOrderDialog(FormDialog):
    """Cancel an order (a reason is kept); its allocations go back to free stock."""

    changes = Change.ORDERS

    def __init__(
        self,
        ctx: UiContext,
        order_id: int,
        number: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            f"Cancel order {number}",
            parent,
            ok_text="Cancel order",
            intro="The order is closed and the stock allocated to it becomes free again. "
            "Shipments already made stay on record.",
        )
        self.setObjectName("cancelOrderDialog")
        self._order_id = order_id
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("cancelReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.add_field("&Reason", self.reason, "reason")
        fit_to_text(self, 60)

    def save(self, session: Session) -> Any:
        ords.cancel_order(
            session, self._order_id, reason=self.reason.toPlainText(), actor=self._actor
        )
        return self._order_id


class OrderLabelsDialog(FormDialog):
    """A line's personalised labels, one per unit, saved as a PDF to print; the numbers
    are reserved in the same unit of work, which a failed render or write rolls back."""

    changes = Change.LABELS | Change.ORDERS

    def __init__(
        self,
        ctx: UiContext,
        line_id: int,
        parent: QWidget | None = None,
        *,
        out_path: str = "",
    ) -> None:
        super().__init__(ctx, "Personalised labels", parent, ok_text="Save PDF…")
        self.setObjectName("orderLabelsDialog")
        self._line_id = line_id
        self._out_path = out_path
        from smallbatch_desktop.services.labels import list_layouts

        with ctx.session_factory() as s:
            layouts = list_layouts(s)
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("labelLayout")
        for lay in layouts:
            self.layout_combo.addItem(lay.name, lay.name)
        personal = [i for i, lay in enumerate(layouts) if _is_personal(lay.layout)]
        if personal:
            self.layout_combo.setCurrentIndex(personal[0])
        self.add_field("&Layout", self.layout_combo, ("layout", "line"))
        self.skip = QSpinBox()
        self.skip.setObjectName("labelSkip")
        self.skip.setRange(0, 200)
        self.add_field("&Skip used positions", self.skip, "skip")
        self.info = QLabel()
        self.info.setObjectName("labelInfo")
        self.info.setWordWrap(True)
        self.body.insertWidget(self.body.count() - 2, self.info)
        self.layout_combo.currentIndexChanged.connect(lambda _i: self._describe())
        self._describe()
        fit_to_text(self, 64)

    def _plan(self, s: Session, *, lock_numbers: bool = False) -> Any:
        from smallbatch_desktop.services.order_labels import plan_order_labels

        return plan_order_labels(
            s,
            self._line_id,
            layout_name=str(self.layout_combo.currentData() or "") or None,
            skip=self.skip.value(),
            lock_numbers=lock_numbers,
        )

    def _describe(self) -> None:
        try:
            with self._sf() as s:
                plan = self._plan(s)
        except UserError as exc:
            self.info.setText(exc.message)
            return
        lots = sorted({label.lot for label in plan.job.labels})
        extra = f"; {plan.missing} units have no batch yet" if plan.missing else ""
        self.info.setText(
            f"{plan.copies} labels for {plan.order_number} line {plan.line_position}, "
            f"lots {', '.join(lots)}{extra}"
        )

    def accept(self) -> None:
        """The file is chosen first: the unit of work that reserves the numbers never
        waits on the maker (it holds the database's write lock)."""
        if not self._out_path:
            try:
                with self._sf() as s:
                    plan = self._plan(s)
                name = f"labels-{plan.order_number}-line{plan.line_position}.pdf"
            except UserError:  # the save below reports why it cannot plan
                name = "labels.pdf"
            path, _ = QFileDialog.getSaveFileName(self, "Save labels", name, "PDF (*.pdf)")
            if not path:
                return  # the maker changed their mind: nothing planned, nothing written
            self._out_path = path
        super().accept()

    def save(self, session: Session) -> Any:
        from smallbatch_desktop.pdf.labels import render_labels
        from smallbatch_desktop.services.order_labels import reserve_order_print

        plan = self._plan(session, lock_numbers=True)
        if not self._out_path:
            raise ValidationError("file: choose where to save the labels", field="file")
        # numbers reserved first; a render or a write that fails rolls them back
        reserve_order_print(session, plan, printed_by=self._actor)
        result = render_labels(plan.job)
        with open(self._out_path, "wb") as f:
            f.write(result.pdf)
        return self._out_path


def _is_personal(layout: Any) -> bool:
    fields = ("{personal_text", "{customer", "{order", "{option:")
    for e in getattr(layout, "elements", ()):
        text = getattr(e, "text", "") or getattr(e, "data", "")
        if any(f in text for f in fields):
            return True
    return False


def line_summary(ln: ords.LineView) -> str:
    parts = [f"{format_quantity(ln.quantity, ln.unit)} {ln.product}"]
    if ln.personal_text:
        parts.append(f"“{ln.personal_text}”")
    if ln.unit_texts:
        parts.append("per unit: " + " | ".join(ln.unit_texts))
    if ln.options:
        parts.append(", ".join(f"{k}: {v}" for k, v in ln.options))
    return "; ".join(parts)
