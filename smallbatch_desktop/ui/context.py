"""What every view and dialog is given (collaborators passed in, never global).

A view or dialog takes one ``UiContext``: the session factory, the action table, the
task runner, the error reporter, the per-machine settings, who is working (``actor``,
recorded on every change) and the ``ChangeBus`` that announces what each action
changed. ``ctx.run(fn, changes=...)`` runs a user action (see ``ui.ops``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from smallbatch_desktop.ui.actions import ActionRegistry
from smallbatch_desktop.ui.errors import ErrorReporter
from smallbatch_desktop.ui.ops import ChangeBus, OpRunner
from smallbatch_desktop.ui.tasks import TaskRunner
from smallbatch_desktop.ui.units import UnitDisplay

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget
    from sqlalchemy.orm import Session, sessionmaker

    from smallbatch_desktop.ui.models.batches import ReaderFactory
    from smallbatch_desktop.ui.tasks import Pool


@dataclass
class UiContext(OpRunner):
    session_factory: sessionmaker[Session]
    actions: ActionRegistry
    tasks: TaskRunner
    errors: ErrorReporter
    settings: QSettings
    actor: str
    #: how the batch list reads (a stdlib sqlite3 connection at start-up); None: sessions
    batch_reads: ReaderFactory | None = None
    #: metric or US customary, for showing quantities (Settings -> Units shown)
    units: UnitDisplay = field(default_factory=UnitDisplay)
    #: every successful action says here what it changed; views reload from it
    bus: ChangeBus = field(default_factory=ChangeBus)
    #: the currency money is shown in (Settings -> Currency)
    currency: str = "USD"


def make_context(
    session_factory: sessionmaker[Session],
    *,
    owner: QWidget,
    settings: QSettings | None = None,
    actor: str = "",
    pool: Pool | None = None,
    errors: ErrorReporter | None = None,
    **extra: Any,
) -> UiContext:
    """A context for a window (or a dialog or view opened on its own, as tests do):
    ``owner`` parents the action table, the task runner and the error reporter."""
    reporter = errors or ErrorReporter(owner)
    tasks = TaskRunner(session_factory, pool, owner)
    tasks.default_error_handler = reporter.report
    return UiContext(
        session_factory,
        ActionRegistry(owner),
        tasks,
        reporter,
        settings if settings is not None else QSettings(),
        actor,
        **extra,
    )
