"""Alembic environment: uses the connection handed in by ``db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from smallbatch_desktop.db.migrate import include_name
from smallbatch_desktop.domain.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url") or "sqlite://"
        engine = config.attributes.get("engine") or create_engine(url)
        with engine.begin() as conn:
            _run(conn)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things
        compare_type=True,
        include_name=include_name,
        # db.migrate's progress: called after each migration step
        on_version_apply=config.attributes.get("on_version_apply", ()),
    )
    with context.begin_transaction():
        context.run_migrations()


run()
