"""Scanner input: plain lot codes, GS1 element strings with FNC1/GS and symbology
prefixes, human-readable AIs; and the scan box opening what it names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt

from smallbatch_desktop.ui.widgets.scan_box import GS, ScanBox, ScanData, parse_scan


@pytest.mark.parametrize(
    "raw",
    [
        f"]C1010987654321098210ABC-12{GS}17271231",
        "]C1010987654321098210ABC-12<GS>17271231",
        f"]d2010987654321098210ABC-12{GS}17271231",
        f"]Q3010987654321098210ABC-12{GS}17271231",
        f"{GS}010987654321098210ABC-12{GS}17271231",
        "(01)09876543210982(10)ABC-12(17)271231",
        "010987654321098217271231" + "10ABC-12",
    ],
)
def test_gs1_strings(raw: str) -> None:
    data = parse_scan(raw)
    assert data.is_gs1
    assert (data.gtin, data.lot, data.expiry) == ("09876543210982", "ABC-12", dt.date(2027, 12, 31))


def test_best_before_and_production_dates() -> None:
    data = parse_scan("(01)09876543210982(11)260105(15)260705(10)L1")
    assert (data.production, data.best_before, data.lot) == (
        dt.date(2026, 1, 5),
        dt.date(2026, 7, 5),
        "L1",
    )


@pytest.mark.parametrize("code", ["HS-26327-01", "R261118-01", "SR-2290", "  MASH-1  ", "]C1HS-1"])
def test_plain_codes_pass_through(code: str) -> None:
    data = parse_scan(code)
    assert not data.is_gs1
    assert data.lot == code.strip().removeprefix("]C1")


def test_scan_box_emits_and_clears(qtbot: Any) -> None:
    box = ScanBox()
    qtbot.addWidget(box)
    with qtbot.waitSignal(box.scanned) as blocker:
        qtbot.keyClicks(box, "HS-26327-01")
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert isinstance(blocker.args[0], ScanData) and blocker.args[0].lot == "HS-26327-01"
    assert box.text() == ""
    # Ctrl+] is how keyboard-wedge scanners send GS
    qtbot.keyClicks(box, "]C1010987654321098210A1")
    qtbot.keyClick(box, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert box.text().endswith(GS)


def test_scanning_opens_batch_lot_or_offers_receipt(
    qtbot: Any, window: Any, workshop: dict[str, int], session_factory: Any
) -> None:
    from smallbatch_desktop.domain.models import Batch, MaterialLot

    with session_factory() as s:
        batch_code = s.get(Batch, workshop["hs_batch"]).lot_code
        lot_code = s.get(MaterialLot, workshop["lot_vin"]).lot_code
    window.refresh_current()
    qtbot.keyClicks(window.scan_box, batch_code)
    qtbot.keyClick(window.scan_box, Qt.Key.Key_Return)
    assert window.current_view_name() == "batchView"
    assert window.view("batchView").detail.batch_id == workshop["hs_batch"]
    assert window.view("batchView").current_batch_id() == workshop["hs_batch"]
    # our lot code, then the supplier's lot code of another lot
    for code, lot_id in ((lot_code, workshop["lot_vin"]), ("SR-2290", workshop["lot_pep2"])):
        qtbot.keyClicks(window.scan_box, code)
        qtbot.keyClick(window.scan_box, Qt.Key.Key_Return)
        assert window.current_view_name() == "inventoryView"
        with session_factory() as s:
            assert (
                window.view("inventoryView").selected_lot_code()
                == s.get(MaterialLot, lot_id).lot_code
            )
    # a supplier GS1 barcode of a lot not yet received opens the receive dialog, pre-filled
    qtbot.keyClicks(window.scan_box, "(01)09876543210982(10)NEW-LOT-9(17)280101")
    qtbot.keyClick(window.scan_box, Qt.Key.Key_Return)
    dialogs = [
        d
        for d in window.findChildren(object)
        if getattr(d, "objectName", lambda: "")() == "receiveLotDialog"
    ]
    dialog = next(d for d in dialogs if d.isVisible())
    assert dialog.supplier_lot.text() == "NEW-LOT-9"
    assert dialog.material.currentText().startswith("Habanero peppers")  # known from the GTIN
    dialog.reject()
    # unknown code: a message, no crash
    qtbot.keyClicks(window.scan_box, "NOPE-1")
    qtbot.keyClick(window.scan_box, Qt.Key.Key_Return)
    assert "NOPE-1" in window.statusBar().currentMessage()
