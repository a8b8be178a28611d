"""Text a person typed: control characters are refused, with the field named.

A NUL byte or an escape sequence in a name survives a database round trip and then
reaches the CSVs, the FSMA spreadsheet, the labels and the terminal raw: a NUL truncates
the field in many C readers, ESC rewrites a terminal, a form feed breaks a page.  So
every text field refuses the C0 controls (U+0000-U+001F), DEL (U+007F) and the C1
controls (U+0080-U+009F).  A field that holds several lines (notes, an address, steps)
accepts line breaks and tabs; its Windows (CR LF) and old Mac (CR) line ends become LF.
"""

from __future__ import annotations

import re

from smallbatch_desktop.domain.errors import ValidationError

_SINGLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NAMES = {
    0x00: "a NUL byte",
    0x09: "a tab",
    0x0A: "a line break",
    0x0D: "a carriage return",
    0x1B: "an escape (ESC)",
    0x7F: "a delete (DEL)",
}


def check_text(text: str, *, field: str, lines: bool = False) -> str:
    """``text`` with line ends normalised, or a ``ValidationError`` naming ``field`` and
    the first control character (and its position, counted from 1)."""
    if lines and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = (_LINES if lines else _SINGLE).search(text)
    if found is not None:
        code = ord(found.group())
        what = _NAMES.get(code, "a control character")
        where = "; it holds one line" if code in (0x0A, 0x0D) else ""
        raise ValidationError(
            f"{field}: contains {what} (U+{code:04X}) at character {found.start() + 1}"
            f"{where}; remove it",
            field=field,
        )
    return text
