"""The main window: navigation between the five views, menus, toolbar with the scan box,
status bar with background-task progress, and remembered geometry and last view.

Views are built on first use (the Batches view, shown at start, is the only one built
before the first paint), so start-up stays fast on a large database.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop import APP_NAME, __version__
from smallbatch_desktop.domain.errors import NotFoundError, UserError
from smallbatch_desktop.ui.actions import MENUS, TOOLBAR, VIEW_ACTIONS, ActionId, ActionRegistry
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.errors import ErrorReporter
from smallbatch_desktop.ui.ops import Change, Changed
from smallbatch_desktop.ui.tasks import Pool, TaskHandle, TaskRunner
from smallbatch_desktop.ui.widgets.scan_box import ScanBox, ScanData

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from smallbatch_desktop.ui.models.batches import ReaderFactory

log = logging.getLogger(__name__)

#: (objectName, nav text, icon)
VIEWS: tuple[tuple[str, str, QStyle.StandardPixmap], ...] = (
    ("batchView", "Batches", QStyle.StandardPixmap.SP_FileDialogDetailedView),
    ("recipeView", "Recipes", QStyle.StandardPixmap.SP_FileDialogContentsView),
    ("labelView", "Labels", QStyle.StandardPixmap.SP_FileIcon),
    ("inventoryView", "Inventory", QStyle.StandardPixmap.SP_DriveHDIcon),
    ("traceView", "Trace", QStyle.StandardPixmap.SP_FileDialogListView),
    ("orderView", "Orders", QStyle.StandardPixmap.SP_FileDialogInfoView),
    ("customerView", "Customers", QStyle.StandardPixmap.SP_DirHomeIcon),
)


def _login_name() -> str:
    """``services.common.current_user`` without importing the services (and SQLAlchemy)
    before the first paint."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name on some kiosks
        return "operator"


class MainWindow(QMainWindow):
    """Signals:
    viewChanged(str): the objectName of the view now shown.
    ready(): the work deferred past the first paint is done (database engine and ORM
        loaded, batch detail built); emitted once.

    Start-up order: the window paints the batch list first (read with a stdlib sqlite3
    connection when the app could open one), then ``_after_first_paint`` runs from a
    zero timer and loads what the first paint did not need.
    """

    viewChanged = Signal(str)
    ready = Signal()

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: QSettings,
        *,
        db_label: str = "",
        pool: Pool | None = None,
        errors: ErrorReporter | None = None,
        actor: str = "",
        batch_reads: ReaderFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setWindowTitle(APP_NAME)
        self._sf = session_factory
        self._settings = settings
        self.actions_ = ActionRegistry(self)
        self.tasks = TaskRunner(session_factory, pool, self)
        self.errors = errors or ErrorReporter(self)
        self.errors.set_parent_widget(self)
        self.tasks.default_error_handler = self.errors.report
        if not actor:
            actor = _login_name()
        self.ctx = UiContext(
            session_factory,
            self.actions_,
            self.tasks,
            self.errors,
            settings,
            actor,
            batch_reads=batch_reads,
        )
        self.load_unit_system()
        self.ctx.bus.changed.connect(self._data_changed)
        self._first_paint_seen = False
        self.is_ready = False
        self._views: dict[str, QWidget] = {}
        self._current = ""

        self._build_menus()
        self._build_toolbar()
        self._build_central()
        self._build_status_bar(db_label)
        from smallbatch_desktop.ui.backup import BackupActions

        self.backup_actions = BackupActions(self)
        self._connect_actions()
        self.tasks.started.connect(self._task_started)
        self.tasks.idle.connect(self._tasks_idle)
        self.resize(1280, 800)

    def load_unit_system(self) -> bool:
        """Read Settings -> Units shown and Currency; True when the units changed."""
        from smallbatch_desktop.services.fast_reads import read_setting
        from smallbatch_desktop.ui.models.batches import session_reads

        reads = self.ctx.batch_reads or session_reads(self._sf)
        with reads() as read:
            system = str(read_setting(read, "unit_system", "metric") or "metric")
            currency = str(read_setting(read, "currency", "USD") or "USD")
        changed = system != self.ctx.units.system
        self.ctx.units.system = system
        self.ctx.currency = currency
        return changed

    # -- building --------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for title, ids in MENUS:
            menu = bar.addMenu(title)
            menu.setObjectName(f"menu_{title.replace('&', '').lower()}")
            for aid in ids:
                if aid is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.actions_[aid])

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        # text only: the platform's stock icons fit only some actions, and a row where
        # half the buttons have a (mismatched) icon reads worse than plain words
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for aid in TOOLBAR:
            if aid is None:
                tb.addSeparator()
            else:
                tb.addAction(self.actions_[aid])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        tb.addWidget(QLabel("Scan "))
        self.scan_box = ScanBox()
        tb.addWidget(self.scan_box)
        self.scan_box.scanned.connect(self.handle_scan)

    def _build_central(self) -> None:
        central = QWidget()
        h = QHBoxLayout(central)
        h.setContentsMargins(4, 4, 4, 4)
        self.nav = QListWidget()
        self.nav.setObjectName("navList")
        self.nav.setAccessibleName("Views")
        style = self.style()
        for name, text, icon in VIEWS:
            aid = next(a for a, n in VIEW_ACTIONS.items() if n == name)
            shortcut = (
                self.actions_[aid].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            )
            item = QListWidgetItem(style.standardIcon(icon), text)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{text} ({shortcut})")
            self.nav.addItem(item)
        self._size_nav()
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setSpacing(2)
        self.nav.currentRowChanged.connect(
            lambda row: self.show_view(VIEWS[row][0]) if row >= 0 else None
        )
        self.stack = QStackedWidget()
        self.stack.setObjectName("viewStack")
        h.addWidget(self.nav)
        h.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _size_nav(self) -> None:
        """The view list as wide as its longest name in the current font."""
        fm = self.nav.fontMetrics()
        longest = max(fm.horizontalAdvance(text) for _n, text, _i in VIEWS)
        self.nav.setFixedWidth(longest + 64)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "nav"):
            self._size_nav()  # Larger text applies at once, the view list too

    def _build_status_bar(self, db_label: str) -> None:
        sb = self.statusBar()
        sb.setObjectName("statusBar")
        self.task_label = QLabel()
        self.task_label.setObjectName("taskLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("taskProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.cancel_button = QToolButton()
        self.cancel_button.setObjectName("cancelTaskButton")
        self.cancel_button.setDefaultAction(self.actions_[ActionId.CANCEL_TASK])
        self.cancel_button.setText("Cancel")
        for w in (self.task_label, self.progress, self.cancel_button):
            sb.addPermanentWidget(w)
            w.hide()
        self.actions_[ActionId.CANCEL_TASK].setEnabled(False)
        self.db_label = QLabel(db_label)
        self.db_label.setObjectName("dbLabel")
        self.db_label.setToolTip("The database this window works on")
        sb.addPermanentWidget(self.db_label)

    def _connect_actions(self) -> None:
        handlers: dict[ActionId, Callable[[], Any]] = {
            ActionId.NEW_BATCH: self.new_batch,
            ActionId.RECEIVE_LOT: self.receive_lot,
            ActionId.NEW_MATERIAL: self.new_material,
            ActionId.NEW_SUPPLIER: self.new_supplier,
            ActionId.NEW_CUSTOMER: self.new_customer,
            ActionId.NEW_RECIPE: self.new_recipe,
            ActionId.IMPORT: self.import_data,
            ActionId.SAVE: self.save_current,
            ActionId.SETTINGS: self.open_settings,
            ActionId.OPEN_DATA_FOLDER: self.open_data_folder,
            ActionId.BACKUP_NOW: self.backup_actions.back_up_now,
            ActionId.RESTORE: self.backup_actions.restore,
            ActionId.QUIT: self.close,
            ActionId.FOCUS_SCAN: self.focus_scan,
            ActionId.FIND: self.focus_search,
            ActionId.REFRESH: self.refresh_current,
            ActionId.LARGER_TEXT: self.toggle_larger_text,
            ActionId.PRINT_LABELS: self.print_labels,
            ActionId.PROVENANCE: self.provenance,
            ActionId.TRACE_LOT: self.trace_selected,
            ActionId.RECALL: self.recall,
            ActionId.FSMA_EXPORT: self.fsma_export,
            ActionId.NEW_ORDER: lambda: self._orders().new_order(),
            ActionId.MAKE_LIST: lambda: self._orders().open_make_list(),
            ActionId.PURCHASE_LIST: lambda: self._orders().open_purchase_list(),
            ActionId.CANCEL_TASK: self.tasks.cancel_all,
            ActionId.SHORTCUTS: self.show_shortcuts,
            ActionId.ABOUT: self.about,
        }
        for aid, name in VIEW_ACTIONS.items():
            handlers[aid] = self._show_view_handler(name)
        self._handlers = handlers
        self.actions_.triggered.connect(self._dispatch)
        from smallbatch_desktop.ui.theme import LARGER_TEXT_KEY

        self.actions_[ActionId.LARGER_TEXT].setChecked(
            bool(self._settings.value(LARGER_TEXT_KEY, False, type=bool))
        )

    def _show_view_handler(self, name: str) -> Callable[[], Any]:
        return lambda: self.show_view(name)

    def _dispatch(self, action: str) -> None:
        handler = self._handlers.get(ActionId(action))
        if handler is None:
            return
        try:
            handler()
        except UserError as exc:
            self.errors.report(exc)
        except Exception as exc:  # a bug: logged and shown, the app keeps running
            self.errors.report(exc, context=f"action {action}")

    # -- views -----------------------------------------------------------------------

    def view(self, name: str) -> QWidget:
        """The view with this objectName, built on first use."""
        if name not in self._views:
            widget = self._make_view(name)
            self._views[name] = widget
            self.stack.addWidget(widget)
            restore = getattr(widget, "restore_state", None)
            if callable(restore):
                restore()
        return self._views[name]

    def _make_view(self, name: str) -> QWidget:
        if name == "batchView":
            from smallbatch_desktop.ui.views.batches import BatchView

            v = BatchView(self.ctx)
            v.currentBatchChanged.connect(self._batch_selected)
            v.traceRequested.connect(self.trace_lot)
            return v
        if name == "recipeView":
            from smallbatch_desktop.ui.views.recipes import RecipeView

            return RecipeView(self.ctx)
        if name == "inventoryView":
            from smallbatch_desktop.ui.views.inventory import InventoryView

            return InventoryView(self.ctx)
        if name == "traceView":
            from smallbatch_desktop.ui.views.trace import TraceView

            return TraceView(self.ctx)
        if name == "orderView":
            from smallbatch_desktop.ui.views.orders import OrderView

            return OrderView(self.ctx)
        if name == "customerView":
            from smallbatch_desktop.ui.views.customers import CustomersView

            return CustomersView(self.ctx)
        if name == "labelView":
            from smallbatch_desktop.ui.views.labels import LabelView

            return LabelView(self.ctx)
        raise KeyError(name)

    def show_view(self, name: str) -> QWidget:
        widget = self.view(name)
        self.stack.setCurrentWidget(widget)
        row = next(i for i, v in enumerate(VIEWS) if v[0] == name)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        for aid, vname in VIEW_ACTIONS.items():
            self.actions_[aid].setCheckable(True)
            self.actions_[aid].setChecked(vname == name)
        if name != self._current:
            self._current = name
            self._update_batch_actions()
            self.viewChanged.emit(name)
        return widget

    def current_view_name(self) -> str:
        return self._current

    def _orders(self) -> Any:
        return self.show_view("orderView")

    # -- batch context ---------------------------------------------------------------

    def selected_batch_id(self) -> int | None:
        view = self._views.get("batchView")
        if view is None:
            return None
        return view.current_batch_id()  # type: ignore[attr-defined]

    def _batch_selected(self, _batch_id: object) -> None:
        self._update_batch_actions()

    def _update_batch_actions(self) -> None:
        has = self.selected_batch_id() is not None
        for aid in (ActionId.PRINT_LABELS, ActionId.PROVENANCE):
            self.actions_[aid].setEnabled(has)

    # -- scan ------------------------------------------------------------------------

    def handle_scan(self, data: ScanData) -> None:
        """Open the lot or batch a scan names; an unknown supplier barcode offers to receive it."""
        from smallbatch_desktop.services.trace import find_lot

        code = data.lot or data.raw.strip()
        try:
            with self._sf() as s:
                ref = find_lot(s, code)
        except NotFoundError as exc:
            QApplication.beep()
            if data.is_gs1:
                self.statusBar().showMessage(
                    f"Supplier lot {data.lot or '(none)'} is not in stock yet: receive it", 8000
                )
                self.receive_lot(prefill=data)
            else:
                self.statusBar().showMessage(exc.message, 8000)
            return
        self.open_lot(ref.kind, ref.id, ref.lot_code)

    def open_lot(self, kind: str, id_: int, lot_code: str) -> None:
        if kind == "batch":
            view = self.show_view("batchView")
            view.open_lot(lot_code, id_)  # type: ignore[attr-defined]
            self.statusBar().showMessage(f"Batch {lot_code}", 5000)
        else:
            view = self.show_view("inventoryView")
            view.open_lot(id_)  # type: ignore[attr-defined]
            self.statusBar().showMessage(f"Material lot {lot_code}", 5000)

    def focus_scan(self) -> None:
        self.scan_box.setFocus()
        self.scan_box.selectAll()

    def focus_search(self) -> None:
        view = self._views.get(self._current)
        search = view.findChild(QWidget, self._search_name()) if view else None
        if search is not None:
            search.setFocus()

    def _search_name(self) -> str:
        return {
            "batchView": "batchSearch",
            "recipeView": "recipeSearch",
            "inventoryView": "inventorySearch",
            "traceView": "traceInput",
            "orderView": "orderSearch",
            "customerView": "customerSearch",
        }.get(self._current, "")

    # -- actions ---------------------------------------------------------------------

    def _open_dialog(
        self, dialog: QDialog, on_accept: Callable[[Any], None] | None = None
    ) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_accept is not None:
            dialog.accepted.connect(lambda d=dialog: on_accept(getattr(d, "result_value", None)))
        dialog.open()
        return dialog

    def new_batch(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.new_batch import NewBatchDialog

        version_id = None
        rv = self._views.get("recipeView")
        if self._current == "recipeView" and rv is not None:
            version_id = rv.published_version_id()  # type: ignore[attr-defined]
        dialog = NewBatchDialog(self.ctx, self, version_id=version_id)

        def done(batch_id: Any) -> None:
            view = self.show_view("batchView")
            if batch_id is not None:
                view.select_batch(int(batch_id))  # type: ignore[attr-defined]
                self.statusBar().showMessage("Batch planned", 5000)

        return self._open_dialog(dialog, done)

    def receive_lot(self, prefill: ScanData | None = None) -> QDialog:
        from smallbatch_desktop.ui.dialogs.receive_lot import ReceiveLotDialog

        dialog = ReceiveLotDialog(self.ctx, self, scan=prefill)

        def done(lot_id: Any) -> None:
            view = self.show_view("inventoryView")
            if lot_id is not None:
                view.open_lot(int(lot_id))  # type: ignore[attr-defined]
            self.statusBar().showMessage("Lot received", 5000)

        return self._open_dialog(dialog, done)

    def new_material(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.material import MaterialDialog

        return self._open_dialog(MaterialDialog(self.ctx, self))

    def new_supplier(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.material import SupplierDialog

        return self._open_dialog(SupplierDialog(self.ctx, self))

    def new_customer(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.customer import CustomerDialog

        dialog = CustomerDialog(self.ctx, self)

        def done(customer_id: Any) -> None:
            view = self.show_view("customerView")
            if customer_id is not None:
                view.open_customer(int(customer_id))  # type: ignore[attr-defined]

        return self._open_dialog(dialog, done)

    def new_recipe(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.recipe import NewRecipeDialog

        dialog = NewRecipeDialog(self.ctx, self)

        def done(version_id: Any) -> None:
            view = self.show_view("recipeView")
            if version_id is not None:
                view.open_version(int(version_id))  # type: ignore[attr-defined]

        return self._open_dialog(dialog, done)

    def save_current(self) -> None:
        view = self._views.get(self._current)
        save = getattr(view, "save", None)
        if callable(save):
            save()

    def open_settings(self) -> QDialog:
        from smallbatch_desktop.ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        return self._open_dialog(
            dialog, lambda _v: self.statusBar().showMessage("Settings saved", 4000)
        )

    def _data_changed(self, event: Changed) -> None:
        """Connected before any view: what the views read from the context (units,
        currency, text size) is up to date before they reload."""
        if event.touches(Change.SETTINGS):
            self.apply_text_size(bool(self._settings.value("ui/larger_text", False, type=bool)))
            self.load_unit_system()

    def open_data_folder(self) -> None:
        from smallbatch_desktop.paths import data_dir

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir())))

    def refresh_current(self) -> None:
        self._refresh_view(self._current)

    def _refresh_view(self, name: str) -> None:
        view = self._views.get(name)
        refresh = getattr(view, "refresh", None)
        if callable(refresh):
            refresh()

    def toggle_larger_text(self) -> None:
        larger = self.actions_[ActionId.LARGER_TEXT].isChecked()
        self._settings.setValue("ui/larger_text", larger)
        self.apply_text_size(larger)

    def apply_text_size(self, larger: bool) -> None:
        from smallbatch_desktop.ui.theme import apply_font

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_font(app, larger=larger)
        self.actions_[ActionId.LARGER_TEXT].setChecked(larger)

    def _batch_for_action(self) -> int | None:
        bid = self.selected_batch_id()
        if bid is None:
            self.statusBar().showMessage("Select a batch first (Batches view)", 5000)
        return bid

    def _module_dialog(self, module: str, cls: str, *args: Any, **kwargs: Any) -> QDialog:
        """Open one of the report and printing dialogs, imported on first use (they pull
        in ReportLab and QtPdf, which the start-up never needs)."""
        mod = importlib.import_module(module)
        dialog = getattr(mod, cls)(self.ctx, *args, parent=self, **kwargs)
        return self._open_dialog(dialog)

    def print_labels(self) -> QDialog | None:
        bid = self._batch_for_action()
        if bid is None:
            return None
        return self._module_dialog(
            "smallbatch_desktop.ui.dialogs.print_labels", "PrintLabelsDialog", bid
        )

    def provenance(self) -> QDialog | None:
        bid = self._batch_for_action()
        if bid is None:
            return None
        return self._module_dialog(
            "smallbatch_desktop.ui.dialogs.provenance", "ProvenanceDialog", bid
        )

    def recall(self, lot_code: str = "") -> QDialog | None:
        if not lot_code and "traceView" in self._views:
            lot_code = self._views["traceView"].current_lot_code()  # type: ignore[attr-defined]
        return self._module_dialog(
            "smallbatch_desktop.ui.dialogs.recall",
            "RecallDialog",
            lot_code=lot_code,
        )

    def import_data(self, path: str | None = None) -> QDialog:
        """File > Import…: the import dialog on the window's task runner (progress and
        Cancel in the status bar); the views showing what was imported reload."""
        return self._module_dialog(
            "smallbatch_desktop.ui.dialogs.import_data", "ImportDialog", path=path
        )

    def fsma_export(self) -> QDialog | None:
        return self._module_dialog("smallbatch_desktop.ui.dialogs.fsma", "FsmaExportDialog")

    def trace_selected(self) -> None:
        code = ""
        if self._current == "batchView":
            view = self._views["batchView"]
            detail = view.detail.detail  # type: ignore[attr-defined]
            code = detail.lot_code if detail is not None else ""
        elif self._current == "inventoryView":
            code = self._views["inventoryView"].selected_lot_code()  # type: ignore[attr-defined]
        self.trace_lot(code)

    def trace_lot(self, lot_code: str) -> None:
        view = self.show_view("traceView")
        if lot_code:
            view.trace(lot_code)  # type: ignore[attr-defined]
        else:
            view.focus_input()  # type: ignore[attr-defined]

    def show_shortcuts(self) -> QDialog:
        dialog = QDialog(self)
        dialog.setObjectName("shortcutsDialog")
        dialog.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(dialog)
        rows = self.actions_.shortcut_table()
        table = QTableWidget(len(rows), 3)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(["Action", "Shortcut", "Where"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, row in enumerate(rows):
            for col, text in enumerate(row):
                table.setItem(i, col, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        fm = table.fontMetrics()
        dialog.resize(
            sum(table.columnWidth(c) for c in range(3)) + fm.averageCharWidth() * 6,
            min(fm.lineSpacing() * 34, 900),
        )
        return self._open_dialog(dialog)

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Recipes, lots, batches, labels and "
            "provenance for small-batch makers. Works offline; your data stays on this computer.",
        )

    # -- tasks -----------------------------------------------------------------------

    def _task_started(self, handle: TaskHandle) -> None:
        self.task_label.setText(handle.title)
        self.progress.setRange(0, 0)
        for w in (self.task_label, self.progress, self.cancel_button):
            w.show()
        self.actions_[ActionId.CANCEL_TASK].setEnabled(True)
        handle.progress.connect(self._task_progress)

    def _task_progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        if text:
            self.task_label.setText(text)

    def _tasks_idle(self) -> None:
        for w in (self.task_label, self.progress, self.cancel_button):
            w.hide()
        self.actions_[ActionId.CANCEL_TASK].setEnabled(False)

    # -- state -----------------------------------------------------------------------

    def restore_state(self) -> None:
        """Geometry, toolbar/dock state and the last view, from QSettings."""
        geometry = self._settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self._settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        last = str(self._settings.value("window/view", "batchView"))
        if last not in {v[0] for v in VIEWS}:
            last = "batchView"
        self.show_view(last)

    def save_state(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState())
        self._settings.setValue("window/view", self._current or "batchView")
        for view in self._views.values():
            save = getattr(view, "save_state", None)
            if callable(save):
                save()
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        for view in self._views.values():
            ask = getattr(view, "confirm_discard", None)
            if callable(ask) and not ask():
                event.ignore()
                return
        self.save_state()
        self.tasks.cancel_all()
        self.tasks.wait(3000)
        super().closeEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._current:
            QTimer.singleShot(0, lambda: self.show_view("batchView") if not self._current else None)
        if not self.is_ready:  # in case the platform never sends this window a paint
            QTimer.singleShot(2000, self._after_first_paint)

    def event(self, event: QEvent) -> bool:
        result = super().event(event)
        if event.type() == QEvent.Type.Paint and not self._first_paint_seen:
            # the whole window (batch list included) paints in this pass; what it did not
            # need runs once the event loop is back
            self._first_paint_seen = True
            QTimer.singleShot(0, self._after_first_paint)
        return result

    def _after_first_paint(self) -> None:
        if self.is_ready:
            return
        try:
            warm = getattr(self._sf, "warm", None)
            if callable(warm):
                warm()  # engine + ORM import, off the first paint's critical path
            view = self._views.get("batchView")
            if view is not None:
                view.detail  # type: ignore[attr-defined]  # builds the panel  # noqa: B018
        except Exception as exc:  # shown, logged; the app keeps running
            self.errors.report(exc, context="start-up")
        self.is_ready = True
        self.ready.emit()
