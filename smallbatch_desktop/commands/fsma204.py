"""``smallbatch fsma204 --from DATE --to DATE --out FILE.csv``: the FSMA 204 spreadsheet."""

from __future__ import annotations

import argparse
import sys

from smallbatch_desktop.cli import add_db_argument, open_db
from smallbatch_desktop.commands.sheet import check_out


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fsma204",
        help="FSMA 204 sortable spreadsheet (CSV) of receiving, transformation and shipping events",
    )
    add_db_argument(p)
    p.add_argument(
        "--from", dest="start", required=True, metavar="DATE", help="first day, YYYY-MM-DD"
    )
    p.add_argument("--to", dest="end", required=True, metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="where to write the CSV")
    p.add_argument(
        "--include-packaging",
        action="store_true",
        help="also list packaging materials (not food, left out by default)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from smallbatch_desktop.domain.csvsafe import open_csv
    from smallbatch_desktop.services.fsma import date_range, fsma_events, write_fsma_csv

    start, end = date_range(args.start, args.end)
    out = check_out(args.out, suffix=".csv")
    engine, sf = open_db(args, read_only=True)
    try:
        with sf() as s:  # a read: it never waits for another workstation's write
            rows = fsma_events(s, start, end, include_packaging=args.include_packaging)
    finally:
        engine.dispose()
    with open_csv(out) as f:
        n = write_fsma_csv(rows, f)
    print(
        f"{n} events from {start.isoformat()} to {end.isoformat()} written to {out}",
        file=sys.stderr,
    )
    return 0
