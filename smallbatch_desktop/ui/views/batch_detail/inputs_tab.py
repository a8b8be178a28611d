"""The Inputs tab: every lot the batch used, with supplier, supplier lot and origin."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from smallbatch_desktop.services.ui_queries import InputRow
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.views.batch_detail.common import (
    BatchSnapshot,
    quantity_columns,
    table_view,
)


class InputsTab(QWidget):
    title = "&Inputs"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        units = ctx.units
        self.model: RowTableModel[InputRow] = RowTableModel(
            [
                Column("Lot", lambda r: r.lot_code),
                Column("Input", lambda r: r.name),
                *quantity_columns(units),
                Column("Supplier", lambda r: r.supplier),
                Column("Supplier lot", lambda r: r.supplier_lot_code),
                Column("Origin", lambda r: r.origin),
                Column("Recorded by", lambda r: r.recorded_by),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.view = table_view("inputsTable")
        self.view.setModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def load(self, snap: BatchSnapshot) -> None:
        self.model.set_rows(snap.detail.inputs)
