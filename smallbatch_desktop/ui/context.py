"""What every view and dialog is given (collaborators passed in, never global)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.ui.actions import ActionRegistry
from smallbatch_desktop.ui.errors import ErrorReporter
from smallbatch_desktop.ui.tasks import TaskRunner


@dataclass
class UiContext:
    session_factory: sessionmaker[Session]
    actions: ActionRegistry
    tasks: TaskRunner
    errors: ErrorReporter
    settings: QSettings
    actor: str
