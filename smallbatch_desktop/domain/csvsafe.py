"""CSV that a spreadsheet opens as data, never as formulas (CSV/formula injection).

Every CSV the app writes goes through :class:`SafeWriter`.  A spreadsheet (Excel,
LibreOffice, Google Sheets) runs a cell that *begins* with ``=``, ``+``, ``-`` or ``@`` as
a formula, and a leading tab or carriage return can smuggle one past a naive check; a
supplier called ``=HYPERLINK("http://evil", "Click")`` would otherwise run on the
recall coordinator's PC.  Following OWASP ("CSV Injection"), such a cell gets a leading
single quote, which the spreadsheet shows as text; the csv module takes care of quotes
and separators inside the cell.

The choice about numbers: only *text* is escaped.  Values the app computes itself and
passes as real ``Decimal``/``int`` (quantities, counts) are written as plain numbers,
even when negative, so a spreadsheet can still sum and sort them: a number we format
ourselves cannot carry a formula.  A negative number that arrives as *text* (typed by a
user into a free-text field) does get the quote, which is the price of the rule being
simple and safe.  Dates are written as ISO ``YYYY-MM-DD`` (sortable as text, read as
dates by every spreadsheet).

Files are UTF-8 with a byte-order mark (``utf-8-sig``) because Excel otherwise reads
UTF-8 as the ANSI code page and mangles "Inês" and "Jaén"; every other reader ignores
the mark.  Python's ``csv`` reads them back with ``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import repeat
from typing import IO, Any

#: First characters that make a spreadsheet treat a cell as a formula (OWASP list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: The encoding of every CSV file the app writes (see the module docstring).
CSV_ENCODING = "utf-8-sig"


def escape_text(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def format_decimal(value: Decimal) -> str:
    """An exact decimal as plain digits: no exponent, no trailing zeros (``1.500000`` -> ``1.5``)."""
    q = value.normalize()
    text = f"{q:f}"
    return "0" if text == "-0" else text


def cell(value: Any) -> str:
    """One value as CSV cell text: numbers and dates as data, anything else as safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # never used for stock or money; refuse rather than write a binary fraction
        raise TypeError("CSV cells take Decimal or int, never float")
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape_text(str(value))


class SafeWriter:
    """``csv.writer`` whose every row goes through :func:`cell`.

    Lines end in CRLF (RFC 4180, what spreadsheets expect); open the file with
    ``newline=""`` as the csv module asks.
    """

    def __init__(self, fileobj: IO[str]) -> None:
        self._writer = csv.writer(fileobj, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def escape_column(texts: Sequence[str]) -> Sequence[str]:
    """:func:`escape_text` of every text of a column (the column itself when none needs it,
    which one C-speed pass finds out)."""
    if any(map(str.startswith, texts, repeat(FORMULA_TRIGGERS))):
        return list(map(escape_text, texts))
    return texts


#: what makes the csv module quote a cell (``QUOTE_MINIMAL``, our line terminator)
_QUOTE_IF = (",", '"', "\r", "\n")


def _quoted(text: str) -> str:
    if any(map(text.__contains__, _QUOTE_IF)):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_columns(fileobj: IO[str], columns: Sequence[Sequence[str]], chunk: int = 8192) -> int:
    """Rows given a column at a time, written exactly as :class:`SafeWriter`'s
    ``csv.writer`` writes them; returns the number of rows.

    The cells must already be cell text (:func:`cell`, :func:`escape_column`).  A long
    report (a recall of 50,000 rows) is written many times faster this way: a column
    needs quoting only if some cell has a comma, a quote or a line break (one test per
    column), and each row is one ``str.join``.
    """
    if not columns:
        return 0
    n = len(columns[0])
    if any(len(c) != n for c in columns):
        raise ValueError("every column has a cell for every row")
    if len(columns) == 1:  # the csv module quotes a lone empty cell: leave that to it
        csv.writer(fileobj, lineterminator="\r\n").writerows([c] for c in columns[0])
        return n
    ready = [
        list(map(_quoted, c)) if any(map("".join(c).__contains__, _QUOTE_IF)) else c
        for c in columns
    ]
    for start in range(0, n, chunk):
        rows = zip(*(c[start : start + chunk] for c in ready), strict=True)
        fileobj.write("\r\n".join(map(",".join, rows)))
        fileobj.write("\r\n")
    return n


def open_csv(path: str | Any) -> IO[str]:
    """Open ``path`` for writing a CSV the way :class:`SafeWriter` expects."""
    return open(path, "w", encoding=CSV_ENCODING, newline="")
