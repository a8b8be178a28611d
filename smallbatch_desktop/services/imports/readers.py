"""Read a CSV or XLSX file into a plain table of text cells.

Every cell becomes ``str`` so that validation sees what the maker typed, whatever the
file format: XLSX numbers are written back as exact decimal text (``2.5``, never
``2.4999999``), XLSX dates as ISO text (``2024-03-05``), empty cells as ``""``.
Row numbers are the ones a spreadsheet shows (the header is row 1 when it is the first
row), so a report line "row 7" is found at once in Excel or LibreOffice.

CSV: UTF-8 (with or without the byte-order mark Excel writes), falling back to
Windows-1252 for files saved by an old Excel; the separator (comma, semicolon, tab) is
sniffed from the header line, since European spreadsheets save with semicolons.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from smallbatch_desktop.domain.errors import ValidationError

#: file suffixes the importer reads
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: refuse files that are obviously not a table a maker exports (a 200 MB log...)
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Table:
    """The header and data rows of one sheet, every cell text.

    ``numbers[i]`` is the spreadsheet row number of ``rows[i]``; every row has exactly
    ``len(headers)`` cells (short rows are padded, cells past the last header dropped).
    """

    source: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numbers: tuple[int, ...]
    sheet: str = ""
    #: cells found beyond the last header: (row number, text), reported as problems
    stray: tuple[tuple[int, str], ...] = field(default=())

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, index: int) -> list[str]:
        return [r[index] for r in self.rows]


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """The table in ``path`` (CSV by content, XLSX by suffix)."""
    p = Path(path)
    if not p.is_file():
        raise ValidationError(f"file: {p} does not exist", field="file")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError(
            f"file: {p.name} is {size // (1024 * 1024)} MB; at most {MAX_BYTES // (1024 * 1024)} MB",
            field="file",
        )
    suffix = p.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(p, sheet=sheet)
    if suffix == ".xls":
        raise ValidationError(
            f"file: {p.name} is an old Excel 97 file; save it as .xlsx or .csv", field="file"
        )
    data = p.read_bytes()
    if data[:4] == b"PK\x03\x04":  # an XLSX saved under another name
        return read_xlsx(p, sheet=sheet)
    return read_csv_bytes(data, source=p.name)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_bytes(data: bytes, *, source: str = "CSV") -> Table:
    text = decode(data)
    if "\x00" in text:
        raise ValidationError(f"file: {source} is not a text (CSV) file", field="file")
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ValidationError(
            f"file: {source} is not a readable CSV ({exc})", field="file"
        ) from None
    return _table(source, "", [(i + 1, r) for i, r in enumerate(records)])


def read_xlsx(path: Path, *, sheet: str | None = None) -> Table:
    import zipfile

    from openpyxl import load_workbook  # heavy: only when an XLSX is opened

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(
            f"file: {path.name} is not a readable XLSX workbook ({exc})", field="file"
        ) from None
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise ValidationError(
                    f"sheet: {path.name} has no sheet {sheet!r} (it has {', '.join(wb.sheetnames)})",
                    field="sheet",
                )
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        records = [
            (i + 1, [cell_text(v) for v in row])
            for i, row in enumerate(ws.iter_rows(values_only=True))
        ]
        title = ws.title
    finally:
        wb.close()
    return _table(path.name, title, records)


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of an XLSX workbook, in order; ``[]`` for a CSV."""
    p = Path(path)
    if p.suffix.lower() not in XLSX_SUFFIXES:
        return []
    from openpyxl import load_workbook

    try:
        wb = load_workbook(p, read_only=True)
    except Exception:  # unreadable: read_table says why
        return []
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def cell_text(value: object) -> str:
    """One spreadsheet cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same double: 2.5, 0.1, 1e-05
        d = Decimal(repr(value))
        if d == d.to_integral_value():
            return str(int(d))
        return format(d.normalize(), "f")
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def _table(source: str, sheet: str, records: list[tuple[int, list[str]]]) -> Table:
    body = [(n, [c.strip() for c in r]) for n, r in records if any(c.strip() for c in r)]
    if not body:
        raise ValidationError(f"file: {source} has no rows", field="file")
    _n, header = body[0]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    headers = tuple(h or f"Column {i + 1}" for i, h in enumerate(header))
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    stray: list[tuple[int, str]] = []
    for n, r in body[1:]:
        extra = [c for c in r[width:] if c]
        if extra:
            stray.append((n, extra[0]))
        cells = (r + [""] * width)[:width]
        rows.append(tuple(cells))
        numbers.append(n)
    return Table(source, headers, tuple(rows), tuple(numbers), sheet, tuple(stray))
