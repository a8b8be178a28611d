"""The recipe view's state: the version shown, the input choices, collaborators."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from smallbatch_desktop.services.ui_queries import (
    InputChoice,
    VersionDetail,
)
from smallbatch_desktop.ui.context import UiContext

QC_KIND_LABELS = {"numeric": "Number", "passfail": "Pass / fail", "text": "Text"}


class RecipeState(QWidget):
    """The recipe view's state and collaborators; every part of the view (the mixins)
    works on these.

    Signals:
        versionChanged(object): the version id now shown (None when nothing is).
    """

    versionChanged = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recipeView")
        self._ctx = ctx
        self._sf = ctx.session_factory
        #: the version shown in the editor (None: nothing selected)
        self._detail: VersionDetail | None = None
        #: what a line may use, by the text shown in the picker
        self._choices: dict[str, InputChoice] = {}
        #: the draft has edits that are not saved
        self._dirty = False
        #: the editor is being filled from the database (not the user's edits)
        self._loading = False

    def _button(
        self, text: str, name: str, slot: Any, bar: QHBoxLayout | None = None
    ) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.clicked.connect(slot)
        if bar is not None:
            bar.addWidget(b)
        return b

    def _touched(self, *_args: Any) -> None:
        if not self._loading:
            self._dirty = True

    def is_dirty(self) -> bool:
        return self._dirty
