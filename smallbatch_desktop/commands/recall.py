"""``smallbatch recall LOT --out FILE.pdf [--csv FILE.csv] [--drill]``: the recall report.

With ``--drill`` the report is a timed mock recall, recorded in the drill history;
``--history`` lists past drills instead.
"""

from __future__ import annotations

import argparse
import sys

from smallbatch_desktop.cli import add_db_argument, open_db
from smallbatch_desktop.commands.sheet import check_out
from smallbatch_desktop.domain.errors import NotFoundError, ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "recall",
        help="recall report for a lot: every affected batch, shipment and customer (PDF, CSV)",
    )
    p.add_argument(
        "lot",
        nargs="?",
        metavar="LOT",
        help="our lot code (material lot or batch) or a supplier lot code",
    )
    add_db_argument(p)
    p.add_argument("--out", metavar="FILE.pdf", help="write the report as PDF")
    p.add_argument("--csv", metavar="FILE.csv", help="also write it as CSV")
    p.add_argument(
        "--drill", action="store_true", help="a timed mock recall, recorded in the drill history"
    )
    p.add_argument("--history", action="store_true", help="list recorded drills and exit")
    p.add_argument("--invariant", action="store_true", help="reproducible PDF output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.history:
        engine, sf = open_db(args, read_only=True)
        try:
            return _history(sf)
        finally:
            engine.dispose()
    if not args.lot:
        raise ValidationError("lot: give the lot code to recall", field="lot")
    if not args.out and not args.csv:
        raise ValidationError("--out: give --out FILE.pdf and/or --csv FILE.csv", field="out")
    pdf_path = check_out(args.out, suffix=".pdf") if args.out else None
    csv_path = check_out(args.csv, suffix=".csv", field="csv") if args.csv else None

    from smallbatch_desktop.domain.csvsafe import open_csv
    from smallbatch_desktop.domain.records import RecallReport
    from smallbatch_desktop.pdf.recall import render_recall_report
    from smallbatch_desktop.services.drills import LOT_NOT_FOUND, run_drill
    from smallbatch_desktop.services.recall import recall_report, write_recall_csv

    def produce(report: RecallReport) -> None:
        if pdf_path is not None:
            render_recall_report(report, pdf_path, invariant=args.invariant)
        if csv_path is not None:
            with open_csv(csv_path) as f:
                write_recall_csv(report, f)

    # a drill is recorded in the history; a plain report only reads
    engine, sf = open_db(args, read_only=not args.drill)
    try:
        if args.drill:
            from smallbatch_desktop.db.engine import run_write

            drill, report = run_write(sf, lambda s: run_drill(s, args.lot, produce=produce))
            if drill.result == LOT_NOT_FOUND:
                # recorded as a failed drill, and still an error for the command
                raise NotFoundError(drill.notes, field="lot")
            assert report is not None
            print(
                f"drill #{drill.id}: {drill.result_label} in {drill.duration_ms} ms: "
                f"{drill.batches_found} batches, {drill.shipments_found} shipments, "
                f"{drill.customers_found} customers"
            )
        else:
            with sf() as s:  # a read: it never waits for another workstation's write
                report = recall_report(s, args.lot)
            produce(report)
            print(
                f"recall {report.lot.lot_code}: {report.batch_count} batches, "
                f"{report.shipment_count} shipments, {len(report.customers)} customers"
            )
    finally:
        engine.dispose()
    for path in (pdf_path, csv_path):
        if path is not None:
            print(f"written {path}", file=sys.stderr)
    if pdf_path is not None and (report.omitted_batches or report.omitted_shipments):
        print(
            f"the PDF lists the first {len(report.batches):,} batches and "
            f"{len(report.shipments):,} shipments; "
            + (
                f"{csv_path} has every one"
                if csv_path is not None
                else "add --csv FILE.csv for every one"
            ),
            file=sys.stderr,
        )
    return 0


def _history(sf: object) -> int:
    from smallbatch_desktop.pdf.common import local_time
    from smallbatch_desktop.services.drills import drill_history

    with sf() as s:  # type: ignore[operator]
        rows = drill_history(s)
    if not rows:
        print("no drills recorded")
        return 0
    print(
        f"{'started':<22} {'lot':<20} {'result':<14} {'ms':>8} {'batches':>8} {'ships':>7} {'cust':>5}"
    )
    for d in rows:
        print(
            f"{local_time(d.started_at):<22} {d.lot_code:<20} {d.result_label:<14} "
            f"{d.duration_ms if d.duration_ms is not None else '':>8} {d.batches_found:>8} "
            f"{d.shipments_found:>7} {d.customers_found:>5}"
        )
    return 0
