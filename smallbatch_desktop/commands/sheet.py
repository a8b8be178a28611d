"""``smallbatch sheet --batch LOT --out FILE.pdf [--card]``: the provenance sheet or card."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smallbatch_desktop.cli import add_db_argument, open_db
from smallbatch_desktop.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sheet",
        help="write a batch's provenance sheet (or, with --card, its customer card) as PDF",
    )
    add_db_argument(p)
    p.add_argument("--batch", required=True, metavar="LOT", help="the batch's lot code")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument(
        "--card", action="store_true", help="the one-page customer card instead of the sheet"
    )
    p.add_argument(
        "--pdfa",
        action="store_true",
        help="the batch record as PDF/A-2b, the archive format (XMP metadata, sRGB output "
        "intent, every font embedded)",
    )
    p.add_argument(
        "--invariant",
        action="store_true",
        help="reproducible output (fixed document id and dates), for tests and diffs",
    )
    p.set_defaults(func=run)


def check_out(path: str, *, suffix: str, field: str = "out") -> Path:
    """The output file: its folder must exist; the suffix is what the user asked for."""
    out = Path(path).expanduser()
    if not str(path).strip():
        raise ValidationError(f"--{field}: give a file name", field=field)
    if out.is_dir():
        raise ValidationError(f"--{field}: {out} is a folder, give a file name", field=field)
    if not out.parent.exists():
        raise ValidationError(f"--{field}: folder {out.parent} does not exist", field=field)
    if out.suffix.lower() != suffix:
        raise ValidationError(f"--{field}: {out.name} should end in {suffix}", field=field)
    return out


def run(args: argparse.Namespace) -> int:
    from smallbatch_desktop.pdf.provenance import render_provenance_card, render_provenance_sheet
    from smallbatch_desktop.services.reports import batch_record_for_lot

    out = check_out(args.out, suffix=".pdf")
    if args.pdfa and args.card:
        raise ValidationError(
            "--pdfa: the PDF/A archive format is for the batch record, not the customer card",
            field="pdfa",
        )
    engine, sf = open_db(args, read_only=True)
    try:
        with sf() as s:  # a read: it never waits for another workstation's write
            record = batch_record_for_lot(s, args.batch)
    finally:
        engine.dispose()
    if args.card:
        data = render_provenance_card(record, out, invariant=args.invariant)
    else:
        data = render_provenance_sheet(record, out, invariant=args.invariant, pdfa=args.pdfa)
    what = (
        "card" if args.card else "provenance sheet (PDF/A-2b)" if args.pdfa else "provenance sheet"
    )
    print(f"{what} for {record.lot_code} written to {out} ({len(data):,} bytes)", file=sys.stderr)
    return 0
