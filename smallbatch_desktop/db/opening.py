"""Opening the database a command or the window works on, the fast way when it can.

``open_for_use`` is the one door: it refuses an empty target, refuses to create a
database for a command that only reads, opens an SQLite file already at the newest
schema without importing Alembic (``migrate.is_at_head`` reads the version with the
standard library; Alembic and its migration scripts cost about a third of a second),
and otherwise upgrades it -- after a backup, in one transaction -- the normal way.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from smallbatch_desktop.domain.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from smallbatch_desktop.db.migrate import UpgradeProgress
    from smallbatch_desktop.services.fast_reads import Reader


def describe(target: str | Path) -> str:
    """The database as a person reads it: a file path, or a URL without its password."""
    text = str(target).strip()
    if "://" in text:
        try:
            from sqlalchemy.engine import make_url

            return make_url(text).render_as_string(hide_password=True)
        except Exception:  # not a URL after all: database_url() will say so
            return text.split("@")[-1]
    return str(Path(text).expanduser())


def check_target(target: str | Path | None, *, create: bool) -> str:
    """``target`` checked before anything is opened.  An empty ``--db ""`` is refused
    (it used to fall back to the user's own database); with ``create=False`` an SQLite
    file that does not exist is refused instead of being created empty."""
    from smallbatch_desktop.db.migrate import sqlite_file

    if target is None or not str(target).strip():
        raise ValidationError(
            "--db: empty; give a database file or URL, or leave --db out to use your own database",
            field="db",
        )
    text = str(target).strip()
    path = sqlite_file(text)
    if path is not None and not create and not path.exists():
        raise NotFoundError(
            f"--db: there is no database at {path}; check the path, or create one with "
            "`smallbatch demo --db FILE`",
            field="db",
        )
    return text


#: a file found intact is not checked again for this long (a check reads every page: a
#: second or more at 100,000 batches); reads that meet damage still say so at once
CHECK_EVERY_S = 3600
_CHECKED_STAMP = ".quick-check-ok"


def check_intact(target: str | Path) -> None:
    """``PRAGMA quick_check`` of an existing SQLite file before a command writes to it:
    a damaged page or index (which the command's own reads may never touch) is a
    ``CorruptDatabaseError`` naming the file and ``smallbatch restore``, before anything
    is written on top of the damage.  Other databases and new files pass; a file found
    intact in the last ``CHECK_EVERY_S`` seconds is not read through again (a stamp in
    its backups folder says when)."""
    import sqlite3

    from smallbatch_desktop.db.backup import backup_folder, check_verdict
    from smallbatch_desktop.db.faults import corrupt, explain
    from smallbatch_desktop.db.migrate import sqlite_file
    from smallbatch_desktop.domain.errors import CorruptDatabaseError

    path = sqlite_file(str(target))
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return
    stamp = backup_folder(path) / _CHECKED_STAMP
    with contextlib.suppress(OSError):
        if time.time() - stamp.stat().st_mtime < CHECK_EVERY_S:
            return
    try:
        verdict = check_verdict(path)
    except sqlite3.Error as exc:
        fault = explain(exc, where=str(path))
        if isinstance(fault, CorruptDatabaseError):
            raise fault from None
        return  # locked, a full disk, unreadable: the command's own open says which
    if verdict != "ok":
        raise corrupt(verdict, str(path))
    with contextlib.suppress(OSError):  # a folder that cannot be written: check each time
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()


def open_for_use(
    target: str | Path,
    *,
    create: bool = True,
    check: bool = False,
    progress: Callable[[UpgradeProgress], None] | None = None,
) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory on ``target`` at the newest schema.

    ``create=False`` for read-only work: a missing SQLite file is a ``NotFoundError``
    rather than a new empty database.  ``check``: run ``check_intact`` first (commands
    that write).  ``progress``: told how an upgrade goes (``db.migrate``)."""
    from smallbatch_desktop.db.engine import make_engine, make_session_factory, open_database
    from smallbatch_desktop.db.migrate import is_at_head

    text = check_target(target, create=create)
    if check:
        check_intact(text)
    if is_at_head(text):
        engine = make_engine(text)
        return engine, make_session_factory(engine)
    return open_database(text, progress=progress)


def open_reader(target: str | Path) -> tuple[Reader, Callable[[], None]] | None:
    """For a command that only reads: ``(reader, close)``, a ``fast_reads`` reader over
    a read-only stdlib connection, when ``target`` is an SQLite file at the newest
    schema -- the window's fast path, with neither SQLAlchemy nor Alembic imported.
    None for anything else (a server, a file to upgrade): ``open_for_use`` then.  A
    missing file is a ``NotFoundError``, as for ``open_for_use(create=False)``."""
    from smallbatch_desktop.db.migrate import is_at_head, sqlite_file
    from smallbatch_desktop.services.fast_reads import open_sqlite_readonly, sqlite_reader

    text = check_target(target, create=False)
    path = sqlite_file(text)
    if path is None or not is_at_head(text):
        return None
    conn = open_sqlite_readonly(str(path))
    return sqlite_reader(conn), conn.close


def probe(target: str) -> str:
    """Connect to ``target`` and say what is there, in a sentence (Settings > Test
    connection).  Raises what the connection raised; ``db.faults.explain`` words it."""
    from smallbatch_desktop.db.engine import make_engine
    from smallbatch_desktop.db.migrate import (
        check_not_newer,
        current_revision_on,
        head_revision_from_files,
    )

    text = check_target(target, create=False)
    try:
        engine = make_engine(text)
    except ModuleNotFoundError as exc:
        raise ValidationError(
            f"the database driver is missing ({exc.name}): install Smallbatch with its "
            "PostgreSQL support (pip install 'psycopg[binary]')",
            field="shared database",
        ) from None
    try:
        with engine.connect() as conn:
            info = conn.dialect.server_version_info or ()
            revision = current_revision_on(conn)
    finally:
        engine.dispose()
    check_not_newer(revision, describe(text))
    name = "PostgreSQL" if engine.dialect.name == "postgresql" else engine.dialect.name
    version = ".".join(str(p) for p in info[:2])
    if revision is None:
        state = "empty: Smallbatch sets it up the first time it opens it"
    elif revision == head_revision_from_files():
        state = "ready (its schema is up to date)"
    else:
        state = f"at schema {revision}: Smallbatch upgrades it the first time it opens it"
    return f"Connected to {name} {version}".rstrip() + f"; the database is {state}."
