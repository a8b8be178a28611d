"""Editing the layout: every change one undoable command; view toggles and zoom."""

# mypy: disable-error-code="attr-defined"
# (one part of LabelView: the methods it calls on the other parts are the view's)
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
)

from smallbatch_desktop.domain.errors import UserError, ValidationError
from smallbatch_desktop.domain.label_layout import (
    MIN_X_HEIGHT_SMALL_PACK_MM,
    BarcodeElement,
    BoxElement,
    Element,
    ImageElement,
    IngredientsElement,
    Layout,
    LineElement,
    TextElement,
    validate_layout,
)
from smallbatch_desktop.domain.label_space import place_new
from smallbatch_desktop.domain.label_stock import LabelStock
from smallbatch_desktop.ui.views.labels.common import (
    LayoutCommand,
)
from smallbatch_desktop.ui.views.labels.state import DesignerState
from smallbatch_desktop.ui.widgets.label_canvas import Geometry, moved
from smallbatch_desktop.ui.widgets.label_properties import parse_ais


class EditingMixin(DesignerState):
    """Editing the layout: every change one undoable command; view toggles and zoom."""

    def _push(
        self,
        after: Layout,
        text: str,
        selection: Sequence[str] | None = None,
        merge_key: tuple[str, ...] | None = None,
    ) -> None:
        if after == self._layout:
            return
        self.undo_stack.push(
            LayoutCommand(
                self,  # type: ignore[arg-type]  # a part of the LabelView
                self._layout,
                after,
                text,
                select_before=self._selection,
                select_after=self._selection if selection is None else selection,
                merge_key=merge_key,
            )
        )

    def _unique_name(self, kind: str) -> str:
        names = {e.name for e in self._layout.elements}
        i = 1
        while f"{kind}{i}" in names:
            i += 1
        return f"{kind}{i}"

    def add_element(self, kind: str, *, path: str | None = None) -> str | None:
        """Add an element of ``kind`` in free space (the top-most, then left-most place
        clear of every element, smaller if need be); only when none is left, in the
        middle, where the status line then names what it overlaps. Returns its name."""
        W, H = self._layout.width, self._layout.height
        name = self._unique_name(kind)

        def centred(w: float, h: float) -> tuple[float, float, float, float]:
            w, h = min(w, W), min(h, H)
            spot = place_new(self._layout, w, h, min_w=min(w, 8.0), min_h=min(h, 3.0))
            if spot is not None:
                return spot
            return round((W - w) / 2, 2), round((H - h) / 2, 2), w, h

        e: Element
        if kind == "text":
            e = TextElement(name, *centred(min(40.0, W - 2), 5.0), text="{product}", size=9)
        elif kind == "ingredients":
            e = IngredientsElement(name, *centred(W - 3, min(10.0, H - 2)))
        elif kind == "barcode":
            e = BarcodeElement(name, *centred(min(40.0, W - 2), min(12.0, H - 2)))
        elif kind == "image":
            if path is None:
                path, _ = QFileDialog.getOpenFileName(
                    self, "Choose an image or logo", "", "Images (*.png *.jpg *.jpeg)"
                )
                if not path:
                    return None
            side = min(15.0, W - 2, H - 2)
            e = ImageElement(name, *centred(side, side), path=path)
        elif kind == "line":
            x, y, w, _h = centred(W - 4, 0.0)
            e = LineElement(name, x, y, w, 0.0)
        elif kind == "box":  # a frame around the label: only its outline takes space
            e = BoxElement(name, 1.0, 1.0, round(W - 2, 2), round(H - 2, 2))
        else:
            raise ValueError(f"unknown element kind {kind!r}")
        after = dataclasses.replace(self._layout, elements=(*self._layout.elements, e))
        self._push(after, f"Add {kind}", [name])
        self.canvas.setFocus()
        return name

    def delete_selected(self) -> None:
        chosen = set(self._selection)
        if not chosen:
            return
        kept = tuple(e for e in self._layout.elements if e.name not in chosen)
        self._push(
            dataclasses.replace(self._layout, elements=kept),
            f"Delete {', '.join(sorted(chosen))}",
            [],
        )

    def select(self, names: Iterable[str]) -> None:
        self.scene.select(names)

    def _replace_many(self, changes: dict[str, Element]) -> Layout:
        return dataclasses.replace(
            self._layout,
            elements=tuple(changes.get(e.name, e) for e in self._layout.elements),
        )

    def _clamped(self, e: Element, x: float, y: float) -> tuple[float, float]:
        W, H = self._layout.width, self._layout.height
        lo_x, hi_x = -min(e.w, 0.0), W - max(e.w, 0.0)
        lo_y, hi_y = -min(e.h, 0.0), H - max(e.h, 0.0)
        return (
            round(min(max(x, lo_x), max(hi_x, lo_x)), 2),
            round(min(max(y, lo_y), max(hi_y, lo_y)), 2),
        )

    def nudge(self, dx: float, dy: float) -> None:
        changes = {}
        for e in self._layout.elements:
            if e.name in self._selection:
                x, y = self._clamped(e, e.x + dx, e.y + dy)
                changes[e.name] = e.moved(x=x, y=y)
        if changes:
            self._push(self._replace_many(changes), "Move")

    def align(self, how: str) -> None:
        W, H = self._layout.width, self._layout.height
        changes = {}
        for e in self._layout.elements:
            if e.name not in self._selection:
                continue
            x0, x1 = sorted((e.x, e.x + e.w))
            y0, y1 = sorted((e.y, e.y + e.h))
            w, h = x1 - x0, y1 - y0
            dx = {"left": -x0, "center": (W - w) / 2 - x0, "right": W - w - x0}.get(how, 0.0)
            dy = {"top": -y0, "middle": (H - h) / 2 - y0, "bottom": H - h - y0}.get(how, 0.0)
            changes[e.name] = e.moved(x=round(e.x + dx, 2), y=round(e.y + dy, 2))
        if changes:
            self._push(self._replace_many(changes), f"Align {how}")

    def _on_geometry_edited(self, changed: dict[str, Geometry]) -> None:
        changes = {
            e.name: moved(e, changed[e.name]) for e in self._layout.elements if e.name in changed
        }
        resized = any(
            (changes[n].w, changes[n].h) != (self._layout.element(n).w, self._layout.element(n).h)
            for n in changes
        )
        self._push(self._replace_many(changes), "Resize" if resized else "Move")

    def _on_selection_changed(self) -> None:
        self._selection = tuple(self.scene.selected_names())
        self._show_panel()

    def _check_template(self, template: str, name: str) -> None:
        from smallbatch_desktop.pdf.labels import fill_template

        fill_template(template, self._sample, name=name)

    def _on_element_edited(self, name: str, field: str, value: object) -> None:
        try:
            e = self._layout.element(name)
        except KeyError:
            return
        try:
            if field == "ais":
                value = parse_ais(str(value))
            if field == "name":
                value = str(value).strip()
                if not value:
                    raise ValidationError("name: an element needs a name", field="name")
                if value != name and any(x.name == value for x in self._layout.elements):
                    raise ValidationError(f"name: {value!r} is taken", field="name")
            if field in ("text", "data"):
                self._check_template(str(value), name)
            changes: dict[str, Any] = {field: value}
            if field == "path":
                changes["image"] = b""
            new = dataclasses.replace(e, **changes)
            after = self._layout.replace_element(name, new)
            validate_layout(after, after.width, after.height)
        except (UserError, ValueError) as exc:
            self.panel.show_error(field, exc.message if isinstance(exc, UserError) else str(exc))
            return
        self.panel.clear_error()
        selection = [new.name if n == name else n for n in self._selection]
        key = ("rename",) if field == "name" else (name, field)
        self._push(after, f"Change {field.replace('_', ' ')} of {name}", selection, key)

    def _on_layout_edited(self, field: str, value: object) -> None:
        if field == "name":
            text = str(value).strip()
            if not text:
                self.panel.show_error(None, "Layout name: give it a name")
                return
            after = dataclasses.replace(self._layout, name=text)
        else:
            v = float(value)  # type: ignore[arg-type]
            if v < MIN_X_HEIGHT_SMALL_PACK_MM:
                return
            after = dataclasses.replace(self._layout, min_x_height=round(v, 2))
        self.panel.clear_error()
        self._push(after, f"Change layout {field.replace('_', ' ')}", None, ("layout", field))

    def _embed_image(self, name: str) -> None:
        e = self._layout.element(name)
        if not isinstance(e, ImageElement) or not e.path:
            return
        try:
            data = Path(e.path).read_bytes()
        except OSError as exc:
            self.panel.show_error("path", f"{name}: cannot read {e.path}: {exc.strerror}")
            return
        self._push(self._layout.replace_element(name, e.moved(image=data)), f"Embed {name}")

    def set_stock(self, stock: LabelStock) -> None:
        """Design for ``stock``: the label takes its size (one undoable change)."""
        self._stocks[stock.key] = stock
        after = dataclasses.replace(
            self._layout,
            stock_key=stock.key,
            width=stock.label_width,
            height=stock.label_height,
        )
        if after == self._layout:
            return
        self._push(after, f"Use stock {stock.key}")
        try:
            validate_layout(after, after.width, after.height)
        except UserError as exc:
            self._show_messages([(exc.field or "", exc.message)], [])

    # ======================================================================== toggles

    def _set_snap(self, on: bool) -> None:
        self.scene.snap_enabled = on
        self.scene.update()

    def _set_sheet(self, _on: bool) -> None:
        if self._stock is not None:
            self._show_stock()
            self._fit()

    def _set_rendered(self, on: bool) -> None:
        self.scene.set_preview_shown(on)

    def _fit(self) -> None:
        rect = self.scene.label_rect()
        if self.sheet_action.isChecked():
            rect = self.scene.itemsBoundingRect()
        self.canvas.fit(rect)

    def _on_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f} %")
        if self._last_outcome is not None:
            want = min(max(self.canvas.px_per_mm() * 25.4, 150.0), 600.0)
            if want > self.preview.image_dpi * 1.3:
                self.schedule_preview()
