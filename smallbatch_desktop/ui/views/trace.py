"""The Trace view: enter or scan a lot, see where it came from (backward) and where it
went (forward, with shipments), as two trees.

The trace runs as a background job (its own session), so a deep trace on a big
database never freezes the window.  The backward tree (a batch's inputs: tens of rows)
is built on the UI thread from the plain ``TraceResult``; the forward tree can reach a
hundred thousand batches and shipments, so the job also lays out its shape
(``TraceTree``) and the view formats only the rows on screen (``TraceTreeModel``).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.services.trace import (
    TraceEdge,
    TraceResult,
    TraceShipment,
    find_lot,
    trace_backward,
    trace_forward,
)
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Role
from smallbatch_desktop.ui.models.trace_tree import Payload, TraceTree, TraceTreeModel
from smallbatch_desktop.ui.ops import Change, watch
from smallbatch_desktop.ui.tasks import Progress
from smallbatch_desktop.ui.text import esc, rich
from smallbatch_desktop.ui.widgets.columns import ColumnFitter, fit_columns
from smallbatch_desktop.ui.widgets.fields import FieldError
from smallbatch_desktop.ui.widgets.scan_box import parse_scan
from smallbatch_desktop.ui.widgets.tips import plain_tip

HEADERS = [
    "Lot",
    "Product / material",
    "Quantity",
    "Supplier / customer",
    "Origin / document",
    "Date",
]
#: a forward tree of at most this many rows opens whole; a larger one opens its first
#: level (opening a hundred thousand rows would only bury the ones that matter)
OPEN_WHOLE = 5_000


def _row(*texts: str, kind: str = "", lot: str = "", bold: bool = False) -> list[QStandardItem]:
    items = []
    for t in texts:
        it = QStandardItem(t)
        it.setEditable(False)
        if len(t) > 24:  # a long name or origin may be cut to fit: whole on hover
            it.setToolTip(plain_tip(t))
        it.setData(kind, Role.Kind)
        it.setData(lot, Role.Row)
        if bold:
            f = QFont(it.font())
            f.setBold(True)
            it.setFont(f)
        items.append(it)
    return items


class TraceView(QWidget):
    """Signals:
    traced(object): (backward, forward) TraceResults after a trace finished.
    """

    traced = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("traceView")
        self._ctx = ctx
        self._lot = ""
        self._fitters: dict[str, ColumnFitter] = {}
        self.backward_result: TraceResult | None = None
        self.forward_result: TraceResult | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        label = QLabel("&Lot code")
        self.input = QLineEdit()
        self.input.setObjectName("traceInput")
        self.input.setPlaceholderText("Scan or type a lot code, batch code or supplier lot…")
        self.input.setClearButtonEnabled(True)
        label.setBuddy(self.input)
        self.go = QPushButton("&Trace")
        self.go.setObjectName("traceGoButton")
        self.go.setDefault(True)
        bar.addWidget(label)
        bar.addWidget(self.input, 1)
        bar.addWidget(self.go)
        for aid, name in ((ActionId.RECALL, "recallButton"), (ActionId.FSMA_EXPORT, "fsmaButton")):
            act = ctx.actions[aid]
            b = QPushButton(act.text().replace("&", ""))
            b.setObjectName(name)
            b.setToolTip(act.toolTip())
            b.clicked.connect(act.trigger)
            bar.addWidget(b)
        layout.addLayout(bar)
        self.error = FieldError(self, name="traceError")
        layout.addWidget(self.error)
        self.summary = rich(QLabel())
        self.summary.setText(
            "Trace answers two questions: what went into this lot, and where did it go."
        )
        self.summary.setObjectName("traceSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        self.backward_model = QStandardItemModel(self)
        self.forward_model = TraceTreeModel(HEADERS, self._forward_texts, self)
        self.backward = self._tree("backwardTree", self.backward_model)
        self.forward = self._tree("forwardTree", self.forward_model)
        for title, tree in (
            ("Backward — what went into it (supplier, lot, origin)", self.backward),
            ("Forward — what it went into, and who received it", self.forward),
        ):
            box = QGroupBox(title)
            v = QVBoxLayout(box)
            v.addWidget(tree)
            split.addWidget(box)
        layout.addWidget(split, 1)
        self.go.clicked.connect(lambda: self.trace(self.input.text()))
        self.input.returnPressed.connect(lambda: self.trace(self.input.text()))
        self._clear_models()
        watch(
            self,
            ctx,
            Change.BATCHES | Change.LOTS | Change.SHIPMENTS | Change.CUSTOMERS | Change.SUPPLIERS,
            lambda _event: self.trace(self._lot) if self._lot else None,
        )

    def _tree(self, name: str, model: QAbstractItemModel) -> QTreeView:
        tree = QTreeView()
        tree.setObjectName(name)
        tree.setModel(model)
        tree.setAlternatingRowColors(True)
        tree.setUniformRowHeights(True)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.doubleClicked.connect(self._open_item)
        # lot codes, quantities and dates whole; long names, suppliers
        # and origins capped like the other lists' free text (whole in their tooltip);
        # the origin or document takes the room left; widths dragged are remembered
        self._fitters[name] = fit_columns(
            tree, self._ctx.settings, f"trace/{name}", whole=(0, 2, 5), stretch=4
        )
        return tree

    def _clear_models(self) -> None:
        self.backward_model.clear()
        self.backward_model.setHorizontalHeaderLabels(HEADERS)
        self.forward_model.clear()

    # -- public ----------------------------------------------------------------------

    def focus_input(self) -> None:
        self.input.setFocus()
        self.input.selectAll()

    def current_lot_code(self) -> str:
        return self._lot

    def trace(self, text: str) -> None:
        """Trace a lot code (our lot, a batch, a supplier lot, or a scanned GS1 string)."""
        data = parse_scan(text)
        code = data.lot or text.strip()
        self.input.setText(code)
        self.error.show_message("")
        if not code:
            self.error.show_message("lot: give a lot code")
            return
        self.go.setEnabled(False)
        started = time.perf_counter()

        def job(session: Session, progress: Progress) -> tuple[TraceResult, TraceResult, TraceTree]:
            progress.report(0, 3, f"Finding {code}")
            ref = find_lot(session, code)
            progress.check()
            progress.report(1, 3, f"Tracing {ref.lot_code} backward")
            back = trace_backward(session, ref)
            progress.check()
            progress.report(2, 3, f"Tracing {ref.lot_code} forward")
            fwd = trace_forward(session, ref)
            progress.report(3, 3, "Trace done")
            return back, fwd, TraceTree(fwd)

        self._ctx.tasks.submit(
            f"Tracing {code}",
            job,
            on_result=lambda r: self._show(r, time.perf_counter() - started),
            on_error=self._failed,
            on_cancel=lambda: self._failed(UserError("trace: cancelled")),
        )

    def _failed(self, exc: BaseException) -> None:
        self.go.setEnabled(True)
        if isinstance(exc, UserError):
            self.error.show_message(exc.message)
            self.input.setFocus()
            self.input.selectAll()
            return
        self._ctx.errors.report(exc, context="trace")

    # -- trees -----------------------------------------------------------------------

    def _show(self, results: tuple[TraceResult, TraceResult, TraceTree], seconds: float) -> None:
        """Show a finished trace: the backward and forward results, and the forward
        tree's shape as the job laid it out."""
        self.go.setEnabled(True)
        back, fwd, tree = results
        self.backward_result, self.forward_result = back, fwd
        self._lot = back.root.lot_code
        self.input.setText(self._lot)
        self._clear_models()
        self._fill_backward(back)
        self.forward_model.set_tree(tree)
        self.backward.expandAll()
        whole = len(tree) <= OPEN_WHOLE
        if whole:
            self.forward.expandAll()
        else:
            self.forward.expandToDepth(0)  # the traced lot and what was made from it
        for view in (self.backward, self.forward):
            self._fitters[view.objectName()].fit()  # what the expanded rows need
        suppliers = sorted({e.supplier for e in back.edges if e.supplier})
        came_from = (
            f"{back.origin.text}; "
            if back.origin is not None
            else f"{len(back.material_lot_ids)} material lot(s) from {len(suppliers)} "
            "supplier(s) went into it; "
        )
        self.summary.setText(
            f"<b>{esc(back.root.lot_code)}</b> ({esc(back.root.name)}, {'batch' if back.root.kind == 'batch' else 'material lot'}): "
            f"{esc(came_from)}"
            f"it went into {len(fwd.batch_ids - ({fwd.root.id} if fwd.root.kind == 'batch' else set())):,} batch(es), "
            f"{len(fwd.shipments):,} shipment(s) to {len(fwd.customers):,} customer(s). "
            f"Traced in {seconds * 1000:.0f} ms."
            + (
                ""
                if whole
                else f" The forward tree has {len(tree):,} rows: its first level is open; "
                "open a batch to see where it went."
            )
        )
        self.traced.emit((back, fwd))

    def _fill_backward(self, res: TraceResult) -> None:
        root = _row(
            res.root.lot_code,
            res.root.name,
            "",
            "",
            "",
            "",
            kind=res.root.kind,
            lot=res.root.lot_code,
            bold=True,
        )
        self.backward_model.appendRow(root)
        parents: dict[int, QStandardItem] = {0: root[0]}
        for level, e in res.walk():
            items = self._input_items(e)
            parents[level - 1].appendRow(items)
            parents[level] = items[0]
        origin = res.origin
        if origin is not None:  # a received lot: where it came from ends the trace
            where = ", ".join(x for x in (origin.origin, origin.certifications) if x)
            received = origin.received_date.isoformat() if origin.received_date else ""
            texts = (
                origin.supplier or "no supplier recorded",
                where or "origin not recorded",
                f"received {received}".strip(),
            )
            for col, value in enumerate(texts, start=3):
                root[col].setText(value)
            root[2].setText(self._ctx.units.text(origin.quantity, origin.unit))
            # the supplier's own lot code (what a supplier's recall names), the delivery
            # document and the expiry, one row under the lot, each in its column
            root[0].appendRow(
                _row(
                    "—",
                    "supplier's lot",
                    "",
                    origin.supplier_lot_code or "not recorded",
                    origin.document_ref,
                    f"expires {origin.expiry.isoformat()}" if origin.expiry else "",
                    kind="origin",
                )
            )
        elif not res.edges:
            root[0].appendRow(_row("—", "no inputs recorded", "", "", "", ""))

    def _forward_texts(self, payload: Payload) -> tuple[str, ...]:
        """A forward tree row's column texts (``TraceTreeModel`` asks when it shows it)."""
        kind, item = payload
        if kind == "root":
            return (item.lot_code, item.name, "", "", "", "")
        if kind == "edge":
            return self._edge_texts(item, backward=False)
        if kind == "ship":
            return self._ship_texts(item)
        return ("—", str(item), "", "", "", "")

    def _input_items(self, e: TraceEdge) -> list[QStandardItem]:
        """A backward tree row: the edge's input (the forward tree is ``TraceTreeModel``'s)."""
        texts = self._edge_texts(e, backward=True)
        return _row(*texts, kind=e.source_kind, lot=e.source_lot_code)

    def _edge_texts(self, e: TraceEdge, *, backward: bool) -> tuple[str, ...]:
        qty = self._ctx.units.text(e.quantity, e.unit)
        if backward:
            origin = ", ".join(x for x in (e.origin, e.certifications) if x)
            supplier = (
                f"{e.supplier} ({e.supplier_lot_code})" if e.supplier_lot_code else e.supplier
            )
            expiry = f"exp {e.expiry.isoformat()}" if e.expiry else ""
            return (e.source_lot_code, e.source_name, qty, supplier, origin, expiry)
        return (
            e.consumer_lot_code,
            e.consumer_product,
            f"used {qty} of {e.source_lot_code}",
            "",
            "",
            "",
        )

    def _ship_texts(self, sh: TraceShipment) -> tuple[str, ...]:
        doc = f"{sh.document_type} {sh.document_number}".strip()
        return (
            "→ shipped",
            sh.product,
            self._ctx.units.text(sh.quantity, sh.unit),
            sh.customer,
            doc,
            sh.shipped_date.isoformat(),
        )

    def _open_item(self, index: Any) -> None:
        lot = index.siblingAtColumn(0).data(Role.Row)
        if lot and lot != self._lot:
            self.trace(str(lot))
