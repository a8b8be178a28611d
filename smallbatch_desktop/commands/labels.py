"""``smallbatch labels``: print a batch's labels to a PDF, headless.

    smallbatch labels --db shop.sqlite --batch HS-26327-01 --stock 5160 --copies 24 \
        --skip 3 --profile "Office laser" --out labels.pdf

For a released batch the "n of N" numbers are reserved first, in their own committed
unit of work (another workstation printing the same batch waits, then continues after
them); then the labels are rendered and written, and if that fails the numbers are
given back.  A batch that is not released, or ``--draft``, prints watermarked drafts
that neither use nor check numbers.  ``--calibration`` prints the printer
calibration sheet for the stock instead.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from smallbatch_desktop.cli import add_db_argument, open_db
from smallbatch_desktop.commands.sheet import check_out

#: labels are drawn for the printer's resolution (barcodes snap to its dots): say so when
#: no profile chose one, instead of a silent 300 dpi
NO_PROFILE_WARNING = (
    "warning: no printer profile: rendered for 300 dpi; a 203 dpi thermal printer needs "
    "its own (--profile NAME, or set a default printer profile in the app)"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "labels",
        help="print a batch's labels (or a calibration sheet) to a PDF",
        description="Render a batch's labels to PDF. Released batches print final labels "
        "numbered after the last run; other batches print DRAFT labels.",
    )
    add_db_argument(p)
    p.add_argument("--batch", metavar="LOT", help="the batch's lot code")
    p.add_argument("--layout", metavar="NAME", help="label layout (default: the recipe's)")
    p.add_argument(
        "--stock",
        metavar="PART",
        help='label stock: "5160", "Avery L7160", a custom stock '
        'name or "roll:100x50" (default: the layout\'s)',
    )
    p.add_argument("--copies", type=int, metavar="N", help="labels to print")
    p.add_argument("--skip", type=int, default=0, metavar="K", help="used positions on the sheet")
    p.add_argument("--start-number", type=int, metavar="N", help="reprint: first 'n of N' number")
    p.add_argument("--total", type=int, metavar="N", help="the N of 'n of N'")
    p.add_argument("--profile", metavar="NAME", help="printer profile (dpi, offsets)")
    p.add_argument("--draft", action="store_true", help="proof only: watermark, no numbers used")
    p.add_argument(
        "--calibration", action="store_true", help="print the calibration sheet for --stock"
    )
    p.add_argument("--by", metavar="NAME", default="", help="who prints (for the record)")
    p.add_argument("--out", metavar="FILE.pdf", required=True, help="PDF file to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the output is checked before anything is opened, imported or rendered: a folder
    # that does not exist is one line at once, not after a second of loading
    out = check_out(args.out, suffix=".pdf")

    from smallbatch_desktop.db.engine import run_write
    from smallbatch_desktop.domain.errors import ValidationError
    from smallbatch_desktop.pdf.files import write_whole
    from smallbatch_desktop.pdf.labels import calibration_pdf, render_labels
    from smallbatch_desktop.services import labels as svc
    from smallbatch_desktop.services.common import current_user

    # drafts and calibration sheets use no numbers: they only read
    engine, session_factory = open_db(args, read_only=args.draft or args.calibration)
    by = args.by or current_user()
    try:
        if args.calibration:
            with session_factory() as s:
                stock = svc.resolve_stock(s, args.stock or "Avery 5160")
                profile = svc.get_printer_profile(s, args.profile) if args.profile else None
                pdf = calibration_pdf(
                    stock,
                    offset_x=float(profile.offset_x_mm) if profile else 0.0,
                    offset_y=float(profile.offset_y_mm) if profile else 0.0,
                    dpi=profile.dpi if profile else 300,
                    profile_name=profile.name if profile else "",
                )
            out.write_bytes(pdf)
            if profile is None:
                print(NO_PROFILE_WARNING, file=sys.stderr)
            print(f"calibration sheet for {stock.key} written to {out}")
            return 0
        if not args.batch:
            raise ValidationError("batch: give --batch LOT", field="batch")

        def reserve(s: Any) -> tuple[svc.PrintPlan, int | None]:
            plan = svc.plan_print(
                s,
                lot=args.batch,
                layout_name=args.layout,
                stock_key=args.stock,
                copies=args.copies,
                skip=args.skip,
                start_number=args.start_number,
                total=args.total,
                profile_name=args.profile,
                final=not args.draft,
                lock_numbers=True,
            )
            run = svc.reserve_print_run(s, plan, printed_by=by)
            return plan, run.id if run is not None else None

        # a final run's numbers, reserved and committed (a draft only reads)
        if args.draft:
            with session_factory() as s:
                plan, run_id = reserve(s)
        else:
            plan, run_id = run_write(session_factory, reserve)
        try:
            result = render_labels(plan.job)
            write_whole(out, result.pdf)
        except BaseException as exc:
            if run_id is not None:
                reason = f"the labels were not made: {exc}"
                run_write(
                    session_factory,
                    lambda s: svc.release_print_run(s, run_id, actor=by, reason=reason),
                )
            raise
    finally:
        engine.dispose()
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not plan.profile_name:
        print(NO_PROFILE_WARNING, file=sys.stderr)
    kind = "final" if plan.final else "DRAFT"
    print(
        f"{result.labels} {kind} labels for {plan.lot} (numbers {plan.first_number}-"
        f"{plan.last_number} of {plan.total}) on {plan.stock_key}, layout {plan.layout_name!r}, "
        f"{result.pages} page(s): {out}"
    )
    return 0
