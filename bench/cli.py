"""Whole-process time of a command-line trace on a small database.

    python bench/cli.py                       # 15 runs of `smallbatch trace` on the demo
    python bench/cli.py --runs 30 --against /path/to/an/older/checkout

Figures printed: the median and 90th percentile wall time of
``python -m smallbatch_desktop trace LOT --db demo.sqlite`` as a separate process, and
of a bare ``python -c "import sqlite3"`` for the floor.  ``--against DIR`` times the
same command from another source tree (e.g. ``git worktree add /tmp/old <commit>``),
interleaved with ours so both see the same machine load, and prints the ratio.
Target: an at-head SQLite database is opened without Alembic (``db.migrate.is_at_head``),
the same fast path the window takes.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def demo_db(folder: Path) -> tuple[Path, str]:
    path = folder / "demo.sqlite"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "smallbatch_desktop", "demo", "--db", str(path)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    with sqlite3.connect(path) as conn:
        lot = conn.execute("SELECT lot_code FROM batches ORDER BY id LIMIT 1").fetchone()[0]
    return path, lot


def once(cmd: list[str], cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def summary(name: str, times: list[float]) -> float:
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    median = statistics.median(times)
    print(f"{name:<34} median {median * 1000:6.0f} ms   p90 {p90 * 1000:6.0f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", type=Path, help="another source tree to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sb-bench-cli-") as tmp:
        os.environ["SMALLBATCH_DATA_DIR"] = tmp
        db, lot = demo_db(Path(tmp))
        trace = [sys.executable, "-m", "smallbatch_desktop", "trace", lot, "--db", str(db)]
        floor = [sys.executable, "-c", "import sqlite3"]
        trees = {"this tree": ROOT}
        if args.against:
            trees["--against"] = args.against.resolve()
        results: dict[str, list[float]] = {name: [] for name in trees}
        bare: list[float] = []
        for tree in trees.values():  # warm the file cache and .pyc files
            once(trace, tree)
        for _ in range(args.runs):
            bare.append(once(floor, ROOT))
            for name, tree in trees.items():
                results[name].append(once(trace, tree))
        print(f"`smallbatch trace` on the demo workshop, {args.runs} runs, whole processes")
        summary("python -c 'import sqlite3' (floor)", bare)
        ours = summary("trace, this tree", results["this tree"])
        if args.against:
            theirs = summary(f"trace, {args.against}", results["--against"])
            print(f"ratio: this tree takes {ours / theirs:.2f}x the other's time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
