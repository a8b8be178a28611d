"""One batch: header, status buttons, inputs, QC entry, shipments, amendments, notes, cost.

The panel keeps only the batch id and plain data read in one session; each button is
one unit of work through the services, after which the panel re-reads the batch and
emits ``batchChanged`` so the list can refresh its row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.status import EDITABLE, FROZEN, BatchStatus, allowed_actions
from smallbatch_desktop.domain.units import parse_decimal
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services.ui_queries import (
    AmendmentRow,
    BatchDetail,
    InputRow,
    QcItemRow,
    ShipmentRow,
    batch_detail,
    list_customer_names,
    version_detail,
)
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.new_batch import pydate, qdate
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.ops import Change, Changed, watch
from smallbatch_desktop.ui.text import esc, local, money, plain, rich
from smallbatch_desktop.ui.theme import (
    error_background,
    ok_background,
    set_invalid,
    set_warning,
    status_background,
)
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError, FormErrors
from smallbatch_desktop.ui.widgets.flow import flow_row

STATUS_BUTTONS: tuple[tuple[str, str, str], ...] = (
    # action, button text, tooltip
    ("start", "▶ Start production", "Production has begun"),
    ("to_qc", "Send to &QC", "Production is done; hold for quality checks"),
    ("back_to_production", "Back to production", "Return from QC hold to production"),
    ("release", "✔ &Release", "QC passed: the batch may be labelled, used and shipped"),
    ("reject", "✖ Reject…", "The batch failed and will not be sold"),
    ("recall", "Recall…", "Take a released batch back from the market"),
)


def _table(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


class _Tabs(QTabWidget):
    """Takes the height left over: a word-wrapped label on a page must not make the
    panel ask for (and scroll to) the page's preferred height."""

    def hasHeightForWidth(self) -> bool:
        return False


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class BatchDetailPanel(QWidget):
    """The right-hand side of the Batches view.

    Signals:
        batchChanged(int): the batch with this id was changed here.
        traceRequested(str): the user asked to trace this lot code.
    """

    batchChanged = Signal(int)
    traceRequested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchDetail")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self.batch_id: int | None = None
        self.detail: BatchDetail | None = None
        self._qc_specs: dict[int, QcItemRow] = {}
        self._blockers: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)

        self.empty = QLabel("Select a batch in the list, scan its lot code, or plan a new batch.")
        self.empty.setObjectName("batchDetailEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)

        self.body = QWidget()
        # at the larger text size the header and buttons can need more height than the
        # window has: the panel scrolls instead of squeezing the tables to nothing
        self.body_scroll = QScrollArea()
        self.body_scroll.setObjectName("batchDetailScroll")
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_scroll.setWidget(self.body)
        layout.addWidget(self.body_scroll, 1)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.lot_label = plain(QLabel())
        self.lot_label.setObjectName("detailLotCode")
        self.lot_label.setProperty("role", "lotCode")
        self.lot_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        f = self.lot_label.font()
        f.setPointSizeF(f.pointSizeF() * 1.5)
        self.lot_label.setFont(f)
        head.addWidget(self.lot_label)
        self.status_label = QLabel()
        self.status_label.setObjectName("detailStatus")
        self.status_label.setProperty("role", "statusBadge")
        head.addWidget(self.status_label)
        head.addStretch(1)
        body.addLayout(head)
        self.summary = rich(QLabel())
        self.summary.setObjectName("detailSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.addWidget(self.summary)

        self.status_buttons: dict[str, QPushButton] = {}
        row_buttons: list[QWidget] = []
        for action, text, tip in STATUS_BUTTONS:
            b = QPushButton(text)
            b.setObjectName(f"status_{action}")
            b.setToolTip(tip)
            b.clicked.connect(lambda _c=False, a=action: self.change_status(a))
            row_buttons.append(b)
            self.status_buttons[action] = b
        # buttons wrap onto a second line instead of forcing the panel wider
        self.status_row = flow_row(*row_buttons)
        self.status_row.setObjectName("statusButtons")
        body.addWidget(self.status_row)
        self.release_hint = plain(QLabel())
        self.release_hint.setObjectName("releaseHint")
        self.release_hint.setProperty("role", "warningText")
        self.release_hint.setWordWrap(True)
        self.release_hint.hide()
        body.addWidget(self.release_hint)
        self.status_error = FieldError(self, name="statusError")
        body.addWidget(self.status_error)

        self.inputs_button = QPushButton("Record &inputs…")
        self.inputs_button.setObjectName("recordInputsButton")
        self.inputs_button.setToolTip("Pick the lots this batch used (FEFO suggested)")
        self.inputs_button.clicked.connect(self.record_inputs)
        more_buttons: list[QWidget] = [self.inputs_button]
        from smallbatch_desktop.ui.actions import ActionId

        for aid, name in (
            (ActionId.PRINT_LABELS, "printLabelsButton"),
            (ActionId.PROVENANCE, "provenanceButton"),
            (ActionId.TRACE_LOT, "traceButton"),
        ):
            act = ctx.actions[aid]
            b = QPushButton(act.text().replace("&", ""))
            b.setObjectName(name)
            b.setToolTip(act.toolTip())
            b.clicked.connect(act.trigger)
            more_buttons.append(b)
        self.more_row = flow_row(*more_buttons)
        body.addWidget(self.more_row)

        self.tabs = _Tabs()
        self.tabs.setObjectName("detailTabs")
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setMinimumHeight(self.fontMetrics().height() * 9)
        # the tabs take the height that is left; their tables' size hints must not push
        # the scroll area into scrolling when the window has room
        policy = self.tabs.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
        self.tabs.setSizePolicy(policy)
        body.addWidget(self.tabs, 1)
        self._build_inputs_tab()
        self._build_qc_tab()
        self._build_shipments_tab()
        self._build_amend_tab()
        self._build_notes_tab()
        self._build_cost_tab()
        for table in (self.inputs_view, self.ship_view, self.amend_view, self.cost_view):
            fit_columns(table, ctx.settings, f"batchDetail/{table.objectName()}", whole=(0,))
        self.show_batch(None)
        watch(
            self,
            ctx,
            Change.BATCHES | Change.SHIPMENTS | Change.CUSTOMERS | Change.SETTINGS | Change.RECIPES,
            self._data_changed,
        )

    # -- tabs ------------------------------------------------------------------------

    def _build_inputs_tab(self) -> None:
        units = self._ctx.units
        self.inputs_model: RowTableModel[InputRow] = RowTableModel(
            [
                Column("Lot", lambda r: r.lot_code),
                Column("Input", lambda r: r.name),
                Column(
                    "Quantity",
                    lambda r: units.show(r.quantity, r.unit)[0],
                    numeric=True,
                    tip=lambda r: units.recorded(r.quantity, r.unit),
                ),
                Column("Unit", lambda r: units.show(r.quantity, r.unit)[1]),
                Column("Supplier", lambda r: r.supplier),
                Column("Supplier lot", lambda r: r.supplier_lot_code),
                Column("Origin", lambda r: r.origin),
                Column("Recorded by", lambda r: r.recorded_by),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.inputs_view = _table("inputsTable")
        self.inputs_view.setModel(self.inputs_model)
        self.tabs.addTab(self.inputs_view, "&Inputs")

    def _build_qc_tab(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        self.qc_table = QTableWidget(0, 4)
        self.qc_table.setObjectName("qcTable")
        self.qc_table.setHorizontalHeaderLabels(["Check", "Spec", "Value", "Result"])
        self.qc_table.verticalHeader().hide()
        self.qc_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.qc_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes editor to editor
        # without this the view takes Tab from an editor and walks its read-only cells
        self.qc_table.setTabKeyNavigation(False)
        self.qc_table.setWordWrap(False)
        hdr = self.qc_table.horizontalHeader()
        hdr.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        hdr.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setStretchLastSection(False)
        self._size_qc_table()
        v.addWidget(self.qc_table)
        self.qc_recorded = plain(QLabel())
        self.qc_recorded.setObjectName("qcRecorded")
        self.qc_recorded.setWordWrap(True)
        v.addWidget(self.qc_recorded)
        row = QHBoxLayout()
        self.qc_save = QPushButton("&Save QC results")
        self.qc_save.setObjectName("saveQcButton")
        self.qc_save.clicked.connect(self.save_qc)
        row.addWidget(self.qc_save)
        row.addStretch(1)
        v.addLayout(row)
        self.qc_error = FieldError(w, name="qcError")
        v.addWidget(self.qc_error)
        self.tabs.addTab(w, "&QC")

    def _build_shipments_tab(self) -> None:
        units = self._ctx.units
        w = QWidget()
        v = QVBoxLayout(w)
        self.ship_model: RowTableModel[ShipmentRow] = RowTableModel(
            [
                Column("Date", lambda r: r.shipped_date),
                Column("Customer", lambda r: r.customer),
                Column(
                    "Quantity",
                    lambda r: units.show(r.quantity, r.unit)[0],
                    numeric=True,
                    tip=lambda r: units.recorded(r.quantity, r.unit),
                ),
                Column("Unit", lambda r: units.show(r.quantity, r.unit)[1]),
                Column("Document", lambda r: f"{r.document_type} {r.document_number}".strip()),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.ship_view = _table("shipmentsTable")
        self.ship_view.setModel(self.ship_model)
        v.addWidget(self.ship_view, 1)
        self.ship_customer = QComboBox()
        self.ship_customer.setObjectName("shipCustomer")
        self.ship_customer.setEditable(True)
        self.ship_customer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        customer_edit = self.ship_customer.lineEdit()
        assert customer_edit is not None  # editable
        customer_edit.setPlaceholderText("Customer or channel")
        self.ship_customer.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.ship_customer.setMinimumContentsLength(12)
        self.ship_qty = DecimalEdit(field="quantity", required=True, placeholder="Quantity")
        self.ship_qty.setObjectName("shipQuantity")
        self.ship_date = QDateEdit(qdate(dt.date.today()))
        self.ship_date.setObjectName("shipDate")
        self.ship_date.setDisplayFormat("yyyy-MM-dd")
        self.ship_date.setCalendarPopup(True)
        self.ship_doc = QLineEdit()
        self.ship_doc.setObjectName("shipDocument")
        self.ship_doc.setPlaceholderText("Invoice / delivery note number")
        self.ship_button = QPushButton("S&hip")
        self.ship_button.setObjectName("shipButton")
        self.ship_button.clicked.connect(self.ship)
        # a form, not a grid: it stays narrow enough for the panel at the larger text size
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_buddy("Customer", self.ship_customer), self.ship_customer)
        form.addRow(_buddy("Quantity", self.ship_qty), self.ship_qty)
        form.addRow(_buddy("Date", self.ship_date), self.ship_date)
        form.addRow(_buddy("Document", self.ship_doc), self.ship_doc)
        form.addRow("", self.ship_button)
        v.addLayout(form)
        err = FieldError(w, name="shipError")
        v.addWidget(err)
        self.ship_errors = FormErrors(err)
        self.ship_errors.add(("customer", "customer name"), self.ship_customer, err)
        self.ship_errors.add(("quantity", "unit"), self.ship_qty, err)
        self.ship_errors.add(("ship date",), self.ship_date, err)
        self.ship_errors.add(("document number", "document type"), self.ship_doc, err)
        self.tabs.addTab(w, "S&hipments")

    def _build_amend_tab(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        self.amend_model: RowTableModel[AmendmentRow] = RowTableModel(
            [
                Column("When", lambda r: r.amended_at),
                Column("Who", lambda r: r.amended_by),
                Column("Field", lambda r: bsvc.AMENDABLE.get(r.field, r.field)),
                Column("Was", lambda r: r.old_value),
                Column("Now", lambda r: r.new_value),
                Column("Why", lambda r: r.reason),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.amend_view = _table("amendmentsTable")
        self.amend_view.setModel(self.amend_model)
        v.addWidget(self.amend_view, 1)
        form = QFormLayout()
        self.amend_field = QComboBox()
        self.amend_field.setObjectName("amendField")
        for key, label in bsvc.AMENDABLE.items():
            self.amend_field.addItem(label, key)
        self.amend_value = QLineEdit()
        self.amend_value.setObjectName("amendValue")
        self.amend_reason = QLineEdit()
        self.amend_reason.setObjectName("amendReason")
        self.amend_reason.setPlaceholderText("Why the record is corrected")
        self.amend_button = QPushButton("Record &amendment")
        self.amend_button.setObjectName("amendButton")
        self.amend_button.clicked.connect(self.amend)
        form.addRow("Field", self.amend_field)
        form.addRow("New value", self.amend_value)
        form.addRow("Reason", self.amend_reason)
        form.addRow("", self.amend_button)
        v.addLayout(form)
        err = FieldError(w, name="amendError")
        v.addWidget(err)
        self.amend_errors = FormErrors(err)
        self.amend_errors.add(("reason",), self.amend_reason, err)
        self.amend_errors.add(
            ("actual yield", "best before", "notes", "operator", "field"), self.amend_value, err
        )
        self.amend_hint = QLabel(
            "A released, rejected or recalled batch is read-only: corrections are kept beside "
            "the old value with who, when and why."
        )
        self.amend_hint.setWordWrap(True)
        v.addWidget(self.amend_hint)
        self.tabs.addTab(w, "A&mendments")

    def _build_notes_tab(self) -> None:
        w = QWidget()
        form = QFormLayout(w)
        self.actual_edit = DecimalEdit(field="actual yield")
        self.actual_edit.setObjectName("actualYield")
        self.operator_edit = QLineEdit()
        self.operator_edit.setObjectName("batchOperator")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_save = QPushButton("Save &notes")
        self.notes_save.setObjectName("saveNotesButton")
        self.notes_save.clicked.connect(self.save_notes)
        form.addRow("Actual yield", self.actual_edit)
        form.addRow("Operator", self.operator_edit)
        form.addRow("Notes", self.notes_edit)
        form.addRow("", self.notes_save)
        err = FieldError(w, name="notesError")
        form.addRow("", err)
        self.notes_errors = FormErrors(err)
        self.notes_errors.add(("actual yield",), self.actual_edit, err)
        self.notes_errors.add(("operator",), self.operator_edit, err)
        self.notes_errors.add(("notes",), self.notes_edit, err)
        self.tabs.addTab(w, "&Notes")

    def _build_cost_tab(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        self.cost_label = QLabel()
        self.cost_label.setObjectName("costSummary")
        self.cost_label.setWordWrap(True)
        v.addWidget(self.cost_label)
        self.cost_model: RowTableModel[bsvc.CostLine] = RowTableModel(
            [
                Column("Lot", lambda r: r.lot_code),
                Column("Input", lambda r: r.name),
                Column("Quantity", lambda r: r.quantity, numeric=True),
                Column("Unit", lambda r: r.unit),
                Column(
                    "Unit cost",
                    lambda r: (
                        None if r.unit_cost is None else money(r.unit_cost, self._ctx.currency)
                    ),
                    numeric=True,
                ),
                Column("Cost", lambda r: money(r.cost, self._ctx.currency), numeric=True),
            ],
            parent=self,
        )
        self.cost_view = _table("costTable")
        self.cost_view.setModel(self.cost_model)
        v.addWidget(self.cost_view, 1)
        self.tabs.addTab(w, "&Cost")

    # -- loading ---------------------------------------------------------------------

    def show_batch(self, batch_id: int | None) -> None:
        """Load a batch (or clear the panel with None)."""
        self.batch_id = batch_id
        self.status_error.show_message("")
        if batch_id is None:
            self.detail = None
            self.empty.show()
            self.body_scroll.hide()
            return
        with self._sf() as s:
            d = batch_detail(s, batch_id)
            qc = bsvc.qc_summary(s, batch_id)
            specs = {q.id: q for q in version_detail(s, d.version_id).qc_items}
            cost = bsvc.batch_cost(s, batch_id)
            left = bsvc.batch_on_hand(s, batch_id)
            customers = list_customer_names(s)
        self.detail = d
        self._qc_specs = specs
        self.empty.hide()
        self.body_scroll.show()
        status = BatchStatus(d.status)
        self.lot_label.setText(d.lot_code)
        self.status_label.setText(status.label)
        bg = status_background(d.status)
        self.status_label.setStyleSheet(f"background-color: {bg.name()};")
        units = self._ctx.units
        actual = "—" if d.actual_quantity is None else units.text(d.actual_quantity, d.unit)
        bits = [
            f"<b>{esc(d.product)}</b> ({esc(d.recipe_code)} v{d.version})",
            f"Made {d.made_date.isoformat()}"
            + (f", best before {d.best_before.isoformat()}" if d.best_before else ""),
            f"Planned {units.text(d.planned_quantity, d.unit)}, actual {actual}, "
            f"left {units.text(left, d.unit)}",
        ]
        if d.operator:
            bits.append(f"Operator {esc(d.operator)}")
        if d.released_at:
            bits.append(f"Released {local(d.released_at)} by {esc(d.released_by or '—')}")
        if d.close_reason:
            bits.append(f"Reason: {esc(d.close_reason)}")
        self.summary.setText("<br>".join(bits))
        allowed = set(allowed_actions(status))
        for action, button in self.status_buttons.items():
            button.setEnabled(action in allowed)
            button.setVisible(action in allowed or action in ("start", "to_qc", "release"))
        self._show_release_readiness(status, d, qc)
        editable = status in EDITABLE
        frozen = status in FROZEN
        self.inputs_button.setEnabled(editable)
        self.inputs_model.set_rows(d.inputs)
        self._fill_qc(qc, frozen)
        self.ship_model.set_rows(d.shipments)
        self.ship_button.setEnabled(status is BatchStatus.RELEASED)
        self.ship_button.setToolTip(
            "" if status is BatchStatus.RELEASED else "Only a released batch ships"
        )
        current_customer = self.ship_customer.currentText()
        self.ship_customer.clear()
        self.ship_customer.addItems(customers)
        self.ship_customer.setEditText(current_customer)
        self.amend_model.set_rows(d.amendments)
        self.amend_button.setEnabled(frozen)
        self.actual_edit.set_decimal(d.actual_quantity)
        self.operator_edit.setText(d.operator)
        self.notes_edit.setPlainText(d.notes)
        for wdg in (self.actual_edit, self.operator_edit, self.notes_edit, self.notes_save):
            wdg.setEnabled(not frozen)
        self.notes_save.setToolTip("Use an amendment to correct a released batch" if frozen else "")
        self.cost_model.set_rows(cost.lines)
        currency = self._ctx.currency
        per = "—" if cost.per_unit is None else f"{money(cost.per_unit, currency)} per {cost.unit}"
        self.cost_label.setText(
            f"Total {money(cost.total, currency)}, {per}"
            + ("" if cost.complete else " (incomplete: an input has no cost)")
        )

    def release_blockers(self) -> list[str]:
        """Why Release would be refused now, as the service would say it (empty: ready)."""
        return list(self._blockers)

    def _show_release_readiness(
        self, status: BatchStatus, d: BatchDetail, qc: list[bsvc.QcState]
    ) -> None:
        """Tell the maker before they click why Release would be refused. The button stays
        enabled in QC hold: ``change_status`` is the authority and says the same on a click."""
        button = self.status_buttons["release"]
        blockers: list[str] = []
        if status is BatchStatus.QC_HOLD:
            if not d.inputs:
                blockers.append("no inputs recorded (Record inputs…)")
            for q in qc:
                if q.required and q.passed is not True:
                    blockers.append(
                        f"{q.name}: missing"
                        if q.passed is None
                        else f"{q.name}: failed ({q.value})"
                    )
        self._blockers = blockers
        base_tip = next(tip for a, _t, tip in STATUS_BUTTONS if a == "release")
        if blockers:
            text = "Release would be refused: " + "; ".join(blockers)
            button.setToolTip(f"{base_tip}\n\n{text}")
            self.release_hint.setText(f"⚠ {text}")
        else:
            if status in (BatchStatus.PLANNED, BatchStatus.IN_PRODUCTION):
                button.setToolTip(f"{base_tip}\n\nSend the batch to QC first")
            else:
                button.setToolTip(base_tip)
            self.release_hint.setText("")
        self.release_hint.setVisible(bool(blockers))
        set_warning(button, bool(blockers))  # a warning sign in place of the tick
        button.setText("&Release" if blockers else "✔ &Release")

    def _fill_qc(self, states: list[bsvc.QcState], frozen: bool) -> None:
        t = self.qc_table
        t.setRowCount(0)
        previous: QWidget | None = None
        for state in states:
            r = t.rowCount()
            t.insertRow(r)
            name = QTableWidgetItem(state.name)
            name.setData(Qt.ItemDataRole.UserRole, state.spec_item_id)
            name.setToolTip(state.name)
            if not state.required:
                f = name.font()
                f.setItalic(True)
                name.setFont(f)
                name.setToolTip(f"{state.name}: optional, not needed for release")
            spec = QTableWidgetItem(state.spec)
            result = QTableWidgetItem(state.state)
            result.setToolTip(
                f"Recorded by {state.recorded_by or '—'} on {local(state.recorded_at)}"
                if state.recorded_at
                else "Not recorded yet" + ("" if state.required else " (optional)")
            )
            for it in (name, spec, result):
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if state.passed is False:
                result.setBackground(error_background())
            elif state.passed is True:
                result.setBackground(ok_background())
            t.setItem(r, 0, name)
            t.setItem(r, 1, spec)
            t.setItem(r, 3, result)
            editor: QWidget
            if state.kind == "passfail":
                combo = QComboBox()
                combo.addItem("— choose —", "")
                combo.addItem("pass", "pass")
                combo.addItem("fail", "fail")
                combo.setCurrentIndex(max(0, combo.findData(state.value)))
                combo.currentIndexChanged.connect(lambda _i, row=r: self._qc_live(row))
                editor = combo
            else:
                numeric = state.kind == "numeric"
                edit = DecimalEdit(allow_negative=True) if numeric else QLineEdit()
                spec_item = self._qc_specs.get(state.spec_item_id)
                unit = spec_item.unit if spec_item is not None else ""
                edit.setPlaceholderText(
                    (f"number ({unit})" if unit else "number") if numeric else "note"
                )
                edit.setText(state.value)
                edit.textChanged.connect(lambda _t, row=r: self._qc_live(row))
                editor = edit
            editor.setObjectName(f"qcValue{r}")
            editor.setAccessibleName(f"QC value for {state.name}")
            editor.setProperty("original", state.value)
            editor.setEnabled(not frozen)
            t.setCellWidget(r, 2, editor)
            if previous is not None and previous.window() is editor.window():
                QWidget.setTabOrder(previous, editor)
            previous = editor
            self._qc_live(r)
        if previous is not None and previous.window() is self.qc_save.window():
            QWidget.setTabOrder(previous, self.qc_save)
        recorded = [st for st in states if st.recorded_at is not None]
        if recorded:
            last = max(recorded, key=lambda st: st.recorded_at or dt.datetime.min)
            assert last.recorded_at is not None
            self.qc_recorded.setText(
                f"Last recorded: {last.recorded_by or '—'}, {local(last.recorded_at)}"
            )
            self.qc_recorded.setToolTip("Hover a result for who recorded each check, and when")
        else:
            self.qc_recorded.setText("No QC results recorded yet." if states else "")
        self.qc_save.setEnabled(not frozen and bool(states))
        self.qc_error.show_message("" if states else "This recipe version has no QC checks.")

    def _size_qc_table(self) -> None:
        """Value column wide enough to type a reading; rows tall enough for the editors."""
        fm = self.qc_table.fontMetrics()
        self.qc_table.setColumnWidth(2, fm.horizontalAdvance("0") * 10 + 28)
        probe = QComboBox()
        probe.setFont(self.qc_table.font())
        height = max(probe.sizeHint().height(), QLineEdit().sizeHint().height(), fm.height())
        self.qc_table.verticalHeader().setDefaultSectionSize(height + 6)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "qc_table"):
            self._size_qc_table()

    def _qc_value(self, row: int) -> str:
        w = self.qc_table.cellWidget(row, 2)
        if isinstance(w, QComboBox):
            return str(w.currentData() or "")
        assert isinstance(w, QLineEdit)
        return w.text()

    def _qc_live(self, row: int) -> None:
        """Out-of-spec values turn red as they are typed."""
        item = self.qc_table.item(row, 0)
        w = self.qc_table.cellWidget(row, 2)
        if item is None or w is None:
            return
        spec = self._qc_specs.get(int(item.data(Qt.ItemDataRole.UserRole)))
        value = self._qc_value(row).strip()
        bad = False
        if spec is not None and value:
            if spec.kind == "numeric":
                try:
                    num = parse_decimal(value, field="value")
                except ValidationError:
                    bad = True
                else:
                    bad = (spec.min_value is not None and num < spec.min_value) or (
                        spec.max_value is not None and num > spec.max_value
                    )
            elif spec.kind == "passfail":
                bad = value == "fail"
        set_invalid(w, bad)
        w.setToolTip("Out of spec" if bad else "")

    # -- actions ---------------------------------------------------------------------

    def _run(
        self,
        fn: Callable[[Session], object],
        errors: FormErrors | None = None,
        changes: Change = Change.BATCHES,
    ) -> bool:
        """One user action (``UiContext.run``): a UserError beside its field or in the
        status line; on success the bus announces ``changes`` and the panel reloads."""
        assert self.batch_id is not None
        bid = self.batch_id
        done = self._ctx.run(
            fn,
            changes=changes,
            form=errors,
            message=None if errors is not None else self.status_error,
            origin=self,
            what="batch action",
        )
        if done:
            self.batchChanged.emit(bid)
        return bool(done)

    def _data_changed(self, event: Changed) -> None:
        if self.batch_id is not None:
            self.show_batch(self.batch_id)

    def ask_reason(self, title: str, prompt: str) -> str | None:
        """Ask why (reject, recall). Tests replace this method."""
        text, ok = QInputDialog.getMultiLineText(self, title, prompt)
        return text if ok else None

    def change_status(self, action: str) -> bool:
        if self.batch_id is None:
            return False
        reason = ""
        if action in ("reject", "recall"):
            got = self.ask_reason(
                "Reject batch" if action == "reject" else "Recall batch",
                f"Why is batch {self.detail.lot_code if self.detail else ''} "
                + ("rejected?" if action == "reject" else "recalled?"),
            )
            if got is None:
                return False
            reason = got
        bid, actor = self.batch_id, self._ctx.actor
        self.status_error.show_message("")
        return self._run(
            lambda s: bsvc.change_status(s, bid, action, actor=actor, reason=reason),
            changes=Change.BATCHES | Change.LOTS,  # a rejected batch's stock is no longer usable
        )

    def save_qc(self) -> bool:
        if self.batch_id is None:
            return False
        bid, actor = self.batch_id, self._ctx.actor
        entries: list[tuple[int, str, QWidget]] = []
        for r in range(self.qc_table.rowCount()):
            w = self.qc_table.cellWidget(r, 2)
            value = self._qc_value(r).strip()
            if not value or value == (w.property("original") or ""):
                continue
            item = self.qc_table.item(r, 0)
            assert item is not None and w is not None  # made in _fill_qc
            entries.append((int(item.data(Qt.ItemDataRole.UserRole)), value, w))
        if not entries:
            self.qc_error.show_message("Enter a value for at least one check.")
            return False
        self.qc_error.show_message("")

        def work(s: object) -> None:
            for spec_id, value, w in entries:
                try:
                    bsvc.record_qc(s, bid, spec_id, value, actor=actor)  # type: ignore[arg-type]
                except UserError:
                    set_invalid(w, True)
                    w.setFocus()
                    raise

        errors = FormErrors(self.qc_error)
        return self._run(work, errors)

    def ship(self) -> bool:
        if self.batch_id is None or self.detail is None:
            return False
        bid, actor, unit = self.batch_id, self._ctx.actor, self.detail.unit
        customer = self.ship_customer.currentText().strip()
        qty = self.ship_qty.text()
        day = pydate(self.ship_date.date())
        doc = self.ship_doc.text()
        self.ship_errors.clear()
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
            self.ship_errors,
            changes=Change.BATCHES | Change.SHIPMENTS | Change.CUSTOMERS,
        )
        if ok:
            self.ship_qty.clear()
            self.ship_doc.clear()
        return ok

    def amend(self) -> bool:
        if self.batch_id is None:
            return False
        bid, actor = self.batch_id, self._ctx.actor
        field = str(self.amend_field.currentData())
        value, reason = self.amend_value.text(), self.amend_reason.text()
        self.amend_errors.clear()
        ok = self._run(
            lambda s: bsvc.amend_batch(
                s, bid, field=field, new_value=value, reason=reason, actor=actor
            ),
            self.amend_errors,
        )
        if ok:
            self.amend_value.clear()
            self.amend_reason.clear()
        return ok

    def save_notes(self) -> bool:
        if self.batch_id is None:
            return False
        bid, actor = self.batch_id, self._ctx.actor
        actual: Decimal | str | None = self.actual_edit.text().strip() or None
        operator, notes = self.operator_edit.text(), self.notes_edit.toPlainText()
        self.notes_errors.clear()
        return self._run(
            lambda s: bsvc.update_batch(
                s, bid, actual_quantity=actual, operator=operator, notes=notes, actor=actor
            ),
            self.notes_errors,
        )

    def record_inputs(self) -> bool:
        return self.record_inputs_dialog() is not None

    def record_inputs_dialog(self) -> QDialog | None:
        """Open the pick-lots dialog for this batch (window-modal); returns it."""
        if self.batch_id is None:
            return None
        from smallbatch_desktop.ui.dialogs.pick_lots import PickLotsDialog

        dialog = PickLotsDialog(self._ctx, self.batch_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda bid=self.batch_id: self.batchChanged.emit(bid))
        dialog.open()
        return dialog
