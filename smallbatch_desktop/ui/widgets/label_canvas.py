"""The label designer's canvas: a ``QGraphicsView`` of one label at true proportions.

Scene units are millimetres with the origin at the label's top-left corner (y down), the
same coordinates as ``domain.label_layout``.  The scene shows, bottom to top: the sheet
around the label (optional, with the other label positions dashed), the label itself
(white, with the stock's corner radius), the preview image rendered by the one ReportLab
renderer (``pdf.labels.render_preview``), an optional mm grid, and one ``ElementItem``
per layout element: an outline with resize handles that can be dragged.

The canvas never edits the layout itself.  It reports what the user did through signals
(a finished drag or resize, a nudge, a delete) and the designer turns each into one undo
command, which then calls ``LabelScene.set_elements`` with the new layout.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from smallbatch_desktop.domain.label_layout import (
    BarcodeElement,
    BoxElement,
    Element,
    ImageElement,
    IngredientsElement,
    LineElement,
    TextElement,
)
from smallbatch_desktop.ui.widgets.tips import plain_tip

#: a geometry as the canvas reports it: x, y, w, h in mm
Geometry = tuple[float, float, float, float]

SELECTED = QColor("#1565c0")
OUTLINE = QColor("#78909c")
ERROR = QColor("#c62828")
HANDLE_PX = 8.0
SCREEN_MM_PER_INCH = 25.4

# handle ids: (fx, fy) fractions of the box; a line has only its two ends
_BOX_HANDLES: dict[str, tuple[float, float]] = {
    "tl": (0, 0),
    "t": (0.5, 0),
    "tr": (1, 0),
    "r": (1, 0.5),
    "br": (1, 1),
    "b": (0.5, 1),
    "bl": (0, 1),
    "l": (0, 0.5),
}
_LINE_HANDLES: dict[str, tuple[float, float]] = {"start": (0, 0), "end": (1, 1)}
_CURSORS = {
    "tl": Qt.CursorShape.SizeFDiagCursor,
    "br": Qt.CursorShape.SizeFDiagCursor,
    "tr": Qt.CursorShape.SizeBDiagCursor,
    "bl": Qt.CursorShape.SizeBDiagCursor,
    "t": Qt.CursorShape.SizeVerCursor,
    "b": Qt.CursorShape.SizeVerCursor,
    "l": Qt.CursorShape.SizeHorCursor,
    "r": Qt.CursorShape.SizeHorCursor,
    "start": Qt.CursorShape.CrossCursor,
    "end": Qt.CursorShape.CrossCursor,
}
MIN_SIZE = 0.5  # mm: the smallest box a resize leaves


def _r(v: float) -> float:
    """Round to 1/100 mm: far below a printer dot, and keeps the layout JSON tidy."""
    return round(v + 0.0, 2) + 0.0


class ElementItem(QGraphicsObject):
    """One layout element on the canvas: outline, handles, and (when the rendered
    preview does not show it) a sketch of its content.

    The item's position is the element's (x, y); its local rectangle is (0, 0, w, h).
    """

    def __init__(self, element: Element) -> None:
        super().__init__()
        self.element = element
        self.error = False
        self._w = element.w
        self._h = element.h
        self._resize: str | None = None
        self._press_geom: Geometry | None = None
        self._dragging = False
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setPos(element.x, element.y)
        self.setZValue(10)
        self.setToolTip(plain_tip(f"{element.name} ({element.kind})"))

    # -- data ------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.element.name

    @property
    def is_line(self) -> bool:
        return isinstance(self.element, LineElement)

    def geometry(self) -> Geometry:
        p = self.pos()
        return (_r(p.x()), _r(p.y()), _r(self._w), _r(self._h))

    def set_element(self, element: Element) -> None:
        """Show ``element`` (after an undo command changed the layout)."""
        self.prepareGeometryChange()
        self.element = element
        self._w, self._h = element.w, element.h
        self._dragging = False
        self.setPos(element.x, element.y)
        self.setToolTip(plain_tip(f"{element.name} ({element.kind})"))
        self.update()

    # -- geometry --------------------------------------------------------------------

    def _box(self) -> QRectF:
        return QRectF(0, 0, self._w, self._h).normalized()

    def _handle_mm(self) -> float:
        scene = self.scene()
        return scene.handle_mm if isinstance(scene, LabelScene) else 1.0

    def boundingRect(self) -> QRectF:
        m = self._handle_mm()
        return self._box().adjusted(-m, -m, m, m)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        if self.is_line:
            line = QPainterPath(QPointF(0, 0))
            line.lineTo(self._w, self._h)
            stroker = QPainterPathStroker()
            stroker.setWidth(max(self._handle_mm(), 0.8))
            path = stroker.createStroke(line)
        else:
            path.addRect(self._box())
        if self.isSelected():
            for rect in self._handle_rects().values():
                path.addRect(rect)
        return path

    def _handles(self) -> dict[str, tuple[float, float]]:
        return _LINE_HANDLES if self.is_line else _BOX_HANDLES

    def _handle_rects(self) -> dict[str, QRectF]:
        s = self._handle_mm()
        out = {}
        for key, (fx, fy) in self._handles().items():
            cx, cy = fx * self._w, fy * self._h
            out[key] = QRectF(cx - s / 2, cy - s / 2, s, s)
        return out

    def handle_at(self, local: QPointF) -> str | None:
        if not self.isSelected():
            return None
        for key, rect in self._handle_rects().items():
            if rect.adjusted(-rect.width() * 0.25, -rect.height() * 0.25, 0, 0).contains(local):
                return key
            if rect.contains(local):
                return key
        return None

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if (
            change == QGraphicsItem.GraphicsItemChange.ItemPositionChange
            and self._dragging
            and isinstance(value, QPointF)
        ):
            scene = self.scene()
            if isinstance(scene, LabelScene):
                x, y = scene.snap(value.x()), scene.snap(value.y())
                x, y = scene.clamp_position(self, x, y)
                return QPointF(x, y)
        return super().itemChange(change, value)

    # -- mouse -----------------------------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        handle = self.handle_at(event.pos())
        if handle is not None and event.button() == Qt.MouseButton.LeftButton:
            self._resize = handle
            self._press_geom = self.geometry()
            event.accept()
            return
        self._dragging = True
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._resize is None or self._press_geom is None:
            super().mouseMoveEvent(event)
            return
        scene = self.scene()
        assert isinstance(scene, LabelScene)
        p = event.scenePos()
        px, py = scene.snap(p.x()), scene.snap(p.y())
        px = min(max(px, 0.0), scene.label_w)
        py = min(max(py, 0.0), scene.label_h)
        x, y, w, h = self._press_geom
        if self.is_line:
            if self._resize == "start":
                x2, y2 = x + w, y + h
                x, y, w, h = px, py, x2 - px, y2 - py
            else:
                w, h = px - x, py - y
        else:
            left, top, right, bottom = x, y, x + w, y + h
            if "l" in self._resize:
                left = min(px, right - MIN_SIZE)
            if "r" in self._resize:
                right = max(px, left + MIN_SIZE)
            if "t" in self._resize:
                top = min(py, bottom - MIN_SIZE)
            if "b" in self._resize:
                bottom = max(py, top + MIN_SIZE)
            x, y, w, h = left, top, right - left, bottom - top
        self.prepareGeometryChange()
        self._w, self._h = w, h
        self.setPos(x, y)
        self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._resize = None
        self._press_geom = None
        super().mouseReleaseEvent(event)
        self._dragging = False

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        handle = self.handle_at(event.pos())
        if handle is not None:
            self.setCursor(_CURSORS[handle])
        else:
            self.setCursor(Qt.CursorShape.SizeAllCursor)
        super().hoverMoveEvent(event)

    # -- painting --------------------------------------------------------------------

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        scene = self.scene()
        sketch = self.error or not (isinstance(scene, LabelScene) and scene.preview_shown)
        px_per_mm = max(painter.worldTransform().m11(), 1e-6)
        box = self._box()
        if sketch:
            self._sketch(painter, box, px_per_mm)
        selected = self.isSelected()
        color = ERROR if self.error else SELECTED if selected else OUTLINE
        pen = QPen(color, 2.0 if (selected or self.error) else 1.0)
        pen.setCosmetic(True)
        if not selected and not self.error:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.is_line:
            painter.drawLine(QPointF(0, 0), QPointF(self._w, self._h))
        else:
            painter.drawRect(box)
        if selected:
            painter.setBrush(QBrush(QColor("white")))
            hp = QPen(SELECTED, 1.5)
            hp.setCosmetic(True)
            painter.setPen(hp)
            for rect in self._handle_rects().values():
                painter.drawRect(rect)
        if selected or self.error:
            self._name_tag(painter, box, px_per_mm, color)

    def _name_tag(self, painter: QPainter, box: QRectF, px_per_mm: float, color: QColor) -> None:
        """The element's name above its top-left corner, at a fixed screen size."""
        top_left = painter.worldTransform().map(box.topLeft())
        painter.save()
        painter.resetTransform()
        font = QFont()
        font.setPixelSize(11)
        painter.setFont(font)
        text = self.element.name
        fm = painter.fontMetrics()
        h = fm.height() + 2
        rect = QRectF(top_left.x(), top_left.y() - h, fm.horizontalAdvance(text) + 8, h)
        painter.fillRect(rect, color)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _sketch(self, painter: QPainter, box: QRectF, px_per_mm: float) -> None:
        """A quick drawing of the element for when the rendered preview lacks it."""
        e = self.element
        painter.save()
        ink = QColor(ERROR if self.error else QColor("#37474f"))
        if isinstance(e, LineElement):
            pen = QPen(ink, max(e.stroke, 0.1))
            painter.setPen(pen)
            painter.drawLine(QPointF(0, 0), QPointF(self._w, self._h))
        elif isinstance(e, BoxElement):
            pen = QPen(ink, max(e.stroke, 0.1))
            painter.setPen(pen)
            painter.setBrush(QBrush(ink) if e.fill else Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box, e.radius, e.radius)
        elif isinstance(e, BarcodeElement):
            fill = QColor(ink)
            fill.setAlpha(60)
            painter.fillRect(box, QBrush(fill, Qt.BrushStyle.BDiagPattern))
            self._sketch_text(painter, box, px_per_mm, e.symbology, 7.0, True, ink)
        elif isinstance(e, ImageElement):
            image = _element_image(e)
            if image is not None and not image.isNull():
                target = box
                if e.keep_aspect and image.width() and image.height():
                    r = min(box.width() / image.width(), box.height() / image.height())
                    w, h = image.width() * r, image.height() * r
                    target = QRectF(box.center().x() - w / 2, box.center().y() - h / 2, w, h)
                painter.drawImage(target, image)
            else:
                self._sketch_text(painter, box, px_per_mm, "image", 7.0, False, ink)
        elif isinstance(e, (TextElement, IngredientsElement)):
            text = e.text if isinstance(e, TextElement) else f"{e.prefix}…"
            bold = e.bold if isinstance(e, TextElement) else False
            self._sketch_text(painter, box, px_per_mm, text, e.size, bold, ink)
        painter.restore()

    def _sketch_text(
        self,
        painter: QPainter,
        box: QRectF,
        px_per_mm: float,
        text: str,
        size_pt: float,
        bold: bool,
        ink: QColor,
    ) -> None:
        # draw in device pixels so small fonts stay legible at any zoom
        painter.save()
        scale = px_per_mm
        painter.scale(1 / scale, 1 / scale)
        font = QFont("DejaVu Sans Condensed")
        font.setPixelSize(max(6, round(size_pt * SCREEN_MM_PER_INCH / 72 * scale)))
        font.setBold(bold)
        painter.setFont(font)
        painter.setPen(ink)
        rect = QRectF(box.x() * scale, box.y() * scale, box.width() * scale, box.height() * scale)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        if isinstance(self.element, TextElement):
            align = {
                "center": Qt.AlignmentFlag.AlignHCenter,
                "right": Qt.AlignmentFlag.AlignRight,
            }.get(self.element.align, Qt.AlignmentFlag.AlignLeft) | {
                "middle": Qt.AlignmentFlag.AlignVCenter,
                "bottom": Qt.AlignmentFlag.AlignBottom,
            }.get(self.element.valign, Qt.AlignmentFlag.AlignTop)
        elif isinstance(self.element, BarcodeElement):
            align = Qt.AlignmentFlag.AlignCenter
        painter.setClipRect(rect)
        painter.drawText(rect, align | Qt.TextFlag.TextWordWrap, text)
        painter.restore()


_IMAGE_CACHE: dict[tuple[str, int], QImage] = {}


def _element_image(e: ImageElement) -> QImage | None:
    key = (e.path, hash(e.image))
    if key not in _IMAGE_CACHE:
        image = QImage()
        if e.image:
            image.loadFromData(e.image)
        elif e.path:
            image.load(e.path)
        if len(_IMAGE_CACHE) > 32:
            _IMAGE_CACHE.clear()
        _IMAGE_CACHE[key] = image
    return _IMAGE_CACHE[key]


class LabelScene(QGraphicsScene):
    """The label, its stock, the rendered preview and the element items, in mm.

    Signals:
        geometryEdited(object): ``{name: (x, y, w, h)}`` of the elements a drag or a
            resize changed, emitted once when the mouse is released.
    """

    geometryEdited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label_w = 50.0
        self.label_h = 30.0
        self.corner_radius = 0.0
        self.grid_mm = 0.5
        self.snap_enabled = True
        self.grid_visible = True
        self.preview_shown = True
        self.handle_mm = 1.5
        self._items: dict[str, ElementItem] = {}
        self._press: dict[str, Geometry] = {}
        self._sheet_items: list[QGraphicsItem] = []
        self._label_item = QGraphicsPathItem()
        self._label_item.setZValue(0)
        self._label_item.setBrush(QBrush(QColor("white")))
        pen = QPen(QColor("#455a64"), 1.0)
        pen.setCosmetic(True)
        self._label_item.setPen(pen)
        self.addItem(self._label_item)
        self._preview = QGraphicsPixmapItem()
        self._preview.setZValue(1)
        self._preview.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.addItem(self._preview)
        self.setBackgroundBrush(QBrush(QColor("#cfd8dc")))

    # -- stock and label ---------------------------------------------------------------

    def set_label(
        self,
        width: float,
        height: float,
        *,
        corner_radius: float = 0.0,
        round_shape: bool = False,
        sheet: tuple[float, float, float, float] | None = None,
        other_cells: Sequence[tuple[float, float]] = (),
    ) -> None:
        """The label's size and outline; ``sheet`` = (x, y, w, h) of the page around it
        (label coordinates), ``other_cells`` the top-left corners of the other labels."""
        self.label_w, self.label_h, self.corner_radius = width, height, corner_radius
        path = QPainterPath()
        rect = QRectF(0, 0, width, height)
        if round_shape:
            path.addEllipse(rect)
        elif corner_radius > 0:
            path.addRoundedRect(rect, corner_radius, corner_radius)
        else:
            path.addRect(rect)
        self._label_item.setPath(path)
        for item in self._sheet_items:
            self.removeItem(item)
        self._sheet_items = []
        margin = max(width, height) * 0.15
        bounds = rect.adjusted(-margin, -margin, margin, margin)
        if sheet is not None:
            page = QGraphicsRectItem(QRectF(*sheet))
            page.setBrush(QBrush(QColor("#f5f5f0")))
            pen = QPen(QColor("#90a4ae"), 1.0)
            pen.setCosmetic(True)
            page.setPen(pen)
            page.setZValue(-2)
            self.addItem(page)
            self._sheet_items.append(page)
            dash = QPen(QColor("#b0bec5"), 1.0, Qt.PenStyle.DashLine)
            dash.setCosmetic(True)
            for cx, cy in other_cells:
                cell = QPainterPath()
                r = QRectF(cx, cy, width, height)
                if round_shape:
                    cell.addEllipse(r)
                else:
                    cell.addRoundedRect(r, corner_radius, corner_radius)
                item = QGraphicsPathItem(cell)
                item.setPen(dash)
                item.setZValue(-1)
                self.addItem(item)
                self._sheet_items.append(item)
            bounds = bounds.united(QRectF(*sheet).adjusted(-5, -5, 5, 5))
        self.setSceneRect(bounds)
        self.update()

    def label_rect(self) -> QRectF:
        return QRectF(0, 0, self.label_w, self.label_h)

    def set_preview(self, image: QImage | None) -> None:
        """The rendered label (a page of the label's own size) under the elements."""
        if image is None or image.isNull():
            self._preview.setPixmap(QPixmap())
            return
        self._preview.setPixmap(QPixmap.fromImage(image))
        self._preview.setTransform(
            QTransform.fromScale(self.label_w / image.width(), self.label_h / image.height())
        )
        self._preview.setVisible(self.preview_shown)

    def set_preview_shown(self, shown: bool) -> None:
        self.preview_shown = shown
        self._preview.setVisible(shown)
        for item in self._items.values():
            item.update()

    def preview_pixmap(self) -> QPixmap:
        return self._preview.pixmap()

    # -- elements --------------------------------------------------------------------

    def set_elements(self, elements: Iterable[Element], selected: Iterable[str] = ()) -> None:
        """Show exactly ``elements`` (in z order), reusing items by name."""
        wanted = list(elements)
        names = {e.name for e in wanted}
        self.blockSignals(True)
        try:
            for name in [n for n in self._items if n not in names]:
                self.removeItem(self._items.pop(name))
            for z, e in enumerate(wanted):
                item = self._items.get(e.name)
                if item is None:
                    item = ElementItem(e)
                    self.addItem(item)
                    self._items[e.name] = item
                elif item.element != e or item.geometry() != (e.x, e.y, e.w, e.h):
                    item.set_element(e)
                item.setZValue(10 + z)
            chosen = set(selected)
            for name, item in self._items.items():
                item.setSelected(name in chosen)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def item(self, name: str) -> ElementItem:
        return self._items[name]

    def element_items(self) -> list[ElementItem]:
        return sorted(self._items.values(), key=lambda i: i.zValue())

    def selected_names(self) -> list[str]:
        return [i.name for i in self.element_items() if i.isSelected()]

    def select(self, names: Iterable[str]) -> None:
        chosen = set(names)
        self.blockSignals(True)
        try:
            for name, item in self._items.items():
                item.setSelected(name in chosen)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def set_errors(self, names: Iterable[str]) -> None:
        bad = set(names)
        for name, item in self._items.items():
            if item.error != (name in bad):
                item.error = name in bad
                item.update()

    # -- snapping --------------------------------------------------------------------

    def snap(self, v: float) -> float:
        if not self.snap_enabled or self.grid_mm <= 0:
            return v
        return round(v / self.grid_mm) * self.grid_mm

    def clamp_position(self, item: ElementItem, x: float, y: float) -> tuple[float, float]:
        """Keep a dragged element inside the label (the renderer refuses it outside)."""
        w, h = item.geometry()[2:]
        lo_x, hi_x = -min(w, 0.0), self.label_w - max(w, 0.0)
        lo_y, hi_y = -min(h, 0.0), self.label_h - max(h, 0.0)
        return min(max(x, lo_x), max(hi_x, lo_x)), min(max(y, lo_y), max(hi_y, lo_y))

    # -- interaction -----------------------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._press = {n: i.geometry() for n, i in self._items.items()}
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        before, self._press = self._press, {}
        changed = {
            n: i.geometry()
            for n, i in self._items.items()
            if n in before and before[n] != i.geometry()
        }
        if changed:
            self.geometryEdited.emit(changed)

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if not (self.grid_visible and self.snap_enabled):
            return
        px_per_mm = painter.worldTransform().m11()
        step = self.grid_mm
        while step * px_per_mm < 8:
            step *= 2
        if step <= 0:
            return
        pen = QPen(QColor(21, 101, 192, 70), 1.5)
        pen.setCosmetic(True)
        painter.setPen(pen)
        area = QRectF(rect).intersected(self.label_rect())
        x0 = math.ceil(area.left() / step) * step
        y0 = math.ceil(area.top() / step) * step
        points = []
        y = y0
        while y <= area.bottom():
            x = x0
            while x <= area.right():
                points.append(QPointF(x, y))
                x += step
            y += step
        if len(points) < 40_000:
            painter.drawPoints(points)


class LabelCanvas(QGraphicsView):
    """The designer's view of a ``LabelScene``: zoom, fit, keyboard nudging.

    Ctrl + mouse wheel zooms around the pointer; ``fit`` shows the whole label (and the
    sheet when shown) and keeps fitting as the view is resized until the user zooms.

    Signals:
        nudgeRequested(float, float): move the selection by (dx, dy) mm (arrows 0.5 mm,
            Shift + arrows 5 mm).
        deleteRequested(): Delete or Backspace with elements selected.
        zoomChanged(float): the new zoom, 1.0 = true size on a 96 dpi screen.
    """

    nudgeRequested = Signal(float, float)
    deleteRequested = Signal()
    zoomChanged = Signal(float)

    NUDGE = 0.5
    NUDGE_BIG = 5.0

    def __init__(self, scene: LabelScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.label_scene = scene
        self.setObjectName("labelCanvas")
        self.setAccessibleName("Label design canvas")
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
            | QPainter.RenderHint.TextAntialiasing
        )
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fit_mode = True
        self._fit_rect: QRectF | None = None

    # -- zoom --------------------------------------------------------------------------

    def px_per_mm(self) -> float:
        return self.transform().m11()

    def screen_px_per_mm(self) -> float:
        return self.logicalDpiX() / SCREEN_MM_PER_INCH

    def zoom(self) -> float:
        return self.px_per_mm() / self.screen_px_per_mm()

    def set_zoom(self, zoom: float) -> None:
        zoom = min(max(zoom, 0.1), 40.0)
        s = zoom * self.screen_px_per_mm()
        self.setTransform(QTransform.fromScale(s, s))
        self._fit_mode = False
        self._scrollbars(True)
        self._zoomed()

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom() * factor)

    def fit(self, rect: QRectF | None = None) -> None:
        self._fit_mode = True
        self._scrollbars(False)
        if rect is not None:
            self._fit_rect = rect
        target = self._fit_rect or self.label_scene.label_rect()
        margin = max(target.width(), target.height()) * 0.06
        self.fitInView(
            target.adjusted(-margin, -margin, margin, margin), Qt.AspectRatioMode.KeepAspectRatio
        )
        self._zoomed()

    def _scrollbars(self, on: bool) -> None:
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded if on else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def _zoomed(self) -> None:
        self.label_scene.handle_mm = HANDLE_PX / max(self.px_per_mm(), 1e-6)
        for item in self.label_scene.element_items():
            item.prepareGeometryChange()
        self.zoomChanged.emit(self.zoom())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(1.15**steps)
            event.accept()
            return
        super().wheelEvent(event)

    # -- keyboard --------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.keyCombination().key()
        mods = event.modifiers()
        arrows = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if key in arrows and self.label_scene.selected_names():
            step = self.NUDGE_BIG if mods & Qt.KeyboardModifier.ShiftModifier else self.NUDGE
            dx, dy = arrows[key]
            self.nudgeRequested.emit(dx * step, dy * step)
            event.accept()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.label_scene.selected_names():
            self.deleteRequested.emit()
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            self.label_scene.select(())
            event.accept()
            return
        super().keyPressEvent(event)


def moved(element: Element, geometry: Geometry) -> Element:
    """``element`` at a new (x, y, w, h)."""
    x, y, w, h = geometry
    return dataclasses.replace(element, x=_r(x), y=_r(y), w=_r(w), h=_r(h))
