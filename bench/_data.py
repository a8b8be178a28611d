"""Shared benchmark set-up: a large generated database, built once and reused."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def scale_db(n: int, path: str | None = None, *, snapshots: bool = True) -> Path:
    """A database with the demo workshop plus ``n`` generated batches (cached by size).
    ``snapshots=False``: the released batches have no snapshots (released before
    snapshots were kept), cached apart."""
    name = f"smallbatch-scale-{n}.sqlite" if snapshots else f"smallbatch-scale-{n}-nosnap.sqlite"
    target = (
        Path(path)
        if path
        else Path(os.environ.get("SMALLBATCH_BENCH_DIR", tempfile.gettempdir())) / name
    )
    if target.exists():
        return target
    print(f"building {target} with --scale {n} (once) ...", file=sys.stderr)
    started = time.perf_counter()
    tmp = target.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    extra = [] if snapshots else ["--without-snapshots"]
    command = [sys.executable, "-m", "smallbatch_desktop", "demo", "--db", str(tmp)]
    subprocess.run([*command, "--scale", str(n), *extra], check=True)
    import sqlite3

    con = sqlite3.connect(tmp)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.close()
    tmp.rename(target)
    print(f"built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return target


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    import statistics

    fn()  # warm caches
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def paired_median_ms(a, b, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median times of ``a`` and ``b``, run alternately so machine noise hits both alike."""
    import statistics

    a()
    b()
    ta, tb = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        a()
        ta.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        b()
        tb.append((time.perf_counter() - t) * 1000)
    return statistics.median(ta), statistics.median(tb)


def paired_medians(a, b, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:  # type: ignore[no-untyped-def]
    """``((wall, cpu), (wall, cpu))`` median milliseconds of ``a`` and of ``b``, run
    alternately so machine noise hits both alike; CPU time is this process's (user +
    system), which a busy machine barely moves."""
    import statistics

    a()
    b()
    runs: tuple[list[tuple[float, float]], list[tuple[float, float]]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((a, runs[0]), (b, runs[1])):
            t, c = time.perf_counter(), time.process_time()
            fn()
            out.append(((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000))
    return tuple(  # type: ignore[return-value]
        (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for r in runs
    )
