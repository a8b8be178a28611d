"""A forward trace worked out in plain Python, to check the trace's SQL against.

``make_genealogy`` builds a workshop's genealogy with intermediates at several depths
(a batch uses raw lots and batches of any earlier generation, so the same product sits
at different depths, with diamonds), batches in every status, shipments, and released
records whose names differ from today's (snapshots taken, then the recipes, a material
and the supplier renamed).  ``python_forward`` walks the consumptions table level by
level in Python and builds the trace from plain reads of the tables, by the rules the
trace documents: every path is an edge (a consumption reached twice through a diamond
is listed twice), a released record's product name and its material inputs as recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from factories import DAY, kitchen
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.models import (
    Batch,
    BatchSnapshot,
    Consumption,
    Customer,
    Material,
    MaterialLot,
    Recipe,
    RecipeVersion,
    Shipment,
    Supplier,
)
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.services import snapshots, trace
from smallbatch_desktop.services.fast_reads import db_date

STATUSES = ("released",) * 6 + ("rejected", "recalled", "qc_hold", "in_production")


def make_genealogy(session: Session, *, n: int = 240, seed: int = 1414) -> list[str]:
    """``n`` batches in 16 generations on the kitchen's two raw lots; returns the lot
    codes worth tracing from (both raw lots, then batches at several depths)."""
    k = kitchen(session)
    session.flush()
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    customers = [
        session.execute(
            insert(Customer).values(name=name, contact=contact, created_at=now)
        ).inserted_primary_key[0]
        for name, contact in (("Corner Deli", "Ana"), ("Green Grocer", ""), ("Web shop", "Bo"))
    ]
    lots = [k.chili_lot.id, k.vinegar_lot.id]
    generations: list[list[int]] = []
    ids: list[int] = []
    per_gen = max(1, n // 16)
    for i in range(n):
        gen = i // per_gen
        if gen == len(generations):
            generations.append([])
        day = DAY + dt.timedelta(days=i)
        bid = session.execute(
            insert(Batch).values(
                lot_code=f"W-{i:04d}",
                recipe_version_id=(k.mash_v.id, k.sauce_v.id)[rng.random() < 0.4],
                status="in_production",  # its own status once its inputs are in
                planned_quantity=Decimal(10),
                unit="pcs",
                scale_factor=Decimal(1),
                made_date=day,
                best_before=None if i % 7 == 0 else day + dt.timedelta(days=90),
                created_at=now,
            )
        ).inserted_primary_key[0]
        sources: list[dict[str, int]] = []
        if gen == 0 or rng.random() < 0.5:
            sources += [{"material_lot_id": lot} for lot in rng.sample(lots, rng.randint(1, 2))]
        if gen:
            # mostly the generation before (depth grows), sometimes one far earlier
            # (the same product at a shallower depth), sometimes two (a diamond)
            for _ in range(1 if rng.random() < 0.75 else 2):
                back = 1 if rng.random() < 0.7 else rng.randint(1, gen)
                sources.append({"input_batch_id": rng.choice(generations[gen - back])})
        for src in sources:
            q = Decimal(rng.randint(1, 900)) / 100_000  # within what lots and batches hold
            session.execute(
                insert(Consumption).values(
                    batch_id=bid, quantity=q, unit=rng.choice(("kg", "g")), entered_quantity=q,
                    entered_unit="kg", recorded_by="test", recorded_at=now, **src,
                )
            )  # fmt: skip
        for m in range(rng.choice((0, 0, 1, 1, 2, 3))):
            session.execute(
                insert(Shipment).values(
                    batch_id=bid, customer_id=rng.choice(customers), quantity=Decimal(m + 1),
                    unit="pcs", shipped_date=day + dt.timedelta(days=rng.randint(0, 9)),
                    document_type="invoice", document_number=f"INV-{i}-{m}",
                    recorded_by="test", created_at=now,
                )
            )  # fmt: skip
        ids.append(bid)
        generations[gen].append(bid)
    for bid in ids:
        session.execute(update(Batch).where(Batch.id == bid).values(status=rng.choice(STATUSES)))
    session.flush()
    # released records: a snapshot for most frozen batches (the others were released
    # before snapshots were kept), then today's names change under them
    for batch in session.scalars(select(Batch).where(Batch.id.in_(ids[::2]))):
        if batch.status in snapshots.FROZEN:
            snapshots.take(session, batch)
    session.execute(update(Recipe).values(name=Recipe.name + " (renamed)"))
    session.execute(update(Material).values(name=Material.name + " (renamed)"))
    session.execute(update(Supplier).values(name="Chili Farm Co-op"))
    session.flush()
    session.expire_all()
    codes = [k.chili_lot.lot_code, k.vinegar_lot.lot_code]
    picks = (0, 1, 3, n // 14, n // 6, n // 6 + 1, n * 3 // 8, n * 5 // 9, n * 5 // 6, n - 1)
    return codes + [f"W-{i:04d}" for i in picks]


def _record(data: object) -> dict[str, Any]:
    if isinstance(data, str):
        data = json.loads(data)
    return data.get("record") or {} if isinstance(data, dict) else {}


def python_forward(session: Session, code: str) -> tuple[list, list]:
    """(edges, shipments) of the forward trace from ``code``, as ``TraceEdge`` and
    ``TraceShipment`` tuples, worked out from the tables in Python."""
    ref = trace.find_lot(session, code)
    cons = session.execute(
        select(
            Consumption.id,
            Consumption.batch_id,
            Consumption.material_lot_id,
            Consumption.input_batch_id,
            Consumption.quantity,
            Consumption.unit,
        )
    ).all()
    users: dict[tuple[str, int], list] = defaultdict(list)
    for c in cons:
        if c.material_lot_id is not None:
            users["material", c.material_lot_id].append(c)
        else:
            users["batch", c.input_batch_id].append(c)
    recipe_of = dict(
        session.execute(
            select(RecipeVersion.id, Recipe.name).join(Recipe, Recipe.id == RecipeVersion.recipe_id)
        ).all()
    )
    batches = {b.id: b for b in session.scalars(select(Batch))}
    records = {s.batch_id: _record(s.data) for s in session.scalars(select(BatchSnapshot))}

    def product(bid: int, *, frozen_only: bool = True) -> str:
        b = batches[bid]
        kept = records.get(bid, {}).get("recipe_name")
        if kept and (b.status in trace.FROZEN or not frozen_only):
            return kept
        return recipe_of[b.recipe_version_id]

    if ref.kind == "material":
        lot = session.get(MaterialLot, ref.id)
        assert lot is not None
        root = ("material", lot.id, lot.lot_code, lot.material.name,
                lot.supplier.name if lot.supplier else "", lot.supplier_lot_code or "",
                lot.origin or "", lot.certifications or "", lot.expiry_date)  # fmt: skip
    else:
        rb = batches[ref.id]
        root = ("batch", rb.id, rb.lot_code, product(rb.id, frozen_only=False),
                "", "", "", "", rb.best_before)  # fmt: skip
    # level by level: every path to a consumption is an edge, to MAX_DEPTH levels
    level = [(1, c) for c in users[ref.kind, ref.id]]
    walked = []
    while level:
        walked += level
        level = [
            (depth + 1, nxt)
            for depth, c in level
            if depth < trace.MAX_DEPTH
            for nxt in users["batch", c.batch_id]
        ]
    direct = {c.batch_id for depth, c in walked if depth == 1}
    edges = []
    for depth, c in walked:
        consumer = batches[c.batch_id]
        if depth == 1:
            source = root
        else:
            src = batches[c.input_batch_id]
            source = ("batch", src.id, src.lot_code, product(src.id), "", "", "", "",
                      src.best_before)  # fmt: skip
        kind, sid, scode, name, sup, sup_lot, origin, certs, expiry = source
        if ref.kind == "material" and c.batch_id in direct and c.batch_id in records:
            # a direct user's record keeps its inputs' names, suppliers and origins
            lines = {
                ln["lot_code"]: ln
                for ln in records[c.batch_id].get("inputs") or ()
                if ln.get("level") == 1
            }
            line = lines.get(scode)
            if line is not None:
                name = line.get("name") or name
                sup = line.get("supplier", sup)
                sup_lot = line.get("supplier_lot_code", sup_lot)
                origin = line.get("origin", origin)
                certs = line.get("certifications", certs)
        edges.append(
            trace.TraceEdge(
                depth, consumer.id, consumer.lot_code, product(consumer.id), kind, sid, scode,
                name, c.quantity, c.unit, sup, sup_lot, origin, certs, expiry, c.id,
            )
        )  # fmt: skip
    reached = {c.batch_id for _depth, c in walked}
    if ref.kind == "batch":
        reached.add(ref.id)
    ships = []
    for sh in session.scalars(select(Shipment).where(Shipment.batch_id.in_(reached))):
        b = batches[sh.batch_id]
        name = root[3] if (ref.kind, b.id) == ("batch", ref.id) else product(b.id)
        ships.append(
            trace.TraceShipment(
                sh.id, b.id, b.lot_code, name, sh.customer_id, sh.customer.name,
                sh.customer.contact or "", sh.quantity, sh.unit, sh.shipped_date,
                sh.document_type, sh.document_number,
            )
        )  # fmt: skip
    ships.sort(key=lambda s: (s.shipped_date, s.shipment_id))
    return edges, ships


def check_against_python_walk(session, codes):
    """``trace_forward`` and ``forward_rows`` from each of ``codes`` give what a plain
    Python walk of the tables gives (``trace_walk.python_forward``): the same edges (an
    edge reached through two paths twice), depths, sources, quantities, units, expiry
    dates, names as released records keep them, and shipments.  Returns the deepest
    depth and how many edges were reached twice, to show the genealogy was worth it."""
    deepest = twice = 0
    for code in codes:
        want_edges, want_ships = python_forward(session, code)
        got = trace.trace_forward(session, code)
        assert Counter(got.edges) == Counter(want_edges), code
        assert len(got.edges) == len(want_edges), code
        keys = [(e.depth, e.consumer_lot_code, e.consumption_id) for e in got.edges]
        assert keys == sorted(keys), code
        assert list(got.shipments) == want_ships, code
        # the recall's lean rows: the same walk, the batches' own columns
        rows = trace.forward_rows(session, got.root)
        assert rows.edges == sorted(
            (
                (e.depth, e.consumer_batch_id,
                 e.source_id if e.source_kind == "material" else None,
                 e.source_id if e.source_kind == "batch" else None, e.consumption_id)
                for e in want_edges
            ),
            key=lambda e: (e[0], e[4]),
        ), code  # fmt: skip
        assert set(rows.batches) == {e.consumer_batch_id for e in want_edges}, code
        for bid, (lot_code, product, status, made, best_before, qty, unit) in rows.batches.items():
            b = session.get(Batch, bid)
            assert (lot_code, status, unit) == (b.lot_code, b.status, b.unit)
            assert (db_date(made), db_date(best_before)) == (b.made_date, b.best_before)
            assert from_fixed(qty) == (b.actual_quantity or b.planned_quantity)
            assert product in {e.consumer_product for e in want_edges if e.consumer_batch_id == bid}
        assert sorted(s[1] for s in rows.shipments) == sorted(s.shipment_id for s in want_ships)
        deepest = max([deepest, *(e.depth for e in want_edges)])
        twice += len(want_edges) - len({e.consumption_id for e in want_edges})
    return deepest, twice
