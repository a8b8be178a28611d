"""Opening a database an older version made: the upgrade runs in a worker thread and a
window says what it is doing.

``prepare_database`` brings the database to the newest schema before the main window
is built.  The work (``db.engine.open_database``: a copy of the database first, then
the migrations, then migration ``0007_snapshot_backfill``'s batch record snapshots,
minutes on a large database) runs on a worker thread while the UI thread waits in an
event loop, so the window repaints, moves and answers.  ``UpgradeDialog`` appears as
soon as an existing database is actually being upgraded (a new or current one opens
without it) and shows each stage with a progress bar; *Stop the update* rolls it back
and leaves the database as it was.  Whatever the worker raised is raised again on the
UI thread for the caller to word (``app._open_or_explain``).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop import __version__
from smallbatch_desktop.db.migrate import UpgradeProgress, UpgradeStopped

log = logging.getLogger(__name__)

#: how each stage is introduced in the window
_STAGES = {
    "backup": "Step 1 of 3: a copy of the database is kept first",
    "schema": "Step 2 of 3: its tables",
    "snapshots": "Step 3 of 3: the released batch records",
}


class UpgradeDialog(QDialog):
    """What the upgrade is doing, with a progress bar and a button to stop it."""

    stop_requested = Signal()

    def __init__(self, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("upgradeDialog")
        self.setWindowTitle("Updating the database")
        self.setModal(True)
        self.setMinimumWidth(520)
        # no close button: closing it would leave the question of the upgrade open
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        heading = QLabel(
            f"<b>Updating the database for this version of Smallbatch ({__version__}).</b>"
            f"<br>{where} was made by an older version; it is updated once, then it opens. "
            "On a large database this takes a few minutes.",
            self,
        )
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.RichText)
        self.stage = QLabel("Starting…", self)
        self.stage.setObjectName("upgradeStage")
        self.step = QLabel("", self)
        self.step.setObjectName("upgradeStep")
        self.step.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("upgradeProgress")
        self.bar.setRange(0, 0)  # busy until the first figures arrive
        note = QLabel("If it stops or fails, the database is left exactly as it was.", self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.stop = buttons.addButton("Stop the update", QDialogButtonBox.ButtonRole.RejectRole)
        self.stop.setObjectName("upgradeStop")
        self.stop.clicked.connect(self._stop)
        layout = QVBoxLayout(self)
        for w in (heading, self.stage, self.step, self.bar, note, buttons):
            layout.addWidget(w)

    def show_progress(self, p: UpgradeProgress) -> None:
        self.stage.setText(_STAGES.get(p.stage, p.stage))
        text = p.text()
        self.step.setText(text[0].upper() + text[1:])
        if p.total > 0:
            self.bar.setRange(0, p.total)
            self.bar.setValue(min(p.done, p.total))
        else:
            self.bar.setRange(0, 0)

    def _stop(self) -> None:
        self.stop.setEnabled(False)
        self.step.setText("Stopping: the database is put back as it was…")
        self.stop_requested.emit()

    def reject(self) -> None:  # Esc stops the update too, it does not hide the window
        if self.stop.isEnabled():
            self._stop()


class _Relay(QObject):
    """Carries the worker thread's reports to the UI thread (queued signals)."""

    progress = Signal(object)
    outcome = Signal(object)


def prepare_database(target: str, *, where: str, parent: QWidget | None = None) -> None:
    """Bring ``target`` to the newest schema on a worker thread, showing
    ``UpgradeDialog`` while an existing database is upgraded.  Returns when it is done;
    raises what the upgrade raised (``db.migrate.UpgradeStopped`` when the user stopped
    it), with the database as it was."""
    from smallbatch_desktop.db.engine import open_database

    relay = _Relay()
    stop = threading.Event()
    loop = QEventLoop()
    dialog: list[UpgradeDialog] = []
    result: list[BaseException | None] = []

    def on_progress(p: UpgradeProgress) -> None:
        if not dialog:
            d = UpgradeDialog(where, parent)
            d.stop_requested.connect(stop.set)
            dialog.append(d)
            d.show()
        dialog[0].show_progress(p)

    def on_outcome(exc: BaseException | None) -> None:
        result.append(exc)
        loop.quit()

    relay.progress.connect(on_progress, Qt.ConnectionType.QueuedConnection)
    relay.outcome.connect(on_outcome, Qt.ConnectionType.QueuedConnection)

    def report(p: UpgradeProgress) -> None:  # on the worker thread
        if stop.is_set():
            raise UpgradeStopped("the update was stopped")
        relay.progress.emit(p)

    def work() -> None:
        failure: BaseException | None = None
        try:
            engine, _factory = open_database(target, progress=report)
            engine.dispose()
        except BaseException as exc:  # handed to the UI thread, which words it
            failure = exc
        relay.outcome.emit(failure)

    worker = threading.Thread(target=work, name="smallbatch-upgrade", daemon=True)
    worker.start()
    try:
        loop.exec()
    finally:
        worker.join()
        for d in dialog:
            d.hide()
            d.deleteLater()
    if result and result[0] is not None:
        raise result[0]


def stopped_message(where: str) -> str:
    return (
        f"The update of the database {where} was stopped: it is as it was before. "
        f"This version of Smallbatch ({__version__}) opens it once it is updated; start "
        "Smallbatch again to update it."
    )
