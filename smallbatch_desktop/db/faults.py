"""Driver errors -> a ``DatabaseFault`` a maker can act on.

SQLite and PostgreSQL report a locked database, a full disk, a read-only or damaged
file and an unreachable server as driver exceptions (often wrapped by SQLAlchemy).
``explain`` walks an exception and its causes and returns the matching
``DatabaseFault`` with a message that says what happened and what to do, or None when
the error is not one of these (then it is a bug and is reported as one).

The standard library only: the CLI calls this on its error path without importing
SQLAlchemy or psycopg (it reads their exceptions' attributes, not their types).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from smallbatch_desktop.domain.errors import (
    CorruptDatabaseError,
    DatabaseFault,
    DatabaseLockedError,
    DiskFullError,
    ReadOnlyDatabaseError,
    ServerUnreachableError,
)

# SQLite primary result codes (https://sqlite.org/rescode.html)
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

LOCKED = (
    "The database is busy: another workstation (or another Smallbatch window) is saving. "
    "Nothing was saved here; try again in a moment."
)

# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_DISK_FULL = {"53100"}
_PG_READ_ONLY = {"25006"}
# lock_not_available, query_canceled (lock_timeout), and what is left of a deadlock or
# a serialization failure once the unit of work ran again and again (engine.run_write)
_PG_LOCKED = {"55P03", "57014", "40001", "40P01"}
_PG_LOGIN = {"28000", "28P01", "3D000"}  # bad authorization, bad password, no database
_PG_GONE = {"57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"}

_PG_TARGET = re.compile(r'(?:server at|to server at|host) "?([^",]+)"?(?:[^,]*?),? port (\d+)')


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver exception SQLAlchemy wrapped (``.orig``), and the chain of
    ``__cause__``/``__context__``, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]


def explain(exc: BaseException, *, where: str = "") -> DatabaseFault | None:
    """The ``DatabaseFault`` behind ``exc``, or None.  ``where`` names the database
    (a file path or a URL without password) for the message."""
    for e in causes(exc):
        if isinstance(e, DatabaseFault):
            return e
        if isinstance(e, sqlite3.Error):
            fault = _sqlite_fault(e, where)
            if fault is not None:
                return fault
        elif _is_psycopg(e):
            fault = _pg_fault(e, where)
            if fault is not None:
                return fault
    return None


def _sqlite_fault(e: sqlite3.Error, where: str) -> DatabaseFault | None:
    code = getattr(e, "sqlite_errorcode", None)
    text = str(e)
    primary = code & 0xFF if isinstance(code, int) else None
    the_db = f"The database {where}" if where else "The database"
    if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
        return DatabaseLockedError(LOCKED)
    full = DiskFullError(
        f"The disk that holds the database{' ' + where if where else ''} is full: "
        "nothing was saved. Free some space on it (or move the data folder) and try again."
    )
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return full
    if primary == SQLITE_READONLY or "readonly database" in text:
        return ReadOnlyDatabaseError(
            f"{the_db} is read-only (the file or its folder cannot be written): nothing was "
            "saved. Check its permissions, or copy it to a folder you can write to."
        )
    if primary == SQLITE_CANTOPEN or "unable to open database file" in text:
        return ReadOnlyDatabaseError(
            f"{the_db} cannot be opened: its folder is missing or cannot be written "
            "(SQLite keeps its journal files beside the database). Check the folder's "
            "permissions, or copy the file to a folder you can write to."
        )
    if primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text:
        return corrupt(text, where, not_a_database=primary == SQLITE_NOTADB)
    if primary == SQLITE_IOERR:
        if _disk_nearly_full(where):  # a full disk often shows as an I/O error
            return full
        return DiskFullError(
            f"{the_db} could not be read or written ({text}): the disk may be full, "
            "unplugged or failing. Nothing was saved; check the disk and try again."
        )
    return None


def corrupt(detail: str, where: str, *, not_a_database: bool = False) -> CorruptDatabaseError:
    """The damaged (or foreign) file ``where``: what SQLite said and how to restore."""
    the_db = f"The database {where}" if where else "The database"
    what = "is not a Smallbatch database" if not_a_database else "is damaged"
    return CorruptDatabaseError(
        f"{the_db} {what} ({detail}). Restore the last backup: File > Restore in the "
        "app, or `smallbatch restore FILE` (backups are in the data folder's backups).",
        path=where or None,
    )


def _disk_nearly_full(where: str) -> bool:
    """True when the folder of the database file ``where`` has almost no room left."""
    if not where or "://" in where:
        return False
    try:
        return shutil.disk_usage(Path(where).expanduser().parent).free < 1_000_000
    except OSError:
        return False


def _is_psycopg(e: BaseException) -> bool:
    return type(e).__module__.split(".")[0] in ("psycopg", "psycopg2")


def _pg_fault(e: BaseException, where: str) -> DatabaseFault | None:
    state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    server = _pg_server(str(e)) or where or "the database server"
    if state in _PG_DISK_FULL:
        return DiskFullError(
            f"The database server's disk is full ({server}): nothing was saved. "
            "Ask whoever looks after the server to free some space."
        )
    if state in _PG_READ_ONLY:
        return ReadOnlyDatabaseError(
            f"The database server {server} accepts only reading just now (a standby or "
            "read-only server): nothing was saved. Point this workstation at the main server."
        )
    if state in _PG_LOCKED:
        return DatabaseLockedError(LOCKED)
    answered = state is None and "FATAL:" in str(e)  # the server answered, and said no
    if state in _PG_LOGIN or answered:
        return ServerUnreachableError(
            f"The database server {server} refused this workstation "
            f"({_fatal(str(e)) if answered else text}). Check the "
            "user name, password and database name in the connection (Settings > Shared "
            "database)."
        )
    if state in _PG_GONE or (
        state is None
        and type(e).__name__ == "OperationalError"
        and any(
            w in text.lower()
            for w in ("connection", "could not connect", "timeout", "server closed")
        )
    ):
        return ServerUnreachableError(
            f"Cannot reach the database server {server} ({text}). Check that the server "
            "is running and that this workstation is on its network, then try again."
        )
    return None


def _fatal(text: str) -> str:
    """The server's own reason, from 'FATAL:  database "x" does not exist'."""
    return " ".join(text.split("FATAL:", 1)[1].split()).rstrip(".") if "FATAL:" in text else text


def _pg_server(text: str) -> str:
    m = _PG_TARGET.search(text)
    return f"{m.group(1)}:{m.group(2)}" if m else ""
