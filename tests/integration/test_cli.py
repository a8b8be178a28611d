"""The command line end to end, in a temp folder, as a separate process where it matters."""

import csv
import io
import json
import sqlite3
import subprocess
import sys

import pytest

from smallbatch_desktop import __version__
from smallbatch_desktop.cli import main


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "smallbatch_desktop", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    r = run("demo", "--db", str(path))
    assert r.returncode == 0, r.stderr
    return path


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"smallbatch {__version__}"


def test_trace_text_both_directions(demo_db, capsys):
    assert main(["trace", "SPF-2409-A", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert "Backward (inputs):" in out and "Forward (used in, shipped to):" in out
    assert "Fermented habanero mash" in out and "Habanero Hot Sauce" in out
    assert "to Green Grocer Co-op" in out


def test_trace_json_and_csv(demo_db, capsys):
    assert (
        main(
            [
                "trace",
                "SPF-2409-A",
                "--db",
                str(demo_db),
                "--direction",
                "forward",
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    (fwd,) = data
    assert fwd["direction"] == "forward" and fwd["root"]["name"] == "Habanero peppers"
    levels = {e["level"] for e in fwd["edges"]}
    assert levels == {1, 2, 3}  # mash -> base -> bottled sauce
    customers = {s["customer"] for s in fwd["shipments"]}
    assert {"Corner Deli", "Green Grocer Co-op"} <= customers
    assert (
        main(
            [
                "trace",
                "SPF-2409-A",
                "--db",
                str(demo_db),
                "--direction",
                "forward",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["kind"] for r in rows} == {"edge", "shipment"}
    assert len([r for r in rows if r["kind"] == "shipment"]) == len(fwd["shipments"])


def test_user_error_is_one_line_and_exit_2(demo_db):
    r = run("trace", "NO-SUCH-LOT", "--db", str(demo_db))
    assert r.returncode == 2
    assert (
        r.stderr.strip()
        == "smallbatch: error: lot: no batch or material lot has the code 'NO-SUCH-LOT'"
    )
    assert "Traceback" not in r.stderr


def test_demo_refuses_a_database_with_data(demo_db):
    r = run("demo", "--db", str(demo_db))
    assert r.returncode == 2
    assert "demo: the database already holds data" in r.stderr


def test_bad_db_path(tmp_path):
    r = run("demo", "--db", str(tmp_path / "missing" / "x.sqlite"))
    assert r.returncode == 2 and "--db: folder" in r.stderr and "does not exist" in r.stderr
    # a command that only reads says the database is missing, and creates nothing
    r = run("trace", "X", "--db", str(tmp_path / "missing" / "x.sqlite"))
    assert r.returncode == 2 and "--db: there is no database at" in r.stderr


def test_smallbatch_db_env_and_scale(tmp_path):
    path = tmp_path / "env.sqlite"
    env = {**__import__("os").environ, "SMALLBATCH_DB": str(path)}
    r = run("demo", "--scale", "300", "--no-demo", env=env)
    assert r.returncode == 0, r.stderr
    from sqlalchemy import create_engine, text

    eng = create_engine(f"sqlite:///{path}")
    with eng.connect() as c:
        assert c.execute(text("select count(*) from batches")).scalar() == 300
        cons = c.execute(text("select count(*) from consumptions")).scalar()
        assert 4 * 300 <= cons <= 6 * 300
        # every generated lot stays non-negative
        neg = c.execute(
            text(
                "select count(*) from material_lots l where l.quantity_received < "
                "(select coalesce(sum(quantity),0) from consumptions c where c.material_lot_id = l.id)"
            )
        ).scalar()
        assert neg == 0
        # released like any batch, so each has its snapshot
        assert c.execute(text("select count(*) from batch_snapshots")).scalar() == 300
    eng.dispose()


# -- the fast read path: plain sqlite3, no SQLAlchemy -------------------------------------

PROBE = """
import sys
from smallbatch_desktop.cli import main
code = main(sys.argv[1:])
print("imported:", sorted(m for m in ("sqlalchemy", "alembic") if m in sys.modules))
raise SystemExit(code)
"""


def test_trace_of_a_current_sqlite_file_imports_no_sqlalchemy(demo_db, tmp_path):
    """A whole process, as a maker runs it: the file is at the newest schema, so the
    trace reads it with plain sqlite3 (read-only) and neither SQLAlchemy nor Alembic is
    imported; in a folder whose name would cut a ``file:`` URI short (``#``, ``%``)."""
    import shutil

    odd = tmp_path / "Jams #2 50%"
    odd.mkdir()
    db = odd / "demo.sqlite"
    shutil.copy(demo_db, db)
    before = db.read_bytes()
    r = subprocess.run(
        [sys.executable, "-c", PROBE, "trace", "SPF-2409-A", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert "imported: []" in r.stdout
    assert r.stdout.startswith("Backward (inputs): ") and "Habanero peppers" in r.stdout
    assert "Forward (used in, shipped to)" in r.stdout
    assert db.read_bytes() == before  # read-only: not a byte written
    # an unknown lot is still one line and exit 2 on the fast path
    r = subprocess.run(
        [sys.executable, "-c", PROBE, "trace", "NO-SUCH-LOT", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "no batch or material lot has the code 'NO-SUCH-LOT'" in r.stderr


def test_the_fast_trace_reads_what_the_session_reads(demo_db):
    """Every lot of the demo, backward and forward: the sqlite3 reader and a SQLAlchemy
    session give equal results (edges, shipments, the lot's own name)."""
    import sqlite3

    from smallbatch_desktop.db.opening import open_for_use, open_reader
    from smallbatch_desktop.services.trace import find_lot, trace_backward, trace_forward

    with sqlite3.connect(demo_db) as conn:
        lots = [r[0] for r in conn.execute("SELECT lot_code FROM batches ORDER BY id")]
        lots += [r[0] for r in conn.execute("SELECT lot_code FROM material_lots ORDER BY id")]
    fast = open_reader(str(demo_db))
    assert fast is not None
    reader, close = fast
    engine, sf = open_for_use(str(demo_db), create=False)
    try:
        with sf() as s:
            for lot in lots:
                a, b = find_lot(reader, lot), find_lot(s, lot)
                assert a == b
                assert trace_backward(reader, a) == trace_backward(s, b)
                assert trace_forward(reader, a) == trace_forward(s, b)
    finally:
        close()
        engine.dispose()
    assert len(lots) > 20


def test_a_database_that_needs_upgrading_is_not_read_the_fast_way(tmp_path):
    """Only a file at the newest schema takes the plain-sqlite3 path; a server URL or a
    file at an older schema goes through the session (which upgrades it)."""
    from smallbatch_desktop.db.opening import open_reader

    assert open_reader("postgresql+psycopg://u@127.0.0.1:1/x") is None
    old = tmp_path / "old.sqlite"
    import sqlite3

    with sqlite3.connect(old) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.execute("INSERT INTO alembic_version VALUES ('0001')")
    assert open_reader(str(old)) is None


def test_labels_into_a_missing_folder_is_one_line_before_anything_loads(demo_db, tmp_path):
    """``labels --out missing_dir/x.pdf``, a whole process: exit 2, one line naming the
    folder, and neither the database layer nor the PDF renderer was even imported (the
    check comes first; it used to render everything and die with a traceback)."""
    out = tmp_path / "missing_dir" / "x.pdf"
    with sqlite3.connect(demo_db) as conn:
        runs = conn.execute("SELECT count(*) FROM label_print_runs").fetchone()[0]
        lot = conn.execute("SELECT lot_code FROM batches WHERE status = 'released'").fetchone()[0]
    probe = PROBE.replace(
        '("sqlalchemy", "alembic")', '("sqlalchemy", "alembic", "reportlab", "zxingcpp")'
    )
    args = ["labels", "--batch", lot, "--out", str(out), "--db", str(demo_db)]
    r = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2
    assert r.stderr == f"smallbatch: error: --out: folder {out.parent} does not exist\n"
    assert "imported: []" in r.stdout
    assert not out.parent.exists()
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM label_print_runs").fetchone()[0] == runs


def test_a_long_upgrade_prints_its_progress(tmp_path):
    """A command on a database an older version made (1,200 released batches without
    their snapshots) updates it first, saying so on stderr stage by stage, the batch
    records counted as they go; stdout has only the command's own output."""
    from factories import older_database

    from smallbatch_desktop.db.migrate import head_revision, stored_revision

    path = tmp_path / "old.sqlite"
    older_database(path, 1200)
    r = run("trace", "G7L0000000", "--direction", "forward", "--db", str(path))
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines[0] == (
        f"smallbatch: the database {path} was made by an older version: updating it once "
        "(a large one takes minutes)"
    )
    prefix = "smallbatch: updating the database for this version: "
    assert all(line.startswith(prefix) for line in lines[1:]), lines
    said = [line.removeprefix(prefix) for line in lines[1:]]
    assert said[0].startswith("keeping a copy of the database first: ")
    assert "keeping a copy of the database first: 100% copied" in said
    import re

    tables = [s for s in said if s.startswith("updating its tables")]
    assert re.fullmatch(r"updating its tables: (\d+) of \1 steps done", tables[-1])
    counted = [s for s in said if s.startswith("keeping each released batch record")]
    assert counted[-1].endswith(": 1,200 of 1,200 batch records")
    assert len(counted) >= 2
    assert "G7L0000000" in r.stdout and "updating" not in r.stdout
    assert stored_revision(path) == head_revision()
    # at head, the next command says nothing of it
    r = run("trace", "G7L0000000", "--direction", "forward", "--db", str(path))
    assert r.returncode == 0 and r.stderr == ""
