"""Trace benchmark: services vs raw sqlite3 on the same recursive query.

    python bench/trace.py [--scale 200000] [--db PATH] [--repeat 50]
    python bench/trace.py --scale 1000000     # about 5 million consumption rows

On a ``--scale 200000`` database (about a million consumption rows): forward trace of
the most-used raw material lot and backward trace of a deepest batch, timed through the
services (SQLAlchemy session, dataclasses out) and through plain ``sqlite3`` running the
very same SQL.  Targets: services within 1.3x of raw sqlite3; backward under 5 ms.

The forward trace's SQL is also timed against the least any forward trace can do: a
minimal walk of the same edges that reads only the consumption indexes and returns
(depth, batch, consumption) per edge.  Target: the forward trace SQL within 2x of it.
Printed with it: the trace's walk alone (its recursive CTE with the edge columns a trace
shows: quantity, unit and source too), to tell the walk from what the trace reads of
the batches and shipments it reaches.  Wall and CPU times, with the load average.

``--view``: also the Trace view (offscreen Qt) given the forward trace, as the trace job
hands it over: the time to lay out the tree's shape (on the job's worker thread) and the
time the UI thread spends showing it, to its first paint.  Target: the UI thread under
1 s whatever the trace's size (it used to build every row: 32 s at a million batches).

A database from before migration 0007_snapshot_backfill is upgraded when opened, which
snapshots every released batch (long at a million): stamp a copy you only time with
``UPDATE alembic_version SET version_num = '0007_snapshot_backfill'``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import paired_median_ms, paired_medians, scale_db

from smallbatch_desktop.db.engine import open_database
from smallbatch_desktop.services import trace


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scale", type=int, default=200_000)
    ap.add_argument("--db", help="use this database instead of building one")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--view", action="store_true", help="also time the Trace view's tree")
    args = ap.parse_args()
    path = Path(args.db) if args.db else scale_db(args.scale)
    raw = sqlite3.connect(path)
    # the same connection settings the app uses (db/engine.py), so only the code differs
    for pragma in (
        "foreign_keys=ON",
        "busy_timeout=5000",
        "synchronous=NORMAL",
        "temp_store=MEMORY",
        "cache_size=-32000",
    ):
        raw.execute(f"PRAGMA {pragma}")
    n_cons = raw.execute("SELECT COUNT(*) FROM consumptions").fetchone()[0]
    n_batches = raw.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
    lot_id, uses = raw.execute(
        "SELECT material_lot_id, COUNT(*) n FROM consumptions WHERE material_lot_id IS NOT NULL "
        "GROUP BY material_lot_id ORDER BY n DESC LIMIT 1"
    ).fetchone()
    lot_code = raw.execute("SELECT lot_code FROM material_lots WHERE id = ?", (lot_id,)).fetchone()[
        0
    ]

    engine, sf = open_database(path)
    session = sf()
    # a deepest batch: among the latest 200 batches, the one whose backward trace goes deepest
    candidates = [
        r[0] for r in raw.execute("SELECT lot_code FROM batches ORDER BY id DESC LIMIT 200")
    ]
    deepest = max(
        candidates,
        key=lambda c: max((e.depth for e in trace.trace_backward(session, c).edges), default=0),
    )
    back = trace.trace_backward(session, deepest)
    fwd = trace.trace_forward(session, lot_code)
    back_ref, fwd_ref = back.root, fwd.root

    back_sql = str(trace._BACKWARD)
    fwd_sql = str(trace._FORWARD)
    minimal_sql = (
        "WITH RECURSIVE t(batch_id, depth, cid) AS ("
        " SELECT batch_id, 1, id FROM consumptions WHERE material_lot_id = :lot"
        " UNION ALL SELECT c.batch_id, t.depth + 1, c.id FROM consumptions c"
        f" JOIN t ON c.input_batch_id = t.batch_id WHERE t.depth < {trace.MAX_DEPTH})"
        " SELECT depth, batch_id, cid FROM t"
    )
    plan = " / ".join(
        str(r[3]) for r in raw.execute("EXPLAIN QUERY PLAN " + minimal_sql, {"lot": 0})
    )
    assert "COVERING INDEX" in plan, plan

    def raw_back() -> None:
        raw.execute(back_sql, {"root": back_ref.id}).fetchall()

    def raw_fwd() -> None:
        raw.execute(fwd_sql, {"lot": fwd_ref.id, "bat": None}).fetchall()

    def raw_minimal() -> None:
        raw.execute(minimal_sql, {"lot": fwd_ref.id}).fetchall()

    walk_sql = f"{trace._FORWARD_WALK}SELECT {trace._EDGE_COLUMNS} FROM t"

    def raw_walk() -> None:
        raw.execute(walk_sql, {"lot": fwd_ref.id, "bat": None}).fetchall()

    def svc_back() -> None:
        trace.trace_backward(session, back_ref)

    def svc_fwd() -> None:
        trace.trace_forward(session, fwd_ref)

    rows_raw_back = len(raw.execute(back_sql, {"root": back_ref.id}).fetchall())
    assert rows_raw_back == len(back.edges), "services and raw SQL disagree"

    print(f"database: {path}  ({n_batches:,} batches, {n_cons:,} consumption rows)")
    print(
        f"backward: batch {deepest}: {len(back.edges)} edges, depth {max(e.depth for e in back.edges)}"
    )
    print(
        f"forward:  lot {lot_code} (used {uses:,} times): {len(fwd.edges):,} edges, "
        f"{len(fwd.batch_ids):,} batches, {len(fwd.shipments):,} shipments"
    )
    results = {}
    for name, svc, rawf, rep in (
        ("backward", svc_back, raw_back, args.repeat * 10),
        ("forward", svc_fwd, raw_fwd, max(5, args.repeat // 2)),
    ):
        t_svc, t_raw = paired_median_ms(svc, rawf, rep)
        results[name] = (t_svc, t_raw)
        print(
            f"{name:9s} services {t_svc:8.2f} ms   raw sqlite3 {t_raw:8.2f} ms   ratio {t_svc / t_raw:5.2f}x  (target <= 1.30x)"
        )
    n_min = len(raw.execute(minimal_sql, {"lot": fwd_ref.id}).fetchall())
    assert n_min == len(fwd.edges), "the minimal walk and the trace disagree"
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    rep = max(5, args.repeat // 2)
    (w_fwd, c_fwd), (w_min, c_min) = paired_medians(raw_fwd, raw_minimal, rep)
    (w_walk, c_walk), (w_min2, c_min2) = paired_medians(raw_walk, raw_minimal, rep)
    ratio, cpu_ratio = w_fwd / w_min, c_fwd / c_min
    print(
        f"forward trace SQL {w_fwd:8.2f} ms (CPU {c_fwd:.0f} ms)   minimal index-only walk "
        f"{w_min:8.2f} ms (CPU {c_min:.0f} ms)   ratio {ratio:5.2f}x, by CPU time "
        f"{cpu_ratio:5.2f}x  (target <= 2.00x) -> "
        f"{'met' if max(ratio, cpu_ratio) <= 2 else 'NOT met'}"
    )
    print(
        f"  of which the trace's walk alone {w_walk:8.2f} ms (CPU {c_walk:.0f} ms): "
        f"{w_walk / w_min2:5.2f}x the minimal walk, by CPU time {c_walk / c_min2:5.2f}x; "
        "the rest is the batches and shipments it reaches"
    )
    print(f"load average {load} before, {' / '.join(f'{x:.2f}' for x in os.getloadavg())} after")
    ok_back = results["backward"][0] < 5.0
    print(
        f"backward trace under 5 ms: {'yes' if ok_back else 'NO'} ({results['backward'][0]:.2f} ms)"
    )
    if args.view:
        _time_view(sf, back, fwd)
    session.close()
    engine.dispose()
    return 0


def _time_view(sf: object, back: trace.TraceResult, fwd: trace.TraceResult) -> None:
    """The Trace view shown the forward trace: the tree's shape laid out (the job's
    worker thread) and the UI thread's time to the first paint, medians of 3."""
    import statistics
    import time

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from smallbatch_desktop.ui.models.trace_tree import TraceTree
    from smallbatch_desktop.ui.testing import make_context
    from smallbatch_desktop.ui.views.trace import TraceView

    app = QApplication.instance() or QApplication([])
    view = TraceView(make_context(sf))  # type: ignore[arg-type]
    view.resize(1280, 800)
    view.show()
    app.processEvents()
    layout, shown = [], []
    for _ in range(3):
        started = time.perf_counter()
        tree = TraceTree(fwd)
        layout.append(time.perf_counter() - started)
        started = time.perf_counter()
        view._show((back, fwd, tree), 0.0)
        view.forward.viewport().repaint()
        app.processEvents()
        shown.append(time.perf_counter() - started)
    ui = statistics.median(shown)
    print(
        f"trace view: {len(tree):,} forward rows; shape laid out on the worker thread in "
        f"{statistics.median(layout) * 1000:.0f} ms; UI thread to the first paint "
        f"{ui * 1000:.0f} ms (target < 1000 ms: {'met' if ui < 1 else 'NOT met'})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
