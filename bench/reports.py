"""Report benchmark: provenance sheet of a wide batch, recall of the busiest raw lot.

    python bench/reports.py [--scale 200000] [--db PATH] [--repeat 5]
    python bench/reports.py --scale 1000000      # the recall at a million batches

- provenance sheet of a 50-input batch: building the ``BatchRecord`` from the database
  and rendering the PDF, in a scratch database made with the report tests' factory
  (target: < 200 ms for both together);
- recall report of the most-used raw material lot on a ``--scale`` database (built once
  with ``smallbatch demo --scale N`` through ``bench/_data.py``, or given with ``--db``):
  trace + report assembly, CSV and PDF, each timed, and the total (target: < 3 s up to
  200,000 batches, < 10 s at a million), with the CPU time and the load average.

Prints the medians of ``--repeat`` runs and the targets.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from _data import scale_db  # noqa: E402

from smallbatch_desktop.db.engine import open_database  # noqa: E402
from smallbatch_desktop.pdf.provenance import render_provenance_sheet  # noqa: E402
from smallbatch_desktop.pdf.recall import render_recall_report  # noqa: E402
from smallbatch_desktop.services.recall import recall_report, write_recall_csv  # noqa: E402
from smallbatch_desktop.services.reports import batch_record  # noqa: E402

SHEET_TARGET_MS = 200
RECALL_TARGET_MS = 3000
#: above 200,000 batches (the recall of a million-batch database's busiest lot reaches
#: some 137,000 batches and 117,000 shipments): PDF and CSV within seconds all the same
RECALL_TARGET_1M_MS = 10_000


def _median(values: list[float]) -> float:
    return statistics.median(values)


def bench_sheet(repeat: int) -> tuple[float, float, float]:
    from unit.services.reports_factory import wide_batch

    with tempfile.TemporaryDirectory() as tmp:
        engine, sf = open_database(Path(tmp) / "sheet.sqlite")
        with sf.begin() as s:
            batch_id = wide_batch(s, 50, lot_code="BENCH-050").id
        with sf() as s:  # warm up: fonts, caches
            render_provenance_sheet(batch_record(s, batch_id))
        rec_ms, pdf_ms, cpu_ms = [], [], []
        for _ in range(repeat):
            c0 = time.process_time()
            with sf() as s:
                t0 = time.perf_counter()
                record = batch_record(s, batch_id)
                t1 = time.perf_counter()
            render_provenance_sheet(record)
            t2 = time.perf_counter()
            cpu_ms.append((time.process_time() - c0) * 1000)
            rec_ms.append((t1 - t0) * 1000)
            pdf_ms.append((t2 - t1) * 1000)
        engine.dispose()
    return _median(rec_ms), _median(pdf_ms), _median(cpu_ms)


def bench_recall(db: Path, repeat: int) -> dict[str, float | int | str]:
    """The recall of the most-used raw lot: medians of each step, wall and CPU."""
    engine, sf = open_database(db)
    with sf() as s:
        conn = s.connection()
        lot = conn.exec_driver_sql(
            "SELECT l.lot_code FROM consumptions c JOIN material_lots l ON l.id = c.material_lot_id "
            "GROUP BY c.material_lot_id ORDER BY COUNT(*) DESC LIMIT 1"
        ).scalar_one()
        size = conn.exec_driver_sql("SELECT COUNT(*) FROM batches").scalar_one()
        recall_report(s, lot)  # warm the page cache
    rep_ms, csv_ms, pdf_ms, cpu_ms = [], [], [], []
    out: dict[str, float | int | str] = {"lot": lot, "size": size}
    for _ in range(repeat):
        c0 = time.process_time()
        with sf() as s:
            t0 = time.perf_counter()
            report = recall_report(s, lot)
            t1 = time.perf_counter()
        buf = io.StringIO()
        rows = write_recall_csv(report, buf)
        t2 = time.perf_counter()
        pdf = render_recall_report(report)
        t3 = time.perf_counter()
        cpu_ms.append((time.process_time() - c0) * 1000)
        rep_ms.append((t1 - t0) * 1000)
        csv_ms.append((t2 - t1) * 1000)
        pdf_ms.append((t3 - t2) * 1000)
        out.update(
            batches=report.batch_count,
            shipments=report.shipment_count,
            listed=len(report.batches),
            csv_rows=rows,
            pages=pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages"),
        )
    engine.dispose()
    out.update(
        report=_median(rep_ms), csv=_median(csv_ms), pdf=_median(pdf_ms), cpu=_median(cpu_ms)
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--scale", type=int, default=200_000)
    ap.add_argument("--db", help="an existing scale database (else built once and cached)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sheet-only", action="store_true", help="the provenance sheet alone")
    args = ap.parse_args()

    import os

    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    rec, pdf, cpu = bench_sheet(args.repeat)
    total = rec + pdf
    verdict = "ok" if total < SHEET_TARGET_MS else "OVER TARGET"
    print(
        f"provenance sheet, 50 inputs: record {rec:.0f} ms + PDF {pdf:.0f} ms = "
        f"{total:.0f} ms, CPU {cpu:.0f} ms (target < {SHEET_TARGET_MS} ms: "
        f"{total / SHEET_TARGET_MS:.2f}x of it) {verdict}"
    )
    if args.sheet_only:
        return 0

    db = Path(args.db) if args.db else scale_db(args.scale)
    r = bench_recall(db, max(1, min(args.repeat, 3)))
    total = float(r["report"]) + float(r["csv"]) + float(r["pdf"])
    target = RECALL_TARGET_MS if int(r["size"]) <= 200_000 else RECALL_TARGET_1M_MS
    verdict = "ok" if total < target else "OVER TARGET"
    print(
        f"recall of {r['lot']} ({r['batches']:,} batches, {r['shipments']:,} shipments) on "
        f"{db.name} ({r['size']:,} batches): trace+report {r['report']:.0f} ms + CSV "
        f"{r['csv']:.0f} ms ({r['csv_rows']:,} rows) + PDF {r['pdf']:.0f} ms ({r['pages']} pages, "
        f"{r['listed']} batches listed) = {total:.0f} ms, CPU {r['cpu']:.0f} ms "
        f"(target < {target} ms: {total / target:.2f}x of it) {verdict}"
    )
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        print(
            "note: rl-accel (ReportLab's C accelerator, one of the app's dependencies) is "
            "not installed: the provenance sheet renders about a third slower without it"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
