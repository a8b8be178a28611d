"""New batch: pick a published recipe version and a target yield, see the lot code it
will get, pick lots per line (FEFO suggested, live availability), confirm.

Confirm runs ``plan_batch`` and ``record_consumptions`` in ONE transaction: either the
batch exists with its inputs, or nothing was saved.  The preview (lot code, what each
line needs, the FEFO picks) is computed by planning the batch in a session that is
rolled back, so the numbers are exactly what the services will do.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.units import UNIT_CODES, format_quantity, same_dimension
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services.ui_queries import (
    Candidate,
    VersionChoice,
    line_candidates,
    published_versions,
)
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.widgets.fields import DecimalEdit
from smallbatch_desktop.ui.widgets.picks import PicksEditor


def qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class NewBatchDialog(FormDialog):
    """Plan a batch. ``result_value`` is the new batch id."""

    #: the lots picked at planning are consumed at once
    changes = Change.BATCHES | Change.LOTS

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        version_id: int | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(ctx, "New batch", parent, ok_text="Plan batch")
        self.setObjectName("newBatchDialog")
        actor = ctx.actor
        self._today = today or dt.date.today()
        with self._sf() as s:
            self._versions: list[VersionChoice] = published_versions(s)
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("recipeVersionCombo")
        for v in self._versions:
            self.version_combo.addItem(v.display, v.id)
        if version_id is not None:
            i = self.version_combo.findData(version_id)
            if i >= 0:
                self.version_combo.setCurrentIndex(i)
        self.add_field("&Recipe", self.version_combo, ("recipe version", "recipe"))

        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        self.target = DecimalEdit(field="planned quantity", required=True)
        self.target.setObjectName("targetYield")
        self.target.setAccessibleName("Target yield")
        self.unit_combo = QComboBox()
        self.unit_combo.setObjectName("targetUnit")
        h.addWidget(self.target, 1)
        h.addWidget(self.unit_combo)
        err = self.add_field("Target &yield", row)
        self.errors.add(("planned quantity", "target yield"), self.target, err)
        self.errors.add(("unit", "target unit"), self.unit_combo, err)

        self.made = QDateEdit(qdate(self._today))
        self.made.setObjectName("madeDate")
        self.made.setCalendarPopup(True)
        self.made.setDisplayFormat("yyyy-MM-dd")
        self.add_field("&Made on", self.made, ("made date",))
        self.operator = QLineEdit(actor)
        self.operator.setObjectName("operatorEdit")
        self.add_field("&Operator", self.operator, ("operator",))
        self.lot_preview = QLabel("—")
        self.lot_preview.setObjectName("lotCodePreview")
        self.lot_preview.setProperty("role", "lotCode")
        self.lot_preview.setToolTip(
            "The lot code this batch will get (Settings → lot code pattern)"
        )
        self.add_field("Lot code", self.lot_preview, ("lot code", "lot code pattern"))
        self.picks = PicksEditor()
        self.body.insertWidget(self.body.indexOf(self.form_error), QLabel("<b>Lots to use</b>"))
        self.body.insertWidget(self.body.indexOf(self.form_error), self.picks, 1)
        self.errors.add(("inputs", "pick", "lot", "quantity"), None, self.form_error)
        fit_to_text(self, 110, 30)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh_preview)
        self.version_combo.currentIndexChanged.connect(self._version_changed)
        self.target.textChanged.connect(lambda _t: self._timer.start())
        self.unit_combo.currentIndexChanged.connect(lambda _i: self._timer.start())
        self.made.dateChanged.connect(lambda _d: self._timer.start())
        if not self._versions:
            self.form_error.show_message(
                "No published recipe yet: write a recipe and publish it in the Recipes view first."
            )
            self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(False)
        else:
            self._version_changed()

    # -- preview ---------------------------------------------------------------------

    def current_version(self) -> VersionChoice | None:
        vid = self.version_combo.currentData()
        return next((v for v in self._versions if v.id == vid), None)

    def _version_changed(self) -> None:
        v = self.current_version()
        if v is None:
            return
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        for code in UNIT_CODES:
            if same_dimension(code, v.yield_unit):
                self.unit_combo.addItem(code)
        self.unit_combo.setCurrentText(v.yield_unit)
        self.unit_combo.blockSignals(False)
        self.target.set_decimal(v.yield_quantity)
        self.refresh_preview()

    def refresh_preview(self) -> None:
        """Plan in a rolled-back session: lot code, needs and FEFO picks, as the services see them."""
        self._timer.stop()
        v = self.current_version()
        qty = self.target.decimal()
        if v is None:
            return
        if qty is None or qty <= 0:
            self.errors.set_field("planned quantity", "Enter the yield to make, e.g. 24")
            return
        self.errors.set_field("planned quantity", "")
        try:
            with self._sf() as s:
                try:
                    b = bsvc.plan_batch(
                        s,
                        recipe_version_id=v.id,
                        planned_quantity=qty,
                        unit=self.unit_combo.currentText() or None,
                        made_date=pydate(self.made.date()),
                    )
                    needs = bsvc.suggest_lots(s, b.id)
                    cands: dict[int, list[Candidate]] = {
                        n.line_id: line_candidates(s, n.line_id, made_date=b.made_date)
                        for n in needs
                    }
                    code = b.lot_code
                finally:
                    s.rollback()
        except UserError as exc:
            self.lot_preview.setText("—")
            self.errors.show(exc)
            return
        self.lot_preview.setText(code)
        self.picks.set_needs(needs, cands)
        short = [n for n in needs if n.shortfall > 0]
        if short:
            self.form_error.show_message(
                "Not enough on hand: "
                + ", ".join(f"{n.name} short {format_quantity(n.shortfall, n.unit)}" for n in short)
                + ". You can still plan the batch and record inputs later."
            )
        else:
            self.form_error.show_message("")

    # -- confirm ---------------------------------------------------------------------

    def save(self, session: Session) -> Any:
        v = self.current_version()
        if v is None:
            raise UserError("recipe version: choose a recipe", field="recipe version")
        if self.picks.has_problems():
            raise UserError(
                "quantity: a pick is more than its lot has on hand (red); lower it or pick another lot",
                field="quantity",
            )
        b = bsvc.plan_batch(
            session,
            recipe_version_id=v.id,
            planned_quantity=self.target.text(),
            unit=self.unit_combo.currentText() or None,
            made_date=pydate(self.made.date()),
            operator=self.operator.text(),
            actor=self._actor,
        )
        picks = self.picks.picks()
        if picks:
            try:
                bsvc.record_consumptions(session, b.id, picks, actor=self._actor)
            except UserError as exc:
                m = re.match(r"pick (\d+):", exc.message)
                if m:
                    self.picks.mark_row(int(m.group(1)) - 1)
                raise
        return b.id
