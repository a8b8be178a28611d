"""Import benchmark: a year of receipts from a spreadsheet, checked (the preview) and
imported (one unit of work), as CSV and as XLSX.

    python bench/imports.py [--materials 500] [--lots 2000]

A fresh database gets ``--materials`` materials and suppliers (imported too), then
``--lots`` lots (mixed dd/mm/yyyy dates, money with currency signs, every column
filled).  Printed: rows per second for reading the file, for the preview and for the
import, and the import's time per row against the receive-lot service called directly
(the price of the row bookkeeping: reading cells, dates and money, the duplicate checks,
the report).  Target: the import within 1.2x of calling the service in a loop; the rest
of the time is ``receive_lot`` itself (its lot code generation probes the codes of the
day one by one).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from smallbatch_desktop.db.engine import open_database
from smallbatch_desktop.domain.models import Material, Supplier
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services.imports import (
    KINDS,
    auto_map,
    import_table,
    read_table,
    run_import,
)

T = TypeVar("T")


def write_files(folder: Path, n_mat: int, n_lots: int) -> dict[str, Path]:
    rnd = random.Random(7)
    sup = folder / "suppliers.csv"
    with open(sup, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Supplier", "Email", "City", "Country"])
        for i in range(n_mat // 5 + 1):
            w.writerow([f"Supplier {i:04d}", f"s{i}@x.example", "Leeds", "UK"])
    mat = folder / "materials.csv"
    with open(mat, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Code", "Name", "Unit", "Reorder level", "Default supplier"])
        for i in range(n_mat):
            w.writerow(
                [
                    f"M{i:05d}",
                    f"Material {i}",
                    rnd.choice(["kg", "l", "pcs", "g"]),
                    "5",
                    f"Supplier {i // 5:04d}",
                ]
            )
    header = [
        "Material",
        "Qty",
        "Supplier",
        "Supplier lot",
        "Unit cost",
        "Received",
        "Best before",
        "Origin",
        "Certifications",
        "Document",
    ]
    rows = []
    day0 = dt.date(2025, 1, 1)
    for i in range(n_lots):
        m = rnd.randrange(n_mat)
        got = day0 + dt.timedelta(days=rnd.randrange(330))
        rows.append(
            [
                f"M{m:05d}",
                f"{rnd.randint(1, 500)}.{rnd.randint(0, 99):02d}",
                f"Supplier {m // 5:04d}",
                f"SL-{i:06d}",
                f"£{rnd.randint(1, 90)}.{rnd.randint(0, 99):02d}",
                got.strftime("%d/%m/%Y"),
                (got + dt.timedelta(days=400)).strftime("%d/%m/%Y"),
                "Kent, UK",
                "Organic",
                f"INV-{i // 20}",
            ]
        )
    lots = folder / "lots.csv"
    with open(lots, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Lots")
    ws.append(header)
    for r in rows:
        ws.append(r)
    lots_x = folder / "lots.xlsx"
    wb.save(lots_x)
    return {"suppliers": sup, "materials": mat, "lots": lots, "lots_xlsx": lots_x}


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--materials", type=int, default=500)
    ap.add_argument("--lots", type=int, default=2_000)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="smallbatch-bench-import-"))
    files = write_files(folder, args.materials, args.lots)
    engine, sf = open_database(folder / "bench.sqlite")
    for kind in ("suppliers", "materials"):
        t = read_table(files[kind])
        k = KINDS[kind]
        with sf.begin() as s:
            import_table(s, t, k, auto_map(t.headers, k.fields))
    k = KINDS["lots"]
    n = args.lots
    for name in ("lots", "lots_xlsx"):
        table, t_read = timed(lambda name=name: read_table(files[name]))
        print(f"read {files[name].name}: {n / t_read:,.0f} rows/s ({t_read:.2f} s)")
    table = read_table(files["lots"])
    mapping = auto_map(table.headers, k.fields)
    with sf() as s:
        report, t_check = timed(lambda: run_import(s, table, k, mapping))
        s.rollback()
    assert report.ok and len(report.created) == n, report.problems[:3]
    print(
        f"preview (every row checked, then rolled back): {n / t_check:,.0f} rows/s ({t_check:.2f} s)"
    )
    # the same lots through receive_lot directly, for the bookkeeping's price
    with sf() as s:
        mids = {c: i for c, i in s.execute(select(Material.code, Material.id))}
        sids = {nm: i for nm, i in s.execute(select(Supplier.name, Supplier.id))}

        def direct() -> None:
            for r in table.rows:
                d, m, y = (int(x) for x in r[5].split("/"))
                inv.receive_lot(
                    s,
                    material_id=mids[r[0]],
                    quantity=r[1],
                    supplier_id=sids[r[2]],
                    supplier_lot_code=r[3],
                    unit_cost=r[4].lstrip("£"),
                    currency="GBP",
                    received_date=dt.date(y, m, d),
                    origin=r[7],
                    certifications=r[8],
                    document_ref=r[9],
                )

        _none, t_direct = timed(direct)
        s.rollback()
    with sf.begin() as s:
        _r, t_import = timed(lambda: import_table(s, table, k, mapping))
    print(f"import (one unit of work): {n / t_import:,.0f} rows/s ({t_import:.2f} s)")
    print(f"receive_lot in a loop: {n / t_direct:,.0f} rows/s ({t_direct:.2f} s)")
    ratio = t_import / t_direct
    print(f"import / direct service calls: {ratio:.2f}x (target <= 1.2x)")
    engine.dispose()
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
