"""Alembic, driven from code: migrations ship inside the package.

Importing and configuring Alembic (and SQLAlchemy under it) costs more than half a
second, so start-up first asks ``is_at_head``, which reads the head revision id from
the migration files and the database's ``alembic_version`` with the standard library
only; Alembic is imported when there is something to migrate.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

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


def head_revision_from_files(versions: Path | None = None) -> str | None:
    """The head revision id, read from the migration files without importing Alembic.

    Returns None when the files cannot be read this way (a revision line it does not
    understand, a merge, several heads): the caller then asks Alembic."""
    folder = versions or MIGRATIONS / "versions"
    revs: dict[str, str | None] = {}
    for path in folder.glob("*.py"):
        found: dict[str, str | None] = {}
        for m in _REVISION_LINE.finditer(path.read_text("utf-8")):
            found.setdefault(m.group(1), m.group(2) or m.group(3))
        if not found.get("revision"):
            return None
        revs[str(found["revision"])] = found.get("down_revision")
    if not revs:
        return None
    downs = {d for d in revs.values() if d}
    heads = [r for r in revs if r not in downs]
    return heads[0] if len(heads) == 1 else None


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
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:  # no table yet, not a database, locked: let Alembic decide
        return False
    return [r[0] for r in rows] == [head]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    if current_revision(engine) == head_revision():
        return
    from alembic import command

    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
