"""The label designer's state: the document, the choices around it, collaborators."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QWidget,
)

from smallbatch_desktop.domain.label_data import LabelData
from smallbatch_desktop.domain.label_layout import (
    Layout,
)
from smallbatch_desktop.domain.label_stock import LabelStock
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.widgets.label_canvas import LabelCanvas, LabelScene
from smallbatch_desktop.ui.widgets.label_preview import PreviewOutcome, PreviewRenderer
from smallbatch_desktop.ui.widgets.label_properties import PropertyPanel
from smallbatch_desktop.ui.widgets.label_stock import StockPicker


class DesignerState(QWidget):
    """The designer's document and collaborators; every part of the view (the mixins)
    works on these.

    Signals:
        layoutSaved(int): the id of the layout just saved.
        dirtyChanged(bool): True when the layout has changes that are not saved.
        previewRendered(object): the ``PreviewOutcome`` now shown (tests wait on it).
    """

    layoutSaved = Signal(int)
    dirtyChanged = Signal(bool)
    previewRendered = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelView")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._actor = ctx.actor
        self.tasks = ctx.tasks.child(self)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("labelUndoStack")
        self._layout = Layout("New layout", 66.675, 25.4)
        self._stock: LabelStock | None = None
        self._stocks: dict[str, LabelStock] = {}
        self._layout_id: int | None = None
        self._builtin = False
        self._recipe_id: int | None = None
        self._is_default = False
        self._selection: tuple[str, ...] = ()
        self._facts: dict[str, str] = {}
        from smallbatch_desktop.services.labels import sample_label_data

        self._sample: LabelData = sample_label_data()
        self._data: LabelData = self._sample
        self._last_outcome: PreviewOutcome | None = None
        self.scene = LabelScene(self)
        self.canvas = LabelCanvas(self.scene)
        self.preview = PreviewRenderer(self.tasks, parent=self)
        self.panel = PropertyPanel()
        self.stock_picker = StockPicker(ctx)
