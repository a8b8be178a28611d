"""``smallbatch demo``: fill a database with the demo workshop, optionally scaled up."""

from __future__ import annotations

import argparse
import sys
import time

from smallbatch_desktop.cli import add_db_argument, open_db
from smallbatch_desktop.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="load the demo workshop (and optionally N generated batches)")
    add_db_argument(p)
    p.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="also generate N batches with lots, consumptions and shipments (benchmarks)",
    )
    p.add_argument("--seed", type=int, default=7, help="random seed for --scale")
    p.add_argument(
        "--no-demo", action="store_true", help="with --scale: skip the hand-made demo workshop"
    )
    p.add_argument(
        "--without-snapshots",
        action="store_true",
        help="with --scale: leave the released batches without their snapshots, as in a "
        "database from before snapshots were kept (to time the upgrade that takes them)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from smallbatch_desktop.services.demo import generate_scale, load_demo

    if args.scale < 0:
        raise ValidationError("--scale: must be zero or more", field="scale")
    engine, sf = open_db(args)
    started = time.perf_counter()
    if not args.no_demo:
        from smallbatch_desktop.db.engine import run_write

        run_write(sf, load_demo)
        print("demo workshop loaded", file=sys.stderr)
    elif args.scale == 0:
        raise ValidationError(
            "--no-demo: give --scale N too, or there is nothing to load", field="no-demo"
        )
    if args.scale:

        def progress(done: int, total: int) -> None:
            print(f"\rgenerated {done:,} / {total:,} batches", end="", file=sys.stderr, flush=True)

        generate_scale(
            engine,
            args.scale,
            seed=args.seed,
            progress=progress,
            snapshots=not args.without_snapshots,
        )
        print(file=sys.stderr)
    print(
        f"done in {time.perf_counter() - started:.1f} s: {engine.url.render_as_string(hide_password=True)}"
    )
    engine.dispose()
    return 0
