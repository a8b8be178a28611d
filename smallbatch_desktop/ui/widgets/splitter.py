"""A list beside a detail pane: the splitter sized by the view until the user drags it.

``fit_splitter(splitter, fit)`` keeps a two-pane splitter at the width ``fit(total)``
chooses for its first pane (the list) whenever the splitter is shown, resized or its
font changes (Settings -> Larger text applies at once), and stops as soon as the user
drags the handle: from then on the user's sizes stay, and ``SplitterFit.restored``
says a remembered state was put back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QSplitter


class SplitterFit(QObject):
    """See the module docstring. ``before`` runs first on a font change (columns
    re-sized to the new font before the list's width is worked out)."""

    def __init__(
        self,
        splitter: QSplitter,
        fit: Callable[[int], int],
        *,
        before: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self._fit = fit
        self._before = before
        #: the user dragged the handle (or a remembered state was restored)
        self.user = False
        self._font_changed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.apply)
        splitter.splitterMoved.connect(self._moved)
        splitter.installEventFilter(self)

    def _moved(self, *_args: object) -> None:
        self.user = True

    def restored(self) -> None:
        """A remembered state was restored: keep it."""
        self.user = True

    def reset(self) -> None:
        """Back to the fitted sizes (and follow the window again)."""
        self.user = False
        self.apply()

    def apply(self) -> None:
        """Size the panes now (unless the user chose their own)."""
        if self._font_changed and self._before is not None:
            self._font_changed = False
            self._before()
        splitter = self.splitter
        total = splitter.width()
        if self.user or total <= 0 or splitter.count() < 2:
            return
        left = max(1, min(self._fit(total), total - splitter.handleWidth() - 1))
        splitter.setSizes([left, total - left - splitter.handleWidth()])

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.splitter:
            kind = event.type()
            if kind == QEvent.Type.Show:
                self._timer.start()  # once the window has its final size
            elif kind == QEvent.Type.Resize and self.splitter.isVisible():
                self.apply()
            elif kind == QEvent.Type.FontChange:
                # once every child has the new font too (the splitter hears first)
                self.user = False
                self._font_changed = True
                self._timer.start()
        return False


#: attach a ``SplitterFit`` to a splitter
fit_splitter = SplitterFit
