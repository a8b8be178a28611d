"""Record the lots a planned or running batch used (FEFO suggested)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services.ui_queries import batch_detail, line_candidates
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.text import esc, rich
from smallbatch_desktop.ui.widgets.picks import PicksEditor


class PickLotsDialog(FormDialog):
    """``record_consumptions`` for what is still needed; all rows saved, or none."""

    changes = Change.BATCHES | Change.LOTS

    def __init__(self, ctx: UiContext, batch_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Record inputs", parent, ok_text="Record inputs")
        self.setObjectName("pickLotsDialog")
        self._batch_id = batch_id
        with self._sf() as s:
            d = batch_detail(s, batch_id)
            needs = bsvc.suggest_lots(s, batch_id)
            cands = {n.line_id: line_candidates(s, n.line_id, made_date=d.made_date) for n in needs}
        self.body.insertWidget(
            0,
            rich(
                QLabel(
                    f"<b>{esc(d.lot_code)}</b> — {esc(d.product)} (v{d.version}): "
                    "lots still to record"
                )
            ),
        )
        self.picks = PicksEditor()
        self.body.insertWidget(self.body.indexOf(self.form_error), self.picks, 1)
        self.errors.add(("inputs", "pick", "lot", "quantity", "unit"), None, self.form_error)
        self.picks.set_needs([n for n in needs if n.remaining > 0] or needs, cands)
        fit_to_text(self, 110, 24)

    def save(self, session: Session) -> Any:
        if self.picks.has_problems():
            raise UserError(
                "quantity: a pick is more than its lot has on hand (red)", field="quantity"
            )
        try:
            return [
                c.id
                for c in bsvc.record_consumptions(
                    session, self._batch_id, self.picks.picks(), actor=self._actor
                )
            ]
        except UserError as exc:
            m = re.match(r"pick (\d+):", exc.message)
            if m:
                self.picks.mark_row(int(m.group(1)) - 1)
            raise
