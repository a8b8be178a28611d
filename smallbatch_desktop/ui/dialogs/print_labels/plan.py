"""Choices to plan: what the batch allows, the numbers, the preview of page one."""

# mypy: disable-error-code="attr-defined"
# (one part of PrintLabelsDialog: the methods it calls on the other parts are the dialog's)
from __future__ import annotations

import contextlib
import dataclasses

from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import ConflictError, UserError
from smallbatch_desktop.domain.label_stock import ROLL
from smallbatch_desktop.pdf.labels import RenderResult
from smallbatch_desktop.services.labels import PrintPlan
from smallbatch_desktop.ui.dialogs.print_labels.common import (
    NO_PROFILE,
    ProfileInfo,
)
from smallbatch_desktop.ui.dialogs.print_labels.state import PrintState
from smallbatch_desktop.ui.printing import pdf_to_image
from smallbatch_desktop.ui.tasks import Progress
from smallbatch_desktop.ui.text import esc, sentence


class PlanPart(PrintState):
    """Choices to plan: what the batch allows, the numbers, the preview of page one."""

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

    def build_plan(self, session: Session | None = None, *, lock: bool = False) -> PrintPlan:
        """The plan for the current choices; raises ``UserError`` naming the field.
        ``session``/``lock``: in a write unit of work, with the batch's numbering locked
        (the numbers are reserved next, ``OutputPart._reserve``)."""
        from smallbatch_desktop.services.labels import plan_print

        profile = str(self.profile_combo.currentData() or "")
        with self._sf() if session is None else contextlib.nullcontext(session) as s:
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
                lock_numbers=lock,
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
            "Final labels: the numbers are reserved before printing, and given back if "
            "nothing prints."
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
