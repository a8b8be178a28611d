"""The reads the first window needs, in plain SQL, importable without SQLAlchemy.

Start-up paints the batch list before the ORM is imported (importing SQLAlchemy, the
models and the services costs several hundred milliseconds): these functions take a
*reader* -- ``reader(sql, params) -> rows`` -- that is either a stdlib ``sqlite3``
connection (``sqlite_reader``, at start-up) or a SQLAlchemy ``Session``
(``session_reader``, always correct, PostgreSQL too).  The SQL is the same for both
(``:name`` parameters work in ``sqlite3`` and in ``sqlalchemy.text``).

Moved out of ``services.ui_queries`` (which re-exports ``batch_page`` and
``count_matching_batches``).

The batch list at scale: ``services.batches.list_batches`` joins recipes into the WHERE
clause, so a search walks the made-date index and looks every row up: ~90 ms per
keystroke at 100,000 batches.  Here the recipe match becomes a small id set, and the
page query picks its plan from how many rows match: many -> walk an index in the sort
order and stop after one page; few -> one sequential scan and a top-N sort.

Every sort column has an index walk in its order, so a header click costs a page, not a
sort of the whole table:

- lot code, made date: their own indexes;
- status: ``ix_batches_status_made`` (status, made_date, id) -- within one status the
  newest batches come first, which is also what a maker wants to see;
- product: recipes by ``ix_recipes_name``, their versions by the (recipe, version)
  unique index, the batches of each version by ``ix_batches_recipe_version_id`` -- a
  nested loop that delivers rows already in (name, recipe, version, id) order.

- best before, planned quantity, operator: their (column, id) indexes (migration 0002).

While the maker types, each keystroke narrows the last search (the new text contains
the old one), so when the last search matched few rows the new one does too: one scan
returns the first page and, in a window column, the count (``narrowed_page``), instead of
a scan to count and another for the page.

The SQLite plan hints (``NOT INDEXED``, ``CROSS JOIN`` to fix the join order) are SQLite
syntax; a reader for another database says so in its ``dialect`` attribute and gets
plain joins (and ``ILIKE``: PostgreSQL's LIKE is case-sensitive).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

#: reader(sql, params) -> rows (tuples)
Reader = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]

#: quantities are stored as integers scaled by 10**SCALE (domain.units.SCALE)
_SCALE = 6


@dataclass(frozen=True)
class BatchRow:
    """One row of the batch list (``batch_page`` here, ``services.batches.list_batches``)."""

    id: int
    lot_code: str
    product: str
    recipe_code: str
    version: int
    status: str
    made_date: dt.date
    best_before: dt.date | None
    planned_quantity: Decimal
    actual_quantity: Decimal | None
    unit: str
    operator: str


def sqlite_reader(conn: sqlite3.Connection) -> Reader:
    def read(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return conn.execute(sql, params).fetchall()

    read.dialect = "sqlite"  # type: ignore[attr-defined]
    return read


def _dialect(read: Reader) -> str:
    return str(getattr(read, "dialect", "sqlite"))


def session_reader(session: Any) -> Reader:
    """A reader over a SQLAlchemy ``Session`` (imports SQLAlchemy, which is loaded by
    then anyway)."""
    from sqlalchemy import text

    def read(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return [tuple(r) for r in session.execute(text(sql), params)]

    read.dialect = session.get_bind().dialect.name  # type: ignore[attr-defined]
    return read


def open_sqlite_readonly(path: str) -> sqlite3.Connection:
    """A read-only stdlib connection to an SQLite file (WAL readers never block)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def db_date(value: object) -> dt.date | None:
    """A DATE column's raw value (ISO text on SQLite, a date elsewhere) as a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _fixed(value: object) -> Decimal:
    return Decimal(int(value)).scaleb(-_SCALE)  # type: ignore[call-overload]


# -- workshop ----------------------------------------------------------------------------


def workshop_is_empty(read: Reader) -> bool:
    """True when nothing has been entered yet (first run)."""
    row = read(
        "SELECT EXISTS(SELECT 1 FROM materials) OR EXISTS(SELECT 1 FROM recipes) "
        "OR EXISTS(SELECT 1 FROM suppliers) OR EXISTS(SELECT 1 FROM batches)",
        {},
    )
    return not row[0][0]


def read_setting(read: Reader, key: str, default: Any = None) -> Any:
    """One workshop setting (stored as JSON text), or ``default``."""
    import json

    rows = read("SELECT value FROM settings WHERE key = :key", {"key": key})
    if not rows or rows[0][0] is None:
        return default
    value = rows[0][0]
    return json.loads(value) if isinstance(value, str) else value


# -- the batch list ----------------------------------------------------------------------

#: sort key -> (ORDER BY columns, an index walk delivers this order)
_SORTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "lot_code": (("b.lot_code", "b.id"), True),
    "product": (("r.name", "r.id", "v.version", "b.id"), True),
    "status": (("b.status", "b.made_date", "b.id"), True),
    "made_date": (("b.made_date", "b.id"), True),
    "best_before": (("b.best_before", "b.id"), True),
    "planned_quantity": (("b.planned_quantity", "b.id"), True),
    "operator": (("b.operator", "b.id"), True),
}
SORT_KEYS = tuple(_SORTS)
#: above this many matches an index walk finds a page faster than a scan and sort
DENSE_MATCHES = 5_000

_COLUMNS = (
    "SELECT b.id, b.lot_code, r.name, r.code, v.version, b.status, b.made_date, "
    "b.best_before, b.planned_quantity, b.actual_quantity, b.unit, b.operator "
)


def _where(status: str | None, search: str, dialect: str = "sqlite") -> tuple[str, dict[str, Any]]:
    where, params = [], {}
    if status:
        where.append("b.status = :status")
        params["status"] = status
    if search.strip():
        params["q"] = f"%{search.strip()}%"
        like = like_operator(dialect)
        where.append(
            f"(b.lot_code {like} :q OR b.recipe_version_id IN (SELECT v2.id FROM "
            "recipe_versions v2 JOIN recipes r2 ON r2.id = v2.recipe_id "
            f"WHERE r2.name {like} :q OR r2.code {like} :q))"
        )
    return (" WHERE " + " AND ".join(where)) if where else "", params


def like_operator(dialect: str) -> str:
    """The SQL operator for a search that ignores case: SQLite's LIKE already does (for
    ASCII); PostgreSQL's is case-sensitive and has ILIKE."""
    return "ILIKE" if dialect == "postgresql" else "LIKE"


def count_matching_batches(read: Reader, *, status: str | None = None, search: str = "") -> int:
    where, params = _where(status, search, _dialect(read))
    return int(read(f"SELECT COUNT(*) FROM batches b{where}", params)[0][0] or 0)


def narrows(old_search: str, new_search: str) -> bool:
    """True when every batch the new search matches also matched the old one: the new
    text contains the old (LIKE wildcards keep that true; a non-ASCII letter typed in
    another case may not, which only costs the slower plan, never a wrong row)."""
    old, new = old_search.strip().lower(), new_search.strip().lower()
    return bool(old) and old in new


def batch_page(
    read: Reader,
    *,
    status: str | None = None,
    search: str = "",
    sort: str = "made_date",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
    matches: int | None = None,
) -> list[BatchRow]:
    """One page of the batch list. ``matches`` is ``count_matching_batches`` for the same
    filter (counted once per filter change)."""
    dialect = _dialect(read)
    where, params = _where(status, search, dialect)
    order = _order(sort, descending)
    if matches is None:
        matches = count_matching_batches(read, status=status, search=search)
    filtered = bool(where)
    sparse = filtered and matches < DENSE_MATCHES
    walk = _SORTS.get(sort, _SORTS["made_date"])[1]
    if dialect != "sqlite":
        source = _PLAIN_SOURCE  # the server's planner picks the order of the joins
    elif sort == "product" and not sparse:
        # recipes in name order drive the loop; each version's batches come by index
        source = (
            "FROM recipes r CROSS JOIN recipe_versions v ON v.recipe_id = r.id "
            "CROSS JOIN batches b ON b.recipe_version_id = v.id"
        )
    else:
        # sparse matches: scan the table once (NOT INDEXED) and sort the few rows found;
        # CROSS JOIN keeps batches the outer loop: one pass, never one per recipe
        source = _batches_first(" NOT INDEXED" if filtered and (sparse or not walk) else "")
    params.update(lim=int(limit), off=int(offset))
    sql = f"{_COLUMNS}{source}{where} ORDER BY {order} LIMIT :lim OFFSET :off"
    return [batch_row(r) for r in read(sql, params)]


def narrowed_page(
    read: Reader,
    *,
    status: str | None = None,
    search: str,
    sort: str = "made_date",
    descending: bool = True,
    limit: int = 200,
) -> tuple[list[BatchRow], int]:
    """The first page and the number of matches in one scan: for a search that narrows
    one that matched few rows (``narrows``), so a top-N sort of the matches is cheap."""
    dialect = _dialect(read)
    where, params = _where(status, search, dialect)
    source = _batches_first(" NOT INDEXED") if dialect == "sqlite" else _PLAIN_SOURCE
    params.update(lim=int(limit))
    sql = (
        f"{_COLUMNS}, COUNT(*) OVER () {source}{where} "
        f"ORDER BY {_order(sort, descending)} LIMIT :lim"
    )
    rows = read(sql, params)
    return [batch_row(r) for r in rows], int(rows[0][12]) if rows else 0


def _batches_first(hint: str) -> str:
    """SQLite: batches is the outer loop of the joins (``CROSS JOIN`` fixes the order),
    scanned with ``hint`` (" NOT INDEXED" for one pass over the table, or "")."""
    return (
        f"FROM batches b{hint} CROSS JOIN recipe_versions v ON v.id = b.recipe_version_id "
        "CROSS JOIN recipes r ON r.id = v.recipe_id"
    )


_PLAIN_SOURCE = (
    "FROM batches b JOIN recipe_versions v ON v.id = b.recipe_version_id "
    "JOIN recipes r ON r.id = v.recipe_id"
)


def _order(sort: str, descending: bool) -> str:
    cols = _SORTS.get(sort, _SORTS["made_date"])[0]
    direction = "DESC" if descending else "ASC"
    return ", ".join(f"{c} {direction}" for c in cols)


def batch_row(r: Sequence[Any]) -> BatchRow:
    """A row of ``_COLUMNS`` (as ``services.batches.list_batches`` selects them too)."""
    return BatchRow(
        int(r[0]),
        r[1],
        r[2],
        r[3],
        int(r[4]),
        r[5],
        db_date(r[6]) or dt.date.min,
        db_date(r[7]),
        _fixed(r[8]),
        None if r[9] is None else _fixed(r[9]),
        r[10],
        r[11] or "",
    )
