"""Engines and sessions: SQLite for one workbench, PostgreSQL for several.

SQLite is set up for a desktop: WAL journal (readers never block the writer), foreign
keys on, ``synchronous=NORMAL`` (in WAL mode a power cut can lose the last committed
transaction but never corrupts the file; a workshop PC without a UPS is the case we
plan for, and FULL would double the fsyncs on every click of Save), and a busy timeout
so a second window or the CLI waits instead of failing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.domain.errors import ValidationError

log = logging.getLogger(__name__)

PG_CONNECT_TIMEOUT_S = 8


def database_url(db: str | Path) -> str:
    """A file path or an SQLAlchemy URL -> URL string."""
    text = str(db).strip()
    if not text:
        raise ValidationError("--db: give a file path or a database URL", field="db")
    if "://" in text:
        try:
            make_url(text)
        except Exception as exc:  # ArgumentError
            raise ValidationError(
                f"--db: {text!r} is not a database URL ({exc})", field="db"
            ) from None
        return text
    path = Path(text).expanduser()
    if path.exists() and path.is_dir():
        raise ValidationError(f"--db: {path} is a folder, not a database file", field="db")
    if not path.parent.exists():
        raise ValidationError(f"--db: folder {path.parent} does not exist", field="db")
    return f"sqlite:///{path.resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-32000")
    cur.close()


def make_engine(db: str | Path, *, echo: bool = False) -> Engine:
    url = database_url(db)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    is_sqlite = url.startswith("sqlite")
    if is_sqlite:
        kwargs["connect_args"] = {"timeout": 5}
    elif url.startswith("postgresql") and "connect_timeout" not in url:
        # a server that is off or unreachable answers in seconds, not the OS's minutes
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: views keep plain data read inside the unit of work.
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def open_database(db: str | Path, *, migrate: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    """Engine + session factory, with the schema upgraded to head."""
    engine = make_engine(db)
    if migrate:
        from smallbatch_desktop.db.migrate import upgrade_to_head

        upgrade_to_head(engine)
    return engine, make_session_factory(engine)
