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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

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


@dataclass(frozen=True)
class RecallReport:
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

    @property
    def shipped_totals(self) -> list[tuple[Decimal, str]]:
        totals: dict[str, Decimal] = {}
        for s in self.shipments:
            totals[s.unit] = totals.get(s.unit, Decimal(0)) + s.quantity
        return sorted(((q, u) for u, q in totals.items()), key=lambda t: t[1])
