"""The Notes tab: actual yield, operator and notes of a batch not yet released."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QPushButton, QWidget

from smallbatch_desktop.domain.status import FROZEN
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.views.batch_detail.common import BatchSnapshot, RunAction
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError, FormErrors


class NotesTab(QWidget):
    title = "&Notes"

    def __init__(self, ctx: UiContext, run: RunAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._run = ctx, run
        self._batch_id: int | None = None
        form = QFormLayout(self)
        self.actual_edit = DecimalEdit(field="actual yield")
        self.actual_edit.setObjectName("notesActualYield")
        self.operator_edit = QLineEdit()
        self.operator_edit.setObjectName("batchOperator")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setTabChangesFocus(True)
        self.save_button = QPushButton("Save &notes")
        self.save_button.setObjectName("saveNotesButton")
        self.save_button.clicked.connect(self.save)
        form.addRow("Actual yield", self.actual_edit)
        form.addRow("Operator", self.operator_edit)
        form.addRow("Notes", self.notes_edit)
        form.addRow("", self.save_button)
        err = FieldError(self, name="notesError")
        form.addRow("", err)
        self.errors = FormErrors(err)
        self.errors.add(("actual yield",), self.actual_edit, err)
        self.errors.add(("operator",), self.operator_edit, err)
        self.errors.add(("notes",), self.notes_edit, err)

    def load(self, snap: BatchSnapshot) -> None:
        d = snap.detail
        self._batch_id = d.id
        self.actual_edit.set_decimal(d.actual_quantity)
        self.operator_edit.setText(d.operator)
        self.notes_edit.setPlainText(d.notes)
        frozen = snap.status in FROZEN
        for w in (self.actual_edit, self.operator_edit, self.notes_edit, self.save_button):
            w.setEnabled(not frozen)
        self.save_button.setToolTip(
            "Use an amendment to correct a released batch" if frozen else ""
        )

    def save(self) -> bool:
        if self._batch_id is None:
            return False
        bid, actor = self._batch_id, self._ctx.actor
        actual = self.actual_edit.text().strip() or None
        operator, notes = self.operator_edit.text(), self.notes_edit.toPlainText()
        self.errors.clear()
        return self._run(
            lambda s: bsvc.update_batch(
                s, bid, actual_quantity=actual, operator=operator, notes=notes, actor=actor
            ),
            self.errors,
        )
