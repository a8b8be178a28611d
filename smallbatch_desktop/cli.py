"""``smallbatch``: opens the GUI; sub-commands do the headless work.

Each sub-command lives in ``smallbatch_desktop/commands/<name>.py`` with a
``register(subparsers)`` function that adds its parser and sets ``func(args) -> int``.
A ``UserError`` becomes one line on stderr and exit code 2; no traceback.  So does a
database fault (locked, disk full, read-only, damaged, newer schema, server
unreachable: ``db.faults.explain``), whatever layer it surfaced in.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from smallbatch_desktop import APP_NAME, __version__
from smallbatch_desktop.domain.errors import UserError

#: sub-command modules, in the order ``--help`` lists them
COMMAND_MODULES = (
    "demo",
    "trace",
    "labels",
    "sheet",
    "recall",
    "fsma204",
    "importer",
    "orders",
    "planning",
    "backup",
)

EXIT_USER_ERROR = 2
EXIT_BUG = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smallbatch",
        description=f"{APP_NAME}: recipes, lots, batches, labels and provenance. "
        "Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database file or SQLAlchemy URL (default: SMALLBATCH_DB, else the user data folder)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="create, migrate and fill a scratch database, render a label sheet and a "
        "provenance sheet, decode a barcode back; exit 0 when all is well",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"smallbatch_desktop.commands.{name}")
        module.register(sub)
    return parser


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """Sub-commands take ``--db`` after their name too (``smallbatch trace X --db f``)."""
    parser.add_argument(
        "--db", metavar="PATH|URL", default=argparse.SUPPRESS, help="database file or URL"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.self_test:
            from smallbatch_desktop.selftest import run_self_test

            return run_self_test()
        if args.command is None:
            from smallbatch_desktop.app import run_gui

            return run_gui(db=args.db)
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"smallbatch: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("smallbatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from smallbatch_desktop.db.faults import explain
        from smallbatch_desktop.db.migrate import UpgradeFailedError

        if isinstance(exc, UpgradeFailedError):
            logging.getLogger("smallbatch").debug("upgrade failed", exc_info=True)
            print(f"smallbatch: error: {_one_line(str(exc))}", file=sys.stderr)
            return EXIT_USER_ERROR

        fault = explain(exc, where=_db_label(args))
        if fault is None:
            raise  # a bug: the traceback is what a developer needs
        logging.getLogger("smallbatch").info("database fault", exc_info=True)
        print(
            f"smallbatch: error: {_one_line(fault.message)}{_newest_backup(fault)}", file=sys.stderr
        )
        return EXIT_USER_ERROR


def _newest_backup(fault: Exception) -> str:
    """For a damaged database: where its newest backup is."""
    from smallbatch_desktop.domain.errors import CorruptDatabaseError

    if not isinstance(fault, CorruptDatabaseError) or not fault.path:
        return ""
    from smallbatch_desktop.db.backup import latest_backup

    try:
        newest = latest_backup(Path(fault.path))
    except Exception:
        return ""
    return f" The newest backup is {newest.path}" if newest else " No backup of it was found."


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _db_label(args: argparse.Namespace) -> str:
    from smallbatch_desktop.db.opening import describe

    try:
        return describe(resolve_db(args))
    except Exception:
        return ""


def resolve_db(args: argparse.Namespace) -> str:
    """``--db``, else ``SMALLBATCH_DB``, else the user's own database; ``--db ""`` is
    refused (it must never mean "the user's real database")."""
    from smallbatch_desktop.db.opening import check_target
    from smallbatch_desktop.paths import default_database

    db = getattr(args, "db", None)
    if db is None:
        return default_database()
    return check_target(db, create=True)


def open_db(args: argparse.Namespace, *, read_only: bool = False) -> tuple[Any, Any]:
    """``(engine, session_factory)`` for a sub-command: the fast path when the schema is
    current; for ``read_only`` commands never a new database file; for the others a
    ``PRAGMA quick_check`` first, so nothing is written on top of a damaged page."""
    from smallbatch_desktop.db.opening import describe, open_for_use

    target = resolve_db(args)
    return open_for_use(
        target, create=not read_only, check=not read_only, progress=UpgradeLines(describe(target))
    )


class UpgradeLines:
    """Prints how an upgrade of the database goes, a line on stderr when a stage starts
    and ends and at most every ``every_s`` seconds between (a large database takes
    minutes: migration 0007_snapshot_backfill)."""

    def __init__(self, where: str, stream: Any = None, every_s: float = 2.0) -> None:
        self.where = where
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = every_s
        self._stage = ""
        self._last = 0.0

    def __call__(self, p: Any) -> None:
        import time

        now = time.monotonic()
        new_stage = p.stage != self._stage
        if not (new_stage or p.done >= p.total or now - self._last >= self.every_s):
            return
        if not self._stage:
            print(
                f"smallbatch: the database {self.where} was made by an older version: "
                "updating it once (a large one takes minutes)",
                file=self.stream,
                flush=True,
            )
        self._stage, self._last = p.stage, now
        print(
            f"smallbatch: updating the database for this version: {p.text()}",
            file=self.stream,
            flush=True,
        )


def open_reader(args: argparse.Namespace) -> tuple[Any, Any] | None:
    """``(reader, close)`` for a command that only reads, when the database is an SQLite
    file at the newest schema: plain ``sqlite3``, read-only, no SQLAlchemy imported (the
    window's fast path, ``db.opening.open_reader``); None otherwise (use ``open_db``)."""
    from smallbatch_desktop.db.opening import open_reader as _open_reader

    return _open_reader(resolve_db(args))


if __name__ == "__main__":
    raise SystemExit(main())
