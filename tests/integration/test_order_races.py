"""Several workstations on one database, racing on orders: separate processes (spawned,
each with its own engine) that wait at a barrier and then act at the same moment, on
SQLite and on PostgreSQL (in the style of ``test_concurrency.py``).

- Importing the same Shopify export at once: every order is imported exactly once; the
  other workstations are told, in a maker's words, that its orders are already in
  Smallbatch (or were imported by another workstation just now). No traceback.
- Allocating, and shipping, the last free units of a product to different orders: never
  more allocated or shipped than there is; the losers are told why.
- An ad-hoc shipment from the Batches view racing an order's allocation of the same
  last units: the units go to one of them, never both.
- A gift box (a kit made of finished products) using the last free units of a batch,
  racing another box, an ad-hoc shipment of them and the shipment of the order that
  holds the rest: the free units go to one of the three, the order always gets its own.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from factories import DAY, released_batch

WORKERS = 4
SHOPIFY = Path(__file__).resolve().parents[1] / "data" / "orders" / "shopify_orders_export.csv"

pytestmark = pytest.mark.slow


def _race(target: Any, args: tuple[Any, ...], expected: int) -> list[tuple[Any, ...]]:
    """Run ``target(index, barrier, results, *args)`` in WORKERS spawned processes;
    collect ``expected`` results."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=target, args=(w, barrier, results, *args)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    try:
        return [results.get(timeout=240) for _ in range(expected)]
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()


def _attempt(fn: Any) -> tuple[str, str]:
    """("ok", what) | ("refused", the message) | ("traceback", it)."""
    from smallbatch_desktop.domain.errors import UserError

    try:
        return "ok", str(fn())
    except UserError as exc:
        return "refused", exc.message
    except Exception:
        return "traceback", traceback.format_exc()


def _products(url: str, *codes: str, batches: bool = False) -> dict[str, int]:
    """Published products (10 pcs a batch) made of one material, with one released
    batch of 10 pcs each when ``batches``; code -> recipe id."""
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.services import inventory as inv
    from smallbatch_desktop.services import recipes as rec

    engine, sf = open_database(url)
    try:
        with sf.begin() as s:
            chili = inv.create_material(s, code="RACE-CHILI", name="Chili", stock_unit="kg")
            inv.receive_lot(s, material_id=chili.id, quantity="1000", received_date=DAY)
            out = {}
            for code in codes:
                v = rec.create_recipe(
                    s, code=code, name=f"Product {code}", yield_quantity="10", yield_unit="pcs"
                )
                rec.update_draft(
                    s, v.id, lines=[rec.LineInput(material_id=chili.id, quantity="1", unit="kg")]
                )
                rec.publish(s, v.id)
                if batches:
                    released_batch(s, v, "10")
                out[code] = v.recipe_id
            return out
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- import


def _export(folder: Path, rnd: int) -> Path:
    """The Shopify sample with this round's own order numbers and customers (so that each
    round races on new orders and new customers)."""
    body = SHOPIFY.read_text(encoding="utf-8")
    for name in ("Anna Keller", "Ben Ortiz", "Cara Nguyen"):
        body = body.replace(name, f"{name} {rnd}")
    path = folder / f"orders-{rnd}.csv"
    path.write_text(body.replace("#100", f"#{rnd}-100"), encoding="utf-8")
    return path


def _importer(
    index: int, barrier: Any, results: Any, url: str, files: list[str], products: dict
) -> None:
    """One workstation importing each export the way the app and the CLI do: a preview
    (checked, rolled back), then the import in one unit of work."""
    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.services.imports.mapping import auto_map
    from smallbatch_desktop.services.imports.orders import import_orders, run_order_import
    from smallbatch_desktop.services.imports.platforms import PLATFORMS
    from smallbatch_desktop.services.imports.readers import read_table

    engine = make_engine(url)
    sf = make_session_factory(engine)
    platform = PLATFORMS["shopify"]
    try:
        for rnd, path in enumerate(files):
            table = read_table(path)
            mapping = auto_map(table.headers, platform.fields)
            kw = {"products": products, "actor": f"ws{index}", "today": DAY}

            def preview(table: Any = table, mapping: Any = mapping, kw: Any = kw) -> str:
                with sf.trial() as s:  # as the import dialog and the CLI check the rows
                    return run_order_import(s, table, platform, mapping, **kw).summary()

            def apply(table: Any = table, mapping: Any = mapping, kw: Any = kw) -> str:
                with sf.begin() as s:
                    report = import_orders(s, table, platform, mapping, **kw)
                    dups = "; ".join(sorted({o.text for o in report.duplicates}))
                    return f"{report.orders} orders|{dups}"

            barrier.wait(timeout=120)
            outcome = _attempt(preview)
            if outcome[0] == "ok":
                if rnd % 2:  # odd rounds: the imports start at the same moment too
                    barrier.wait(timeout=120)
                outcome = _attempt(apply)
            elif rnd % 2:
                barrier.wait(timeout=120)
            results.put((rnd, *outcome))
    finally:
        engine.dispose()


def test_two_workstations_import_the_same_export_at_once(url: str, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.models import Customer, SalesOrder
    from smallbatch_desktop.services.imports.mapping import auto_map
    from smallbatch_desktop.services.imports.orders import run_order_import
    from smallbatch_desktop.services.imports.platforms import PLATFORMS
    from smallbatch_desktop.services.imports.readers import read_table

    _products(url, "HHS", "LAV", "RJG")
    rounds = 6
    files = [str(_export(tmp_path, r)) for r in range(rounds)]
    engine = make_engine(url)
    sf = make_session_factory(engine)
    try:
        with sf() as s:  # the products each line becomes, as the maker confirmed them
            table = read_table(files[0])
            shopify = PLATFORMS["shopify"]
            report = run_order_import(s, table, shopify, auto_map(table.headers, shopify.fields))
            s.rollback()
        choice = {"HHS-150": "HHS", "LAV": "LAV"}
        products = {pc.key: choice.get(pc.sku, "RJG") for pc in report.products}
        outcomes = _race(_importer, (url, files, products), rounds * WORKERS)
        assert [o for o in outcomes if o[1] == "traceback"] == [], next(
            o[2] for o in outcomes if o[1] == "traceback"
        )
        for r in range(rounds):
            mine = [o for o in outcomes if o[0] == r]
            done = [o for o in mine if o[1] == "ok" and o[2].startswith("2 orders")]
            # exactly one workstation imported the round's two open orders (#1003 is
            # cancelled in Shopify and never imported)
            assert len(done) == 1, mine
            # the others waited for it (the write lock, or on PostgreSQL the order-number
            # lock) and then found its orders: duplicates, skipped, nothing refused
            for _, kind, detail in mine:
                assert kind == "ok", detail
                if not detail.startswith("2 orders"):
                    assert detail == (
                        f"0 orders|order #{r}-1001 is already in Smallbatch; "
                        f"order #{r}-1002 is already in Smallbatch"
                    )
        with sf() as s:
            numbers = Counter(s.scalars(select(SalesOrder.number)))
            assert sorted(numbers) == sorted(
                f"#{r}-{n}" for r in range(rounds) for n in (1001, 1002)
            )
            assert set(numbers.values()) == {1}
            customers = Counter(s.scalars(select(func.lower(Customer.name))))
            assert all(c == 1 for c in customers.values())
            assert customers[f"anna keller {rounds - 1}"] == 1
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- stock

#: each round's three races: every worker allocates (or ships) 4 pcs of the round's
#: product, which has one released batch of 10 pcs (room for two and a half)
OPS = ("allocate", "ship", "mixed")
EACH = Decimal(4)


def _stock_setup(url: str, rounds: int) -> dict[str, list[list[int]]]:
    """A product per round and race, its 10-pc batch, and an order of 4 pcs of it per
    worker: op -> round -> the workers' order line ids."""
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.services import inventory as inv
    from smallbatch_desktop.services import orders as ords

    codes = {(op, r): f"{op[0].upper()}{r}" for op in OPS for r in range(rounds)}
    _products(url, *codes.values(), batches=True)
    engine, sf = open_database(url)
    try:
        with sf.begin() as s:
            for w in range(WORKERS):
                inv.create_customer(s, name=f"Shop {w}")
            return {
                op: [
                    [
                        ords.create_order(
                            s,
                            customer=f"Shop {w}",
                            lines=[ords.OrderLineInput(product=codes[op, r], quantity=EACH)],
                            ordered_date=DAY,
                        )
                        .lines[0]
                        .id
                        for w in range(WORKERS)
                    ]
                    for r in range(rounds)
                ]
                for op in OPS
            }
    finally:
        engine.dispose()


def _stock_worker(
    index: int, barrier: Any, results: Any, url: str, lines: dict[str, list[list[int]]]
) -> None:
    """One workstation: each round, at the same moment as the others, allocate its
    order's 4 pcs; ship its order's 4 pcs; and (``mixed``) allocate them, or for the
    odd workers ship 4 pcs of the same batch from the Batches view (no order)."""
    from sqlalchemy import select

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.models import Batch, RecipeVersion, SalesOrderLine
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import orders as ords

    engine = make_engine(url)
    sf = make_session_factory(engine)

    def allocate(line_id: int) -> str:
        with sf.begin() as s:
            made = ords.allocate_line(s, line_id, actor=f"ws{index}")
            return str(sum((a.quantity for a in made), Decimal(0)))

    def ship(line_id: int) -> str:
        with sf.begin() as s:
            made = ords.ship_line(s, line_id, actor=f"ws{index}")
            return str(sum((m.quantity for m in made), Decimal(0)))

    def ad_hoc(line_id: int) -> str:
        with sf.begin() as s:
            batch_id = s.scalar(
                select(Batch.id)
                .join(RecipeVersion, RecipeVersion.id == Batch.recipe_version_id)
                .join(SalesOrderLine, SalesOrderLine.recipe_id == RecipeVersion.recipe_id)
                .where(SalesOrderLine.id == line_id)
            )
            bat.ship_batch(s, batch_id, customer=f"Shop {index}", quantity=EACH)
            return str(EACH)

    try:
        for r in range(len(lines["allocate"])):
            for op in OPS:
                line_id = lines[op][r][index]
                fn = ad_hoc if op == "mixed" and index % 2 else allocate if op != "ship" else ship
                barrier.wait(timeout=120)
                results.put((r, op, fn.__name__, *_attempt(lambda f=fn, i=line_id: f(i))))
    finally:
        engine.dispose()


def test_workstations_race_for_the_last_units_of_a_product(url: str) -> None:
    from sqlalchemy import func, select

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.models import (
        Allocation,
        Batch,
        Recipe,
        RecipeVersion,
        Shipment,
    )

    rounds = 5
    lines = _stock_setup(url, rounds)
    outcomes = _race(_stock_worker, (url, lines), rounds * len(OPS) * WORKERS)
    tracebacks = [o[4] for o in outcomes if o[3] == "traceback"]
    assert tracebacks == [], tracebacks[0]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            taken = {}
            for b, code in s.execute(
                select(Batch, Recipe.code)
                .join(RecipeVersion, RecipeVersion.id == Batch.recipe_version_id)
                .join(Recipe, Recipe.id == RecipeVersion.recipe_id)
            ):
                allocated, shipped = (
                    s.scalar(
                        select(func.coalesce(func.sum(m.quantity), 0)).where(m.batch_id == b.id)
                    )
                    for m in (Allocation, Shipment)
                )
                taken[code] = Decimal(allocated) + Decimal(shipped)
                # never more held for orders and shipped than the batch made
                assert taken[code] <= b.actual_quantity == Decimal(10), code
    finally:
        engine.dispose()
    for r in range(rounds):
        done = {
            op: sorted(Decimal(o[4]) for o in outcomes if o[:2] == (r, op) and o[3] == "ok")
            for op in OPS
        }
        # allocation takes what is free up to the line's 4 pcs: 4, 4 and the last 2
        assert done["allocate"] == [2, 4, 4], outcomes
        assert taken[f"A{r}"] == 10
        # a shipment of a line is all or nothing: two ship, two are told only 2 are left
        assert done["ship"] == [4, 4], outcomes
        assert taken[f"S{r}"] == 8
        # allocations (4, then what is left) and ad-hoc shipments (4 or nothing) of one
        # batch: whatever the order they came in, the batch holds what they took
        assert sum(done["mixed"]) == taken[f"M{r}"] in (Decimal(8), Decimal(10))
        for _, _, fn, _, detail in (o for o in outcomes if o[0] == r and o[3] == "refused"):
            if fn == "allocate":
                assert detail.startswith("allocation: no released stock of Product ")
                assert "is free (4 pcs needed)" in detail
            elif fn == "ship":
                assert detail.startswith("quantity: only 2 pcs of Product S")
                assert "is free to ship (4 pcs asked)" in detail
            else:  # an ad-hoc shipment that lost to the orders (or to the other one)
                assert detail.startswith("quantity: "), detail
                assert "is free to ship" in detail or " left of " in detail, detail


# --------------------------------------------------------------------------- kits

#: a gift box takes 4 pcs of a product; its batch of 10 has 6 held for an order
BOX, HELD = Decimal(4), Decimal(6)


def _kit_setup(url: str, rounds: int) -> list[dict[str, Any]]:
    """Per round: a product with its released batch of 10 pcs, 6 of them allocated to
    an order; a gift box of 4 pcs of it, with a planned box batch for workers 0 and 2."""
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import inventory as inv
    from smallbatch_desktop.services import orders as ords
    from smallbatch_desktop.services import recipes as rec

    products = _products(url, *(f"K{r}" for r in range(rounds)), batches=True)
    engine, sf = open_database(url)
    try:
        with sf.begin() as s:
            inv.create_customer(s, name="Deli")
            inv.create_customer(s, name="Market")
            out = []
            for r in range(rounds):
                code = f"K{r}"
                order = ords.create_order(
                    s,
                    customer="Deli",
                    lines=[ords.OrderLineInput(product=code, quantity=HELD)],
                    ordered_date=DAY,
                )
                (alloc,) = ords.allocate_line(s, order.lines[0].id, today=DAY)
                box = rec.create_recipe(
                    s, code=f"BOX{r}", name=f"Gift box {r}", yield_quantity="1", yield_unit="pcs"
                )
                rec.update_draft(
                    s,
                    box.id,
                    lines=[
                        rec.LineInput(component_recipe_id=products[code], quantity=BOX, unit="pcs")
                    ],
                )
                rec.publish(s, box.id)
                out.append(
                    {
                        "batch": alloc.batch_id,
                        "line": order.lines[0].id,
                        "order": order.number,
                        "boxes": {
                            w: bat.plan_batch(
                                s, recipe_version_id=box.id, planned_quantity="1", made_date=DAY
                            ).id
                            for w in (0, 2)
                        },
                    }
                )
            return out
    finally:
        engine.dispose()


def _kit_worker(
    index: int, barrier: Any, results: Any, url: str, rounds: list[dict[str, Any]]
) -> None:
    """Workers 0 and 2 pick the product's FEFO suggestion into their gift box (as the
    Record inputs dialog does: what they saw free goes with the pick); worker 1 ships 4
    pcs of the batch from the Batches view; worker 3 ships the order, which holds 6."""
    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import orders as ords

    engine = make_engine(url)
    sf = make_session_factory(engine)
    try:
        for r, rnd in enumerate(rounds):
            picks: list[Any] = []
            if index in (0, 2):
                with sf() as s:  # the dialog opens before the others act
                    (need,) = bat.suggest_lots(s, rnd["boxes"][index])
                    picks = [
                        bat.PickInput(p.lot_code, p.take, p.unit, need.line_id, p.available)
                        for p in need.picks
                    ]

            def act(rnd: dict[str, Any] = rnd, picks: list[Any] = picks) -> str:
                with sf.begin() as s:
                    if index in (0, 2):
                        made = bat.record_consumptions(s, rnd["boxes"][index], picks)
                        return str(sum((c.quantity for c in made), Decimal(0)))
                    if index == 1:
                        return str(
                            bat.ship_batch(
                                s, rnd["batch"], customer="Market", quantity=BOX
                            ).quantity
                        )
                    made = ords.ship_line(s, rnd["line"], actor=f"ws{index}")
                    return str(sum((m.quantity for m in made), Decimal(0)))

            barrier.wait(timeout=120)
            results.put((r, index, *_attempt(act)))
    finally:
        engine.dispose()


def test_a_gift_box_races_shipments_for_the_last_free_units(url: str) -> None:
    from sqlalchemy import func, select

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.models import Allocation, Consumption, OrderShipment, Shipment

    rounds = _kit_setup(url, 5)
    outcomes = _race(_kit_worker, (url, rounds), len(rounds) * WORKERS)
    tracebacks = [o[3] for o in outcomes if o[2] == "traceback"]
    assert tracebacks == [], tracebacks[0]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            for r, rnd in enumerate(rounds):
                mine = {o[1]: o[2:] for o in outcomes if o[0] == r}
                # the order always gets the 6 it holds, whoever came first
                assert mine[3][0] == "ok" and Decimal(mine[3][1]) == HELD, mine
                # the 4 free units went to exactly one box or the ad-hoc shipment
                winners = [w for w in (0, 1, 2) if mine[w][0] == "ok"]
                assert len(winners) == 1, mine
                assert Decimal(mine[winners[0]][1]) == BOX, mine
                for w in (0, 1, 2):
                    if w in winners:
                        continue
                    kind, detail = mine[w]
                    assert kind == "refused" and "quantity: " in detail, detail
                    if "allocated to order" in detail:  # the order had not shipped yet
                        assert f"{rnd['order']} (6 pcs)" in detail, detail
                    else:  # it had: nothing is left at all
                        assert "left now" in detail or "more than the 0 pcs" in detail, detail
                used, shipped, held = (
                    Decimal(
                        s.scalar(
                            select(func.coalesce(func.sum(m.quantity), 0)).where(
                                col == rnd["batch"]
                            )
                        )
                    )
                    for m, col in (
                        (Consumption, Consumption.input_batch_id),
                        (Shipment, Shipment.batch_id),
                        (Allocation, Allocation.batch_id),
                    )
                )
                assert (used + shipped, held) == (Decimal(10), Decimal(0)), (used, shipped, held)
                to_order = s.scalar(
                    select(func.sum(Shipment.quantity))
                    .join(OrderShipment, OrderShipment.shipment_id == Shipment.id)
                    .where(OrderShipment.line_id == rnd["line"])
                )
                assert Decimal(to_order) == HELD
    finally:
        engine.dispose()
