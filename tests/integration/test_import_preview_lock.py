"""A long import preview on one workstation while another one saves: two processes on one
database, on SQLite and on PostgreSQL.

The preview writes the rows to check them (through the services the forms use) and rolls
them back. It used to hold the write lock for the whole file: on SQLite the other
workstation's Save waited and then failed with "busy" after the 5 s busy timeout; on
PostgreSQL the lot-code lock that receiving a lot takes made it wait for the whole
preview. Now the preview gives way between rows every second or so
(``SessionFactory.trial``): the other workstation saves while the preview goes on, and
the preview's report is still whole and right.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import time
import traceback
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
ROWS = 600
#: the preview's progress is reported every 50 rows; a pause there stands in for a big
#: file on a slow machine: 12 reports x 0.5 s, well past SQLite's 5 s busy timeout
PAUSE_S = 0.5
SAVES = 3

pytestmark = pytest.mark.slow


def _setup(url: str, folder: Path) -> Path:
    """The suppliers and materials of the test data, and a file of ROWS lots of them."""
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.services.imports import KINDS, auto_map, import_table, read_table

    engine, sf = open_database(url)
    try:
        for kind in ("suppliers", "materials"):
            table = read_table(DATA / f"{kind}.csv")
            with sf.begin() as s:
                import_table(s, table, KINDS[kind], auto_map(table.headers, KINDS[kind].fields))
    finally:
        engine.dispose()
    path = folder / "lots.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Material", "Qty", "Unit", "Supplier", "Supplier lot", "Received"])
        for i in range(ROWS):
            w.writerow(["HAB", "2", "kg", "Rio Grande Chili Co.", f"RG-{i:05d}", "2026-02-03"])
    return path


def _previewer(url: str, path: str, started: Any, saved: Any, results: Any) -> None:
    """Workstation A: checks the lots file as the import dialog does (a trial)."""
    try:
        from smallbatch_desktop.db.engine import make_engine, make_session_factory
        from smallbatch_desktop.services.imports import KINDS, auto_map, read_table, run_import

        engine = make_engine(url)
        sf = make_session_factory(engine)
        table = read_table(path)
        kind = KINDS["lots"]

        def progress(done: int, total: int) -> None:
            if done:
                started.set()
            if done < total:
                time.sleep(PAUSE_S)

        t0 = time.monotonic()
        with sf.trial() as s:
            report = run_import(
                s, table, kind, auto_map(table.headers, kind.fields), progress=progress
            )
            breaths = s.info["smallbatch_breathe"].__self__.breaths
        results.put(
            (
                "preview",
                len(report.created),
                len(report.duplicates),
                [p.line() for p in report.problems],
                saved.is_set(),  # did the other workstation save while this ran?
                breaths,
                round(time.monotonic() - t0, 1),
            )
        )
        engine.dispose()
    except Exception:
        results.put(("preview", "traceback", traceback.format_exc()))


def _saver(url: str, started: Any, saved: Any, results: Any) -> None:
    """Workstation B: receives lots, one Save each, while A's preview runs."""
    try:
        from sqlalchemy import select

        from smallbatch_desktop.db.engine import make_engine, make_session_factory
        from smallbatch_desktop.domain.models import Material
        from smallbatch_desktop.services import inventory as inv

        engine = make_engine(url)
        sf = make_session_factory(engine)
        with sf() as s:
            vin = s.scalar(select(Material.id).where(Material.code == "VIN"))
        assert started.wait(timeout=240), "the preview never started"
        outcomes = []
        for i in range(SAVES):
            t0 = time.monotonic()
            try:
                with sf.begin() as s:
                    inv.receive_lot(s, material_id=vin, quantity="20", supplier_lot_code=f"KP-{i}")
                outcomes.append(("ok", round(time.monotonic() - t0, 2)))
            except Exception as exc:
                outcomes.append(("failed", f"{type(exc).__name__}: {exc}"))
        saved.set()
        results.put(("saves", outcomes))
        engine.dispose()
    except Exception:
        results.put(("saves", "traceback", traceback.format_exc()))


def test_a_long_preview_does_not_keep_another_workstation_from_saving(
    url: str, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from smallbatch_desktop.db.engine import make_engine, make_session_factory
    from smallbatch_desktop.domain.models import MaterialLot

    path = _setup(url, tmp_path)
    ctx = mp.get_context("spawn")
    started, saved, results = ctx.Event(), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_previewer, args=(url, str(path), started, saved, results)),
        ctx.Process(target=_saver, args=(url, started, saved, results)),
    ]
    for p in procs:
        p.start()
    try:
        got = dict((r[0], r[1:]) for r in (results.get(timeout=300) for _ in procs))
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    assert "traceback" not in got["preview"], got["preview"][-1]
    assert "traceback" not in got["saves"], got["saves"][-1]
    (outcomes,) = got["saves"]
    # every Save went through (none "busy"), while the preview was still running
    assert [o[0] for o in outcomes] == ["ok"] * SAVES, outcomes
    created, duplicates, problems, saved_meanwhile, breaths, seconds = got["preview"]
    assert saved_meanwhile, (outcomes, seconds)
    assert breaths >= 2, (breaths, seconds)
    # and the preview is whole: every row checked, none lost to the rollbacks between
    assert (created, duplicates, problems) == (ROWS, 0, []), (created, duplicates, problems[:3])
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            # the other workstation's lots are kept; the preview wrote nothing
            assert s.scalar(select(func.count()).select_from(MaterialLot)) == SAVES
    finally:
        engine.dispose()


def test_a_preview_that_gives_way_takes_its_locks_again(url: str) -> None:
    """PostgreSQL: the order-number and lot-code locks a preview took are given up with
    its transaction when it gives way; the rows after that must be checked under them
    again. Without them, a preview's new customer and another workstation's import of the
    same export waited for each other (deadlock_detected in the order-import race)."""
    if not url.startswith("postgresql"):
        pytest.skip("SQLite's write lock is taken again by the trial itself")
    from sqlalchemy import text

    from smallbatch_desktop.db.engine import make_engine, open_database
    from smallbatch_desktop.services.common import (
        _LOT_CODE_LOCK,
        _ORDER_NUMBER_LOCK,
        let_others_in,
        lock_lot_codes,
        lock_order_numbers,
    )

    engine, sf = open_database(url)
    other = make_engine(url)
    try:

        def free(key: int) -> bool:
            """Whether another workstation could take the lock now (and gives it back)."""
            with other.connect() as conn:
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                return bool(got)

        with sf.trial(spell=0) as s:
            lock_order_numbers(s)
            lock_lot_codes(s)
            assert not free(_ORDER_NUMBER_LOCK) and not free(_LOT_CODE_LOCK)
            assert let_others_in(s)  # gave way: rolled back, then began again
            assert not free(_ORDER_NUMBER_LOCK) and not free(_LOT_CODE_LOCK)
        # the trial is over: its locks went with it, and the next trial starts without
        assert free(_ORDER_NUMBER_LOCK) and free(_LOT_CODE_LOCK)
        with sf.trial(spell=0) as s:
            assert let_others_in(s)
            assert free(_ORDER_NUMBER_LOCK)
    finally:
        other.dispose()
        engine.dispose()
