"""Settings > Shared database (per machine, tested in the background, used from the next
start) and what the app does when the database it starts on cannot be opened."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QWidget

from smallbatch_desktop.app import SHARED_DB_KEY, _open_or_explain, configured_database
from smallbatch_desktop.db.backup import list_backups, take_backup
from smallbatch_desktop.ui.testing import child


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ok(dialog: Any) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _test_connection(qtbot: Any, dialog: Any, url: str) -> str:
    field = child(dialog, QWidget, "sharedDbUrl")
    field.clear()
    qtbot.keyClicks(field, url)
    status = child(dialog, QLabel, "connectionStatus")
    button = child(dialog, QWidget, "testConnection")
    qtbot.mouseClick(button, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: button.isEnabled() and status.text() != "Connecting…", timeout=20000)
    return status.text()


def test_test_connection_to_a_server_that_does_not_answer(
    qtbot: Any, window: Any, qsettings: QSettings
) -> None:
    pytest.importorskip("psycopg")
    port = closed_port()
    dialog = window.open_settings()
    text = _test_connection(
        qtbot, dialog, f"postgresql+psycopg://maker:secret@127.0.0.1:{port}/smallbatch"
    )
    assert text.startswith(f"Cannot reach the database server 127.0.0.1:{port}")
    assert "secret" not in text
    assert window.isVisible() and dialog.isVisible()
    dialog.reject()
    assert qsettings.value(SHARED_DB_KEY, "") == ""  # cancelled: nothing stored


def test_test_connection_to_a_database_file_url(qtbot: Any, window: Any, db_path: Path) -> None:
    dialog = window.open_settings()
    text = _test_connection(qtbot, dialog, f"sqlite:///{db_path}")
    assert text.startswith("Connected to sqlite") and "up to date" in text
    dialog.reject()


@pytest.mark.skipif(not os.environ.get("SMALLBATCH_TEST_PG_URL"), reason="no test server")
def test_test_connection_to_the_postgres_server(qtbot: Any, window: Any) -> None:
    dialog = window.open_settings()
    text = _test_connection(qtbot, dialog, os.environ["SMALLBATCH_TEST_PG_URL"])
    assert text.startswith("Connected to PostgreSQL")
    dialog.reject()


def test_a_shared_database_is_stored_per_machine_and_used_from_the_next_start(
    qtbot: Any, window: Any, qsettings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+psycopg://maker:secret@workshop-server/smallbatch"
    dialog = window.open_settings()
    child(dialog, QWidget, "businessName").setText("Hearth & Hive")
    field = child(dialog, QWidget, "sharedDbUrl")
    qtbot.keyClicks(field, "workshop-server")
    _ok(dialog)  # not a URL: refused, named, nothing stored
    assert dialog.isVisible()
    assert child(dialog, QLabel, "sharedDbError").text().startswith("Shared database:")
    assert qsettings.value(SHARED_DB_KEY, "") == ""
    field.clear()
    qtbot.keyClicks(field, url)
    with qtbot.waitSignal(dialog.accepted):
        _ok(dialog)
    assert qsettings.value(SHARED_DB_KEY) == url
    notice = window.findChild(QMessageBox, "restartNotice")
    assert notice is not None and "next time it starts" in notice.text()
    assert "secret" not in notice.text()
    notice.close()
    # the next start opens it, unless SMALLBATCH_DB says otherwise
    monkeypatch.delenv("SMALLBATCH_DB", raising=False)
    assert configured_database(qsettings) == url
    monkeypatch.setenv("SMALLBATCH_DB", "/elsewhere/x.sqlite")
    assert configured_database(qsettings) == "/elsewhere/x.sqlite"


def test_no_shared_database_means_this_computers_own(qsettings: QSettings) -> None:
    own = Path(os.environ["SMALLBATCH_DATA_DIR"]) / "smallbatch.sqlite"
    assert configured_database(qsettings) == str(own)


# -- opening at start-up -----------------------------------------------------------------


def damage(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as f:  # the schema page, past the file header
        f.seek(page // 2)
        f.write(b"\xde\xad\xbe\xef" * (page // 8))


def test_a_damaged_database_at_start_is_offered_its_newest_backup(
    qapp: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    take_backup(db_path, reason="daily")
    damage(db_path)
    asked: list[str] = []

    def yes(_p: Any, _t: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: pytest.fail(str(a)))
    opened = _open_or_explain(str(db_path), tmp_path / "log")
    assert opened is not None
    assert "is damaged" in asked[0]
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert opened.is_empty_workshop()
    opened.close()
    assert [b.reason for b in list_backups(db_path)] == ["daily"]


def test_a_newer_database_at_start_is_a_message(
    qapp: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num='0099_future'")
        conn.commit()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: shown.append(text))
    assert _open_or_explain(str(db_path), tmp_path / "log") is None
    assert len(shown) == 1 and "made by a newer Smallbatch" in shown[0]
    assert "update this workstation" in shown[0]
