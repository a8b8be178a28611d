"""Several workstations on one database: separate processes racing for the same last
units of a lot, the last pieces of a batch, the same label numbers and the same lot
codes (``bench/stress.py`` holds the race; this runs 40 rounds of it), on SQLite and on
PostgreSQL; and a writer killed with SIGKILL mid-write leaves a database that opens.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import stress

PG_URL = os.environ.get("SMALLBATCH_TEST_PG_URL")
ROUNDS, WORKERS = 40, 4


def _assert_clean_race(figures: stress.Figures) -> None:
    assert not figures.tracebacks, figures.tracebacks[0].traceback
    assert len(figures.outcomes) == ROUNDS * WORKERS * len(stress.OPS)
    assert figures.over_consumed == 0
    assert figures.over_shipped == 0
    assert figures.repeated_numbers == 0
    assert figures.repeated_codes == 0
    # the lot has room for exactly two takes, the batch for two shipments: the race was
    # real (everyone tried at once) and the losers were told why, in a maker's words
    per_round = int(stress.LOT_KG // stress.TAKE_KG)
    assert figures.count("consume", True) == ROUNDS * per_round
    assert figures.count("ship", True) == ROUNDS * (stress.BATCH_PCS // stress.SHIP_PCS)
    assert figures.count("labels", True) == ROUNDS * WORKERS
    assert figures.count("codes", True) == ROUNDS * WORKERS
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
@pytest.mark.skipif(not PG_URL, reason="SMALLBATCH_TEST_PG_URL not set (no PostgreSQL server)")
def test_four_processes_race_on_postgresql() -> None:
    from smallbatch_desktop.db.engine import make_engine

    assert PG_URL is not None
    engine = make_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        setup = stress.prepare(PG_URL, ROUNDS, WORKERS)
        figures = stress.race(setup, WORKERS)
        print(stress.report(figures))
        _assert_clean_race(figures)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


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
