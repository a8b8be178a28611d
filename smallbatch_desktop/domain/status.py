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


class OrderStatus(StrEnum):
    """A sales order's life: open -> in production -> ready -> shipped, or cancelled."""

    OPEN = "open"
    IN_PRODUCTION = "in_production"
    READY = "ready"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _ORDER_LABELS[self]


_ORDER_LABELS = {
    OrderStatus.OPEN: "Open",
    OrderStatus.IN_PRODUCTION: "In production",
    OrderStatus.READY: "Ready",
    OrderStatus.SHIPPED: "Shipped",
    OrderStatus.CANCELLED: "Cancelled",
}

#: orders whose lines still ask for stock (the make list counts them)
ORDER_ACTIVE = frozenset({OrderStatus.OPEN, OrderStatus.IN_PRODUCTION, OrderStatus.READY})

#: action name -> (allowed from, to). "ship" is not an action: an order becomes shipped
#: when its last line has shipped in full.
ORDER_TRANSITIONS: dict[str, tuple[frozenset[OrderStatus], OrderStatus]] = {
    "start": (frozenset({OrderStatus.OPEN}), OrderStatus.IN_PRODUCTION),
    "ready": (frozenset({OrderStatus.OPEN, OrderStatus.IN_PRODUCTION}), OrderStatus.READY),
    "reopen": (frozenset({OrderStatus.IN_PRODUCTION, OrderStatus.READY}), OrderStatus.OPEN),
    "cancel": (ORDER_ACTIVE, OrderStatus.CANCELLED),
}


def order_actions(status: str | OrderStatus) -> list[str]:
    s = OrderStatus(status)
    return [name for name, (src, _) in ORDER_TRANSITIONS.items() if s in src]


class PoStatus(StrEnum):
    """A purchase order's life: draft -> ordered -> partly received -> received, or cancelled."""

    DRAFT = "draft"
    ORDERED = "ordered"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: purchase orders whose outstanding quantities are on their way
PO_OPEN = frozenset({PoStatus.ORDERED, PoStatus.PARTLY_RECEIVED})
