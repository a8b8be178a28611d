"""Tooltips that show user text exactly as typed.

Qt takes tooltip text that looks like HTML as rich text: a recipe called ``<b>Cam</b>``
would show a bold "Cam", and ``<img src=...>`` would try to load a picture.  Every
tooltip that carries user text (names, lot codes, notes, supplier text) goes through
``plain_tip``; text that Qt would not read as HTML is left as it is.
"""

from __future__ import annotations

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QWidget


def plain_tip(text: object) -> str:
    """``text`` as a tooltip that Qt shows literally: escaped inside a paragraph when
    Qt would otherwise take it for rich text (line breaks kept)."""
    value = "" if text is None else str(text)
    if not value or not Qt.mightBeRichText(value):
        return value
    return Qt.convertFromPlainText(value, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def set_plain_tip(widget: QWidget, text: object) -> None:
    """``widget.setToolTip`` for text that may be the user's."""
    widget.setToolTip(plain_tip(text))
