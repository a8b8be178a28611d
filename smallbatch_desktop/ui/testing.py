"""Helpers for driving the real widgets in tests (and in the screenshot script).

``make_window`` builds a ``MainWindow`` the way ``app.py`` does, but with QSettings in a
given folder, a synchronous task pool (jobs finish inside ``submit``) and an error
reporter that records instead of opening dialogs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from smallbatch_desktop.ui.errors import ErrorReporter
from smallbatch_desktop.ui.tasks import Pool, SyncPool

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from smallbatch_desktop.ui.context import UiContext
    from smallbatch_desktop.ui.main_window import MainWindow


def temp_settings(folder: Path) -> QSettings:
    return QSettings(str(folder / "smallbatch-test.ini"), QSettings.Format.IniFormat)


def make_window(
    session_factory: sessionmaker[Session],
    settings: QSettings,
    *,
    pool: Pool | None = None,
    show_dialogs: bool = False,
    actor: str = "tester",
    db_label: str = "test.sqlite",
) -> MainWindow:
    from smallbatch_desktop.ui.main_window import MainWindow

    reporter = ErrorReporter(None, show_dialogs=show_dialogs)
    window = MainWindow(
        session_factory,
        settings,
        db_label=db_label,
        pool=pool if pool is not None else SyncPool(),
        errors=reporter,
        actor=actor,
    )
    window.restore_state()
    return window


def child(parent: QWidget, cls: type, name: str) -> Any:
    """``findChild`` that fails loudly: tests read better than with None checks."""
    w = parent.findChild(cls, name)
    if w is None:
        raise LookupError(f"no {cls.__name__} named {name!r} under {parent.objectName()!r}")
    return w


def make_context(
    session_factory: sessionmaker[Session],
    *,
    owner: QWidget | None = None,
    settings: QSettings | None = None,
    pool: Pool | None = None,
    actor: str = "tester",
) -> UiContext:
    """A ``UiContext`` for a dialog or view opened on its own (jobs run synchronously,
    errors are recorded in ``ctx.errors.last`` instead of opening dialogs)."""
    from smallbatch_desktop.ui.context import make_context as build

    holder = owner if owner is not None else QWidget()
    ctx = build(
        session_factory,
        owner=holder,
        settings=settings,
        actor=actor,
        pool=pool if pool is not None else SyncPool(),
        errors=ErrorReporter(None, show_dialogs=False),
    )
    if owner is None:
        _owners.append(holder)  # the actions and the task runner live as long as the test
    return ctx


_owners: list[QWidget] = []
