"""Workstations racing for the same last units: separate processes on one database.

    python bench/stress.py [--rounds 200] [--workers 4] [--db URL-or-file]

Each round, every worker process waits at a barrier and then, at the same moment as the
others, in its own unit of work:

1. consumes 0.4 kg of the round's fresh 1 kg lot (room for two: the others must be told
   "only 0.2 kg of R... is left now: another workstation used it"),
2. ships 4 pieces of the round's released 10-piece batch (room for two),
3. reserves 3 "n of N" label numbers of that batch (every run must get its own numbers),
4. plans a batch and receives a lot with generated lot codes on the same day (every
   worker must get a code of its own).

It prints the outcomes and the figures that must be zero: over-consumed lots,
over-shipped batches, repeated label numbers, repeated lot codes, and tracebacks.
``tests/integration/test_concurrency.py`` runs the same race (40 rounds) on SQLite and
PostgreSQL and asserts them.  Without ``--db`` a scratch SQLite file is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: what each worker asks for per round, and what there is
LOT_KG, TAKE_KG = Decimal("1"), Decimal("0.4")
BATCH_PCS, SHIP_PCS = 10, 4
LABELS_PER_RUN = 3
OPS = ("consume", "ship", "labels", "codes")


@dataclass(frozen=True)
class Setup:
    """Ids and codes the workers race on (plain data: it crosses process boundaries)."""

    url: str
    version_id: int
    material_id: int
    consumers: tuple[int, ...]  # one planned batch per worker, consuming into it
    lots: tuple[str, ...]  # one fresh 1 kg lot per round
    shipped: tuple[int, ...]  # one released 10-piece batch per round
    days: tuple[str, ...]  # the made date each round's planned batches share


@dataclass
class Outcome:
    worker: int
    round: int
    op: str
    ok: bool
    detail: str = ""  # the refusal's message, the lot code, the numbers
    traceback: str = ""


@dataclass
class Figures:
    rounds: int
    workers: int
    outcomes: list[Outcome] = field(default_factory=list)
    over_consumed: int = 0
    over_shipped: int = 0
    repeated_numbers: int = 0
    repeated_codes: int = 0
    seconds: float = 0.0

    @property
    def tracebacks(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.traceback]

    def count(self, op: str, ok: bool) -> int:
        return sum(1 for o in self.outcomes if o.op == op and o.ok is ok and not o.traceback)


def prepare(url: str, rounds: int, workers: int) -> Setup:
    """A recipe, a planned batch per worker, a fresh lot and a released batch per round."""
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import inventory as inv
    from smallbatch_desktop.services import recipes as rec

    engine, sf = open_database(url)
    try:
        with sf.begin() as s:
            sup = inv.create_supplier(s, name="Stress Farm")
            for index in range(workers):  # each workstation ships to its own shop
                inv.create_customer(s, name=f"Shop {index}")
            chili = inv.create_material(s, code="STRESS-CHILI", name="Chili", stock_unit="kg")
            v = rec.create_recipe(
                s, code="STR", name="Stress sauce", yield_quantity="10", yield_unit="pcs"
            )
            rec.update_draft(
                s, v.id, lines=[rec.LineInput(material_id=chili.id, quantity="1", unit="kg")]
            )
            rec.publish(s, v.id)
            stock = inv.receive_lot(
                s, material_id=chili.id, quantity=str(rounds + 10), supplier_id=sup.id
            )
            consumers = tuple(
                bat.plan_batch(s, recipe_version_id=v.id, planned_quantity="10").id
                for _ in range(workers)
            )
            lots, shipped = [], []
            for _ in range(rounds):
                lots.append(
                    inv.receive_lot(
                        s, material_id=chili.id, quantity=str(LOT_KG), supplier_id=sup.id
                    ).lot_code
                )
                b = bat.plan_batch(s, recipe_version_id=v.id, planned_quantity=str(BATCH_PCS))
                bat.record_consumption(s, b.id, lot_code=stock.lot_code, quantity="1", unit="kg")
                bat.change_status(s, b.id, "start", actor="stress")
                bat.finish_production(s, b.id, actual_quantity=str(BATCH_PCS), actor="stress")
                bat.change_status(s, b.id, "release", actor="stress")
                shipped.append(b.id)
            first = dt.date(2030, 1, 1)
            days = tuple((first + dt.timedelta(days=r)).isoformat() for r in range(rounds))
            return Setup(url, v.id, chili.id, consumers, tuple(lots), tuple(shipped), days)
    finally:
        engine.dispose()


def _attempt(worker: int, rnd: int, op: str, fn: Any) -> Outcome:
    from smallbatch_desktop.domain.errors import UserError

    try:
        return Outcome(worker, rnd, op, True, str(fn()))
    except UserError as exc:
        return Outcome(worker, rnd, op, False, exc.message)
    except Exception:
        return Outcome(worker, rnd, op, False, "", traceback.format_exc())


def worker(index: int, setup: Setup, barrier: Any, results: Any) -> None:
    """One workstation: every round, the four actions at the same moment as the others."""
    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import inventory as inv
    from smallbatch_desktop.services import labels as lab

    engine = make_engine(setup.url)
    sf = make_session_factory(engine)

    def consume(r: int) -> str:
        with sf.begin() as s:
            bat.record_consumption(
                s,
                setup.consumers[index],
                lot_code=setup.lots[r],
                quantity=str(TAKE_KG),
                unit="kg",
                seen_on_hand=LOT_KG,
                actor=f"ws{index}",
            )
        return str(TAKE_KG)

    def ship(r: int) -> str:
        with sf.begin() as s:
            bat.ship_batch(
                s,
                setup.shipped[r],
                customer=f"Shop {index}",
                quantity=SHIP_PCS,
                seen_left=Decimal(BATCH_PCS),
                actor=f"ws{index}",
            )
        return str(SHIP_PCS)

    def labels(r: int) -> str:
        with sf.begin() as s:
            plan = lab.plan_print(
                s,
                setup.shipped[r],
                copies=LABELS_PER_RUN,
                total=1000,
                stock_key="roll:100x50",
                lock_numbers=True,
            )
            lab.reserve_print_run(s, plan, printed_by=f"ws{index}")
        return f"{plan.first_number}-{plan.last_number}"

    def codes(r: int) -> str:
        with sf.begin() as s:
            b = bat.plan_batch(
                s,
                recipe_version_id=setup.version_id,
                planned_quantity="10",
                made_date=setup.days[r],
            )
            lot = inv.receive_lot(
                s, material_id=setup.material_id, quantity="1", received_date=setup.days[r]
            )
            return f"{b.lot_code} {lot.lot_code}"

    actions = {"consume": consume, "ship": ship, "labels": labels, "codes": codes}
    try:
        for r in range(len(setup.lots)):
            for op in OPS:
                barrier.wait(timeout=120)
                results.put(_attempt(index, r, op, lambda op=op, r=r: actions[op](r)))
    finally:
        engine.dispose()


def race(setup: Setup, workers: int) -> Figures:
    """Run the workers as separate processes; collect and check what they did."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    rounds = len(setup.lots)
    figures = Figures(rounds, workers)
    start = time.perf_counter()
    procs = [ctx.Process(target=worker, args=(w, setup, barrier, results)) for w in range(workers)]
    for p in procs:
        p.start()
    expected = rounds * workers * len(OPS)
    while len(figures.outcomes) < expected:
        try:
            figures.outcomes.append(results.get(timeout=180))
        except Exception:  # a worker died: report what arrived
            break
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
    figures.seconds = time.perf_counter() - start
    check(setup, figures)
    return figures


def check(setup: Setup, figures: Figures) -> None:
    """Count what must never happen, from the database itself."""
    from sqlalchemy import select

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.models import Batch, LabelPrintRun, MaterialLot
    from smallbatch_desktop.services.batches import batch_on_hand
    from smallbatch_desktop.services.inventory import lot_on_hand

    engine = make_engine(setup.url)
    try:
        with make_session_factory(engine)() as s:
            lot_ids = s.scalars(
                select(MaterialLot.id).where(MaterialLot.lot_code.in_(setup.lots))
            ).all()
            figures.over_consumed = sum(1 for i in lot_ids if lot_on_hand(s, i) < 0)
            figures.over_shipped = sum(1 for b in setup.shipped if batch_on_hand(s, b) < 0)
            for b in setup.shipped:
                numbers = Counter(
                    n
                    for first, last in s.execute(
                        select(LabelPrintRun.first_number, LabelPrintRun.last_number).where(
                            LabelPrintRun.batch_id == b
                        )
                    )
                    for n in range(first, last + 1)
                )
                figures.repeated_numbers += sum(c - 1 for c in numbers.values() if c > 1)
            codes = Counter(
                [*s.scalars(select(Batch.lot_code)), *s.scalars(select(MaterialLot.lot_code))]
            )
            figures.repeated_codes = sum(c - 1 for c in codes.values() if c > 1)
    finally:
        engine.dispose()


def report(figures: Figures) -> str:
    lines = [
        f"{figures.workers} processes x {figures.rounds} rounds x {len(OPS)} actions "
        f"in {figures.seconds:.1f} s",
    ]
    for op in OPS:
        lines.append(
            f"  {op:8} {figures.count(op, True):5} done, {figures.count(op, False):5} refused"
        )
    refusals = Counter(o.detail.split(":")[0] for o in figures.outcomes if not o.ok)
    if refusals:
        lines.append("  refusals by field: " + ", ".join(f"{k} {v}" for k, v in refusals.items()))
    sample = next((o.detail for o in figures.outcomes if o.op == "consume" and not o.ok), "")
    if sample:
        lines.append(f"  e.g. {sample!r}")
    lines += [
        f"over-consumed lots      {figures.over_consumed}",
        f"over-shipped batches    {figures.over_shipped}",
        f"repeated label numbers  {figures.repeated_numbers}",
        f"repeated lot codes      {figures.repeated_codes}",
        f"tracebacks              {len(figures.tracebacks)}",
    ]
    if figures.tracebacks:
        lines.append(figures.tracebacks[0].traceback)
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--db", help="an SQLite file or a PostgreSQL URL (an empty database)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or str(Path(tmp) / "stress.sqlite")
        t0 = time.perf_counter()
        setup = prepare(url, args.rounds, args.workers)
        print(f"prepared {args.rounds} rounds in {time.perf_counter() - t0:.1f} s")
        figures = race(setup, args.workers)
        print(report(figures))
    bad = (
        figures.over_consumed
        + figures.over_shipped
        + figures.repeated_numbers
        + figures.repeated_codes
        + len(figures.tracebacks)
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
