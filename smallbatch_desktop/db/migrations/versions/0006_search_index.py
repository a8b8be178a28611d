"""Batch search index and covering trace indexes.

The batch list's search box matches ``lot_code LIKE '%text%'`` (and the product's name
or code). A substring LIKE cannot use a B-tree index, so every keystroke scanned the
whole table: 150-300 ms at 1,000,000 batches. This revision adds an index that finds
the matching lot codes without a scan:

- SQLite: ``batch_search``, an FTS5 table with the trigram tokenizer, contentless (it
  stores only the index, not a copy of the codes), kept in step with ``batches`` by
  triggers (so bulk inserts, imports and other workstations' writes are covered).
  Two columns hold each lot code: ``code`` = ``lower(lot_code)`` serves texts of three
  characters or more (FTS5 trigram queries need three); ``code_hex`` =
  ``hex(lower(lot_code)) || 'Z'`` serves one and two characters (two hex digits per
  byte, so one character is a two-digit prefix followed by any one of 17 symbols, and
  two characters are four digits, a phrase). ``lower`` is SQLite's, which folds ASCII
  only -- exactly the case LIKE ignores -- so a candidate from the index, checked again
  with LIKE, gives the same rows as the plain LIKE search (``services.fast_reads``).
  When the SQLite library has no FTS5 (or no trigram tokenizer, before 3.34) the table
  is not made and the search keeps scanning.
- PostgreSQL: a ``pg_trgm`` GIN index on ``batches.lot_code``, which ILIKE uses directly
  (when the extension is available; without it the search scans).

The forward trace walks ``consumptions`` by lot and by input batch; its two indexes now
also hold the quantity and unit, so the walk reads only the indexes (covering), never
the table rows.

Revision ID: 0006_search_index
Revises: 0002
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0006_search_index"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

#: the FTS5 table (its shadow tables are named after it: batch_search_data, ...)
SEARCH_TABLE = "batch_search"
PG_TRGM_INDEX = "ix_batches_lot_code_trgm"

#: both columns of a batch's row in the index, from a lot code expression
_COLUMNS = "lower({c}), hex(lower({c})) || 'Z'"

_SQLITE_UP = [
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(code, code_hex, content='', "
    "tokenize='trigram case_sensitive 1', detail=full)",
    f"INSERT INTO {SEARCH_TABLE}(rowid, code, code_hex) "
    f"SELECT id, {_COLUMNS.format(c='lot_code')} FROM batches",
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')",
    # a contentless table forgets a row only when told its exact indexed values
    f"""CREATE TRIGGER batch_search_insert AFTER INSERT ON batches BEGIN
        INSERT INTO {SEARCH_TABLE}(rowid, code, code_hex)
        VALUES (new.id, {_COLUMNS.format(c="new.lot_code")});
    END""",
    f"""CREATE TRIGGER batch_search_delete AFTER DELETE ON batches BEGIN
        INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, code, code_hex)
        VALUES ('delete', old.id, {_COLUMNS.format(c="old.lot_code")});
    END""",
    f"""CREATE TRIGGER batch_search_update AFTER UPDATE OF id, lot_code ON batches BEGIN
        INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, code, code_hex)
        VALUES ('delete', old.id, {_COLUMNS.format(c="old.lot_code")});
        INSERT INTO {SEARCH_TABLE}(rowid, code, code_hex)
        VALUES (new.id, {_COLUMNS.format(c="new.lot_code")});
    END""",
]

_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS batch_search_update",
    "DROP TRIGGER IF EXISTS batch_search_delete",
    "DROP TRIGGER IF EXISTS batch_search_insert",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
]

#: the forward trace's walk: lot -> consumers, input batch -> consumers, covering
_TRACE_INDEXES = {
    "ix_consumptions_lot_batch": (
        ["material_lot_id", "batch_id"],
        ["material_lot_id", "batch_id", "quantity", "unit"],
    ),
    "ix_consumptions_input_batch_batch": (
        ["input_batch_id", "batch_id"],
        ["input_batch_id", "batch_id", "quantity", "unit"],
    ),
}


def _sqlite_has_trigram_fts5() -> bool:
    conn = op.get_bind()
    try:
        conn.execute(text("CREATE VIRTUAL TABLE temp._sb_fts5_probe USING fts5(x, tokenize='trigram')"))
    except Exception:  # no FTS5 module, or no trigram tokenizer (SQLite < 3.34)
        return False
    conn.execute(text("DROP TABLE temp._sb_fts5_probe"))
    return True


def upgrade() -> None:
    conn = op.get_bind()
    for name, (_old, new) in _TRACE_INDEXES.items():
        op.drop_index(name, table_name="consumptions")
        op.create_index(name, "consumptions", new)
    if conn.dialect.name == "sqlite":
        if not _sqlite_has_trigram_fts5():
            log.warning("this SQLite has no FTS5 trigram tokenizer: batch search will scan")
            return
        for stmt in _SQLITE_UP:
            conn.execute(text(stmt))
    elif conn.dialect.name == "postgresql":
        available = conn.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        ).first()
        if available is None:
            log.warning("PostgreSQL has no pg_trgm extension: batch search will scan")
            return
        try:
            with conn.begin_nested():  # a refusal (no privilege) must not end the migration
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except Exception as exc:
            log.warning("pg_trgm could not be enabled (%s): batch search will scan", exc)
            return
        conn.execute(
            text(f"CREATE INDEX {PG_TRGM_INDEX} ON batches USING gin (lot_code gin_trgm_ops)")
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for stmt in _SQLITE_DOWN:
            conn.execute(text(stmt))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(f"DROP INDEX IF EXISTS {PG_TRGM_INDEX}"))
    for name, (old, _new) in _TRACE_INDEXES.items():
        op.drop_index(name, table_name="consumptions")
        op.create_index(name, "consumptions", old)
