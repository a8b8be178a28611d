"""Showing errors: a ``UserError`` as a plain message, anything else as a logged bug.

The ``ErrorReporter`` is the one place views send exceptions they did not expect; the
app's ``sys.excepthook`` and the task runner route here too.  The app keeps running.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.ui.text import sentence

log = logging.getLogger("smallbatch.errors")


class ErrorReporter(QObject):
    """Logs and shows exceptions without closing the app.

    Signals:
        reported(object): every exception handed in (tests listen to this).
    """

    reported = Signal(object)

    def __init__(
        self,
        parent_widget: QWidget | None = None,
        *,
        log_folder: Path | None = None,
        show_dialogs: bool = True,
    ) -> None:
        super().__init__(parent_widget)
        self._parent = parent_widget
        self._log_folder = log_folder
        self.show_dialogs = show_dialogs
        self._showing = False
        self.last: BaseException | None = None

    def set_parent_widget(self, widget: QWidget) -> None:
        self._parent = widget

    def report(self, exc: BaseException, *, context: str = "") -> None:
        if not isinstance(exc, UserError):
            # a locked, full, read-only, damaged or unreachable database is not a bug:
            # the maker gets the message that says what to do
            from smallbatch_desktop.db.faults import explain

            fault = explain(exc)
            if fault is not None:
                log.info("database fault%s", f" ({context})" if context else "", exc_info=exc)
                exc = fault
        self.last = exc
        self.reported.emit(exc)
        if isinstance(exc, UserError):
            log.info("user error%s: %s", f" ({context})" if context else "", exc.message)
            if self.show_dialogs:
                box = QMessageBox(
                    QMessageBox.Icon.Warning,
                    "Smallbatch",
                    sentence(exc.message),
                    parent=self._parent,
                )
                box.setObjectName("userErrorBox")
                box.setTextFormat(Qt.TextFormat.PlainText)  # it may quote what was typed
                box.open()
            return
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("unexpected error%s\n%s", f" ({context})" if context else "", details)
        if not self.show_dialogs or self._showing:
            return
        from smallbatch_desktop.ui.dialogs.error import ErrorDialog

        self._showing = True
        try:
            dialog = ErrorDialog(
                f"{type(exc).__name__}: {exc}", details, self._log_folder, self._parent
            )
            dialog.finished.connect(self._dialog_closed)
            dialog.open()
        except Exception:  # never let the error path raise
            log.exception("could not show the error dialog")
            self._showing = False

    def _dialog_closed(self, _result: int) -> None:
        self._showing = False
