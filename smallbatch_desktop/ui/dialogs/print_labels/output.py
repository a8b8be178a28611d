"""Output: save a PDF, print, a calibration page, the job, recording a final run."""

# mypy: disable-error-code="attr-defined"
# (one part of PrintLabelsDialog: the methods it calls on the other parts are the dialog's)
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.pdf.files import write_whole
from smallbatch_desktop.services.labels import PrintPlan
from smallbatch_desktop.ui.dialogs.print_labels.common import (
    PrintOutcome,
    ProfileInfo,
    _render,
    log,
)
from smallbatch_desktop.ui.dialogs.print_labels.state import PrintState
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.printing import configure_printer, paint_pdf
from smallbatch_desktop.ui.tasks import Cancelled, Progress, TaskHandle


class OutputPart(PrintState):
    """Output: save a PDF, print, a calibration page, the job, recording a final run."""

    def save_pdf(self, path: str | Path | None = None) -> TaskHandle | None:
        """Render every label to a PDF file (asks where unless ``path`` is given).
        A final run's numbers are reserved first (``_reserve``)."""
        shown = self._plan  # the numbers the maker saw
        plan = self.update_plan()
        if plan is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save labels as PDF", f"labels-{plan.lot}.pdf", "PDF (*.pdf)"
            )
            if not chosen:
                return None
            path = chosen
        target = Path(path)
        reserved = self._reserve(shown or plan)
        if reserved is None:
            return None
        plan, run_id = reserved

        def work(progress: Progress, _sent: list[int]) -> PrintOutcome:
            result = _render(plan, progress, 1.0)
            write_whole(target, result.pdf)  # a file is all or nothing: nothing "sent"
            return PrintOutcome(result.pages, result.labels, str(target), plan, result.warnings)

        return self._run("Saving labels", self._guarded(plan, run_id, work))

    def print_labels(self) -> TaskHandle | None:
        """Ask for a printer (QPrintDialog), then print."""
        if not self.profile_combo.currentData() and not self.ask_printer():
            return None
        shown = self._plan  # the numbers the maker saw
        plan = self.update_plan()
        if plan is None:
            return None
        printer = self._printer_for(plan.job.stock.page_width, plan.job.stock.page_height)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("qtPrintDialog")
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.print_to_printer(printer, shown or plan)

    def ask_printer(self) -> bool:
        """No profile chosen: ask which printer (presets with their resolution), save it
        as a profile and choose it.  False when the maker cancels."""
        from smallbatch_desktop.ui.dialogs.printer_profile import ChoosePrinterDialog

        dialog = ChoosePrinterDialog(self._ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        name = str(dialog.result_value)
        self._profiles[name] = ProfileInfo(name, dialog.dpi.value(), 0.0, 0.0)
        self.profile_combo.addItem(name, name)
        self.profile_combo.setCurrentIndex(self.profile_combo.findData(name))
        self._profile_chosen()
        return True

    def _printer_for(self, width_mm: float, height_mm: float) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"Labels {self._info.lot}")
        configure_printer(printer, width_mm, height_mm, self.dpi.value())
        return printer

    def print_to_printer(
        self, printer: QPrinter, plan: PrintPlan | None = None
    ) -> TaskHandle | None:
        """Reserve a final run's numbers (``_reserve``), then render and paint every
        page onto ``printer`` (set up here: page size, full page, the profile's
        resolution).  If printing fails or is cancelled, the numbers of the labels that
        never left are given back."""
        shown = plan or self._plan
        plan = self.update_plan()
        if plan is None:
            return None
        reserved = self._reserve(shown or plan)
        if reserved is None:
            return None
        plan, run_id = reserved
        stock = plan.job.stock
        configure_printer(printer, stock.page_width, stock.page_height, plan.job.dpi)
        name = printer.outputFileName() or printer.printerName() or "the printer"

        def work(progress: Progress, sent: list[int]) -> PrintOutcome:
            result = _render(plan, progress, 0.5)
            total = result.pages

            def page_done(done: int, _total: int) -> None:
                # the labels on the pages painted so far go to the printer, whatever follows
                sent[0] = min(plan.copies, done * stock.per_page - plan.job.skip)
                progress.check()
                progress.report(50 + 50 * done // max(total, 1), 100, f"Printing page {done}")

            pages = paint_pdf(result.pdf, printer, dpi=plan.job.dpi, progress=page_done)
            return PrintOutcome(pages, result.labels, name, plan, result.warnings)

        return self._run("Printing labels", self._guarded(plan, run_id, work))

    # -- the numbers: reserved first, given back when nothing printed ---------------------

    def _reserve(self, shown: PrintPlan) -> tuple[PrintPlan, int | None] | None:
        """Plan again with the batch's numbering locked and reserve the run's numbers,
        committed before anything is rendered: a second workstation printing the same
        batch waits, then continues after these numbers (never the same ones).  A draft
        reserves nothing.  None (and the form re-planned, the reason shown) when the
        numbers cannot be had: all printed meanwhile, or the choices refused.  ``shown``:
        the plan the maker saw (its numbers are compared with the ones reserved)."""
        from smallbatch_desktop.services.labels import last_printed_number, reserve_print_run

        def reserve(s: Session) -> tuple[PrintPlan, int | None]:
            plan = self.build_plan(s, lock=True)
            if plan.final and plan.first_number <= last_printed_number(s, plan.batch_id):
                log.warning(
                    "labels %s-%s of %s are printed again (reprint)",
                    plan.first_number,
                    plan.last_number,
                    plan.lot,
                )
            run = reserve_print_run(s, plan, printed_by=self._actor)
            return plan, run.id if run is not None else None

        refusal: list[UserError] = []
        done = self._ctx.run(
            reserve,
            changes=lambda r: Change.LABELS if r[1] is not None else Change.NONE,
            on_refused=refusal.append,
            origin=self,
        )
        if not done or done.value is None:
            self.update_plan()
            if refusal:
                self.error.setText(f"Nothing was printed: {refusal[0].message}")
                self.error.show()
            return None
        plan, run_id = done.value
        self._reserved_note = ""
        if plan.final and plan.first_number != shown.first_number:
            self._reserved_note = (
                f" (another workstation printed numbers up to {plan.first_number - 1} "
                "meanwhile: these continue after them)"
            )
        return plan, run_id

    def _guarded(self, plan: PrintPlan, run_id: int | None, work: Any) -> Any:
        """The job ``work(progress, sent)``, which gives back the reserved numbers of
        the labels that did not leave (``sent[0]`` counts those that did) when it
        fails or is cancelled, in its own unit of work, on the worker thread."""

        def job(_s: Session, progress: Progress) -> PrintOutcome:
            sent = [0]
            self._release_note = ""
            try:
                outcome: PrintOutcome = work(progress, sent)
            except BaseException as exc:
                if run_id is not None:
                    self._release_note = self._give_back(plan, run_id, sent[0], exc)
                raise
            return outcome

        return job

    def _give_back(self, plan: PrintPlan, run_id: int, sent: int, exc: BaseException) -> str:
        """Release the numbers of the labels that never left; what was done, in words."""
        from smallbatch_desktop.db.engine import run_write
        from smallbatch_desktop.services.labels import release_print_run

        why = "cancelled" if isinstance(exc, Cancelled) else f"not made: {exc}"
        first, last = plan.first_number, plan.last_number
        try:
            run_write(
                self._sf,
                lambda s: release_print_run(s, run_id, actor=self._actor, reason=why, keep=sent),
            )
        except Exception as failure:  # the numbers stay taken: never printed twice
            log.exception("giving back label numbers %s-%s of %s", first, last, plan.lot)
            return (
                f"Numbers {first}–{last} stay reserved (they could not be given back: "
                f"{failure}); print them with a start number."
            )
        if not sent:
            return f"Numbers {first}–{last} were given back."
        kept = first + sent - 1
        back = f"; {kept + 1}–{last} were given back" if kept < last else ""
        return f"Numbers {first}–{kept} were sent to the printer and stay used{back}."

    def print_calibration(self, printer: QPrinter | None = None) -> TaskHandle | None:
        """Print the calibration sheet for the stock with the current offset."""
        from smallbatch_desktop.pdf.labels import calibration_pdf

        plan = self._plan or self.update_plan()
        if plan is None:
            return None
        stock = plan.job.stock
        if printer is None:
            if not self.profile_combo.currentData() and not self.ask_printer():
                return None
            printer = self._printer_for(stock.page_width, stock.page_height)
            dialog = QPrintDialog(printer, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
        configure_printer(printer, stock.page_width, stock.page_height, self.dpi.value())
        dpi = self.dpi.value()
        ox, oy = self.offset_x.value(), self.offset_y.value()
        profile = str(self.profile_combo.currentData() or "")
        name = printer.outputFileName() or printer.printerName() or "the printer"

        def work(_s: Session, progress: Progress) -> PrintOutcome:
            pdf = calibration_pdf(stock, offset_x=ox, offset_y=oy, dpi=dpi, profile_name=profile)
            progress.check()
            pages = paint_pdf(pdf, printer, dpi=dpi)
            # a calibration sheet is not a print run: nothing is recorded
            return PrintOutcome(pages, 0, name, dataclasses.replace(plan, final=False))

        return self._run("Printing a calibration page", work)

    def _run(self, title: str, work: Any) -> TaskHandle:
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status.setText(f"{title}…")
        self._set_inputs(False)
        handle = self.tasks.submit(
            title,
            work,
            on_result=self._job_done,
            on_error=self._job_failed,
            on_cancel=self._job_cancelled,
        )
        if handle.is_running:
            self._job = handle
            handle.progress.connect(self._job_progress)
            handle.done.connect(self._job_finished)
        else:
            self._job_finished()
        return handle

    def _job_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if text:
            self.status.setText(text)

    def _job_finished(self) -> None:
        self._job = None
        self.progress.hide()
        self.cancel_button.hide()
        self._set_inputs(True)
        self._set_ready(self._plan is not None)

    def _set_inputs(self, enabled: bool) -> None:
        for w in (
            self.layout_combo,
            self.stock_edit,
            self.copies,
            self.skip,
            self.continue_radio,
            self.start_radio,
            self.start,
            self.total,
            self.profile_combo,
            self.dpi,
            self.offset_x,
            self.offset_y,
            self.calibration_button,
            self.save_profile_button,
            self.print_button,
            self.save_button,
        ):
            w.setEnabled(enabled)
        if enabled:
            self.start.setEnabled(self.start_radio.isChecked())
            self.save_profile_button.setEnabled(bool(self.profile_combo.currentData()))

    def cancel_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.status.setText("Cancelling…")

    def _job_done(self, outcome: PrintOutcome) -> None:
        from smallbatch_desktop.services.labels import last_printed_number

        plan = outcome.plan
        recorded = ""
        if plan.final and outcome.labels:
            recorded = (
                f" Numbers {plan.first_number}–{plan.last_number} recorded{self._reserved_note}."
            )
        with self._sf() as s:
            self._last_printed = last_printed_number(s, self._batch_id)
        what = "calibration page" if not outcome.labels else f"{outcome.labels} labels"
        self.status.setText(
            f"Sent {what} ({outcome.pages} page{'s' if outcome.pages != 1 else ''}) to "
            f"{outcome.target}.{recorded}"
        )
        self.last_outcome = outcome
        if plan.final and outcome.labels:
            # the next run continues after these numbers, never past the total
            self.continue_radio.setChecked(True)
            self._show_numbering()
            left = plan.total - plan.last_number
            if left > 0:
                self.copies.setValue(min(self.copies.value(), left))
            self.update_plan()
        self.printed.emit(outcome)

    def _after_give_back(self) -> None:
        """The numbers given back (or kept) change what the form continues from."""
        from smallbatch_desktop.services.labels import last_printed_number

        self._ctx.bus.announce(Change.LABELS, self)
        with self._sf() as s:
            self._last_printed = last_printed_number(s, self._batch_id)
        self._show_numbering()
        self.update_plan()

    def _job_failed(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, UserError):
            log.error("printing labels failed", exc_info=exc)
        note = self._release_note
        if note:
            self._after_give_back()
        self.status.setText(f"Not printed: {message} {note}".strip())
        self.error.setText(message)
        self.error.show()

    def _job_cancelled(self) -> None:
        note = self._release_note
        if note:
            self._after_give_back()
        self.status.setText(
            f"Cancelled. {note or 'No numbers were used.'} Pages already sent may still print."
        )

    def save_profile(self) -> None:
        from smallbatch_desktop.services.labels import get_printer_profile, save_printer_profile

        name = str(self.profile_combo.currentData() or "")
        if not name:
            return
        dpi, ox, oy = self.dpi.value(), self.offset_x.value(), self.offset_y.value()

        def save(s: Session) -> None:
            row = get_printer_profile(s, name)
            save_printer_profile(
                s,
                name,
                dpi=dpi,
                offset_x_mm=f"{ox:.1f}",
                offset_y_mm=f"{oy:.1f}",
                printer_name=row.printer_name,
                profile_id=row.id,
                actor=self._actor,
            )

        if not self._ctx.run(save, changes=Change.LABELS, message=self.error, origin=self):
            return
        self._profiles[name] = ProfileInfo(
            name, self.dpi.value(), self.offset_x.value(), self.offset_y.value()
        )
        self.status.setText(f"Profile {name!r} saved.")

    def reject(self) -> None:
        if self._job is not None:
            self.cancel_job()
            return
        super().reject()
