"""The version editor's tabs: ingredients, steps, QC spec, label facts, history."""

# mypy: disable-error-code="attr-defined"
# (one part of RecipeView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from PySide6.QtCore import QStringListModel
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.units import UNIT_CODES
from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.ui.models.table import Column, RowTableModel
from smallbatch_desktop.ui.text import plain
from smallbatch_desktop.ui.views.recipes.state import RecipeState
from smallbatch_desktop.ui.widgets.columns import fit_columns
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError


class TabsMixin(RecipeState):
    """The editor's tabs: ingredients, steps, QC spec, label facts, history."""

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
        self._size_line_columns()
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

    def _size_line_columns(self) -> None:
        """Quantity, unit and note in characters of the current font (again when Larger
        text is switched); the material's name takes the rest."""
        digit = self.lines.fontMetrics().horizontalAdvance("0")
        self.lines.setColumnWidth(1, digit * 8 + 16)
        self.lines.setColumnWidth(2, digit * 5 + 36)
        self.lines.setColumnWidth(3, digit * 10 + 16)

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
