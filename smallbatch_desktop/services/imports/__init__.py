"""Imports from spreadsheets: master data (materials, suppliers, customers, lots) and
orders from web shop exports.

- ``readers``: CSV or XLSX -> a ``Table`` of text cells with spreadsheet row numbers.
- ``mapping``: which column holds which field, detected from the headers, editable.
- ``validate``: dates in the common formats (the day/month order asked, not guessed),
  money with currency signs.
- ``kinds``: the master data kinds, each calling the service its form uses.
- ``apply``: one run for preview and import, every bad row named (row, column, why),
  all or nothing.

Nothing here imports Qt: the GUI dialog and the CLI share all of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from smallbatch_desktop.services.imports.apply import (
    ImportRefused,
    ImportReport,
    Kind,
    Problem,
    import_table,
    run_import,
)
from smallbatch_desktop.services.imports.kinds import KINDS
from smallbatch_desktop.services.imports.mapping import auto_map, match_score
from smallbatch_desktop.services.imports.readers import Table, read_table
from smallbatch_desktop.services.imports.validate import DateOrder


def detect_kind(headers: Sequence[str], candidates: Sequence[Kind] | None = None) -> Kind | None:
    """The master data kind whose fields the headers fit best; None when no kind has all
    its required columns or two fit equally well (the maker then chooses)."""
    kinds = list(candidates or KINDS.values())
    scored = sorted(
        ((match_score(headers, k.fields), i, k) for i, k in enumerate(kinds)),
        key=lambda t: (-t[0], t[1]),
    )
    if not scored or scored[0][0] < 1:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][2]


__all__ = [
    "KINDS",
    "DateOrder",
    "ImportRefused",
    "ImportReport",
    "Kind",
    "Problem",
    "Table",
    "auto_map",
    "detect_kind",
    "import_table",
    "read_table",
    "run_import",
]
