"""File > Back up now, File > Restore…, and the check the app runs after it opens.

``BackupActions`` works for one window on its SQLite database (``db/backup.py`` does the
copying, checking and rotating).  After the first paint ``check_on_start`` runs
``PRAGMA quick_check`` and the daily backup in the background; a damaged database is
offered the newest backup.  A restore asks first, checks the chosen file, keeps a copy
of the current database, writes the backup over it and reopens: the connections are
closed and every view reloads.  On a shared PostgreSQL database both actions say to
use ``pg_dump`` on the server.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from smallbatch_desktop.domain.errors import UserError

log = logging.getLogger(__name__)


def database_target(session_factory: Any) -> str:
    """The path or URL behind a window's session factory."""
    target = getattr(session_factory, "target", None)  # app.LazySessionFactory
    if target:
        return str(target)
    bind = getattr(session_factory, "kw", {}).get("bind")
    return bind.url.render_as_string(hide_password=False) if bind is not None else ""


def dispose_connections(session_factory: Any) -> None:
    dispose = getattr(session_factory, "dispose", None)
    if callable(dispose):
        dispose()
        return
    bind = getattr(session_factory, "kw", {}).get("bind")
    if bind is not None:
        bind.dispose()


def ask_to_restore(parent: QWidget | None, db_path: Path, problem: str) -> bool:
    """The database is damaged: offer its newest backup.  True when it was restored."""
    from smallbatch_desktop.db.backup import inspect_backup, latest_backup, restore_backup

    newest = latest_backup(db_path)
    if newest is None:
        QMessageBox.critical(
            parent,
            "Smallbatch",
            f"The database {db_path} is damaged ({problem}) and there is no backup of it "
            "yet.\n\nKeep a copy of the file, and open Smallbatch on another database "
            "(or restore a copy you made yourself with File > Restore).",
        )
        return False
    try:
        info = inspect_backup(newest.path)
    except UserError as exc:
        QMessageBox.critical(parent, "Smallbatch", f"The newest backup cannot be used:\n{exc}")
        return False
    answer = QMessageBox.question(
        parent,
        "Restore the last backup?",
        f"The database {db_path} is damaged ({problem}).\n\nRestore the newest backup, "
        f"taken {newest.taken_at:%d %b %Y %H:%M} ({info.summary()})?\n\nWork saved since "
        "then is not in it. The damaged file is kept beside the database.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    result = restore_backup(newest.path, db_path)
    log.info("restored %s from %s after damage: %s", db_path, newest.path, problem)
    QMessageBox.information(
        parent,
        "Smallbatch",
        f"Restored the backup of {newest.taken_at:%d %b %Y %H:%M}.\n"
        f"The damaged database is kept at {result.previous}.",
    )
    return True


class BackupActions(QObject):
    """Back up, restore and the start-up check for one main window.

    Signals:
        backedUp(str): the path of a backup just written.
        restored(str): the path of the backup just restored (the views have reloaded).
        checked(str): the start-up check's verdict ("ok" or what is wrong).
    """

    backedUp = Signal(str)
    restored = Signal(str)
    checked = Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window

    # -- where -------------------------------------------------------------------------

    def db_path(self) -> Path | None:
        """The SQLite file, or None (after telling the user) for a shared database."""
        from smallbatch_desktop.db.backup import sqlite_path_or_refuse

        try:
            return sqlite_path_or_refuse(database_target(self._window._sf), "Backups")
        except UserError as exc:
            QMessageBox.information(self._window, "Backups", exc.message)
            return None

    # -- File > Back up now ------------------------------------------------------------

    def back_up_now(self) -> None:
        from smallbatch_desktop.db.backup import MANUAL, take_backup

        path = self.db_path()
        if path is None:
            return
        self._window.tasks.submit(
            "Backing up the database",
            lambda _s, _p: take_backup(path, reason=MANUAL),
            on_result=self._backed_up,
        )

    def _backed_up(self, target: Path) -> None:
        self._window.statusBar().showMessage(f"Backup written to {target}", 10000)
        self.backedUp.emit(str(target))

    # -- File > Restore ----------------------------------------------------------------

    def restore(self) -> bool:
        from smallbatch_desktop.db.backup import backup_folder, inspect_backup

        path = self.db_path()
        if path is None:
            return False
        chosen, _ = QFileDialog.getOpenFileName(
            self._window,
            "Restore a backup",
            str(backup_folder(path)),
            "Smallbatch backups (*.sqlite *.db);;All files (*)",
        )
        if not chosen:
            return False
        info = inspect_backup(Path(chosen))  # refuses a damaged or foreign file, named
        answer = QMessageBox.question(
            self._window,
            "Restore this backup?",
            f"Replace the database {path} with the backup {Path(chosen).name}?\n\n"
            f"The backup holds {info.summary()}. What the database holds now is kept "
            "as a backup first (File > Restore can bring it back). Other workstations "
            "using this file should close Smallbatch first.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self._restore_from(Path(chosen), path)

    def _restore_from(self, source: Path, path: Path) -> bool:
        from smallbatch_desktop.db.backup import restore_backup

        window = self._window
        window.tasks.cancel_all()
        window.tasks.wait(5000)
        dispose_connections(window._sf)
        result = restore_backup(source, path)
        self.reopen()
        kept = f"; the previous database is kept at {result.previous}" if result.previous else ""
        window.statusBar().showMessage(f"Restored {source.name}{kept}", 15000)
        self.restored.emit(str(source))
        return True

    def reopen(self) -> None:
        """Fresh connections and every view reloaded from the (restored) database."""
        from smallbatch_desktop.ui.ops import Change

        window = self._window
        dispose_connections(window._sf)
        window.load_unit_system()
        # everything may differ: every view reloads what it shows
        window.ctx.bus.announce(Change.all(), origin=self)
        for name in list(window._views):
            window._refresh_view(name)

    # -- after start-up ----------------------------------------------------------------

    def check_on_start(self) -> None:
        """``quick_check`` and the daily backup, in the background; a damaged database
        is offered its newest backup."""
        from smallbatch_desktop.db.backup import backup_if_due, quick_check, sqlite_path_or_refuse

        try:
            path = sqlite_path_or_refuse(database_target(self._window._sf), "Backups")
        except UserError:
            return  # PostgreSQL: the server's own checks and pg_dump

        def job(_s: Any, _p: Any) -> str:
            verdict = quick_check(path)
            if verdict == "ok":
                backup_if_due(path)
            return verdict

        self._window.tasks.submit(
            "Checking the database", job, on_result=lambda v: self._checked(path, v)
        )

    def _checked(self, path: Path, verdict: str) -> None:
        self.checked.emit(verdict)
        if verdict == "ok":
            return
        log.error("quick_check of %s: %s", path, verdict)
        window = self._window
        window.tasks.cancel_all()
        window.tasks.wait(5000)
        dispose_connections(window._sf)
        if ask_to_restore(window, path, verdict):
            self.reopen()
