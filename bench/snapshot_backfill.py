"""The upgrade that takes snapshots of batches released before snapshots were kept.

    python bench/snapshot_backfill.py                   # --scale 100000, built once and cached
    python bench/snapshot_backfill.py --db /tmp/big.sqlite

A copy of the scaled database built ``--without-snapshots`` (every generated batch is
released, none has a snapshot, as in a workshop that released them before migration
0003) is taken back to
the revision before ``0007_snapshot_backfill`` and upgraded the way the app upgrades (``db.migrate.upgrade_to_head``,
one transaction): migration ``0007_snapshot_backfill`` snapshots every one of them, a
chunk of 500 at a time.  Figures printed: batches snapshotted, seconds, ms per batch,
and the database's growth.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import scale_db

#: the revision just before the backfill: the database is taken back to it
BEFORE = "0009_speed"
MISSING = (
    "SELECT count(*) FROM batches b WHERE status IN ('released', 'rejected', 'recalled') "
    "AND NOT EXISTS (SELECT 1 FROM batch_snapshots s WHERE s.batch_id = b.id)"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=100_000)
    ap.add_argument("--db", help="a database to copy instead of the generated one")
    args = ap.parse_args()
    source = Path(args.db) if args.db else scale_db(args.scale, snapshots=False)
    from smallbatch_desktop.db.engine import make_engine
    from smallbatch_desktop.db.migrate import downgrade_to, upgrade_to_head

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upgrade.sqlite"
        shutil.copyfile(source, path)
        engine = make_engine(path)
        downgrade_to(engine, BEFORE)  # the schema as the version before the backfill had it
        engine.dispose()
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            missing = conn.execute(MISSING).fetchone()[0]
        size = path.stat().st_size
        engine = make_engine(path)
        started, cpu = time.perf_counter(), time.process_time()
        upgrade_to_head(engine, backup_first=False)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            left = conn.execute(MISSING).fetchone()[0]
        grown = (path.stat().st_size - size) / 1e6
    print(f"database: {source}")
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"batches without a snapshot before the upgrade: {missing:,}; after: {left:,}")
    print(
        f"upgrade with backfill: {seconds:.1f} s "
        f"({1000 * seconds / max(missing, 1):.2f} ms per batch), of which {cpu:.1f} s on "
        f"this process's CPU (the rest: waiting for the disk or for other processes), "
        f"database +{grown:.1f} MB"
    )
    return 0 if left == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
