"""An upgrade is all or nothing: a real process killed with SIGKILL in the middle of any
migration leaves the database exactly as it was before the upgrade, and the next open
upgrades it.  (Before, each CREATE ran outside any transaction: a kill in migration 0002
left "index ... already exists" for every later start.)

The kill points are exact, not timed: the child counts the statements the upgrade runs
and kills itself with SIGKILL right after statement k, for k at the first, middle and
last statement of every migration and at its version stamp."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from smallbatch_desktop.db.engine import make_engine, open_database
from smallbatch_desktop.db.migrate import alembic_config, head_revision, include_name
from smallbatch_desktop.domain.models import Base

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from sqlalchemy import event
    from smallbatch_desktop.db import migrate
    from smallbatch_desktop.db.engine import make_engine

    path, kill_after = sys.argv[1], int(sys.argv[2])
    made = migrate._transactional_sqlite
    seen = []

    def counting(engine):
        runner = made(engine)

        @event.listens_for(runner, "after_cursor_execute")
        def after(conn, cursor, statement, params, context, executemany):
            seen.append(statement)
            if len(seen) == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

        return runner

    migrate._transactional_sqlite = counting
    migrate.upgrade_to_head(make_engine(path))
    for s in seen:
        print(" ".join(s.split())[:80])
    """
)


def upgrade_in_child(path: Path, kill_after: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(kill_after)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def revisions() -> list[str]:
    """Oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def schema_of(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str]]]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        objects = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
        ).fetchall()
        version = (
            conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if ("table", "alembic_version") in objects
            else []
        )
    return objects, version


def at_revision(path: Path, revision: str | None) -> Path:
    """A database file at ``revision`` (None: a new empty file), with a batch of data
    from 0001 on so the upgrade has rows to carry."""
    engine = make_engine(path)
    if revision is not None:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.exec_driver_sql("INSERT INTO settings(key, value) VALUES ('business_name', 'x')")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA user_version")  # the file exists, empty
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def kill_points(statements: list[str]) -> list[int]:
    """1-based statement numbers: first, middle and last DDL of every migration and its
    version stamp (the statement that ends it)."""
    points: set[int] = set()
    start = 0
    for i, s in enumerate(statements):
        if "alembic_version" in s and s.startswith(("INSERT", "UPDATE")):
            ddl = [
                j
                for j in range(start, i)
                if statements[j].startswith(("CREATE", "ALTER", "DROP"))
                and "alembic_version" not in statements[j]
            ]
            if ddl:
                points |= {ddl[0] + 1, ddl[len(ddl) // 2] + 1, ddl[-1] + 1}
            points.add(i + 1)
            start = i + 1
    return sorted(points)


@pytest.mark.parametrize("start", [None, *revisions()[:-1]], ids=lambda r: f"from-{r}")
def test_kill_9_during_every_migration_leaves_an_openable_database(
    start: str | None, tmp_path: Path
) -> None:
    template = at_revision(tmp_path / "template.sqlite", start)
    before = schema_of(template)

    # a full run, to learn the statements (and prove the child upgrades when not killed)
    dry = tmp_path / "dry.sqlite"
    shutil.copyfile(template, dry)
    done = upgrade_in_child(dry, kill_after=10**9)
    assert done.returncode == 0, done.stderr
    statements = done.stdout.splitlines()
    points = kill_points(statements)
    stamps = sum(
        1 for s in statements if "alembic_version" in s and s.startswith(("INSERT", "UPDATE"))
    )
    assert stamps == len(revisions()) - (revisions().index(start) + 1 if start else 0)

    for k in points:
        path = tmp_path / f"killed-{k}.sqlite"
        shutil.copyfile(template, path)
        r = upgrade_in_child(path, kill_after=k)
        assert r.returncode == -signal.SIGKILL, (k, r.returncode, r.stderr)
        # all or nothing: exactly the schema and version from before the upgrade
        assert schema_of(path) == before, f"killed after statement {k}: {statements[k - 1]}"
        # and the next open upgrades it to a schema equal to the models
        engine, _ = open_database(path)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            assert compare_metadata(ctx, Base.metadata) == []
            if start is not None:
                assert (
                    conn.exec_driver_sql(
                        "SELECT value FROM settings WHERE key='business_name'"
                    ).scalar()
                    == "x"
                )
        engine.dispose()
        os.remove(path)
