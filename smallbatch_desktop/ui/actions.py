"""Every user action in one table, keyed by an enum.

Menus, the toolbar and keyboard shortcuts are all built from ``ACTIONS``, ``MENUS`` and
``TOOLBAR``; views look actions up in the ``ActionRegistry`` (they never create their
own), so a shortcut is defined once and shows the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

SP = QStyle.StandardPixmap
Std = QKeySequence.StandardKey


class ActionId(StrEnum):
    NEW_BATCH = "new_batch"
    RECEIVE_LOT = "receive_lot"
    NEW_MATERIAL = "new_material"
    NEW_SUPPLIER = "new_supplier"
    NEW_RECIPE = "new_recipe"
    NEW_CUSTOMER = "new_customer"
    IMPORT = "import_data"
    SAVE = "save"
    SETTINGS = "settings"
    OPEN_DATA_FOLDER = "open_data_folder"
    BACKUP_NOW = "backup_now"
    RESTORE = "restore"
    QUIT = "quit"
    VIEW_BATCHES = "view_batches"
    VIEW_RECIPES = "view_recipes"
    VIEW_LABELS = "view_labels"
    VIEW_INVENTORY = "view_inventory"
    VIEW_TRACE = "view_trace"
    VIEW_ORDERS = "view_orders"
    NEW_ORDER = "new_order"
    MAKE_LIST = "make_list"
    PURCHASE_LIST = "purchase_list"
    VIEW_CUSTOMERS = "view_customers"
    FOCUS_SCAN = "focus_scan"
    FIND = "find"
    REFRESH = "refresh"
    LARGER_TEXT = "larger_text"
    PRINT_LABELS = "print_labels"
    PROVENANCE = "provenance"
    TRACE_LOT = "trace_lot"
    RECALL = "recall"
    FSMA_EXPORT = "fsma_export"
    CANCEL_TASK = "cancel_task"
    SHORTCUTS = "shortcuts"
    ABOUT = "about"
    # the label designer's own (shortcuts work while the designer has the focus)
    DESIGN_UNDO = "design_undo"
    DESIGN_REDO = "design_redo"
    DESIGN_ADD_TEXT = "design_add_text"
    DESIGN_ADD_INGREDIENTS = "design_add_ingredients"
    DESIGN_ADD_BARCODE = "design_add_barcode"
    DESIGN_ADD_IMAGE = "design_add_image"
    DESIGN_ADD_LINE = "design_add_line"
    DESIGN_ADD_BOX = "design_add_box"
    DESIGN_DELETE = "design_delete"
    DESIGN_ALIGN_LEFT = "design_align_left"
    DESIGN_ALIGN_CENTER = "design_align_center"
    DESIGN_ALIGN_RIGHT = "design_align_right"
    DESIGN_ALIGN_TOP = "design_align_top"
    DESIGN_ALIGN_MIDDLE = "design_align_middle"
    DESIGN_ALIGN_BOTTOM = "design_align_bottom"
    DESIGN_SNAP = "design_snap"
    DESIGN_SHEET = "design_sheet"
    DESIGN_RENDERED = "design_rendered"
    DESIGN_ZOOM_IN = "design_zoom_in"
    DESIGN_ZOOM_OUT = "design_zoom_out"
    DESIGN_ZOOM_FIT = "design_zoom_fit"
    DESIGN_ZOOM_TRUE = "design_zoom_true"


#: where an action's shortcut works: the whole window, or only while that view has focus
EVERYWHERE = ""
DESIGNER = "Label designer"


@dataclass(frozen=True)
class ActionSpec:
    text: str
    tip: str
    #: one key sequence, or several (the first is the one shown)
    shortcut: str | QKeySequence.StandardKey | tuple[str, ...] | None = None
    icon: QStyle.StandardPixmap | None = None
    checkable: bool = False
    scope: str = EVERYWHERE


ACTIONS: dict[ActionId, ActionSpec] = {
    ActionId.NEW_BATCH: ActionSpec(
        "&New batch…", "Plan a batch and pick its lots", "Ctrl+B", SP.SP_FileIcon
    ),
    ActionId.RECEIVE_LOT: ActionSpec(
        "&Receive lot…", "Receive a lot of a material from a supplier", "Ctrl+R", SP.SP_ArrowDown
    ),
    ActionId.NEW_MATERIAL: ActionSpec(
        "New &material…", "Add a material (ingredient, packaging…)", "Ctrl+Shift+M"
    ),
    ActionId.NEW_SUPPLIER: ActionSpec("New s&upplier…", "Add a supplier", "Ctrl+Shift+U"),
    ActionId.NEW_CUSTOMER: ActionSpec(
        "New &customer…", "Add a customer with its contact details", "Ctrl+Shift+C"
    ),
    ActionId.NEW_RECIPE: ActionSpec(
        "New r&ecipe…", "Start a new recipe", "Ctrl+Shift+N", SP.SP_FileDialogNewFolder
    ),
    ActionId.IMPORT: ActionSpec(
        "&Import…",
        "Import materials, suppliers, customers or received lots from a CSV or Excel file",
        "Ctrl+I",
        SP.SP_DialogOpenButton,
    ),
    ActionId.SAVE: ActionSpec(
        "&Save", "Save the form being edited", Std.Save, SP.SP_DialogSaveButton
    ),
    ActionId.SETTINGS: ActionSpec(
        "&Settings…", "Business details, lot codes, units, labels, text size", Std.Preferences
    ),
    ActionId.OPEN_DATA_FOLDER: ActionSpec(
        "Open &data folder",
        "Open the folder that holds the database and logs",
        None,
        SP.SP_DirOpenIcon,
    ),
    ActionId.BACKUP_NOW: ActionSpec(
        "&Back up now", "Copy the database into the backups folder, checked"
    ),
    ActionId.RESTORE: ActionSpec(
        "Res&tore…", "Replace the database with a backup (the current one is kept)"
    ),
    ActionId.QUIT: ActionSpec("&Quit", "Close Smallbatch", Std.Quit),
    ActionId.VIEW_BATCHES: ActionSpec("&Batches", "Production batches", "Ctrl+1"),
    ActionId.VIEW_RECIPES: ActionSpec("&Recipes", "Recipes and their versions", "Ctrl+2"),
    ActionId.VIEW_LABELS: ActionSpec("&Labels", "Label designs and printing", "Ctrl+3"),
    ActionId.VIEW_INVENTORY: ActionSpec("&Inventory", "Materials, lots and suppliers", "Ctrl+4"),
    ActionId.VIEW_TRACE: ActionSpec("&Trace", "Trace a lot backward and forward", "Ctrl+5"),
    ActionId.VIEW_ORDERS: ActionSpec("&Orders", "Customers' orders", "Ctrl+6"),
    ActionId.NEW_ORDER: ActionSpec("New &order…", "Take a customer's order", "Ctrl+Shift+O"),
    ActionId.MAKE_LIST: ActionSpec(
        "&Make list…", "What to make for the open orders; plan those batches", "Ctrl+Shift+K"
    ),
    ActionId.PURCHASE_LIST: ActionSpec(
        "&Purchase list…", "Materials to buy; draft and receive purchase orders", "Ctrl+Shift+B"
    ),
    ActionId.VIEW_CUSTOMERS: ActionSpec(
        "&Customers", "Customers and their contact details", "Ctrl+7"
    ),
    ActionId.FOCUS_SCAN: ActionSpec("&Scan a code", "Put the cursor in the scan box", "F2"),
    ActionId.FIND: ActionSpec("&Find", "Search the current list", Std.Find),
    ActionId.REFRESH: ActionSpec(
        "&Refresh", "Reload the current view", Std.Refresh, SP.SP_BrowserReload
    ),
    ActionId.LARGER_TEXT: ActionSpec(
        "&Larger text", "Bigger text for reading at a distance", "Ctrl+Shift+L", None, True
    ),
    ActionId.PRINT_LABELS: ActionSpec(
        "&Print labels…", "Print lot labels for the selected batch", Std.Print
    ),
    ActionId.PROVENANCE: ActionSpec(
        "Pro&venance sheet…", "The batch record as a PDF", "Ctrl+Shift+P"
    ),
    ActionId.TRACE_LOT: ActionSpec(
        "&Trace this lot", "Show the selected lot in the trace view", "Ctrl+T"
    ),
    ActionId.RECALL: ActionSpec(
        "&Recall report…", "Who received products made from a lot", "Ctrl+Shift+R"
    ),
    ActionId.FSMA_EXPORT: ActionSpec(
        "&FSMA 204 export…", "Critical tracking events as a spreadsheet", "Ctrl+Shift+E"
    ),
    ActionId.CANCEL_TASK: ActionSpec(
        "&Cancel task", "Stop the work running in the background", "Ctrl+."
    ),
    ActionId.SHORTCUTS: ActionSpec("&Keyboard shortcuts", "List every shortcut", "F1"),
    ActionId.ABOUT: ActionSpec("&About Smallbatch", "Version and licence"),
    ActionId.DESIGN_UNDO: ActionSpec(
        "&Undo", "Undo the last change to the label", Std.Undo, SP.SP_ArrowBack, scope=DESIGNER
    ),
    ActionId.DESIGN_REDO: ActionSpec(
        "&Redo",
        "Redo the change undone",
        ("Ctrl+Shift+Z", "Ctrl+Y"),
        SP.SP_ArrowForward,
        scope=DESIGNER,
    ),
    ActionId.DESIGN_DELETE: ActionSpec(
        "&Delete", "Delete the selected elements (Del)", None, SP.SP_TrashIcon, scope=DESIGNER
    ),
    ActionId.DESIGN_SNAP: ActionSpec(
        "&Snap", "Snap to a 0.5 mm grid", "Ctrl+Shift+G", checkable=True, scope=DESIGNER
    ),
    ActionId.DESIGN_SHEET: ActionSpec(
        "S&heet", "Show the sheet around the label", checkable=True, scope=DESIGNER
    ),
    ActionId.DESIGN_RENDERED: ActionSpec(
        "Rendered",
        "Show the label as it prints (else a sketch of each element)",
        checkable=True,
        scope=DESIGNER,
    ),
    ActionId.DESIGN_ZOOM_IN: ActionSpec("Zoom in", "Zoom in", ("Ctrl++", "Ctrl+="), scope=DESIGNER),
    ActionId.DESIGN_ZOOM_OUT: ActionSpec("Zoom out", "Zoom out", "Ctrl+-", scope=DESIGNER),
    ActionId.DESIGN_ZOOM_FIT: ActionSpec("Fit", "Fit the label", "Ctrl+0", scope=DESIGNER),
    ActionId.DESIGN_ZOOM_TRUE: ActionSpec("1:1", "True size", "Ctrl+Shift+0", scope=DESIGNER),
}

#: the designer's Add and Align menus: action, text, tip, shortcut
_DESIGNER_MENUS = (
    (ActionId.DESIGN_ADD_TEXT, "&Text", "Add text", "Ctrl+Alt+T"),
    (ActionId.DESIGN_ADD_INGREDIENTS, "&Ingredients", "Add the ingredients list", "Ctrl+Alt+I"),
    (ActionId.DESIGN_ADD_BARCODE, "&Barcode", "Add a barcode", "Ctrl+Alt+B"),
    (ActionId.DESIGN_ADD_IMAGE, "I&mage / logo…", "Add an image or logo", "Ctrl+Alt+G"),
    (ActionId.DESIGN_ADD_LINE, "&Line", "Add a line", "Ctrl+Alt+L"),
    (ActionId.DESIGN_ADD_BOX, "Bo&x", "Add a box", "Ctrl+Alt+X"),
    (ActionId.DESIGN_ALIGN_LEFT, "Align &left", "Align to the label's left", "Alt+Shift+L"),
    (ActionId.DESIGN_ALIGN_CENTER, "Align &centre", "Centre across the label", "Alt+Shift+C"),
    (ActionId.DESIGN_ALIGN_RIGHT, "Align &right", "Align to the label's right", "Alt+Shift+R"),
    (ActionId.DESIGN_ALIGN_TOP, "Align &top", "Align to the label's top", "Alt+Shift+T"),
    (ActionId.DESIGN_ALIGN_MIDDLE, "Align &middle", "Centre up and down", "Alt+Shift+M"),
    (ActionId.DESIGN_ALIGN_BOTTOM, "Align &bottom", "Align to the label's bottom", "Alt+Shift+B"),
)
ACTIONS.update(
    {aid: ActionSpec(text, tip, key, scope=DESIGNER) for aid, text, tip, key in _DESIGNER_MENUS}
)

MENUS: tuple[tuple[str, tuple[ActionId | None, ...]], ...] = (
    (
        "&File",
        (
            ActionId.NEW_BATCH,
            ActionId.RECEIVE_LOT,
            ActionId.NEW_RECIPE,
            ActionId.NEW_MATERIAL,
            ActionId.NEW_SUPPLIER,
            ActionId.NEW_CUSTOMER,
            None,
            ActionId.IMPORT,
            None,
            ActionId.SAVE,
            None,
            ActionId.SETTINGS,
            ActionId.OPEN_DATA_FOLDER,
            ActionId.BACKUP_NOW,
            ActionId.RESTORE,
            None,
            ActionId.QUIT,
        ),
    ),
    (
        "&View",
        (
            ActionId.VIEW_BATCHES,
            ActionId.VIEW_RECIPES,
            ActionId.VIEW_LABELS,
            ActionId.VIEW_INVENTORY,
            ActionId.VIEW_TRACE,
            ActionId.VIEW_ORDERS,
            ActionId.VIEW_CUSTOMERS,
            None,
            ActionId.FOCUS_SCAN,
            ActionId.FIND,
            ActionId.REFRESH,
            None,
            ActionId.LARGER_TEXT,
        ),
    ),
    (
        "&Batch",
        (
            ActionId.NEW_BATCH,
            None,
            ActionId.PRINT_LABELS,
            ActionId.PROVENANCE,
            ActionId.TRACE_LOT,
        ),
    ),
    (
        "&Trace",
        (ActionId.TRACE_LOT, ActionId.RECALL, ActionId.FSMA_EXPORT, None, ActionId.CANCEL_TASK),
    ),
    (
        "&Orders",
        (ActionId.NEW_ORDER, None, ActionId.MAKE_LIST, ActionId.PURCHASE_LIST),
    ),
    ("&Help", (ActionId.SHORTCUTS, ActionId.ABOUT)),
)

TOOLBAR: tuple[ActionId | None, ...] = (
    ActionId.NEW_BATCH,
    ActionId.RECEIVE_LOT,
    ActionId.NEW_RECIPE,
    None,
    ActionId.PRINT_LABELS,
    ActionId.PROVENANCE,
    None,
    ActionId.REFRESH,
)

VIEW_ACTIONS: dict[ActionId, str] = {
    ActionId.VIEW_BATCHES: "batchView",
    ActionId.VIEW_RECIPES: "recipeView",
    ActionId.VIEW_LABELS: "labelView",
    ActionId.VIEW_INVENTORY: "inventoryView",
    ActionId.VIEW_TRACE: "traceView",
    ActionId.VIEW_ORDERS: "orderView",
    ActionId.VIEW_CUSTOMERS: "customerView",
}


class ActionRegistry(QObject):
    """Owns one ``QAction`` per ``ActionId``.

    Signals:
        triggered(str): the ``ActionId`` value of an action the user triggered.
    """

    triggered = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._actions: dict[ActionId, QAction] = {}
        style = parent.style()
        for aid, spec in ACTIONS.items():
            action = QAction(spec.text, parent)
            action.setObjectName(f"action_{aid.value}")
            action.setStatusTip(spec.tip)
            if spec.shortcut is not None:
                keys = spec.shortcut if isinstance(spec.shortcut, tuple) else (spec.shortcut,)
                action.setShortcuts([QKeySequence(k) for k in keys])
                seq = action.shortcut()
                action.setToolTip(
                    f"{spec.tip} ({seq.toString(QKeySequence.SequenceFormat.NativeText)})"
                )
            else:
                action.setToolTip(spec.tip)
            if spec.scope:
                # works only in the view the action is added to (and its children)
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            if spec.icon is not None:
                action.setIcon(style.standardIcon(spec.icon))
            action.setCheckable(spec.checkable)
            action.triggered.connect(lambda _checked=False, a=aid: self.triggered.emit(a.value))
            self._actions[aid] = action

    def __getitem__(self, aid: ActionId) -> QAction:
        return self._actions[aid]

    def all(self) -> dict[ActionId, QAction]:
        return dict(self._actions)

    def shortcut_table(self) -> list[tuple[str, str, str]]:
        """(action text, shortcuts, where) for the help dialog: the window's actions
        first, then each view's own."""
        out = []
        for aid, action in self._actions.items():
            seqs = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
            if seqs:
                spec = ACTIONS[aid]
                text = spec.text.replace("&", "").rstrip("…")
                out.append((text, ", ".join(seqs), spec.scope or "Everywhere"))
        return sorted(out, key=lambda row: row[2] != "Everywhere")
