"""Saved layouts: open, new, save, save as, delete, recipe, default (one op each)."""

# mypy: disable-error-code="attr-defined"
# (one part of LabelView: the methods it calls on the other parts are the view's)
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QInputDialog,
    QMessageBox,
)
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.label_layout import (
    Layout,
    TextElement,
)
from smallbatch_desktop.ui.ops import Change, OpResult
from smallbatch_desktop.ui.views.labels.common import (
    NAME_ROLE,
)
from smallbatch_desktop.ui.views.labels.state import DesignerState


class LayoutsMixin(DesignerState):
    """Saved layouts: open, new, save, save as, delete, recipe, default (one op each)."""

    def has_unsaved_changes(self) -> bool:
        return not self.undo_stack.isClean()

    def _ask_unsaved(self) -> QMessageBox.StandardButton:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved label layout",
            f"Save the changes to {self._layout.name!r}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("unsavedLayoutBox")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def confirm_discard(self) -> bool:
        """True when it is fine to leave the layout (saved, discarded or unchanged)."""
        if not self.has_unsaved_changes():
            return True
        answer = self._ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def open_selected(self) -> None:
        item = self.layout_list.currentItem()
        if item is not None:
            self.open_layout(str(item.data(NAME_ROLE)))

    def open_layout(self, name: str) -> bool:
        from smallbatch_desktop.services.labels import get_layout

        if not self.confirm_discard():
            return False
        try:
            with self._sf() as s:
                stored = get_layout(s, name)
        except UserError as exc:
            self._error(exc)
            return False
        self._load_stored(stored)
        return True

    def new_layout(self) -> bool:
        if not self.confirm_discard():
            return False
        stock = self.stock
        w, h = stock.label_width, stock.label_height
        m = min(1.5, w / 10)
        layout = Layout(
            name=self._new_name("New layout"),
            width=w,
            height=h,
            stock_key=stock.key,
            elements=(
                TextElement(
                    "product",
                    m,
                    m,
                    round(w - 2 * m, 2),
                    min(5.0, h - 2 * m),
                    text="{product}",
                    size=10,
                    bold=True,
                ),
            ),
        )
        self._layout_id = None
        self._builtin = False
        self._recipe_id = None
        self._is_default = False
        self.undo_stack.clear()
        self._apply(layout, ())
        self._show_recipe()
        self._update_title()
        self._update_buttons()
        # a new layout is unsaved work from the start
        self.undo_stack.resetClean()
        self._dirty_changed(True)
        return True

    def _new_name(self, base: str) -> str:
        taken = {
            str(self.layout_list.item(i).data(NAME_ROLE)) for i in range(self.layout_list.count())
        }
        if base not in taken:
            return base
        i = 2
        while f"{base} {i}" in taken:
            i += 1
        return f"{base} {i}"

    def save(self) -> bool:
        """Save the layout (a built-in or new one asks for a name first)."""
        if self._layout_id is None:
            return self.save_as()
        return self._save(self._layout, self._layout_id)

    def save_as(self, name: str | None = None) -> bool:
        if name is None:
            suggested = (
                self._new_name(f"{self._layout.name} (copy)")
                if self._layout_id is not None or self._builtin
                else self._layout.name
            )
            name, ok = QInputDialog.getText(
                self, "Save layout as", "Name of the layout:", text=suggested
            )
            if not ok:
                return False
        layout = dataclasses.replace(self._layout, name=name.strip())
        return self._save(layout, None)

    def _save(self, layout: Layout, layout_id: int | None) -> bool:
        from smallbatch_desktop.services.labels import save_layout

        done = self._run(
            lambda s: save_layout(
                s,
                layout,
                stock_key=layout.stock_key,
                recipe_id=self._recipe_id,
                is_default=self._is_default if layout_id is None else None,
                layout_id=layout_id,
                actor=self._actor,
            )
        )
        if not done or done.value is None:
            return False
        new_id = done.value
        if layout.name != self._layout.name:
            # the new name is part of the saved document, not an undoable edit
            self._layout = layout
            self.undo_stack.clear()
        self._layout_id = new_id
        self._builtin = False
        self.undo_stack.setClean()
        self.refresh()
        self._update_title()
        self._update_buttons()
        self.layoutSaved.emit(new_id)
        return True

    def delete_layout(self) -> bool:
        from smallbatch_desktop.services.labels import delete_layout, resolve_layout

        if self._layout_id is None:
            return False
        if not self._confirm(f"Delete the layout {self._layout.name!r}? This cannot be undone."):
            return False
        layout_id = self._layout_id
        if not self._run(lambda s: delete_layout(s, layout_id, actor=self._actor)):
            return False
        self._layout_id = None
        self.undo_stack.clear()
        self.refresh()
        with self._sf() as s:
            stored = resolve_layout(s)
        self._load_stored(stored)
        return True

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Label layouts", text)
        return answer == QMessageBox.StandardButton.Yes

    def _recipe_chosen(self) -> None:
        from smallbatch_desktop.services.labels import attach_layout

        rid = self.recipe_combo.currentData()
        layout_id = self._layout_id
        if layout_id is not None:
            if not self._run(lambda s: attach_layout(s, layout_id, rid, actor=self._actor)):
                self._show_recipe()
                return
            if rid != self._recipe_id:
                self._is_default = False
            self.refresh()
        self._recipe_id = rid
        self._show_recipe()

    def _default_clicked(self, checked: bool) -> None:
        from smallbatch_desktop.services.labels import set_default_layout

        layout_id = self._layout_id
        if layout_id is not None:
            if not self._run(
                lambda s: set_default_layout(s, layout_id, checked, actor=self._actor)
            ):
                self._show_recipe()
                return
            self.refresh()
        self._is_default = checked
        self._show_recipe()

    def _run(self, fn: Callable[[Session], Any]) -> OpResult[Any]:
        """One user action on the layouts (``UiContext.run``); a refusal is shown in the
        check list and a message box."""
        return self._ctx.run(fn, changes=Change.LABELS, on_refused=self._error, origin=self)

    def _error(self, exc: UserError) -> None:
        self._show_messages([(exc.field or "", exc.message)], [])
        box = QMessageBox(QMessageBox.Icon.Warning, "Label layouts", exc.message, parent=self)
        box.setObjectName("labelErrorBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def focus_search(self) -> None:
        self.stock_picker.search.setFocus()
