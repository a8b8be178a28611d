"""The Cost tab: what the inputs cost, in total and per unit made."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from smallbatch_desktop.services.batches import CostLine
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.text import money
from smallbatch_desktop.ui.views.batch_detail.common import BatchSnapshot, table_view


class CostTab(QWidget):
    title = "&Cost"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        v = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("costSummary")
        self.summary.setWordWrap(True)
        v.addWidget(self.summary)
        self.model: RowTableModel[CostLine] = RowTableModel(
            [
                Column("Lot", lambda r: r.lot_code),
                Column("Input", lambda r: r.name),
                Column("Quantity", lambda r: r.quantity, numeric=True),
                Column("Unit", lambda r: r.unit),
                Column(
                    "Unit cost",
                    lambda r: None if r.unit_cost is None else money(r.unit_cost, ctx.currency),
                    numeric=True,
                ),
                Column("Cost", lambda r: money(r.cost, ctx.currency), numeric=True),
            ],
            parent=self,
        )
        self.view = table_view("costTable")
        self.view.setModel(self.model)
        v.addWidget(self.view, 1)

    def load(self, snap: BatchSnapshot) -> None:
        cost, currency = snap.cost, self._ctx.currency
        self.model.set_rows(cost.lines)
        per = "—" if cost.per_unit is None else f"{money(cost.per_unit, currency)} per {cost.unit}"
        self.summary.setText(
            f"Total {money(cost.total, currency)}, {per}"
            + ("" if cost.complete else " (incomplete: an input has no cost)")
        )
