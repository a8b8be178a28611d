"""Engines and sessions: SQLite for one workbench, PostgreSQL for several.

SQLite is set up for a desktop: WAL journal (readers never block the writer), foreign
keys on, ``synchronous=NORMAL`` (in WAL mode a power cut can lose the last committed
transaction but never corrupts the file; a workshop PC without a UPS is the case we
plan for, and FULL would double the fsyncs on every click of Save), and a busy timeout
so a second window or the CLI waits instead of failing.

Units of work and locks (several workstations may share one database):

- ``session_factory.begin()`` is a *write* unit of work.  On SQLite it starts with
  ``BEGIN IMMEDIATE``: the write lock is taken before the first read, so what a service
  checks (stock on hand, pieces left, the next label number) cannot change before it
  writes; a second writer waits (busy timeout) instead of failing half-way.  On
  PostgreSQL the services lock the rows they check (``SELECT ... FOR UPDATE``, see
  ``services.common.lock``), which waits for the other transaction and then reads its
  result.
- ``session_factory.trial()`` is a write unit of work that is always rolled back (an
  import's preview, which writes its rows to check them).  It holds the write lock in
  short spells: a long preview gives way to the other workstations between rows
  (``TrialSpells``), so a big file checked on one PC never makes another one "busy".
- ``session_factory()`` is a *read* session: a plain (deferred) ``BEGIN`` on SQLite, so
  readers never wait for a writer in WAL mode and take no lock.
- pysqlite's own transaction handling is switched off (``isolation_level = None``) and
  the ``begin`` event emits the ``BEGIN`` itself: left to the driver, SELECTs run
  outside any transaction (a stock check could read one state and the INSERT land on
  another) and DDL commits early.  This is SQLAlchemy's documented recipe for pysqlite;
  it also makes SAVEPOINT (``Session.begin_nested``) and migrations transactional.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.db import guards
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


#: Connection execution option: this connection runs a write unit of work.
WRITE = "smallbatch_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # the driver emits no BEGIN of its own: _sqlite_begin does (see the module docstring)
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-32000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """BEGIN IMMEDIATE for a write unit of work, a deferred BEGIN for reads."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


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
    guards.install(engine)  # the database's own refusals become UserErrors
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                assert raw is not None
                raw.execute("PRAGMA journal_mode=WAL")  # outside a transaction, as WAL needs
    return engine


#: ``session.info`` key: the running trial's ``TrialSpells.breathe`` (services call it
#: between rows through ``services.common.let_others_in``)
BREATHE = "smallbatch_breathe"
#: ``session.info`` key: the PostgreSQL advisory lock keys a trial's unit of work holds
#: (``services.common.lock_order_numbers``...); a breath gives them up with the rest of
#: the transaction, so it takes them again before the next row
XACT_LOCKS = "smallbatch_xact_locks"


def _pg_xact_lock(session: Session, key: int) -> None:
    session.execute(sql_text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def xact_lock(session: Session, key: int) -> None:
    """PostgreSQL: take the transaction-scoped advisory lock ``key`` (SQLite's write lock
    already serialises writers).  Inside a preview (``SessionFactory.trial``) the key is
    remembered, so that the lock is taken again after the preview gives way to others."""
    if session.get_bind().dialect.name != "postgresql":
        return
    _pg_xact_lock(session, key)
    if BREATHE in session.info:
        session.info.setdefault(XACT_LOCKS, set()).add(key)


#: a trial holds the write lock at most this long at a time (seconds) ...
TRIAL_SPELL_S = 1.0
#: ... then leaves it free this long on SQLite, where a writer waiting for the lock polls
#: for it (every 100 ms at most once it has waited a while); PostgreSQL queues lock
#: waiters, so the waiting workstation has its turn at once there
TRIAL_GAP_SQLITE_S = 0.15


class TrialSpells:
    """A trial's write lock in spells: ``breathe()`` at a row boundary rolls back what
    the rows wrote so far (only written to check them), when the lock has been held for
    ``spell`` seconds, leaves the database to the other workstations for ``gap`` seconds
    and takes the lock again.  Returns True when it did: the rows written so far are
    gone and the caller forgets what it read or cached of them."""

    def __init__(self, session: Session, *, spell: float, gap: float) -> None:
        self.session = session
        self.spell = spell
        self.gap = gap
        self.breaths = 0
        self._since = time.monotonic()

    def breathe(self) -> bool:
        if time.monotonic() - self._since < self.spell:
            return False
        self.session.rollback()
        if self.gap > 0:
            time.sleep(self.gap)
        self.session.begin()
        self.session.connection(execution_options={WRITE: True})
        # the rows after the breath are checked under the same locks as those before it
        # (without the order-number lock, a preview's new customer and a workstation's
        # import of the same export waited for each other: a deadlock)
        for key in sorted(self.session.info.get(XACT_LOCKS, ())):
            _pg_xact_lock(self.session, key)
        self._since = time.monotonic()
        self.breaths += 1
        return True


class SessionFactory(sessionmaker[Session]):
    """``factory()``: a read session; ``factory.begin()``: a write unit of work that
    commits at the end (``BEGIN IMMEDIATE`` on SQLite: see the module docstring)."""

    @contextmanager
    def begin(self) -> Iterator[Session]:
        with self() as session, session.begin():
            # the connection, with the write option, is taken before anything is read
            session.connection(execution_options={WRITE: True})
            yield session

    @contextmanager
    def trial(self, *, spell: float = TRIAL_SPELL_S) -> Iterator[Session]:
        """A write unit of work that is always rolled back: a preview that writes to
        check (an import's rows) and must never keep what it wrote.

        It takes the write lock as ``begin()`` does. A read session would not do on
        SQLite: its first write must upgrade a read snapshot, which fails at once
        ("database is locked") when another workstation has written since it began.
        A long preview does not keep the lock: between rows it gives way every
        ``spell`` seconds (``TrialSpells``; ``session.info[BREATHE]``)."""
        with self() as session:
            session.begin()
            try:
                conn = session.connection(execution_options={WRITE: True})
                gap = TRIAL_GAP_SQLITE_S if conn.dialect.name == "sqlite" else 0.0
                spells = TrialSpells(session, spell=spell, gap=gap)
                session.info[BREATHE] = spells.breathe
                yield session
            finally:
                session.info.pop(BREATHE, None)
                session.info.pop(XACT_LOCKS, None)
                session.rollback()


#: PostgreSQL SQLSTATEs after which the server has rolled the transaction back and the
#: whole unit of work may simply run again: serialization_failure, deadlock_detected
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
#: how many times a unit of work runs before the failure is shown ("busy, try again")
WRITE_ATTEMPTS = 4

T = TypeVar("T")


def is_retryable(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) is a deadlock or serialization failure."""
    from smallbatch_desktop.db.faults import causes

    return any(
        getattr(e, "sqlstate", None) in RETRYABLE_SQLSTATES
        or getattr(e, "pgcode", None) in RETRYABLE_SQLSTATES
        for e in causes(exc)
    )


def run_write(
    factory: Any,
    fn: Callable[[Session], T],
    *,
    attempts: int = WRITE_ATTEMPTS,
    pause: Callable[[float], None] = time.sleep,
) -> T:
    """``fn`` in a write unit of work (``factory.begin()``), committed; returns its result.

    Short locks are waited out where they happen: SQLite's busy timeout holds
    ``BEGIN IMMEDIATE`` until the other writer commits (5 s), and on PostgreSQL a row
    lock waits for the other transaction.  What the server breaks off instead -- a
    deadlock between two workstations locking rows in another order, a serialization
    failure -- rolled everything back, so the whole unit of work runs again, up to
    ``attempts`` times with a short random pause (the two then stop colliding); after
    that the error goes up and ``db.faults`` words it ("busy: try again").  ``fn`` must
    therefore do nothing outside the database that cannot be done twice."""
    for attempt in range(1, attempts + 1):
        try:
            with factory.begin() as session:
                return fn(session)
        except Exception as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            log.info("unit of work broken off (%s); running it again (%d)", exc, attempt)
            pause(random.uniform(0.02, 0.1) * attempt)
    raise AssertionError("unreachable")


def read_or_write(factory: Any, fn: Callable[[Session], T], *, write: bool) -> T:
    """``fn`` in a write unit of work (``run_write``) when it writes, else in a read
    session that takes no lock (a report runs while another workstation saves)."""
    if write:
        return run_write(factory, fn)
    with factory() as session:
        return fn(session)


def make_session_factory(engine: Engine) -> SessionFactory:
    # expire_on_commit=False: views keep plain data read inside the unit of work.
    return SessionFactory(bind=engine, expire_on_commit=False)


def open_database(
    db: str | Path, *, migrate: bool = True, progress: Callable[[Any], None] | None = None
) -> tuple[Engine, SessionFactory]:
    """Engine + session factory, with the schema upgraded to head (``progress``: see
    ``db.migrate.upgrade_to_head``)."""
    engine = make_engine(db)
    if migrate:
        from smallbatch_desktop.db.migrate import upgrade_to_head

        try:
            upgrade_to_head(engine, progress=progress)
        except BaseException:
            engine.dispose()
            raise
    return engine, make_session_factory(engine)
