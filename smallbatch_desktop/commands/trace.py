"""``smallbatch trace LOT``: where a lot came from and where it went."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from smallbatch_desktop.cli import add_db_argument, open_db, open_reader
from smallbatch_desktop.domain.units import format_quantity


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trace", help="trace a lot backward (inputs) and/or forward (batches, shipments)"
    )
    p.add_argument(
        "lot", metavar="LOT", help="our lot code (batch or material lot) or a supplier lot code"
    )
    add_db_argument(p)
    p.add_argument("--direction", choices=("back", "forward", "both"), default="both")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from smallbatch_desktop.services.trace import find_lot, trace_backward, trace_forward

    # an SQLite file at the newest schema is read with plain sqlite3 (no SQLAlchemy
    # import: most of a small trace's time); anything else through the usual session
    fast = open_reader(args)
    if fast is not None:
        source, close = fast
    else:
        engine, sf = open_db(args, read_only=True)
        source = sf()

        def close() -> None:
            source.close()
            engine.dispose()

    try:
        ref = find_lot(source, args.lot)
        results = []
        if args.direction in ("back", "both"):
            results.append(trace_backward(source, ref))
        if args.direction in ("forward", "both"):
            results.append(trace_forward(source, ref))
    finally:
        close()
    out = sys.stdout
    if args.format == "json":
        json.dump([_as_json(r) for r in results], out, indent=2, ensure_ascii=False, default=str)
        out.write("\n")
    elif args.format == "csv":
        from smallbatch_desktop.domain.csvsafe import SafeWriter

        w = SafeWriter(out)
        w.writerow(
            [
                "direction",
                "level",
                "kind",
                "consumer_lot",
                "consumer_product",
                "source_kind",
                "source_lot",
                "source_name",
                "quantity",
                "unit",
                "supplier",
                "supplier_lot",
                "origin",
                "customer",
                "shipped_date",
                "document",
            ]
        )
        for r in results:
            for level, e in r.walk():
                w.writerow(
                    (
                        r.direction,
                        level,
                        "edge",
                        e.consumer_lot_code,
                        e.consumer_product,
                        e.source_kind,
                        e.source_lot_code,
                        e.source_name,
                        e.quantity,
                        e.unit,
                        e.supplier,
                        e.supplier_lot_code,
                        e.origin,
                        "",
                        "",
                        "",
                    )
                )
            for sh in r.shipments:
                w.writerow(
                    (
                        r.direction,
                        "",
                        "shipment",
                        sh.batch_lot_code,
                        sh.product,
                        "",
                        "",
                        "",
                        sh.quantity,
                        sh.unit,
                        "",
                        "",
                        "",
                        sh.customer,
                        sh.shipped_date,
                        f"{sh.document_type} {sh.document_number}".strip(),
                    )
                )
    else:
        for r in results:
            _print_text(r, out)
    return 0


def _as_json(r: Any) -> dict[str, Any]:
    return {
        "root": {"kind": r.root.kind, "lot_code": r.root.lot_code, "name": r.root.name},
        "direction": r.direction,
        "origin": None
        if r.origin is None
        else {
            "supplier": r.origin.supplier,
            "supplier_lot": r.origin.supplier_lot_code,
            "origin": r.origin.origin,
            "certifications": r.origin.certifications,
            "received": r.origin.received_date.isoformat() if r.origin.received_date else None,
        },
        "edges": [
            {
                "level": level,
                "consumer_lot": e.consumer_lot_code,
                "consumer_product": e.consumer_product,
                "source_kind": e.source_kind,
                "source_lot": e.source_lot_code,
                "source_name": e.source_name,
                "quantity": str(e.quantity.normalize()),
                "unit": e.unit,
                "supplier": e.supplier,
                "supplier_lot": e.supplier_lot_code,
                "origin": e.origin,
                "certifications": e.certifications,
                "expiry": e.expiry.isoformat() if e.expiry else None,
            }
            for level, e in r.walk()
        ],
        "shipments": [
            {
                "batch_lot": sh.batch_lot_code,
                "product": sh.product,
                "customer": sh.customer,
                "quantity": str(sh.quantity.normalize()),
                "unit": sh.unit,
                "shipped_date": sh.shipped_date.isoformat(),
                "document_type": sh.document_type,
                "document_number": sh.document_number,
            }
            for sh in r.shipments
        ],
    }


def _print_text(r: Any, out: Any) -> None:
    title = "Backward (inputs)" if r.direction == "backward" else "Forward (used in, shipped to)"
    out.write(f"{title}: {r.root.lot_code}  {r.root.name}\n")
    if r.origin is not None:
        out.write(f"  {r.origin.text}\n")
    elif not r.edges and not r.shipments:
        out.write("  (nothing)\n")
    for level, e in r.walk():
        pad = "  " * level
        if r.direction == "backward":
            extra = (
                f"  supplier {e.supplier} lot {e.supplier_lot_code}, {e.origin}"
                if e.source_kind == "material"
                else ""
            )
            out.write(
                f"{pad}{e.source_lot_code}  {e.source_name}  {format_quantity(e.quantity, e.unit)}{extra}\n"
            )
        else:
            out.write(
                f"{pad}{e.consumer_lot_code}  {e.consumer_product}  used {format_quantity(e.quantity, e.unit)}\n"
            )
    if r.shipments:
        out.write("  Shipments:\n")
        for sh in r.shipments:
            out.write(
                f"    {sh.shipped_date.isoformat()}  {sh.batch_lot_code}  {format_quantity(sh.quantity, sh.unit)}"
                f"  to {sh.customer}  ({sh.document_type} {sh.document_number})\n"
            )
    out.write("\n")
