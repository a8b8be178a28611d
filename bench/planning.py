"""Planning benchmark: the make list and the material requirements for 1,000 open order
lines on a database of 100,000 batches.

    python bench/planning.py [--scale 100000] [--lines 1000] [--repeat 5]

The database is the ``smallbatch demo --scale N`` one of the other benchmarks (built once,
``bench/_data.py``; ``SMALLBATCH_BENCH_DIR`` chooses the folder), copied (the shared copy
is left as it is) and given ``--lines`` open
order lines over the generated product and the demo's products, a few of them allocated.
Prints the median time of ``demand_plan`` (make list and material requirements together,
what the make list dialog, the purchase list and the CLI compute), the target (1 s) and
the ratio, and, for information, one allocation of a line of the generated product.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _data import scale_db  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from smallbatch_desktop.db.engine import open_database  # noqa: E402
from smallbatch_desktop.domain.models import (  # noqa: E402
    Batch,
    Recipe,
    RecipeVersion,
    SalesOrderLine,
)
from smallbatch_desktop.services import orders as ords  # noqa: E402
from smallbatch_desktop.services.planning import demand_plan  # noqa: E402

TARGET_MS = 1000.0


def planning_db(scale: int, lines: int) -> Path:
    """The scale database with ``lines`` open order lines (cached beside it)."""
    base = scale_db(scale)
    target = base.with_name(f"smallbatch-planning-{scale}-{lines}.sqlite")
    if target.exists():
        return target
    tmp = target.with_suffix(".building")
    shutil.copyfile(base, tmp)
    engine, sf = open_database(tmp)  # migrates the copy to this version's schema
    started = time.perf_counter()
    with sf.begin() as s:
        products = list(
            s.scalars(
                select(Recipe.code)
                .where(
                    Recipe.intermediate.is_(False),
                    Recipe.archived.is_(False),
                    Recipe.id.in_(
                        select(RecipeVersion.recipe_id).where(RecipeVersion.status == "published")
                    ),
                )
                .order_by(Recipe.code)
            )
        )
        customers = ["Bench customer A", "Bench customer B", "Bench customer C"]
        per_order = 4
        made = 0
        i = 0
        while made < lines:
            n = min(per_order, lines - made)
            ords.create_order(
                s,
                customer=customers[i % len(customers)],
                create_customer=True,
                channel=ords.CHANNELS[i % len(ords.CHANNELS)],
                number=f"BENCH-{i:05d}",
                lines=[
                    ords.OrderLineInput(
                        products[(i + j) % len(products)],
                        str(1 + (i * 7 + j) % 60),
                        personal_text="For you" if j == 0 and i % 10 == 0 else "",
                        made_to_order=(i + j) % 9 == 0,
                    )
                    for j in range(n)
                ],
                actor="bench",
            )
            made += n
            i += 1
    print(f"{lines} order lines added in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    engine.dispose()
    tmp.rename(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = planning_db(args.scale, args.lines)
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    engine, sf = open_database(db)
    with sf() as s:
        n_batches = s.scalar(select(func.count()).select_from(Batch))
        n_lines = s.scalar(select(func.count()).select_from(SalesOrderLine))
        plan = demand_plan(s)  # warm: imports, statement cache, page cache
    times, cpu = [], []
    for _ in range(args.repeat):
        with sf() as s:
            t, c = time.perf_counter(), time.process_time()
            plan = demand_plan(s)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    median = statistics.median(times)
    print(f"database: {n_batches:,} batches, {n_lines:,} open order lines ({db})")
    print(
        f"make list: {len(plan.make)} products, {sum(m.batches for m in plan.make):,} batches "
        f"to plan; material requirements: {len(plan.materials)} materials, "
        f"{len(plan.shortages)} short"
    )
    print(
        f"make list + material requirements: median {median:.0f} ms "
        f"(min {min(times):.0f}, max {max(times):.0f}), CPU {statistics.median(cpu):.0f} ms, "
        f"over {args.repeat} runs; target {TARGET_MS:.0f} ms; ratio {median / TARGET_MS:.2f} "
        f"({'met' if median < TARGET_MS else 'NOT met'})"
    )
    # for information: allocating one line of the generated product (FEFO over its
    # released batches), rolled back
    with sf() as s:
        line = s.scalars(
            select(SalesOrderLine)
            .join(Recipe, Recipe.id == SalesOrderLine.recipe_id)
            .where(Recipe.code.like("GF%"))
            .limit(1)
        ).first()
        if line is not None:
            t = time.perf_counter()
            ords.allocate_line(s, line.id, actor="bench")
            ms = (time.perf_counter() - t) * 1000
            s.rollback()
            print(f"allocating one line of the generated product (FEFO): {ms:.0f} ms")
    engine.dispose()
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
