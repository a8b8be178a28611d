"""``smallbatch backup`` and ``smallbatch restore``: copies of the SQLite database.

    smallbatch backup [--db FILE] [--out FILE]     a checked copy (default: the backups folder)
    smallbatch backup --list                       the backups kept, newest first
    smallbatch restore FILE [--db FILE]            put a backup back (the current one is kept)

Both use SQLite's online backup API (``db/backup.py``), so they are safe while the app
is open.  A shared PostgreSQL database is backed up on the server with ``pg_dump``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smallbatch_desktop.cli import add_db_argument, resolve_db
from smallbatch_desktop.domain.errors import ValidationError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backup",
        help="copy the database (SQLite online backup), checked; --list shows the kept ones",
    )
    add_db_argument(p)
    p.add_argument("--out", metavar="FILE", help="write the copy here instead of the backups")
    p.add_argument("--list", action="store_true", help="list the backups kept, newest first")
    p.set_defaults(func=run_backup)

    r = sub.add_parser(
        "restore",
        help="replace the database with a backup (the current database is kept as a backup)",
    )
    r.add_argument("file", metavar="FILE", help="the backup to restore")
    add_db_argument(r)
    r.set_defaults(func=run_restore)


def _db_file(args: argparse.Namespace, what: str) -> Path:
    from smallbatch_desktop.db.backup import sqlite_path_or_refuse

    return sqlite_path_or_refuse(resolve_db(args), what)


def run_backup(args: argparse.Namespace) -> int:
    from smallbatch_desktop.db.backup import MANUAL, backup_folder, list_backups, take_backup

    db = _db_file(args, "backup")
    if args.list:
        backups = list_backups(db)
        if not backups:
            print(f"no backups of {db} in {backup_folder(db)}")
            return 0
        for b in backups:
            size = b.path.stat().st_size / 1e6
            print(f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {b.reason:<24} {size:8.1f} MB  {b.path}")
        return 0
    out = None
    if args.out:
        out = Path(args.out).expanduser()
        if out.is_dir():
            raise ValidationError(f"--out: {out} is a folder, give a file name", field="out")
        if not out.parent.is_dir():
            raise ValidationError(f"--out: folder {out.parent} does not exist", field="out")
        if out.exists():
            raise ValidationError(f"--out: {out} exists already; give a new name", field="out")
    path = take_backup(db, reason=MANUAL, out=out)
    print(f"backup of {db} written to {path} ({path.stat().st_size / 1e6:.1f} MB, checked)")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from smallbatch_desktop.db.backup import restore_backup

    db = _db_file(args, "restore")
    result = restore_backup(Path(args.file), db)
    print(f"restored {db} from {result.info.path}: {result.info.summary()}")
    if result.previous is not None:
        print(f"the database it replaced is kept at {result.previous}", file=sys.stderr)
    return 0
