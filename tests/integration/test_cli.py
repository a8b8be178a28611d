"""The command line end to end, in a temp folder, as a separate process where it matters."""

import csv
import io
import json
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
    eng.dispose()
