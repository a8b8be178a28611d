"""``smallbatch import``: mapping shown, bad rows one per line with exit 2 and nothing
written, --dry-run, --map, --date-order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from smallbatch_desktop.cli import main
from smallbatch_desktop.db.engine import open_database
from smallbatch_desktop.domain.models import MaterialLot, Supplier

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def lots_in(db):
    engine, sf = open_database(db)
    try:
        with sf() as s:
            return s.scalar(select(func.count()).select_from(MaterialLot))
    finally:
        engine.dispose()


def test_master_data_then_bad_lots_exit_2_with_every_row_named(db_path, capsys):
    db = str(db_path)
    for kind in ("suppliers", "customers", "materials"):
        assert main(["import", kind, str(DATA / f"{kind}.csv"), "--db", db]) == 0
    out = capsys.readouterr()
    assert "row 4: imported material SEA-SAL Sea salt (kg, ingredient)" in out.out
    assert "  name * <- 'Customer'" in out.err
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "smallbatch_desktop",
            "import",
            "lots",
            str(DATA / "lots_bad.csv"),
            "--db",
            db,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 2
    errors = [line for line in r.stderr.splitlines() if line.startswith("row ")]
    assert errors == (DATA / "lots_bad.expected").read_text().splitlines()
    assert "5 bad rows; nothing imported" in r.stderr
    assert lots_in(db_path) == 0


def test_dry_run_writes_nothing_then_import_then_duplicates(db_path, capsys):
    db = str(db_path)
    for kind in ("suppliers", "materials"):
        assert main(["import", kind, str(DATA / f"{kind}.csv"), "--db", db]) == 0
    capsys.readouterr()
    lots = str(DATA / "lots_dmy.csv")
    assert main(["import", "lots", lots, "--db", db, "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "row 2: would import lot R260203-01: 12.5 kg of Habanero chillies" in out.out
    assert "3 would be imported (dry run, nothing written)" in out.err
    assert "numeric dates read as day/month/year" in out.err
    assert lots_in(db_path) == 0
    assert main(["import", "lots", lots, "--db", db]) == 0
    assert lots_in(db_path) == 3
    capsys.readouterr()
    assert main(["import", "lots", lots, "--db", db]) == 0
    out = capsys.readouterr()
    assert "row 3: skipped, duplicate: lot R-VIN-0402 of Cider vinegar" in out.out
    assert "0 imported, 3 duplicates skipped" in out.err
    assert lots_in(db_path) == 3


def test_ambiguous_dates_need_date_order(db_path, tmp_path, capsys):
    db = str(db_path)
    for kind in ("suppliers", "materials"):
        assert main(["import", kind, str(DATA / f"{kind}.csv"), "--db", db]) == 0
    f = tmp_path / "lots.csv"
    f.write_text("Material,Qty,Received\nHAB,1,05/03/2026\n")
    capsys.readouterr()
    assert main(["import", "lots", str(f), "--db", db]) == 2
    err = capsys.readouterr().err
    assert "row 2, Received: '05/03/2026' could be day/month or month/day" in err
    assert "--date-order dmy or --date-order mdy" in err
    assert main(["import", "lots", str(f), "--db", db, "--date-order", "mdy"]) == 0
    assert lots_in(db_path) == 1


def test_map_option_and_bad_map(db_path, tmp_path, capsys):
    f = tmp_path / "s.csv"
    f.write_text("Firm,Who\nAcme Spice,Bo\n")
    db = str(db_path)
    assert main(["import", "suppliers", str(f), "--db", db]) == 2
    assert "row 1, Name: required, but no column is mapped to it" in capsys.readouterr().err
    assert (
        main(
            ["import", "suppliers", str(f), "--db", db, "--map", "name=Firm", "--map", "contact=2"]
        )
        == 0
    )
    assert main(["import", "suppliers", str(f), "--db", db, "--map", "colour=Firm"]) == 2
    assert "--map: 'colour=Firm' must be FIELD=COLUMN" in capsys.readouterr().err
    engine, sf = open_database(db)
    with sf() as s:
        sup = s.scalar(select(Supplier))
        assert (sup.name, sup.contact) == ("Acme Spice", "Bo")
    engine.dispose()
