"""The scan box: a USB barcode scanner types a code and presses Enter.

A scan is either one of our lot codes (or a supplier's lot code) typed as is, or a GS1
element string from a supplier's barcode: ``]C1``/``]d2``/``]Q3`` symbology prefixes,
FNC1 sent as ASCII GS (0x1D) or spelled ``<GS>`` by keyboard-wedge scanners, or the
human-readable form with AIs in parentheses.  ``parse_scan`` turns any of these into a
``ScanData`` (lot, GTIN, dates); ``biip`` is imported only when a GS1 string is seen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

GS = "\x1d"
_GS_SPELLINGS = ("<GS>", "[GS]", "{GS}", "<gs>", "\u241d", "^]")
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_GS1_SYMBOLOGIES = ("]C1", "]e0", "]d2", "]Q3", "]J1")


@dataclass(frozen=True)
class ScanData:
    """What a scan says. ``lot`` is what to look up (AI 10 for a GS1 string)."""

    raw: str
    lot: str
    gtin: str = ""
    expiry: dt.date | None = None
    best_before: dt.date | None = None
    production: dt.date | None = None
    serial: str = ""
    is_gs1: bool = False


def _clean(text: str) -> str:
    for spelling in _GS_SPELLINGS:
        text = text.replace(spelling, GS)
    return text.strip().strip("\r\n")


def looks_like_gs1(text: str) -> bool:
    t = _clean(text)
    if t.startswith(_GS1_SYMBOLOGIES) or t.startswith(GS):
        return True
    if t.startswith("(") and re.match(r"^\(\d{2,4}\)", t):
        return True
    # a bare element string: starts with a common AI and holds only digits up to there
    return bool(re.match(r"^(01|02)\d{14}", t)) or GS in t


def parse_scan(text: str) -> ScanData:
    """Turn scanner input into a ``ScanData``; a plain code passes through unchanged."""
    raw = text
    t = _clean(text)
    if not looks_like_gs1(t):
        return ScanData(raw, _SYMBOLOGY.sub("", t) if t.startswith("]") else t)
    import biip  # lazy: only when a GS1 barcode is scanned
    from biip.gs1_messages import GS1Message

    message = None
    try:
        if t.startswith("("):
            message = GS1Message.parse_hri(t)
        else:
            result = biip.parse(t)
            message = result.gs1_message
    except (biip.ParseError, ValueError):
        message = None
    if message is None:
        stripped = _SYMBOLOGY.sub("", t).replace(GS, "")
        return ScanData(raw, stripped)
    values: dict[str, object] = {}
    for es in message.element_strings:
        ai = es.ai.ai
        values[ai] = es.date if es.date is not None else es.value
    lot = str(values.get("10", "") or "")
    gtin = str(values.get("01", "") or values.get("02", "") or "")

    def as_date(key: str) -> dt.date | None:
        v = values.get(key)
        return v if isinstance(v, dt.date) else None

    return ScanData(
        raw,
        lot,
        gtin=gtin,
        expiry=as_date("17"),
        best_before=as_date("15"),
        production=as_date("11"),
        serial=str(values.get("21", "") or ""),
        is_gs1=True,
    )


class ScanBox(QLineEdit):
    """A line edit for scanners and keyboards.

    Signals:
        scanned(object): a ``ScanData`` when Enter is pressed on non-empty text;
            the box then clears itself, ready for the next scan.
    """

    scanned = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanBox")
        self.setPlaceholderText("Scan or type a lot code…")
        self.setClearButtonEnabled(True)
        self.setToolTip(
            "Scan a lot label or a supplier's GS1 barcode, or type a lot code and press Enter"
        )
        self.setAccessibleName("Scan box")
        self.setMinimumWidth(240)
        self.returnPressed.connect(self._submit)

    def keyPressEvent(self, event: object) -> None:
        from PySide6.QtGui import QKeyEvent

        # Keyboard-wedge scanners send FNC1 as Ctrl+] (GS); keep it in the text.
        if (
            isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_BracketRight
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.insert(GS)
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

    def _submit(self) -> None:
        text = self.text()
        if not text.strip():
            return
        data = parse_scan(text)
        self.clear()
        self.scanned.emit(data)
