"""Every database fault is one line a maker can act on (exit 2), never a traceback: a
database another process keeps locked, a full disk, a read-only copy, a damaged page, a
schema from a newer Smallbatch, an unreachable PostgreSQL server.  And the command line
never writes where it was not asked to: ``--db ""`` is refused, read-only commands never
create a database, a missing output folder is refused before anything is rendered.

The faults are made for real: a second process holding the write lock, a tmpfs that is
full or mounted read-only (when this machine lets the tests mount one; otherwise SQLite's
``max_page_count`` and file permissions), bytes overwritten in a table's page, a closed
TCP port."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from smallbatch_desktop.cli import main

HEAD_TABLES = ("batches", "material_lots")


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smallbatch_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(r: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exit 2 and one line on stderr, no traceback."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("smallbatch: error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def shop(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workshop."""
    path = tmp_path / "shop.sqlite"
    shutil.copyfile(demo_db, path)
    return path


def a_batch(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT lot_code FROM batches ORDER BY id LIMIT 1").fetchone()[0]


def count(path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# -- what the command line must never do -----------------------------------------------


def test_empty_db_is_refused_and_the_users_own_database_is_untouched(tmp_path: Path) -> None:
    own = Path(os.environ["SMALLBATCH_DATA_DIR"]) / "smallbatch.sqlite"
    for args in (
        ["trace", "X", "--db", ""],
        ["demo", "--db", ""],
        ["--db", "", "demo"],
        ["recall", "X", "--drill", "--out", str(tmp_path / "r.pdf"), "--db", " "],
    ):
        line = one_line_error(run(*args))
        assert "--db: empty" in line, args
    assert not own.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["trace", "X"],
        ["sheet", "--batch", "X", "--out", "{tmp}/s.pdf"],
        ["recall", "X", "--out", "{tmp}/r.pdf"],
        ["recall", "--history"],
        ["fsma204", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "{tmp}/f.csv"],
        ["labels", "--batch", "X", "--draft", "--out", "{tmp}/l.pdf"],
        ["labels", "--calibration", "--out", "{tmp}/c.pdf"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_read_only_commands_never_create_a_database(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite"
    args = [a.replace("{tmp}", str(tmp_path)) for a in command] + ["--db", str(missing)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"there is no database at {missing}" in err
    assert not any(tmp_path.glob("typo.sqlite*"))


def test_a_writing_command_still_creates_a_new_database(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite"
    assert main(["demo", "--db", str(new)]) == 0
    assert count(new, "batches") > 0


@pytest.mark.parametrize("command", ["labels", "sheet", "recall", "fsma204"])
def test_an_output_in_a_missing_folder_is_refused_before_anything_runs(
    command: str, shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing_dir" / ("x.csv" if command == "fsma204" else "x.pdf")
    lot = a_batch(shop)
    args = {
        "labels": ["labels", "--batch", lot, "--out", str(out)],
        "sheet": ["sheet", "--batch", lot, "--out", str(out)],
        "recall": ["recall", lot, "--drill", "--out", str(out)],
        "fsma204": ["fsma204", "--from", "2020-01-01", "--to", "2030-01-01", "--out", str(out)],
    }[command]
    runs, drills = count(shop, "label_print_runs"), count(shop, "recall_drills")
    assert main([*args, "--db", str(shop)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"smallbatch: error: --out: folder {out.parent} does not exist"
    assert (count(shop, "label_print_runs"), count(shop, "recall_drills")) == (runs, drills)


# -- locked ------------------------------------------------------------------------------

HOLD_LOCK = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO settings(key, value) VALUES ('held', 'yes')")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("ROLLBACK")
    """
)


@contextlib.contextmanager
def lock_held(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the write lock on ``path`` for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_a_short_lock_is_waited_out(shop: Path, tmp_path: Path) -> None:
    lot = a_batch(shop)
    with lock_held(shop, 1.5):
        started = time.monotonic()
        r = run("recall", lot, "--drill", "--out", str(tmp_path / "r.pdf"), "--db", str(shop))
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - started >= 1.0  # it waited for the other workstation
    assert count(shop, "recall_drills") == 1


def test_reading_commands_run_while_another_workstation_holds_a_long_write(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reports only read (a deferred BEGIN): in WAL mode they never wait for the write
    lock, so a second workstation saving for two minutes does not stop them.  Taking the
    lock would wait out the 5 s busy timeout and then fail with "busy" (exit 2)."""
    lot = a_batch(shop)
    with sqlite3.connect(shop) as conn:  # a product's labels (an intermediate has none)
        product = conn.execute(
            "SELECT b.lot_code FROM batches b JOIN recipe_versions v ON v.id = "
            "b.recipe_version_id JOIN recipes r ON r.id = v.recipe_id WHERE NOT r.intermediate "
            "AND b.status = 'released' ORDER BY b.id LIMIT 1"
        ).fetchone()[0]
    reads = {
        "sheet": ["sheet", "--batch", lot, "--out", str(tmp_path / "s.pdf")],
        "card": ["sheet", "--batch", lot, "--card", "--out", str(tmp_path / "c.pdf")],
        "recall": [
            "recall",
            lot,
            "--out",
            str(tmp_path / "r.pdf"),
            "--csv",
            str(tmp_path / "r.csv"),
        ],
        "drill history": ["recall", "--history"],
        "fsma204": [
            "fsma204",
            "--from",
            "2020-01-01",
            "--to",
            "2030-01-01",
            "--out",
            str(tmp_path / "f.csv"),
        ],
        "trace": ["trace", lot],
        "make list": ["make-list"],
        "purchase list": ["purchase-list"],
        "draft labels": [
            "labels",
            "--batch",
            product,
            "--draft",
            "--copies",
            "3",
            "--out",
            str(tmp_path / "l.pdf"),
        ],
    }
    with lock_held(shop, 120):
        for name, args in reads.items():
            code = main([*args, "--db", str(shop)])
            err = capsys.readouterr().err
            assert code == 0, (name, err)  # not "busy": it never asked for the lock
    for out in ("s.pdf", "c.pdf", "r.pdf", "l.pdf"):
        assert (tmp_path / out).read_bytes().startswith(b"%PDF")
    assert count(shop, "recall_drills") == 0 and count(shop, "label_print_runs") == 0


@pytest.mark.slow
def test_a_long_lock_is_one_line_asking_to_try_again(shop: Path, tmp_path: Path) -> None:
    lot = a_batch(shop)
    with lock_held(shop, 30):
        r = run("recall", lot, "--drill", "--out", str(tmp_path / "r.pdf"), "--db", str(shop))
    line = one_line_error(r)
    assert "another workstation" in line and "try again" in line
    assert count(shop, "recall_drills") == 0


# -- disk full ---------------------------------------------------------------------------


def test_disk_full_under_max_page_count(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's own size limit gives the same SQLITE_FULL a full disk does."""
    from smallbatch_desktop.db import engine as engine_mod

    pragmas = engine_mod._sqlite_pragmas

    def full(dbapi_connection, record):  # type: ignore[no-untyped-def]
        pragmas(dbapi_connection, record)
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    monkeypatch.setattr(engine_mod, "_sqlite_pragmas", full)
    assert main(["demo", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("smallbatch: error: The disk that holds the database")
    assert "is full: nothing was saved" in err and "\n" not in err
    assert count(db_path, "recipes") == 0  # nothing half-written


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("mount")


@contextlib.contextmanager
def tmpfs(size: str) -> Iterator[Path]:
    where = Path("/tmp") / f"sb-tmpfs-{uuid.uuid4().hex[:8]}"
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)])
    if r.returncode != 0:
        where.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


@pytest.mark.skipif(not _can_mount(), reason="needs root to mount a tiny tmpfs")
def test_disk_full_on_a_full_tmpfs(demo_db: Path, tmp_path: Path) -> None:
    with tmpfs("4m") as disk:
        shop = disk / "shop.sqlite"
        shutil.copyfile(demo_db, shop)
        filler = disk / "filler"
        with open(filler, "wb") as f, contextlib.suppress(OSError):  # fill what is left
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        line = one_line_error(run("demo", "--db", str(shop), "--scale", "200", "--no-demo"))
        assert "is full" in line
        filler.unlink()
        assert count(shop, "batches") == count(demo_db, "batches")  # nothing half-written


# -- read-only ---------------------------------------------------------------------------


@contextlib.contextmanager
def read_only_copy(src: Path, tmp_path: Path) -> Iterator[Path]:
    """``src`` on a read-only file system (root: a tmpfs remounted ro), or with the
    file and its folder made read-only (anyone else)."""
    if _can_mount():
        with tmpfs("64m") as disk:
            shutil.copyfile(src, disk / src.name)
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            yield disk / src.name
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copyfile(src, folder / src.name)
    (folder / src.name).chmod(0o444)
    folder.chmod(0o555)
    try:
        yield folder / src.name
    finally:
        folder.chmod(0o755)


def test_writing_to_a_read_only_database_is_one_line(demo_db: Path, tmp_path: Path) -> None:
    lot = a_batch(demo_db)
    with read_only_copy(demo_db, tmp_path) as shop:
        r = run("recall", lot, "--drill", "--out", str(tmp_path / "r.pdf"), "--db", str(shop))
        line = one_line_error(r)
        assert "read-only" in line or "cannot be written" in line
        assert str(shop) in line


# -- damaged -----------------------------------------------------------------------------


def damage(path: Path, table: str = "batches") -> None:
    """Overwrite the middle of ``table``'s root page."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()
    with open(path, "r+b") as f:
        f.seek((root[0] - 1) * page + 8)
        f.write(b"\xde\xad\xbe\xef" * 64)


def test_a_damaged_database_says_restore_a_backup(shop: Path) -> None:
    lot = a_batch(shop)
    damage(shop)
    line = one_line_error(run("trace", lot, "--db", str(shop)))
    assert f"The database {shop} is damaged" in line
    assert "smallbatch restore" in line


def damage_index(path: Path) -> str:
    """Overwrite an index's leaf page that no query of a writing command reads first:
    only ``PRAGMA quick_check`` notices."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        name, root = conn.execute(
            "SELECT name, rootpage FROM sqlite_master WHERE type='index' "
            "AND tbl_name='audit_log' AND sql IS NOT NULL ORDER BY name LIMIT 1"
        ).fetchone()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xde\xad\xbe\xef" * 64)
    return name


def test_a_writing_command_checks_the_file_first(shop: Path, tmp_path: Path) -> None:
    lot = a_batch(shop)
    damage_index(shop)
    # a read that never touches the damaged index still works
    assert run("trace", lot, "--db", str(shop)).returncode == 0
    drills = count(shop, "recall_drills")
    r = run("recall", lot, "--drill", "--out", str(tmp_path / "r.pdf"), "--db", str(shop))
    line = one_line_error(r)
    assert f"The database {shop} is damaged" in line
    assert "smallbatch restore" in line
    assert count(shop, "recall_drills") == drills  # nothing written on top of the damage
    assert not (tmp_path / "r.pdf").exists()


def test_an_intact_file_is_read_through_once_an_hour(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check reads every page (seconds on a big file): a file found intact is not
    read through again within the hour; after that, it is."""
    from smallbatch_desktop.db import backup, opening

    checks: list[Path] = []
    real = backup.check_verdict
    monkeypatch.setattr(backup, "check_verdict", lambda p: checks.append(p) or real(p))
    opening.check_intact(shop)
    opening.check_intact(shop)
    assert checks == [shop]
    stamp = backup.backup_folder(shop) / ".quick-check-ok"
    an_hour_ago = time.time() - opening.CHECK_EVERY_S - 1
    os.utime(stamp, (an_hour_ago, an_hour_ago))
    opening.check_intact(shop)
    assert checks == [shop, shop]


def test_a_file_that_is_no_database(tmp_path: Path) -> None:
    junk = tmp_path / "notes.sqlite"
    junk.write_text("shopping list: chillies, vinegar\n" * 200)
    line = one_line_error(run("trace", "X", "--db", str(junk)))
    assert "is not a Smallbatch database" in line
    assert junk.read_text().startswith("shopping list")  # left as it was


# -- newer schema ------------------------------------------------------------------------


def test_a_database_from_a_newer_smallbatch_is_refused_untouched(shop: Path) -> None:
    with contextlib.closing(sqlite3.connect(shop)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
        conn.commit()
    for args in (["trace", "X"], ["demo"]):
        line = one_line_error(run(*args, "--db", str(shop)))
        assert "made by a newer Smallbatch" in line and "update this workstation" in line
    with contextlib.closing(sqlite3.connect(shop)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0099_from_the_future",)
        ]


# -- PostgreSQL unreachable --------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_is_one_line() -> None:
    pytest.importorskip("psycopg")
    port = closed_port()
    url = f"postgresql+psycopg://maker:secret@127.0.0.1:{port}/smallbatch"
    started = time.monotonic()
    line = one_line_error(run("trace", "X", "--db", url))
    assert f"Cannot reach the database server 127.0.0.1:{port}" in line
    assert "secret" not in line
    assert time.monotonic() - started < 30


@pytest.mark.skipif(not os.environ.get("SMALLBATCH_TEST_PG_URL"), reason="no test server")
def test_a_server_that_refuses_the_login_is_one_line() -> None:
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["SMALLBATCH_TEST_PG_URL"])
    for bad, says in (
        (url.set(database="no_such_workshop"), 'database "no_such_workshop" does not exist'),
        (url.set(username="no_such_maker"), 'role "no_such_maker" does not exist'),
    ):
        line = one_line_error(run("trace", "X", "--db", bad.render_as_string(hide_password=False)))
        assert "refused this workstation" in line and says in line
