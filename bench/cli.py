"""Whole-process time of command-line work on a small database: trace and labels.

    python bench/cli.py                       # 9 runs of each command on the demo
    python bench/cli.py --runs 15 --against /path/to/an/older/checkout

Each command runs as a separate process, as a maker runs it
(``python -m smallbatch_desktop ...`` on a copy of the demo workshop):

- ``trace LOT``: a read-only command;
- ``labels --draft``: 30 draft labels (reads the batch, renders, writes the PDF);
- ``labels``: 30 final labels of a released batch (reserves its numbers under the write
  lock, renders, writes the PDF), each run a new print run (``--total`` 30 per run: the
  runs never use up the numbers).

Printed for each: the median and 90th percentile of the wall time and of the CPU time
(user + system of the child process), and of a bare ``python -c "import sqlite3"`` for
the floor.  The load average is printed before and after: the build VM's 2 cores are
shared, and a busy moment multiplies wall times while CPU times barely move, so compare
CPU times.  ``--against DIR`` times the same commands from another source tree (e.g.
``git archive <commit> | tar -x -C /tmp/old``), interleaved with ours so both see the
same machine load, each on its own copy of the database, and prints the ratios.
Target: CLI commands take the same fast open path as the window: an at-head SQLite
database is opened without Alembic (``db.migrate.is_at_head``), and a command that only
reads (``trace``) reads it with plain ``sqlite3`` without importing SQLAlchemy
(``db.opening.open_reader``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def demo_db(folder: Path) -> tuple[Path, str]:
    """The demo workshop (built once) and a released batch of it."""
    path = folder / "demo.sqlite"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "smallbatch_desktop", "demo", "--db", str(path)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    with sqlite3.connect(path) as conn:
        lot = conn.execute(
            "SELECT lot_code FROM batches WHERE status = 'released' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
    return path, lot


def once(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[2:])} failed in {cwd}:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def p90(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.9))]


def summary(name: str, runs: list[tuple[float, float]]) -> tuple[float, float]:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"  {name:<30} CPU median {cpu * 1000:6.0f} ms  p90 {p90(cpus) * 1000:6.0f} ms"
        f"   wall median {wall * 1000:6.0f} ms  p90 {p90(walls) * 1000:6.0f} ms"
    )
    return wall, cpu


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--against", type=Path, help="another source tree to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sb-bench-cli-") as tmp:
        folder = Path(tmp)
        os.environ["SMALLBATCH_DATA_DIR"] = str(folder / "data")
        demo, lot = demo_db(folder)
        trees = {"this tree": ROOT}
        if args.against:
            trees["--against"] = args.against.resolve()
        dbs = {}
        for name in trees:  # each tree its own copy: final labels write print runs
            dbs[name] = folder / f"{name.strip('-').replace(' ', '-')}.sqlite"
            shutil.copy(demo, dbs[name])
        py = [sys.executable, "-m", "smallbatch_desktop"]

        def commands(db: Path) -> dict[str, list[str]]:
            out = str(folder / "labels.pdf")
            labels = ["labels", "--batch", lot, "--copies", "30", "--out", out, "--db", str(db)]
            return {
                "trace": [*py, "trace", lot, "--db", str(db)],
                "labels --draft": [*py, *labels, "--draft"],
                # a total the runs never exhaust (warm-up and runs: 30 numbers each), as
                # short as a real one (the layout's "n of N" box is 12.5 mm wide)
                "labels (numbers reserved)": [*py, *labels, "--total", str(30 * (args.runs + 1))],
            }

        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        bare: list[tuple[float, float]] = []
        for name, tree in trees.items():  # warm the file cache and .pyc files
            for cmd in commands(dbs[name]).values():
                once(cmd, tree)
        print(f"command-line work on the demo workshop, {args.runs} runs each, whole processes")
        print(load())
        for _ in range(args.runs):
            bare.append(once([sys.executable, "-c", "import sqlite3"], ROOT))
            for name, tree in trees.items():
                for what, cmd in commands(dbs[name]).items():
                    results.setdefault((name, what), []).append(once(cmd, tree))
        print(load())
        summary("python -c 'import sqlite3'", bare)
        for what in commands(demo):
            print(what)
            ours = summary("this tree", results[("this tree", what)])
            if args.against:
                theirs = summary(str(args.against), results[("--against", what)])
                print(
                    f"  ratio: this tree takes {ours[1] / theirs[1]:.2f}x the other's CPU time, "
                    f"{ours[0] / theirs[0]:.2f}x its wall time"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
