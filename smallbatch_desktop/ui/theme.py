"""Look and feel: a comfortable font size for the workshop floor, a larger-text setting,
the system light/dark palette, and the few style rules the forms share.

No colours are hard-coded for text or backgrounds except the semantic ones (error,
warning, ok), which are picked to read on both light and dark palettes.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

W = TypeVar("W", bound=QWidget)

#: base point sizes: normal and "larger text"
NORMAL_POINT_SIZE = 11
LARGE_POINT_SIZE = 14

#: the QSettings key for the larger-text choice (a per-machine preference)
LARGER_TEXT_KEY = "ui/larger_text"

_STYLE = """
QLineEdit[invalid="true"], QComboBox[invalid="true"], QPlainTextEdit[invalid="true"] {
    border: 2px solid #d32f2f;
    border-radius: 3px;
}
QLabel[role="fieldError"] { color: #d32f2f; }
QLabel[role="formError"] { color: #d32f2f; font-weight: bold; }
QLabel[role="heading"] { font-weight: bold; }
QLabel[role="lotCode"] { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
QLabel[role="statusBadge"] { padding: 2px 8px; border-radius: 8px; font-weight: bold; }
QLabel[role="warningText"] { color: #b45f06; }
"""


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def error_color() -> QColor:
    return QColor("#ef5350") if is_dark() else QColor("#c62828")


def warning_background() -> QColor:
    """Highlight for low stock / expiring soon rows."""
    return QColor(120, 90, 0) if is_dark() else QColor(255, 243, 205)


def error_background() -> QColor:
    """Highlight for expired lots and out-of-spec QC values."""
    return QColor(110, 30, 30) if is_dark() else QColor(255, 221, 221)


def ok_background() -> QColor:
    return QColor(27, 80, 40) if is_dark() else QColor(220, 245, 226)


STATUS_COLORS: dict[str, tuple[str, str]] = {
    # status -> (light background, dark background)
    "planned": ("#e3f2fd", "#0d3c61"),
    "in_production": ("#fff3e0", "#6d4100"),
    "qc_hold": ("#fff9c4", "#5c5200"),
    "released": ("#e8f5e9", "#1b5e20"),
    "rejected": ("#ffebee", "#7f1d1d"),
    "recalled": ("#fce4ec", "#880e4f"),
}


def status_background(status: str) -> QColor:
    light, dark = STATUS_COLORS.get(status, ("#eeeeee", "#424242"))
    return QColor(dark if is_dark() else light)


def point_size(larger: bool) -> int:
    return LARGE_POINT_SIZE if larger else NORMAL_POINT_SIZE


def apply_font(app: QApplication, *, larger: bool) -> None:
    """Set the application font size; widgets follow (they are built without fixed sizes)."""
    font = QFont(app.font())
    font.setPointSize(point_size(larger))
    if font == app.font():
        return
    app.setFont(font)
    # under the application's style sheet a widget keeps the font it resolved when it
    # was polished (the main window's central widget stayed at the old size, and every
    # view in it): each window's widgets that have no font of their own take the new
    # one from their parent again
    for window in app.topLevelWidgets():
        for widget in window.findChildren(QWidget):
            if widget.property(_FONT_SCALE) is not None:
                _scale(widget)  # a heading: its own size, a step above the new one
            elif not widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                widget.setFont(QFont())


#: the property that marks a heading sized by ``scaled_font``
_FONT_SCALE = "fontScale"


def scaled_font(widget: W, scale: float, *, bold: bool = False) -> W:
    """Give ``widget`` (a heading, a lot code) text ``scale`` times the application's
    size; ``apply_font`` sizes it again when Larger text is switched, at once (a widget
    with its own font does not follow its parent's)."""
    widget.setProperty(_FONT_SCALE, float(scale))
    widget.setProperty("fontBold", bold)
    _scale(widget)
    return widget


def _scale(widget: QWidget) -> None:
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * float(widget.property(_FONT_SCALE)))
    if widget.property("fontBold"):
        font.setBold(True)
    widget.setFont(font)


def apply_theme(app: QApplication, *, larger: bool = False) -> None:
    """Fusion follows the system light/dark scheme on every platform in Qt 6.5+."""
    app.setStyle("Fusion")
    hints = app.styleHints()
    if hasattr(hints, "colorScheme"):
        # keep following the system; nothing to force
        _ = hints.colorScheme()
    app.setStyleSheet(_STYLE)
    apply_font(app, larger=larger)


def set_invalid(widget: object, invalid: bool) -> None:
    """Mark a form widget invalid (red border) and refresh its style."""
    from PySide6.QtWidgets import QWidget

    if not isinstance(widget, QWidget):
        return
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_warning(widget: object, warning: bool) -> None:
    """A warning icon on a button whose action the services would refuse right now
    (an icon, not a style sheet, so the button keeps its native look and size)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QAbstractButton, QStyle

    if not isinstance(widget, QAbstractButton) or bool(widget.property("warning")) == warning:
        return
    widget.setProperty("warning", warning)
    icon = (
        widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if warning
        else QIcon()
    )
    widget.setIcon(icon)


ALIGN_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
