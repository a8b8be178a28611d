"""Several workstations on one database: separate processes racing for the same last
units of a lot, the last pieces of a batch, the same label numbers and the same lot
codes (``bench/stress.py`` holds the race; this runs 40 rounds of it), on SQLite and on
PostgreSQL; and a writer killed with SIGKILL mid-write leaves a database that opens.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing as mp
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import stress

PG_URL = os.environ.get("SMALLBATCH_TEST_PG_URL")
ROUNDS, WORKERS = 40, 4
#: PostgreSQL: the same four workers at every barrier over the same 40 rounds (issue 11's
#: proof asks at least 40 rounds on each engine; the setup is shared, not the rounds)
PG_ROUNDS = ROUNDS
#: rounds of the old-clients race (its own lots, from the same prepared database)
OLD_ROUNDS = 15


def _wipe(url: str) -> None:
    from smallbatch_desktop.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _rounds(setup: stress.Setup, start: int, stop: int) -> stress.Setup:
    """The rounds ``start:stop`` of a prepared database, for one race of several."""
    return dataclasses.replace(
        setup,
        lots=setup.lots[start:stop],
        shipped=setup.shipped[start:stop],
        days=setup.days[start:stop],
    )


@pytest.fixture(scope="module")
def pg_setup() -> Iterator[stress.Setup]:
    """One prepared PostgreSQL database for both of its races (preparing is a third of
    a race's time there): rounds for the workstations' race, then the old clients'."""
    if not PG_URL:
        pytest.skip("SMALLBATCH_TEST_PG_URL not set (no PostgreSQL server)")
    _wipe(PG_URL)
    try:
        yield stress.prepare(PG_URL, PG_ROUNDS + OLD_ROUNDS, WORKERS)
    finally:
        _wipe(PG_URL)


def _assert_clean_race(figures: stress.Figures) -> None:
    rounds = figures.rounds
    assert not figures.tracebacks, figures.tracebacks[0].traceback
    assert len(figures.outcomes) == rounds * WORKERS * len(stress.OPS)
    assert figures.over_consumed == 0
    assert figures.over_shipped == 0
    assert figures.repeated_numbers == 0
    assert figures.repeated_codes == 0
    # the lot has room for exactly two takes, the batch for two shipments: the race was
    # real (everyone tried at once) and the losers were told why, in a maker's words
    per_round = int(stress.LOT_KG // stress.TAKE_KG)
    assert figures.count("consume", True) == rounds * per_round
    assert figures.count("ship", True) == rounds * (stress.BATCH_PCS // stress.SHIP_PCS)
    assert figures.count("labels", True) == rounds * WORKERS
    assert figures.count("codes", True) == rounds * WORKERS
    lost = [o.detail for o in figures.outcomes if o.op == "consume" and not o.ok]
    assert lost and all(
        m.startswith("quantity: only 0.2 kg of R") and "another workstation used it" in m
        for m in lost
    ), lost[:3]
    lost = [o.detail for o in figures.outcomes if o.op == "ship" and not o.ok]
    assert lost and all("is left now: another workstation" in m for m in lost), lost[:3]


@pytest.mark.slow
def test_four_processes_race_on_one_sqlite_file(tmp_path: Path) -> None:
    setup = stress.prepare(str(tmp_path / "shared.sqlite"), ROUNDS, WORKERS)
    figures = stress.race(setup, WORKERS)
    print(stress.report(figures))
    _assert_clean_race(figures)


@pytest.mark.slow
def test_four_processes_race_on_postgresql(pg_setup: stress.Setup) -> None:
    figures = stress.race(_rounds(pg_setup, 0, PG_ROUNDS), WORKERS)
    print(stress.report(figures))
    assert figures.rounds == PG_ROUNDS
    _assert_clean_race(figures)


# --------------------------------------------------------------------------- kill -9


def _writer(url: str, lot_codes: list[str], batch_id: int, material: int, ready: object) -> None:
    """Consumes, receives and ships as fast as it can until it is killed."""
    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.errors import UserError
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services import inventory as inv

    sf = make_session_factory(make_engine(url))
    ready.set()  # type: ignore[attr-defined]
    i = 0
    while True:
        i += 1
        try:
            with sf.begin() as s:
                bat.record_consumption(
                    s, batch_id, lot_code=lot_codes[i % len(lot_codes)], quantity="0.01", unit="kg"
                )
                inv.receive_lot(s, material_id=material, quantity="1")
        except UserError:
            pass


def test_kill_9_during_writes_leaves_a_database_that_opens(tmp_path: Path) -> None:
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.services import batches as bat
    from smallbatch_desktop.services.inventory import list_lots

    path = tmp_path / "killed.sqlite"
    setup = stress.prepare(str(path), 3, 1)
    ctx = mp.get_context("spawn")
    rng = random.Random(11)
    for _ in range(4):
        ready = ctx.Event()
        p = ctx.Process(
            target=_writer,
            args=(str(path), list(setup.lots), setup.consumers[0], setup.material_id, ready),
        )
        p.start()
        assert ready.wait(60)
        time.sleep(rng.uniform(0.3, 0.8))
        p.kill()  # SIGKILL: no cleanup, mid-transaction
        p.join()
        assert p.exitcode == -9
        engine, sf = open_database(path)
        try:
            with sf() as s:
                lots = list_lots(s)
                assert lots and all(lot.on_hand >= 0 for lot in lots)
                assert bat.batch_on_hand(s, setup.shipped[0]) >= 0
            with sf.begin() as s:  # and it takes writes again
                bat.record_consumption(
                    s, setup.consumers[0], lot_code=setup.lots[0], quantity="0.001", unit="kg"
                )
        finally:
            engine.dispose()
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()


# --------------------------------------------------------------------------- old clients


def race_processes(target: Any, args: list[tuple[Any, ...]], rounds: int) -> list[Any]:
    """Start one process per ``args`` running ``target(*args, barrier, results)`` (the
    barrier lines them up every round); the ``rounds`` results each puts, all of them."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(args)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, barrier, results)) for a in args]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=300) for _ in range(rounds * len(args))]
    for p in procs:
        p.join(timeout=60)
    return outcomes


def _raw_worker(url: str, lot_ids: list[int], batch_id: int, barrier: Any, results: Any) -> None:
    """A client that knows nothing of locks: it inserts its consumption as raw SQL."""
    from smallbatch_desktop.db.engine import make_engine
    from smallbatch_desktop.domain.errors import UserError

    engine = make_engine(url)
    sql = text(
        "INSERT INTO consumptions (batch_id, material_lot_id, quantity, unit, entered_quantity,"
        " entered_unit, recorded_by, recorded_at) VALUES (:b, :l, 400000, 'kg', 400000, 'kg',"
        " 'old client', :t)"
    )
    try:
        for lot_id in lot_ids:
            barrier.wait(timeout=120)
            try:
                with engine.begin() as conn:
                    conn.execute(sql, {"b": batch_id, "l": lot_id, "t": dt.datetime(2030, 1, 1)})
                results.put("ok")
            except UserError:
                results.put("refused")
            except Exception as exc:  # reported, and the test fails on it
                results.put(f"error {type(exc).__name__}: {exc}")
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_old_clients_without_locks_cannot_over_consume(
    engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Four clients racing with plain INSERTs (no row locks, no checks): the database's
    own running total refuses every take past what the lot holds."""
    from sqlalchemy import select

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.models import MaterialLot
    from smallbatch_desktop.services.inventory import lot_on_hand

    rounds = OLD_ROUNDS
    if engine_kind == "postgresql":
        pg: stress.Setup = request.getfixturevalue("pg_setup")
        setup = _rounds(pg, PG_ROUNDS, PG_ROUNDS + OLD_ROUNDS)
    else:
        setup = stress.prepare(str(tmp_path / "old-clients.sqlite"), rounds, WORKERS)
    url = setup.url
    eng = make_engine(url)
    try:
        with make_session_factory(eng)() as s:
            lot_ids = list(
                s.scalars(select(MaterialLot.id).where(MaterialLot.lot_code.in_(setup.lots)))
            )
        outcomes = race_processes(
            _raw_worker, [(url, lot_ids, setup.consumers[w]) for w in range(WORKERS)], rounds
        )
        assert [o for o in outcomes if o.startswith("error")] == []
        assert outcomes.count("ok") == rounds * 2  # 1 kg holds two takes of 0.4 kg
        with make_session_factory(eng)() as s:
            assert all(lot_on_hand(s, i) == Decimal("0.2") for i in lot_ids)
    finally:
        eng.dispose()


# --------------------------------------------------------------------------- print dialog


def _print_dialog_worker(
    url: str, batch_id: int, rounds: int, out: str, barrier: Any, results: Any
) -> None:
    """A workstation printing from the Print labels dialog: every round it opens the
    dialog (its preview shows the next free numbers, the same on every workstation),
    then clicks Save PDF at the same moment as the other."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.ui.dialogs.print_labels import PrintLabelsDialog
    from smallbatch_desktop.ui.testing import make_context

    app = QApplication.instance() or QApplication([])
    engine = make_engine(url)
    ctx = make_context(make_session_factory(engine))
    try:
        for r in range(rounds):
            d = PrintLabelsDialog(ctx, batch_id)
            plan = d.set_choices(stock="roll:100x50", copies=3, total=1000)
            barrier.wait(timeout=120)
            path = Path(out) / f"{os.getpid()}-{r}.pdf"
            d.save_pdf(path)
            shown = (plan.first_number, plan.last_number) if plan else None
            results.put((shown, str(path) if path.exists() else d.status.text()))
            d.deleteLater()
            app.processEvents()
    finally:
        engine.dispose()


def test_two_workstations_printing_from_the_dialog_never_share_a_number(tmp_path: Path) -> None:
    """Both previews show the same next numbers; both print at once; each run gets
    numbers of its own, and what each PDF prints is what the database recorded."""
    import re

    import pdfplumber

    from smallbatch_desktop.db.engine import make_engine, make_session_factory, open_database
    from smallbatch_desktop.services.demo import load_demo
    from smallbatch_desktop.services.labels import print_runs

    url = str(tmp_path / "shared.sqlite")
    engine, sf = open_database(url)
    with sf.begin() as s:
        load_demo(s)
    engine.dispose()
    batch = 5  # the demo's released hot sauce
    rounds, workers = 8, 2
    outcomes = race_processes(
        _print_dialog_worker, [(url, batch, rounds, str(tmp_path))] * workers, rounds
    )
    printed: list[int] = []
    for _shown, pdf in outcomes:
        assert pdf.endswith(".pdf"), pdf  # every click printed
        with pdfplumber.open(pdf) as doc:
            text = "\n".join(page.extract_text() or "" for page in doc.pages)
        printed += [int(n) for n in re.findall(r"\b(\d+)/1000\b", text)]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            recorded = [
                n for r in print_runs(s, batch) for n in range(r.first_number, r.last_number + 1)
            ]
    finally:
        engine.dispose()
    assert sorted(printed) == sorted(recorded) == list(range(1, rounds * workers * 3 + 1))
    # the race was real: the two previews of a round showed the same numbers
    shown = [s for s, _ in outcomes]
    assert len(set(shown)) < len(shown)
