"""The view's user actions, each one unit of work through the operation runner."""

# mypy: disable-error-code="attr-defined"
# (one part of RecipeView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.ui.models.table import Role
from smallbatch_desktop.ui.ops import Change
from smallbatch_desktop.ui.theme import set_invalid
from smallbatch_desktop.ui.views.recipes.state import RecipeState


class ActionsMixin(RecipeState):
    """Save draft, Publish, New version (each one user action through ``UiContext.run``),
    Compare and Scale (dialogs), and the view's remembered splitter."""

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
            self._splitter_fit.restored()
