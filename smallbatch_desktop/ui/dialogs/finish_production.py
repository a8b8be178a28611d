"""Finish production: the maker counts what the batch actually made (and what was
wasted or lost, and why) before it goes to QC. The yield starts at the plan, selected,
so typing the count replaces it; the line under the fields adds it up as it is typed."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.units import format_quantity
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.widgets.fields import DecimalEdit


class FinishProductionDialog(FormDialog):
    """OK records the actual yield and waste and holds the batch for QC (one unit of
    work); ``result_value`` is the batch id."""

    changes = Change.BATCHES

    def __init__(
        self,
        ctx: UiContext,
        batch_id: int,
        *,
        lot_code: str,
        planned: Decimal,
        unit: str,
        actual: Decimal | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            f"Finish production of {lot_code}",
            parent,
            ok_text="Finish and send to QC",
            intro=f"Batch {lot_code} was planned for {format_quantity(planned, unit)}. "
            "Count what it actually made; the labels and the batch record use this figure.",
        )
        self.setObjectName("finishProductionDialog")
        self._batch_id, self._unit, self._planned = batch_id, unit, planned
        self.actual = DecimalEdit(field="actual yield", required=True)
        self.actual.setObjectName("actualYield")
        self.actual.set_decimal(actual if actual is not None else planned)
        self.actual.selectAll()
        self.waste = DecimalEdit(field="waste", placeholder="0")
        self.waste.setObjectName("wasteQuantity")
        self.reason = QLineEdit()
        self.reason.setObjectName("wasteReason")
        self.reason.setPlaceholderText("Spilt, burnt, under-filled, broke…")
        self.add_field(f"&Actual yield ({unit})", self.actual, ("actual yield", "unit"))
        self.add_field(f"&Waste or loss ({unit})", self.waste, ("waste",))
        self.add_field("W&hy", self.reason, ("waste reason",))
        self.balance = QLabel()
        self.balance.setObjectName("yieldBalance")
        self.balance.setWordWrap(True)
        self.body.insertWidget(self.body.indexOf(self.form_error), self.balance)
        self.actual.textChanged.connect(self._update_balance)
        self.waste.textChanged.connect(self._update_balance)
        self._update_balance()
        fit_to_text(self, 60)

    def _update_balance(self) -> None:
        """``58 made + 2 wasted = 60 of 60 planned`` or what is unaccounted for."""
        made = self.actual.decimal()
        if made is None:
            self.balance.setText("")
            return
        waste = self.waste.decimal() or Decimal(0)
        u, plan = self._unit, self._planned
        text = f"{format_quantity(made, u)} made"
        if waste:
            text += f" + {format_quantity(waste, u)} wasted"
        gap = plan - made - waste
        if gap > 0:
            text += f"; {format_quantity(gap, u)} short of the {format_quantity(plan, u)} planned"
        elif gap < 0:
            text += f"; {format_quantity(-gap, u)} more than the {format_quantity(plan, u)} planned"
        else:
            text += f" = the {format_quantity(plan, u)} planned"
        self.balance.setText(text)

    def save(self, session: Session) -> int:
        bsvc.finish_production(
            session,
            self._batch_id,
            actual_quantity=self.actual.text(),
            unit=self._unit,
            waste_quantity=self.waste.text(),
            waste_reason=self.reason.text(),
            actor=self._actor,
        )
        return self._batch_id
