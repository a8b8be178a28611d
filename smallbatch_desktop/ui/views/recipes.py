"""The Recipes view: a searchable recipe list and a version editor.

A draft version is edited in place (lines with a completing material picker, yield,
steps, QC spec, shelf life, label facts) and saved with ``update_draft``; Publish saves
and freezes it in one unit of work; New version copies a published version into the
next draft.  History lists every version and compares any two side by side.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QIntValidator, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.allergens import ALL_ALLERGENS
from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.units import UNIT_CODES
from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.services.ui_queries import (
    InputChoice,
    VersionDetail,
    input_choices,
    version_detail,
)
from smallbatch_desktop.ui.actions import ActionId
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.models.table import Column, Role, RowTableModel, sortable_proxy
from smallbatch_desktop.ui.ops import Change, Changed, watch
from smallbatch_desktop.ui.text import plain
from smallbatch_desktop.ui.theme import set_invalid
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError, FormErrors
from smallbatch_desktop.ui.widgets.flow import flow_row

QC_KIND_LABELS = {"numeric": "Number", "passfail": "Pass / fail", "text": "Text"}


class RecipeView(QWidget):
    """Signals:
    versionChanged(object): the version id now shown (None when nothing is).
    """

    versionChanged = Signal(object)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recipeView")
        self._ctx = ctx
        self._sf = ctx.session_factory
        self._detail: VersionDetail | None = None
        self._choices: dict[str, InputChoice] = {}
        self._dirty = False
        self._loading = False
        outer = QHBoxLayout(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.splitter)

        # left: list -------------------------------------------------------------------
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
        self.splitter.addWidget(left)

        # right: editor ----------------------------------------------------------------
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 0, 0, 0)
        self.title = plain(QLabel("Select a recipe, or create one."))
        self.title.setObjectName("recipeTitle")
        self.title.setProperty("role", "heading")
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        self.title.setFont(f)
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
        self.editor = right
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self._user_splitter = False
        self.splitter.splitterMoved.connect(lambda *_a: setattr(self, "_user_splitter", True))

        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.list.selectionModel().selectionChanged.connect(self._recipe_selected)
        self.version_combo.currentIndexChanged.connect(self._version_selected)
        self.refresh()
        self._show(None)
        watch(self, ctx, Change.RECIPES | Change.MATERIALS | Change.SETTINGS, self._data_changed)

    def _button(
        self, text: str, name: str, slot: Any, bar: QHBoxLayout | None = None
    ) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.clicked.connect(slot)
        if bar is not None:
            bar.addWidget(b)
        return b

    def list_width(self) -> int:
        """Room for the longest recipe name plus its code and version, without eliding."""
        fm = self.list.fontMetrics()
        rows = self.model.rows()
        name = max((fm.horizontalAdvance(r.name) for r in rows), default=0)
        name = max(name, fm.horizontalAdvance("0") * 16)
        self.list.resizeColumnToContents(1)
        self.list.resizeColumnToContents(2)
        rest = self.list.columnWidth(1) + self.list.columnWidth(2)
        scroll = self.list.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return name + 14 + rest + self.list.frameWidth() * 2 + scroll

    def _fit_splitter(self) -> None:
        total = self.splitter.width()
        if total <= 0:
            return
        left = min(self.list_width(), int(total * 0.36))
        self.splitter.setSizes([left, max(1, total - left - self.splitter.handleWidth())])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._user_splitter:
            QTimer.singleShot(0, self._fit_splitter)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_splitter and self.isVisible():
            self._fit_splitter()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "list"):
            self._user_splitter = False
            if self.isVisible():
                self._fit_splitter()

    # -- tabs ------------------------------------------------------------------------

    def _build_lines_tab(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        form = QFormLayout()
        yrow = QHBoxLayout()
        self.yield_qty = DecimalEdit(field="yield", required=True)
        self.yield_qty.setObjectName("yieldQuantity")
        self.yield_unit = QComboBox()
        self.yield_unit.setObjectName("yieldUnit")
        self.yield_unit.addItems(list(UNIT_CODES))
        yrow.addWidget(self.yield_qty, 1)
        yrow.addWidget(self.yield_unit)
        yw = QWidget()
        yw.setLayout(yrow)
        yrow.setContentsMargins(0, 0, 0, 0)
        form.addRow("Batch &yield", yw)
        yerr = FieldError(w, name="yieldError", reserve=True)
        form.addRow("", yerr)
        self.errors.add(("yield",), self.yield_qty, yerr)
        self.errors.add(("yield unit",), self.yield_unit, yerr)
        self.shelf_life = QLineEdit()
        self.shelf_life.setObjectName("shelfLife")
        self.shelf_life.setValidator(QIntValidator(1, 10950, self))
        self.shelf_life.setPlaceholderText("days")
        form.addRow("S&helf life (days)", self.shelf_life)
        serr = FieldError(w, name="shelfLifeError", reserve=True)
        form.addRow("", serr)
        self.errors.add(("shelf life",), self.shelf_life, serr)
        v.addLayout(form)
        self.lines = QTableWidget(0, 4)
        self.lines.setObjectName("linesTable")
        self.lines.setHorizontalHeaderLabels(
            ["Material or intermediate", "Quantity", "Unit", "Note"]
        )
        self.lines.verticalHeader().hide()
        hdr = self.lines.horizontalHeader()
        hdr.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        hdr.setStretchLastSection(False)
        digit = self.lines.fontMetrics().horizontalAdvance("0")
        self.lines.setColumnWidth(1, digit * 9 + 16)
        self.lines.setColumnWidth(2, digit * 6 + 36)
        self.lines.setColumnWidth(3, digit * 14 + 16)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.addWidget(self.lines, 1)
        row = QHBoxLayout()
        self.add_line_button = self._button(
            "&Add line", "addLineButton", lambda: self.add_line(), row
        )
        self.remove_line_button = self._button(
            "&Remove line", "removeLineButton", self.remove_line, row
        )
        row.addStretch(1)
        v.addLayout(row)
        lerr = FieldError(w, name="linesError")
        v.addWidget(lerr)
        self.errors.add(("line", "lines"), None, lerr)
        self.lines_error = lerr
        self.allergens = plain(QLabel())
        self.allergens.setObjectName("allergensLabel")
        self.allergens.setWordWrap(True)
        v.addWidget(self.allergens)
        self.tabs.addTab(w, "&Ingredients")
        self.yield_qty.textChanged.connect(self._touched)
        self.yield_unit.currentIndexChanged.connect(self._touched)
        self.shelf_life.textChanged.connect(self._touched)
        self._completer_model = QStringListModel(self)

    def _build_steps_tab(self) -> None:
        self.steps = QPlainTextEdit()
        self.steps.setObjectName("stepsEdit")
        self.steps.setPlaceholderText("One step per line")
        self.steps.setTabChangesFocus(True)
        self.steps.textChanged.connect(self._touched)
        self.tabs.addTab(self.steps, "S&teps")

    def _build_qc_tab(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        self.qc = QTableWidget(0, 6)
        self.qc.setObjectName("qcSpecTable")
        self.qc.setHorizontalHeaderLabels(["Check", "Kind", "Min", "Max", "Unit", "Required"])
        self.qc.verticalHeader().hide()
        self.qc.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        v.addWidget(self.qc, 1)
        row = QHBoxLayout()
        self.add_qc_button = self._button("Add &check", "addQcButton", lambda: self.add_qc(), row)
        self.remove_qc_button = self._button("Remove c&heck", "removeQcButton", self.remove_qc, row)
        row.addStretch(1)
        v.addLayout(row)
        err = FieldError(w, name="qcSpecError")
        v.addWidget(err)
        self.errors.add(("qc item",), None, err)
        self.tabs.addTab(w, "&QC spec")

    def _build_label_tab(self) -> None:
        w = QWidget()
        form = QFormLayout(w)
        self.fact_name = QLineEdit()
        self.fact_name.setObjectName("factProductName")
        self.fact_net = QLineEdit()
        self.fact_net.setObjectName("factNetQuantity")
        self.fact_net.setPlaceholderText("e.g. 150 ml")
        self.fact_storage = QLineEdit()
        self.fact_storage.setObjectName("factStorage")
        self.fact_storage.setPlaceholderText("e.g. Refrigerate after opening")
        self.fact_date = QComboBox()
        self.fact_date.setObjectName("factDateKind")
        self.fact_date.addItem("Best before", "best_before")
        self.fact_date.addItem("Use by", "use_by")
        self.label_allergens = QLabel()
        self.label_allergens.setObjectName("labelAllergens")
        self.label_allergens.setWordWrap(True)
        form.addRow("Product &name on label", self.fact_name)
        form.addRow("&Net quantity", self.fact_net)
        form.addRow("&Storage", self.fact_storage)
        form.addRow("&Date shown", self.fact_date)
        form.addRow("Allergens (from lines)", self.label_allergens)
        for e in (self.fact_name, self.fact_net, self.fact_storage):
            e.textChanged.connect(self._touched)
        self.fact_date.currentIndexChanged.connect(self._touched)
        self.tabs.addTab(w, "&Label facts")

    def _build_history_tab(self) -> None:
        w = QWidget()
        v = QVBoxLayout(w)
        self.history_model: RowTableModel[rsvc.VersionSummary] = RowTableModel(
            [
                Column("Version", lambda r: f"v{r.version}"),
                Column("Status", lambda r: r.status),
                Column("Yield", lambda r: f"{r.yield_quantity.normalize():f} {r.yield_unit}"),
                Column("Lines", lambda r: r.line_count, numeric=True),
                Column("Created", lambda r: r.created_at),
                Column("Published", lambda r: r.published_at),
                Column("By", lambda r: r.published_by),
            ],
            row_id=lambda r: r.id,
            parent=self,
        )
        self.history = QTableView()
        self.history.setObjectName("historyTable")
        self.history.setModel(self.history_model)
        self.history.verticalHeader().hide()
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        fit_columns(self.history, self._ctx.settings, "recipes/history", whole=(0, 4, 5))
        v.addWidget(self.history, 1)
        row = QHBoxLayout()
        self.compare_button = self._button("&Compare selected…", "compareButton", self.compare, row)
        row.addStretch(1)
        v.addLayout(row)
        self.tabs.addTab(w, "&History")

    # -- list ------------------------------------------------------------------------

    def refresh(self, *, reload_editor: bool = True) -> None:
        keep = self._detail.recipe_id if self._detail else None
        with self._sf() as s:
            rows = rsvc.list_recipes(s)
            choices = input_choices(s)
        self.model.set_rows(rows)
        self._set_choices(choices)
        if keep is not None and self._detail is not None:
            self._select_recipe_row(keep)
            if reload_editor:
                self._reload_versions(self._detail.id)

    def _data_changed(self, _event: Changed) -> None:
        """Another action changed recipes or materials: the list and the input choices
        reload; the version shown reloads too unless it has unsaved edits."""
        self.refresh(reload_editor=not self._dirty)

    def _set_choices(self, choices: list[InputChoice]) -> None:
        self._choices = {c.display: c for c in choices}
        self._completer_model.setStringList(list(self._choices))

    def _select_recipe_row(self, recipe_id: int) -> None:
        row = self.model.find_row(recipe_id)
        if row < 0:
            return
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self.list.selectionModel().blockSignals(True)
        self.list.selectRow(idx.row())
        self.list.selectionModel().blockSignals(False)

    def _recipe_selected(self, *_args: Any) -> None:
        rows = self.list.selectionModel().selectedRows()
        if not rows:
            return
        recipe_id = int(rows[0].data(Role.Id))
        if self._detail is not None and self._detail.recipe_id == recipe_id:
            return
        if not self.confirm_discard():
            if self._detail is not None:
                self._select_recipe_row(self._detail.recipe_id)
            return
        self.open_recipe(recipe_id)

    def open_recipe(self, recipe_id: int) -> None:
        with self._sf() as s:
            versions = rsvc.list_versions(s, recipe_id)
        if not versions:
            return
        self._select_recipe_row(recipe_id)
        self._fill_versions(versions, versions[-1].id)

    def open_version(self, version_id: int) -> None:
        with self._sf() as s:
            d = version_detail(s, version_id)
            versions = rsvc.list_versions(s, d.recipe_id)
        self._select_recipe_row(d.recipe_id)
        self._fill_versions(versions, version_id)

    def _reload_versions(self, version_id: int) -> None:
        assert self._detail is not None
        with self._sf() as s:
            versions = rsvc.list_versions(s, self._detail.recipe_id)
        self._fill_versions(versions, version_id)

    def _fill_versions(self, versions: list[rsvc.VersionSummary], select_id: int) -> None:
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for v in versions:
            self.version_combo.addItem(f"v{v.version} — {v.status}", v.id)
        self.version_combo.setCurrentIndex(max(0, self.version_combo.findData(select_id)))
        self.version_combo.blockSignals(False)
        self.history_model.set_rows(versions)
        self._load(select_id)

    def _version_selected(self, _i: int) -> None:
        vid = self.version_combo.currentData()
        if vid is None:
            return
        if self._detail is not None and vid != self._detail.id and not self.confirm_discard():
            self.version_combo.blockSignals(True)
            self.version_combo.setCurrentIndex(self.version_combo.findData(self._detail.id))
            self.version_combo.blockSignals(False)
            return
        self._load(int(vid))

    # -- editor ----------------------------------------------------------------------

    def _load(self, version_id: int) -> None:
        with self._sf() as s:
            d = version_detail(s, version_id)
        self._show(d)

    def _show(self, d: VersionDetail | None) -> None:
        self._loading = True
        self._detail = d
        self.errors.clear()
        self.editor.setEnabled(d is not None)
        if d is None:
            self.title.setText("Select a recipe, or create one.")
            self.status.setText("")
            self.frozen_hint.hide()
            self._loading = False
            self._dirty = False
            self.versionChanged.emit(None)
            return
        kind = " — intermediate" if d.intermediate else ""
        self.title.setText(f"{d.name} ({d.code}){kind}")
        self.editor.setEnabled(True)
        draft = d.is_draft
        self.status.setText(
            "Draft — editable"
            if draft
            else f"Published {d.published_at.astimezone():%Y-%m-%d}"
            if d.published_at
            else "Published"
        )
        self.frozen_hint.setVisible(not draft)
        self.yield_qty.set_decimal(d.yield_quantity)
        self.yield_unit.setCurrentText(d.yield_unit)
        self.shelf_life.setText("" if d.shelf_life_days is None else str(d.shelf_life_days))
        self.lines.setRowCount(0)
        for ln in d.lines:
            choice = next(
                (
                    c
                    for c in self._choices.values()
                    if (c.kind == "material" and c.id == ln.material_id)
                    or (c.kind == "recipe" and c.id == ln.component_recipe_id)
                ),
                None,
            )
            self.add_line(choice.display if choice else ln.name, ln.quantity, ln.unit, ln.note)
        self.steps.setPlainText(d.steps)
        self.qc.setRowCount(0)
        for q in d.qc_items:
            self.add_qc(q.name, q.kind, q.min_value, q.max_value, q.unit, q.required)
        facts = d.label_facts
        self.fact_name.setText(str(facts.get("product_name", d.name)))
        self.fact_net.setText(str(facts.get("net_quantity", "")))
        self.fact_storage.setText(str(facts.get("storage", "")))
        self.fact_date.setCurrentIndex(
            max(0, self.fact_date.findData(facts.get("use_by", "best_before")))
        )
        names = [ALL_ALLERGENS.get(a, a) for a in d.allergens]
        text = ", ".join(names) if names else "none declared on the materials"
        self.allergens.setText(f"Allergens: {text}")
        self.label_allergens.setText(text)
        for wdg in (
            self.yield_qty,
            self.yield_unit,
            self.shelf_life,
            self.lines,
            self.steps,
            self.qc,
            self.fact_name,
            self.fact_net,
            self.fact_storage,
            self.fact_date,
            self.add_line_button,
            self.remove_line_button,
            self.add_qc_button,
            self.remove_qc_button,
        ):
            wdg.setEnabled(draft)
        self.steps.setReadOnly(not draft)
        self.save_button.setEnabled(draft)
        self.publish_button.setEnabled(draft)
        self.new_version_button.setEnabled(not draft)
        self.plan_button.setEnabled(not draft)
        self.scale_button.setEnabled(True)
        self._loading = False
        self._dirty = False
        self.versionChanged.emit(d.id)

    def _touched(self, *_args: Any) -> None:
        if not self._loading:
            self._dirty = True

    def is_dirty(self) -> bool:
        return self._dirty

    def confirm_discard(self) -> bool:
        """True when there are no unsaved edits or the user agrees to drop them."""
        if not self._dirty or self._detail is None or not self._detail.is_draft:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self._detail.code} v{self._detail.version}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def published_version_id(self) -> int | None:
        d = self._detail
        if d is None:
            return None
        return None if d.is_draft else d.id

    # -- line rows -------------------------------------------------------------------

    def add_line(
        self, text: str = "", quantity: Decimal | None = None, unit: str = "", note: str = ""
    ) -> int:
        r = self.lines.rowCount()
        self.lines.insertRow(r)
        picker = QLineEdit(text)
        picker.setCursorPosition(0)
        picker.setObjectName(f"lineInput{r}")
        picker.setPlaceholderText("Type to find a material…")
        picker.setAccessibleName(f"Line {r + 1} material")
        completer = QCompleter(self._completer_model, picker)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        picker.setCompleter(completer)
        qty = DecimalEdit(field=f"line {r + 1} quantity", required=True)
        qty.setObjectName(f"lineQty{r}")
        qty.setAccessibleName(f"Line {r + 1} quantity")
        qty.set_decimal(quantity)
        unit_box = QComboBox()
        unit_box.setObjectName(f"lineUnit{r}")
        unit_box.addItems(list(UNIT_CODES))
        unit_box.setCurrentText(unit or "g")
        note_edit = QLineEdit(note)
        note_edit.setObjectName(f"lineNote{r}")
        self.lines.setCellWidget(r, 0, picker)
        self.lines.setCellWidget(r, 1, qty)
        self.lines.setCellWidget(r, 2, unit_box)
        self.lines.setCellWidget(r, 3, note_edit)
        picker.textChanged.connect(lambda _t, p=picker, u=unit_box: self._picker_changed(p, u))
        completer.activated.connect(
            lambda _t, p=picker, u=unit_box: self._picker_changed(p, u, pick=True)
        )
        for sig in (qty.textChanged, unit_box.currentIndexChanged, note_edit.textChanged):
            sig.connect(self._touched)
        self._touched()
        if not self._loading:
            picker.setFocus()
        return r

    def _picker_changed(
        self, picker: QLineEdit, unit_box: QComboBox, *, pick: bool = False
    ) -> None:
        self._touched()
        text = picker.text().strip()
        choice = self._choices.get(text)
        bad = bool(text) and choice is None
        set_invalid(picker, bad)
        picker.setToolTip("Pick a material or intermediate from the list" if bad else "")
        if choice is not None and (pick or not self._loading):
            unit_box.setCurrentText(choice.unit)

    def remove_line(self) -> None:
        r = self.lines.currentRow()
        if r < 0:
            r = self.lines.rowCount() - 1
        if r >= 0:
            self.lines.removeRow(r)
            self._touched()

    def add_qc(
        self,
        name: str = "",
        kind: str = "passfail",
        lo: Decimal | None = None,
        hi: Decimal | None = None,
        unit: str = "",
        required: bool = True,
    ) -> int:
        r = self.qc.rowCount()
        self.qc.insertRow(r)
        name_edit = QLineEdit(name)
        name_edit.setObjectName(f"qcName{r}")
        name_edit.setPlaceholderText("e.g. pH")
        kind_box = QComboBox()
        kind_box.setObjectName(f"qcKind{r}")
        for key, label in QC_KIND_LABELS.items():
            kind_box.addItem(label, key)
        kind_box.setCurrentIndex(max(0, kind_box.findData(kind)))
        lo_edit = DecimalEdit(allow_negative=True)
        lo_edit.setObjectName(f"qcMin{r}")
        lo_edit.set_decimal(lo)
        hi_edit = DecimalEdit(allow_negative=True)
        hi_edit.setObjectName(f"qcMax{r}")
        hi_edit.set_decimal(hi)
        unit_edit = QLineEdit(unit)
        unit_edit.setObjectName(f"qcUnit{r}")
        req = QCheckBox()
        req.setObjectName(f"qcRequired{r}")
        req.setChecked(required)
        for col, wdg in enumerate((name_edit, kind_box, lo_edit, hi_edit, unit_edit, req)):
            self.qc.setCellWidget(r, col, wdg)

        def kind_changed(_i: int = 0) -> None:
            numeric = kind_box.currentData() == "numeric"
            for wdg in (lo_edit, hi_edit, unit_edit):
                wdg.setEnabled(numeric)
            self._touched()

        def range_check(_t: str = "") -> None:
            a, b = lo_edit.decimal(), hi_edit.decimal()
            bad = a is not None and b is not None and a > b
            set_invalid(hi_edit, bad)
            hi_edit.setToolTip("Max is below min" if bad else "")
            self._touched()

        kind_box.currentIndexChanged.connect(kind_changed)
        lo_edit.textChanged.connect(range_check)
        hi_edit.textChanged.connect(range_check)
        name_edit.textChanged.connect(self._touched)
        unit_edit.textChanged.connect(self._touched)
        req.toggled.connect(self._touched)
        kind_changed()
        return r

    def remove_qc(self) -> None:
        r = self.qc.currentRow()
        if r < 0:
            r = self.qc.rowCount() - 1
        if r >= 0:
            self.qc.removeRow(r)
            self._touched()

    # -- collecting the form ---------------------------------------------------------

    def _line_inputs(self) -> list[rsvc.LineInput]:
        out = []
        for r in range(self.lines.rowCount()):
            picker = self.lines.cellWidget(r, 0)
            qty = self.lines.cellWidget(r, 1)
            unit = self.lines.cellWidget(r, 2)
            note = self.lines.cellWidget(r, 3)
            assert isinstance(picker, QLineEdit) and isinstance(qty, DecimalEdit)
            assert isinstance(unit, QComboBox) and isinstance(note, QLineEdit)
            text = picker.text().strip()
            if not text and not qty.text().strip():
                continue  # an empty row the user added and left
            choice = self._choices.get(text)
            if choice is None:
                set_invalid(picker, True)
                raise ValidationError(
                    f"line {r + 1}: {text or 'nothing'} is not a known material; pick one from the list",
                    field=f"line {r + 1}",
                )
            out.append(
                rsvc.LineInput(
                    quantity=qty.text(),
                    unit=unit.currentText(),
                    material_id=choice.id if choice.kind == "material" else None,
                    component_recipe_id=choice.id if choice.kind == "recipe" else None,
                    note=note.text(),
                )
            )
        return out

    def _qc_inputs(self) -> list[rsvc.QcItemInput]:
        out = []
        for r in range(self.qc.rowCount()):
            w = [self.qc.cellWidget(r, c) for c in range(6)]
            name, kind, lo, hi, unit, req = w
            assert isinstance(name, QLineEdit) and isinstance(kind, QComboBox)
            assert isinstance(lo, DecimalEdit) and isinstance(hi, DecimalEdit)
            assert isinstance(unit, QLineEdit) and isinstance(req, QCheckBox)
            if not name.text().strip() and not lo.text() and not hi.text():
                continue
            out.append(
                rsvc.QcItemInput(
                    name=name.text(),
                    kind=str(kind.currentData()),
                    min_value=lo.text().strip() or None,
                    max_value=hi.text().strip() or None,
                    unit=unit.text(),
                    required=req.isChecked(),
                )
            )
        return out

    def _save_into(self, s: Session, version_id: int) -> None:
        rsvc.update_draft(
            s,
            version_id,
            yield_quantity=self.yield_qty.text(),
            yield_unit=self.yield_unit.currentText(),
            steps=self.steps.toPlainText(),
            shelf_life_days=self.shelf_life.text().strip() or None,
            label_facts={
                "product_name": self.fact_name.text().strip(),
                "net_quantity": self.fact_net.text().strip(),
                "storage": self.fact_storage.text().strip(),
                "use_by": str(self.fact_date.currentData()),
            },
            lines=self._line_inputs(),
            qc_items=self._qc_inputs(),
            actor=self._ctx.actor,
        )

    def _mark_line_error(self, exc: UserError) -> None:
        import re

        m = re.match(r"(line|QC item) (\d+)", exc.field or "")
        if not m:
            return
        r = int(m.group(2)) - 1
        table = self.lines if m.group(1) == "line" else self.qc
        col = 1 if "quantity" in (exc.field or "") else 0
        if 0 <= r < table.rowCount():
            w = table.cellWidget(r, col)
            set_invalid(w, True)
            if w is not None:
                w.setFocus()

    def _write(self, publish: bool) -> bool:
        d = self._detail
        if d is None or not d.is_draft:
            return False

        def write(s: Session) -> None:
            self._save_into(s, d.id)
            if publish:
                rsvc.publish(s, d.id, actor=self._ctx.actor)

        done = self._ctx.run(write, changes=Change.RECIPES, form=self.errors, origin=self)
        exc = done.error
        if isinstance(exc, UserError):
            self._mark_line_error(exc)
            if exc.field and exc.field.lower().startswith("line"):
                self.tabs.setCurrentIndex(0)
            elif exc.field and exc.field.lower().startswith("qc item"):
                self.tabs.setCurrentIndex(2)
        if not done:
            return False
        self._dirty = False
        self._reload_versions(d.id)
        return True

    # -- actions ---------------------------------------------------------------------

    def save(self) -> bool:
        return self._write(publish=False)

    def publish(self) -> bool:
        return self._write(publish=True)

    def new_version(self) -> bool:
        d = self._detail
        if d is None:
            return False
        done = self._ctx.run(
            lambda s: rsvc.new_version(s, d.id, actor=self._ctx.actor).id,
            changes=Change.RECIPES,
            form=self.errors,
            origin=self,
        )
        if done.value is None:
            return False
        self._reload_versions(done.value)
        return True

    def compare(self) -> Any:
        from smallbatch_desktop.ui.dialogs.recipe import CompareDialog

        d = self._detail
        if d is None:
            return None
        ids = sorted(int(i.data(Role.Id)) for i in self.history.selectionModel().selectedRows())
        a = ids[0] if len(ids) >= 2 else None
        b = ids[-1] if len(ids) >= 2 else None
        dialog = CompareDialog(self._ctx, d.recipe_id, self, a_id=a, b_id=b)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def scale(self) -> Any:
        from smallbatch_desktop.ui.dialogs.recipe import ScaleDialog

        d = self._detail
        if d is None:
            return None
        dialog = ScaleDialog(self._ctx, d.id, d.yield_unit, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- state -----------------------------------------------------------------------

    def save_state(self) -> None:
        self._ctx.settings.setValue("recipes/splitter", self.splitter.saveState())

    def restore_state(self) -> None:
        state = self._ctx.settings.value("recipes/splitter")
        if state is not None and self.splitter.restoreState(state):
            self._user_splitter = True
