"""``smallbatch sheet``, ``recall`` and ``fsma204`` end to end, on the demo workshop and on
the report factory's genealogy."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from helpers.pdfread import decode_pdf, page_count
from sqlalchemy import select, text
from unit.services.reports_factory import genealogy

from smallbatch_desktop.cli import main
from smallbatch_desktop.db.engine import open_database
from smallbatch_desktop.domain.csvsafe import CSV_ENCODING
from smallbatch_desktop.domain.models import Batch, RecallDrill


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding=CSV_ENCODING, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    return path


@pytest.fixture
def factory_db(db_path: Path) -> Path:
    engine, sf = open_database(db_path)
    with sf.begin() as s:
        genealogy(s)
    engine.dispose()
    return db_path


def test_sheet_and_card_of_every_demo_batch(demo_db: Path, tmp_path: Path) -> None:
    engine, sf = open_database(demo_db)
    with sf() as s:
        codes = list(s.scalars(select(Batch.lot_code).order_by(Batch.id)))
        # every input lot and supplier lot of a two-level batch, by plain SQL
        deep = s.execute(
            text(
                "SELECT b.lot_code FROM batches b JOIN consumptions c ON c.batch_id = b.id "
                "JOIN consumptions c2 ON c2.batch_id = c.input_batch_id "
                "WHERE c2.input_batch_id IS NOT NULL LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    assert len(codes) > 10
    for code in codes:
        out = tmp_path / f"{code}.pdf"
        assert main(["sheet", "--db", str(demo_db), "--batch", code, "--out", str(out)]) == 0
        pdf = out.read_bytes()
        assert [c.text for c in decode_pdf(pdf, pages=[0])] == [code]
        card = tmp_path / f"{code}-card.pdf"
        assert (
            main(["sheet", "--db", str(demo_db), "--batch", code, "--card", "--out", str(card)])
            == 0
        )
        assert page_count(card.read_bytes()) == 1
    assert deep in codes


def test_demo_deep_batch_sheet_lists_nested_inputs(demo_db: Path, tmp_path: Path) -> None:
    engine, sf = open_database(demo_db)
    with sf() as s:
        bid, code = s.execute(
            text(
                "SELECT b.id, b.lot_code FROM batches b JOIN consumptions c ON c.batch_id = b.id "
                "JOIN consumptions c2 ON c2.batch_id = c.input_batch_id "
                "WHERE c2.input_batch_id IS NOT NULL ORDER BY b.id LIMIT 1"
            )
        ).one()
        expected: set[str] = set()
        todo = [bid]
        while todo:
            cur = todo.pop()
            for lot, sup_lot, ib, ib_code in s.execute(
                text(
                    "SELECT ml.lot_code, ml.supplier_lot_code, c.input_batch_id, ib.lot_code "
                    "FROM consumptions c LEFT JOIN material_lots ml ON ml.id = c.material_lot_id "
                    "LEFT JOIN batches ib ON ib.id = c.input_batch_id WHERE c.batch_id = :b"
                ),
                {"b": cur},
            ):
                if ib is not None:
                    expected.add(ib_code)
                    todo.append(ib)
                else:
                    expected |= {lot, sup_lot} - {""}
    engine.dispose()
    out = tmp_path / "deep.pdf"
    assert main(["sheet", "--db", str(demo_db), "--batch", code, "--out", str(out)]) == 0
    pdf_text = _text(out.read_bytes())
    flat = "".join(pdf_text.split())
    for value in expected:
        assert "".join(value.split()) in flat, value


def test_recall_pdf_csv_and_drill(
    factory_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, csv_path = tmp_path / "r.pdf", tmp_path / "r.csv"
    args = [
        "recall",
        "L-SALT-001",
        "--db",
        str(factory_db),
        "--out",
        str(pdf),
        "--csv",
        str(csv_path),
    ]
    assert main(args) == 0
    assert "5 batches, 3 shipments, 2 customers" in capsys.readouterr().out
    rows = _read_csv(csv_path)
    assert {r["batch_lot"] for r in rows if r["record"] == "batch"} == {
        "MASH-001",
        "MASH-002",
        "BASE-001",
        "HS-001",
        "HS-002",
    }
    assert "Corner Deli" in _text(pdf.read_bytes())

    assert main([*args, "--drill"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("drill #1: Completed in ")
    engine, sf = open_database(factory_db)
    with sf() as s:
        drill = s.scalars(select(RecallDrill)).one()
        assert (drill.batches_found, drill.shipments_found, drill.customers_found) == (5, 3, 2)
    engine.dispose()
    assert "MOCK RECALL DRILL" in _text(pdf.read_bytes())
    assert main(["recall", "--history", "--db", str(factory_db)]) == 0
    assert "L-SALT-001" in capsys.readouterr().out


def test_large_recall_says_where_the_rest_is(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """More batches than the PDF lists: the command says so, and that the CSV has them."""
    from unit.services.reports_factory import busy_lot

    from smallbatch_desktop.services.recall import LISTED

    engine, sf = open_database(db_path)
    with sf.begin() as s:
        busy_lot(s, LISTED + 20)
    engine.dispose()
    pdf, csv_path = tmp_path / "r.pdf", tmp_path / "r.csv"
    base = ["recall", "L-SALT-009", "--db", str(db_path), "--out", str(pdf)]
    assert main(base) == 0
    err = capsys.readouterr().err
    assert f"the PDF lists the first {LISTED} batches" in err
    assert "add --csv FILE.csv for every one" in err
    assert main([*base, "--csv", str(csv_path)]) == 0
    out, err = capsys.readouterr()
    total = len([r for r in _read_csv(csv_path) if r["record"] == "batch"])
    assert total > LISTED and f"recall L-SALT-009: {total} batches" in out
    assert f"{csv_path} has every one" in err
    assert f"{total - LISTED} more are not printed" in " ".join(_text(pdf.read_bytes()).split())


def test_fsma204_csv(factory_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "fsma.csv"
    assert (
        main(
            [
                "fsma204",
                "--db",
                str(factory_db),
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = _read_csv(out)
    assert rows and {r["Event type"] for r in rows} == {"Receiving", "Transformation", "Shipping"}
    dates = [r["Event date"] for r in rows]
    assert dates == sorted(dates) and all(dt.date.fromisoformat(d) for d in dates)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sheet", "--batch", "NOPE", "--out", "{tmp}/x.pdf"],
            "batch: no batch has the lot code 'NOPE'",
        ),
        (["sheet", "--batch", "HS-001", "--out", "{tmp}/nowhere/x.pdf"], "--out: folder"),
        (["sheet", "--batch", "HS-001", "--out", "{tmp}/x.txt"], "--out: x.txt should end in .pdf"),
        (
            ["recall", "NOPE", "--out", "{tmp}/x.pdf"],
            "lot: no batch or material lot has the code 'NOPE'",
        ),
        (["recall", "NOPE", "--out", "{tmp}/x.pdf", "--drill"], "lot: no batch or material lot"),
        (["recall", "HS-001"], "--out: give --out FILE.pdf and/or --csv FILE.csv"),
        (
            ["fsma204", "--from", "2026-02-30", "--to", "2026-03-01", "--out", "{tmp}/f.csv"],
            "from: '2026-02-30' is not a date",
        ),
        (
            ["fsma204", "--from", "2026-03-02", "--to", "2026-03-01", "--out", "{tmp}/f.csv"],
            "to: 2026-03-01 is before from",
        ),
    ],
)
def test_errors_are_one_line_exit_2(
    factory_db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = subprocess.run(
        [sys.executable, "-m", "smallbatch_desktop", *argv, "--db", str(factory_db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smallbatch: error: ") and message in lines[0]


def test_demo_recall_of_every_raw_lot_matches_plain_sql(demo_db: Path, tmp_path: Path) -> None:
    """For each used material lot of the demo: the CSV's batches and shipments equal a
    breadth-first walk over the consumptions table in plain SQL."""
    import sqlite3

    con = sqlite3.connect(demo_db)
    lots = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT l.lot_code FROM consumptions c "
            "JOIN material_lots l ON l.id = c.material_lot_id ORDER BY 1"
        )
    ]
    assert len(lots) > 10
    for lot in lots:
        frontier = {
            r[0]
            for r in con.execute(
                "SELECT c.batch_id FROM consumptions c JOIN material_lots l "
                "ON l.id = c.material_lot_id WHERE l.lot_code = ?",
                (lot,),
            )
        }
        reached: set[int] = set()
        while frontier:
            reached |= frontier
            marks = ",".join("?" * len(frontier))
            frontier = {
                r[0]
                for r in con.execute(
                    f"SELECT batch_id FROM consumptions WHERE input_batch_id IN ({marks})",
                    tuple(frontier),
                )
            } - reached
        marks = ",".join("?" * len(reached))
        codes = {
            r[0]
            for r in con.execute(
                f"SELECT lot_code FROM batches WHERE id IN ({marks})", tuple(reached)
            )
        }
        ships = {
            str(r[0])
            for r in con.execute(
                f"SELECT id FROM shipments WHERE batch_id IN ({marks})", tuple(reached)
            )
        }
        out = tmp_path / f"{lot}.csv"
        assert main(["recall", lot, "--db", str(demo_db), "--csv", str(out)]) == 0
        rows = _read_csv(out)
        assert {r["batch_lot"] for r in rows if r["record"] == "batch"} == codes, lot
        assert {r["shipment_id"] for r in rows if r["record"] == "shipment"} == ships, lot
    con.close()
