"""Shared by the tests where several workstations (processes) use one database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

PG_URL = os.environ.get("SMALLBATCH_TEST_PG_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The shared database, on SQLite and on PostgreSQL (skipped without a server; its
    schema is emptied before and after)."""
    if request.param == "sqlite":
        yield str(tmp_path / "shared.sqlite")
        return
    if not PG_URL:
        pytest.skip("SMALLBATCH_TEST_PG_URL not set (no PostgreSQL server)")
    from smallbatch_desktop.db.engine import make_engine

    engine = make_engine(PG_URL)

    def clean() -> None:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))

    clean()
    try:
        yield PG_URL
    finally:
        clean()
        engine.dispose()
