"""The reports' records: what a provenance sheet and a recall report print, as plain data.

``services.reports`` fills these immutable records from the database and the PDF
renderers (``pdf.provenance``, ``pdf.recall``) draw them, like the labels' ``LabelData``:
no ORM object leaves the session, and one renderer serves the GUI preview, printing and
the command line.  They live in the domain layer because both of those layers use them
and neither may import the other.

The row types a recall has tens of thousands of are light: ``RecallBatch`` and
``RecallShipment`` are named tuples (made at C speed), ``InputLine`` uses ``__slots__``
(no dictionary per row, half the objects for the garbage collector to walk).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from smallbatch_desktop.domain.units import format_quantity

#: Between the lot codes of a recall path: ``L-CHIL-001 → MASH-001 → HS-002``.
ARROW = " → "

K = TypeVar("K")
V = TypeVar("V")


# --------------------------------------------------------------------------- in bulk


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off CPython's cycle collector while a large report is built or rendered.

    A recall of a busy raw material makes some 150,000 small objects (trace edges,
    rows, paths), and its PDF as many again (ReportLab's page objects).  Every 700 new
    objects the collector runs, and every hundred or so of those runs walk the whole
    heap: a quarter of the time of a 27,000-batch recall went there.  None of these
    objects need it (reference counting frees them); whatever cycles there are are
    found by the next collection after this block.  The collector stays off if it was
    off already.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class Memo(dict[K, V]):
    """``memo[value]`` is ``fn(value)``, computed once per distinct value.

    For reading and writing records in bulk (database values, CSV cells, PDF table
    cells): the products, units, dates and quantities of a long recall repeat on
    thousands of rows, and :meth:`each` looks them up at C speed.
    Values that compare equal share one result, so use it where that is right
    (``Decimal("1.50")`` and ``Decimal("1.5")`` print alike; ``True`` and ``1`` do not).
    """

    def __init__(self, fn: Callable[[K], V]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, value: K) -> V:
        result = self[value] = self.fn(value)
        return result

    def each(self, values: Iterable[K]) -> list[V]:
        """``[self[v] for v in values]``, looked up by ``map`` (no bytecode per value)."""
        return list(map(self.__getitem__, values))


# --------------------------------------------------------------------------- provenance


@dataclass(frozen=True, slots=True)
class InputLine:
    """One input of the batch; ``level`` 1 is a direct input, 2 an input of that one..."""

    level: int
    kind: str  # "material" or "batch" (an intermediate we made)
    name: str
    lot_code: str
    quantity: Decimal
    unit: str
    supplier: str = ""
    supplier_lot_code: str = ""
    origin: str = ""
    certifications: str = ""
    expiry: dt.date | None = None  # a material lot's expiry, an intermediate's best-before
    material_kind: str = ""  # ingredient, packaging... ("" for batches)


@dataclass(frozen=True)
class QcLine:
    """One QC result of the batch, or a check with none (``state`` "missing").

    The sheet lists every result, failed ones and retests included, check by check in
    the order they were recorded: ``attempt`` 1 is the first result of its check, 2 the
    first retest...; ``current`` marks the result that counts (the latest of its check).
    """

    name: str
    spec: str
    value: str
    state: str  # pass | fail | missing
    required: bool = True
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None
    attempt: int = 1
    current: bool = True
    note: str = ""


@dataclass(frozen=True)
class AmendmentLine:
    field: str
    old_value: str
    new_value: str
    reason: str
    amended_by: str
    amended_at: dt.datetime | None


@dataclass(frozen=True)
class ShipmentLine:
    shipped_date: dt.date
    customer: str
    quantity: Decimal
    unit: str
    document_type: str = ""
    document_number: str = ""


@dataclass(frozen=True)
class BatchRecord:
    """Everything the sheet and the card print about one batch, as plain values."""

    lot_code: str
    product: str
    recipe_name: str
    recipe_version: int
    status: str
    status_label: str
    unit: str
    planned_quantity: Decimal
    actual_quantity: Decimal | None
    scale_factor: Decimal
    made_date: dt.date
    best_before: dt.date | None
    producer_name: str = ""
    producer_address: str = ""
    recipe_code: str = ""
    intermediate: bool = False
    yield_quantity: Decimal | None = None
    yield_unit: str = ""
    date_label: str = "Best before"  # or "Use by"
    operator: str = ""
    notes: str = ""
    created_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    qc_at: dt.datetime | None = None
    released_at: dt.datetime | None = None
    released_by: str = ""
    closed_at: dt.datetime | None = None
    closed_by: str = ""
    close_reason: str = ""
    #: waste or loss recorded when production finished, in ``unit``, and why
    waste_quantity: Decimal | None = None
    waste_reason: str = ""
    inputs: tuple[InputLine, ...] = ()
    qc: tuple[QcLine, ...] = ()
    amendments: tuple[AmendmentLine, ...] = ()
    shipments: tuple[ShipmentLine, ...] = ()
    maker_note: str = ""
    net_quantity: str = ""
    storage: str = ""
    gtin: str = ""
    #: what the card's QR holds: a URL when the workshop has a provenance page, else ""
    provenance_url: str = ""
    #: released before records were kept at release: when the upgrade took its snapshot
    #: (UTC); the sheet says its names and inputs are as they stood then
    snapshot_backfilled_at: dt.datetime | None = None

    @property
    def qr_content(self) -> str:
        return self.provenance_url or self.lot_code

    @property
    def ingredient_sources(self) -> list[tuple[str, str, str]]:
        """(material, origin, certifications) of every material at any depth, packaging
        left out, each combination once, in the order they appear on the sheet."""
        seen: dict[tuple[str, str, str], None] = {}
        for line in self.inputs:
            if line.kind != "material" or line.material_kind == "packaging":
                continue
            seen.setdefault((line.name, line.origin, line.certifications), None)
        return list(seen)


# --------------------------------------------------------------------------- recall


@dataclass(frozen=True)
class RecallLot:
    """The lot the recall starts from, material lot or batch."""

    kind: str  # "material" | "batch"
    lot_code: str
    name: str  # material name or product
    quantity: Decimal | None = None
    unit: str = ""
    supplier: str = ""
    supplier_lot_code: str = ""
    origin: str = ""
    certifications: str = ""
    date: dt.date | None = None  # received (material) or made (batch)
    expiry: dt.date | None = None  # expiry or best before
    status: str = ""  # a batch's status label


class RecallBatch(NamedTuple):
    """A batch that contains the lot, at ``depth`` steps (0: the recalled batch itself).

    A named tuple, as :class:`RecallShipment`: a recall has tens of thousands, and
    ``tuple.__new__(RecallBatch, values)`` makes one at C speed (a frozen dataclass
    sets its fields one by one, five times slower)."""

    batch_id: int
    lot_code: str
    product: str
    status: str
    made_date: dt.date | None
    best_before: dt.date | None
    quantity: Decimal | None  # made (actual, else planned)
    unit: str
    shipped: Decimal  # in ``unit``, from this report's shipments
    depth: int
    path: tuple[str, ...]  # lot codes from the recalled lot to this batch

    @property
    def path_text(self) -> str:
        return ARROW.join(self.path)


class RecallShipment(NamedTuple):
    """A shipment of a batch that contains the lot (a named tuple: see RecallBatch)."""

    shipment_id: int
    batch_id: int
    batch_lot_code: str
    product: str
    shipped_date: dt.date
    customer_id: int
    customer: str
    quantity: Decimal
    unit: str
    document_type: str
    document_number: str
    path: tuple[str, ...]  # lot codes from the recalled lot to the shipped batch
    #: the sales order the shipment filled ("" for a shipment made without an order)
    order_number: str = ""

    @property
    def path_text(self) -> str:
        return ARROW.join(self.path)

    @property
    def document(self) -> str:
        return " ".join(x for x in (self.document_type, self.document_number) if x)

    @property
    def reference(self) -> str:
        """The document, and the order where the document does not already name it."""
        doc = self.document
        if self.order_number and self.order_number != self.document_number:
            return f"{doc}\norder {self.order_number}" if doc else f"order {self.order_number}"
        return doc


@dataclass(frozen=True)
class RecallCustomer:
    customer_id: int
    name: str
    kind: str
    contact: str
    email: str
    phone: str
    address: str
    shipments: int
    quantities: tuple[tuple[Decimal, str], ...]  # total per unit
    first_shipped: dt.date | None
    last_shipped: dt.date | None
    #: the sales orders those shipments filled
    orders: tuple[str, ...] = ()

    @property
    def quantity_text(self) -> str:
        return ", ".join(format_quantity(q, u) for q, u in self.quantities)


Amounts = tuple[tuple[Decimal, str], ...]  # (quantity, unit) per unit, by unit


def add_amounts(*groups: Iterable[tuple[Decimal, str]]) -> Amounts:
    """Quantities summed per unit, ordered by unit."""
    totals: dict[str, Decimal] = {}
    for group in groups:
        for q, u in group:
            totals[u] = totals.get(u, Decimal(0)) + q
    return tuple((totals[u], u) for u in sorted(totals))


@dataclass(frozen=True)
class RecallProductLine:
    """The affected batches of one product (or intermediate) and status, counted."""

    product: str
    status: str  # the status label
    batches: int
    not_shipped: int  # batches with no shipment: still here, or used in our batches
    partly_shipped: int
    fully_shipped: int
    made: Amounts
    shipped: Amounts
    first_made: dt.date | None
    last_made: dt.date | None

    @property
    def unshipped(self) -> Amounts:
        """Made less shipped, per unit (still here, or used in later batches)."""
        return add_amounts(self.made, ((-q, u) for q, u in self.shipped))


def _most_first(item: tuple[tuple[str, str], Sequence[object]]) -> tuple[int, tuple[str, str]]:
    return -len(item[1]), item[0]


@dataclass(frozen=True)
class RecallSummary:
    """The whole recall counted: what a coordinator reads before any list."""

    batches: int
    shipments: int
    customers: int
    #: per product and status: the most batches first, then by product and status
    lines: tuple[RecallProductLine, ...] = ()
    by_depth: tuple[tuple[int, int], ...] = ()  # (steps from the lot, batches)
    first_shipped: dt.date | None = None
    last_shipped: dt.date | None = None
    shipped: Amounts = ()

    @property
    def not_shipped(self) -> int:
        return sum(ln.not_shipped for ln in self.lines)

    @property
    def partly_shipped(self) -> int:
        return sum(ln.partly_shipped for ln in self.lines)

    @property
    def fully_shipped(self) -> int:
        return sum(ln.fully_shipped for ln in self.lines)

    @property
    def first_made(self) -> dt.date | None:
        return min((ln.first_made for ln in self.lines if ln.first_made), default=None)

    @property
    def last_made(self) -> dt.date | None:
        return max((ln.last_made for ln in self.lines if ln.last_made), default=None)

    @property
    def made(self) -> Amounts:
        return add_amounts(*(ln.made for ln in self.lines))

    def by_status(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for ln in self.lines:
            counts[ln.status] = counts.get(ln.status, 0) + ln.batches
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    @classmethod
    def of_rows(
        cls,
        batches: Sequence[RecallBatch],
        shipments: Sequence[RecallShipment],
        customers: int,
    ) -> RecallSummary:
        """The summary of rows held in full (a report assembled by hand)."""
        groups: dict[tuple[str, str], list[RecallBatch]] = {}
        for b in batches:
            groups.setdefault((b.product, b.status), []).append(b)
        lines = []
        for (product, status), rows in sorted(groups.items(), key=_most_first):
            made = [b.made_date for b in rows if b.made_date]
            lines.append(
                RecallProductLine(
                    product=product,
                    status=status,
                    batches=len(rows),
                    not_shipped=sum(1 for b in rows if not b.shipped),
                    partly_shipped=sum(
                        1 for b in rows if b.shipped and b.shipped < (b.quantity or 0)
                    ),
                    fully_shipped=sum(
                        1 for b in rows if b.shipped and b.shipped >= (b.quantity or 0)
                    ),
                    made=add_amounts((b.quantity, b.unit) for b in rows if b.quantity is not None),
                    shipped=add_amounts((b.shipped, b.unit) for b in rows if b.shipped),
                    first_made=min(made, default=None),
                    last_made=max(made, default=None),
                )
            )
        depths: dict[int, int] = {}
        for b in batches:
            depths[b.depth] = depths.get(b.depth, 0) + 1
        days = [s.shipped_date for s in shipments]
        return cls(
            batches=len(batches),
            shipments=len(shipments),
            customers=customers,
            lines=tuple(lines),
            by_depth=tuple(sorted(depths.items())),
            first_shipped=min(days, default=None),
            last_shipped=max(days, default=None),
            shipped=add_amounts((s.quantity, s.unit) for s in shipments),
        )


@dataclass(frozen=True)
class RecallReport:
    """A recall, ready to print.

    ``batches`` and ``shipments`` are the rows the PDF lists: all of them for a small
    recall, the first ``services.recall.LISTED`` of each for a large one (nearest the
    lot first; shipments by date).  ``summary`` counts the whole recall, and ``scope``
    holds what the CSV and the recall dialog need to give every row (ids in report
    order and the path to each batch), read from the database a page at a time.
    """

    lot: RecallLot
    batches: tuple[RecallBatch, ...]
    shipments: tuple[RecallShipment, ...]
    customers: tuple[RecallCustomer, ...]
    #: for a batch: its inputs to any depth (where the recalled product came from)
    upstream: tuple[InputLine, ...] = ()
    producer_name: str = ""
    producer_address: str = ""
    generated_at: dt.datetime | None = None
    #: set when the report is a timed mock recall drill
    drill_duration_ms: int | None = None
    #: the whole recall counted (None: the listed rows are the whole recall)
    summary: RecallSummary | None = None
    #: every affected batch and shipment (None: the listed rows are all of them)
    scope: Any = field(default=None, compare=False, repr=False)

    @property
    def totals(self) -> RecallSummary:
        """The summary of the whole recall."""
        if self.summary is not None:
            return self.summary
        return RecallSummary.of_rows(self.batches, self.shipments, len(self.customers))

    @property
    def batch_count(self) -> int:
        return self.totals.batches

    @property
    def shipment_count(self) -> int:
        return self.totals.shipments

    @property
    def omitted_batches(self) -> int:
        """Affected batches the PDF does not list (they are in the CSV)."""
        return self.batch_count - len(self.batches)

    @property
    def omitted_shipments(self) -> int:
        return self.shipment_count - len(self.shipments)

    @property
    def shipped_totals(self) -> list[tuple[Decimal, str]]:
        return list(self.totals.shipped)
