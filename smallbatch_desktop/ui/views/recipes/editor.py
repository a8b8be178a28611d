"""Showing one version in the editor, and keeping unsaved edits."""

# mypy: disable-error-code="attr-defined"
# (one part of RecipeView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from PySide6.QtWidgets import (
    QMessageBox,
)

from smallbatch_desktop.domain.allergens import ALL_ALLERGENS
from smallbatch_desktop.services.ui_queries import (
    VersionDetail,
)
from smallbatch_desktop.ui.views.recipes.state import RecipeState


class EditorMixin(RecipeState):
    """Showing a version in the editor (editable only while it is a draft) and asking
    before unsaved edits are dropped."""

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
