"""Pick lots for a batch's recipe lines: one row per lot taken, FEFO-suggested, with live
availability (a quantity above what is on hand turns red) and a per-line summary."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smallbatch_desktop.domain.errors import UnitError
from smallbatch_desktop.domain.units import convert, format_quantity
from smallbatch_desktop.services.batches import LineNeed, PickInput
from smallbatch_desktop.services.ui_queries import Candidate
from smallbatch_desktop.ui.theme import set_invalid
from smallbatch_desktop.ui.widgets.fields import DecimalEdit
from smallbatch_desktop.ui.widgets.tips import plain_tip, set_plain_tip

COL_INPUT, COL_LOT, COL_AVAILABLE, COL_QTY, COL_UNIT = range(5)


@dataclass(frozen=True)
class _Row:
    need: LineNeed


class PicksEditor(QWidget):
    """Rows of (recipe line, lot, quantity).

    Signals:
        changed(): a lot or a quantity changed (totals and validity were re-checked).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("picksEditor")
        self._needs: list[LineNeed] = []
        self._cands: dict[int, list[Candidate]] = {}
        self._rows: list[_Row] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("picksTable")
        self.table.setHorizontalHeaderLabels(["Input", "Lot", "Available", "Take", "Unit"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(COL_INPUT, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_LOT, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(COL_AVAILABLE, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_UNIT, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.suggest_button = QPushButton("&Suggest (FEFO)")
        self.suggest_button.setObjectName("suggestButton")
        self.suggest_button.setToolTip(
            "Fill the picks first-expiry-first-out from the lots on hand"
        )
        self.add_button = QPushButton("&Add lot")
        self.add_button.setObjectName("addPickButton")
        self.add_button.setToolTip("Take another lot for the selected line")
        self.remove_button = QPushButton("Re&move lot")
        self.remove_button.setObjectName("removePickButton")
        for b in (self.suggest_button, self.add_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.summary = QLabel()
        self.summary.setObjectName("picksSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.suggest_button.clicked.connect(self.suggest)
        self.add_button.clicked.connect(self._add_for_selected)
        self.remove_button.clicked.connect(self._remove_selected)

    # -- data ------------------------------------------------------------------------

    def set_needs(self, needs: list[LineNeed], candidates: dict[int, list[Candidate]]) -> None:
        """New requirements (recipe or yield changed): rebuild with the FEFO suggestion."""
        self._needs = list(needs)
        self._cands = {k: list(v) for k, v in candidates.items()}
        self.suggest()

    def suggest(self) -> None:
        self.table.setRowCount(0)
        self._rows = []
        for need in self._needs:
            if need.picks:
                for pick in need.picks:
                    self._append(need, pick.lot_code, pick.take)
            else:
                self._append(need, None, None)
        self._recheck()

    def picks(self) -> list[PickInput]:
        """Rows with a lot and a quantity, in the lot's unit."""
        out = []
        for i, row in enumerate(self._rows):
            cand = self._candidate(i)
            qty = self._qty_edit(i).decimal()
            if cand is None or qty is None or qty == 0:
                continue
            # what the maker saw left: a lost race is then told as one
            out.append(PickInput(cand.lot_code, qty, cand.unit, row.need.line_id, cand.available))
        return out

    def has_problems(self) -> bool:
        return any(bool(self._qty_edit(i).property("invalid")) for i in range(len(self._rows)))

    def mark_row(self, index: int) -> None:
        """Highlight pick ``index`` (0-based) after the service refused it."""
        if 0 <= index < len(self._rows):
            set_invalid(self._qty_edit(index), True)
            self.table.selectRow(index)

    # -- rows ------------------------------------------------------------------------

    def _append(self, need: LineNeed, lot_code: str | None, take: Decimal | None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        self._rows.append(_Row(need))
        label = f"{need.name} — needs {format_quantity(need.remaining, need.unit)}"
        item = QTableWidgetItem(label)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(r, COL_INPUT, item)
        combo = QComboBox()
        combo.setObjectName(f"pickLot{r}")
        combo.setAccessibleName(f"Lot for {need.name}")
        combo.addItem("— none —", None)
        selected = 0
        for j, cand in enumerate(self._cands.get(need.line_id, [])):
            combo.addItem(cand.display, cand.lot_code)
            combo.setItemData(j + 1, plain_tip(cand.display), Qt.ItemDataRole.ToolTipRole)
            if cand.lot_code == lot_code:
                selected = j + 1
        if not self._cands.get(need.line_id):
            combo.setItemText(0, "— nothing on hand —")
        combo.setCurrentIndex(selected)
        set_plain_tip(combo, combo.currentText())
        combo.currentTextChanged.connect(lambda text, c=combo: set_plain_tip(c, text))
        self.table.setCellWidget(r, COL_LOT, combo)
        avail = QTableWidgetItem("")
        avail.setFlags(avail.flags() & ~Qt.ItemFlag.ItemIsEditable)
        avail.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(r, COL_AVAILABLE, avail)
        edit = DecimalEdit(field="quantity")
        edit.setObjectName(f"pickQty{r}")
        edit.setAccessibleName(f"Quantity of {need.name}")
        edit.set_decimal(take)
        self.table.setCellWidget(r, COL_QTY, edit)
        unit = QTableWidgetItem("")
        unit.setFlags(unit.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(r, COL_UNIT, unit)
        combo.currentIndexChanged.connect(self._recheck)
        edit.textChanged.connect(self._recheck)

    def _candidate(self, row: int) -> Candidate | None:
        combo = self.table.cellWidget(row, COL_LOT)
        assert isinstance(combo, QComboBox)
        code = combo.currentData()
        if code is None:
            return None
        for cand in self._cands.get(self._rows[row].need.line_id, []):
            if cand.lot_code == code:
                return cand
        return None

    def _qty_edit(self, row: int) -> DecimalEdit:
        w = self.table.cellWidget(row, COL_QTY)
        assert isinstance(w, DecimalEdit)
        return w

    def _add_for_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0 and self._rows:
            row = len(self._rows) - 1
        if row < 0:
            return
        need = self._rows[row].need
        # insert after the last row of the same line: rebuild keeps it simple and ordered
        state = self._state()
        insert_at = max(i for i, r in enumerate(self._rows) if r.need.line_id == need.line_id) + 1
        state.insert(insert_at, (need, None, None))
        self._rebuild(state)
        self.table.selectRow(insert_at)

    def _remove_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        state = self._state()
        del state[row]
        self._rebuild(state)

    def _state(self) -> list[tuple[LineNeed, str | None, Decimal | None]]:
        out = []
        for i, r in enumerate(self._rows):
            cand = self._candidate(i)
            out.append((r.need, cand.lot_code if cand else None, self._qty_edit(i).decimal()))
        return out

    def _rebuild(self, state: list[tuple[LineNeed, str | None, Decimal | None]]) -> None:
        self.table.setRowCount(0)
        self._rows = []
        for need, code, qty in state:
            self._append(need, code, qty)
        self._recheck()

    # -- live checks -----------------------------------------------------------------

    def _recheck(self) -> None:
        per_line: dict[int, Decimal] = {}
        unknown: set[int] = set()
        for i, row in enumerate(self._rows):
            cand = self._candidate(i)
            edit = self._qty_edit(i)
            avail_item = self.table.item(i, COL_AVAILABLE)
            unit_item = self.table.item(i, COL_UNIT)
            assert avail_item is not None and unit_item is not None  # made in _append
            qty = edit.decimal()
            if cand is None:
                avail_item.setText("")
                unit_item.setText(row.need.unit)
                set_invalid(edit, False)
                edit.setToolTip("")
                continue
            avail_item.setText(f"{cand.available.normalize():f} {cand.unit}")
            unit_item.setText(cand.unit)
            over = qty is not None and qty > cand.available
            set_invalid(edit, over)
            set_plain_tip(
                edit,
                f"Only {format_quantity(cand.available, cand.unit)} "
                # a batch's units held for customers' orders are not for other batches
                + ("free (not held for orders)" if cand.kind == "batch" else "on hand")
                + f" in {cand.lot_code}"
                if over
                else "",
            )
            if qty is not None:
                try:
                    in_line = convert(qty, cand.unit, row.need.unit, exact=True)
                except UnitError:
                    unknown.add(row.need.line_id)
                else:
                    per_line[row.need.line_id] = (
                        per_line.get(row.need.line_id, Decimal(0)) + in_line
                    )
        parts = []
        for need in self._needs:
            got = per_line.get(need.line_id, Decimal(0))
            if need.line_id in unknown:
                mark = "?"
            elif got >= need.remaining:
                mark = "✓"
            else:
                mark = f"short {format_quantity(need.remaining - got, need.unit)}"
            parts.append(f"{need.name}: {mark}")
        self.summary.setText("; ".join(parts) if parts else "This recipe has no lines.")
        self.changed.emit()
