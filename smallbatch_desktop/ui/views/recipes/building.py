"""Building the recipe view: the list, the editor's head and tabs, the splitter."""

# mypy: disable-error-code="attr-defined"
# (one part of RecipeView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.models.table import Column, RowTableModel, sortable_proxy
from smallbatch_desktop.ui.text import plain
from smallbatch_desktop.ui.theme import scaled_font
from smallbatch_desktop.ui.views.recipes.state import RecipeState
from smallbatch_desktop.ui.widgets.fields import FieldError, FormErrors
from smallbatch_desktop.ui.widgets.flow import flow_row
from smallbatch_desktop.ui.widgets.splitter import fit_splitter


class BuildMixin(RecipeState):
    """The recipe list on the left, the version editor on the right, and the splitter
    between them sized so the list shows whole names."""

    def _build(self) -> None:
        outer = QHBoxLayout(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.splitter)
        self.splitter.addWidget(self._build_list())
        self.editor = self._build_editor()
        self.splitter.addWidget(self.editor)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        # sized to the names until the user drags the handle; larger text re-fits it
        self._splitter_fit = fit_splitter(self.splitter, self._fit_list)

    def _connect(self) -> None:
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.list.selectionModel().selectionChanged.connect(self._recipe_selected)
        self.version_combo.currentIndexChanged.connect(self._version_selected)

    def _build_list(self) -> QWidget:
        ctx = self._ctx
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("recipeSearch")
        self.search.setPlaceholderText("Search recipes…")
        self.search.setClearButtonEnabled(True)
        lv.addWidget(self.search)
        self.model: RowTableModel[rsvc.RecipeSummary] = RowTableModel(
            [
                Column("Recipe", lambda r: r.name, tip=lambda r: f"{r.name} ({r.code})"),
                Column("Code", lambda r: r.code),
                Column(
                    "Latest",
                    lambda r: (
                        f"v{r.latest_version}" + (" draft" if r.latest_status == "draft" else "")
                    ),
                ),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.proxy = sortable_proxy(self.model, self)
        self.list = QTableView()
        self.list.setObjectName("recipeList")
        self.list.setModel(self.proxy)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.verticalHeader().hide()
        self.list.setSortingEnabled(True)
        self.list.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.list.setWordWrap(False)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setAlternatingRowColors(True)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.list.setAccessibleName("Recipes")
        lv.addWidget(self.list, 1)
        new = QPushButton(ctx.actions[ActionId.NEW_RECIPE].text().replace("&", ""))
        new.setObjectName("newRecipeButton")
        new.clicked.connect(ctx.actions[ActionId.NEW_RECIPE].trigger)
        lv.addWidget(new)
        return left

    def _build_editor(self) -> QWidget:
        ctx = self._ctx
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 0, 0, 0)
        self.title = plain(QLabel("Select a recipe, or create one."))
        self.title.setObjectName("recipeTitle")
        self.title.setProperty("role", "heading")
        scaled_font(self.title, 1.3)  # a size above the view's text, at either size
        rv.addWidget(self.title)
        head = QWidget()
        hh = QHBoxLayout(head)
        hh.setContentsMargins(0, 0, 0, 0)
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("versionCombo")
        self.version_combo.setAccessibleName("Version")
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        vlabel = QLabel("&Version")
        vlabel.setBuddy(self.version_combo)
        hh.addWidget(vlabel)
        hh.addWidget(self.version_combo)
        self.status = QLabel()
        self.status.setObjectName("versionStatus")
        hh.addWidget(self.status)
        self.save_button = self._button("&Save draft", "saveVersionButton", self.save)
        self.publish_button = self._button("&Publish", "publishButton", self.publish)
        self.new_version_button = self._button("New &version", "newVersionButton", self.new_version)
        self.scale_button = self._button("S&cale…", "scaleButton", self.scale)
        self.plan_button = QPushButton("Plan &batch…")
        self.plan_button.setObjectName("planBatchButton")
        self.plan_button.clicked.connect(ctx.actions[ActionId.NEW_BATCH].trigger)
        # wraps onto a second line at the larger text size instead of squeezing the list
        bar = flow_row(
            head,
            self.save_button,
            self.publish_button,
            self.new_version_button,
            self.scale_button,
            self.plan_button,
        )
        bar.setObjectName("versionBar")
        rv.addWidget(bar)
        self.frozen_hint = QLabel(
            "This version is published and frozen. Use “New version” to change the recipe; "
            "batches keep pointing at the exact version they were made from."
        )
        self.frozen_hint.setObjectName("frozenHint")
        self.frozen_hint.setWordWrap(True)
        rv.addWidget(self.frozen_hint)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("versionTabs")
        rv.addWidget(self.tabs, 1)
        self.form_error = FieldError(self, name="recipeError")
        self.form_error.setProperty("role", "formError")
        rv.addWidget(self.form_error)
        self.errors = FormErrors(self.form_error)
        self._build_lines_tab()
        self._build_steps_tab()
        self._build_qc_tab()
        self._build_label_tab()
        self._build_history_tab()
        return right

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "lines"):
            # once the table has the new font too (the view hears first)
            QTimer.singleShot(0, self, self._size_line_columns)

    #: the list never takes more than this share of the view
    LIST_SHARE = 0.38
    #: the code column steps aside when the names would not fit whole beside it (larger
    #: text at 1280 px): the name's tooltip and the editor's heading give the code
    CODE_COLUMN = 1

    def list_width(self) -> int:
        """Room for the longest recipe name plus the columns shown beside it, without
        eliding."""
        fm = self.list.fontMetrics()
        rows = self.model.rows()
        name = max((fm.horizontalAdvance(r.name) for r in rows), default=0)
        name = max(name, fm.horizontalAdvance("0") * 16)
        rest = 0
        for col in (1, 2):
            if not self.list.isColumnHidden(col):
                self.list.resizeColumnToContents(col)
                rest += self.list.columnWidth(col)
        scroll = self.list.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return name + 14 + rest + self.list.frameWidth() * 2 + scroll

    def _fit_list(self, total: int) -> int:
        """The list's share of the splitter: whole names (the code column steps aside
        first), at most ``LIST_SHARE`` of the view."""
        cap = int(total * self.LIST_SHARE)
        self.list.setColumnHidden(self.CODE_COLUMN, False)
        if self.list_width() > cap:
            self.list.setColumnHidden(self.CODE_COLUMN, True)
        return min(self.list_width(), cap)
