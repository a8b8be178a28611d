"""First run on an empty database: business name and address, then a demo workshop to
explore or an empty one to start from. Demo data loads in the background with progress."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop import APP_NAME
from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.services.common import optional_text, required_text, set_setting
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.ops import Change, run_task_op
from smallbatch_desktop.ui.tasks import Progress
from smallbatch_desktop.ui.widgets.fields import FieldError, FormErrors


class WelcomeDialog(QDialog):
    """The welcome step. ``demo_loaded`` tells what was chosen once accepted."""

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._tasks = ctx.tasks
        self.demo_loaded = False
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"<h2>Welcome to {APP_NAME}</h2>"
            "<p>Keep your recipes, ingredient lots and batches in one place, print lot labels, "
            "and answer “where did this lot go?” in seconds — all on this computer, offline.</p>"
            "<p>Your business name and address go on labels and provenance sheets. "
            "You can change them later in Settings.</p>"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("businessName")
        self.name.setPlaceholderText("e.g. Ember & Lye Workshop")
        self.address = QPlainTextEdit()
        self.address.setObjectName("businessAddress")
        self.address.setPlaceholderText("Street, town, postcode, country")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        name_err = FieldError(self, name="businessNameError", reserve=True)
        form.addRow("Business &name", self.name)
        form.addRow("", name_err)
        form.addRow("Business &address", self.address)
        layout.addLayout(form)
        self.demo = QRadioButton(
            "Explore a &demo workshop (hot sauce, soap, coffee) — you can start over later"
        )
        self.demo.setObjectName("demoChoice")
        self.empty = QRadioButton("Start with an &empty workshop")
        self.empty.setObjectName("emptyChoice")
        self.empty.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.demo)
        group.addButton(self.empty)
        layout.addWidget(self.demo)
        layout.addWidget(self.empty)
        self.progress = QProgressBar()
        self.progress.setObjectName("welcomeProgress")
        self.progress.hide()
        layout.addWidget(self.progress)
        form_err = FieldError(self, name="welcomeError", reserve=True)
        form_err.setProperty("role", "formError")
        layout.addWidget(form_err)
        self.errors = FormErrors(form_err)
        self.errors.add(("business name",), self.name, name_err)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Start")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("startButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(
            lambda t: (
                self.errors.set_field("business name", "" if t.strip() else "Required")
                if self.name.property("touched")
                else None
            )
        )
        self.name.editingFinished.connect(lambda: self.name.setProperty("touched", True))
        from smallbatch_desktop.ui.dialogs.base import fit_to_text

        fit_to_text(self, 72)

    def accept(self) -> None:
        name, address = self.name.text(), self.address.toPlainText()

        def save(s: Session) -> None:
            set_setting(s, "business_name", required_text(name, field="business name"))
            set_setting(
                s, "business_address", optional_text(address, field="business address", lines=True)
            )

        if not self._ctx.run(save, changes=Change.SETTINGS, form=self.errors, origin=self):
            return
        if not self.demo.isChecked():
            super().accept()
            return
        self.buttons.setEnabled(False)
        self.progress.show()
        self.progress.setRange(0, 0)

        def job(session: Session, progress: Progress) -> None:
            from smallbatch_desktop.services import demo

            progress.report(0, 0, "Loading the demo workshop…")
            demo.load_demo(session)
            # keep the name the maker typed, not the demo's
            set_setting(session, "business_name", name.strip())
            set_setting(session, "business_address", address.strip())

        handle = run_task_op(
            self._ctx,
            "Loading demo workshop",
            job,
            changes=Change.all(),
            origin=self,
            on_result=self._demo_done,
            on_error=self._demo_failed,
        )
        handle.progress.connect(self._on_progress)

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _demo_done(self, _result: Any) -> None:
        self.demo_loaded = True
        self.progress.hide()
        QDialog.accept(self)

    def _demo_failed(self, exc: BaseException) -> None:
        self.progress.hide()
        self.buttons.setEnabled(True)
        message = exc.message if isinstance(exc, UserError) else f"Could not load the demo: {exc}"
        self.errors.show(UserError(message))
