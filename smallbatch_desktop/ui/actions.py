"""Every user action in one table, keyed by an enum.

Menus, the toolbar and keyboard shortcuts are all built from ``ACTIONS``, ``MENUS`` and
``TOOLBAR``; views look actions up in the ``ActionRegistry`` (they never create their
own), so a shortcut is defined once and shows the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, Signal
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


@dataclass(frozen=True)
class ActionSpec:
    text: str
    tip: str
    shortcut: str | QKeySequence.StandardKey | None = None
    icon: QStyle.StandardPixmap | None = None
    checkable: bool = False


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
}

MENUS: tuple[tuple[str, tuple[ActionId | None, ...]], ...] = (
    (
        "&File",
        (
            ActionId.NEW_BATCH,
            ActionId.RECEIVE_LOT,
            ActionId.NEW_RECIPE,
            ActionId.NEW_MATERIAL,
            ActionId.NEW_SUPPLIER,
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
                seq = QKeySequence(spec.shortcut)
                action.setShortcut(seq)
                action.setToolTip(
                    f"{spec.tip} ({seq.toString(QKeySequence.SequenceFormat.NativeText)})"
                )
            else:
                action.setToolTip(spec.tip)
            if spec.icon is not None:
                action.setIcon(style.standardIcon(spec.icon))
            action.setCheckable(spec.checkable)
            action.triggered.connect(lambda _checked=False, a=aid: self.triggered.emit(a.value))
            self._actions[aid] = action

    def __getitem__(self, aid: ActionId) -> QAction:
        return self._actions[aid]

    def all(self) -> dict[ActionId, QAction]:
        return dict(self._actions)

    def shortcut_table(self) -> list[tuple[str, str]]:
        """(action text, shortcut) for the help dialog."""
        out = []
        for aid, action in self._actions.items():
            seq = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if seq:
                out.append((ACTIONS[aid].text.replace("&", "").rstrip("…"), seq))
        return out
