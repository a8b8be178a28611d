"""Run an import through the services, row by row, and report every row.

The same run serves the preview and the import: each row is read (dates, numbers,
choices), checked for a duplicate of what the database already holds or of an earlier
row of the file, then handed to the service the forms use (``create_supplier``,
``receive_lot``...), so the validation is the one the forms apply.  The services raise
before they add anything, so a refused row leaves the session as it was and the run
goes on to name every bad row.

- ``run_import`` writes into the caller's session and returns the ``ImportReport``; a
  preview or ``--dry-run`` simply never commits that session.  In a preview's trial
  (``SessionFactory.trial``) the run gives the write lock to other workstations every
  second or so between rows (``let_others_in``): the rows checked so far are rolled
  back then, and the run reads the database afresh; a repeat of an earlier row of the
  file is still known by its identity.  The import itself runs in one unit of work
  under the lock and checks every row again, so a record another workstation added
  while the maker looked at the preview is a duplicate there.
- ``import_table`` is the real thing: the same run, then ``ImportRefused`` (a
  ``UserError`` carrying the report) when any row is bad, so the caller's unit of work
  rolls back and nothing is written: all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import ConflictError, UserError
from smallbatch_desktop.services.common import let_others_in
from smallbatch_desktop.services.imports.mapping import FieldSpec, Mapping
from smallbatch_desktop.services.imports.readers import Table
from smallbatch_desktop.services.imports.validate import (
    DateOrder,
    is_ambiguous,
    parse_date,
    settle_order,
)

#: ``progress(done, total)``; may raise to stop the run (the GUI's Cancel)
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """A bad row: its spreadsheet row number, the column at fault, and why."""

    row: int
    column: str
    why: str

    def line(self) -> str:
        return f"row {self.row}, {self.column}: {self.why}"


@dataclass(frozen=True)
class Outcome:
    """A row that was (or would be) imported, or skipped as a duplicate."""

    row: int
    text: str


@dataclass
class ImportReport:
    kind: str
    source: str
    rows: int
    created: list[Outcome] = field(default_factory=list)
    duplicates: list[Outcome] = field(default_factory=list)
    #: rows left out on purpose (an order the shop cancelled)
    skipped: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: facts the maker should see: the date order read, records made on purpose
    notes: list[str] = field(default_factory=list)
    #: numeric dates in the file could be day/month or month/day: the maker must choose
    needs_date_order: bool = False
    date_order: DateOrder | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems}

    def row_status(self) -> dict[int, tuple[str, str]]:
        """Spreadsheet row -> ("bad" | "duplicate" | "skipped" | "new", what to show): a
        bad row's problems joined, a duplicate's or skip's reason, a new row's record."""
        out: dict[int, tuple[str, str]] = {}
        for o in self.created:
            out[o.row] = ("new", o.text)
        for o in self.duplicates:
            out[o.row] = ("duplicate", o.text)
        for o in self.skipped:
            out[o.row] = ("skipped", o.text)
        bad: dict[int, list[str]] = {}
        for p in self.problems:
            bad.setdefault(p.row, []).append(f"{p.column}: {p.why}")
        for row, whys in bad.items():
            out[row] = ("bad", "; ".join(whys))
        return out

    def summary(self) -> str:
        parts = [f"{len(self.created)} to import", f"{len(self.duplicates)} duplicates skipped"]
        if self.problems:
            parts.append(f"{len(self.bad_rows())} bad rows")
        return ", ".join(parts)


class ImportRefused(UserError):
    """Bad rows: nothing was imported.  ``report`` names every one."""

    def __init__(self, report: ImportReport) -> None:
        lines = [p.line() for p in report.problems[:5]]
        more = len(report.problems) - len(lines)
        msg = (
            f"import: {len(report.bad_rows())} bad rows in {report.source}, nothing imported\n"
            + "\n".join(lines)
            + (f"\n… and {more} more" if more > 0 else "")
        )
        super().__init__(msg, field="import")
        self.report = report


@dataclass
class Context:
    """What a kind's ``create`` gets besides the row: who, which day, a lookup cache.

    The cache holds what was read from the database (records, names, ids); keys that
    start with ``"file:"`` hold plain values about the file's own rows (codes given so
    far) and outlive ``forget``."""

    session: Session
    actor: str
    today: dt.date
    cache: dict[str, Any] = field(default_factory=dict)

    def forget(self) -> None:
        """A preview gave way to other workstations (``let_others_in``): what the rows
        wrote is rolled back and the database may have changed, so read it again."""
        self.cache = {k: v for k, v in self.cache.items() if k.startswith("file:")}


@dataclass(frozen=True)
class Kind:
    """One kind of master data.

    ``identity(values)`` is the key a repeat in the same file is known by ("" for none);
    ``existing(values, ctx)`` describes the record already in the database that the row
    duplicates, or None (what the database held when the run began: a repeat within the
    file is the identity's business);
    ``create(values, ctx)`` calls the service and returns a line for the preview.
    """

    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    identity: Callable[[dict[str, Any]], str]
    existing: Callable[[dict[str, Any], Context], str | None]
    create: Callable[[dict[str, Any], Context], str]

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)


def strip_field(message: str, names: Sequence[str]) -> str:
    """``"quantity: must be > 0"`` -> ``"must be > 0"`` (the column already names it)."""
    for n in names:
        if n and message.lower().startswith(n.lower() + ": "):
            return message[len(n) + 2 :]
    return message


class Columns:
    """Field key <-> the header a problem is reported under."""

    def __init__(self, fields: Sequence[FieldSpec], mapping: Mapping, headers: Sequence[str]):
        self.fields = fields
        self.mapping = mapping
        self.headers = headers

    def for_key(self, key: str) -> str:
        idx = self.mapping.get(key)
        if idx is not None:
            return self.headers[idx]
        spec = next((f for f in self.fields if f.key == key), None)
        return spec.label if spec else key

    def for_service_field(self, name: str | None) -> tuple[str, list[str]]:
        """The column for a ``UserError.field``, and the names to strip from its message."""
        if name:
            low = name.lower()
            for f in self.fields:
                if low == f.key or low == f.label.lower() or low in f.service_fields:
                    return self.for_key(f.key), [name, f.label, *f.service_fields]
        return (name or "row"), [name or ""]


def read_row(
    cells: Sequence[str],
    fields: Sequence[FieldSpec],
    mapping: Mapping,
    order: DateOrder | None,
    columns: Columns,
    row: int,
) -> tuple[dict[str, Any], list[Problem]]:
    """The row's values by field key (parsed), and a problem for each bad cell."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for f in fields:
        idx = mapping.get(f.key)
        text = cells[idx].strip() if idx is not None else ""
        if not text:
            if f.required:
                problems.append(Problem(row, columns.for_key(f.key), "is required"))
            values[f.key] = None if (f.parse or f.is_date) else ""
            continue
        try:
            if f.is_date:
                values[f.key] = parse_date(text, field=f.label, order=order)
            elif f.parse is not None:
                values[f.key] = f.parse(text, f.label)
            else:
                values[f.key] = text
        except UserError as exc:
            problems.append(
                Problem(row, columns.for_key(f.key), strip_field(exc.message, [f.label, f.key]))
            )
    return values, problems


def file_date_order(
    table: Table, fields: Sequence[FieldSpec], mapping: Mapping, chosen: DateOrder | None
) -> tuple[DateOrder | None, bool, str]:
    """(order to read with, whether the maker must still choose, a note for the report)."""
    date_cols = [mapping[f.key] for f in fields if f.is_date and f.key in mapping]
    values = [r[i] for r in table.rows for i in date_cols if r[i].strip()]
    if chosen is not None:
        return chosen, False, f"numeric dates read as {chosen.label} (as chosen)"
    order, example = settle_order(values)
    if order is not None:
        return order, False, f"numeric dates read as {order.label}: the file has {example!r}"
    if any(is_ambiguous(v) for v in values):
        return None, True, "numeric dates could be day/month or month/day: choose the date order"
    return None, False, ""


def check_mapping(kind_fields: Sequence[FieldSpec], mapping: Mapping) -> list[Problem]:
    return [
        Problem(1, f.label, "required, but no column is mapped to it")
        for f in kind_fields
        if f.required and f.key not in mapping
    ]


def run_import(
    session: Session,
    table: Table,
    kind: Kind,
    mapping: Mapping,
    *,
    date_order: DateOrder | None = None,
    actor: str = "",
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Import every good row into ``session`` and report every row (see module doc)."""
    report = ImportReport(kind.key, table.source, len(table))
    report.problems += check_mapping(kind.fields, mapping)
    if report.problems:
        return report
    columns = Columns(kind.fields, mapping, table.headers)
    for n, text in table.stray:
        report.problems.append(
            Problem(n, "(no header)", f"{text!r} is in a column without a header")
        )
    order, ask, note = file_date_order(table, kind.fields, mapping, date_order)
    report.date_order, report.needs_date_order = order, ask
    if note:
        report.notes.append(note)
    ctx = Context(session, actor, today or dt.date.today())
    seen: dict[str, int] = {}
    total = len(table)
    for i, (n, cells) in enumerate(zip(table.numbers, table.rows, strict=True)):
        if progress is not None and i % 50 == 0:
            progress(i, total)
        if let_others_in(session):  # a long preview: repeats in the file are still ``seen``
            ctx.forget()
        values, problems = read_row(cells, kind.fields, mapping, order, columns, n)
        if problems:
            report.problems += problems
            continue
        ident = kind.identity(values)
        if ident and ident in seen:
            report.duplicates.append(Outcome(n, f"{ident}: same as row {seen[ident]}"))
            continue
        try:
            existing = kind.existing(values, ctx)
            if existing:
                report.duplicates.append(Outcome(n, f"{existing}: already in the database"))
                if ident:
                    seen[ident] = n
                continue
            text = kind.create(values, ctx)
        except UserError as exc:
            check_session(session, n, exc)
            column, names = columns.for_service_field(exc.field)
            report.problems.append(Problem(n, column, strip_field(exc.message, names)))
            continue
        if ident:
            seen[ident] = n
        report.created.append(Outcome(n, text))
    if progress is not None:
        progress(total, total)
    return report


def check_session(session: Session, row: int, exc: UserError) -> None:
    """After a refusal the run goes on, unless the database itself refused a write (a
    unique name another workstation has just taken): the unit of work is then spent and
    the whole import is refused in one line."""
    if not session.is_active:
        raise ConflictError(
            f"import: row {row}: {exc.message}; another workstation may have just added the "
            "same; nothing was imported, try again",
            field="import",
        ) from exc


def import_table(
    session: Session, table: Table, kind: Kind, mapping: Mapping, **kw: Any
) -> ImportReport:
    """``run_import`` that refuses (``ImportRefused``) when any row is bad."""
    report = run_import(session, table, kind, mapping, **kw)
    if not report.ok:
        raise ImportRefused(report)
    return report
