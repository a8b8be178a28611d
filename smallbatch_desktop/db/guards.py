"""The database's own refusals, turned into messages a maker can act on.

Migration ``0003_integrity`` gives the database the last word on the rules that keep the
records true, whatever client writes (a workstation still on an old version, a script,
a bug): stock and batches never go below zero, released batch records and published
recipe versions never change, "n of N" label numbers never repeat, a lot code names one
thing.  Its triggers refuse with a message ``smallbatch:<code>``; unique constraints
refuse in each engine's own words.  ``install`` hooks ``translate`` into the engine's
``handle_error`` event, so such a refusal reaches the caller as a ``UserError`` (shown
as it is, the unit of work rolled back) instead of a raw ``IntegrityError``.

The services check the same rules first, under a lock, with the figures in the message;
these texts are for the refusals the services could not see coming.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event

from smallbatch_desktop.domain.errors import (
    ConflictError,
    DuplicateError,
    ImmutableError,
    InsufficientStockError,
    UserError,
)

#: trigger code -> (error class, field, message)
TRIGGER_ERRORS: dict[str, tuple[type[UserError], str, str]] = {
    "lot_overdrawn": (
        InsufficientStockError,
        "quantity",
        "quantity: that is more than is left of the lot now (another workstation may have "
        "just used it); nothing was saved",
    ),
    "batch_overdrawn": (
        InsufficientStockError,
        "quantity",
        "quantity: that is more than is left of the batch now (another workstation may have "
        "just used or shipped it); nothing was saved",
    ),
    "batch_frozen": (
        ImmutableError,
        "batch",
        "batch: the record of a released, rejected or recalled batch cannot change; "
        "correct it with an amendment",
    ),
    "version_published": (
        ImmutableError,
        "recipe version",
        "recipe version: a published version cannot change; start a new version from it",
    ),
    "amendment_kept": (
        ImmutableError,
        "amendment",
        "amendment: amendments are part of the record and are never changed or removed",
    ),
    "label_numbers_taken": (
        ConflictError,
        "start number",
        "numbering: these label numbers were printed already (another workstation may have "
        "just printed them); plan the print again",
    ),
    "lot_code_taken": (
        DuplicateError,
        "lot code",
        "lot code: a material lot or batch already has this code",
    ),
}

_TRIGGER = re.compile(r"smallbatch:([a-z_]+)")
#: SQLite: "UNIQUE constraint failed: batches.lot_code"; PostgreSQL: the constraint name
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+)")
_PG_UNIQUE = re.compile(r'unique constraint "(?:uq|ix)_(\w+?)_(\w+)"')

#: table.column -> what a maker calls the value
_UNIQUE_FIELDS = {
    "batches.lot_code": "lot code",
    "material_lots.lot_code": "lot code",
    "materials.code": "material code",
    "recipes.code": "product code",
    "suppliers.name": "supplier name",
    "customers.name": "customer name",
    "recipe_versions.recipe_id": "recipe version",
    "recipe_versions.recipe_version": "recipe version",
    "label_layouts.name": "name",
    "custom_stocks.name": "name",
    "printer_profiles.name": "name",
}


def _unique(message: str) -> tuple[str, str] | None:
    m = _SQLITE_UNIQUE.search(message)
    if m:
        return m.group(1), m.group(2)
    m = _PG_UNIQUE.search(message)
    if m:
        # names follow the naming convention uq_<table>_<column>; tables hold "_" too
        rest = f"{m.group(1)}_{m.group(2)}"
        for table in sorted({k.split(".")[0] for k in _UNIQUE_FIELDS}, key=len, reverse=True):
            if rest.startswith(table + "_"):
                return table, rest[len(table) + 1 :]
    return None


def translate(exc: BaseException) -> UserError | None:
    """The ``UserError`` for a database refusal of ours, or None for anything else."""
    message = str(exc)
    m = _TRIGGER.search(message)
    if m and m.group(1) in TRIGGER_ERRORS:
        cls, field, text = TRIGGER_ERRORS[m.group(1)]
        if cls is DuplicateError:
            return DuplicateError(text, field=field, constraint="lot_code")
        return cls(text, field=field)
    found = _unique(message) if "nique" in message else None
    if found is not None:
        table, column = found
        key = f"{table}.{column}"
        field = _UNIQUE_FIELDS.get(key, column.replace("_", " "))
        return DuplicateError(
            f"{field}: this value is already taken (another workstation may have saved "
            "it a moment ago); nothing was saved",
            field=field,
            constraint=key,
        )
    return None


def _handle_error(context: Any) -> UserError | None:
    return translate(context.original_exception)


def install(engine: Engine) -> None:
    event.listen(engine, "handle_error", _handle_error)
