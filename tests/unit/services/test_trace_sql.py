"""The forward trace's SQL walks the genealogy once, over covering indexes, and gives
exactly what the earlier SQL gave (kept here verbatim as the reference): on a
generated genealogy with diamonds, intermediates of intermediates and depth, from
material lots and from batches, for ``trace_forward`` and for the recall's
``forward_rows``."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

import pytest
from factories import DAY, kitchen
from sqlalchemy import insert, text, update

from smallbatch_desktop.domain.models import Batch, Consumption, Customer, Shipment
from smallbatch_desktop.services import trace

#: the forward trace before issue 14: the recursive CTE was computed once per use
OLD_FORWARD = text(
    """
WITH RECURSIVE t(consumer_id, material_lot_id, input_batch_id, quantity, unit, depth, cid) AS (
    SELECT c.batch_id, c.material_lot_id, c.input_batch_id, c.quantity, c.unit, 1, c.id
    FROM consumptions c
    WHERE c.material_lot_id = CAST(:lot AS INTEGER) OR c.input_batch_id = CAST(:bat AS INTEGER)
    UNION ALL
    SELECT c.batch_id, c.material_lot_id, c.input_batch_id, c.quantity, c.unit, t.depth + 1, c.id
    FROM consumptions c JOIN t ON c.input_batch_id = t.consumer_id
    WHERE t.depth < 64
)

SELECT 0 AS kind, e.* FROM (
SELECT t.depth, t.consumer_id, cb.lot_code, cr.name,
       CASE WHEN t.material_lot_id IS NOT NULL THEN 'material' ELSE 'batch' END,
       COALESCE(t.material_lot_id, t.input_batch_id),
       COALESCE(ml.lot_code, ib.lot_code), COALESCE(m.name, ir.name),
       t.quantity, t.unit, COALESCE(s.name, ''), COALESCE(ml.supplier_lot_code, ''),
       COALESCE(ml.origin, ''), COALESCE(ml.certifications, ''),
       CASE WHEN t.material_lot_id IS NOT NULL THEN ml.expiry_date ELSE ib.best_before END,
       t.cid
FROM t
JOIN batches cb ON cb.id = t.consumer_id
JOIN recipe_versions cv ON cv.id = cb.recipe_version_id
JOIN recipes cr ON cr.id = cv.recipe_id
LEFT JOIN material_lots ml ON ml.id = t.material_lot_id
LEFT JOIN materials m ON m.id = ml.material_id
LEFT JOIN suppliers s ON s.id = ml.supplier_id
LEFT JOIN batches ib ON ib.id = t.input_batch_id
LEFT JOIN recipe_versions iv ON iv.id = ib.recipe_version_id
LEFT JOIN recipes ir ON ir.id = iv.recipe_id
) e
UNION ALL
SELECT 1, sh.id, sh.batch_id, b.lot_code, r.name, cu.name, cu.id,
       sh.document_type, sh.document_number, sh.quantity, sh.unit, cu.contact,
       NULL, NULL, NULL, sh.shipped_date, NULL
FROM shipments sh
JOIN batches b ON b.id = sh.batch_id
JOIN recipe_versions v ON v.id = b.recipe_version_id
JOIN recipes r ON r.id = v.recipe_id
JOIN customers cu ON cu.id = sh.customer_id
WHERE sh.batch_id IN (SELECT consumer_id FROM t) OR sh.batch_id = CAST(:bat AS INTEGER)
ORDER BY 1, 2, 4
"""
)

#: the recall's lean forward trace before issue 14 (three uses of the CTE)
OLD_FORWARD_ROWS = text(
    """WITH RECURSIVE t(consumer_id, material_lot_id, input_batch_id, depth, cid) AS (
    SELECT c.batch_id, c.material_lot_id, c.input_batch_id, 1, c.id
    FROM consumptions c
    WHERE c.material_lot_id = CAST(:lot AS INTEGER) OR c.input_batch_id = CAST(:bat AS INTEGER)
    UNION ALL
    SELECT c.batch_id, CAST(NULL AS INTEGER), c.input_batch_id, t.depth + 1, c.id
    FROM consumptions c JOIN t ON c.input_batch_id = t.consumer_id
    WHERE t.depth < 64
)
SELECT 0, t.depth, t.consumer_id, t.material_lot_id, t.input_batch_id, t.cid,
       NULL, NULL, NULL, NULL, NULL, NULL
FROM t
UNION ALL
SELECT 1, b.id, b.recipe_version_id, NULL, NULL, NULL,
       b.lot_code, b.status, b.unit, b.made_date, b.best_before,
       COALESCE(b.actual_quantity, b.planned_quantity)
FROM batches b
WHERE b.id IN (SELECT consumer_id FROM t)
UNION ALL
SELECT 2, sh.batch_id, sh.id, sh.customer_id, NULL, NULL,
       sh.document_type, sh.document_number, sh.unit, sh.shipped_date, NULL, sh.quantity
FROM shipments sh
WHERE sh.batch_id IN (SELECT consumer_id FROM t) OR sh.batch_id = CAST(:bat AS INTEGER)
"""
)


def _old_trace_forward(session, ref):
    params = {
        "lot": ref.id if ref.kind == "material" else None,
        "bat": ref.id if ref.kind == "batch" else None,
    }
    conv = trace._Conv()
    edges, ships = [], []
    for r in trace._fetch(session, OLD_FORWARD, params):
        if r[0] == 0:
            edges.append(conv.edge(r[1:]))
        else:
            ships.append(
                trace.TraceShipment(
                    r[1], r[2], r[3], r[4], r[6], r[5], r[11] or "", conv.quantity(r[9]),
                    r[10], conv.date(r[15]) or dt.date.min, r[7], r[8],
                )
            )  # fmt: skip
    ships.sort(key=lambda s: (s.shipped_date, s.shipment_id))
    return edges, ships


def _old_forward_rows(session, ref):
    params = {
        "lot": ref.id if ref.kind == "material" else None,
        "bat": ref.id if ref.kind == "batch" else None,
    }
    found: tuple[list, list, list] = ([], [], [])
    for r in trace._fetch(session, OLD_FORWARD_ROWS, params):
        found[r[0]].append(r)
    edges = sorted((r[1:6] for r in found[0]), key=lambda e: (e[0], e[4]))
    products = dict(trace._fetch(session, trace._PRODUCTS, {}))
    batches = {
        r[1]: (r[6], products.get(r[2], ""), r[7], r[9], r[10], r[11], r[8]) for r in found[1]
    }
    ships = [(r[1], r[2], r[3], r[6], r[7], r[9], r[11], r[8]) for r in found[2]]
    return edges, batches, ships


@pytest.fixture
def genealogy(session):
    """300 batches on the kitchen's recipes in 12 generations: each uses one or two of
    the raw lots and mostly one batch of the generation before; one in six uses a
    second one (a diamond: two inputs that share ancestors), so the chains are 12
    levels deep; zero to three shipments each."""
    k = kitchen(session)
    session.flush()
    rng = random.Random(1414)
    now = dt.datetime.now(dt.UTC)
    customers = []
    for i, name in enumerate(("Corner Deli", "Green Grocer", "Web shop")):
        customers.append(
            session.execute(
                insert(Customer).values(name=name, contact=("Ana", "", "Bo")[i], created_at=now)
            ).inserted_primary_key[0]
        )
    lots = [k.chili_lot.id, k.vinegar_lot.id]
    ids: list[int] = []
    generations: list[list[int]] = []
    for i in range(300):
        gen = i // 25
        if gen == len(generations):
            generations.append([])
        day = DAY + dt.timedelta(days=i)
        bid = session.execute(
            insert(Batch).values(
                lot_code=f"GEN-{i:04d}",
                recipe_version_id=(k.mash_v.id, k.sauce_v.id)[i % 2],
                status="in_production",  # released below, once its inputs are in
                planned_quantity=Decimal(10),
                unit="pcs",
                scale_factor=Decimal(1),
                made_date=day,
                best_before=None if i % 7 == 0 else day + dt.timedelta(days=90),
                created_at=now,
            )
        ).inserted_primary_key[0]
        cons = []
        if gen == 0 or rng.random() < 0.5:
            cons += [dict(material_lot_id=lot) for lot in rng.sample(lots, rng.randint(1, 2))]
        if gen:
            parents = rng.sample(generations[gen - 1], 2 if rng.random() < 1 / 6 else 1)
            cons += [dict(input_batch_id=p) for p in parents]
        for c in cons:
            q = Decimal(rng.randint(1, 900)) / 100_000  # within what the lots and batches hold
            session.execute(
                insert(Consumption).values(
                    batch_id=bid, quantity=q, unit="kg", entered_quantity=q, entered_unit="kg",
                    recorded_by="test", recorded_at=now, **c,
                )
            )  # fmt: skip
        for n in range(rng.choice((0, 0, 1, 1, 2, 3))):
            session.execute(
                insert(Shipment).values(
                    batch_id=bid, customer_id=rng.choice(customers), quantity=Decimal(n + 1),
                    unit="pcs", shipped_date=day + dt.timedelta(days=n), document_type="invoice",
                    document_number=f"INV-{i}-{n}", recorded_by="test", created_at=now,
                )
            )  # fmt: skip
        ids.append(bid)
        generations[gen].append(bid)
    session.execute(update(Batch).where(Batch.id.in_(ids)).values(status="released"))
    session.flush()
    return k, ids


def test_forward_trace_equals_the_earlier_sql(session, genealogy):
    k, _ids = genealogy
    roots = [k.chili_lot.lot_code, k.vinegar_lot.lot_code]
    roots += [f"GEN-{i:04d}" for i in (0, 1, 2, 5, 40, 41, 150, 222, 298, 299)]
    deepest = 0
    for code in roots:
        ref = trace.find_lot(session, code)
        new = trace.trace_forward(session, ref)
        old_edges, old_ships = _old_trace_forward(session, ref)
        assert Counter(new.edges) == Counter(old_edges), code
        assert len(new.edges) == len(old_edges)
        # the order a person reads: depth, then the consumer's lot code (then recorded)
        keys = [(e.depth, e.consumer_lot_code, e.consumption_id) for e in new.edges]
        assert keys == sorted(keys)
        assert list(new.shipments) == old_ships, code
        deepest = max([deepest, *(e.depth for e in new.edges)])
        # the recall's lean rows
        got = trace.forward_rows(session, ref)
        old = _old_forward_rows(session, ref)
        assert got.edges == old[0], code
        assert got.batches == old[1], code
        assert sorted(got.shipments) == sorted(old[2]), code
    # the genealogy was worth testing: deep, with diamonds (an edge reached twice)
    full = trace.trace_forward(session, k.chili_lot.lot_code)
    assert deepest >= 11
    ids_seen = [e.consumption_id for e in full.edges]
    assert len(ids_seen) > len(set(ids_seen))
    assert full.shipments and len({s.shipment_id for s in full.shipments}) == len(full.shipments)


def test_forward_walk_reads_only_covering_indexes(session, genealogy):
    raw = session.connection().connection.driver_connection
    plan = [
        str(r[3])
        for r in raw.execute(
            "EXPLAIN QUERY PLAN " + trace._FORWARD, {"lot": 1, "bat": None}
        ).fetchall()
    ]
    walk = [step for step in plan if step.startswith("SEARCH c ")]
    assert len(walk) == 3, plan  # the lot, the root batch, the recursive step
    assert all("COVERING INDEX" in step for step in walk), plan
    # one evaluation of the recursive CTE: t is scanned by the recursion and the outer
    # query, and set up once
    assert sum(step == "SCAN t" for step in plan) == 2, plan
    assert sum("MATERIALIZE t" in step or "CO-ROUTINE t" in step for step in plan) == 1, plan


def test_forward_trace_equals_a_python_walk(session):
    """On a genealogy with intermediates at several depths, diamonds, every status and
    released records whose names have since changed."""
    from trace_walk import check_against_python_walk, make_genealogy

    codes = make_genealogy(session)
    deepest, twice = check_against_python_walk(session, codes)
    assert deepest >= 10 and twice > 0
    # the released records' names are what the trace shows, not today's
    full = trace.trace_forward(session, codes[0])
    products = {e.consumer_product for e in full.edges}
    assert any("(renamed)" in p for p in products)
    assert any("(renamed)" not in p for p in products)
    sources = {e.source_name for e in full.edges if e.depth == 1}
    assert len(sources) == 2  # as recorded, and today's name for the unrecorded users


@pytest.mark.parametrize("stmt", ["_FORWARD", "_FORWARD_ROWS"])
def test_forward_reads_the_shipments_from_their_covering_index(session, stmt):
    """Past the walk, a forward statement reads each reached batch's row by its id and
    its shipments from ``ix_shipments_batch_trace`` alone (migration 0010_trace); the
    walk streams into those look-ups (a co-routine), it is not stored first."""
    raw = session.connection().connection.driver_connection
    sql = getattr(trace, stmt)
    plan = [str(r[3]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql, {"lot": 1, "bat": None})]
    reads = [step for step in plan if step.startswith("SEARCH ")]
    assert reads[-2:] == [
        "SEARCH b USING INTEGER PRIMARY KEY (rowid=?)",
        "SEARCH sh USING COVERING INDEX ix_shipments_batch_trace (batch_id=?) LEFT-JOIN",
    ], plan
    assert all("COVERING INDEX" in step for step in reads if step.startswith("SEARCH c ")), plan
    assert "CO-ROUTINE t" in plan and "MATERIALIZE t" not in plan, plan
    assert not any(step.startswith("SCAN ") and step != "SCAN t" for step in plan), plan
