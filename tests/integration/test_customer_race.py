"""Two workstations add the same customer at the same moment: one is saved, the other
gets a clear message naming the field, never a duplicate or a crash (racing processes).

On PostgreSQL the database's unique name decides (the second insert waits for the
first transaction and is refused); runs when ``SMALLBATCH_TEST_PG_URL`` is set.
"""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest
from sqlalchemy import func, select, text

URL = os.environ.get("SMALLBATCH_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not URL, reason="SMALLBATCH_TEST_PG_URL not set")


def _add(url: str, name: str, start: object, out: object) -> None:
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.domain.errors import UserError
    from smallbatch_desktop.services import customers as csvc

    engine, sf = open_database(url)
    try:
        with sf.begin() as s:
            s.execute(text("SELECT 1"))
            start.wait()  # type: ignore[attr-defined]  # both inside a transaction now
            csvc.create_customer(s, name=name, phone="518 555 0142", actor=f"pid {os.getpid()}")
            if name == "Corner Deli":
                s.execute(text("SELECT pg_sleep(0.5)"))  # hold the row while the other tries
        out.put(("saved", ""))  # type: ignore[attr-defined]
    except UserError as exc:
        out.put(("refused", f"{exc.field}|{exc.message}"))  # type: ignore[attr-defined]
    except Exception as exc:  # anything else is reported to the test
        out.put(("crashed", repr(exc)))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


@pytest.fixture
def pg():
    from smallbatch_desktop.db.engine import open_database

    engine, sf = open_database(URL)
    yield sf
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def test_two_workstations_add_the_same_customer(pg) -> None:
    from smallbatch_desktop.domain.models import Customer

    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_add, args=(URL, "Corner Deli", start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = sorted(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert [r[0] for r in results] == ["refused", "saved"], results
    field, message = results[0][1].split("|", 1)
    assert field == "customer name"
    assert message.startswith("customer name: 'Corner Deli'"), message
    with pg() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 1
