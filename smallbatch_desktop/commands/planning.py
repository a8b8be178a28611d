"""``smallbatch make-list`` and ``smallbatch purchase-list``: what to make for the open
orders, and what to buy for it (text, CSV or JSON, like ``trace``).

``make-list --plan`` plans the batches; ``purchase-list --create-drafts`` turns what to
buy into draft purchase orders, one per default supplier. Each is one unit of work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from smallbatch_desktop.cli import add_db_argument, open_db
from smallbatch_desktop.domain.units import format_quantity

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Column = tuple[str, Callable[[Any], object]]

MAKE_COLUMNS: tuple[Column, ...] = (
    ("product_code", lambda m: m.code),
    ("product", lambda m: m.name),
    ("intermediate", lambda m: m.intermediate),
    ("unit", lambda m: m.unit),
    ("order_lines", lambda m: m.order_lines),
    ("ordered", lambda m: m.ordered),
    ("made_to_order", lambda m: m.made_to_order),
    ("allocated", lambda m: m.allocated),
    ("free_stock", lambda m: m.free_stock),
    ("in_progress", lambda m: m.in_progress),
    ("for_batches", lambda m: m.for_batches),
    ("to_make", lambda m: m.to_make),
    ("batch_size", lambda m: m.batch_size),
    ("batches", lambda m: m.batches),
    ("plan_quantity", lambda m: m.plan_quantity),
)

PURCHASE_COLUMNS: tuple[Column, ...] = (
    ("material_code", lambda m: m.code),
    ("material", lambda m: m.name),
    ("unit", lambda m: m.unit),
    ("for_proposed", lambda m: m.for_proposed),
    ("allocated", lambda m: m.allocated),
    ("required", lambda m: m.required),
    ("on_hand", lambda m: m.on_hand),
    ("available", lambda m: m.available),
    ("shortage", lambda m: m.shortage),
    ("on_order", lambda m: m.on_order),
    ("reorder_level", lambda m: m.reorder_level),
    ("to_buy", lambda m: m.to_buy),
    ("supplier", lambda m: m.supplier),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "make-list", help="what to make for the open orders, per product (rounded to batches)"
    )
    _common(p)
    p.add_argument(
        "--plan", action="store_true", help="plan the listed batches (one per batch size)"
    )
    p.add_argument("--made-date", metavar="DATE", help="the planned batches' date (default today)")
    p.set_defaults(func=run_make_list)
    p = sub.add_parser(
        "purchase-list",
        help="materials the make list and planned batches need, shortages and what to buy",
    )
    _common(p)
    p.add_argument(
        "--all",
        action="store_true",
        help="every material needed, not only those to buy",
    )
    p.add_argument(
        "--create-drafts",
        action="store_true",
        help="turn what to buy into draft purchase orders, one per default supplier",
    )
    p.set_defaults(func=run_purchase_list)


def _common(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--date", metavar="DATE", help="plan as of this day (YYYY-MM-DD; default today)")


def _day(args: argparse.Namespace) -> dt.date | None:
    if not args.date:
        return None
    from smallbatch_desktop.services.common import parse_date

    return parse_date(args.date, field="--date")


def run_make_list(args: argparse.Namespace) -> int:
    from smallbatch_desktop.db.engine import read_or_write
    from smallbatch_desktop.services.common import current_user
    from smallbatch_desktop.services.planning import demand_plan, plan_make_list

    today = _day(args)
    engine, sf = open_db(args, read_only=not args.plan)
    try:

        def work(s: Session) -> tuple[Any, list[tuple[str, str, Decimal, str]]]:
            plan = demand_plan(s, today=today)
            if not args.plan:
                return plan, []
            return plan, [
                (b.lot_code, b.recipe_version.recipe.name, b.planned_quantity, b.unit)
                for b in plan_make_list(
                    s, made_date=args.made_date, actor=current_user(), today=today
                )
            ]

        # only --plan writes (a write unit of work takes the lock before reading)
        plan, planned = read_or_write(sf, work, write=args.plan)
    finally:
        engine.dispose()
    rows = [m for m in plan.make if m.batches or m.ordered]
    _write(args.format, MAKE_COLUMNS, rows, sys.stdout, title="Make list", empty="no open orders")
    for w in plan.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if planned:
        print(f"planned {len(planned)} batches:", file=sys.stderr)
        for code, name, qty, unit in planned:
            print(f"  {code}  {name}  {format_quantity(qty, unit)}", file=sys.stderr)
    return 0


def run_purchase_list(args: argparse.Namespace) -> int:
    from smallbatch_desktop.db.engine import read_or_write
    from smallbatch_desktop.services.common import current_user
    from smallbatch_desktop.services.planning import demand_plan
    from smallbatch_desktop.services.purchasing import create_draft_pos

    today = _day(args)
    engine, sf = open_db(args, read_only=not args.create_drafts)
    try:

        def work(s: Session) -> tuple[Any, list[str], Sequence[tuple[str, str]]]:
            plan = demand_plan(s, today=today)
            if not args.create_drafts:
                return plan, [], ()
            result = create_draft_pos(s, actor=current_user(), today=today)
            drafts = [
                f"{po.number}  {po.supplier.name}  {len(po.lines)} lines" for po in result.orders
            ]
            return plan, drafts, result.no_supplier

        plan, drafts, missing = read_or_write(sf, work, write=args.create_drafts)
    finally:
        engine.dispose()
    rows = list(plan.materials if args.all else plan.to_buy)
    _write(
        args.format,
        PURCHASE_COLUMNS,
        rows,
        sys.stdout,
        title="Purchase list",
        empty="nothing to buy",
    )
    for w in plan.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for d in drafts:
        print(f"draft purchase order {d}", file=sys.stderr)
    for code, name in missing:
        print(f"not ordered: {code} ({name}) has no default supplier", file=sys.stderr)
    return 0


def _json_value(v: object) -> object:
    if isinstance(v, Decimal):
        return str(v.normalize()) if v else "0"
    return v


def _text_value(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, Decimal):
        return format_quantity(v)
    return str(v)


def _write(
    fmt: str,
    columns: Sequence[Column],
    rows: Sequence[Any],
    out: IO[str],
    *,
    title: str,
    empty: str,
) -> None:
    if fmt == "json":
        json.dump(
            [{name: _json_value(get(r)) for name, get in columns} for r in rows],
            out,
            indent=2,
            ensure_ascii=False,
        )
        out.write("\n")
        return
    if fmt == "csv":
        from smallbatch_desktop.domain.csvsafe import SafeWriter

        w = SafeWriter(out)
        w.writerow([name for name, _ in columns])
        for r in rows:
            w.writerow([get(r) for _, get in columns])
        return
    out.write(f"{title}\n")
    if not rows:
        out.write(f"  ({empty})\n")
        return
    table = [[name.replace("_", " ") for name, _ in columns]]
    table += [[_text_value(get(r)) for _, get in columns] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for row in table:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
