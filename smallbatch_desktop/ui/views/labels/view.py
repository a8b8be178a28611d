"""The label designer's widget: its state and the parts it is made of."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QWidget,
)

from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.ops import Change, watch
from smallbatch_desktop.ui.views.labels.building import BuildMixin
from smallbatch_desktop.ui.views.labels.data import DataMixin
from smallbatch_desktop.ui.views.labels.editing import EditingMixin
from smallbatch_desktop.ui.views.labels.layouts import LayoutsMixin
from smallbatch_desktop.ui.views.labels.preview import PreviewMixin


class LabelView(BuildMixin, DataMixin, PreviewMixin, EditingMixin, LayoutsMixin):
    """The label designer: its state (``DesignerState``) and parts, one module each.
    Signals: see ``DesignerState``."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._sample = self._sample_data()
        self._data = self._sample
        self._build()
        self._connect()
        self.refresh()
        self._open_initial()
        watch(
            self,
            ctx,
            Change.LABELS | Change.RECIPES | Change.BATCHES | Change.SETTINGS,
            self._data_changed,
        )
