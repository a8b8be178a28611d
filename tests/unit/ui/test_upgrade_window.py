"""Starting the app on a database an older version made: the upgrade (a copy first, the
migrations, then a snapshot of each released batch record: minutes on a big database)
runs on a worker thread while a window says what it is doing; the UI thread keeps
running; a failure or a stop leaves the database as it was, with a message."""

from __future__ import annotations

import contextlib
import itertools
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressBar, QPushButton

from smallbatch_desktop.app import _open_or_explain
from smallbatch_desktop.db.backup import list_backups
from smallbatch_desktop.db.migrate import head_revision, stored_revision
from tests.factories import BEFORE_SNAPSHOTS, older_database

OLD = BEFORE_SNAPSHOTS
BATCHES = 1500


@pytest.fixture(scope="module")
def _old_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database as an older version left it: 1,500 released batches, no snapshots."""
    path = tmp_path_factory.mktemp("old") / "old.sqlite"
    older_database(path, BATCHES)
    return path


@pytest.fixture
def old_db(_old_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "workshop.sqlite"
    shutil.copyfile(_old_template, path)
    return path


def snapshots(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT count(*) FROM batch_snapshots").fetchone()[0]


class Watcher:
    """A timer on the UI thread, as the event loop runs it: each tick notes the time and
    what the update window shows.  A frozen UI thread would tick once, late."""

    def __init__(self, on_tick: Any = None) -> None:
        self.ticks: list[float] = []
        self.seen: list[tuple[str, str, int, int]] = []
        self.on_tick = on_tick
        self.timer = QTimer()
        self.timer.setInterval(40)
        self.timer.timeout.connect(self._tick)

    def dialog(self) -> Any:
        for w in QApplication.topLevelWidgets():
            if w.objectName() == "upgradeDialog" and w.isVisible():
                return w
        return None

    def _tick(self) -> None:
        self.ticks.append(time.monotonic())
        d = self.dialog()
        if d is None:
            return
        bar = d.findChild(QProgressBar, "upgradeProgress")
        self.seen.append(
            (
                d.findChild(QLabel, "upgradeStage").text(),
                d.findChild(QLabel, "upgradeStep").text(),
                bar.value(),
                bar.maximum(),
            )
        )
        if self.on_tick is not None:
            self.on_tick(d, self.seen[-1])

    def __enter__(self) -> Watcher:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()


def no_message(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("critical", "information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, n=name, **k: pytest.fail(f"{n}: {a}"))


def test_an_older_database_is_updated_with_a_window_showing_progress(
    qapp: Any, old_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_message(monkeypatch)
    started = time.monotonic()
    with Watcher() as w:
        opened = _open_or_explain(str(old_db), tmp_path / "log")
    took = time.monotonic() - started
    assert opened is not None
    # the window showed each stage, and the batch records counting up to the last
    stages = [s for s, *_ in w.seen]
    assert any(s.startswith("Step 3 of 3: the released batch records") for s in stages)
    steps = [step for _s, step, *_ in w.seen if "batch records" in step]
    assert steps and steps[-1] == (
        f"Keeping each released batch record as it reads today: {BATCHES:,} of {BATCHES:,} "
        "batch records"
    )
    counted = {value for s, _t, value, top in w.seen if s.startswith("Step 3") and top == BATCHES}
    assert len(counted) >= 2  # moved while the window was up
    # the UI thread ran all along: ticks all through the update, never one long gap
    during = [t for t in w.ticks if t <= started + took]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    assert len(during) >= 10 and max(gaps) < took / 3, (len(during), max(gaps), took)
    # and the window is gone, the database at the newest schema with every snapshot
    assert w.dialog() is None
    assert stored_revision(old_db) == head_revision()
    assert snapshots(old_db) == BATCHES
    assert [b.reason for b in list_backups(old_db)] == [f"before-upgrade-to-{head_revision()}"]
    assert opened.is_empty_workshop() is False
    opened.close()


def test_a_failed_update_is_a_message_and_leaves_the_database_as_it_was(
    qapp: Any, old_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smallbatch_desktop.services.snapshots as snaps

    real_take = snaps.take
    calls = [0]

    def failing_take(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 700:
            raise RuntimeError("a record this version cannot read")
        return real_take(*args, **kwargs)

    monkeypatch.setattr(snaps, "take", failing_take)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: pytest.fail(str(a)))
    with Watcher() as w:
        assert _open_or_explain(str(old_db), tmp_path / "log") is None
    assert calls[0] == 700
    assert any(s.startswith("Step 3 of 3") for s, *_ in w.seen)  # it had got that far
    assert w.dialog() is None
    [backup] = list_backups(old_db)
    assert len(shown) == 1
    message = " ".join(shown[0].split())
    assert f"The database {old_db} could not be updated for Smallbatch" in message
    assert "RuntimeError: a record this version cannot read" in message
    assert "Nothing was changed: it is as it was before the update" in message
    assert str(backup.path) in message and str(tmp_path / "log") in message
    # nothing of the update was kept
    assert stored_revision(old_db) == OLD
    assert snapshots(old_db) == 0
    # and once the cause is gone, the next start updates it
    monkeypatch.setattr(snaps, "take", real_take)
    no_message(monkeypatch)
    opened = _open_or_explain(str(old_db), tmp_path / "log")
    assert opened is not None
    assert stored_revision(old_db) == head_revision() and snapshots(old_db) == BATCHES
    opened.close()


def test_stopping_the_update_leaves_the_database_as_it_was(
    qapp: Any, qtbot: Any, old_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt

    clicked: list[str] = []

    def stop_in_step_3(dialog: Any, seen: tuple[str, str, int, int]) -> None:
        if not clicked and seen[0].startswith("Step 3") and seen[2] > 0:
            button = dialog.findChild(QPushButton, "upgradeStop")
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            clicked.append(dialog.findChild(QLabel, "upgradeStep").text())

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: shown.append(text))
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: pytest.fail(str(a)))
    with Watcher(stop_in_step_3) as w:
        assert _open_or_explain(str(old_db), tmp_path / "log") is None
    assert clicked == ["Stopping: the database is put back as it was…"]
    assert w.dialog() is None
    assert len(shown) == 1 and "was stopped: it is as it was before" in shown[0]
    assert stored_revision(old_db) == OLD
    assert snapshots(old_db) == 0
