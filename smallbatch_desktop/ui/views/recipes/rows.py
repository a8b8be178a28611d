"""The editable rows: ingredient lines and QC checks, and reading them back."""

# mypy: disable-error-code="attr-defined"
# (one part of RecipeView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QLineEdit,
)

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.units import UNIT_CODES
from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.ui.theme import set_invalid
from smallbatch_desktop.ui.views.recipes.state import QC_KIND_LABELS, RecipeState
from smallbatch_desktop.ui.widgets.fields import DecimalEdit


class RowsMixin(RecipeState):
    """Ingredient lines and QC checks: one row of widgets each, read back into the
    services' inputs."""

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
