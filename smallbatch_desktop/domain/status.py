"""The batch life: planned -> in_production -> qc_hold -> released, and rejected, recalled."""

from __future__ import annotations

from enum import StrEnum


class BatchStatus(StrEnum):
    PLANNED = "planned"
    IN_PRODUCTION = "in_production"
    QC_HOLD = "qc_hold"
    RELEASED = "released"
    REJECTED = "rejected"
    RECALLED = "recalled"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    BatchStatus.PLANNED: "Planned",
    BatchStatus.IN_PRODUCTION: "In production",
    BatchStatus.QC_HOLD: "QC hold",
    BatchStatus.RELEASED: "Released",
    BatchStatus.REJECTED: "Rejected",
    BatchStatus.RECALLED: "Recalled",
}

#: action name -> (allowed from, to)
TRANSITIONS: dict[str, tuple[frozenset[BatchStatus], BatchStatus]] = {
    "start": (frozenset({BatchStatus.PLANNED}), BatchStatus.IN_PRODUCTION),
    "to_qc": (frozenset({BatchStatus.IN_PRODUCTION}), BatchStatus.QC_HOLD),
    "back_to_production": (frozenset({BatchStatus.QC_HOLD}), BatchStatus.IN_PRODUCTION),
    "release": (frozenset({BatchStatus.QC_HOLD}), BatchStatus.RELEASED),
    "reject": (
        frozenset({BatchStatus.PLANNED, BatchStatus.IN_PRODUCTION, BatchStatus.QC_HOLD}),
        BatchStatus.REJECTED,
    ),
    "recall": (frozenset({BatchStatus.RELEASED}), BatchStatus.RECALLED),
}

#: statuses in which inputs may still be recorded
EDITABLE = frozenset({BatchStatus.PLANNED, BatchStatus.IN_PRODUCTION})
#: statuses whose record is frozen (changes only through amendments)
FROZEN = frozenset({BatchStatus.RELEASED, BatchStatus.RECALLED, BatchStatus.REJECTED})
#: statuses whose output may be used or shipped
USABLE = frozenset({BatchStatus.RELEASED})


def allowed_actions(status: str | BatchStatus) -> list[str]:
    s = BatchStatus(status)
    return [name for name, (src, _) in TRANSITIONS.items() if s in src]
