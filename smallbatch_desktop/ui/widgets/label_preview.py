"""Live label previews from the one ReportLab renderer, debounced and off the UI thread.

``PreviewRenderer`` waits until edits pause, renders the label with
``pdf.labels.render_preview`` in a ``ui.tasks`` job, and turns page one into an opaque
``QImage`` with QtPdf.  When the renderer refuses an element (text that does not fit at
the minimum x-height, a barcode whose modules would be under one printer dot...), the
element is reported and left out, and the rest of the label is rendered again, so the
preview still shows everything that does print and the message area names every
element at fault, not just the first.

``PdfPageView`` shows a rendered page scaled to fit, used by the print dialog.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import partial

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.label_data import LabelData
from smallbatch_desktop.domain.label_layout import Layout
from smallbatch_desktop.domain.label_stock import LabelStock
from smallbatch_desktop.ui.printing import pdf_to_image
from smallbatch_desktop.ui.tasks import Progress, TaskRunner


@dataclass(frozen=True)
class PreviewOutcome:
    """What a preview render produced: the PDF (None if nothing could be drawn),
    renderer warnings, and refusals as (element name or "", message)."""

    pdf: bytes | None
    warnings: tuple[str, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()
    image: QImage | None = field(default=None, compare=False)

    @property
    def failed_elements(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.errors if name)


def render_leaving_out_failures(
    layout: Layout, stock: LabelStock, data: LabelData, *, dpi: int = 300
) -> PreviewOutcome:
    """Render one label; drop each element the renderer refuses and try again."""
    from smallbatch_desktop.pdf.labels import render_preview

    errors: list[tuple[str, str]] = []
    current = layout
    for _ in range(len(layout.elements) + 1):
        try:
            result = render_preview(current, stock, data, dpi=dpi)
        except UserError as exc:
            names = {e.name for e in current.elements}
            name = exc.field if exc.field in names else ""
            if not name:
                # a message naming "product text" (a barcode's human-readable line)
                name = next((n for n in names if exc.message.startswith(f"{n} ")), "")
            errors.append((name, exc.message))
            if not name:
                return PreviewOutcome(None, (), tuple(errors))
            current = dataclasses.replace(
                current, elements=tuple(e for e in current.elements if e.name != name)
            )
            continue
        return PreviewOutcome(result.pdf, result.warnings, tuple(errors))
    return PreviewOutcome(None, (), tuple(errors))


class PreviewRenderer(QObject):
    """Renders label previews after edits pause; only the latest request is shown.

    Signals:
        rendered(object): a ``PreviewOutcome`` whose ``image`` is the label (or None).
        busy(bool): True while a render is pending or running.
    """

    rendered = Signal(object)
    busy = Signal(bool)

    def __init__(
        self, tasks: TaskRunner, *, delay_ms: int = 150, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        self._request: tuple[Layout, LabelStock, LabelData, int] | None = None
        self._generation = 0
        self.image_dpi: float = 300.0
        self.last: PreviewOutcome | None = None

    def request(self, layout: Layout, stock: LabelStock, data: LabelData, dpi: int = 300) -> None:
        self._request = (layout, stock, data, dpi)
        self.busy.emit(True)
        self._timer.start()

    def flush(self) -> None:
        """Render the pending request now (tests call this instead of waiting)."""
        self._timer.stop()
        if self._request is None:
            return
        layout, stock, data, dpi = self._request
        self._request = None
        self._generation += 1
        gen = self._generation

        def job(_session: Session, _progress: Progress) -> PreviewOutcome:
            return render_leaving_out_failures(layout, stock, data, dpi=dpi)

        self._tasks.submit(
            "Label preview",
            job,
            on_result=partial(self._done, gen),
            on_error=partial(self._failed, gen),
        )

    def _done(self, gen: int, outcome: PreviewOutcome) -> None:
        if gen != self._generation:
            return
        image = None
        if outcome.pdf is not None:
            image = pdf_to_image(outcome.pdf, dpi=self.image_dpi)
        self.last = dataclasses.replace(outcome, image=image)
        self.busy.emit(False)
        self.rendered.emit(self.last)

    def _failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._generation:
            return
        self.last = PreviewOutcome(None, (), (("", f"The preview failed: {exc}"),))
        self.busy.emit(False)
        self.rendered.emit(self.last)


class PdfPageView(QWidget):
    """A rendered page, scaled to fit with its aspect ratio kept, on a grey desk."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._text = ""
        self.setMinimumSize(QSize(220, 220))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage | None, text: str = "") -> None:
        self._image = image
        self._text = text
        self.update()

    def image(self) -> QImage | None:
        return self._image

    def image_rect(self) -> QRectF:
        """Where the page is drawn, in widget pixels."""
        if self._image is None or self._image.isNull():
            return QRectF()
        area = QRectF(self.rect()).adjusted(12, 12, -12, -12)
        iw, ih = self._image.width(), self._image.height()
        s = min(area.width() / iw, area.height() / ih)
        w, h = iw * s, ih * s
        return QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#cfd8dc"))
        if self._image is not None and not self._image.isNull():
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            target = self.image_rect()
            p.fillRect(target.translated(3, 3), QColor(0, 0, 0, 50))
            p.drawImage(target, self._image)
        elif self._text:
            p.setPen(QColor("#37474f"))
            p.drawText(
                QRectF(self.rect()).adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._text,
            )
        p.end()


__all__: list[str] = [
    "PdfPageView",
    "PreviewOutcome",
    "PreviewRenderer",
    "render_leaving_out_failures",
]
