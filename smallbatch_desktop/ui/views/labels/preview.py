"""The live preview and the message list of what the renderer refuses or warns."""

# mypy: disable-error-code="attr-defined"
# (one part of LabelView: the methods it calls on the other parts are the view's)
from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QListWidgetItem,
)

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.label_space import overlap_warnings
from smallbatch_desktop.ui.views.labels.common import (
    NAME_ROLE,
    SAMPLE,
)
from smallbatch_desktop.ui.views.labels.state import DesignerState
from smallbatch_desktop.ui.widgets.label_preview import PreviewOutcome


class PreviewMixin(DesignerState):
    """The live preview and the message list of what the renderer refuses or warns."""

    def schedule_preview(self) -> None:
        if self._stock is None:
            return
        dpr = self.canvas.devicePixelRatioF()
        self.preview.image_dpi = min(max(self.canvas.px_per_mm() * 25.4 * dpr, 150.0), 600.0)
        self.preview.request(self._layout, self._stock, self._data)

    def flush_preview(self) -> PreviewOutcome | None:
        """Render the pending preview now; returns what is shown (tests)."""
        self.preview.flush()
        return self._last_outcome

    def _on_preview(self, outcome: PreviewOutcome) -> None:
        self._last_outcome = outcome
        self.scene.set_preview(outcome.image)
        self.scene.set_errors(outcome.failed_elements)
        # the renderer's warnings, then what overlaps (a barcode's quiet zone first)
        warnings = [*outcome.warnings, *overlap_warnings(self._layout)]
        self._show_messages(list(outcome.errors), warnings)
        self.previewRendered.emit(outcome)

    def _show_messages(self, errors: list[tuple[str, str]], warnings: list[str]) -> None:
        self.messages.clear()
        for name, message in errors:
            item = QListWidgetItem(f"✖ {message}")
            item.setForeground(QColor("#c62828"))
            item.setData(NAME_ROLE, name)
            item.setToolTip("The renderer refuses this: it is left out of the preview")
            self.messages.addItem(item)
        for message in warnings:
            item = QListWidgetItem(f"⚠ {message}")
            item.setForeground(QColor("#b45f06"))
            item.setData(NAME_ROLE, message.split(":", 1)[0])
            self.messages.addItem(item)
        if not errors and not warnings:
            item = QListWidgetItem(
                "✔ Everything fits: the preview is what prints (rendered at 300 dpi)."
            )
            item.setForeground(QColor("#2e7d32"))
            self.messages.addItem(item)

    def message_texts(self) -> list[str]:
        return [self.messages.item(i).text() for i in range(self.messages.count())]

    def _message_activated(self, item: QListWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        if name and any(e.name == name for e in self._layout.elements):
            self.scene.select([name])
            self.canvas.setFocus()

    def _data_chosen(self) -> None:
        from smallbatch_desktop.services.labels import label_data_for_batch

        bid = self.data_combo.currentData()
        if bid in (None, SAMPLE):
            self._data = self._sample
        else:
            try:
                with self._sf() as s:
                    self._data = label_data_for_batch(s, int(bid)).data
            except UserError as exc:
                self._data = self._sample
                self._show_messages([("", exc.message)], [])
                return
        self.schedule_preview()

    def set_preview_batch(self, batch_id: int | None) -> None:
        i = self.data_combo.findData(SAMPLE if batch_id is None else batch_id)
        self.data_combo.setCurrentIndex(max(i, 0))
        self._data_chosen()
