"""Reading recipes and versions, and reloading when another action changed them."""

# mypy: disable-error-code="attr-defined"
# (one part of RecipeView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from typing import Any

from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.services.ui_queries import (
    InputChoice,
    input_choices,
    version_detail,
)
from smallbatch_desktop.ui.models.table import Role
from smallbatch_desktop.ui.ops import Changed
from smallbatch_desktop.ui.views.recipes.state import RecipeState


class DataMixin(RecipeState):
    """Reading the recipe list and a recipe's versions; following the change bus."""

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
