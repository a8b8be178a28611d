"""The Amendments tab: corrections to a released record, kept beside the old value
with who, when and why, in the maker's words and units."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.status import FROZEN
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services.ui_queries import AmendmentRow
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.views.batch_detail.common import BatchSnapshot, RunAction, table_view
from smallbatch_desktop.ui.widgets.fields import FieldError, FormErrors


class AmendmentsTab(QWidget):
    title = "A&mendments"

    def __init__(self, ctx: UiContext, run: RunAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._run = ctx, run
        self._batch_id: int | None = None
        v = QVBoxLayout(self)
        self.model: RowTableModel[AmendmentRow] = RowTableModel(
            [
                Column("When", lambda r: r.amended_at),
                Column("Who", lambda r: r.amended_by),
                Column("Field", lambda r: bsvc.amendment_field_label(r.field)),
                Column("Was", lambda r: r.old_value),
                Column("Now", lambda r: r.new_value),
                Column("Why", lambda r: r.reason),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.view = table_view("amendmentsTable")
        self.view.setModel(self.model)
        v.addWidget(self.view, 1)
        form = QFormLayout()
        self.field = QComboBox()
        self.field.setObjectName("amendField")
        for key in bsvc.AMENDABLE:
            self.field.addItem(bsvc.amendment_field_label(key), key)
        self.value = QLineEdit()
        self.value.setObjectName("amendValue")
        self.reason = QLineEdit()
        self.reason.setObjectName("amendReason")
        self.reason.setPlaceholderText("Why the record is corrected")
        self.button = QPushButton("Record &amendment")
        self.button.setObjectName("amendButton")
        self.button.clicked.connect(self.amend)
        form.addRow("Field", self.field)
        form.addRow("New value", self.value)
        form.addRow("Reason", self.reason)
        form.addRow("", self.button)
        v.addLayout(form)
        err = FieldError(self, name="amendError")
        v.addWidget(err)
        self.errors = FormErrors(err)
        self.errors.add(("reason",), self.reason, err)
        self.errors.add(
            ("actual yield", "best before", "notes", "operator", "field"), self.value, err
        )
        self.hint = QLabel(
            "A released, rejected or recalled batch is read-only: corrections are kept beside "
            "the old value with who, when and why."
        )
        self.hint.setWordWrap(True)
        v.addWidget(self.hint)

    def load(self, snap: BatchSnapshot) -> None:
        self._batch_id = snap.detail.id
        self.model.set_rows(snap.detail.amendments)
        self.button.setEnabled(snap.status in FROZEN)

    def amend(self) -> bool:
        if self._batch_id is None:
            return False
        bid, actor = self._batch_id, self._ctx.actor
        field = str(self.field.currentData())
        value, reason = self.value.text(), self.reason.text()
        self.errors.clear()
        ok = self._run(
            lambda s: bsvc.amend_batch(
                s, bid, field=field, new_value=value, reason=reason, actor=actor
            ),
            self.errors,
        )
        if ok:
            self.value.clear()
            self.reason.clear()
        return ok
