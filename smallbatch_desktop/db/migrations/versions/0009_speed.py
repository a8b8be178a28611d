"""Batch search in the list's default order straight from the search index.

``batch_search`` (SQLite FTS5 trigrams, migration 0006_search_index) found the batches
whose lot code holds the text, but in batch-id order: the list, sorted by date made,
then had to read every candidate's row and sort them all to show the newest 200.  At
1,000,000 batches a lot-code prefix matching 100,000 batches made in one season cost
0.4-2 s per keystroke.

Here each batch's index row is keyed by its place in the list's default order instead
of by its id alone: ``rowid = julian day of made_date << 32 | id``.  FTS5 returns its
matches in rowid order (either direction) and stops after the page, so "the newest 200
batches whose lot code holds the text" is 200 index entries and 200 row reads,
wherever in the table they are (``services.fast_reads``).  The batch id is the low 32
bits.  The triggers keep the key in step when a batch's lot code, date made or id
changes.  PostgreSQL is unchanged (its ``pg_trgm`` index and planner).

Revision ID: 0009_speed
Revises: 0003_integrity
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0009_speed"
down_revision: str | None = "0003_integrity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

SEARCH_TABLE = "batch_search"
#: a batch's index key from a row alias (``new``, ``old``, a table): the julian day
#: number of its date made in the high bits, its id in the low 32 (services.fast_reads
#: reads both back the same way)
KEY = "(COALESCE(CAST(julianday({r}.made_date) AS INTEGER), 0) << 32 | {r}.id)"

def _letters(expr: str) -> str:
    """``expr``'s hex digits as the letters G-V (0 -> G ... F -> V)."""
    for digit, letter in zip("0123456789ABCDEF", "GHIJKLMNOPQRSTUV", strict=True):
        expr = f"replace({expr}, '{digit}', '{letter}')"
    return expr


#: ``code``: the lot code in lower case (trigrams, for texts of three characters or
#: more); ``code_hex``: its hex digits written as the letters G-V, then ``Z`` (for one
#: and two characters).  Until this revision the digits were 0-9 A-F, and a search for
#: one character waded through every lot code's digit runs (the ``code`` column's
#: trigrams of digits are the same tokens); upper-case letters never occur in ``code``.
_COLUMNS = "lower({r}.lot_code), " + _letters("hex(lower({r}.lot_code))") + " || 'Z'"
_OLD_COLUMNS = "lower({r}.lot_code), hex(lower({r}.lot_code)) || 'Z'"

_DROP = [
    "DROP TRIGGER IF EXISTS batch_search_update",
    "DROP TRIGGER IF EXISTS batch_search_delete",
    "DROP TRIGGER IF EXISTS batch_search_insert",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
]


def _create(key: str, columns: str) -> list[str]:
    """The index table, filled, and its triggers: ``key`` the rowid expression,
    ``columns`` the indexed values."""
    new, old, row = (key.format(r=r) for r in ("new", "old", "batches"))
    cols_new, cols_old = columns.format(r="new"), columns.format(r="old")
    watched = "id, lot_code, made_date" if "made_date" in key else "id, lot_code"
    return [
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(code, code_hex, content='', "
        "tokenize='trigram case_sensitive 1', detail=full)",
        f"INSERT INTO {SEARCH_TABLE}(rowid, code, code_hex) "
        f"SELECT {row}, {columns.format(r='batches')} FROM batches",
        f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')",
        f"""CREATE TRIGGER batch_search_insert AFTER INSERT ON batches BEGIN
            INSERT INTO {SEARCH_TABLE}(rowid, code, code_hex) VALUES ({new}, {cols_new});
        END""",
        # a contentless table forgets a row only when told its exact indexed values
        f"""CREATE TRIGGER batch_search_delete AFTER DELETE ON batches BEGIN
            INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, code, code_hex)
            VALUES ('delete', {old}, {cols_old});
        END""",
        f"""CREATE TRIGGER batch_search_update AFTER UPDATE OF {watched} ON batches BEGIN
            INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, code, code_hex)
            VALUES ('delete', {old}, {cols_old});
            INSERT INTO {SEARCH_TABLE}(rowid, code, code_hex) VALUES ({new}, {cols_new});
        END""",
    ]


def _has_index() -> bool:
    conn = op.get_bind()
    return bool(
        conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t"),
            {"t": SEARCH_TABLE},
        ).first()
    )


def upgrade() -> None:
    conn = op.get_bind()
    # no index: this SQLite has no FTS5 trigrams (0006 said so) and the search scans
    if conn.dialect.name != "sqlite" or not _has_index():
        return
    for stmt in _DROP + _create(KEY, _COLUMNS):
        conn.execute(text(stmt))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite" or not _has_index():
        return
    for stmt in _DROP + _create("{r}.id", _OLD_COLUMNS):
        conn.execute(text(stmt))
