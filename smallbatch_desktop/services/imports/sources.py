"""Everything a file can be imported as, behind one face: the four master data kinds and
the four web shop order exports.  The Import dialog lists them, detects one from the
headers, and runs its check and its import without caring which it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from smallbatch_desktop.services.imports import orders as order_import
from smallbatch_desktop.services.imports.apply import (
    ImportReport,
    Kind,
    ProgressFn,
    import_table,
    run_import,
)
from smallbatch_desktop.services.imports.kinds import KINDS
from smallbatch_desktop.services.imports.mapping import FieldSpec, Mapping
from smallbatch_desktop.services.imports.platforms import PLATFORMS, Platform, detect_platform
from smallbatch_desktop.services.imports.readers import Table
from smallbatch_desktop.services.imports.validate import DateOrder


@dataclass(frozen=True)
class Options:
    """The maker's answers besides the mapping."""

    date_order: DateOrder | None = None
    #: orders: product key -> recipe code (None: not chosen)
    products: AbcMapping[str, str | None] | None = None
    #: orders: the channel (None: the platform's)
    channel: str | None = None
    actor: str = ""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    kind: Kind | None = None
    platform: Platform | None = None

    @property
    def is_orders(self) -> bool:
        return self.platform is not None

    def check(
        self,
        session: Session,
        table: Table,
        mapping: Mapping,
        options: Options,
        progress: ProgressFn | None = None,
    ) -> ImportReport:
        """Every row checked (and written into ``session``, which the caller rolls back)."""
        return self._run(
            order_import.run_order_import, run_import, session, table, mapping, options, progress
        )

    def apply(
        self,
        session: Session,
        table: Table,
        mapping: Mapping,
        options: Options,
        progress: ProgressFn | None = None,
    ) -> ImportReport:
        """All or nothing: ``ImportRefused`` when any row is bad."""
        return self._run(
            order_import.import_orders, import_table, session, table, mapping, options, progress
        )

    def _run(
        self,
        for_orders: Callable[..., ImportReport],
        for_kind: Callable[..., ImportReport],
        session: Session,
        table: Table,
        mapping: Mapping,
        options: Options,
        progress: ProgressFn | None,
    ) -> ImportReport:
        """The order platform's or the master-data kind's function, with its arguments."""
        if self.platform is not None:
            return for_orders(
                session, table, self.platform, mapping, **_order_kw(options), progress=progress
            )
        assert self.kind is not None
        return for_kind(
            session,
            table,
            self.kind,
            mapping,
            date_order=options.date_order,
            actor=options.actor,
            progress=progress,
        )


def _order_kw(options: Options) -> dict[str, Any]:
    return {
        "products": options.products,
        "date_order": options.date_order,
        "channel": options.channel,
        "actor": options.actor,
    }


SOURCES: dict[str, Source] = {
    **{k.key: Source(k.key, k.title, k.fields, kind=k) for k in KINDS.values()},
    **{
        f"orders:{p.key}": Source(f"orders:{p.key}", p.title, p.fields, platform=p)
        for p in PLATFORMS.values()
    },
}


def detect_source(headers: Sequence[str]) -> Source | None:
    """A web shop export by its signature columns, else the master data kind the headers
    fit best; None when nothing fits or two kinds fit equally."""
    from smallbatch_desktop.services.imports import detect_kind

    platform = detect_platform(headers)
    if platform is not None:
        return SOURCES[f"orders:{platform.key}"]
    kind = detect_kind(headers)
    return SOURCES[kind.key] if kind is not None else None
