"""The batch detail panel: header, status buttons, summary and the tabs.

The panel keeps only the batch id and plain data read in one session (a
``BatchSnapshot``); each button is one unit of work through the services, after which
the panel re-reads the batch and emits ``batchChanged`` so the list can refresh its
row. The tabs live in their own modules and run their actions through ``_run``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.status import EDITABLE, BatchStatus, allowed_actions
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services.customers import customer_choices
from smallbatch_desktop.services.ui_queries import BatchDetail, batch_detail, version_detail
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.ops import Change, Changed, watch
from smallbatch_desktop.ui.text import local, plain
from smallbatch_desktop.ui.theme import scaled_font, set_warning, status_background
from smallbatch_desktop.ui.views.batch_detail.amendments_tab import AmendmentsTab
from smallbatch_desktop.ui.views.batch_detail.common import BatchSnapshot, Tabs
from smallbatch_desktop.ui.views.batch_detail.cost_tab import CostTab
from smallbatch_desktop.ui.views.batch_detail.inputs_tab import InputsTab
from smallbatch_desktop.ui.views.batch_detail.notes_tab import NotesTab
from smallbatch_desktop.ui.views.batch_detail.qc_tab import QcTab
from smallbatch_desktop.ui.views.batch_detail.shipments_tab import ShipmentsTab
from smallbatch_desktop.ui.widgets.fields import FieldError, FormErrors
from smallbatch_desktop.ui.widgets.flow import flow_row
from smallbatch_desktop.ui.widgets.tips import plain_tip

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

STATUS_BUTTONS: tuple[tuple[str, str, str], ...] = (
    # action, button text, tooltip
    ("start", "▶ Start production", "Production has begun"),
    (
        "to_qc",
        "■ &Finish production…",
        "Production is done: count the actual yield (and any waste), then hold for QC",
    ),
    ("back_to_production", "Back to production", "Return from QC hold to production"),
    ("release", "✔ &Release", "QC passed: the batch may be labelled, used and shipped"),
    ("reject", "✖ Reject…", "The batch failed and will not be sold"),
    ("recall", "Recall…", "Take a released batch back from the market"),
)


def read_snapshot(s: Session, batch_id: int) -> BatchSnapshot:
    """Everything the panel shows about a batch, in one session."""
    d = batch_detail(s, batch_id)
    return BatchSnapshot(
        detail=d,
        qc=bsvc.qc_summary(s, batch_id),
        qc_history=bsvc.qc_history(s, batch_id),
        specs={q.id: q for q in version_detail(s, d.version_id).qc_items},
        cost=bsvc.batch_cost(s, batch_id),
        left=bsvc.batch_on_hand(s, batch_id),
        customers=customer_choices(s),
        allocated=tuple(bsvc.batch_allocations(s, batch_id)),
    )


def _held(snap: BatchSnapshot, units: Any) -> str:
    """What of the batch is allocated to orders, and so not free to ship from here."""
    unit = snap.detail.unit
    held = sum((q for _, q in snap.allocated), Decimal(0))
    orders = ", ".join(f"{n} ({units.text(q, unit)})" for n, q in snap.allocated)
    free = units.text(max(snap.left - held, Decimal(0)), unit)
    plural = "s" if len(snap.allocated) > 1 else ""
    return f"Allocated to order{plural} {orders}; {free} free to ship"


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
        self.snapshot: BatchSnapshot | None = None
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
        scaled_font(self.lot_label, 1.5)  # and again when Larger text is switched
        head.addWidget(self.lot_label)
        self.status_label = QLabel()
        self.status_label.setObjectName("detailStatus")
        self.status_label.setProperty("role", "statusBadge")
        head.addWidget(self.status_label)
        head.addStretch(1)
        body.addLayout(head)
        self.summary = plain(QLabel())
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

        self.tabs = Tabs()
        self.tabs.setObjectName("detailTabs")
        self.tabs.setUsesScrollButtons(True)
        # the tabs take the height that is left, never less than TAB_LINES lines of the
        # current text size or what the page shown needs (``Tabs``)
        self.tabs.lines = self.TAB_LINES
        body.addWidget(self.tabs, 1)
        self.inputs_tab = InputsTab(ctx)
        self.qc_tab = QcTab(ctx, self._run)
        self.shipments_tab = ShipmentsTab(ctx, self._run)
        self.amendments_tab = AmendmentsTab(ctx, self._run)
        self.notes_tab = NotesTab(ctx, self._run)
        self.cost_tab = CostTab(ctx)
        self._tabs = (
            self.inputs_tab,
            self.qc_tab,
            self.shipments_tab,
            self.amendments_tab,
            self.notes_tab,
            self.cost_tab,
        )
        for tab in self._tabs:
            self.tabs.addTab(tab, tab.title)
        self.show_batch(None)
        watch(
            self,
            ctx,
            # ORDERS: an order allocated, shipped or cancelled in the Orders view changes
            # what of the batch is held for orders and what is free
            Change.BATCHES
            | Change.SHIPMENTS
            | Change.CUSTOMERS
            | Change.SETTINGS
            | Change.RECIPES
            | Change.ORDERS,
            self._data_changed,
        )

    #: the tabs never get less than this many lines of text: the QC checks with their
    #: editors, the save button and the start of the history (the panel scrolls instead;
    #: ``Tabs`` counts them in the text size of the moment, so Larger text applies at once)
    TAB_LINES = 16

    # -- loading ---------------------------------------------------------------------

    def show_batch(self, batch_id: int | None) -> None:
        """Load a batch (or clear the panel with None)."""
        self.batch_id = batch_id
        self.status_error.show_message("")
        if batch_id is None:
            self.detail = self.snapshot = None
            self.empty.show()
            self.body_scroll.hide()
            return
        with self._sf() as s:
            snap = read_snapshot(s, batch_id)
        self.snapshot, self.detail = snap, snap.detail
        d = snap.detail
        self.empty.hide()
        self.body_scroll.show()
        status = snap.status
        self.lot_label.setText(d.lot_code)
        self.status_label.setText(status.label)
        bg = status_background(d.status)
        self.status_label.setStyleSheet(f"background-color: {bg.name()};")
        self.summary.setText("\n".join(self._summary_lines(snap)))
        allowed = set(allowed_actions(status))
        for action, button in self.status_buttons.items():
            button.setEnabled(action in allowed)
            button.setVisible(action in allowed or action in ("start", "to_qc", "release"))
        self._show_release_readiness(status, d, snap.qc)
        self.inputs_button.setEnabled(status in EDITABLE)
        for tab in self._tabs:
            tab.load(snap)

    def _summary_lines(self, snap: BatchSnapshot) -> list[str]:
        """The batch in a few plain lines (user text is never read as markup)."""
        d, units = snap.detail, self._ctx.units
        made = (
            "not counted yet"
            if d.actual_quantity is None
            else units.text(d.actual_quantity, d.unit)
        )
        quantities = f"Planned {units.text(d.planned_quantity, d.unit)}, actual yield {made}"
        if d.waste_quantity:
            quantities += f" ({units.text(d.waste_quantity, d.unit)} wasted"
            quantities += f": {d.waste_reason})" if d.waste_reason else ")"
        lines = [
            f"{d.product} ({d.recipe_code} v{d.version})",
            f"Made {d.made_date.isoformat()}"
            + (f", best before {d.best_before.isoformat()}" if d.best_before else ""),
            f"{quantities}, left {units.text(snap.left, d.unit)}",
        ]
        if snap.allocated:
            lines.append(_held(snap, units))
        if d.operator:
            lines.append(f"Operator {d.operator}")
        if d.released_at:
            lines.append(f"Released {local(d.released_at)} by {d.released_by or '—'}")
        if d.close_reason:
            lines.append(f"Reason: {d.close_reason}")
        return lines

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
            button.setToolTip(plain_tip(f"{base_tip}\n\n{text}"))  # check names are the maker's
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

    def _run(
        self,
        fn: Callable[[Session], Any],
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

    def _data_changed(self, _event: Changed) -> None:
        if self.batch_id is not None:
            self.show_batch(self.batch_id)

    def ask_reason(self, title: str, prompt: str) -> str | None:
        """Ask why (reject, recall). Tests replace this method."""
        text, ok = QInputDialog.getMultiLineText(self, title, prompt)
        return text if ok else None

    def change_status(self, action: str) -> bool:
        """A status button. Finishing production asks for the actual yield first (a
        dialog: see ``finish_production_dialog``); returns whether the status changed now."""
        if self.batch_id is None:
            return False
        if action == "to_qc":
            self.finish_production_dialog()
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

    def finish_production_dialog(self) -> QDialog | None:
        """Open "Finish production" (window-modal) for this batch; returns it."""
        if self.batch_id is None or self.detail is None:
            return None
        from smallbatch_desktop.ui.dialogs.finish_production import FinishProductionDialog

        d = self.detail
        dialog = FinishProductionDialog(
            self._ctx,
            d.id,
            lot_code=d.lot_code,
            planned=d.planned_quantity,
            unit=d.unit,
            actual=d.actual_quantity,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda bid=d.id: self.batchChanged.emit(bid))
        dialog.open()
        return dialog

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
