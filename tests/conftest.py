"""Shared fixtures. Qt runs offscreen; every test gets its own migrated SQLite file."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import smallbatch_desktop.ui  # noqa: F401  (the PySide6 6.12 refcount guard, first)
from smallbatch_desktop.db.engine import make_engine, make_session_factory


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the developer's real data folder, database or PostgreSQL password file."""
    monkeypatch.setenv("SMALLBATCH_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("PGPASSFILE", str(tmp_path_factory.mktemp("pg") / "pgpass"))
    monkeypatch.delenv("SMALLBATCH_DB", raising=False)


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from smallbatch_desktop.db.migrate import upgrade_to_head

    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(path)
    upgrade_to_head(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def db_path(_template_db: Path, tmp_path: Path) -> Path:
    """A fresh, migrated, empty database file."""
    path = tmp_path / "smallbatch.sqlite"
    shutil.copyfile(_template_db, path)
    return path


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    eng = make_engine(db_path)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work; the test commits when it needs to."""
    with session_factory() as s:
        yield s
