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

Search at 1,000,000 batches: a substring LIKE cannot use a B-tree index, so the lot
codes are looked up in a trigram index first (``batch_search``, SQLite FTS5, migration
0006_search_index; ``search_index_query``) and the candidates checked with the same
LIKE; the count is capped at what the list needs (``first_page``), and the exact
figure for a search that matches many is counted off the UI thread
(``count_matching_batches``).  PostgreSQL's ILIKE uses its ``pg_trgm`` index directly.

In the list's default order (date made) the index does more (migration 0009_speed): its
rowid is the batch's key in that order, so FTS5 hands the matches over newest first and
the page stops after its 200 rows -- a keystroke costs its page, wherever the matching
batches sit in the table (``_dated_search``).  A text that names recipes with many
batches walks the first stretch of the date-made index instead (``_dated_walk``).

The SQLite plan hints (``NOT INDEXED``, ``CROSS JOIN`` to fix the join order) are SQLite
syntax; a reader for another database says so in its ``dialect`` attribute and gets
plain joins (and ``ILIKE``: PostgreSQL's LIKE is case-sensitive).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import string
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
    """A read-only stdlib connection to an SQLite file (WAL readers never block).  The
    path goes in as a ``file:`` URI with its characters escaped (a folder named
    ``Jams #2`` or ``50%`` would otherwise cut the URI short)."""
    from smallbatch_desktop.db.migrate import readonly_uri

    conn = sqlite3.connect(readonly_uri(path), uri=True, timeout=5, check_same_thread=False)
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
#: a keystroke counts the matches up to this many (the list then says how many); past
#: it the worker counts them
KEYSTROKE_COUNT = 1_000
#: the search index looks a text up by at most this many of its last characters
PHRASE_CHARS = 6
#: how far down the date-made order a search walks for a page of dense matches
WALK_ROWS = 4_000
#: above this many matches an index walk finds a page faster than a scan and sort
DENSE_MATCHES = 5_000
#: with the search index, up to this many candidates are read by rowid and sorted (a
#: top-N sort): cheaper than an index walk when the matches sit together far down the
#: sort order (lot codes made in one season, say)
INDEXED_MATCHES = 50_000

_COLUMNS = (
    "SELECT b.id, b.lot_code, r.name, r.code, v.version, b.status, b.made_date, "
    "b.best_before, b.planned_quantity, b.actual_quantity, b.unit, b.operator "
)


_RECIPE_MATCH = (
    "SELECT v2.id FROM recipe_versions v2 JOIN recipes r2 ON r2.id = v2.recipe_id "
    "WHERE r2.name {like} :q OR r2.code {like} :q"
)


def _where(
    status: str | None, search: str, dialect: str = "sqlite", index_query: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of the list's filter. With ``index_query`` (SQLite's search index,
    ``search_index_query``) the rows are first narrowed to the index's candidates and
    the recipes' batches by primary key, then checked with the same LIKE as without."""
    where, params = [], {}
    if status:
        where.append("b.status = :status")
        params["status"] = status
    if search.strip():
        params["q"] = f"%{search.strip()}%"
        like = like_operator(dialect)
        recipes = _RECIPE_MATCH.format(like=like)
        where.append(f"(b.lot_code {like} :q OR b.recipe_version_id IN ({recipes}))")
        if index_query is not None:
            params["m"] = index_query
            where.append(
                f"b.id IN (SELECT rowid & {_ID_MASK} FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :m "
                f"UNION ALL SELECT b3.id FROM batches b3 WHERE b3.recipe_version_id IN ({recipes}))"
            )
    return (" WHERE " + " AND ".join(where)) if where else "", params


def like_operator(dialect: str) -> str:
    """The SQL operator for a search that ignores case: SQLite's LIKE already does (for
    ASCII); PostgreSQL's is case-sensitive and has ILIKE."""
    return "ILIKE" if dialect == "postgresql" else "LIKE"


# -- the search index (SQLite) -----------------------------------------------------------

#: the FTS5 table migration 0006_search_index keeps in step with ``batches.lot_code``:
#: ``code`` is ``lower(lot_code)`` (trigrams), ``code_hex`` is ``hex(lower(lot_code))``
#: followed by ``Z`` (trigrams of hex digits, for texts under three characters)
SEARCH_TABLE = "batch_search"
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
#: what can follow a character's two hex digits in ``code_hex``: a digit of the next
#: character, or the ``Z`` after the last
_HEX_NEXT = "0123456789ABCDEFZ"
#: the hex digits are stored as the letters G-V (migration 0009_speed): the ``code``
#: column holds lower-case text, so these upper-case tokens never occur there and a
#: one-character search does not wade through the digit runs of every lot code
_HEX_LETTERS = str.maketrans("0123456789ABCDEF", "GHIJKLMNOPQRSTUV")


def search_index_query(search: str) -> str | None:
    """An FTS5 query on ``batch_search`` whose rows include every batch whose lot code is
    ``LIKE '%search%'`` (maybe a few more, which the LIKE then drops); None when the text
    has no literal character to look up (only wildcards, or nothing).

    LIKE ignores the case of ASCII letters only, and SQLite's ``lower`` folds ASCII only:
    the text is folded the same way, and non-ASCII characters match exactly, as in LIKE.
    The longest run of characters between LIKE's wildcards (``%``, ``_``) is looked up:
    three characters or more as a phrase of trigrams in ``code`` (its last
    ``PHRASE_CHARS``); fewer as the hex digits
    of their UTF-8 bytes in ``code_hex`` (four digits or more are a phrase there too;
    one ASCII character is its two digits followed by any of the 17 symbols that can
    come next)."""
    runs = [r for r in re.split(r"[%_]", search.strip().translate(_ASCII_LOWER)) if r]
    if not runs:
        return None
    run = max(runs, key=len)
    if len(run) >= 3:
        # a long text is looked up by its last PHRASE_CHARS characters: lot codes share
        # their beginnings (a scheme, a product code, a year), and a phrase that holds
        # the trigrams nearly every code has reads their whole lists (13 ms at
        # 1,000,000 batches against 0.3 ms for the tail); LIKE then confirms the rest
        return 'code : "' + run[-PHRASE_CHARS:].replace('"', '""') + '"'
    digits = run.encode("utf-8").hex().upper().translate(_HEX_LETTERS)
    if len(digits) >= 3:
        return f'code_hex : "{digits}"'
    following = _HEX_NEXT.translate(_HEX_LETTERS)
    return "code_hex : (" + " OR ".join(f'"{digits}{n}"' for n in following) + ")"


def has_search_index(read: Reader) -> bool:
    """True when the database has ``batch_search`` (SQLite with FTS5 trigrams; asked once
    per reader)."""
    known = getattr(read, "search_index", None)
    if known is None:
        known = _dialect(read) == "sqlite" and bool(
            read(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :t",
                {"t": SEARCH_TABLE},
            )
        )
        read.search_index = known  # type: ignore[attr-defined]
    return bool(known)


def _index_query(read: Reader, search: str) -> str | None:
    return search_index_query(search) if search.strip() and has_search_index(read) else None


# -- counts ------------------------------------------------------------------------------


def count_matching_batches(read: Reader, *, status: str | None = None, search: str = "") -> int:
    """The exact number of batches the filter matches: a scan when the search matches
    many (run it off the UI thread; ``first_page`` gives a count capped at what the list
    needs)."""
    if not status and _index_is_exact(search) and has_search_index(read):
        # the index's matches are exactly the lot codes that match: count them there,
        # and add the named recipes' batches whose lot codes do not match
        recipes = _RECIPE_MATCH.format(like="LIKE")
        sql = (
            f"SELECT (SELECT COUNT(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :m) + "
            f"(SELECT COUNT(*) FROM batches b WHERE b.recipe_version_id IN ({recipes}) "
            "AND b.lot_code NOT LIKE :q)"
        )
        params = {"m": search_index_query(search), "q": f"%{search.strip()}%"}
        return int(read(sql, params)[0][0] or 0)
    where, params = _where(status, search, _dialect(read))
    return int(read(f"SELECT COUNT(*) FROM batches b{where}", params)[0][0] or 0)


def capped_count(
    read: Reader, *, status: str | None = None, search: str = "", cap: int | None = None
) -> int:
    """``min(cap, matches)`` (``cap`` defaults to ``DENSE_MATCHES``): stops reading once
    ``cap`` rows matched."""
    dialect = _dialect(read)
    where, params = _where(status, search, dialect, _index_query(read, search))
    params["cap"] = int(DENSE_MATCHES if cap is None else cap)
    sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM batches b{where} LIMIT :cap) x"
    return int(read(sql, params)[0][0] or 0)


def _candidates(read: Reader, search: str, index_query: str, cap: int) -> int:
    """How many rows the search index and the recipe match offer, each capped at ``cap``
    (an upper bound of the matches: LIKE and the status filter only remove)."""
    recipes = _RECIPE_MATCH.format(like="LIKE")
    sql = (
        f"SELECT (SELECT COUNT(*) FROM (SELECT rowid FROM {SEARCH_TABLE} "
        f"WHERE {SEARCH_TABLE} MATCH :m LIMIT :cap) x) + (SELECT COUNT(*) FROM "
        f"(SELECT 1 FROM batches b3 WHERE b3.recipe_version_id IN ({recipes}) LIMIT :cap) y)"
    )
    params = {"m": index_query, "q": f"%{search.strip()}%", "cap": int(cap)}
    return int(read(sql, params)[0][0] or 0)


@dataclass(frozen=True)
class FirstPage:
    """The first page of a filter, and how many batches match: exactly, or (when
    ``exact`` is False) at least ``count`` -- the list then counts off the UI thread."""

    rows: list[BatchRow]
    count: int
    exact: bool


def first_page(
    read: Reader,
    *,
    status: str | None = None,
    search: str = "",
    sort: str = "made_date",
    descending: bool = True,
    limit: int = 200,
) -> FirstPage:
    """The first page and a count that never scans the table.

    Few matches (under ``DENSE_MATCHES``): one query reads them by key -- through the
    search index on SQLite -- sorts them and counts them in a window column. Many: an
    index walk in the sort order stops after one page, and the count says "at least
    ``DENSE_MATCHES``" (``count_matching_batches`` gives the exact figure, off the UI
    thread)."""
    index_query = _index_query(read, search)
    if index_query is not None and sort == "made_date":
        dated = _dated_search(read, status, search, index_query, descending, 0, limit, True)
        if dated is not None:
            return FirstPage(*dated)
    if index_query is not None:
        matches = _candidates(read, search, index_query, INDEXED_MATCHES)
    else:
        matches = capped_count(read, status=status, search=search)
    if status or search.strip():
        if matches < DENSE_MATCHES:
            rows, count = _sparse_page(
                read, status=status, search=search, sort=sort, descending=descending,
                limit=limit, index_query=index_query,
            )  # fmt: skip
            return FirstPage(rows, count, True)
    elif matches < DENSE_MATCHES:  # everything, and few
        rows = batch_page(read, sort=sort, descending=descending, limit=limit, matches=matches)
        return FirstPage(rows, matches, True)
    # many: by rowid from the index when it offers fewer than INDEXED_MATCHES, else an
    # index walk in the sort order; either way the exact count is the worker's
    matches = max(matches, DENSE_MATCHES)
    rows = batch_page(
        read, status=status, search=search, sort=sort, descending=descending, limit=limit,
        matches=matches,
    )  # fmt: skip
    return FirstPage(rows, matches, False)


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
    """One page of the batch list. ``matches`` is the filter's count from ``first_page``
    (or ``count_matching_batches``): under ``DENSE_MATCHES`` -- or, for a search, under
    ``INDEXED_MATCHES`` with the search index -- the rows are read by key and sorted,
    otherwise an index walk in the sort order stops after the page."""
    dialect = _dialect(read)
    if sort == "made_date" and search.strip() and has_search_index(read):
        index_query = search_index_query(search)
        if index_query is not None:
            dated = _dated_search(
                read, status, search, index_query, descending, offset, limit, False
            )
            if dated is not None:
                return dated[0]
    if matches is None:
        matches = capped_count(read, status=status, search=search)
    filtered = bool(status or search.strip())
    index_query = _index_query(read, search) if matches < INDEXED_MATCHES else None
    # few matches, or a search the index narrows to few rowids: read them and sort
    sparse = filtered and (matches < DENSE_MATCHES or index_query is not None)
    where, params = _where(status, search, dialect, index_query)
    order = _order(sort, descending)
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
        # sparse matches: read them by rowid (search index) or scan the table once (NOT
        # INDEXED; rowid lookups stay allowed) and sort the few rows found; CROSS JOIN
        # keeps batches the outer loop: one pass, never one per recipe.  A status alone
        # has its own index (status, made date).
        source = _batches_first(_scan_hint(search, filtered and (sparse or not walk)))
    params.update(lim=int(limit), off=int(offset))
    sql = f"{_COLUMNS}{source}{where} ORDER BY {order} LIMIT :lim OFFSET :off"
    return [batch_row(r) for r in read(sql, params)]


#: the search index's rowid is the batch's place in the date-made order: the julian day
#: of ``made_date`` in the high bits, the batch id in the low 32 (migration 0009_speed)
_ID_MASK = 0xFFFFFFFF


def _index_is_exact(search: str) -> bool:
    """True when ``search_index_query``'s matches are exactly the lot codes LIKE
    ``%search%`` matches (a run of three characters or more, no wildcard): no row needs
    reading to confirm them."""
    text = search.strip()
    return 3 <= len(text) <= PHRASE_CHARS and not set(text) & {"%", "_"}


def _dated_search(
    read: Reader,
    status: str | None,
    search: str,
    index_query: str,
    descending: bool,
    offset: int,
    limit: int,
    count: bool,
) -> tuple[list[BatchRow], int, bool] | None:
    """A search in date-made order (the list's default) read from the search index in
    that order: FTS5 gives its matches by rowid -- date made, then id -- and stops after
    the page, so a page costs its own rows wherever in the table they sit (a lot-code
    prefix of one past season, say), never a read of every candidate.

    The batches of the recipes the text names (``_RECIPE_MATCH``) join the page when
    they are few (under ``DENSE_MATCHES``); a status that few batches have is read from
    its own index. Otherwise None: ``first_page``'s index walk serves it (many matches
    near the top of the order).

    Returns (rows, count, exact) -- ``count`` only when asked for (the first page): the
    matches when under ``DENSE_MATCHES``, else ``DENSE_MATCHES`` and not exact."""
    cap = min(int(DENSE_MATCHES), KEYSTROKE_COUNT)
    q = f"%{search.strip()}%"
    params: dict[str, Any] = {"q": q, "m": index_query, "cap": cap}
    status_sql = ""
    if status:
        params["status"] = status
        status_sql = " AND b.status = :status"
        n_status = int(
            read(
                "SELECT COUNT(*) FROM (SELECT 1 FROM batches b WHERE b.status = :status "
                "LIMIT :cap) x",
                params,
            )[0][0]
        )
        if n_status < cap:
            return None  # few batches have it: the sparse page reads them all
    versions = [
        int(r[0]) for r in read(_RECIPE_MATCH.format(like="LIKE"), {"q": q})
    ]  # a workshop has tens of recipes, not thousands: an id list is short
    recipes_sql = ""
    if versions:
        recipes_sql = (
            f"SELECT b.id FROM batches b WHERE b.recipe_version_id IN "
            f"({', '.join(map(str, versions))}){status_sql}"
        )
        n_recipes = int(read(f"SELECT COUNT(*) FROM ({recipes_sql} LIMIT :cap) x", params)[0][0])
        if n_recipes >= cap:  # many: probably near the top of the order too
            return _dated_walk(read, params, versions, status_sql, descending, offset, limit)
    direction = "DESC" if descending else "ASC"
    # the index's matches in date-made order, each confirmed on its row (LIKE, status)
    # unless the index alone is exact; the recipes' batches (few) added, the page taken
    if _index_is_exact(search) and not status:
        matched = (
            f"SELECT f.rowid & {_ID_MASK} AS id FROM {SEARCH_TABLE} f WHERE {SEARCH_TABLE} MATCH :m"
        )
    else:
        matched = (
            f"SELECT b.id AS id FROM {SEARCH_TABLE} f CROSS JOIN batches b "
            f"ON b.id = (f.rowid & {_ID_MASK}) WHERE {SEARCH_TABLE} MATCH :m AND b.lot_code LIKE :q"
            f"{status_sql}"
        )
    stream = f"{matched} ORDER BY f.rowid {direction}"
    params.update(n=int(offset) + int(limit), lim=int(limit), off=int(offset))
    source = f"SELECT id FROM ({stream} LIMIT :n) x"
    if recipes_sql:
        source += f" UNION {recipes_sql}"
    sql = (
        f"{_COLUMNS}FROM ({source}) u CROSS JOIN batches b ON b.id = u.id "
        "CROSS JOIN recipe_versions v ON v.id = b.recipe_version_id "
        "CROSS JOIN recipes r ON r.id = v.recipe_id "
        f"ORDER BY {_order('made_date', descending)} LIMIT :lim OFFSET :off"
    )
    rows = [batch_row(r) for r in read(sql, params)]
    if not count:
        return rows, 0, False
    n = int(read(f"SELECT COUNT(*) FROM ({matched} LIMIT :cap) x", params)[0][0])
    if n >= cap:
        return rows, cap, False
    if recipes_sql:  # both few: count them together, once each
        n = int(read(f"SELECT COUNT(*) FROM ({matched} UNION {recipes_sql}) x", params)[0][0])
        if n >= cap:
            return rows, cap, False
    return rows, n, True


def _dated_walk(
    read: Reader,
    params: dict[str, Any],
    versions: list[int],
    status_sql: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[BatchRow], int, bool] | None:
    """The page from the first ``WALK_ROWS`` (or 20 pages' worth) of the date-made index,
    when the text names recipes with many batches: when that stretch of the order holds
    the page, the page is right (everything after comes later in the order); else None.
    The count is left to the worker."""
    budget = max(WALK_ROWS, 20 * (offset + limit))
    order = _order("made_date", descending)
    # where the stretch ends: read from the index alone (made_date, id)
    end = read(
        f"SELECT b.made_date, b.id FROM batches b ORDER BY {order} LIMIT 1 OFFSET :budget",
        {"budget": budget - 1},
    )
    stretch = ""
    if end:  # else the whole table is shorter than the stretch
        cmp = ">=" if descending else "<="
        stretch = f" AND (b.made_date, b.id) {cmp} (:end_day, :end_id)"
        params = {**params, "end_day": end[0][0], "end_id": end[0][1]}
    # the walk goes down ix_batches_made_date in order and stops after the page
    sql = (
        f"{_COLUMNS}FROM batches b INDEXED BY ix_batches_made_date "
        "CROSS JOIN recipe_versions v ON v.id = b.recipe_version_id "
        "CROSS JOIN recipes r ON r.id = v.recipe_id "
        f"WHERE (b.lot_code LIKE :q OR b.recipe_version_id IN ({', '.join(map(str, versions))}))"
        f"{status_sql}{stretch} ORDER BY {order} LIMIT :lim OFFSET :off"
    )
    rows = read(sql, {**params, "lim": int(limit), "off": int(offset)})
    if len(rows) < limit and end:
        return None
    return [batch_row(r) for r in rows], max(int(DENSE_MATCHES), offset + limit), False


def _sparse_page(
    read: Reader,
    *,
    status: str | None,
    search: str,
    sort: str,
    descending: bool,
    limit: int,
    index_query: str | None,
) -> tuple[list[BatchRow], int]:
    """The first page and the number of matches in one query, for a filter that matches
    few rows (a top-N sort of the matches is cheap)."""
    dialect = _dialect(read)
    where, params = _where(status, search, dialect, index_query)
    source = _batches_first(_scan_hint(search, True)) if dialect == "sqlite" else _PLAIN_SOURCE
    params.update(lim=int(limit))
    sql = (
        f"{_COLUMNS}, COUNT(*) OVER () {source}{where} "
        f"ORDER BY {_order(sort, descending)} LIMIT :lim"
    )
    rows = read(sql, params)
    return [batch_row(r) for r in rows], int(rows[0][12]) if rows else 0


def _scan_hint(search: str, scan: bool) -> str:
    """``NOT INDEXED`` for a search read in one pass (or by rowid); a status filter alone
    lets SQLite use ``ix_batches_status_made``."""
    return " NOT INDEXED" if scan and search.strip() else ""


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
