"""Reading layouts, stocks, recipes and batches, and showing the document."""

# mypy: disable-error-code="attr-defined"
# (one part of LabelView: the methods it calls on the other parts are the view's)
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QListWidgetItem,
)
from sqlalchemy import select

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.label_data import LabelData
from smallbatch_desktop.domain.label_layout import (
    Layout,
)
from smallbatch_desktop.domain.label_stock import ROLL, LabelStock
from smallbatch_desktop.ui.ops import Changed
from smallbatch_desktop.ui.text import esc
from smallbatch_desktop.ui.views.labels.common import (
    _NOT_FACTS,
    NAME_ROLE,
    SAMPLE,
    STANDARD_FIELDS,
)
from smallbatch_desktop.ui.views.labels.state import DesignerState
from smallbatch_desktop.ui.widgets.tips import plain_tip


class DataMixin(DesignerState):
    """Reading layouts, stocks, recipes and batches, and showing the document."""

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
                item.setToolTip(plain_tip(f"{lay.name}: {lay.stock_key}"))
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
        self.openLayoutButton.setEnabled(item is not None)
        self.deleteLayoutButton.setEnabled(self._layout_id is not None)

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
