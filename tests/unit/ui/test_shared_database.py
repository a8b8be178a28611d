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
    # the password went to the PostgreSQL password file, not to the settings
    bare = "postgresql+psycopg://maker@workshop-server/smallbatch"
    assert qsettings.value(SHARED_DB_KEY) == bare
    assert_kept_apart(qsettings, bare, "secret")
    notice = window.findChild(QMessageBox, "restartNotice")
    assert notice is not None and "next time it starts" in notice.text()
    assert "secret" not in notice.text()
    notice.close()
    # the next start opens it, unless SMALLBATCH_DB says otherwise
    monkeypatch.delenv("SMALLBATCH_DB", raising=False)
    assert configured_database(qsettings) == bare
    monkeypatch.setenv("SMALLBATCH_DB", "/elsewhere/x.sqlite")
    assert configured_database(qsettings) == "/elsewhere/x.sqlite"


def assert_kept_apart(qsettings: QSettings, url: str, password: str) -> None:
    """``password`` is in the PostgreSQL password file for ``url`` (mode 0600) and
    nowhere in this machine's settings."""
    from smallbatch_desktop.db.pgpass import password_file, stored_password

    assert stored_password(url) == password
    if os.name == "posix":
        assert password_file().stat().st_mode & 0o777 == 0o600
    qsettings.sync()
    assert password not in Path(qsettings.fileName()).read_text("utf-8", errors="replace")


def test_the_password_typed_apart_goes_to_the_password_file(
    qtbot: Any, window: Any, qsettings: QSettings
) -> None:
    from smallbatch_desktop.db.pgpass import password_file

    password_file().write_text("# mine\nother-host:5432:*:ann:kept\n")
    password_file().chmod(0o600)
    dialog = window.open_settings()
    child(dialog, QWidget, "businessName").setText("Hearth & Hive")
    qtbot.keyClicks(child(dialog, QWidget, "sharedDbUrl"), "postgresql+psycopg://ben@srv:6543/shop")
    field = child(dialog, QWidget, "sharedDbPassword")
    assert field.echoMode() == field.EchoMode.Password
    qtbot.keyClicks(field, "p:w\\d")  # a colon and a backslash, escaped in the file
    with qtbot.waitSignal(dialog.accepted):
        _ok(dialog)
    window.findChild(QMessageBox, "restartNotice").close()
    url = "postgresql+psycopg://ben@srv:6543/shop"
    assert qsettings.value(SHARED_DB_KEY) == url
    assert_kept_apart(qsettings, url, "p:w\\d")
    lines = password_file().read_text().splitlines()
    assert lines == ["# mine", "other-host:5432:*:ann:kept", "srv:6543:shop:ben:p\\:w\\\\d"]


def test_a_password_saved_in_the_settings_moves_out_once(
    qsettings: QSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """An older version kept the URL with its password in the settings: the next start
    moves the password to the password file and keeps the URL without it."""
    import logging

    from smallbatch_desktop.db.pgpass import password_file

    caplog.set_level(logging.DEBUG)
    qsettings.setValue(SHARED_DB_KEY, "postgresql+psycopg://maker:hunter2@srv/smallbatch")
    qsettings.sync()
    bare = "postgresql+psycopg://maker@srv/smallbatch"
    assert configured_database(qsettings) == bare
    assert qsettings.value(SHARED_DB_KEY) == bare
    assert_kept_apart(qsettings, bare, "hunter2")
    before = password_file().read_text()
    assert configured_database(qsettings) == bare  # once: nothing left to move
    assert password_file().read_text() == before
    assert "hunter2" not in caplog.text


@pytest.mark.skipif(not os.environ.get("SMALLBATCH_TEST_PG_URL"), reason="no test server")
def test_libpq_reads_the_password_from_the_file() -> None:
    """The driver finds the password in the file by itself (libpq fills it in before it
    connects, whatever the server's authentication asks for)."""
    from sqlalchemy.engine import make_url

    from smallbatch_desktop.db.engine import make_engine
    from smallbatch_desktop.db.pgpass import keep_password

    url = make_url(os.environ["SMALLBATCH_TEST_PG_URL"]).set(password="from-the-file")
    bare = keep_password(url.render_as_string(hide_password=False))
    assert make_url(bare).password is None
    engine = make_engine(bare)
    try:
        with engine.connect() as conn:
            assert conn.connection.driver_connection.info.password == "from-the-file"
    finally:
        engine.dispose()


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
