"""The batch search through its index (SQLite FTS5 trigrams, migration 0006_search_index)
gives exactly what the plain LIKE search gives: same rows, same order, same count --
for 1- and 2-character texts, LIKE wildcards, ASCII and non-ASCII case -- and the
index stays in step with inserts, renames and deletes. The query plans use it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from factories import kitchen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text

from smallbatch_desktop.domain.models import Batch
from smallbatch_desktop.services import fast_reads

#: lot codes use letters, digits and - _ . / (domain.lotcodes); the index must hold any
#: text a database may carry, so a few non-ASCII letters and a wildcard go in too
ALPHABET = "ABCHSXabchsx0126-_./ÉéÀàßΩω%"


def _insert_batches(
    session, version_ids: list[int], codes: list[str], status: str | None = None
) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = []
    for i, code in enumerate(codes):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i % 300)
        rows.append(
            dict(
                lot_code=code,
                recipe_version_id=version_ids[i % len(version_ids)],
                status=status or ("released", "qc_hold", "planned")[i % 3],
                planned_quantity=Decimal(1 + i % 7),
                actual_quantity=None,
                unit="pcs",
                scale_factor=Decimal(1),
                made_date=day,
                best_before=day + dt.timedelta(days=90),
                operator=("Ana", "Émile", "")[i % 3],
                notes="",
                created_at=now,
                released_by="",
                closed_by="",
                close_reason="",
            )
        )
    session.execute(insert(Batch), rows)


@pytest.fixture
def searchable(session):
    k = kitchen(session)
    session.flush()
    versions = [k.mash_v.id]
    versions += [
        v
        for (v,) in session.execute(
            text("SELECT id FROM recipe_versions WHERE id <> :v"), {"v": k.mash_v.id}
        )
    ]
    rng = random.Random(14)
    codes = {"".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(900)}
    codes |= {"éclair-01", "ÉCLAIR-02", "Éclair-03", "STRASSE-1", "straße-2", "ΩMEGA", "ωmega", "Z"}
    _insert_batches(session, versions, sorted(codes))
    session.flush()
    return session


def _read(session):
    read = fast_reads.session_reader(session)
    assert fast_reads.has_search_index(read), "migration 0006 made no batch_search table"
    return read


def _plain_like(session, search: str, status: str | None, sort: str, descending: bool):
    where = "(b.lot_code LIKE :q OR r.name LIKE :q OR r.code LIKE :q)"
    if status:
        where += " AND b.status = :status"
    sql = (
        "SELECT b.id FROM batches b JOIN recipe_versions v ON v.id = b.recipe_version_id "
        f"JOIN recipes r ON r.id = v.recipe_id WHERE {where} "
        f"ORDER BY {fast_reads._order(sort, descending)}"
    )
    return [
        r[0] for r in session.execute(text(sql), {"q": f"%{search.strip()}%", "status": status})
    ]


def _search(read, search: str, status: str | None, sort: str, descending: bool):
    first = fast_reads.first_page(
        read, status=status, search=search, sort=sort, descending=descending, limit=7
    )
    rows = list(first.rows)
    while len(rows) % 7 == 0 and rows:
        more = fast_reads.batch_page(
            read, status=status, search=search, sort=sort, descending=descending,
            offset=len(rows), limit=7, matches=first.count,
        )  # fmt: skip
        if not more:
            break
        rows += more
    count = (
        first.count
        if first.exact
        else fast_reads.count_matching_batches(read, status=status, search=search)
    )
    return [r.id for r in rows], count, first.exact


def _check(session, read, search, status=None, sort="made_date", descending=True):
    ids, count, _exact = _search(read, search, status, sort, descending)
    want = _plain_like(session, search, status, sort, descending)
    assert (ids, count) == (want, len(want)), (search, status, sort)


def test_every_one_and_two_character_text_matches_plain_like(searchable):
    read = _read(searchable)
    chars = sorted(set(ALPHABET.replace("%", "")) | set("zZ9+"))
    for a in chars:
        _check(searchable, read, a)
    rng = random.Random(2)
    for _ in range(150):
        _check(searchable, read, rng.choice(chars) + rng.choice(chars), sort="lot_code")


@pytest.mark.parametrize(
    "search",
    ["éclair", "ÉCLAIR", "Éclair", "eclair", "CLAIR", "clair-0", "ß", "SS", "straße", "STRASSE",
     "Ω", "ω", "ωMEGA", "mega", "%", "_", "%%", "a%b", "_1", "x_a", "__", "  ab  ", "mash",
     "MASH", "Mash-", "no such batch", "\"", "a\"b"],
)  # fmt: skip
def test_case_wildcards_and_odd_texts_match_plain_like(searchable, search):
    read = _read(searchable)
    for sort in ("made_date", "lot_code", "product"):
        _check(searchable, read, search, sort=sort, descending=sort != "lot_code")
    _check(searchable, read, search, status="released")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(search=st.text(alphabet=ALPHABET + "zq", min_size=1, max_size=6))
def test_any_text_matches_plain_like(searchable, search):
    _check(searchable, _read(searchable), search, sort="lot_code", descending=False)


@pytest.mark.parametrize("indexed", [50_000, 40], ids=["by-rowid", "index-walk"])
def test_many_matches_read_by_rowid_or_walk_and_count_apart(searchable, monkeypatch, indexed):
    """Past DENSE_MATCHES the count is not taken on the keystroke, and the page comes
    from the index's rowids (under INDEXED_MATCHES candidates) or from an index walk in
    the sort order; the rows and the later exact count still equal plain LIKE."""
    monkeypatch.setattr(fast_reads, "DENSE_MATCHES", 20)
    monkeypatch.setattr(fast_reads, "INDEXED_MATCHES", indexed)
    read = _read(searchable)
    for search in ("a", "1", "é", "ab", "mash"):
        ids, count, exact = _search(read, search, None, "made_date", True)
        want = _plain_like(searchable, search, None, "made_date", True)
        assert (ids, count) == (want, len(want)), search
        assert exact == (len(want) < 20) or search == "é", search


def test_the_index_follows_inserts_renames_and_deletes(searchable):
    read = _read(searchable)
    version = searchable.execute(text("SELECT MIN(id) FROM recipe_versions")).scalar()
    # planned: a released batch's record (its lot code) cannot change or go
    _insert_batches(searchable, [version], ["QQ-NEW-1"], status="planned")
    new_id = searchable.execute(text("SELECT id FROM batches WHERE lot_code = 'QQ-NEW-1'")).scalar()
    assert _search(read, "qq-new", None, "lot_code", False)[0] == [new_id]
    assert _search(read, "q", None, "lot_code", False)[0] == [new_id]
    searchable.execute(
        text("UPDATE batches SET lot_code = 'RR-RENAMED' WHERE id = :i"), {"i": new_id}
    )
    assert _search(read, "qq-new", None, "lot_code", False)[0] == []
    assert _search(read, "renamed", None, "lot_code", False)[0] == [new_id]
    searchable.execute(text("DELETE FROM batches WHERE id = :i"), {"i": new_id})
    assert _search(read, "renamed", None, "lot_code", False)[0] == []
    # the index holds exactly one entry per batch: nothing stale left behind
    n_index = searchable.execute(text("SELECT COUNT(*) FROM batch_search")).scalar()
    assert n_index == searchable.execute(text("SELECT COUNT(*) FROM batches")).scalar()


def _plan(session, sql: str, params: dict) -> str:
    raw = session.connection().connection.driver_connection
    rows = raw.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " | ".join(str(r[3]) for r in rows)


def _spy(read, captured: list[tuple[str, dict]]):
    """A reader that keeps every (sql, params) it runs."""

    def spy(sql, params):
        captured.append((sql, dict(params)))
        return read(sql, params)

    spy.dialect = "sqlite"  # type: ignore[attr-defined]
    spy.search_index = True  # type: ignore[attr-defined]
    return spy


@pytest.mark.parametrize("search", ["h", "hs", "clair", "a%b"])
def test_the_search_plan_reads_the_index_not_the_table(searchable, search):
    captured: list[tuple[str, dict]] = []
    spy = _spy(_read(searchable), captured)
    fast_reads.first_page(spy, search=search, limit=5)
    fast_reads.batch_page(spy, search=search, offset=5, limit=5, matches=10)
    # many matches, but few enough candidates for the index: still by rowid, no walk
    fast_reads.batch_page(spy, search=search, limit=5, matches=fast_reads.DENSE_MATCHES + 1)
    for sql, params in captured:
        plan = _plan(searchable, sql, params)
        scans = {step.split()[1] for step in plan.split(" | ") if step.startswith("SCAN ")}
        assert not scans & {"b", "b3", "batches"}, (sql, plan)  # no walk over the batches
    page_plans = [_plan(searchable, sql, p) for sql, p in captured if "ORDER BY" in sql]
    assert page_plans
    for plan in page_plans:
        assert "VIRTUAL TABLE INDEX" in plan and "INTEGER PRIMARY KEY" in plan, plan


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    search=st.text(alphabet=ALPHABET + "zqM", min_size=1, max_size=5),
    status=st.sampled_from([None, "released", "planned"]),
    descending=st.booleans(),
)
def test_date_ordered_search_matches_plain_like(searchable, search, status, descending):
    """The list's default order (date made) comes straight from the index's keys
    (migration 0009_speed): same rows, order and count as plain LIKE, both directions,
    with a status, paged."""
    _check(searchable, _read(searchable), search, status=status, descending=descending)


@pytest.mark.parametrize("dense", [5_000, 20])
@pytest.mark.parametrize("walk_rows", [4_000, 5])
def test_recipe_names_with_many_batches_walk_or_fall_back(
    searchable, monkeypatch, dense, walk_rows
):
    """A text naming recipes with many batches ("mash", one letter): the page comes from
    a short walk of the date-made index when it holds the page, else from the general
    plan -- the same rows either way."""
    monkeypatch.setattr(fast_reads, "DENSE_MATCHES", dense)
    monkeypatch.setattr(fast_reads, "WALK_ROWS", walk_rows)
    read = _read(searchable)
    for search in ("mash", "a", "MA", "1", "zz"):
        for descending in (True, False):
            _check(searchable, read, search, descending=descending)


def test_the_index_key_follows_a_changed_date_made(searchable):
    """The index's key holds the date made: a batch moved to another day moves in the
    search's order, and the old key is gone."""
    read = _read(searchable)
    ids = _search(read, "clair", None, "made_date", True)[0]
    assert len(ids) == 3
    # a released record cannot change: move one that is not released yet
    moved = searchable.execute(
        text(
            "SELECT id FROM batches WHERE lot_code LIKE '%clair%' AND status <> 'released' "
            "ORDER BY made_date LIMIT 1"
        )
    ).scalar()
    searchable.execute(
        text("UPDATE batches SET made_date = '2031-01-01' WHERE id = :i"), {"i": moved}
    )
    rest = [i for i in ids if i != moved]
    assert _search(read, "clair", None, "made_date", True)[0] == [moved, *rest]
    assert _search(read, "cla", None, "made_date", False)[0] == [*reversed(rest), moved]
    last = moved
    n_index = searchable.execute(text("SELECT COUNT(*) FROM batch_search")).scalar()
    assert n_index == searchable.execute(text("SELECT COUNT(*) FROM batches")).scalar()
    key = searchable.execute(
        text(
            "SELECT rowid FROM batch_search WHERE batch_search MATCH 'code : \"clair\"' "
            "ORDER BY rowid DESC LIMIT 1"
        )
    ).scalar()
    assert key & 0xFFFFFFFF == last
    assert key >> 32 == int(dt.date(2031, 1, 1).toordinal() + 1721424.5)


def test_date_ordered_page_reads_the_index_in_its_order(searchable):
    """The page query takes the index's matches in key order and stops: no sort of
    the candidates (only of the page itself), no scan of the batches."""
    captured: list[tuple[str, dict]] = []
    spy = _spy(_read(searchable), captured)
    for search in ("h", "hs", "clair"):
        fast_reads.first_page(spy, search=search, limit=5)
    pages = [(sql, p) for sql, p in captured if "LIMIT :n" in sql]
    assert len(pages) == 3
    for sql, params in pages:
        plan = _plan(searchable, sql, params).split(" | ")
        fts = [step for step in plan if "VIRTUAL TABLE INDEX" in step]
        assert fts and all(step.startswith("SCAN f ") for step in fts), plan
        scans = {step.split()[1] for step in plan if step.startswith("SCAN ")}
        assert not scans & {"b", "batches"}, plan
        # one sort: the page's own rows, after the index gave them in order (a text
        # that names a recipe also merges its few batches: a UNION's temp b-tree)
        sorts = [step for step in plan if "TEMP B-TREE FOR" in step and "UNION" not in step]
        assert len(sorts) <= 1, plan


@pytest.mark.parametrize("status", [None, "planned"])
def test_exact_count_from_the_index_equals_plain_like(searchable, status):
    """The worker's exact count reads the index for a text it matches exactly (three
    characters or more, no wildcard), adding the named recipes' other batches; the
    same figure as counting plain LIKE's rows."""
    read = _read(searchable)
    for search in ("mash", "clair", "sauce", "hs-", "ab", "a%b", "no such", "1", "MASH"):
        want = _plain_like(searchable, search, status, "made_date", True)
        got = fast_reads.count_matching_batches(read, status=status, search=search)
        assert got == len(want), (search, status)


@pytest.mark.parametrize(
    "search",
    ["éclair-01", "ÉCLAIR-0", "xéclair-01", "strasse-1", "STRASSE-1 ", "Qlair-02", "a_clair-0"],
)
def test_long_texts_looked_up_by_their_tail_match_plain_like(searchable, search):
    """A text longer than PHRASE_CHARS is looked up by its tail (the codes that share
    it are candidates) and confirmed by LIKE: the same rows, order and counts as plain
    LIKE, including texts whose tail matches codes the whole text does not."""
    assert len(search.strip()) > fast_reads.PHRASE_CHARS
    read = _read(searchable)
    for sort in ("made_date", "lot_code"):
        _check(searchable, read, search, sort=sort, descending=sort == "made_date")
    _check(searchable, read, search, status="planned")
    want = _plain_like(searchable, search, None, "made_date", True)
    assert fast_reads.count_matching_batches(read, search=search) == len(want)
