"""Building the designer: panes, toolbar (from the action table), connections."""

# mypy: disable-error-code="attr-defined"
# (one part of LabelView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.text import rich
from smallbatch_desktop.ui.views.labels.common import (
    _menu_button,
)
from smallbatch_desktop.ui.views.labels.state import DesignerState


class BuildMixin(DesignerState):
    """Building the designer: panes, toolbar (from the action table), connections."""

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # the minimum size is set once below: a top-level window whose layout keeps
        # changing it makes offscreen/Wayland platforms warn (propagateSizeHints)
        outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        outer.setSpacing(0)
        self.toolbar = QToolBar("Label designer")
        self.toolbar.setObjectName("labelToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        outer.addWidget(self.toolbar)
        self._build_actions()

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("labelSplitter")
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)

        # -- left: layouts and stock
        left = QWidget()
        left.setObjectName("labelLeftPanel")
        lv = QVBoxLayout(left)
        lv.setContentsMargins(8, 8, 4, 8)
        lay_box = QGroupBox("Layouts")
        lb = QVBoxLayout(lay_box)
        self.layout_list = QListWidget()
        self.layout_list.setObjectName("layoutList")
        self.layout_list.setAccessibleName("Saved label layouts")
        self.layout_list.setToolTip("Enter or double-click opens a layout")
        lb.addWidget(self.layout_list, 1)
        row = QHBoxLayout()
        for name, text, slot in (
            ("newLayoutButton", "&New", self.new_layout),
            ("openLayoutButton", "&Open", self.open_selected),
            ("deleteLayoutButton", "Delete", self.delete_layout),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            row.addWidget(b)
            setattr(self, name, b)
        lb.addLayout(row)
        row2 = QHBoxLayout()
        for name, text, slot in (
            ("saveLayoutButton", "&Save", self.save),
            ("saveAsLayoutButton", "Save &as…", self.save_as),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            row2.addWidget(b)
            setattr(self, name, b)
        lb.addLayout(row2)
        self.recipe_combo = QComboBox()
        self.recipe_combo.setObjectName("layoutRecipe")
        self.recipe_combo.setAccessibleName("Recipe this layout belongs to")
        self.recipe_combo.setToolTip("The recipe this layout is for; the print dialog offers it")
        rl = QLabel("&Recipe")
        rl.setBuddy(self.recipe_combo)
        lb.addWidget(rl)
        lb.addWidget(self.recipe_combo)
        self.default_check = QCheckBox("&Default layout")
        self.default_check.setObjectName("layoutDefault")
        self.default_check.setToolTip(
            "Preselected when printing: for its recipe, or for every recipe without one"
        )
        lb.addWidget(self.default_check)
        lv.addWidget(lay_box, 3)
        stock_box = QGroupBox("Label stock")
        sb = QVBoxLayout(stock_box)
        sb.addWidget(self.stock_picker)
        lv.addWidget(stock_box, 4)
        splitter.addWidget(left)

        # -- centre: canvas, preview data, messages
        centre = QWidget()
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(4, 8, 4, 8)
        # the layout's name and state on a line of its own: beside the preview controls
        # a long name was cut off mid-word
        self.title = rich(QLabel())
        self.title.setObjectName("layoutTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        cv.addWidget(self.title)
        head = QHBoxLayout()
        pl = QLabel("Pre&view with")
        self.data_combo = QComboBox()
        self.data_combo.setObjectName("previewData")
        self.data_combo.setAccessibleName("Preview data")
        self.data_combo.setMinimumContentsLength(22)
        self.data_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        pl.setBuddy(self.data_combo)
        head.addWidget(pl)
        head.addWidget(self.data_combo, 1)
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("zoomLabel")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.zoom_label)
        cv.addLayout(head)
        cv.addWidget(self.canvas, 1)
        self.messages = QListWidget()
        self.messages.setObjectName("labelMessages")
        self.messages.setAccessibleName("Preview messages")
        self.messages.setMaximumHeight(76)
        self.messages.setWordWrap(True)
        self.messages.setToolTip("Enter or double-click selects the element a message names")
        cv.addWidget(self.messages)
        splitter.addWidget(centre)

        # -- right: properties
        scroll = QScrollArea()
        scroll.setObjectName("propertyScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        self.panel.setMinimumWidth(300)
        scroll.setMinimumWidth(330)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([300, 720, 340])
        left.setMinimumWidth(290)

    def _action(self, aid: ActionId, slot: Any) -> QAction:
        """The designer's action from the app's action table (text, tip, shortcut), bound
        to this view: its shortcut works while the designer has the focus."""
        action = self._ctx.actions[aid]
        if action.isCheckable():
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _c=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        tb = self.toolbar
        A = ActionId
        self.undo_action = self._action(A.DESIGN_UNDO, self.undo_stack.undo)
        self.redo_action = self._action(A.DESIGN_REDO, self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(self.undo_stack.canUndo())
        self.redo_action.setEnabled(self.undo_stack.canRedo())
        tb.addAction(self.undo_action)
        tb.addAction(self.redo_action)
        tb.addSeparator()

        add = _menu_button("addElementButton", "Add", "Add an element to the label")
        self.add_actions: dict[str, QAction] = {}
        for kind, aid in (
            ("text", A.DESIGN_ADD_TEXT),
            ("ingredients", A.DESIGN_ADD_INGREDIENTS),
            ("barcode", A.DESIGN_ADD_BARCODE),
            ("image", A.DESIGN_ADD_IMAGE),
            ("line", A.DESIGN_ADD_LINE),
            ("box", A.DESIGN_ADD_BOX),
        ):
            act = self._action(aid, lambda k=kind: self.add_element(k))
            self.add_actions[kind] = act
            add.addAction(act)
        tb.addWidget(add)
        for kind in ("text", "barcode"):
            b = QToolButton()
            b.setDefaultAction(self.add_actions[kind])
            b.setObjectName(f"add_{kind}_button")
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            tb.addWidget(b)
        self.delete_action = self._action(A.DESIGN_DELETE, self.delete_selected)
        tb.addAction(self.delete_action)
        tb.addSeparator()

        align = _menu_button("alignButton", "Align", "Align the selection to the label")
        self.align_actions: dict[str, QAction] = {}
        for how, aid in (
            ("left", A.DESIGN_ALIGN_LEFT),
            ("center", A.DESIGN_ALIGN_CENTER),
            ("right", A.DESIGN_ALIGN_RIGHT),
            ("top", A.DESIGN_ALIGN_TOP),
            ("middle", A.DESIGN_ALIGN_MIDDLE),
            ("bottom", A.DESIGN_ALIGN_BOTTOM),
        ):
            act = self._action(aid, lambda h=how: self.align(h))
            self.align_actions[how] = act
            align.addAction(act)
        tb.addWidget(align)
        tb.addSeparator()
        self.snap_action = self._action(A.DESIGN_SNAP, self._set_snap)
        self.snap_action.setChecked(True)
        self.sheet_action = self._action(A.DESIGN_SHEET, self._set_sheet)
        self.rendered_action = self._action(A.DESIGN_RENDERED, self._set_rendered)
        self.rendered_action.setChecked(True)
        for a in (self.snap_action, self.sheet_action, self.rendered_action):
            tb.addAction(a)
        tb.addSeparator()
        self.zoom_in_action = self._action(A.DESIGN_ZOOM_IN, lambda: self.canvas.zoom_by(1.25))
        self.zoom_out_action = self._action(A.DESIGN_ZOOM_OUT, lambda: self.canvas.zoom_by(0.8))
        self.fit_action = self._action(A.DESIGN_ZOOM_FIT, self._fit)
        self.true_size_action = self._action(A.DESIGN_ZOOM_TRUE, lambda: self.canvas.set_zoom(1.0))
        for a in (
            self.zoom_in_action,
            self.zoom_out_action,
            self.fit_action,
            self.true_size_action,
        ):
            tb.addAction(a)

    def _connect(self) -> None:
        self.scene.geometryEdited.connect(self._on_geometry_edited)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.canvas.nudgeRequested.connect(self.nudge)
        self.canvas.deleteRequested.connect(self.delete_selected)
        self.canvas.zoomChanged.connect(self._on_zoom)
        self.panel.elementEdited.connect(self._on_element_edited)
        self.panel.layoutEdited.connect(self._on_layout_edited)
        self.panel.embedImageRequested.connect(self._embed_image)
        self.preview.rendered.connect(self._on_preview)
        self.stock_picker.stockChosen.connect(self.set_stock)
        self.layout_list.itemActivated.connect(lambda _i: self.open_selected())
        self.layout_list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.recipe_combo.activated.connect(self._recipe_chosen)
        self.default_check.clicked.connect(self._default_clicked)
        self.data_combo.activated.connect(lambda _i: self._data_chosen())
        self.messages.itemActivated.connect(self._message_activated)
        self.undo_stack.cleanChanged.connect(lambda clean: self._dirty_changed(not clean))
        self.undo_stack.indexChanged.connect(lambda _i: self._update_title())

    def minimumSizeHint(self) -> QSize:
        # small on purpose: embedded in the main window's stack, a large hint would
        # grow the window's minimum size when the view is first shown
        return QSize(480, 360)
