"""File > Back up now and File > Restore, clicked in the real window; the start-up check
that finds a damaged page and offers the newest backup; database faults shown as a
message the maker can act on, with the app still open."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.db.backup import list_backups
from smallbatch_desktop.domain.errors import CorruptDatabaseError, DatabaseLockedError
from smallbatch_desktop.services.inventory import create_supplier
from smallbatch_desktop.ui.actions import MENUS, ActionId


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def integrity(path: Path) -> str:
    return rows(path, "PRAGMA integrity_check")[0][0]


def file_menu_ids() -> tuple[ActionId | None, ...]:
    return dict(MENUS)["&File"]


def test_back_up_and_restore_are_in_the_file_menu(window: Any) -> None:
    assert ActionId.BACKUP_NOW in file_menu_ids() and ActionId.RESTORE in file_menu_ids()
    menu = window.menuBar().findChild(type(window.menuBar().actions()[0].menu()), "menu_file")
    texts = [a.text().replace("&", "") for a in menu.actions()]
    assert "Back up now" in texts and "Restore…" in texts


def test_back_up_now_writes_a_checked_copy(
    window: Any, workshop: dict[str, int], db_path: Path
) -> None:
    window.actions_[ActionId.BACKUP_NOW].trigger()
    (backup,) = list_backups(db_path)
    assert backup.reason == "manual"
    assert integrity(backup.path) == "ok"
    assert rows(backup.path, "SELECT count(*) FROM batches") == rows(
        db_path, "SELECT count(*) FROM batches"
    )
    assert str(backup.path) in window.statusBar().currentMessage()


def test_restore_puts_the_backup_back_and_keeps_the_current_database(
    window: Any,
    workshop: dict[str, int],
    db_path: Path,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window.actions_[ActionId.BACKUP_NOW].trigger()
    (backup,) = list_backups(db_path)
    with session_factory.begin() as s:
        create_supplier(s, name="Late Supplier Ltd")  # made after the backup
    window.show_view("inventoryView")
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup.path), ""))

    def yes(_parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    restored: list[str] = []
    window.backup_actions.restored.connect(restored.append)
    window.actions_[ActionId.RESTORE].trigger()

    assert restored == [str(backup.path)]
    assert "batches" in asked[0] and str(db_path) in asked[0]  # it said what it would do
    # the live database is the backup again, whole
    assert integrity(db_path) == "ok"
    assert rows(db_path, "SELECT name FROM suppliers WHERE name='Late Supplier Ltd'") == []
    with session_factory() as s:  # the window's own connections see it too
        from smallbatch_desktop.domain.models import Supplier

        assert s.query(Supplier).filter_by(name="Late Supplier Ltd").count() == 0
    # what it replaced is kept, and holds the late supplier
    kept = [b for b in list_backups(db_path) if b.reason == "before-restore"]
    assert len(kept) == 1 and integrity(kept[0].path) == "ok"
    assert rows(kept[0].path, "SELECT count(*) FROM suppliers WHERE name='Late Supplier Ltd'") == [
        (1,)
    ]
    assert "Restored" in window.statusBar().currentMessage()


def test_restore_refuses_a_damaged_file_and_changes_nothing(
    window: Any, workshop: dict[str, int], db_path: Path, tmp_path: Path, monkeypatch
) -> None:
    junk = tmp_path / "holiday-photos.sqlite"
    junk.write_bytes(b"\x89PNG not a database" * 500)
    before = rows(db_path, "SELECT count(*) FROM batches")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(junk), ""))
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: pytest.fail("must not ask: the file is bad")
    )
    window.actions_[ActionId.RESTORE].trigger()
    assert isinstance(window.errors.last, CorruptDatabaseError)
    assert "holiday-photos.sqlite" in window.errors.last.message
    assert rows(db_path, "SELECT count(*) FROM batches") == before
    assert list_backups(db_path) == []


def test_restore_answered_no_changes_nothing(
    window: Any, workshop: dict[str, int], db_path: Path, session_factory, monkeypatch
) -> None:
    window.actions_[ActionId.BACKUP_NOW].trigger()
    (backup,) = list_backups(db_path)
    with session_factory.begin() as s:
        create_supplier(s, name="Stays Here Ltd")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup.path), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.actions_[ActionId.RESTORE].trigger()
    assert rows(db_path, "SELECT count(*) FROM suppliers WHERE name='Stays Here Ltd'") == [(1,)]


def damage(path: Path, table: str = "batches") -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()
    with open(path, "r+b") as f:
        f.seek((root[0] - 1) * page + 8)
        f.write(b"\xde\xad\xbe\xef" * 64)


def test_start_up_check_finds_a_damaged_page_and_restores_the_newest_backup(
    window: Any, workshop: dict[str, int], db_path: Path, monkeypatch
) -> None:
    window.actions_[ActionId.BACKUP_NOW].trigger()
    good = rows(db_path, "SELECT count(*) FROM batches")
    window.backup_actions.reopen()  # let go of the file before damaging it
    damage(db_path)
    asked: list[str] = []

    def yes(_parent: Any, _title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    verdicts: list[str] = []
    window.backup_actions.checked.connect(verdicts.append)
    window.backup_actions.check_on_start()
    assert verdicts and verdicts[0] != "ok"
    assert "is damaged" in asked[0] and "Restore the newest backup" in asked[0]
    assert integrity(db_path) == "ok"
    assert rows(db_path, "SELECT count(*) FROM batches") == good
    assert list(db_path.parent.glob("smallbatch.sqlite.damaged-*"))  # the damaged file kept


def test_start_up_check_takes_the_daily_backup_once(
    window: Any, workshop: dict[str, int], db_path: Path
) -> None:
    window.backup_actions.check_on_start()
    window.backup_actions.check_on_start()
    daily = [b for b in list_backups(db_path) if b.reason == "daily"]
    assert len(daily) == 1 and integrity(daily[0].path) == "ok"


def test_a_locked_database_is_a_message_and_the_app_stays_open(
    qtbot: Any, window: Any, db_path: Path
) -> None:
    """A real 'database is locked' from SQLite, raised through SQLAlchemy, reaches the
    reporter as a message (not the bug dialog)."""
    from sqlalchemy import create_engine

    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    eng = create_engine(f"sqlite:///{db_path}", connect_args={"timeout": 0.1})
    try:
        with eng.begin() as conn:
            conn.exec_driver_sql("INSERT INTO settings(key, value) VALUES ('x', 'y')")
    except Exception as exc:
        window.errors.show_dialogs = True
        window.errors.report(exc)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        eng.dispose()
    assert isinstance(window.errors.last, DatabaseLockedError)
    box = window.findChild(QMessageBox, "userErrorBox")
    assert box is not None and "another workstation" in box.text()
    box.close()
    assert window.isVisible()
