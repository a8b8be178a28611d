"""The print labels dialog, made of its parts."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QWidget,
)

from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.print_labels.form import FormPart
from smallbatch_desktop.ui.dialogs.print_labels.output import OutputPart
from smallbatch_desktop.ui.dialogs.print_labels.plan import PlanPart


class PrintLabelsDialog(FormPart, PlanPart, OutputPart):
    """Print or save the lot labels of one batch (its parts: one module each).
    Signals: see ``PrintState``."""

    def __init__(self, ctx: UiContext, batch_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, batch_id, parent)
        self._timer.timeout.connect(self.update_plan)
        self._build()
        self._load()
        self.update_plan()
