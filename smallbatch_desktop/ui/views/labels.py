"""The Labels view: a label designer in the manner of gLabels or BarTender.

Left: saved layouts (new, open, save, save as, delete, recipe, default) and the label
stock (catalog search, custom stock).  Centre: the canvas with the label at true
proportions, the live preview rendered under the elements by the same ReportLab
renderer that prints, and a message area naming every element the renderer refuses or
warns about.  Right: the property panel.

The document is a frozen ``domain.label_layout.Layout``.  Every change (move, resize,
property, add, delete, align, stock) is one ``LayoutCommand`` on a ``QUndoStack`` that
holds the layout before and after, so undo and redo are exact.  The canvas and the
panel only report what the user did; ``_apply`` shows a layout everywhere.

Database work happens in one ``session_factory.begin()`` per click (save, delete,
attach, default); the view keeps plain data only (layouts, ids, names).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.label_data import LabelData
from smallbatch_desktop.domain.label_layout import (
    MIN_X_HEIGHT_SMALL_PACK_MM,
    BarcodeElement,
    BoxElement,
    Element,
    ImageElement,
    IngredientsElement,
    Layout,
    LineElement,
    TextElement,
    validate_layout,
)
from smallbatch_desktop.domain.label_stock import ROLL, LabelStock
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.ops import Change, Changed, OpResult, watch
from smallbatch_desktop.ui.text import esc, rich
from smallbatch_desktop.ui.widgets.label_canvas import Geometry, LabelCanvas, LabelScene, moved
from smallbatch_desktop.ui.widgets.label_preview import PreviewOutcome, PreviewRenderer
from smallbatch_desktop.ui.widgets.label_properties import PropertyPanel, parse_ais
from smallbatch_desktop.ui.widgets.label_stock import StockPicker

log = logging.getLogger(__name__)

STANDARD_FIELDS = (
    "product",
    "lot",
    "made:%d %b %Y",
    "best_before:%d %b %Y",
    "best_before:%Y-%m-%d",
    "net_quantity",
    "producer",
    "address",
    "allergens",
    "gtin",
    "n",
    "N",
)
#: label facts the services turn into LabelData fields rather than {fact} fields
_NOT_FACTS = {"product_name", "net_quantity", "use_by", "product_kind"}
SAMPLE = -1
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def _menu_button(name: str, text: str, tip: str) -> QToolButton:
    """A toolbar button that opens a menu of actions."""
    button = QToolButton()
    button.setObjectName(name)
    button.setText(text)
    button.setToolTip(tip)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class LayoutCommand(QUndoCommand):
    """One undoable change: the whole layout before and after, and the selection.

    Consecutive edits with the same ``merge_key`` (typing in one field) merge into one.
    """

    def __init__(
        self,
        view: LabelView,
        before: Layout,
        after: Layout,
        text: str,
        *,
        select_before: Sequence[str] = (),
        select_after: Sequence[str] = (),
        merge_key: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(text)
        self.view = view
        self.before = before
        self.after = after
        self.select_before = tuple(select_before)
        self.select_after = tuple(select_after)
        self.merge_key = merge_key

    def id(self) -> int:
        return 1 if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, LayoutCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self.select_after = other.select_after
        return True

    def redo(self) -> None:
        self.view._apply(self.after, self.select_after)

    def undo(self) -> None:
        self.view._apply(self.before, self.select_before)


class LabelView(QWidget):
    """The label designer.

    Signals:
        layoutSaved(int): the id of the layout just saved.
        dirtyChanged(bool): True when the layout has changes that are not saved.
        previewRendered(object): the ``PreviewOutcome`` now shown (tests wait on it).
    """

    layoutSaved = Signal(int)
    dirtyChanged = Signal(bool)
    previewRendered = Signal(object)

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
    ) -> None:
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
        self._sample = self._sample_data()
        self._data: LabelData = self._sample
        self._last_outcome: PreviewOutcome | None = None

        self.scene = LabelScene(self)
        self.canvas = LabelCanvas(self.scene)
        self.preview = PreviewRenderer(self.tasks, parent=self)
        self.panel = PropertyPanel()
        self.stock_picker = StockPicker(ctx)
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

    # ======================================================================== building

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

    # ======================================================================== data

    def _data_changed(self, event: Changed) -> None:
        if event.origin is not self:  # its own actions reload once their state is set
            self.refresh()

    def refresh(self) -> None:
        """Reload the layout list, recipes, batches and known label facts."""
        from smallbatch_desktop.domain.models import Batch, Recipe, RecipeVersion
        from smallbatch_desktop.services.labels import list_layouts

        with self._sf() as s:
            layouts = list_layouts(s)
            recipes = [(r.id, r.name) for r in s.scalars(select(Recipe).order_by(Recipe.name))]
            names = dict(recipes)
            batches = [
                (b.id, b.lot_code, b.status)
                for b in s.scalars(select(Batch).order_by(Batch.id.desc()).limit(300))
            ]
            facts: dict[str, str] = {}
            for v in s.scalars(select(RecipeVersion).order_by(RecipeVersion.id)):
                for k, val in (v.label_facts or {}).items():
                    if k not in _NOT_FACTS and val not in (None, ""):
                        facts[str(k)] = str(val)
        self._facts = facts
        self._sample = self._sample_data()
        current = self._layout_id, self._layout.name
        with QSignalBlocker(self.layout_list):
            self.layout_list.clear()
            for lay in layouts:
                marks = []
                if lay.builtin:
                    marks.append("built-in")
                if lay.recipe_id is not None:
                    marks.append(names.get(lay.recipe_id, "?"))
                if lay.is_default:
                    marks.append("default")
                text = ("★ " if lay.is_default else "") + lay.name
                if marks:
                    text += f"  ({', '.join(marks)})"
                item = QListWidgetItem(text)
                item.setData(NAME_ROLE, lay.name)
                item.setToolTip(f"{lay.name}: {lay.stock_key}")
                self.layout_list.addItem(item)
                if lay.name == current[1]:
                    self.layout_list.setCurrentItem(item)
        with QSignalBlocker(self.recipe_combo):
            self.recipe_combo.clear()
            self.recipe_combo.addItem("All recipes (workshop-wide)", None)
            for rid, name in recipes:
                self.recipe_combo.addItem(name, rid)
            self._show_recipe()
        with QSignalBlocker(self.data_combo):
            chosen = self.data_combo.currentData()
            self.data_combo.clear()
            self.data_combo.addItem("Sample data", SAMPLE)
            for bid, lot, status in batches:
                self.data_combo.addItem(f"{lot} ({status.replace('_', ' ')})", bid)
            i = self.data_combo.findData(chosen) if chosen is not None else 0
            self.data_combo.setCurrentIndex(max(i, 0))
        self.panel.set_fields(list(STANDARD_FIELDS) + sorted(self._facts))
        self._update_buttons()

    def _sample_data(self) -> LabelData:
        from smallbatch_desktop.services.labels import sample_label_data

        data = sample_label_data()
        return dataclasses.replace(data, facts=tuple(sorted(self._facts.items())))

    def _open_initial(self) -> None:
        from smallbatch_desktop.services.labels import resolve_layout

        with self._sf() as s:
            stored = resolve_layout(s)
        self._load_stored(stored)

    def _resolve_stock(self, key: str) -> LabelStock:
        from smallbatch_desktop.services.labels import resolve_stock

        if key in self._stocks:
            return self._stocks[key]
        with self._sf() as s:
            stock = resolve_stock(s, key)
        self._stocks[key] = stock
        self._stocks[stock.key] = stock
        return stock

    def _load_stored(self, stored: Any) -> None:
        try:
            stock = self._resolve_stock(stored.stock_key or stored.layout.stock_key)
        except UserError as exc:
            self._show_messages([("", exc.message)], [])
            stock = self._resolve_stock("Avery 5160")
        layout = dataclasses.replace(stored.layout, name=stored.name, stock_key=stock.key)
        self._layout_id = stored.id
        self._builtin = stored.builtin
        self._recipe_id = stored.recipe_id
        self._is_default = stored.is_default
        self.undo_stack.clear()
        self._apply(layout, ())
        self.undo_stack.setClean()
        self._show_recipe()
        self._update_title()
        self._update_buttons()
        self._fit()

    # ======================================================================== showing

    @property
    def label_layout(self) -> Layout:
        """The label layout as it stands (plain data); not ``QWidget.layout()``."""
        return self._layout

    @property
    def layout_id(self) -> int | None:
        return self._layout_id

    @property
    def stock(self) -> LabelStock:
        assert self._stock is not None
        return self._stock

    def _apply(self, layout: Layout, selection: Iterable[str]) -> None:
        """Show ``layout`` everywhere: canvas, panel, preview (commands call this)."""
        stock = self._resolve_stock(layout.stock_key) if layout.stock_key else self._stock
        stock_changed = stock is not self._stock
        self._layout = layout
        if stock is not None and stock_changed:
            self._stock = stock
            self._show_stock()
        names = {e.name for e in layout.elements}
        self._selection = tuple(n for n in selection if n in names)
        self.scene.set_elements(layout.elements, self._selection)
        self._show_panel()
        self._update_title()
        if stock_changed:
            self._fit()
        self.schedule_preview()

    def _show_stock(self) -> None:
        stock = self.stock
        self.stock_picker.set_current(stock)
        sheet = None
        others: list[tuple[float, float]] = []
        if self.sheet_action.isChecked() and stock.kind != ROLL:
            cells = stock.cells()
            c0 = cells[0]
            sheet = (-c0.x, -c0.y, stock.page_width, stock.page_height)
            others = [(c.x - c0.x, c.y - c0.y) for c in cells[1:]]
        self.scene.set_label(
            self._layout.width,
            self._layout.height,
            corner_radius=stock.corner_radius,
            round_shape=stock.shape in ("round", "ellipse", "cd"),
            sheet=sheet,
            other_cells=others,
        )

    def _show_panel(self) -> None:
        stock = self._stock
        text = (
            f"{self._layout.width:.2f} x {self._layout.height:.2f} mm on {stock.key}"
            if stock
            else ""
        )
        self.panel.show_layout(self._layout, text)
        chosen = [e for e in self._layout.elements if e.name in self._selection]
        self.panel.show_selection(chosen[0] if len(chosen) == 1 else None, chosen)
        has = bool(chosen)
        self.delete_action.setEnabled(has)
        for a in self.align_actions.values():
            a.setEnabled(has)

    def _update_title(self) -> None:
        try:
            dirty = "" if self.undo_stack.isClean() else " •"
        except RuntimeError:  # the stack is gone: the view is being destroyed
            return
        where = (
            "built-in: Save as… keeps a copy"
            if self._builtin
            else ("not saved yet" if self._layout_id is None else "saved")
        )
        self.title.setText(f"{esc(self._layout.name)}{dirty}   <small>({where})</small>")

    def _update_buttons(self) -> None:
        item = self.layout_list.currentItem()
        self.openLayoutButton.setEnabled(item is not None)  # type: ignore[attr-defined]
        self.deleteLayoutButton.setEnabled(  # type: ignore[attr-defined]
            self._layout_id is not None
        )

    def _dirty_changed(self, dirty: bool) -> None:
        try:
            self._update_title()
            self.dirtyChanged.emit(dirty)
        except (RuntimeError, TypeError):  # the view is being destroyed
            return

    def _show_recipe(self) -> None:
        with QSignalBlocker(self.recipe_combo):
            i = self.recipe_combo.findData(self._recipe_id)
            self.recipe_combo.setCurrentIndex(max(i, 0))
        with QSignalBlocker(self.default_check):
            self.default_check.setChecked(self._is_default)
            self.default_check.setText(
                "&Default layout for this recipe"
                if self._recipe_id is not None
                else "&Default layout for all recipes"
            )

    # ======================================================================== preview

    def schedule_preview(self) -> None:
        if self._stock is None:
            return
        dpr = self.canvas.devicePixelRatioF()
        self.preview.image_dpi = min(max(self.canvas.px_per_mm() * 25.4 * dpr, 150.0), 600.0)
        self.preview.request(self._layout, self._stock, self._data)

    def flush_preview(self) -> PreviewOutcome | None:
        """Render the pending preview now; returns what is shown (tests)."""
        self.preview.flush()
        return self._last_outcome

    def _on_preview(self, outcome: PreviewOutcome) -> None:
        self._last_outcome = outcome
        self.scene.set_preview(outcome.image)
        self.scene.set_errors(outcome.failed_elements)
        self._show_messages(list(outcome.errors), list(outcome.warnings))
        self.previewRendered.emit(outcome)

    def _show_messages(self, errors: list[tuple[str, str]], warnings: list[str]) -> None:
        self.messages.clear()
        for name, message in errors:
            item = QListWidgetItem(f"✖ {message}")
            item.setForeground(QColor("#c62828"))
            item.setData(NAME_ROLE, name)
            item.setToolTip("The renderer refuses this: it is left out of the preview")
            self.messages.addItem(item)
        for message in warnings:
            item = QListWidgetItem(f"⚠ {message}")
            item.setForeground(QColor("#b45f06"))
            item.setData(NAME_ROLE, message.split(":", 1)[0])
            self.messages.addItem(item)
        if not errors and not warnings:
            item = QListWidgetItem(
                "✔ Everything fits: the preview is what prints (rendered at 300 dpi)."
            )
            item.setForeground(QColor("#2e7d32"))
            self.messages.addItem(item)

    def message_texts(self) -> list[str]:
        return [self.messages.item(i).text() for i in range(self.messages.count())]

    def _message_activated(self, item: QListWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        if name and any(e.name == name for e in self._layout.elements):
            self.scene.select([name])
            self.canvas.setFocus()

    def _data_chosen(self) -> None:
        from smallbatch_desktop.services.labels import label_data_for_batch

        bid = self.data_combo.currentData()
        if bid in (None, SAMPLE):
            self._data = self._sample
        else:
            try:
                with self._sf() as s:
                    self._data = label_data_for_batch(s, int(bid)).data
            except UserError as exc:
                self._data = self._sample
                self._show_messages([("", exc.message)], [])
                return
        self.schedule_preview()

    def set_preview_batch(self, batch_id: int | None) -> None:
        i = self.data_combo.findData(SAMPLE if batch_id is None else batch_id)
        self.data_combo.setCurrentIndex(max(i, 0))
        self._data_chosen()

    # ======================================================================== editing

    def _push(
        self,
        after: Layout,
        text: str,
        selection: Sequence[str] | None = None,
        merge_key: tuple[str, ...] | None = None,
    ) -> None:
        if after == self._layout:
            return
        self.undo_stack.push(
            LayoutCommand(
                self,
                self._layout,
                after,
                text,
                select_before=self._selection,
                select_after=self._selection if selection is None else selection,
                merge_key=merge_key,
            )
        )

    def _unique_name(self, kind: str) -> str:
        names = {e.name for e in self._layout.elements}
        i = 1
        while f"{kind}{i}" in names:
            i += 1
        return f"{kind}{i}"

    def add_element(self, kind: str, *, path: str | None = None) -> str | None:
        """Add an element of ``kind`` in the middle of the label; returns its name."""
        W, H = self._layout.width, self._layout.height
        name = self._unique_name(kind)

        def centred(w: float, h: float) -> tuple[float, float, float, float]:
            w, h = min(w, W), min(h, H)
            return round((W - w) / 2, 2), round((H - h) / 2, 2), w, h

        e: Element
        if kind == "text":
            e = TextElement(name, *centred(min(40.0, W - 2), 5.0), text="{product}", size=9)
        elif kind == "ingredients":
            e = IngredientsElement(name, *centred(W - 3, min(10.0, H - 2)))
        elif kind == "barcode":
            e = BarcodeElement(name, *centred(min(40.0, W - 2), min(12.0, H - 2)))
        elif kind == "image":
            if path is None:
                path, _ = QFileDialog.getOpenFileName(
                    self, "Choose an image or logo", "", "Images (*.png *.jpg *.jpeg)"
                )
                if not path:
                    return None
            side = min(15.0, W - 2, H - 2)
            e = ImageElement(name, *centred(side, side), path=path)
        elif kind == "line":
            x, _y, w, _h = centred(W - 4, 0.0)
            e = LineElement(name, x, round(H / 2, 2), w, 0.0)
        elif kind == "box":
            e = BoxElement(name, *centred(W - 2, H - 2))
        else:
            raise ValueError(f"unknown element kind {kind!r}")
        after = dataclasses.replace(self._layout, elements=(*self._layout.elements, e))
        self._push(after, f"Add {kind}", [name])
        self.canvas.setFocus()
        return name

    def delete_selected(self) -> None:
        chosen = set(self._selection)
        if not chosen:
            return
        kept = tuple(e for e in self._layout.elements if e.name not in chosen)
        self._push(
            dataclasses.replace(self._layout, elements=kept),
            f"Delete {', '.join(sorted(chosen))}",
            [],
        )

    def select(self, names: Iterable[str]) -> None:
        self.scene.select(names)

    def _replace_many(self, changes: dict[str, Element]) -> Layout:
        return dataclasses.replace(
            self._layout,
            elements=tuple(changes.get(e.name, e) for e in self._layout.elements),
        )

    def _clamped(self, e: Element, x: float, y: float) -> tuple[float, float]:
        W, H = self._layout.width, self._layout.height
        lo_x, hi_x = -min(e.w, 0.0), W - max(e.w, 0.0)
        lo_y, hi_y = -min(e.h, 0.0), H - max(e.h, 0.0)
        return (
            round(min(max(x, lo_x), max(hi_x, lo_x)), 2),
            round(min(max(y, lo_y), max(hi_y, lo_y)), 2),
        )

    def nudge(self, dx: float, dy: float) -> None:
        changes = {}
        for e in self._layout.elements:
            if e.name in self._selection:
                x, y = self._clamped(e, e.x + dx, e.y + dy)
                changes[e.name] = e.moved(x=x, y=y)
        if changes:
            self._push(self._replace_many(changes), "Move")

    def align(self, how: str) -> None:
        W, H = self._layout.width, self._layout.height
        changes = {}
        for e in self._layout.elements:
            if e.name not in self._selection:
                continue
            x0, x1 = sorted((e.x, e.x + e.w))
            y0, y1 = sorted((e.y, e.y + e.h))
            w, h = x1 - x0, y1 - y0
            dx = {"left": -x0, "center": (W - w) / 2 - x0, "right": W - w - x0}.get(how, 0.0)
            dy = {"top": -y0, "middle": (H - h) / 2 - y0, "bottom": H - h - y0}.get(how, 0.0)
            changes[e.name] = e.moved(x=round(e.x + dx, 2), y=round(e.y + dy, 2))
        if changes:
            self._push(self._replace_many(changes), f"Align {how}")

    def _on_geometry_edited(self, changed: dict[str, Geometry]) -> None:
        changes = {
            e.name: moved(e, changed[e.name]) for e in self._layout.elements if e.name in changed
        }
        resized = any(
            (changes[n].w, changes[n].h) != (self._layout.element(n).w, self._layout.element(n).h)
            for n in changes
        )
        self._push(self._replace_many(changes), "Resize" if resized else "Move")

    def _on_selection_changed(self) -> None:
        self._selection = tuple(self.scene.selected_names())
        self._show_panel()

    def _check_template(self, template: str, name: str) -> None:
        from smallbatch_desktop.pdf.labels import fill_template

        fill_template(template, self._sample, name=name)

    def _on_element_edited(self, name: str, field: str, value: object) -> None:
        try:
            e = self._layout.element(name)
        except KeyError:
            return
        try:
            if field == "ais":
                value = parse_ais(str(value))
            if field == "name":
                value = str(value).strip()
                if not value:
                    raise ValidationError("name: an element needs a name", field="name")
                if value != name and any(x.name == value for x in self._layout.elements):
                    raise ValidationError(f"name: {value!r} is taken", field="name")
            if field in ("text", "data"):
                self._check_template(str(value), name)
            changes: dict[str, Any] = {field: value}
            if field == "path":
                changes["image"] = b""
            new = dataclasses.replace(e, **changes)
            after = self._layout.replace_element(name, new)
            validate_layout(after, after.width, after.height)
        except (UserError, ValueError) as exc:
            self.panel.show_error(field, exc.message if isinstance(exc, UserError) else str(exc))
            return
        self.panel.clear_error()
        selection = [new.name if n == name else n for n in self._selection]
        key = ("rename",) if field == "name" else (name, field)
        self._push(after, f"Change {field.replace('_', ' ')} of {name}", selection, key)

    def _on_layout_edited(self, field: str, value: object) -> None:
        if field == "name":
            text = str(value).strip()
            if not text:
                self.panel.show_error(None, "Layout name: give it a name")
                return
            after = dataclasses.replace(self._layout, name=text)
        else:
            v = float(value)  # type: ignore[arg-type]
            if v < MIN_X_HEIGHT_SMALL_PACK_MM:
                return
            after = dataclasses.replace(self._layout, min_x_height=round(v, 2))
        self.panel.clear_error()
        self._push(after, f"Change layout {field.replace('_', ' ')}", None, ("layout", field))

    def _embed_image(self, name: str) -> None:
        e = self._layout.element(name)
        if not isinstance(e, ImageElement) or not e.path:
            return
        try:
            data = Path(e.path).read_bytes()
        except OSError as exc:
            self.panel.show_error("path", f"{name}: cannot read {e.path}: {exc.strerror}")
            return
        self._push(self._layout.replace_element(name, e.moved(image=data)), f"Embed {name}")

    def set_stock(self, stock: LabelStock) -> None:
        """Design for ``stock``: the label takes its size (one undoable change)."""
        self._stocks[stock.key] = stock
        after = dataclasses.replace(
            self._layout,
            stock_key=stock.key,
            width=stock.label_width,
            height=stock.label_height,
        )
        if after == self._layout:
            return
        self._push(after, f"Use stock {stock.key}")
        try:
            validate_layout(after, after.width, after.height)
        except UserError as exc:
            self._show_messages([(exc.field or "", exc.message)], [])

    # ======================================================================== toggles

    def _set_snap(self, on: bool) -> None:
        self.scene.snap_enabled = on
        self.scene.update()

    def _set_sheet(self, _on: bool) -> None:
        if self._stock is not None:
            self._show_stock()
            self._fit()

    def _set_rendered(self, on: bool) -> None:
        self.scene.set_preview_shown(on)

    def _fit(self) -> None:
        rect = self.scene.label_rect()
        if self.sheet_action.isChecked():
            rect = self.scene.itemsBoundingRect()
        self.canvas.fit(rect)

    def _on_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f} %")
        if self._last_outcome is not None:
            want = min(max(self.canvas.px_per_mm() * 25.4, 150.0), 600.0)
            if want > self.preview.image_dpi * 1.3:
                self.schedule_preview()

    # ======================================================================== layouts

    def has_unsaved_changes(self) -> bool:
        return not self.undo_stack.isClean()

    def _ask_unsaved(self) -> QMessageBox.StandardButton:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved label layout",
            f"Save the changes to {self._layout.name!r}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("unsavedLayoutBox")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def confirm_discard(self) -> bool:
        """True when it is fine to leave the layout (saved, discarded or unchanged)."""
        if not self.has_unsaved_changes():
            return True
        answer = self._ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def open_selected(self) -> None:
        item = self.layout_list.currentItem()
        if item is not None:
            self.open_layout(str(item.data(NAME_ROLE)))

    def open_layout(self, name: str) -> bool:
        from smallbatch_desktop.services.labels import get_layout

        if not self.confirm_discard():
            return False
        try:
            with self._sf() as s:
                stored = get_layout(s, name)
        except UserError as exc:
            self._error(exc)
            return False
        self._load_stored(stored)
        return True

    def new_layout(self) -> bool:
        if not self.confirm_discard():
            return False
        stock = self.stock
        w, h = stock.label_width, stock.label_height
        m = min(1.5, w / 10)
        layout = Layout(
            name=self._new_name("New layout"),
            width=w,
            height=h,
            stock_key=stock.key,
            elements=(
                TextElement(
                    "product",
                    m,
                    m,
                    round(w - 2 * m, 2),
                    min(5.0, h - 2 * m),
                    text="{product}",
                    size=10,
                    bold=True,
                ),
            ),
        )
        self._layout_id = None
        self._builtin = False
        self._recipe_id = None
        self._is_default = False
        self.undo_stack.clear()
        self._apply(layout, ())
        self._show_recipe()
        self._update_title()
        self._update_buttons()
        # a new layout is unsaved work from the start
        self.undo_stack.resetClean()
        self._dirty_changed(True)
        return True

    def _new_name(self, base: str) -> str:
        taken = {
            str(self.layout_list.item(i).data(NAME_ROLE)) for i in range(self.layout_list.count())
        }
        if base not in taken:
            return base
        i = 2
        while f"{base} {i}" in taken:
            i += 1
        return f"{base} {i}"

    def save(self) -> bool:
        """Save the layout (a built-in or new one asks for a name first)."""
        if self._layout_id is None:
            return self.save_as()
        return self._save(self._layout, self._layout_id)

    def save_as(self, name: str | None = None) -> bool:
        if name is None:
            suggested = (
                self._new_name(f"{self._layout.name} (copy)")
                if self._layout_id is not None or self._builtin
                else self._layout.name
            )
            name, ok = QInputDialog.getText(
                self, "Save layout as", "Name of the layout:", text=suggested
            )
            if not ok:
                return False
        layout = dataclasses.replace(self._layout, name=name.strip())
        return self._save(layout, None)

    def _save(self, layout: Layout, layout_id: int | None) -> bool:
        from smallbatch_desktop.services.labels import save_layout

        done = self._run(
            lambda s: save_layout(
                s,
                layout,
                stock_key=layout.stock_key,
                recipe_id=self._recipe_id,
                is_default=self._is_default if layout_id is None else None,
                layout_id=layout_id,
                actor=self._actor,
            )
        )
        if not done or done.value is None:
            return False
        new_id = done.value
        if layout.name != self._layout.name:
            # the new name is part of the saved document, not an undoable edit
            self._layout = layout
            self.undo_stack.clear()
        self._layout_id = new_id
        self._builtin = False
        self.undo_stack.setClean()
        self.refresh()
        self._update_title()
        self._update_buttons()
        self.layoutSaved.emit(new_id)
        return True

    def delete_layout(self) -> bool:
        from smallbatch_desktop.services.labels import delete_layout, resolve_layout

        if self._layout_id is None:
            return False
        if not self._confirm(f"Delete the layout {self._layout.name!r}? This cannot be undone."):
            return False
        layout_id = self._layout_id
        if not self._run(lambda s: delete_layout(s, layout_id, actor=self._actor)):
            return False
        self._layout_id = None
        self.undo_stack.clear()
        self.refresh()
        with self._sf() as s:
            stored = resolve_layout(s)
        self._load_stored(stored)
        return True

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Label layouts", text)
        return answer == QMessageBox.StandardButton.Yes

    def _recipe_chosen(self) -> None:
        from smallbatch_desktop.services.labels import attach_layout

        rid = self.recipe_combo.currentData()
        layout_id = self._layout_id
        if layout_id is not None:
            if not self._run(lambda s: attach_layout(s, layout_id, rid, actor=self._actor)):
                self._show_recipe()
                return
            if rid != self._recipe_id:
                self._is_default = False
            self.refresh()
        self._recipe_id = rid
        self._show_recipe()

    def _default_clicked(self, checked: bool) -> None:
        from smallbatch_desktop.services.labels import set_default_layout

        layout_id = self._layout_id
        if layout_id is not None:
            if not self._run(
                lambda s: set_default_layout(s, layout_id, checked, actor=self._actor)
            ):
                self._show_recipe()
                return
            self.refresh()
        self._is_default = checked
        self._show_recipe()

    def _run(self, fn: Callable[[Session], Any]) -> OpResult[Any]:
        """One user action on the layouts (``UiContext.run``); a refusal is shown in the
        check list and a message box."""
        return self._ctx.run(fn, changes=Change.LABELS, on_refused=self._error, origin=self)

    def _error(self, exc: UserError) -> None:
        self._show_messages([(exc.field or "", exc.message)], [])
        box = QMessageBox(QMessageBox.Icon.Warning, "Label layouts", exc.message, parent=self)
        box.setObjectName("labelErrorBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def focus_search(self) -> None:
        self.stock_picker.search.setFocus()
