"""The same model layer on PostgreSQL (several workstations, one database).

Runs when ``SMALLBATCH_TEST_PG_URL`` names an empty scratch database (``.ci/run`` starts
a throw-away PostgreSQL server and sets it); skipped otherwise.
"""

import os

import pytest
from sqlalchemy import text

from smallbatch_desktop.db.engine import open_database

URL = os.environ.get("SMALLBATCH_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not URL, reason="SMALLBATCH_TEST_PG_URL not set")


@pytest.fixture
def pg():
    engine, sf = open_database(URL)
    yield engine, sf
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def test_demo_trace_and_stock_on_postgres(pg):
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import inventory as inv
    from smallbatch_desktop.services.demo import generate_scale, load_demo
    from smallbatch_desktop.services.trace import trace_backward, trace_forward

    engine, sf = pg
    with sf.begin() as s:
        load_demo(s)
    generate_scale(engine, 200)
    with sf() as s:
        fwd = trace_forward(s, "SPF-2409-A")
        assert {"Corner Deli", "Green Grocer Co-op"} <= set(fwd.customers)
        assert max(e.depth for e in fwd.edges) == 3
        hhs = next(e.consumer_lot_code for e in fwd.edges if e.depth == 3)
        back = trace_backward(s, hhs)
        assert any(e.supplier_lot_code == "SPF-2409-A" for e in back.edges)
        assert inv.low_stock(s) is not None
        assert bat.count_batches(s) == 217
        assert len(bat.list_batches(s, search="HHS", limit=5)) == 4
        lots = inv.list_lots(s, only_on_hand=True, fefo=True)
        assert lots and all(lot.on_hand > 0 for lot in lots)
    # ordinary inserts still work after the bulk load (sequences moved past explicit ids)
    with sf.begin() as s:
        v = s.execute(
            text("SELECT id FROM recipe_versions WHERE status = 'published' LIMIT 1")
        ).scalar()
        b = bat.plan_batch(s, recipe_version_id=v, planned_quantity="1")
        lot = inv.receive_lot(s, material_id=1, quantity="1")
        assert b.id > 217 and lot.id > 1


def test_batch_list_reads_on_postgres(pg):
    """The batch list's plain-SQL reads: SQLite's plan hints stay out, search ignores case,
    every sort column works, the first page's one query agrees with page + count, and
    migration 0006 gave the lot codes a pg_trgm index that ILIKE uses."""
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import fast_reads as fr
    from smallbatch_desktop.services.demo import load_demo

    _engine, sf = pg
    with sf.begin() as s:
        load_demo(s)
    with sf() as s:
        read = fr.session_reader(s)
        assert read.dialect == "postgresql"
        everything = {b.id for b in bat.list_batches(s, limit=1000)}
        for key in fr.SORT_KEYS:
            for descending in (False, True):
                rows = fr.batch_page(read, sort=key, descending=descending, limit=1000)
                assert {r.id for r in rows} == everything, key
        hot = fr.count_matching_batches(read, search="habanero")  # names say "Habanero"
        assert hot == len(bat.list_batches(s, search="Habanero", limit=1000)) > 0
        for key in fr.SORT_KEYS:
            page = fr.batch_page(read, search="habanero", sort=key, matches=hot, limit=5)
            first = fr.first_page(read, search="habanero", sort=key, limit=5)
            assert ([r.id for r in first.rows], first.count, first.exact) == (
                [r.id for r in page],
                hot,
                True,
            ), key
        assert fr.first_page(read, search="no such batch") == fr.FirstPage([], 0, True)
        assert not fr.has_search_index(read)  # SQLite's FTS table; here ILIKE uses pg_trgm
        index = s.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_batches_lot_code_trgm'")
        ).scalar()
        assert index is not None and "gin_trgm_ops" in index
        s.execute(text("SET LOCAL enable_seqscan = off"))  # the demo table is tiny
        plan = " ".join(
            r[0]
            for r in s.execute(
                text("EXPLAIN SELECT id FROM batches WHERE lot_code ILIKE '%hhs-26%'")
            )
        )
        assert "ix_batches_lot_code_trgm" in plan, plan


def test_recall_reads_on_postgres_as_on_sqlite(pg, tmp_path):
    """The recall's one-statement forward trace (one recursive walk, shipments joined)
    gives the same report on both databases, for a material lot and for a batch."""
    from smallbatch_desktop.domain.records import RecallSummary
    from smallbatch_desktop.services.demo import load_demo
    from smallbatch_desktop.services.recall import recall_report

    _, sf = pg
    lite_engine, lite_sf = open_database(tmp_path / "lite.sqlite")
    for maker in (sf, lite_sf):
        with maker.begin() as s:
            load_demo(s)
    with lite_sf() as s:
        batch_lot = (
            s.execute(
                text(
                    "SELECT b.lot_code FROM batches b JOIN consumptions c ON c.input_batch_id = b.id"
                )
            )
            .scalars()
            .first()
        )
    reports = []
    for maker in (sf, lite_sf):
        with maker() as s:
            reports.append([recall_report(s, lot) for lot in ("SPF-2409-A", batch_lot)])
    lite_engine.dispose()
    for on_pg, on_lite in zip(*reports, strict=True):
        assert on_pg.batches and on_pg.shipments
        assert on_pg.batches == on_lite.batches
        assert on_pg.shipments == on_lite.shipments
        assert on_pg.customers == on_lite.customers
        # the summary's SQL aggregates (JSON id list, per dialect) count what the rows hold
        assert on_pg.summary == on_lite.summary
        assert on_pg.summary == RecallSummary.of_rows(
            on_pg.batches, on_pg.shipments, len(on_pg.customers)
        )
        assert on_pg.omitted_batches == 0 and on_pg.summary.shipments > 0


def test_orders_planning_and_purchasing_on_postgres(pg):
    """The demo's orders through the whole path on PostgreSQL: the SQL of the make list,
    the FEFO pages, the order list and the recall's order numbers."""
    from smallbatch_desktop.services import orders as ords
    from smallbatch_desktop.services import planning, purchasing
    from smallbatch_desktop.services.demo import load_demo
    from smallbatch_desktop.services.order_labels import plan_order_labels
    from smallbatch_desktop.services.recall import recall_report

    _engine, sf = pg
    with sf.begin() as s:
        load_demo(s)
    with sf.begin() as s:
        make = {m.code: m for m in planning.make_list(s)}
        assert make["HHS"].batches == 6 and make["MASH"].batches >= 1
        assert ords.count_orders(s, active_only=True) == 5
        assert [r.number for r in ords.list_orders(s, search="anna")] == ["WEB-1001"]
        gift = ords.order_by_number(s, "WEB-1001")
        shipped = ords.ship_line(s, gift.lines[0].id)
        assert gift.status == "shipped" and shipped[0].document_number == "WEB-1001"
        labels = plan_order_labels(s, gift.lines[0].id, layout_name="Gift label 100 x 50")
        assert [lb.personal_text for lb in labels.job.labels] == [
            "Happy 40th, Dad!",
            "For Ben, the brave",
            "Cleo: extra hot",
        ]
        report = recall_report(s, shipped[0].batch.lot_code)
        assert "WEB-1001" in {x.order_number for x in report.shipments}
        drafts = purchasing.create_draft_pos(s)
        assert "Sunrise Pepper Farm" in {po.supplier.name for po in drafts.orders}
        assert len(planning.plan_make_list(s)) == sum(m.batches for m in make.values())


def test_forward_trace_equals_a_python_walk_on_postgres(pg):
    """The forward trace's PostgreSQL statement (the SQLite one names its indexes) gives
    what a plain Python walk of the tables gives, as on SQLite (test_trace_sql)."""
    from trace_walk import check_against_python_walk, make_genealogy

    from smallbatch_desktop.services import trace

    _, sf = pg
    with sf() as s:
        codes = make_genealogy(s, n=160)
        deepest, twice = check_against_python_walk(s, codes)
        assert deepest >= 8 and twice > 0
        # one evaluation of the walk: a recursive union, scanned by its step and once after
        stmt = text("EXPLAIN " + trace._FORWARD_OTHER)
        plan = " ".join(r[0] for r in s.execute(stmt, {"lot": 1, "bat": None}))
        assert plan.count("Recursive Union") == 1 and plan.count("CTE Scan on t") == 1, plan
