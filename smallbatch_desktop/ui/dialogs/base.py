"""The shape every form dialog shares: labelled rows with an error line under each field,
a form-level error, OK/Cancel, and one unit of work on OK.

A subclass builds its rows with ``add_field`` and implements ``save(session)``, which
calls the services; a ``UserError`` keeps the dialog open, shows the message next to
the field it names, and leaves everything the user typed in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.widgets.fields import FieldError, FormErrors


def fit_to_text(widget: QWidget, chars: int, lines: int = 0) -> None:
    """Size a dialog in characters and lines of its own font, so the larger-text setting
    gets a larger dialog instead of cut-off labels; never more than the screen holds."""
    fm = widget.fontMetrics()
    width = fm.averageCharWidth() * chars + 40
    height = max(widget.sizeHint().height(), fm.lineSpacing() * lines)
    screen = widget.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, int(room.width() * 0.95))
        height = min(height, int(room.height() * 0.95))
    widget.resize(width, height)


def focus_chain(widgets: Iterable[QWidget]) -> list[QWidget]:
    """Put ``widgets`` (and their focusable children, in order) in this Tab order."""
    chain: list[QWidget] = []
    for w in widgets:
        top = w.window()
        for c in [w, *w.findChildren(QWidget)]:
            if (
                c.focusPolicy() & Qt.FocusPolicy.TabFocus
                and c.focusProxy() is None
                and c.window() is top  # not a popup (completer, calendar, combo list)
                and c not in chain
            ):
                chain.append(c)
    for a, b in pairwise(chain):
        QWidget.setTabOrder(a, b)
    return chain


class FormDialog(QDialog):
    """A modal form whose OK runs ``save`` as one user action (``UiContext.run``): one
    unit of work, a ``UserError`` beside its field, ``changes`` announced on success.

    ``result_value`` holds what ``save`` returned (plain data, e.g. a new id).
    """

    #: what a successful ``save`` changes (the views showing it reload)
    changes: Change = Change.NONE

    def __init__(
        self,
        ctx: UiContext,
        title: str,
        parent: QWidget | None = None,
        *,
        ok_text: str = "Save",
        intro: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._actor = ctx.actor
        self.result_value: Any = None
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        self.body = layout
        self.form_error = FieldError(self, name="formError", reserve=True)
        self.form_error.setProperty("role", "formError")
        self.errors = FormErrors(self.form_error)
        layout.addWidget(self.form_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_text)
        ok.setObjectName("okButton")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def add_field(
        self, label: str, widget: QWidget, fields: str | Iterable[str] = (), *, tip: str = ""
    ) -> FieldError:
        """A row: label, widget, and an error line named after the widget."""
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        err = FieldError(box, name=f"{widget.objectName() or 'field'}Error", reserve=True)
        v.addWidget(err)
        if tip:
            widget.setToolTip(tip)
        self.form.addRow(label, box)
        if fields:
            self.errors.add(fields, widget, err)
        return err

    def tab_chain(self) -> list[QWidget]:
        """Tab order: the form's fields top to bottom, then what the subclass put below the
        form, then OK and Cancel (Qt would otherwise follow creation order, which puts the
        buttons first)."""
        rows: list[QWidget] = []
        for r in range(self.form.rowCount()):
            item = self.form.itemAt(r, QFormLayout.ItemRole.FieldRole)
            if item is None:
                item = self.form.itemAt(r, QFormLayout.ItemRole.SpanningRole)
            field = item.widget() if item is not None else None
            if field is not None:
                rows.append(field)
        start = self.body.indexOf(self.form) + 1 if self.body.indexOf(self.form) >= 0 else 1
        for i in range(start, self.body.count()):
            below = self.body.itemAt(i)
            w = below.widget() if below is not None else None
            if w is not None and w is not self.buttons:
                rows.append(w)
        rows.append(self.buttons)
        return focus_chain(rows)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.property("chained"):
            self.setProperty("chained", True)
            chain = self.tab_chain()
            if chain and not any(w.hasFocus() for w in chain[:-2]):
                chain[0].setFocus(Qt.FocusReason.TabFocusReason)

    def save(self, session: Session) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def accept(self) -> None:
        done = self._ctx.run(
            self.save,
            changes=self.changes,
            form=self.errors,
            origin=self,
            what=self.objectName() or type(self).__name__,
        )
        if done:
            self.result_value = done.value
            super().accept()
