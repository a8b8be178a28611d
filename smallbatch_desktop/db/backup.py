"""Backups of the SQLite database: taken, checked, rotated and restored.

Every copy is made with SQLite's online backup API (``sqlite3.Connection.backup``),
never by copying the file: a live database in WAL mode keeps recent commits in its
``-wal`` file, and a file copy taken while another window writes can be torn.  A copy
is written beside its final name and renamed when complete and checked, so a crash
never leaves a half backup that looks whole.

Where: ``<data folder>/backups/`` for the database in the data folder, and
``<data folder>/backups/<name>-<hash>/`` for a database elsewhere (two ``shop.sqlite``
in different folders keep apart).  Names say when and why:
``smallbatch-2026-12-03_081500-daily.sqlite``.  Kept: the newest 7 daily copies, 5
taken before an upgrade and 5 before a restore; copies made by hand are never deleted.

This works on files and connections of its own, not in a caller's unit of work, so it
lives beside the engine code rather than among the services.  PostgreSQL databases are
backed up on the server with ``pg_dump`` (see the README); asking for a backup of one
here is a ``UserError`` that says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from smallbatch_desktop.db.faults import explain
from smallbatch_desktop.db.migrate import readonly_uri
from smallbatch_desktop.domain.errors import CorruptDatabaseError, UserError, ValidationError

log = logging.getLogger(__name__)

DAILY = "daily"
MANUAL = "manual"
BEFORE_RESTORE = "before-restore"
#: reason -> how many copies to keep (None: all)
KEEP: dict[str, int | None] = {DAILY: 7, "before-upgrade": 5, BEFORE_RESTORE: 5, MANUAL: None}

_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<at>\d{4}-\d\d-\d\d_\d{6})-(?P<reason>[a-z][a-z0-9._-]*)\.sqlite$"
)

PG_BACKUP_HINT = (
    "this workstation uses a shared PostgreSQL database ({where}): back it up on the "
    "server with pg_dump, and restore with pg_restore (the README's 'Shared database' "
    "section shows how)"
)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: dt.datetime  # local time, from the name
    reason: str


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds, read back from it after a full integrity check."""

    path: Path
    revision: str | None
    batches: int
    material_lots: int
    last_batch: str  # lot code of the newest batch, "" when none
    size_bytes: int

    def summary(self) -> str:
        last = f", newest batch {self.last_batch}" if self.last_batch else ""
        return f"{self.batches:,} batches, {self.material_lots:,} material lots{last}"


def sqlite_path_or_refuse(db: str | Path, what: str) -> Path:
    """The SQLite file behind ``db``; a ``UserError`` pointing at pg_dump for anything
    else."""
    from smallbatch_desktop.db.migrate import sqlite_file

    path = sqlite_file(db)
    if path is None:
        text = str(db)
        if "://" in text and not text.startswith("sqlite"):
            from sqlalchemy.engine import make_url

            where = make_url(text).render_as_string(hide_password=True)
            raise UserError(f"{what}: " + PG_BACKUP_HINT.format(where=where))
        raise ValidationError(f"{what}: {text!r} is not a database file", field="db")
    return path


def backup_folder(db_path: Path, folder: Path | None = None) -> Path:
    """Where the backups of ``db_path`` go (created on demand by ``take_backup``)."""
    if folder is not None:
        return folder
    from smallbatch_desktop.paths import data_dir

    root = data_dir()
    base = root / "backups"
    resolved = db_path.expanduser().resolve()
    if resolved.parent == root.resolve():
        return base
    digest = hashlib.sha1(str(resolved).encode("utf-8")).hexdigest()[:8]
    return base / f"{resolved.stem}-{digest}"


def list_backups(db_path: Path, folder: Path | None = None) -> list[BackupFile]:
    """The backups of ``db_path``, newest first."""
    where = backup_folder(db_path, folder)
    stem = db_path.stem
    out = []
    if where.is_dir():
        for p in where.glob("*.sqlite"):
            m = _NAME.match(p.name)
            if not m or m.group("stem") != stem:
                continue
            at = dt.datetime.strptime(m.group("at"), "%Y-%m-%d_%H%M%S")
            out.append(BackupFile(p, at, m.group("reason")))
    out.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return out


def latest_backup(db_path: Path, folder: Path | None = None) -> BackupFile | None:
    backups = list_backups(db_path, folder)
    return backups[0] if backups else None


def _kind(reason: str) -> str:
    return "before-upgrade" if reason.startswith("before-upgrade") else reason


def take_backup(
    db_path: Path,
    *,
    reason: str = MANUAL,
    folder: Path | None = None,
    out: Path | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Copy the database at ``db_path`` with the online backup API, check the copy and
    rotate.  ``out`` writes to that file instead of the backup folder (no rotation).
    ``progress(pages copied, pages)`` as the copy goes (it may raise to stop it: the
    part written is deleted).  Returns the new file."""
    db_path = db_path.expanduser()
    if not db_path.is_file():
        raise ValidationError(f"backup: there is no database at {db_path}", field="db")
    if out is None:
        where = backup_folder(db_path, folder)
        where.mkdir(parents=True, exist_ok=True)
        stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d_%H%M%S")
        target = where / f"{db_path.stem}-{stamp}-{reason}.sqlite"
        n = 1
        while target.exists():  # two in the same second
            n += 1
            target = where / f"{db_path.stem}-{stamp}-{reason}.{n}.sqlite"
    else:
        target = out
    part = target.with_name(target.name + ".part")
    try:
        _copy(db_path, part, progress)
        check = _quick_check(part)
        if check != "ok":
            raise CorruptDatabaseError(
                f"The database {db_path} is damaged ({check}): the backup was not kept. "
                "Restore an earlier backup (File > Restore, or `smallbatch restore FILE`).",
                path=str(db_path),
            )
        os.replace(part, target)
    except BaseException as exc:
        part.unlink(missing_ok=True)
        fault = explain(exc, where=str(db_path))
        if fault is not None and fault is not exc:
            raise fault from exc
        raise
    log.info("backup of %s written to %s", db_path, target)
    if out is None:
        rotate(db_path, folder, keep_kind=_kind(reason))
    return target


#: pages copied per step when progress is shown (64 MB of 4 KB pages)
PAGES_PER_STEP = 16_384


def _copy(source: Path, target: Path, progress: Callable[[int, int], None] | None = None) -> None:
    """``source`` -> a new self-contained file ``target`` (rollback journal, not WAL:
    a backup is one file).  With ``progress``, in steps of ``PAGES_PER_STEP`` pages."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(readonly_uri(source.resolve()), uri=True, timeout=10)
    try:
        dst = sqlite3.connect(target)
        try:
            if progress is None:
                src.backup(dst)
            else:
                src.backup(
                    dst,
                    pages=PAGES_PER_STEP,
                    progress=lambda _status, left, total: progress(total - left, total),
                    sleep=0,
                )
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()


def _quick_check(path: Path, *, full: bool = False) -> str:
    try:
        return check_verdict(path, full=full)
    except sqlite3.DatabaseError as exc:
        return str(exc)


def check_verdict(path: Path, *, full: bool = False) -> str:
    """``PRAGMA quick_check`` (``integrity_check`` when ``full``): "ok" or what is
    wrong.  Raises ``sqlite3.Error`` when the file cannot be read at all."""
    conn = sqlite3.connect(readonly_uri(path.resolve()), uri=True, timeout=10)
    try:
        pragma = "integrity_check" if full else "quick_check"
        rows = conn.execute(f"PRAGMA {pragma}(5)").fetchall()
    finally:
        conn.close()
    return "; ".join(str(r[0]) for r in rows)


def quick_check(db_path: Path) -> str:
    """``PRAGMA quick_check`` of the database: "ok" or what is wrong (a damaged page or
    index, or "file is not a database")."""
    return _quick_check(db_path)


def rotate(db_path: Path, folder: Path | None = None, *, keep_kind: str | None = None) -> None:
    """Delete the oldest automatic backups beyond what ``KEEP`` allows."""
    by_kind: dict[str, list[BackupFile]] = {}
    for b in list_backups(db_path, folder):
        by_kind.setdefault(_kind(b.reason), []).append(b)
    for kind, files in by_kind.items():
        if keep_kind is not None and kind != keep_kind:
            continue
        keep = KEEP.get(kind)
        if keep is None:
            continue
        for old in files[keep:]:
            log.info("rotating out backup %s", old.path)
            old.path.unlink(missing_ok=True)


def backup_if_due(
    db_path: Path, folder: Path | None = None, *, now: dt.datetime | None = None
) -> Path | None:
    """The daily backup: taken when none was taken today (local date)."""
    now = now or dt.datetime.now()
    if not db_path.is_file():
        return None
    for b in list_backups(db_path, folder):
        if b.reason == DAILY and b.taken_at.date() == now.date():
            return None
    return take_backup(db_path, reason=DAILY, folder=folder, now=now)


def inspect_backup(path: Path) -> BackupInfo:
    """Open a backup read-only and check it can be restored: a full integrity check, a
    schema this version knows, the workshop's tables present.  Refusals name the file."""
    from smallbatch_desktop.db.migrate import check_not_newer

    path = path.expanduser()
    if not path.is_file():
        raise ValidationError(f"restore: there is no file {path}", field="file")
    check = _quick_check(path, full=True)
    if check != "ok":
        raise CorruptDatabaseError(
            f"restore: {path.name} is damaged or is not a Smallbatch backup ({check}); "
            "choose another backup",
            path=str(path),
        )
    conn = sqlite3.connect(readonly_uri(path.resolve()), uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "batches", "material_lots"} <= tables:
            raise ValidationError(
                f"restore: {path.name} is an SQLite file but not a Smallbatch database "
                "(no batches or lots in it); choose a Smallbatch backup",
                field="file",
            )
        rev_rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        revision = rev_rows[0][0] if rev_rows else None
        check_not_newer(revision, path.name)
        batches = conn.execute("SELECT count(*) FROM batches").fetchone()[0]
        lots = conn.execute("SELECT count(*) FROM material_lots").fetchone()[0]
        last = conn.execute("SELECT lot_code FROM batches ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return BackupInfo(path, revision, batches, lots, last[0] if last else "", path.stat().st_size)


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    previous: Path | None  # where the database that was replaced is kept


def restore_backup(source: Path, db_path: Path, *, folder: Path | None = None) -> RestoreResult:
    """Replace the database at ``db_path`` with the backup ``source``.

    The backup is checked first (``inspect_backup``), copied and upgraded to this
    version's schema in a scratch file beside the database; only then is the current
    database kept aside (a ``before-restore`` backup, or, when it is too damaged to be
    read, renamed to ``<name>.damaged-<time>``) and the checked copy written over it
    with the backup API, so other open connections see the restored data on their
    next read.  Returns what was restored and where the old database went."""
    source = source.expanduser()
    db_path = db_path.expanduser()
    info = inspect_backup(source)
    if source.resolve() == db_path.resolve():
        raise ValidationError("restore: that file is the database itself", field="file")
    if not db_path.parent.is_dir():
        raise ValidationError(f"restore: folder {db_path.parent} does not exist", field="db")
    scratch = db_path.with_name(db_path.name + ".restoring")
    try:
        _copy(source, scratch)
        _upgrade_file(scratch)
        previous = _keep_current(db_path, folder)
        _write_over(scratch, db_path)
    except BaseException as exc:
        fault = explain(exc, where=str(db_path))
        if fault is not None and fault is not exc:
            raise fault from exc
        raise
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)
    log.info("restored %s from %s (previous kept at %s)", db_path, source, previous)
    return RestoreResult(info, previous)


def _upgrade_file(path: Path) -> None:
    from smallbatch_desktop.db.engine import make_engine
    from smallbatch_desktop.db.migrate import is_at_head, upgrade_to_head

    if is_at_head(path):
        return
    engine = make_engine(path)
    try:
        # the backup is itself the copy from before the upgrade: no second one
        upgrade_to_head(engine, backup_first=False)
    finally:
        engine.dispose()


def _keep_current(db_path: Path, folder: Path | None) -> Path | None:
    if not db_path.exists():
        return None
    if quick_check(db_path) == "ok":
        try:
            return take_backup(db_path, reason=BEFORE_RESTORE, folder=folder)
        except CorruptDatabaseError:
            pass
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%H%M%S")
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        f = Path(str(db_path) + suffix)
        if f.exists():
            os.replace(f, Path(str(aside) + suffix))
    return aside


def _write_over(source: Path, db_path: Path) -> None:
    src = sqlite3.connect(readonly_uri(source.resolve()), uri=True)
    try:
        dst = sqlite3.connect(db_path, timeout=10)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()
