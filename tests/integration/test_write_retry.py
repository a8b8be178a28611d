"""Short locks are waited out, and what the server breaks off runs again.

SQLite: a second writer's ``BEGIN IMMEDIATE`` waits for the first (the busy timeout;
the CLI side is ``test_db_faults.test_a_short_lock_is_waited_out``).  PostgreSQL: a
deadlock between two workstations (rows locked in another order) or a serialization
failure rolls one transaction back; ``db.engine.run_write`` runs that whole unit of work
again, and only when it keeps failing is it the "busy, try again" message."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from smallbatch_desktop.db.engine import make_engine, make_session_factory, run_write
from smallbatch_desktop.db.faults import explain
from smallbatch_desktop.domain.errors import DatabaseLockedError, ValidationError

PG_URL = os.environ.get("SMALLBATCH_TEST_PG_URL")


class _Broken(Exception):
    """What psycopg raises: an error with a SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"broken off ({sqlstate})")
        self.sqlstate = sqlstate


class _Factory:
    """A session factory whose units of work only count."""

    def __init__(self) -> None:
        self.begun = 0

    def begin(self) -> Any:
        import contextlib

        self.begun += 1
        return contextlib.nullcontext(object())


def test_only_what_the_server_broke_off_runs_again() -> None:
    factory, pauses = _Factory(), []
    failures = iter([_Broken("40P01"), _Broken("40001")])

    def unit(_s: object) -> str:
        e = next(failures, None)
        if e is not None:
            raise e
        return "saved"

    assert run_write(factory, unit, pause=pauses.append) == "saved"
    assert factory.begun == 3 and len(pauses) == 2 and all(0 < p < 1 for p in pauses)
    # a refusal or a bug is not run again
    for exc in (ValidationError("copies: must be 1 to 5000", field="copies"), KeyError("x")):
        factory = _Factory()

        def refused(_s: object, exc: Exception = exc) -> None:
            raise exc

        with pytest.raises(type(exc)):
            run_write(factory, refused, pause=pauses.append)
        assert factory.begun == 1


def test_sqlite_waits_out_a_short_write_lock(tmp_path: Path) -> None:
    """Another process holds the write lock for a second: the unit of work waits (busy
    timeout) instead of failing, then writes."""
    import subprocess
    import sys

    from smallbatch_desktop.db.migrate import upgrade_to_head

    path = tmp_path / "shared.sqlite"
    engine = make_engine(path)
    upgrade_to_head(engine)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(1.0)\n"
            "c.execute('COMMIT')",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        run_write(
            make_session_factory(engine),
            lambda s: s.execute(text("INSERT INTO settings(key, value) VALUES ('k', '\"v\"')")),
        )
        waited = time.monotonic() - started
    finally:
        holder.wait(10)
        engine.dispose()
    assert waited >= 0.5
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM settings WHERE key = 'k'").fetchone() == ('"v"',)


@pytest.fixture
def pg() -> Iterator[Any]:
    if not PG_URL:
        pytest.skip("SMALLBATCH_TEST_PG_URL not set (no PostgreSQL server)")
    engine = make_engine(PG_URL)

    def wipe() -> None:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))

    wipe()
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (k text PRIMARY KEY, v text)"))
        conn.execute(text("INSERT INTO probe VALUES ('a', ''), ('b', '')"))
    yield engine
    wipe()
    engine.dispose()


def _deadlock(engine: Any, *, attempts: int) -> tuple[list[int], BaseException | None]:
    """This workstation locks b then a; another locks a then b, at the same time.  The
    server breaks the deadlock by rolling one back: this one (its deadlock_timeout is
    the shorter, so it looks first).  Returns the attempts made and what was raised."""
    tried: list[int] = []
    b_locked, a_locked = threading.Event(), threading.Event()

    def other_workstation() -> None:
        with engine.connect() as c, c.begin():
            c.execute(text("SET LOCAL deadlock_timeout = '10s'"))
            if b_locked.wait(10):
                c.execute(text("SELECT 1 FROM probe WHERE k = 'a' FOR UPDATE"))
                a_locked.set()
                c.execute(text("UPDATE probe SET v = 'other' WHERE k = 'b'"))

    def unit(s: Any) -> None:
        tried.append(len(tried) + 1)
        s.execute(text("SET LOCAL deadlock_timeout = '300ms'"))
        s.execute(text("SELECT 1 FROM probe WHERE k = 'b' FOR UPDATE"))
        if len(tried) == 1:
            b_locked.set()
            assert a_locked.wait(10)
        s.execute(text("UPDATE probe SET v = 'mine' WHERE k = 'a'"))
        s.execute(text("UPDATE probe SET v = 'mine' WHERE k = 'b'"))

    other = threading.Thread(target=other_workstation)
    other.start()
    raised = None
    try:
        run_write(make_session_factory(engine), unit, attempts=attempts)
    except Exception as exc:
        raised = exc
    other.join(30)
    return tried, raised


def test_a_deadlock_on_postgresql_runs_the_unit_of_work_again(pg: Any) -> None:
    tried, raised = _deadlock(pg, attempts=4)
    assert raised is None and tried == [1, 2]
    with pg.connect() as c:
        rows = dict(c.execute(text("SELECT k, v FROM probe")).all())
    assert rows == {"a": "mine", "b": "mine"}  # the other's save, then ours in full


def test_a_deadlock_that_keeps_happening_is_the_busy_message(pg: Any) -> None:
    tried, raised = _deadlock(pg, attempts=1)
    assert tried == [1] and raised is not None
    fault = explain(raised)
    assert isinstance(fault, DatabaseLockedError)
    assert "another workstation" in fault.message and "try again" in fault.message
