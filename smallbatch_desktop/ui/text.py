"""How the UI shows what people typed, times and money.

- User text (product names, operators, notes, supplier names...) is shown as plain
  text: a label that shows only user text gets ``plain(label)``; a label that mixes our
  own emphasis with user text escapes the user's parts with ``esc`` (so a product
  called ``<b>Cam</b>`` shows those characters, not bold "Cam"); a tooltip that may
  carry user text goes through ``ui.widgets.tips.plain_tip``.
- Times are stored in UTC and shown in the computer's local time (``local``); a naive
  value is taken as UTC, as stored.
- Money is shown with the workshop's currency (Settings -> Currency): ``money``.
"""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

W = TypeVar("W", QLabel, QMessageBox)


def esc(value: object) -> str:
    """User text inside rich text: shown exactly as typed."""
    return html.escape("" if value is None else str(value), quote=False)


def sentence(message: str) -> str:
    """A service's message as a maker reads it: ``reason: say why...`` becomes
    ``Reason: say why...`` (the field it names first, capitalised)."""
    return message[:1].upper() + message[1:] if message else message


def plain(label: W) -> W:
    """Show ``label``'s text as typed (Qt would take text that looks like HTML as HTML)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def rich(label: W) -> W:
    """A label whose text we build as HTML (user parts passed through ``esc``)."""
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time in the computer's local time zone."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().strftime(fmt)


def money(amount: Decimal | None, currency: str) -> str:
    """``12.50 USD``: two decimals at least, more when the amount has them (unit costs
    of a gram may need four)."""
    if amount is None:
        return "—"
    exp = amount.normalize().as_tuple().exponent
    places = max(2, -exp if isinstance(exp, int) else 2)
    return f"{amount:,.{places}f} {currency}".strip()
