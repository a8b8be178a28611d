"""The recipe view's widget: its state and the parts it is made of."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.ops import Change, watch
from smallbatch_desktop.ui.views.recipes.actions import ActionsMixin
from smallbatch_desktop.ui.views.recipes.building import BuildMixin
from smallbatch_desktop.ui.views.recipes.data import DataMixin
from smallbatch_desktop.ui.views.recipes.editor import EditorMixin
from smallbatch_desktop.ui.views.recipes.rows import RowsMixin
from smallbatch_desktop.ui.views.recipes.tabs import TabsMixin


class RecipeView(BuildMixin, TabsMixin, DataMixin, EditorMixin, RowsMixin, ActionsMixin):
    """The recipe list and version editor: its state (``RecipeState``) and parts, one
    module each. Signals: see ``RecipeState``."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._build()
        self._connect()
        self.refresh()
        self._show(None)
        watch(self, ctx, Change.RECIPES | Change.MATERIALS | Change.SETTINGS, self._data_changed)
