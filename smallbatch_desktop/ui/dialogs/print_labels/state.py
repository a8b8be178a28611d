"""The print dialog's state: choices, plan, running job."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QWidget,
)

from smallbatch_desktop.services.labels import PrintPlan
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.print_labels.common import (
    PrintOutcome,
    ProfileInfo,
)
from smallbatch_desktop.ui.tasks import TaskHandle


class PrintState(QDialog):
    """The dialog's choices, plan and running job; every part works on these.

    Signals:
        printed(object): a ``PrintOutcome`` after a job succeeded (and, for a final
            run, after its numbers were recorded).
        planChanged(object): the ``PrintPlan`` now previewed, or None when the choices
            are refused (the message is shown in ``printError``).
    """

    printed = Signal(object)
    planChanged = Signal(object)

    def __init__(self, ctx: UiContext, batch_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printLabelsDialog")
        self.setWindowTitle("Print labels")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._batch_id = batch_id
        self.tasks = ctx.tasks.child(self)
        self._actor = ctx.actor
        self._profiles: dict[str, ProfileInfo] = {}
        self._plan: PrintPlan | None = None
        self._job: TaskHandle | None = None
        self._last_printed = 0
        self.last_outcome: PrintOutcome | None = None
        #: said after a run whose numbers moved on since the preview (another workstation)
        self._reserved_note = ""
        #: what happened to a failed or cancelled run's numbers (set on the worker thread)
        self._release_note = ""
        self._preview_gen = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
