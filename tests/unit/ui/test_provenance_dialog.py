"""ProvenanceDialog: preview, card toggle, save and print, all read back."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from helpers.pdfread import decode_pdf, page_count
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy.orm import Session, sessionmaker
from unit.services.reports_factory import genealogy

from smallbatch_desktop.ui.dialogs.provenance import PRINT_DPI, ProvenanceDialog
from smallbatch_desktop.ui.testing import make_context

# the offscreen platform says so for every shown top-level window
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support")


def _batch(session_factory: sessionmaker[Session], code: str = "HS-002") -> int:
    with session_factory.begin() as s:
        return genealogy(s).batches[code].id


def test_preview_shows_the_sheet_and_toggles_the_card(
    qtbot: Any, session_factory: sessionmaker[Session]
) -> None:
    bid = _batch(session_factory)
    dlg = ProvenanceDialog(make_context(session_factory), bid)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.preview.page_count() == page_count(dlg.pdf_bytes) >= 1
    assert "HS-002" in dlg.windowTitle()
    with pdfplumber.open(io.BytesIO(dlg.pdf_bytes)) as pdf:
        assert "PROVENANCE SHEET" in (pdf.pages[0].extract_text() or "")
    dlg.card_toggle.setChecked(True)
    assert dlg.preview.page_count() == 1
    assert [c.text for c in decode_pdf(dlg.pdf_bytes)] == ["HS-002"]
    assert dlg.default_file_name() == "HS-002-card.pdf"
    dlg.card_toggle.setChecked(False)
    assert dlg.preview.page_count() >= 1 and dlg.default_file_name() == "HS-002-provenance.pdf"
    dlg.close()


def test_save_writes_the_previewed_pdf(
    qtbot: Any, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    dlg = ProvenanceDialog(make_context(session_factory), _batch(session_factory))
    qtbot.addWidget(dlg)
    out = dlg.save_to(tmp_path / "sheet")
    assert out.name == "sheet.pdf" and out.read_bytes() == dlg.pdf_bytes
    assert "Saved sheet.pdf" in dlg.status.text()


def test_print_at_300_dpi_keeps_the_barcode_readable(
    qtbot: Any, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    dlg = ProvenanceDialog(make_context(session_factory), _batch(session_factory, "HS-001"))
    qtbot.addWidget(dlg)
    printer = dlg.make_printer()
    assert printer.resolution() == PRINT_DPI
    target = tmp_path / "printed.pdf"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    n = dlg.print_to(printer)
    assert n == page_count(dlg.pdf_bytes)
    printed = target.read_bytes()
    assert page_count(printed) == n
    # the printed page is a raster of the sheet on white: the lot barcode still scans
    assert [c.text for c in decode_pdf(printed, pages=[0])] == ["HS-001"]


def test_archive_checkbox_saves_pdfa_and_is_off_for_the_card(
    qtbot: Any, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    import pikepdf
    from PySide6.QtCore import Qt

    dlg = ProvenanceDialog(make_context(session_factory), _batch(session_factory))
    qtbot.addWidget(dlg)
    dlg.show()
    box = dlg.findChild(type(dlg.card_toggle), "pdfaToggle")
    assert box is not None and box.isEnabled() and not box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert box.isChecked()
    out = dlg.save_to(tmp_path / "archive.pdf")
    with pikepdf.open(out) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            assert xmp.pdfa_status == "2B"
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    dlg.card_toggle.setChecked(True)
    assert not box.isEnabled()  # PDF/A is the batch record's archive option
    dlg.close()
