"""The print labels dialog: Save PDF and the QPrinter path, read back and decoded."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from helpers.pdfread import decode_pdf, page_count
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.ui.testing import child, make_context

# demo batches by id (lot codes and dates follow the day the demo is loaded)
RELEASED = 5  # Habanero Hot Sauce, released, 97 made of 100 planned, GTIN 00614141000012
ON_HOLD = 8  # hot sauce, qc_hold
SOAP = 11  # lavender soap, released, no GTIN


def lot_and_best_before(sf: sessionmaker[Session], batch_id: int) -> tuple[str, str]:
    """The batch's lot code and best-before date as GS1 writes it (YYMMDD)."""
    from smallbatch_desktop.domain.models import Batch

    with sf() as s:
        b = s.get(Batch, batch_id)
        assert b is not None
        return b.lot_code, b.best_before.strftime("%y%m%d") if b.best_before else ""


@pytest.fixture
def demo(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    from smallbatch_desktop.services.demo import load_demo

    with session_factory.begin() as s:
        load_demo(s)
    return session_factory


def make_dialog(qtbot: Any, sf: sessionmaker[Session], batch_id: int) -> Any:
    from smallbatch_desktop.ui.dialogs.print_labels import PrintLabelsDialog

    d = PrintLabelsDialog(make_context(sf), batch_id)
    qtbot.addWidget(d)
    return d


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(p.extract_text() or "" for p in doc.pages)


def chars_of(pdf: bytes) -> str:
    """Characters in drawing order (the rotated watermark stays in one piece)."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "".join(c["text"] for p in doc.pages for c in p.chars)


def test_save_pdf_final_run_numbers_and_gs1_barcodes(
    qtbot: Any, demo: sessionmaker[Session], tmp_path: Path
) -> None:
    from smallbatch_desktop.services.labels import print_runs

    d = make_dialog(qtbot, demo, RELEASED)
    assert not child(d, QLabel, "draftBanner").isVisibleTo(d)
    plan = d.set_choices(copies=35, skip=4)
    assert plan is not None and plan.final
    # the run counts to the actual yield (97 bottles filled), not the 100 planned
    assert (plan.first_number, plan.last_number, plan.total) == (1, 35, 97)
    out = tmp_path / "labels.pdf"
    d.save_pdf(out)
    pdf = out.read_bytes()
    # 4 skipped + 35 labels on 30-label sheets: 2 pages
    assert page_count(pdf) == 2
    text = text_of(pdf)
    assert "DRAFT" not in chars_of(pdf)
    assert "1/97" in text and "35/97" in text and "36/97" not in text
    codes = decode_pdf(pdf, dpi=300)
    assert len(codes) == 35
    lot, best_before = lot_and_best_before(demo, RELEASED)
    assert {c.text for c in codes} == {f"(01)00614141000012(15){best_before}(10){lot}"}
    assert all(c.is_gs1 for c in codes)
    with demo() as s:
        runs = [(r.first_number, r.last_number, r.total) for r in print_runs(s, RELEASED)]
    assert runs == [(1, 35, 97)]
    # the next run continues: a second final run never repeats a number
    assert "next: 36" in d.continue_radio.text()
    plan2 = d.set_choices(copies=10, skip=0)
    assert plan2 is not None and plan2.first_number == 36
    out2 = tmp_path / "more.pdf"
    d.save_pdf(out2)
    text2 = text_of(out2.read_bytes())
    assert "36/97" in text2 and "45/97" in text2 and "35/97" not in text2
    with demo() as s:
        runs = [(r.first_number, r.last_number) for r in print_runs(s, RELEASED)]
    assert runs == [(1, 35), (36, 45)]
    numbers = [n for a, b in runs for n in range(a, b + 1)]
    assert len(numbers) == len(set(numbers))


def test_reprint_only_when_asked(qtbot: Any, demo: sessionmaker[Session], tmp_path: Path) -> None:
    d = make_dialog(qtbot, demo, RELEASED)
    d.set_choices(copies=5)
    d.save_pdf(tmp_path / "a.pdf")
    plan = d.set_choices(start=2, copies=2)
    assert plan is not None and (plan.first_number, plan.last_number) == (2, 3)
    d.save_pdf(tmp_path / "b.pdf")
    assert "2/97" in text_of((tmp_path / "b.pdf").read_bytes())


def test_draft_watermark_on_a_batch_not_released(
    qtbot: Any, demo: sessionmaker[Session], tmp_path: Path
) -> None:
    from smallbatch_desktop.services.labels import print_runs

    d = make_dialog(qtbot, demo, ON_HOLD)
    banner = child(d, QLabel, "draftBanner")
    assert banner.isVisibleTo(d) and "DRAFT" in banner.text()
    plan = d.set_choices(copies=3)
    assert plan is not None and not plan.final
    assert "DRAFT" in d.summary.text()
    d.save_pdf(tmp_path / "draft.pdf")
    pdf = (tmp_path / "draft.pdf").read_bytes()
    assert chars_of(pdf).count("DRAFT") == 3
    with demo() as s:
        assert print_runs(s, ON_HOLD) == []


def test_printing_path_on_a_pdf_qprinter_at_300_dpi(
    qtbot: Any, demo: sessionmaker[Session], tmp_path: Path
) -> None:
    from smallbatch_desktop.services.labels import print_runs

    d = make_dialog(qtbot, demo, SOAP)
    d.set_choices(layout="Standard 100 x 50 roll", copies=3)
    assert d.skip.isEnabled() is False  # roll stock
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    d.print_to_printer(printer)
    assert printer.resolution() == 300
    pdf = out.read_bytes()
    assert page_count(pdf) == 3
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        assert page.width == pytest.approx(100 / 25.4 * 72, abs=1)
        assert page.height == pytest.approx(50 / 25.4 * 72, abs=1)
    codes = decode_pdf(pdf, dpi=300)
    assert [c.text for c in codes] == [lot_and_best_before(demo, SOAP)[0]] * 3
    with demo() as s:
        assert [(r.first_number, r.last_number) for r in print_runs(s, SOAP)] == [(1, 3)]


def test_calibration_page_prints_and_records_nothing(
    qtbot: Any, demo: sessionmaker[Session], tmp_path: Path
) -> None:
    from smallbatch_desktop.services.labels import print_runs

    d = make_dialog(qtbot, demo, RELEASED)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "cal.pdf"))
    d.print_calibration(printer)
    assert page_count((tmp_path / "cal.pdf").read_bytes()) == 1
    with demo() as s:
        assert print_runs(s, RELEASED) == []


def test_refusals_are_shown(qtbot: Any, demo: sessionmaker[Session]) -> None:
    d = make_dialog(qtbot, demo, RELEASED)
    assert d.set_choices(stock="no such stock") is None
    assert "stock" in d.error.text()
    assert not d.print_button.isEnabled()
    assert d.set_choices(stock="Avery 5160") is not None
    assert d.print_button.isEnabled()


def test_preview_shows_the_first_page(qtbot: Any, demo: sessionmaker[Session]) -> None:
    d = make_dialog(qtbot, demo, RELEASED)
    d.set_choices(copies=30)
    image = d.preview.image()
    assert image is not None and not image.isNull()
    # letter page, portrait; some ink on it
    assert image.height() > image.width()
    dark = sum(
        1
        for y in range(0, image.height(), 4)
        for x in range(0, image.width(), 4)
        if image.pixelColor(x, y).lightness() < 100
    )
    assert dark > 100


def test_first_print_asks_which_printer_and_keeps_it(
    qtbot: Any, demo: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No profile chosen: Print asks (presets: Zebra 203 dpi...), saves the profile as
    the default and renders for its resolution; cancelling asks again next time."""
    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QApplication, QDialog, QListWidget, QSpinBox

    from smallbatch_desktop.services.common import get_setting
    from smallbatch_desktop.services.labels import list_printer_profiles

    d = make_dialog(qtbot, demo, SOAP)
    assert d.profile_combo.currentData() in ("", None)
    assert "asked before printing" in d.profile_combo.currentText()
    # the system print dialog that follows is cancelled: this test is about the question
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    seen: list[list[str]] = []

    def answer(pick: str | None) -> None:
        box = QApplication.activeModalWidget()
        assert box is not None and box.objectName() == "choosePrinterDialog"
        presets = box.findChild(QListWidget, "presetList")
        items = [presets.item(i).text() for i in range(presets.count())]
        seen.append(items)
        if pick is None:
            box.reject()
            return
        presets.setCurrentRow(next(i for i, t in enumerate(items) if pick in t))
        assert box.findChild(QSpinBox, "profileDpi").value() == 203
        box.accept()

    QTimer.singleShot(0, lambda: answer(None))
    assert d.print_labels() is None
    with demo() as s:
        assert list_printer_profiles(s) == []
    QTimer.singleShot(0, lambda: answer("Zebra GK420d"))
    d.print_labels()
    items = seen[0]
    for brand in ("Zebra", "Rollo", "Brother QL", "Dymo LabelWriter", "Office"):
        assert any(brand in t for t in items), brand
    assert any("203 dpi" in t for t in items) and any("600 dpi" in t for t in items)
    assert d.profile_combo.currentData() == "Zebra GK420d / GK420t / GC420"
    assert d.dpi.value() == 203
    assert d.build_plan().job.dpi == 203
    with demo() as s:
        assert [(p.name, p.dpi) for p in list_printer_profiles(s)] == [
            ("Zebra GK420d / GK420t / GC420", 203)
        ]
        assert get_setting(s, "default_printer_profile") == "Zebra GK420d / GK420t / GC420"
    # a new print dialog starts on the default profile and does not ask again
    d2 = make_dialog(qtbot, demo, SOAP)
    assert d2.profile_combo.currentData() == "Zebra GK420d / GK420t / GC420"
    assert d2.dpi.value() == 203


def runs_of(sf: sessionmaker[Session], batch_id: int) -> list[tuple[int, int]]:
    from smallbatch_desktop.services.labels import print_runs

    with sf() as s:
        return [(r.first_number, r.last_number) for r in print_runs(s, batch_id)]


def test_numbers_are_reserved_before_rendering_and_given_back_when_it_fails(
    qtbot: Any, demo: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run is in the database before anything is rendered (another workstation
    would continue after it); a render that fails leaves no run and no file, and the
    next print gets the same numbers."""
    from smallbatch_desktop.ui.dialogs.print_labels import output

    d = make_dialog(qtbot, demo, RELEASED)
    assert d.set_choices(copies=12) is not None
    seen_while_rendering: list[list[tuple[int, int]]] = []
    real_render = output._render

    def broken(plan: Any, progress: Any, share: float) -> Any:
        seen_while_rendering.append(runs_of(demo, RELEASED))
        raise OSError("the font cache is unreadable")

    monkeypatch.setattr(output, "_render", broken)
    out = tmp_path / "out" / "labels.pdf"
    out.parent.mkdir()
    d.save_pdf(out)
    assert seen_while_rendering == [[(1, 12)]]  # reserved first, committed
    assert runs_of(demo, RELEASED) == []  # ... and given back
    assert list(out.parent.iterdir()) == []  # no file, not even half of one
    assert "the font cache is unreadable" in d.status.text()
    assert "Numbers 1–12 were given back" in d.status.text()
    assert "next: " not in d.continue_radio.text()  # nothing printed yet
    # the next print gets the same numbers
    monkeypatch.setattr(output, "_render", real_render)
    d.save_pdf(out)
    assert runs_of(demo, RELEASED) == [(1, 12)]
    text = text_of(out.read_bytes())
    assert "1/97" in text and "12/97" in text and "13/97" not in text
    assert "Numbers 1–12 recorded" in d.status.text()


def test_printing_cancelled_after_a_page_keeps_only_the_numbers_sent(
    qtbot: Any, demo: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel after the first of three sheets went to the printer: its 25 labels (5 used
    positions skipped) stay numbered, the rest are given back and printed next."""
    from smallbatch_desktop.ui.dialogs.print_labels import output
    from smallbatch_desktop.ui.tasks import Cancelled

    real_paint = output.paint_pdf

    def cancel_after_first_page(pdf: bytes, printer: Any, **kw: Any) -> int:
        progress = kw.pop("progress")

        def maker_cancels(done: int, total: int) -> None:
            progress(done, total)
            if done == 1:
                raise Cancelled()

        return real_paint(pdf, printer, progress=maker_cancels, **kw)

    monkeypatch.setattr(output, "paint_pdf", cancel_after_first_page)
    d = make_dialog(qtbot, demo, RELEASED)
    plan = d.set_choices(copies=70, skip=5)
    assert plan is not None and (plan.first_number, plan.last_number) == (1, 70)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    d.print_to_printer(printer)
    pdf = out.read_bytes()
    assert page_count(pdf) == 1  # the page painted before the cancel went out
    assert len(decode_pdf(pdf, dpi=300)) == 25  # its labels (5 positions skipped)
    assert runs_of(demo, RELEASED) == [(1, 25)]
    assert "Numbers 1–25 were sent to the printer and stay used; 26–70 were given back" in (
        d.status.text()
    )
    assert "next: 26" in d.continue_radio.text()
    monkeypatch.setattr(output, "paint_pdf", real_paint)
    plan = d.set_choices(copies=10, skip=0)
    assert plan is not None and plan.first_number == 26
    d.save_pdf(tmp_path / "rest.pdf")
    assert runs_of(demo, RELEASED) == [(1, 25), (26, 35)]


def test_numbers_taken_meanwhile_by_another_workstation_are_skipped(
    qtbot: Any, demo: sessionmaker[Session], tmp_path: Path
) -> None:
    """The preview said 1–5; another workstation printed 1–8 since: the run is planned
    again under the lock and prints 9–13, and says why."""
    from smallbatch_desktop.services.labels import plan_print, reserve_print_run

    d = make_dialog(qtbot, demo, RELEASED)
    plan = d.set_choices(copies=5)
    assert plan is not None and plan.first_number == 1
    with demo.begin() as s:  # the other workstation
        other = plan_print(s, RELEASED, copies=8, lock_numbers=True)
        reserve_print_run(s, other, printed_by="ws2")
    d.save_pdf(tmp_path / "mine.pdf")
    assert runs_of(demo, RELEASED) == [(1, 8), (9, 13)]
    text = text_of((tmp_path / "mine.pdf").read_bytes())
    assert "9/97" in text and "13/97" in text and "8/97" not in text
    assert "another workstation printed numbers up to 8" in d.status.text()
