"""Recipe dialogs: new recipe, side-by-side version comparison, scale to a target yield."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.units import UNIT_CODES, same_dimension
from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.ui.context import UiContext
from smallbatch_desktop.ui.dialogs.base import FormDialog, fit_to_text
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.text import plain
from smallbatch_desktop.ui.theme import error_background, ok_background, warning_background
from smallbatch_desktop.ui.widgets.fields import DecimalEdit, FieldError
from smallbatch_desktop.ui.widgets.tips import plain_tip


class NewRecipeDialog(FormDialog):
    """``result_value`` is the id of the new recipe's draft version 1."""

    changes = Change.RECIPES

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "New recipe", parent, ok_text="Create")
        self.setObjectName("newRecipeDialog")
        self.name = QLineEdit()
        self.name.setObjectName("recipeName")
        self.name.setPlaceholderText("e.g. Habanero Hot Sauce")
        self.add_field("&Name", self.name, ("recipe name",))
        self.code = QLineEdit()
        self.code.setObjectName("recipeCode")
        self.code.setMaxLength(12)
        self.code.setPlaceholderText("Short code used in lot codes, e.g. HS")
        self.add_field("Product &code", self.code, ("product code",))
        self.line = QLineEdit()
        self.line.setObjectName("productLine")
        self.add_field("Product &line", self.line, ("product line",))
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        self.yield_qty = DecimalEdit(field="yield", required=True, placeholder="e.g. 24")
        self.yield_qty.setObjectName("recipeYield")
        self.yield_unit = QComboBox()
        self.yield_unit.setObjectName("recipeYieldUnit")
        self.yield_unit.addItems(list(UNIT_CODES))
        self.yield_unit.setCurrentText("pcs")
        h.addWidget(self.yield_qty, 1)
        h.addWidget(self.yield_unit)
        err = self.add_field("Batch &yield", row)
        self.errors.add(("yield",), self.yield_qty, err)
        self.errors.add(("yield unit",), self.yield_unit, err)
        self.intermediate = QCheckBox(
            "Intermediate (used in other recipes: mash, syrup, soap base…)"
        )
        self.intermediate.setObjectName("recipeIntermediate")
        self.add_field("", self.intermediate)
        self.gtin = QLineEdit()
        self.gtin.setObjectName("recipeGtin")
        self.add_field("&GTIN", self.gtin, ("gtin",))
        self.name.textChanged.connect(self._suggest_code)
        fit_to_text(self, 66)

    def _suggest_code(self, text: str) -> None:
        if self.code.isModified():
            return
        words = [w for w in text.replace("-", " ").split() if w[:1].isalnum()]
        self.code.setText("".join(w[0] for w in words).upper()[:6])

    def save(self, session: Session) -> Any:
        return rsvc.create_recipe(
            session,
            code=self.code.text(),
            name=self.name.text(),
            yield_quantity=self.yield_qty.text(),
            yield_unit=self.yield_unit.currentText(),
            product_line=self.line.text(),
            gtin=self.gtin.text(),
            intermediate=self.intermediate.isChecked(),
            actor=self._actor,
        ).id


class CompareDialog(QDialog):
    """Two versions side by side: every field, line and QC item that differs."""

    def __init__(
        self,
        ctx: UiContext,
        recipe_id: int,
        parent: QWidget | None = None,
        *,
        a_id: int | None = None,
        b_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare versions")
        self._sf = ctx.session_factory
        with self._sf() as s:
            versions = rsvc.list_versions(s, recipe_id)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.a = QComboBox()
        self.a.setObjectName("compareA")
        self.b = QComboBox()
        self.b.setObjectName("compareB")
        for v in versions:
            text = f"v{v.version} ({v.status})"
            self.a.addItem(text, v.id)
            self.b.addItem(text, v.id)
        if len(versions) >= 2:
            self.a.setCurrentIndex(len(versions) - 2)
            self.b.setCurrentIndex(len(versions) - 1)
        if a_id is not None:
            self.a.setCurrentIndex(max(0, self.a.findData(a_id)))
        if b_id is not None:
            self.b.setCurrentIndex(max(0, self.b.findData(b_id)))
        bar.addWidget(QLabel("&From"))
        bar.itemAt(0).widget().setBuddy(self.a)  # type: ignore[union-attr]
        bar.addWidget(self.a)
        to = QLabel("&to")
        to.setBuddy(self.b)
        bar.addWidget(to)
        bar.addWidget(self.b)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.summary = plain(QLabel())
        self.summary.setObjectName("compareSummary")
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("compareTable")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.a.currentIndexChanged.connect(self.refresh)
        self.b.currentIndexChanged.connect(self.refresh)
        fit_to_text(self, 110, 26)
        self.refresh()

    def refresh(self) -> None:
        a, b = self.a.currentData(), self.b.currentData()
        self.table.setRowCount(0)
        if a is None or b is None:
            self.summary.setText("This recipe has only one version.")
            return
        with self._sf() as s:
            diff = rsvc.compare_versions(s, a, b)
        self.table.setHorizontalHeaderLabels(["What", "Item", diff.a_label, diff.b_label])
        if diff.identical:
            self.summary.setText(f"{diff.a_label} and {diff.b_label} are identical.")
        else:
            n = len(diff.changes)
            self.summary.setText(
                f"{n} difference{'s' if n != 1 else ''} from {diff.a_label} to {diff.b_label}."
            )
        colors = {
            "added": ok_background(),
            "removed": error_background(),
            "changed": warning_background(),
        }
        for ch in diff.changes:
            r = self.table.rowCount()
            self.table.insertRow(r)
            what = {"field": "Field", "line": "Ingredient", "qc": "QC check"}.get(ch.what, ch.what)
            items = [
                QTableWidgetItem(what),
                QTableWidgetItem(ch.key),
                QTableWidgetItem(ch.before),
                QTableWidgetItem(ch.after),
            ]
            for col, it in enumerate(items):
                it.setToolTip(plain_tip(f"{ch.kind}: {ch.before or '—'} → {ch.after or '—'}"))
                if col >= 2:
                    it.setBackground(colors[ch.kind])
                self.table.setItem(r, col, it)
        self.table.resizeRowsToContents()


class ScaleDialog(QDialog):
    """Every line multiplied to a target yield, exactly (``services.recipes.scale_version``)."""

    def __init__(
        self,
        ctx: UiContext,
        version_id: int,
        yield_unit: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scaleDialog")
        self.setWindowTitle("Scale recipe")
        self._sf = ctx.session_factory
        self._version_id = version_id
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.target = DecimalEdit(field="target yield", required=True)
        self.target.setObjectName("scaleTarget")
        self.unit = QComboBox()
        self.unit.setObjectName("scaleUnit")
        self.unit.addItems([u for u in UNIT_CODES if same_dimension(u, yield_unit)])
        self.unit.setCurrentText(yield_unit)
        label = QLabel("&Target yield")
        label.setBuddy(self.target)
        bar.addWidget(label)
        bar.addWidget(self.target, 1)
        bar.addWidget(self.unit)
        layout.addLayout(bar)
        self.error = FieldError(self, name="scaleError")
        layout.addWidget(self.error)
        self.factor = QLabel()
        self.factor.setObjectName("scaleFactor")
        layout.addWidget(self.factor)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("scaleTable")
        self.table.setHorizontalHeaderLabels(["Input", "Recipe", "Scaled", "Unit"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.target.textChanged.connect(self.refresh)
        self.unit.currentIndexChanged.connect(self.refresh)
        fit_to_text(self, 70, 22)

    def refresh(self) -> None:
        qty = self.target.decimal()
        self.table.setRowCount(0)
        if qty is None:
            self.factor.setText("")
            return
        try:
            with self._sf() as s:
                scaled = rsvc.scale_version(s, self._version_id, qty, self.unit.currentText())
        except UserError as exc:
            self.error.show_message(exc.message)
            self.factor.setText("")
            return
        self.error.show_message("")
        self.factor.setText(f"Factor × {scaled.factor.normalize():f}")
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for ln in scaled.lines:
            r = self.table.rowCount()
            self.table.insertRow(r)
            base = QTableWidgetItem(f"{ln.base_quantity.normalize():f}")
            new = QTableWidgetItem(f"{ln.quantity.normalize():f}")
            base.setTextAlignment(right)
            new.setTextAlignment(right)
            self.table.setItem(r, 0, QTableWidgetItem(ln.name))
            self.table.setItem(r, 1, base)
            self.table.setItem(r, 2, new)
            self.table.setItem(r, 3, QTableWidgetItem(ln.unit))
