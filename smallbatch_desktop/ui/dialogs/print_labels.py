"""Print a batch's lot labels: layout, stock, copies, "n of N" numbers, used positions,
printer profile, a preview of the first page, then Print or Save PDF.

The plan comes from ``services.labels.plan_print`` (numbers continue after the last
final run unless the maker asks for a start number; a batch that is not released
prints drafts with a DRAFT watermark and consumes no numbers).  The PDF comes from the
one renderer (``pdf.labels.render_labels``) and Qt only rasterises it onto the printer
(``ui.printing``), at the profile's resolution, full page, so millimetres are true.

Rendering and printing run as a ``ui.tasks`` job with a progress bar and Cancel.  A
final run is recorded (``record_print_run``) in its own unit of work only after the job
succeeded; a cancelled or failed job records nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import ConflictError, UserError
from smallbatch_desktop.domain.label_stock import ROLL
from smallbatch_desktop.pdf.labels import RenderResult
from smallbatch_desktop.services.labels import MAX_COPIES, PrintPlan
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.printing import configure_printer, paint_pdf, pdf_to_image
from smallbatch_desktop.ui.tasks import Progress, TaskHandle
from smallbatch_desktop.ui.text import esc, plain, rich, sentence
from smallbatch_desktop.ui.widgets.label_preview import PdfPageView

log = logging.getLogger(__name__)
NO_PROFILE = ""


@dataclasses.dataclass(frozen=True)
class ProfileInfo:
    name: str
    dpi: int
    offset_x: float
    offset_y: float


@dataclasses.dataclass(frozen=True)
class PrintOutcome:
    """What a finished job did: pages and labels, where (file or printer), numbers."""

    pages: int
    labels: int
    target: str
    plan: PrintPlan
    warnings: tuple[str, ...] = ()


class PrintLabelsDialog(QDialog):
    """Print or save the lot labels of one batch.

    Signals:
        printed(object): a ``PrintOutcome`` after a job succeeded (and, for a final
            run, after its numbers were recorded).
        planChanged(object): the ``PrintPlan`` now previewed, or None when the choices
            are refused (the message is shown in ``printError``).
    """

    printed = Signal(object)
    planChanged = Signal(object)

    def __init__(
        self,
        ctx: UiContext,
        batch_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printLabelsDialog")
        self.setWindowTitle("Print labels")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._batch_id = batch_id
        self.tasks = ctx.tasks.child(self)
        self._actor = ctx.actor
        self._profiles: dict[str, ProfileInfo] = {}
        self._plan: PrintPlan | None = None
        self._job: TaskHandle | None = None
        self._last_printed = 0
        self.last_outcome: PrintOutcome | None = None
        self._preview_gen = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.update_plan)
        self._build()
        self._load()
        self.update_plan()

    # ======================================================================== building

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        # the minimum size is set once below: a top-level window whose layout keeps
        # changing it makes offscreen/Wayland platforms warn (propagateSizeHints)
        outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.header = rich(QLabel())
        self.header.setObjectName("batchHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.header)
        self.draft_banner = QLabel()
        self.draft_banner.setObjectName("draftBanner")
        self.draft_banner.setWordWrap(True)
        self.draft_banner.setStyleSheet(
            "QLabel { background: #fff3e0; color: #8d3b00; border: 1px solid #ffb74d;"
            " border-radius: 4px; padding: 6px; font-weight: bold; }"
        )
        self.draft_banner.hide()
        outer.addWidget(self.draft_banner)

        body = QHBoxLayout()
        outer.addLayout(body, 1)
        left = QVBoxLayout()
        body.addLayout(left, 0)

        what = QGroupBox("What to print")
        form = QFormLayout(what)
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("layoutCombo")
        form.addRow("&Layout", self.layout_combo)
        self.stock_edit = QLineEdit()
        self.stock_edit.setObjectName("stockEdit")
        self.stock_edit.setPlaceholderText("Avery 5160, L7160, roll:100x50…")
        self.stock_edit.setToolTip(
            "A catalog part number (5160, L7160), a custom stock's name or roll:WxH in mm"
        )
        form.addRow("&Stock", self.stock_edit)
        self.stock_info = plain(QLabel())
        self.stock_info.setObjectName("stockInfo")
        self.stock_info.setWordWrap(True)
        form.addRow("", self.stock_info)
        self.copies = QSpinBox()
        self.copies.setObjectName("copiesSpin")
        self.copies.setRange(1, MAX_COPIES)
        form.addRow("&Copies", self.copies)
        self.skip = QSpinBox()
        self.skip.setObjectName("skipSpin")
        self.skip.setRange(0, 0)
        self.skip.setToolTip("Label positions already used on the first sheet (reading order)")
        form.addRow("S&kip used positions", self.skip)
        left.addWidget(what)

        numbers = QGroupBox("Numbering (n of N)")
        nform = QVBoxLayout(numbers)
        self.continue_radio = QRadioButton("Continue after the last printed number")
        self.continue_radio.setObjectName("continueRadio")
        self.continue_radio.setChecked(True)
        nform.addWidget(self.continue_radio)
        srow = QHBoxLayout()
        self.start_radio = QRadioButton("&Reprint from number")
        self.start_radio.setObjectName("startRadio")
        self.start_radio.setToolTip("Repeats numbers already printed: only for a reprint")
        srow.addWidget(self.start_radio)
        self.start = QSpinBox()
        self.start.setObjectName("startSpin")
        self.start.setRange(1, 1_000_000)
        self.start.setEnabled(False)
        srow.addWidget(self.start)
        srow.addStretch(1)
        nform.addLayout(srow)
        group = QButtonGroup(self)
        group.addButton(self.continue_radio)
        group.addButton(self.start_radio)
        trow = QHBoxLayout()
        tl = QLabel("&Total N")
        self.total = QSpinBox()
        self.total.setObjectName("totalSpin")
        self.total.setRange(0, 1_000_000)
        self.total.setSpecialValueText("from the batch")
        self.total.setToolTip("N in 'n of N'; 'from the batch' uses its pieces or the last run's N")
        tl.setBuddy(self.total)
        trow.addWidget(tl)
        trow.addWidget(self.total)
        trow.addStretch(1)
        nform.addLayout(trow)
        left.addWidget(numbers)

        printer = QGroupBox("Printer")
        pform = QFormLayout(printer)
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profileCombo")
        pform.addRow("&Profile", self.profile_combo)
        self.dpi = QSpinBox()
        self.dpi.setObjectName("dpiSpin")
        self.dpi.setRange(72, 4800)
        self.dpi.setValue(300)
        self.dpi.setSuffix(" dpi")
        self.dpi.setToolTip("The printer's resolution: barcodes are snapped to its dots")
        pform.addRow("&Resolution", self.dpi)
        self.offset_x = QDoubleSpinBox()
        self.offset_x.setObjectName("offsetXSpin")
        self.offset_y = QDoubleSpinBox()
        self.offset_y.setObjectName("offsetYSpin")
        for spin, tip in (
            (self.offset_x, "Positive moves the print right"),
            (self.offset_y, "Positive moves the print down"),
        ):
            spin.setRange(-20, 20)
            spin.setDecimals(1)
            spin.setSingleStep(0.1)
            spin.setSuffix(" mm")
            spin.setToolTip(tip)
        orow = QHBoxLayout()
        orow.addWidget(QLabel("x"))
        orow.addWidget(self.offset_x)
        orow.addWidget(QLabel("y"))
        orow.addWidget(self.offset_y)
        pform.addRow("Offset", orow)
        prow = QHBoxLayout()
        self.save_profile_button = QPushButton("Sa&ve to profile")
        self.save_profile_button.setObjectName("saveProfileButton")
        self.save_profile_button.setToolTip("Store this resolution and offset in the profile")
        self.save_profile_button.clicked.connect(self.save_profile)
        prow.addWidget(self.save_profile_button)
        self.calibration_button = QPushButton("Calibration &page…")
        self.calibration_button.setObjectName("calibrationButton")
        self.calibration_button.setToolTip(
            "Print a sheet with scales on every label to measure the printer's offset"
        )
        self.calibration_button.clicked.connect(lambda: self.print_calibration())
        prow.addWidget(self.calibration_button)
        pform.addRow(prow)
        left.addWidget(printer)
        left.addStretch(1)

        right = QVBoxLayout()
        body.addLayout(right, 1)
        self.preview = PdfPageView()
        self.preview.setObjectName("printPreview")
        self.preview.setAccessibleName("Preview of the first page")
        self.preview.setMinimumSize(360, 420)
        right.addWidget(self.preview, 1)
        self.summary = rich(QLabel())
        self.summary.setObjectName("summaryLabel")
        self.summary.setWordWrap(True)
        right.addWidget(self.summary)
        self.error = QLabel()
        self.error.setObjectName("printError")
        self.error.setProperty("role", "formError")
        self.error.setWordWrap(True)
        self.error.hide()
        right.addWidget(self.error)

        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("printProgress")
        self.progress.hide()
        bottom.addWidget(self.progress, 1)
        self.cancel_button = QPushButton("Cancel printing")
        self.cancel_button.setObjectName("cancelPrintButton")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.hide()
        bottom.addWidget(self.cancel_button)
        self.status = plain(QLabel())
        self.status.setObjectName("printStatus")
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.save_button = QPushButton("Save P&DF…")
        self.save_button.setObjectName("savePdfButton")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        bottom.addWidget(self.save_button)
        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(lambda: self.print_labels())
        bottom.addWidget(self.print_button)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.close_button)
        outer.addLayout(bottom)
        self.setMinimumSize(760, 560)
        self.resize(1000, 720)

        for w in (self.copies, self.skip, self.start, self.total, self.dpi):
            w.valueChanged.connect(self._changed)
        for d in (self.offset_x, self.offset_y):
            d.valueChanged.connect(self._changed)
        self.layout_combo.activated.connect(self._layout_chosen)
        self.stock_edit.textEdited.connect(self._changed)
        self.profile_combo.activated.connect(self._profile_chosen)
        self.start_radio.toggled.connect(self._numbering_toggled)

    # ======================================================================== data

    def _load(self) -> None:
        from smallbatch_desktop.services import labels as svc

        with self._sf() as s:
            info = svc.label_data_for_batch(s, self._batch_id)
            layouts = [(lay.name, lay.stock_key) for lay in svc.list_layouts(s)]
            default = svc.resolve_layout(s, recipe_id=info.recipe_id)
            self._profiles = {
                p.name: ProfileInfo(p.name, p.dpi, float(p.offset_x_mm), float(p.offset_y_mm))
                for p in svc.list_printer_profiles(s)
            }
            self._last_printed = svc.last_printed_number(s, self._batch_id)
            try:
                plan: PrintPlan | None = svc.plan_print(s, self._batch_id)
            except UserError:
                plan = None
        self._info = info
        self.header.setText(
            f"<b style='font-size:14pt'>{esc(info.lot)}</b> &nbsp; {esc(info.recipe_name)} "
            f"&nbsp; <i>{info.status.replace('_', ' ')}</i>"
        )
        if not info.released:
            self.draft_banner.setText(
                f"This batch is {info.status.replace('_', ' ')}, not released: its labels "
                "print with a DRAFT watermark and use no numbers. Release the batch to "
                "print final labels."
            )
            self.draft_banner.show()
        self.layout_combo.clear()
        for name, stock_key in layouts:
            self.layout_combo.addItem(name, stock_key)
        self.layout_combo.setCurrentIndex(max(self.layout_combo.findText(default.name), 0))
        self.stock_edit.setText(plan.stock_key if plan else default.stock_key)
        self.profile_combo.clear()
        self.profile_combo.addItem("(none chosen: asked before printing)", NO_PROFILE)
        for name in self._profiles:
            self.profile_combo.addItem(name, name)
        i = self.profile_combo.findData(plan.profile_name if plan is not None else NO_PROFILE)
        self.profile_combo.setCurrentIndex(max(i, 0))
        self._profile_chosen()
        if plan is not None:
            self.copies.setValue(plan.copies)
        self._show_numbering()

    def _show_numbering(self) -> None:
        nxt = self._last_printed + 1
        if self._info.released:
            self.continue_radio.setText(
                f"Continue after the last printed number (next: {nxt})"
                if self._last_printed
                else "Start at 1 (nothing printed yet)"
            )
        else:
            self.continue_radio.setText("Number drafts from 1 (drafts use no numbers)")
        self.start.setValue(max(self.start.value(), 1) if self.start_radio.isChecked() else nxt)

    # ======================================================================== choices

    def _changed(self, *_args: object) -> None:
        self._timer.start()

    def _layout_chosen(self) -> None:
        stock_key = self.layout_combo.currentData()
        if stock_key:
            self.stock_edit.setText(str(stock_key))
        self._changed()

    def _profile_chosen(self) -> None:
        p = self._profiles.get(str(self.profile_combo.currentData() or ""))
        for w in (self.dpi, self.offset_x, self.offset_y):
            w.blockSignals(True)
        self.dpi.setValue(p.dpi if p else 300)
        self.offset_x.setValue(p.offset_x if p else 0.0)
        self.offset_y.setValue(p.offset_y if p else 0.0)
        for w in (self.dpi, self.offset_x, self.offset_y):
            w.blockSignals(False)
        self.save_profile_button.setEnabled(p is not None)
        self._changed()

    def _numbering_toggled(self, reprint: bool) -> None:
        self.start.setEnabled(reprint)
        if reprint:
            self.start.setFocus()
        self._changed()

    def set_choices(
        self,
        *,
        layout: str | None = None,
        stock: str | None = None,
        copies: int | None = None,
        skip: int | None = None,
        start: int | None = None,
        total: int | None = None,
        profile: str | None = None,
    ) -> PrintPlan | None:
        """Fill the form as a user would and re-plan at once (tests, scripts)."""
        if layout is not None:
            self.layout_combo.setCurrentIndex(self.layout_combo.findText(layout))
            self._layout_chosen()
        if stock is not None:
            self.stock_edit.setText(stock)
        if profile is not None:
            self.profile_combo.setCurrentIndex(self.profile_combo.findData(profile))
            self._profile_chosen()
        if copies is not None:
            self.copies.setValue(copies)
        if total is not None:
            self.total.setValue(total)
        if start is not None:
            self.start_radio.setChecked(True)
            self.start.setValue(start)
        if skip is not None:
            self.update_plan()  # the stock sets the skip range
            self.skip.setValue(skip)
        return self.update_plan()

    def build_plan(self) -> PrintPlan:
        """The plan for the current choices; raises ``UserError`` naming the field."""
        from smallbatch_desktop.services.labels import plan_print

        profile = str(self.profile_combo.currentData() or "")
        with self._sf() as s:
            plan = plan_print(
                s,
                self._batch_id,
                layout_name=self.layout_combo.currentText() or None,
                stock_key=self.stock_edit.text().strip() or None,
                copies=self.copies.value(),
                skip=self.skip.value(),
                start_number=self.start.value() if self.start_radio.isChecked() else None,
                total=self.total.value() or None,
                profile_name=profile,
            )
        job = dataclasses.replace(
            plan.job,
            dpi=self.dpi.value(),
            offset_x=round(self.offset_x.value(), 2),
            offset_y=round(self.offset_y.value(), 2),
        )
        return dataclasses.replace(plan, job=job, profile_name=profile)

    def _set_error_role(self, role: str) -> None:
        if self.error.property("role") != role:
            self.error.setProperty("role", role)
            self.error.style().unpolish(self.error)
            self.error.style().polish(self.error)

    def update_plan(self) -> PrintPlan | None:
        """Re-plan from the form: summary, skip range, first-page preview."""
        self._timer.stop()
        try:
            plan = self.build_plan()
        except UserError as exc:
            self._plan = None
            # every number of the run printed is where a finished run leaves the batch:
            # said plainly, not as a red error (that came right after a successful save)
            done = isinstance(exc, ConflictError) and exc.field == "start number"
            self._set_error_role("note" if done else "formError")
            self.error.setText(
                f"All {self._last_printed} labels of this batch are printed. To print more, "
                "raise the total; to print some again, choose a start number (reprint)."
                if done
                else sentence(exc.message)
            )
            self.error.show()
            self.summary.clear()
            self.stock_info.clear()
            self._set_ready(False)
            self.planChanged.emit(None)
            return None
        self.error.hide()
        self._plan = plan
        stock = plan.job.stock
        self.stock_info.setText(stock.title)
        roll = stock.kind == ROLL
        self.skip.blockSignals(True)
        self.skip.setRange(0, 0 if roll else stock.per_page - 1)
        self.skip.blockSignals(False)
        self.skip.setEnabled(not roll)
        per_page = stock.per_page
        pages = (plan.copies + plan.job.skip + per_page - 1) // per_page
        numbers = (
            f"numbers {plan.first_number}–{plan.last_number} of {plan.total}"
            if plan.copies > 1
            else f"number {plan.first_number} of {plan.total}"
        )
        kind = (
            "Final labels: the numbers are recorded once they have printed."
            if plan.final
            else "DRAFT labels (watermarked); no numbers are recorded."
        )
        unit = "label" if roll else "sheet"
        self.summary.setText(
            f"<b>{plan.copies} label{'s' if plan.copies != 1 else ''}</b>, {numbers}, on "
            f"{pages} {unit}{'s' if pages != 1 else ''} of {esc(stock.key)} at {plan.job.dpi} dpi. "
            f"{kind}"
        )
        self._set_ready(True)
        self._render_preview(plan)
        self.planChanged.emit(plan)
        return plan

    def _set_ready(self, ready: bool) -> None:
        running = self._job is not None
        self.print_button.setEnabled(ready and not running)
        self.save_button.setEnabled(ready and not running)

    def _render_preview(self, plan: PrintPlan) -> None:
        from smallbatch_desktop.pdf.labels import render_labels

        stock = plan.job.stock
        first_page = max(1, stock.per_page - plan.job.skip)
        job = dataclasses.replace(plan.job, labels=plan.job.labels[:first_page], outline=True)
        self._preview_gen += 1
        gen = self._preview_gen

        def work(_s: Session, _p: Progress) -> RenderResult:
            return render_labels(job)

        def done(result: RenderResult) -> None:
            if gen == self._preview_gen:
                self.preview.set_image(pdf_to_image(result.pdf, dpi=110))
                if result.warnings:
                    self.summary.setText(
                        self.summary.text()
                        + "<br><span style='color:#b45f06'>⚠ "
                        + "<br>⚠ ".join(esc(w) for w in result.warnings)
                        + "</span>"
                    )

        def failed(exc: BaseException) -> None:
            if gen == self._preview_gen:
                self.preview.set_image(None, "No preview")
                message = exc.message if isinstance(exc, UserError) else f"Preview failed: {exc}"
                self.error.setText(message)
                self.error.show()
                if isinstance(exc, UserError):
                    self._set_ready(False)

        self.tasks.submit("Label preview", work, on_result=done, on_error=failed)

    # ======================================================================== output

    def save_pdf(self, path: str | Path | None = None) -> TaskHandle | None:
        """Render every label to a PDF file (asks where unless ``path`` is given)."""
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

        def work(_s: Session, progress: Progress) -> PrintOutcome:
            result = _render(plan, progress, 1.0)
            target.write_bytes(result.pdf)
            return PrintOutcome(result.pages, result.labels, str(target), plan, result.warnings)

        return self._run("Saving labels", work)

    def print_labels(self) -> TaskHandle | None:
        """Ask for a printer (QPrintDialog), then print."""
        if not self.profile_combo.currentData() and not self.ask_printer():
            return None
        plan = self.update_plan()
        if plan is None:
            return None
        printer = self._printer_for(plan.job.stock.page_width, plan.job.stock.page_height)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("qtPrintDialog")
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.print_to_printer(printer, plan)

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
        """Render and paint every page onto ``printer`` (set up here: page size,
        full page, the profile's resolution); records a final run once it printed."""
        plan = plan or self.update_plan()
        if plan is None:
            return None
        stock = plan.job.stock
        configure_printer(printer, stock.page_width, stock.page_height, plan.job.dpi)
        name = printer.outputFileName() or printer.printerName() or "the printer"

        def work(_s: Session, progress: Progress) -> PrintOutcome:
            result = _render(plan, progress, 0.5)
            total = result.pages

            def page_done(done: int, _total: int) -> None:
                progress.check()
                progress.report(50 + 50 * done // max(total, 1), 100, f"Printing page {done}")

            pages = paint_pdf(result.pdf, printer, dpi=plan.job.dpi, progress=page_done)
            return PrintOutcome(pages, result.labels, name, plan, result.warnings)

        return self._run("Printing labels", work)

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
        from smallbatch_desktop.services.labels import last_printed_number, record_print_run

        plan = outcome.plan
        recorded = ""
        if plan.final and outcome.labels:

            def record(s: Session) -> None:
                if plan.first_number <= last_printed_number(s, plan.batch_id):
                    log.warning(
                        "labels %s-%s of %s were printed again (reprint)",
                        plan.first_number,
                        plan.last_number,
                        plan.lot,
                    )
                record_print_run(s, plan, printed_by=self._actor)

            def not_recorded(exc: UserError) -> None:
                self.status.setText(f"Printed, but the run was not recorded: {exc.message}")

            if not self._ctx.run(
                record, changes=Change.LABELS, on_refused=not_recorded, origin=self
            ):
                self.last_outcome = outcome
                self.printed.emit(outcome)
                return
            recorded = f" Numbers {plan.first_number}–{plan.last_number} recorded."
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

    def _job_failed(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, UserError):
            log.error("printing labels failed", exc_info=exc)
        self.status.setText(f"Nothing was recorded: {message}")
        self.error.setText(message)
        self.error.show()

    def _job_cancelled(self) -> None:
        self.status.setText(
            "Cancelled. No numbers were recorded; pages already sent may still print."
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


def _render(plan: PrintPlan, progress: Progress, share: float) -> RenderResult:
    """Render the plan's PDF on a worker thread, reporting ``share`` of the progress."""
    from smallbatch_desktop.pdf.labels import render_labels

    def on_progress(done: int, total: int) -> None:
        progress.check()
        progress.report(int(100 * share * done / max(total, 1)), 100, f"Rendering label {done}")

    result = render_labels(plan.job, progress=on_progress)
    progress.check()
    return result
