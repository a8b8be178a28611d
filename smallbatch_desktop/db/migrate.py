"""Alembic, driven from code: migrations ship inside the package.

Importing and configuring Alembic (and SQLAlchemy under it) costs more than half a
second, so start-up first asks ``is_at_head``, which reads the head revision id from
the migration files and the database's ``alembic_version`` with the standard library
only; Alembic is imported when there is something to migrate.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")

_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\b[^=\n]*=\s*(?:\"([^\"]*)\"|'([^']*)'|None)", re.M
)


#: schema objects the migrations make that are not models: the batch search index
#: (an FTS5 table and its shadow tables on SQLite, a pg_trgm index on PostgreSQL)
NOT_MODELS = ("batch_search", "ix_batches_lot_code_trgm")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: leave ``NOT_MODELS`` out of schema comparisons."""
    return not (name and name.startswith(NOT_MODELS))


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _revision_graph(versions: Path | None = None) -> dict[str, str | None] | None:
    """{revision: down_revision} read from the migration files without importing
    Alembic; None when a file cannot be read this way (the caller then asks Alembic)."""
    folder = versions or MIGRATIONS / "versions"
    revs: dict[str, str | None] = {}
    for path in folder.glob("*.py"):
        found: dict[str, str | None] = {}
        for m in _REVISION_LINE.finditer(path.read_text("utf-8")):
            found.setdefault(m.group(1), m.group(2) or m.group(3))
        if not found.get("revision"):
            return None
        revs[str(found["revision"])] = found.get("down_revision")
    return revs or None


def head_revision_from_files(versions: Path | None = None) -> str | None:
    """The head revision id, read from the migration files without importing Alembic.

    Returns None when the files cannot be read this way (a revision line it does not
    understand, a merge, several heads): the caller then asks Alembic."""
    revs = _revision_graph(versions)
    if revs is None:
        return None
    downs = {d for d in revs.values() if d}
    heads = [r for r in revs if r not in downs]
    return heads[0] if len(heads) == 1 else None


def known_revisions() -> set[str]:
    """Every revision id this version of Smallbatch ships."""
    revs = _revision_graph()
    if revs is not None:
        return set(revs)
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_not_newer(revision: str | None, where: str = "") -> None:
    """Refuse a database stamped with a revision this version does not know: a newer
    Smallbatch upgraded it, and this one would misread it (or try to 'upgrade' it)."""
    if revision is not None and revision not in known_revisions():
        from smallbatch_desktop import __version__
        from smallbatch_desktop.domain.errors import NewerSchemaError

        raise NewerSchemaError(
            f"The database{' ' + where if where else ''} was made by a newer Smallbatch "
            f"(its schema is {revision!r}; this is Smallbatch {__version__}): update this "
            "workstation to the newest version to open it."
        )


def sqlite_file(db: str | Path) -> Path | None:
    """The file behind a path or a ``sqlite:///`` URL; None for other databases and
    in-memory SQLite."""
    text = str(db).strip()
    if "://" in text:
        if not text.startswith("sqlite:///") or text in ("sqlite:///", "sqlite:///:memory:"):
            return None
        text = text[len("sqlite:///") :].split("?", 1)[0]
    if not text or text == ":memory:":
        return None
    return Path(text).expanduser()


def readonly_uri(path: str | Path) -> str:
    """``path`` as a read-only SQLite ``file:`` URI, its characters escaped: pasted in as
    it is, a folder named ``Jams #2`` or ``50%`` cuts the URI short (``#`` starts a
    fragment, ``%`` an escape) and the open fails or opens another file."""
    return Path(path).expanduser().absolute().as_uri() + "?mode=ro"


def stored_revision(path: Path) -> str | None:
    """The ``alembic_version`` of an SQLite file, read with ``sqlite3`` only (no file is
    created).  None for a file with no version table yet (new or empty).  Raises
    ``sqlite3.Error`` for a locked, damaged or unreadable file."""
    conn = sqlite3.connect(readonly_uri(path.resolve()), uri=True, timeout=5)
    try:
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has_table:
            return None
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        conn.close()
    return rows[0][0] if len(rows) == 1 else None


def is_at_head(db: str | Path) -> bool:
    """True when ``db`` is an existing SQLite file whose schema is at the newest
    migration -- decided with ``sqlite3`` and the migration files only, no Alembic, no
    SQLAlchemy.  False means "not known to be at head": migrate the normal way."""
    path = sqlite_file(db)
    if path is None or not path.is_file():
        return False
    head = head_revision_from_files()
    if head is None:
        return False
    try:
        return stored_revision(path) == head
    except sqlite3.Error:  # locked, not a database: let the normal open say why
        return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return current_revision_on(conn)


#: the stages of an upgrade, in order: the copy kept first, the schema, then the
#: released batch records' snapshots (migration 0007_snapshot_backfill)
BACKUP, SCHEMA, SNAPSHOTS = "backup", "schema", "snapshots"


@dataclass(frozen=True)
class UpgradeProgress:
    """Where an upgrade of an existing database is: ``done`` of ``total`` in ``stage``
    (pages copied for ``BACKUP``, migration steps for ``SCHEMA``, batches for
    ``SNAPSHOTS``).  ``upgrade_to_head`` hands these to its ``progress`` callback; the
    window and the command line word them with ``text``."""

    stage: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total > 0 else 0

    def text(self) -> str:
        if self.stage == BACKUP:
            return f"keeping a copy of the database first: {self.percent}% copied"
        if self.stage == SCHEMA:
            return f"updating its tables: {self.done} of {self.total} steps done"
        return (
            "keeping each released batch record as it reads today: "
            f"{self.done:,} of {self.total:,} batch records"
        )


Progress = Callable[[UpgradeProgress], None]


class UpgradeStopped(Exception):
    """Raised by a ``progress`` callback to stop an upgrade (the user cancelled it): the
    transaction is rolled back and the database stays as it was."""


class UpgradeFailedError(Exception):
    """An upgrade that failed for a reason not among the database faults (a bug, data
    a migration did not expect): nothing of it was kept.  ``str()`` says so in a
    sentence; ``__cause__`` is what failed."""


def upgrade_to_head(
    engine: Engine,
    *,
    backups: Path | None = None,
    backup_first: bool = True,
    progress: Progress | None = None,
) -> None:
    """Bring the schema to the newest revision, all or nothing.

    A database made by a newer Smallbatch is refused (``NewerSchemaError``).  Before an
    SQLite file that holds data is upgraded, a copy is taken with the online backup API
    (into ``backups``, default: the data folder's backups; ``backup_first=False`` when
    the caller holds a copy already).  The upgrade then runs in one
    transaction: on SQLite through ``_transactional_sqlite`` (pysqlite would otherwise
    run each CREATE outside any transaction, so a crash half-way left a half-made
    schema that the next start could not upgrade), on PostgreSQL as is (its DDL is
    transactional).

    ``progress`` is called with an ``UpgradeProgress`` as an existing database is
    upgraded (not when an empty one is created); it may raise to stop the upgrade,
    which then leaves the database as it was.  A failure that is not a database fault
    (``db.faults.explain``) nor a ``UserError`` is an ``UpgradeFailedError`` saying
    that nothing was changed and where the copy is."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    url = engine.url.render_as_string(hide_password=True)
    path = sqlite_file(url) if engine.dialect.name == "sqlite" else None
    where = str(path) if path is not None else url
    check_not_newer(current, where)
    from alembic import command

    tell = progress if progress is not None and current is not None else None
    copy: Path | None = None
    if path is not None and current is not None and backup_first:
        from smallbatch_desktop.db.backup import take_backup

        copy = take_backup(
            path,
            reason=f"before-upgrade-to-{head}",
            folder=backups,
            progress=None
            if tell is None
            else lambda done, total: tell(UpgradeProgress(BACKUP, done, total)),
        )
    runner = _transactional_sqlite(engine) if path is not None else engine
    try:
        with runner.begin() as conn:
            current = current_revision_on(conn)  # another workstation may have upgraded
            check_not_newer(current, where)
            if current == head:
                return
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            # data steps that read through the models run once the schema is at head
            # (the models are the head's), in the same transaction
            after_head: list[Any] = []
            cfg.attributes["after_head"] = after_head
            if tell is not None:
                steps = _steps_between(current, head)
                applied = [0]

                def step_done(**_kw: Any) -> None:
                    applied[0] += 1
                    tell(UpgradeProgress(SCHEMA, min(applied[0], steps), steps))

                tell(UpgradeProgress(SCHEMA, 0, steps))
                cfg.attributes["on_version_apply"] = [step_done]
                # the snapshot backfill (0007_snapshot_backfill) reports its batches
                cfg.attributes["snapshot_progress"] = lambda done, total: tell(
                    UpgradeProgress(SNAPSHOTS, done, total)
                )
            command.upgrade(cfg, "head")
            for step in after_head:
                step(conn)
    except Exception as exc:
        _reword_failure(exc, where, copy)
        raise
    finally:
        if runner is not engine:
            runner.dispose()
            # connections opened before the upgrade keep the old schema for PRAGMAs
            # (index_list...) until they are reopened
            engine.dispose()


def downgrade_to(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` in one transaction (developers, benchmarks
    and tests that need a database as an older version left it; the app never
    downgrades)."""
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _steps_between(current: str | None, head: str) -> int:
    """How many migrations take ``current`` to ``head`` (1 when it cannot be told)."""
    revs = _revision_graph() or {}
    n, rev = 0, head
    while rev != current and rev in revs:
        n, step_down = n + 1, revs[rev]
        if step_down is None:
            break
        rev = step_down
    return max(n, 1)


def _reword_failure(exc: Exception, where: str, copy: Path | None) -> None:
    """Raise ``UpgradeFailedError`` for a failure that is neither a ``UserError`` nor a
    database fault ``db.faults.explain`` words (those say what to do themselves)."""
    from smallbatch_desktop.db.faults import explain
    from smallbatch_desktop.domain.errors import UserError

    if isinstance(exc, UserError | UpgradeStopped) or explain(exc, where=where) is not None:
        return
    from smallbatch_desktop import __version__

    kept = f"; the copy taken before the update is {copy}" if copy is not None else ""
    raise UpgradeFailedError(
        f"The database {where} could not be updated for Smallbatch {__version__} "
        f"({type(exc).__name__}: {exc}). Nothing was changed: it is as it was before the "
        f"update{kept}."
    ) from exc


def current_revision_on(conn: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _transactional_sqlite(engine: Engine) -> Engine:
    """An engine on the same SQLite file whose ``begin()`` is a real ``BEGIN IMMEDIATE``
    that DDL runs inside: the driver's own transaction handling is switched off
    (``isolation_level = None``, autocommit) and the BEGIN is sent by us, the recipe in
    SQLAlchemy's pysqlite notes.  IMMEDIATE takes the write lock first, so two
    workstations starting at once upgrade one after the other."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    from smallbatch_desktop.db.engine import _sqlite_pragmas

    runner = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 5})

    @event.listens_for(runner, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None

    @event.listens_for(runner, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return runner
