"""Which column holds which field: detected from the headers, shown, changed by the maker.

A ``Mapping`` is ``{field key: column index}``; a field left out is not imported.
``auto_map`` matches each field's known header names (its label, the service's field
name and the aliases real exports use) after folding case, spaces, punctuation and
accents, exact matches first, then a header that starts with the name.  A column is
given to one field at most.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass
from typing import Any

from smallbatch_desktop.domain.errors import ValidationError

#: field key -> column index
Mapping = dict[str, int]


@dataclass(frozen=True)
class FieldSpec:
    """One importable field.

    ``key`` names it in mappings and on the command line (``--map key=Header``);
    ``service_fields`` are the ``UserError.field`` names the services use for it, so a
    refusal is reported against this field's column.
    """

    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    service_fields: tuple[str, ...] = ()
    help: str = ""
    #: reads a non-empty cell (text, field label) into what the service takes; raises
    #: ``UserError`` naming the field.  None: the text as it is.
    parse: Callable[[str, str], Any] | None = None
    #: a date field: read with the file's date order
    is_date: bool = False

    def names(self) -> list[str]:
        return [*self.aliases, self.label, self.key, *self.service_fields]


def fold(text: str) -> str:
    """``"Lineitem SKU"`` -> ``"lineitemsku"``; ``"Prénom"`` -> ``"prenom"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "", plain.lower())


def auto_map(headers: Sequence[str], fields: Sequence[FieldSpec]) -> Mapping:
    folded = [fold(h) for h in headers]
    taken: set[int] = set()
    out: Mapping = {}

    def take(names_of: Callable[[FieldSpec], list[str]], exact: bool) -> None:
        for f in fields:
            if f.key in out:
                continue
            for name in names_of(f):
                n = fold(name)
                if not exact and len(n) < 4:
                    continue
                idx = next(
                    (
                        i
                        for i, h in enumerate(folded)
                        if i not in taken and (h == n if exact else h.startswith(n))
                    ),
                    None,
                )
                if idx is not None:
                    out[f.key] = idx
                    taken.add(idx)
                    break

    # exact aliases first for every field (a platform's own column names), then exact
    # labels and keys, and only then a header that starts with a name: a loose match
    # never takes a column another field names exactly
    take(lambda f: list(f.aliases), True)
    take(lambda f: [f.label, f.key, *f.service_fields], True)
    take(FieldSpec.names, False)
    return out


def match_score(headers: Sequence[str], fields: Sequence[FieldSpec]) -> float:
    """How well the headers fit these fields: below 1 when a required field has no
    column, else 1 plus the share of the file's columns the fields take (so a lots file
    that also fits the materials' Name and Unit still scores higher as lots)."""
    m = auto_map(headers, fields)
    required = [f for f in fields if f.required]
    found_req = sum(1 for f in required if f.key in m)
    if required and found_req < len(required):
        return found_req / len(required) - 1
    return 1 + len(m) / max(1, len(headers))


def parse_overrides(
    items: Sequence[str], headers: Sequence[str], fields: Sequence[FieldSpec]
) -> dict[str, int | None]:
    """``["quantity=Qty", "notes="]`` -> ``{"quantity": 3, "notes": None}`` (a column
    named by its header or by its 1-based number; empty to leave the field out)."""
    keys = {f.key: f for f in fields}
    out: dict[str, int | None] = {}
    for item in items:
        key, sep, column = item.partition("=")
        key = key.strip()
        if not sep or key not in keys:
            raise ValidationError(
                f"--map: {item!r} must be FIELD=COLUMN with FIELD one of {', '.join(keys)}",
                field="map",
            )
        out[key] = column_index(column.strip(), headers) if column.strip() else None
    return out


def column_index(column: str, headers: Sequence[str]) -> int:
    for i, h in enumerate(headers):
        if h == column:
            return i
    folded = fold(column)
    for i, h in enumerate(headers):
        if fold(h) == folded:
            return i
    if column.isdigit() and 1 <= int(column) <= len(headers):
        return int(column) - 1
    raise ValidationError(
        f"--map: no column {column!r}; the file has {', '.join(headers)}", field="map"
    )


def apply_overrides(mapping: Mapping, overrides: AbcMapping[str, int | None]) -> Mapping:
    out = dict(mapping)
    for key, idx in overrides.items():
        if idx is None:
            out.pop(key, None)
            continue
        for other, j in list(out.items()):
            if j == idx and other != key:
                del out[other]
        out[key] = idx
    return out


def describe(mapping: Mapping, headers: Sequence[str], fields: Sequence[FieldSpec]) -> list[str]:
    """One line per field: ``quantity <- "Qty"`` or ``notes (not imported)``."""
    lines = []
    for f in fields:
        idx = mapping.get(f.key)
        mark = " *" if f.required else ""
        if idx is None:
            lines.append(f"  {f.key}{mark}: (not in the file)")
        else:
            lines.append(f"  {f.key}{mark} <- {headers[idx]!r}")
    return lines
