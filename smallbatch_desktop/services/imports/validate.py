"""Cell values the services do not read themselves: dates in the common formats, money
with currency signs and thousands separators, names of kinds.

Dates: ISO (``2024-03-05``, with or without a time and zone), month names
(``5 Mar 2024``, ``March 5, 2024``, ``05-Mar-24``) and numeric day and month
(``05/03/2024``).  A numeric date is ambiguous (5 March or 3 May?): the file itself
settles it only when a value cannot be the other way round (``23/03/2024``); otherwise
the maker is asked (``DateOrder``), never guessed for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum

from smallbatch_desktop.domain.errors import ValidationError


class DateOrder(StrEnum):
    """How to read a numeric date such as 05/03/2024."""

    DMY = "dmy"
    MDY = "mdy"

    @property
    def label(self) -> str:
        return "day/month/year" if self is DateOrder.DMY else "month/day/year"


_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}

# a time and zone after the date: " 10:22", "T10:22:33Z", " 10:22:33 -0400", " 3:05 PM"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4}|\d{2})" + _TIME)
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})" + _TIME)

DATE_HELP = "use YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY, or 5 Mar 2024"


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000
    return y


def _make(year: int, month: int, day: int, text: str, field: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(f"{field}: {text!r} is not a real date", field=field) from None


def date_evidence(text: str) -> DateOrder | None:
    """The order a numeric date proves by itself (a part over 12), else None."""
    m = _NUMERIC.fullmatch(text.strip())
    if m is None:
        return None
    a, b = int(m.group(1)), int(m.group(3))
    if a > 12 >= b:
        return DateOrder.DMY
    if b > 12 >= a:
        return DateOrder.MDY
    return None


def is_ambiguous(text: str) -> bool:
    """A numeric date whose two first parts could each be the month (and differ)."""
    m = _NUMERIC.fullmatch(text.strip())
    if m is None:
        return False
    a, b = int(m.group(1)), int(m.group(3))
    return a <= 12 and b <= 12 and a != b


def settle_order(values: Iterable[str]) -> tuple[DateOrder | None, str]:
    """The order the file proves (and the value that proves it), or (None, "") when no
    value settles it.  Contradicting values leave it unsettled; each bad one is then
    reported when parsed."""
    found: dict[DateOrder, str] = {}
    for v in values:
        order = date_evidence(v)
        if order is not None and order not in found:
            found[order] = v.strip()
    if len(found) == 1:
        order, example = next(iter(found.items()))
        return order, example
    return None, ""


def parse_date(text: str, *, field: str, order: DateOrder | None) -> dt.date:
    """A date in one of the common formats; a numeric day/month needs ``order`` unless
    the value settles it itself (a part over 12) or day and month are equal."""
    s = (text or "").strip()
    if not s:
        raise ValidationError(f"{field}: a date is required ({DATE_HELP})", field=field)
    if m := _ISO.fullmatch(s):
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), s, field)
    if m := _NUMERIC.fullmatch(s):
        a, b, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        if order is None:
            proven = date_evidence(s)
            if proven is None and a != b:
                raise ValidationError(
                    f"{field}: {s!r} could be day/month or month/day; choose the date order",
                    field=field,
                )
            order = proven or DateOrder.DMY
        day, month = (a, b) if order is DateOrder.DMY else (b, a)
        if month > 12:
            raise ValidationError(
                f"{field}: {s!r} is not a date in {order.label} order", field=field
            )
        return _make(year, month, day, s, field)
    if m := _DAY_MONTH_NAME.fullmatch(s):
        named = _MONTHS.get(m.group(2).lower())
        if named is not None:
            return _make(_year(m.group(3)), named, int(m.group(1)), s, field)
    if m := _MONTH_NAME_DAY.fullmatch(s):
        named = _MONTHS.get(m.group(1).lower())
        if named is not None:
            return _make(int(m.group(3)), named, int(m.group(2)), s, field)
    raise ValidationError(f"{field}: {s!r} is not a date; {DATE_HELP}", field=field)


_CURRENCY = re.compile(r"^\s*(?:[A-Z]{3}\s*)?[$€£¥]?\s*|\s*[$€£¥]?\s*(?:[A-Z]{3})?\s*$")


def money_text(text: str) -> str:
    """``"$1,234.50"``, ``"4,50 €"``, ``"EUR 12"``, ``"12.00 USD"`` -> plain decimal text
    for ``units.parse_decimal`` (which refuses what is still not a number)."""
    s = (text or "").strip()
    if not s:
        return ""
    s = _CURRENCY.sub("", s).replace("\u00a0", "").replace(" ", "")
    if "," in s and "." in s:
        # the last separator is the decimal one: 1,234.50 or 1.234,50
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif s.count(",") > 1:
        s = s.replace(",", "")
    return s


_SIGNS = {"€": "EUR", "£": "GBP", "¥": "JPY"}


def currency_of(text: str) -> str | None:
    """The ISO code a money cell names by itself (``"£1.20"``, ``"12 EUR"``), else None
    (a bare ``$`` is several currencies)."""
    s = (text or "").strip()
    m = re.match(r"^([A-Z]{3})\b", s) or re.search(r"\b([A-Z]{3})$", s)
    if m:
        return m.group(1)
    return next((code for sign, code in _SIGNS.items() if sign in s), None)


def choice(text: str, options: Iterable[str], *, field: str, default: str) -> str:
    """One of ``options`` whatever its case (``Packaging`` -> ``packaging``)."""
    s = (text or "").strip().lower()
    if not s:
        return default
    opts = list(options)
    for o in opts:
        if s == o.lower() or s.replace("_", " ") == o.lower():
            return o
    raise ValidationError(f"{field}: {text!r} is not one of {', '.join(opts)}", field=field)
