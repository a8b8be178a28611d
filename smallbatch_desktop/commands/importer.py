"""``smallbatch import {materials,suppliers,customers,lots} FILE``: master data from CSV/XLSX.

The mapping found from the headers is printed first; ``--map FIELD=COLUMN`` changes it.
Every bad row is printed on its own line (``row 7, Qty: must be greater than zero``) and
the command exits 2 with nothing written; ``--dry-run`` checks without writing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from smallbatch_desktop.cli import EXIT_USER_ERROR, add_db_argument, open_db

if TYPE_CHECKING:
    from smallbatch_desktop.services.imports import ImportReport, Problem


def add_common(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.add_argument("file", metavar="FILE", help="a .csv or .xlsx file, one header row")
    p.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="take FIELD from the column with this header (or number); FIELD= leaves it out",
    )
    p.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        help="how to read numeric dates like 05/03/2026 when the file does not settle it",
    )
    p.add_argument("--sheet", help="XLSX: the sheet to read (default: the first)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import materials, suppliers, customers or received lots from CSV or XLSX",
        description="Import master data from a spreadsheet. Nothing is written unless "
        "every row is good; rows already in the database are skipped and listed.",
    )
    p.add_argument("kind", choices=("materials", "suppliers", "customers", "lots"))
    add_common(p)
    p.set_defaults(func=run)


def print_report(report: ImportReport, *, dry_run: bool) -> None:
    stream = sys.stdout
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for o in report.duplicates:
        print(f"row {o.row}: skipped, duplicate: {o.text}", file=stream)
    verb = "would import" if dry_run else "imported"
    for o in report.created:
        print(f"row {o.row}: {verb} {o.text}", file=stream)


def print_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(p.line(), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from smallbatch_desktop.services.common import current_user
    from smallbatch_desktop.services.imports import (
        KINDS,
        ImportRefused,
        import_table,
        read_table,
        run_import,
    )
    from smallbatch_desktop.services.imports.mapping import (
        apply_overrides,
        auto_map,
        describe,
        parse_overrides,
    )
    from smallbatch_desktop.services.imports.validate import DateOrder

    kind = KINDS[args.kind]
    table = read_table(args.file, sheet=args.sheet)
    mapping = apply_overrides(
        auto_map(table.headers, kind.fields), parse_overrides(args.map, table.headers, kind.fields)
    )
    print(f"{kind.title} from {table.source}, {len(table)} rows; columns:", file=sys.stderr)
    print("\n".join(describe(mapping, table.headers, kind.fields)), file=sys.stderr)
    order = DateOrder(args.date_order) if args.date_order else None
    # a dry run only reads: it never creates a database
    engine, sf = open_db(args, read_only=args.dry_run)
    actor = current_user()
    try:
        if args.dry_run:
            with sf.trial() as s:  # written to check, rolled back
                report = run_import(s, table, kind, mapping, date_order=order, actor=actor)
        else:
            try:
                from smallbatch_desktop.db.engine import run_write

                report = run_write(  # one unit of work: all or nothing
                    sf,
                    lambda s: import_table(s, table, kind, mapping, date_order=order, actor=actor),
                )
            except ImportRefused as exc:
                report = exc.report
    finally:
        engine.dispose()
    if not report.ok:
        print_problems(report.problems)
        if report.needs_date_order:
            print(
                "choose the date order with --date-order dmy or --date-order mdy", file=sys.stderr
            )
        print(
            f"smallbatch: error: {len(report.bad_rows())} bad rows; nothing imported",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    print_report(report, dry_run=args.dry_run)
    verb = "would be imported (dry run, nothing written)" if args.dry_run else "imported"
    print(
        f"{len(report.created)} {verb}, {len(report.duplicates)} duplicates skipped",
        file=sys.stderr,
    )
    return 0
