"""``smallbatch orders import FILE``: orders from a Shopify, Etsy, WooCommerce or Square
CSV export.

The platform is detected from the headers (``--platform`` to say it); the column mapping
and the product list (which recipe each SKU or name becomes, and why) are printed;
``--product SKU=CODE`` chooses a product, and a clean import remembers the choices.
Every bad row is printed on its own line and the command exits 2 with nothing written.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from smallbatch_desktop.cli import EXIT_USER_ERROR
from smallbatch_desktop.commands.importer import add_common, print_problems, print_report

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("orders", help="customers' orders: import from web shop exports")
    orders_sub = p.add_subparsers(dest="orders_command", metavar="ACTION", required=True)
    imp = orders_sub.add_parser(
        "import",
        help="import orders from a Shopify, Etsy, WooCommerce or Square CSV export",
        description="Import orders from a web shop export. Orders already in Smallbatch "
        "(same order number) and orders the shop cancelled are skipped and listed; "
        "nothing is written unless every row is good.",
    )
    add_common(imp)
    imp.add_argument(
        "--platform",
        choices=("shopify", "etsy", "woocommerce", "square"),
        help="the export's platform (default: detected from the headers)",
    )
    imp.add_argument(
        "--product",
        action="append",
        default=[],
        metavar="SKU=CODE",
        help="make the export's product (its SKU, or its name) the product with this code",
    )
    imp.add_argument(
        "--channel",
        choices=("shop", "market", "wholesale", "web"),
        help="the orders' channel (default: web; market for Square)",
    )
    imp.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from smallbatch_desktop.cli import open_db
    from smallbatch_desktop.domain.errors import ValidationError
    from smallbatch_desktop.services.common import current_user
    from smallbatch_desktop.services.imports import ImportRefused, read_table
    from smallbatch_desktop.services.imports.mapping import (
        apply_overrides,
        auto_map,
        describe,
        parse_overrides,
    )
    from smallbatch_desktop.services.imports.orders import (
        OrderReport,
        import_orders,
        resolve_choices,
        run_order_import,
    )
    from smallbatch_desktop.services.imports.platforms import PLATFORMS, detect_platform
    from smallbatch_desktop.services.imports.validate import DateOrder

    table = read_table(args.file, sheet=args.sheet)
    platform = PLATFORMS[args.platform] if args.platform else detect_platform(table.headers)
    if platform is None:
        raise ValidationError(
            f"--platform: {table.source} is not a Shopify, Etsy, WooCommerce or Square "
            "export I recognise; say which with --platform",
            field="platform",
        )
    mapping = apply_overrides(
        auto_map(table.headers, platform.fields),
        parse_overrides(args.map, table.headers, platform.fields),
    )
    print(f"{platform.title} from {table.source}, {len(table)} rows; columns:", file=sys.stderr)
    print("\n".join(describe(mapping, table.headers, platform.fields)), file=sys.stderr)
    order = DateOrder(args.date_order) if args.date_order else None
    actor = current_user()
    engine, sf = open_db(args, read_only=args.dry_run)

    def check(s: Session, products: dict[str, str | None] | None = None) -> OrderReport:
        return run_order_import(
            s,
            table,
            platform,
            mapping,
            products=products,
            date_order=order,
            channel=args.channel,
            actor=actor,
        )

    try:
        # previews write their rows to check them, and roll them back
        with sf.trial() as s:
            chosen = resolve_choices(args.product, check(s).products)
        if args.dry_run:
            with sf.trial() as s:
                report = check(s, chosen)
        if not args.dry_run:
            try:
                from smallbatch_desktop.db.engine import run_write

                report = run_write(  # one unit of work: all or nothing
                    sf,
                    lambda s: import_orders(
                        s,
                        table,
                        platform,
                        mapping,
                        products=chosen,
                        date_order=order,
                        channel=args.channel,
                        actor=actor,
                    ),
                )
            except ImportRefused as exc:
                assert isinstance(exc.report, OrderReport)
                report = exc.report
    finally:
        engine.dispose()
    print("products:", file=sys.stderr)
    for pc in report.products:
        target = f"{pc.recipe} ({pc.how})" if pc.recipe else "NOT CHOSEN: use --product"
        print(f"  {pc.label} [{pc.lines} lines] -> {target}", file=sys.stderr)
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
    for o in report.skipped:
        print(f"row {o.row}: skipped, {o.text}")
    verb = "would be imported (dry run, nothing written)" if args.dry_run else "imported"
    print(f"{report.summary()}; {verb}", file=sys.stderr)
    return 0
