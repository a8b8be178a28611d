"""What every view and dialog is given (collaborators passed in, never global)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from smallbatch_desktop.ui.actions import ActionRegistry
from smallbatch_desktop.ui.errors import ErrorReporter
from smallbatch_desktop.ui.tasks import TaskRunner
from smallbatch_desktop.ui.units import UnitDisplay

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from smallbatch_desktop.ui.models.batches import ReaderFactory


@dataclass
class UiContext:
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
