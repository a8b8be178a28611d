"""RecallDialog: report and drill off the UI thread, tables, saving, drill history."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from helpers.pdfread import decode_pdf
from PySide6.QtCore import Qt, QThreadPool
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from unit.services.reports_factory import genealogy
from unit.services.test_reports import forward_by_orm

from smallbatch_desktop.domain.csvsafe import CSV_ENCODING
from smallbatch_desktop.domain.models import RecallDrill
from smallbatch_desktop.ui.dialogs.recall import RecallDialog
from smallbatch_desktop.ui.testing import make_context

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support")


@pytest.fixture
def sf(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with session_factory.begin() as s:
        genealogy(s)
    return session_factory


def _column(model: Any, col: int) -> list[str]:
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_report_fills_the_tables(qtbot: Any, sf: sessionmaker[Session], tmp_path: Path) -> None:
    dlg = RecallDialog(make_context(sf), "L-CHIL-001")
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.save_pdf_button.isEnabled()
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    with sf() as s:
        batches, ships = forward_by_orm(s, "L-CHIL-001")
    assert set(_column(dlg.batches_model, 0)) == batches
    assert dlg.shipments_model.rowCount() == len(ships)
    assert _column(dlg.customers_model, 0) == ["Corner Deli", "Web shop"]
    assert _column(dlg.customers_model, 2) == ["(518) 555-0142", ""]
    assert "4 affected batches, 3 shipments, 2 customers" in dlg.summary.text()
    assert dlg.tabs.tabText(1) == "Batches (4)"
    assert dlg.save_pdf_button.isEnabled() and dlg.save_csv_button.isEnabled()

    pdf = dlg.save_pdf_to(tmp_path / "recall")
    assert pdf.name == "recall.pdf"
    assert [c.text for c in decode_pdf(pdf.read_bytes(), pages=[0])] == ["L-CHIL-001"]
    out = dlg.save_csv_to(tmp_path / "recall.csv")
    with open(out, encoding=CSV_ENCODING, newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["batch_lot"] for r in rows if r["record"] == "batch"} == batches
    assert dlg.default_name(".pdf") == "L-CHIL-001-recall.pdf"


def test_gs1_scan_and_unknown_lot(qtbot: Any, sf: sessionmaker[Session]) -> None:
    dlg = RecallDialog(make_context(sf))
    qtbot.addWidget(dlg)
    dlg.run_report()
    assert dlg.error_label.text() == "lot: give a lot code to recall"
    qtbot.keyClicks(dlg.lot_edit, "(01)09506000134352(10)SPF-A1")
    assert dlg.lot_code() == "SPF-A1"
    qtbot.keyClick(dlg.lot_edit, Qt.Key.Key_Return)
    assert dlg.outcome is not None and dlg.outcome.report is not None
    assert dlg.outcome.report.lot.lot_code == "L-CHIL-001"  # the supplier's lot code found ours
    dlg.lot_edit.setText("NOPE")
    dlg.run_report()
    assert "no batch or material lot has the code 'NOPE'" in dlg.error_label.text()
    assert dlg.run_button.isEnabled()


def test_drill_is_recorded_and_listed(qtbot: Any, sf: sessionmaker[Session]) -> None:
    dlg = RecallDialog(make_context(sf), "L-SALT-001")
    qtbot.addWidget(dlg)
    assert dlg.history_model.rowCount() == 0
    qtbot.mouseClick(dlg.drill_button, Qt.MouseButton.LeftButton)
    assert dlg.outcome is not None and dlg.outcome.drill is not None
    assert dlg.summary.text().startswith(f"Mock drill #{dlg.outcome.drill.id} completed in ")
    assert dlg.outcome.pdf.startswith(b"%PDF") and dlg.outcome.csv.startswith("record,")
    assert dlg.history_model.rowCount() == 1
    assert _column(dlg.history_model, 1) == ["L-SALT-001"]
    assert _column(dlg.history_model, 4) == ["5"]
    assert dlg.default_name(".csv") == "L-SALT-001-drill.csv"

    dlg.lot_edit.setText("NO-SUCH")
    dlg.run_drill()
    assert dlg.history_model.rowCount() == 2
    assert _column(dlg.history_model, 2)[0] == "Lot not found"
    assert "NO-SUCH" in dlg.error_label.text()
    with sf() as s:
        assert len(s.scalars(select(RecallDrill)).all()) == 2


def test_runs_on_a_worker_thread(qtbot: Any, sf: sessionmaker[Session]) -> None:
    dlg = RecallDialog(
        make_context(sf, pool=QThreadPool.globalInstance()), "L-VIN-001"
    )  # the real QThreadPool
    qtbot.addWidget(dlg)
    dlg.run_report()
    assert not dlg.run_button.isEnabled()  # busy while the job runs
    qtbot.waitUntil(lambda: dlg.run_button.isEnabled(), timeout=20_000)
    assert set(_column(dlg.batches_model, 0)) == {"BASE-001", "HS-001", "HS-002", "PICKLE-001"}
    dlg.close()


def test_large_recall_pages_batches_and_shipments_from_sql(
    qtbot: Any, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """More affected batches than a page: the table holds one page until it is
    scrolled, each further page read from the database; the PDF lists the first rows
    and the CSV saved from the dialog has every one."""
    from unit.services.reports_factory import busy_lot

    from smallbatch_desktop.services.recall import LISTED
    from smallbatch_desktop.ui.dialogs.recall import PAGE

    with session_factory.begin() as s:
        busy_lot(s, PAGE + LISTED)
    with session_factory() as s:
        batches, ships = forward_by_orm(s, "L-SALT-009")
    total = len(batches)
    assert total > PAGE + LISTED
    dlg = RecallDialog(make_context(session_factory), "L-SALT-009")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    model = dlg.batches_model
    assert dlg.tabs.tabText(1) == f"Batches ({total:,})"
    assert model.total == total and model.rowCount() == PAGE  # one page read, not all
    assert dlg.outcome is not None and dlg.outcome.report is not None
    scope = dlg.outcome.report.scope
    assert scope.rows is None  # the trace's rows are gone once the CSV is written
    assert "the CSV has every one" in dlg.summary.text()
    # who to call first: the most recent shipment, its date beside the contact
    assert _column(dlg.customers_model, 0)[0] == "Far Market"
    last = _column(dlg.customers_model, 4)
    assert last == sorted(last, reverse=True) and all(last)

    dlg.tabs.setCurrentIndex(1)
    view = dlg.batches_table
    while model.canFetchMore():
        before = model.rowCount()
        view.scrollToBottom()
        qtbot.waitUntil(lambda before=before: model.rowCount() > before, timeout=5_000)
    assert model.rowCount() == total
    shown = _column(model, 0)
    out = dlg.save_csv_to(tmp_path / "busy.csv")
    with open(out, encoding=CSV_ENCODING, newline="") as f:
        rows = list(csv.DictReader(f))
    in_csv = [r["batch_lot"] for r in rows if r["record"] == "batch"]
    assert shown == in_csv and set(in_csv) == batches  # same rows, same order
    assert {int(r["shipment_id"]) for r in rows if r["record"] == "shipment"} == ships
    assert dlg.shipments_model.total == len(ships)
    assert dlg.outcome.report.batches == tuple(model.row_object(i) for i in range(LISTED))


# -- FsmaExportDialog (it shares this file: the recall tests' data and fixtures) --------


def test_fsma_dialog_counts_and_exports(
    qtbot: Any, sf: sessionmaker[Session], tmp_path: Path
) -> None:
    import datetime as dt

    from PySide6.QtCore import QDate

    from smallbatch_desktop.services.fsma import FSMA_COLUMNS, fsma_events
    from smallbatch_desktop.ui.dialogs.fsma import FsmaExportDialog

    dlg = FsmaExportDialog(make_context(sf), today=dt.date(2026, 3, 31))
    qtbot.addWidget(dlg)
    dlg.show()
    with sf() as s:
        expected = fsma_events(s, dt.date(2025, 3, 31), dt.date(2026, 3, 31))
    assert dlg.rows == expected
    assert dlg.count_label.text() == (
        "18 rows: 4 receiving, 6 transformation (10 input rows), 4 shipping events"
    )
    assert len(expected) == 18
    out = dlg.export_to(tmp_path / "fsma")
    assert out.name == "fsma.csv"
    with open(out, encoding=CSV_ENCODING, newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == FSMA_COLUMNS and len(rows) == len(expected) + 1
    assert dlg.default_name() == "fsma204-2025-03-31-to-2026-03-31.csv"

    dlg.packaging.setChecked(True)
    assert dlg.rows is not None and len(dlg.rows) > len(expected)

    dlg.from_date.setDate(QDate(2026, 4, 2))  # after "to"
    assert dlg.rows is None and not dlg.save_button.isEnabled()
    assert dlg.error_label.text() == "to: 2026-03-31 is before from (2026-04-02)"
