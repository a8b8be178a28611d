"""Backups: ``smallbatch backup`` / ``restore`` round trips (the restored copy is opened
and checked: integrity_check and the data), the copy taken before every upgrade, the
daily rotation, and refusals that name the file."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command

from smallbatch_desktop.cli import main
from smallbatch_desktop.db import backup as bk
from smallbatch_desktop.db.engine import make_engine, open_database
from smallbatch_desktop.db.migrate import alembic_config, head_revision, stored_revision
from smallbatch_desktop.db.opening import open_for_use


def q(path: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    return path


@pytest.fixture
def shop(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "shop.sqlite"
    with (
        contextlib.closing(sqlite3.connect(demo_db)) as src,
        contextlib.closing(sqlite3.connect(path)) as dst,
    ):
        src.backup(dst)
    return path


def a_batch(path: Path) -> str:
    return q(path, "SELECT lot_code FROM batches ORDER BY id LIMIT 1")[0][0]


def test_backup_then_restore_round_trip(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batches = q(shop, "SELECT count(*) FROM batches")
    assert main(["backup", "--db", str(shop)]) == 0
    (copy,) = bk.list_backups(shop)
    assert copy.reason == "manual" and copy.path.parent == bk.backup_folder(shop)
    assert str(copy.path) in capsys.readouterr().out

    # work done after the backup: a recorded recall drill
    lot = a_batch(shop)
    assert (
        main(["recall", lot, "--drill", "--out", str(tmp_path / "r.pdf"), "--db", str(shop)]) == 0
    )
    assert q(shop, "SELECT count(*) FROM recall_drills") == [(1,)]

    assert main(["restore", str(copy.path), "--db", str(shop)]) == 0
    out, err = capsys.readouterr()
    assert f"restored {shop} from {copy.path}" in out and "batches" in out
    # the restored database opens, is whole, and holds the backup's data
    assert q(shop, "PRAGMA integrity_check") == [("ok",)]
    assert q(shop, "SELECT count(*) FROM batches") == batches
    assert q(shop, "SELECT count(*) FROM recall_drills") == [(0,)]
    engine, sf = open_database(shop)
    from smallbatch_desktop.services.trace import find_lot

    with sf() as s:
        assert find_lot(s, lot).lot_code == lot
    engine.dispose()
    # the database it replaced is kept, drill and all
    (kept,) = [b for b in bk.list_backups(shop) if b.reason == "before-restore"]
    assert str(kept.path) in err
    assert q(kept.path, "SELECT count(*) FROM recall_drills") == [(1,)]
    assert q(kept.path, "PRAGMA integrity_check") == [("ok",)]


def test_backup_out_and_list(shop: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "usb" / "shop-copy.sqlite"
    assert main(["backup", "--db", str(shop), "--out", str(out)]) == 2
    assert f"--out: folder {out.parent} does not exist" in capsys.readouterr().err
    out.parent.mkdir()
    assert main(["backup", "--db", str(shop), "--out", str(out)]) == 0
    assert q(out, "PRAGMA integrity_check") == [("ok",)]
    assert q(out, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert main(["backup", "--db", str(shop), "--out", str(out)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert bk.list_backups(shop) == []  # --out does not go to the backups folder
    assert main(["backup", "--db", str(shop)]) == 0
    capsys.readouterr()
    assert main(["backup", "--list", "--db", str(shop)]) == 0
    listed = capsys.readouterr().out
    assert "manual" in listed and str(bk.list_backups(shop)[0].path) in listed


def test_restore_refuses_what_is_not_a_sound_backup(shop: Path, tmp_path: Path, capsys) -> None:
    before = q(shop, "SELECT count(*) FROM batches")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 300)
    other = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE recipes_of_grandma(x)")
        conn.commit()
    newer = tmp_path / "newer.sqlite"
    shutil.copyfile(shop, newer)
    with contextlib.closing(sqlite3.connect(newer)) as conn:
        conn.execute("UPDATE alembic_version SET version_num='0099_future'")
        conn.commit()
    for bad, says in (
        (junk, "junk.sqlite is damaged or is not a Smallbatch backup"),
        (other, "other.sqlite is an SQLite file but not a Smallbatch database"),
        (newer, "made by a newer Smallbatch"),
        (tmp_path / "missing.sqlite", "there is no file"),
    ):
        assert main(["restore", str(bad), "--db", str(shop)]) == 2
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1, err
    assert q(shop, "SELECT count(*) FROM batches") == before
    assert bk.list_backups(shop) == []


def at_revision(path: Path, revision: str) -> Path:
    engine = make_engine(path)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.exec_driver_sql(
            "INSERT INTO suppliers(name, address, contact, email, phone, notes, created_at) VALUES ('Old Mill', '', '', '', '', '', '2026-01-01')"
        )
    engine.dispose()
    return path


def test_an_upgrade_takes_a_backup_first(tmp_path: Path) -> None:
    old = at_revision(tmp_path / "old.sqlite", "0001")
    engine, _ = open_for_use(old)
    engine.dispose()
    assert stored_revision(old) == head_revision()
    (copy,) = bk.list_backups(old)
    assert copy.reason == f"before-upgrade-to-{head_revision()}"
    assert stored_revision(copy.path) == "0001"
    assert q(copy.path, "SELECT name FROM suppliers") == [("Old Mill",)]


def test_restoring_an_older_backup_upgrades_it(shop: Path, tmp_path: Path) -> None:
    old = at_revision(tmp_path / "old.sqlite", "0001")
    result = bk.restore_backup(old, shop)
    assert result.info.revision == "0001"
    assert stored_revision(shop) == head_revision()
    assert q(shop, "SELECT name FROM suppliers") == [("Old Mill",)]
    assert stored_revision(old) == "0001"  # the backup itself is left as it was


def test_rotation_keeps_seven_daily_and_every_manual(shop: Path) -> None:
    start = dt.datetime(2026, 11, 1, 9, 0)
    bk.take_backup(shop, reason=bk.MANUAL, now=start - dt.timedelta(days=30))
    for day in range(10):
        now = start + dt.timedelta(days=day)
        assert bk.backup_if_due(shop, now=now) is not None
        assert bk.backup_if_due(shop, now=now + dt.timedelta(hours=5)) is None  # once a day
    kept = bk.list_backups(shop)
    daily = [b.taken_at.date() for b in kept if b.reason == "daily"]
    assert daily == [(start + dt.timedelta(days=d)).date() for d in range(9, 2, -1)]
    assert [b.reason for b in kept].count("manual") == 1
    for b in kept:
        assert q(b.path, "PRAGMA quick_check") == [("ok",)]


def test_a_damaged_database_is_not_backed_up_over_good_copies(shop: Path, capsys) -> None:
    assert main(["backup", "--db", str(shop)]) == 0
    (good,) = bk.list_backups(shop)
    with contextlib.closing(sqlite3.connect(shop)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name='ix_batches_made_date'"
        ).fetchone()[0]
    with open(shop, "r+b") as f:  # a damaged index page: reads still work
        f.seek((root - 1) * page + 8)
        f.write(b"\xff" * 200)
    capsys.readouterr()
    assert main(["backup", "--db", str(shop)]) == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and "the backup was not kept" in err
    assert [b.path for b in bk.list_backups(shop)] == [good.path]
    assert not list(good.path.parent.glob("*.part"))


def test_a_damaged_database_names_its_newest_backup(shop: Path, capsys) -> None:
    assert main(["backup", "--db", str(shop)]) == 0
    (good,) = bk.list_backups(shop)
    lot = a_batch(shop)
    with contextlib.closing(sqlite3.connect(shop)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='batches'").fetchone()[0]
    with open(shop, "r+b") as f:
        f.seek((root - 1) * page + 8)
        f.write(b"\xde\xad" * 200)
    capsys.readouterr()
    assert main(["trace", lot, "--db", str(shop)]) == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and f"The newest backup is {good.path}" in err
    assert main(["restore", str(good.path), "--db", str(shop)]) == 0
    assert q(shop, "PRAGMA integrity_check") == [("ok",)]
    assert list(shop.parent.glob("shop.sqlite.damaged-*"))  # the damaged file kept aside


def test_postgres_users_are_told_to_use_pg_dump(capsys) -> None:
    url = "postgresql+psycopg://maker:secret@server.local/smallbatch"
    for args in (["backup", "--db", url], ["restore", "x.sqlite", "--db", url]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "pg_dump" in err and "secret" not in err and "server.local" in err


def test_a_database_in_a_folder_named_with_hash_or_percent_backs_up(
    shop: Path, tmp_path: Path
) -> None:
    """The backup and its check open the file read-only through a ``file:`` URI: a
    folder named "Jams #2 50%" used to cut that URI short, and the backup failed."""
    odd = tmp_path / "Jams #2 50%"
    odd.mkdir()
    db = odd / "shop.sqlite"
    shutil.copy(shop, db)
    made = bk.take_backup(db, reason=bk.MANUAL, folder=tmp_path / "backups")
    assert bk.check_verdict(made) == "ok" and bk.check_verdict(db) == "ok"
    with sqlite3.connect(made) as conn:
        assert conn.execute("SELECT count(*) FROM batches").fetchone()[0] > 0
