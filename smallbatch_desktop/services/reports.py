"""Provenance records and recall reports, built from the database as plain data.

``batch_record`` gathers everything a provenance sheet prints about one batch;
``recall_report`` everything a recall needs from one lot (material lot or batch): the
affected batches with the path linking each to the lot, the shipments, and the
customers with their contact details.  Both return the frozen dataclasses of
:mod:`smallbatch_desktop.domain.records` (the renderers' input contract, like the labels'
``LabelData``), so the GUI, the printer and the command line all render the same data;
no ORM object leaves the session.

The genealogy comes from ``services.trace`` (one recursive query per direction); the
rest is a handful of set-based queries, never one query per row, because a recall of a
busy raw material can touch tens of thousands of batches.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, itemgetter, sub
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.csvsafe import cell, escape_column, escape_text, write_columns
from smallbatch_desktop.domain.errors import NotFoundError
from smallbatch_desktop.domain.models import (
    Amendment,
    Batch,
    Customer,
    Material,
    MaterialLot,
    Recipe,
    RecipeVersion,
    Shipment,
    Supplier,
    utcnow,
)
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.domain.records import (
    AmendmentLine,
    BatchRecord,
    InputLine,
    Memo,
    QcLine,
    RecallBatch,
    RecallCustomer,
    RecallLot,
    RecallReport,
    RecallShipment,
    ShipmentLine,
    collector_paused,
)
from smallbatch_desktop.domain.snapshot import input_from_json
from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.services import snapshots
from smallbatch_desktop.services.batches import (
    amendment_field_label,
    amendment_value_text,
    qc_history,
)
from smallbatch_desktop.services.common import get_or_404, get_setting
from smallbatch_desktop.services.fast_reads import db_date
from smallbatch_desktop.services.trace import (
    LotRef,
    TraceResult,
    find_lot,
    forward_rows,
    trace_backward,
)

#: SQLite allows 32766 bound parameters per statement (999 before 3.32); stay well under.
_CHUNK = 900


_STATUS_LABELS = {s.value: s.label for s in BatchStatus}


def status_label(status: str) -> str:
    """The status as people read it (``qc`` -> ``In QC``); an unknown value as it is."""
    return _STATUS_LABELS.get(status, status)


def producer(session: Session) -> tuple[str, str]:
    """(business name, business address) from the workshop settings."""
    name = str(get_setting(session, "business_name") or "").strip()
    address = str(get_setting(session, "business_address") or "").strip()
    return name, address


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


# --------------------------------------------------------------------------- provenance


def batch_record_for_lot(session: Session, lot_code: str, *, field: str = "batch") -> BatchRecord:
    """The record of the batch with this lot code; ``NotFoundError`` naming ``field``."""
    code = (lot_code or "").strip()
    if not code:
        raise NotFoundError(f"{field}: give a batch lot code", field=field)
    batch_id = session.scalar(select(Batch.id).where(Batch.lot_code == code))
    if batch_id is None:
        hint = ""
        if session.scalar(select(MaterialLot.id).where(MaterialLot.lot_code == code)):
            hint = " (that is a material lot; a provenance sheet is made for a batch)"
        raise NotFoundError(f"{field}: no batch has the lot code {code!r}{hint}", field=field)
    return batch_record(session, batch_id)


def batch_record(session: Session, batch_id: int) -> BatchRecord:
    """Everything the provenance sheet and the card print about one batch.

    A released (or rejected) batch shows the names, producer and inputs as they were at
    release (``services.snapshots``); amendments, shipments and the status are live."""
    b = get_or_404(session, Batch, batch_id, field="batch")
    v: RecipeVersion = b.recipe_version
    facts: dict[str, Any] = dict(v.label_facts or {})
    kept = snapshots.load(session, b.id)
    if kept is not None:
        fixed = kept["record"]
        inputs = tuple(input_from_json(line) for line in fixed["inputs"])
    else:
        fixed, inputs = record_fixed(session, b)

    qc = tuple(
        QcLine(
            name=q.name,
            spec=q.spec,
            value=q.value,
            state=q.state,
            required=q.required,
            recorded_by=q.recorded_by,
            recorded_at=q.recorded_at,
            attempt=q.attempt,
            current=q.current,
            note=q.note,
        )
        for q in qc_history(session, b.id)
    )
    amendments = tuple(
        AmendmentLine(
            amendment_field_label(a.field),
            amendment_value_text(a.field, a.old_value, b.unit),
            amendment_value_text(a.field, a.new_value, b.unit),
            a.reason,
            a.amended_by,
            a.amended_at,
        )
        for a in session.scalars(
            select(Amendment).where(Amendment.batch_id == b.id).order_by(Amendment.id)
        )
    )
    shipments = tuple(
        ShipmentLine(
            shipped_date=s.shipped_date,
            customer=cust_name,
            quantity=s.quantity,
            unit=s.unit,
            document_type=s.document_type,
            document_number=s.document_number,
        )
        for s, cust_name in session.execute(
            select(Shipment, Customer.name)
            .join(Customer, Customer.id == Shipment.customer_id)
            .where(Shipment.batch_id == b.id)
            .order_by(Shipment.shipped_date, Shipment.id)
        )
    )
    maker_note = str(facts.get("maker_note") or "").strip() or (b.notes or "").strip()
    url_base = str(get_setting(session, "provenance_url_base") or "").strip()
    url = f"{url_base.rstrip('/')}/{quote(b.lot_code, safe='')}" if url_base else ""
    use_by = str(facts.get("use_by") or "").strip().lower().replace(" ", "_")
    return BatchRecord(
        lot_code=b.lot_code,
        product=fixed["product"],
        recipe_name=fixed["recipe_name"],
        recipe_version=v.version,
        status=b.status,
        status_label=status_label(b.status),
        unit=b.unit,
        planned_quantity=b.planned_quantity,
        actual_quantity=b.actual_quantity,
        scale_factor=b.scale_factor,
        made_date=b.made_date,
        best_before=b.best_before,
        producer_name=fixed["producer_name"],
        producer_address=fixed["producer_address"],
        recipe_code=fixed["recipe_code"],
        intermediate=fixed["intermediate"],
        yield_quantity=v.yield_quantity,
        yield_unit=v.yield_unit,
        date_label="Use by" if use_by == "use_by" else "Best before",
        operator=b.operator,
        notes=b.notes,
        created_at=b.created_at,
        started_at=b.started_at,
        qc_at=b.qc_at,
        released_at=b.released_at,
        released_by=b.released_by,
        closed_at=b.closed_at,
        closed_by=b.closed_by,
        close_reason=b.close_reason,
        waste_quantity=b.waste_quantity,
        waste_reason=b.waste_reason,
        inputs=inputs,
        qc=qc,
        amendments=amendments,
        shipments=shipments,
        maker_note=maker_note,
        net_quantity=str(facts.get("net_quantity") or ""),
        storage=str(facts.get("storage") or ""),
        gtin=fixed["gtin"],
        provenance_url=url,
        snapshot_backfilled_at=snapshots.backfilled_at(session, b.id) if kept else None,
    )


def record_fixed(session: Session, b: Batch) -> tuple[dict[str, Any], tuple[InputLine, ...]]:
    """What a batch record shows that master data could change later, read live: the
    names, GTIN and producer (a dictionary, as a snapshot keeps it) and the inputs to
    any depth.  ``services.snapshots`` keeps exactly this at release."""
    v: RecipeVersion = b.recipe_version
    recipe: Recipe = v.recipe
    facts: dict[str, Any] = dict(v.label_facts or {})
    name, address = producer(session)
    fixed = {
        "product": str(facts.get("product_name") or "").strip() or recipe.name,
        "recipe_name": recipe.name,
        "recipe_code": recipe.code,
        "intermediate": recipe.intermediate,
        "gtin": recipe.gtin,
        "producer_name": name,
        "producer_address": address,
    }
    trace = trace_backward(session, LotRef("batch", b.id, b.lot_code, recipe.name))
    return fixed, _input_lines(session, trace)


def _input_lines(session: Session, trace: TraceResult) -> tuple[InputLine, ...]:
    """The backward trace as sheet rows, depth first, nested inputs under their batch."""
    lot_ids = sorted(trace.material_lot_ids)
    kinds: dict[int, str] = {}
    for chunk in _chunks(lot_ids):
        for lot_id, kind in session.execute(
            select(MaterialLot.id, Material.kind)
            .join(Material, Material.id == MaterialLot.material_id)
            .where(MaterialLot.id.in_(chunk))
        ):
            kinds[lot_id] = kind
    return tuple(
        InputLine(
            level=level,
            kind=e.source_kind,
            name=e.source_name,
            lot_code=e.source_lot_code,
            quantity=e.quantity,
            unit=e.unit,
            supplier=e.supplier,
            supplier_lot_code=e.supplier_lot_code,
            origin=e.origin,
            certifications=e.certifications,
            expiry=e.expiry,
            material_kind=kinds.get(e.source_id, "") if e.source_kind == "material" else "",
        )
        for level, e in trace.walk()
    )


# --------------------------------------------------------------------------- recall


def recall_report(
    session: Session, lot_code: str | LotRef, *, now: dt.datetime | None = None
) -> RecallReport:
    """Everything that contains ``lot_code`` (our lot code, or a supplier's lot code that
    names one of our lots), where it went, and who to call."""
    ref = lot_code if isinstance(lot_code, LotRef) else find_lot(session, lot_code)
    with collector_paused():  # 150,000 small objects: see domain.records
        return _recall_report(session, ref, now)


def _recall_report(session: Session, ref: LotRef, now: dt.datetime | None) -> RecallReport:
    edges, rows, ship_rows = forward_rows(session, ref)
    name, address = producer(session)
    day = Memo(db_date)

    # rows: batch id -> (lot code, product, status, made, best before, quantity, unit);
    # the edges grouped by the node they hang from, in the trace's order
    kids: dict[tuple[bool, int], list[tuple[int, str]]] = {}
    for _, bid, lot_id, input_id, _ in edges:
        parent = (True, lot_id) if lot_id is not None else (False, input_id)
        kids.setdefault(parent, []).append((bid, rows[bid][0]))
    if ref.kind == "batch":
        root = tuple(session.execute(_ROOT_ROW, {"id": ref.id}).one())
        rows[ref.id] = (root[0], ref.name, *root[2:])  # ref.name: as its record keeps it
    paths = _paths(ref, kids)

    customers = _customer_rows(session, sorted({r[2] for r in ship_rows}))
    orders = _shipment_orders(session) if ship_rows else {}
    shipments, shipped = _recall_shipments(ship_rows, rows, paths, customers, day, orders)
    return RecallReport(
        lot=_recall_lot(session, ref),
        batches=_recall_batches(rows, paths, shipped, day),
        shipments=tuple(shipments),
        customers=_customers(customers, shipments),
        upstream=_input_lines(session, trace_backward(session, ref)) if ref.kind == "batch" else (),
        producer_name=name,
        producer_address=address,
        generated_at=now or utcnow(),
    )


_ZERO = Decimal(0)

#: The recalled batch's own row (a batch recall), as ``forward_rows`` gives the others.
_ROOT_ROW = text(
    "SELECT b.lot_code, r.name, b.status, b.made_date, b.best_before,"
    " COALESCE(b.actual_quantity, b.planned_quantity), b.unit FROM batches b"
    " JOIN recipe_versions v ON v.id = b.recipe_version_id"
    " JOIN recipes r ON r.id = v.recipe_id WHERE b.id = :id"
)


def _db_quantity(value: int | None) -> Decimal | None:
    return None if value is None else from_fixed(value)


def _recall_batches(
    rows: Mapping[int, Sequence[Any]],
    paths: dict[int, tuple[str, ...]],
    shipped: dict[int, Decimal],
    day: Memo[object, dt.date | None],
) -> tuple[RecallBatch, ...]:
    """The affected batches, nearest the lot first, then by date made and lot code.

    ``rows``: batch id -> (lot code, product, status, made, best before, quantity, unit)
    as the database holds them.  Built a column at a time with C-level maps (a recall
    can reach tens of thousands of batches)."""
    if not paths:
        return ()
    label = Memo(status_label)
    amount = Memo(_db_quantity)
    ids = list(paths)
    codes, products, statuses, made, best, quantities, units = zip(
        *map(rows.__getitem__, ids), strict=True
    )
    batches = list(
        map(
            _new_record,
            repeat(RecallBatch),
            zip(
                ids,
                codes,
                products,
                map(label.__getitem__, statuses),
                map(day.__getitem__, made),
                map(day.__getitem__, best),
                map(amount.__getitem__, quantities),
                units,
                map(shipped.get, ids, repeat(_ZERO)),
                map(sub, map(len, paths.values()), repeat(1)),  # depth
                paths.values(),
                strict=True,
            ),
        )
    )
    # by depth, then date made, then lot code: stable sorts on single keys
    batches.sort(key=attrgetter("lot_code"))
    batches.sort(key=lambda b: b.made_date or dt.date.min)
    batches.sort(key=attrgetter("depth"))
    return tuple(batches)


def _recall_shipments(
    ship_rows: Sequence[Sequence[Any]],
    rows: Mapping[int, Sequence[Any]],
    paths: dict[int, tuple[str, ...]],
    customers: Mapping[int, Customer],
    day: Memo[object, dt.date | None],
    orders: Mapping[int, str],
) -> tuple[list[RecallShipment], dict[int, Decimal]]:
    """The shipments (by date shipped, then id) and the quantity shipped per batch.

    ``ship_rows``: (batch, shipment, customer, document type and number, date,
    quantity, unit) as ``forward_rows`` gives them; built a column at a time."""
    if not ship_rows:
        return [], {}
    bids, sids, cids, doc_types, doc_numbers, dates, raw_qty, units = zip(*ship_rows, strict=True)
    quantities = Memo(from_fixed).each(raw_qty)
    shipped: dict[int, Decimal] = {}
    for bid, quantity in zip(bids, quantities, strict=True):
        shipped[bid] = shipped.get(bid, _ZERO) + quantity
    batch_rows = list(map(rows.__getitem__, bids))
    codes = list(map(itemgetter(0), batch_rows))
    shipped_on = [d or dt.date.min for d in map(day.__getitem__, dates)]
    names = {cid: c.name for cid, c in customers.items()}
    chains = [paths.get(bid) or (code,) for bid, code in zip(bids, codes, strict=True)]
    shipments = list(
        map(
            _new_record,
            repeat(RecallShipment),
            zip(
                sids,
                bids,
                codes,
                map(itemgetter(1), batch_rows),
                shipped_on,
                cids,
                map(names.__getitem__, cids),
                quantities,
                units,
                doc_types,
                doc_numbers,
                chains,
                map(orders.get, sids, repeat("")),
                strict=True,
            ),
        )
    )
    shipments.sort(key=attrgetter("shipment_id"))
    shipments.sort(key=attrgetter("shipped_date"))
    return shipments, shipped


#: shipment id -> the number of the sales order it filled, for every shipment made
#: against an order (a workshop's orders are thousands at most: read whole, no IN list)
_SHIPMENT_ORDERS = text(
    "SELECT os.shipment_id, o.number FROM order_shipments os"
    " JOIN sales_order_lines l ON l.id = os.line_id JOIN sales_orders o ON o.id = l.order_id"
)


def _shipment_orders(session: Session) -> dict[int, str]:
    return {sid: number for sid, number in session.execute(_SHIPMENT_ORDERS)}


#: every field given, in order: a named tuple made without argument parsing
_new_record: Any = tuple.__new__


def _paths(
    root: LotRef, kids: dict[tuple[bool, int], list[tuple[int, str]]]
) -> dict[int, tuple[str, ...]]:
    """Batch id -> the shortest chain of lot codes from the recalled lot to it.

    ``kids``: (is a material lot, id) -> the (batch id, lot code) of the batches that
    used it, in the trace's order.  Breadth first, so where a batch is reached along
    several routes (a diamond through two intermediates) the shortest, then the first
    recorded, is shown.  The recalled batch itself (for a batch recall) has the
    one-element path.
    """
    paths: dict[int, tuple[str, ...]] = {}
    if root.kind == "batch":
        paths[root.id] = (root.lot_code,)
    queue: deque[tuple[tuple[bool, int], tuple[str, ...]]] = deque(
        [((root.kind == "material", root.id), (root.lot_code,))]
    )
    while queue:
        node, path = queue.popleft()
        for bid, code in kids.get(node, ()):
            if bid not in paths:
                paths[bid] = p = (*path, code)
                queue.append(((False, bid), p))
    return paths


def _recall_lot(session: Session, ref: LotRef) -> RecallLot:
    if ref.kind == "material":
        lot, supplier = session.execute(
            select(MaterialLot, Supplier.name)
            .outerjoin(Supplier, Supplier.id == MaterialLot.supplier_id)
            .where(MaterialLot.id == ref.id)
        ).one()
        return RecallLot(
            kind="material",
            lot_code=lot.lot_code,
            name=ref.name,
            quantity=lot.quantity_received,
            unit=lot.unit,
            supplier=supplier or "",
            supplier_lot_code=lot.supplier_lot_code,
            origin=lot.origin,
            certifications=lot.certifications,
            date=lot.received_date,
            expiry=lot.expiry_date,
        )
    b = session.get(Batch, ref.id)
    assert b is not None
    return RecallLot(
        kind="batch",
        lot_code=b.lot_code,
        name=ref.name,
        quantity=b.actual_quantity if b.actual_quantity is not None else b.planned_quantity,
        unit=b.unit,
        date=b.made_date,
        expiry=b.best_before,
        status=status_label(b.status),
    )


def _customer_rows(session: Session, ids: Sequence[int]) -> dict[int, Customer]:
    rows: dict[int, Customer] = {}
    for chunk in _chunks(ids):
        rows.update(
            (c.id, c) for c in session.scalars(select(Customer).where(Customer.id.in_(chunk)))
        )
    return rows


def _customers(
    rows: dict[int, Customer], shipments: Sequence[RecallShipment]
) -> tuple[RecallCustomer, ...]:
    by_customer: dict[int, list[RecallShipment]] = {}
    for s in shipments:
        by_customer.setdefault(s.customer_id, []).append(s)
    out = []
    for cid in sorted(by_customer):
        c = rows[cid]
        ships = by_customer[cid]
        totals: dict[str, Decimal] = {}
        for s in ships:
            totals[s.unit] = totals.get(s.unit, Decimal(0)) + s.quantity
        dates = [s.shipped_date for s in ships]
        orders = sorted({s.order_number for s in ships if s.order_number})
        out.append(
            RecallCustomer(
                customer_id=cid,
                name=c.name,
                kind=c.kind,
                contact=c.contact,
                email=c.email,
                phone=c.phone,
                address=c.address,
                shipments=len(ships),
                quantities=tuple((totals[u], u) for u in sorted(totals)),
                first_shipped=min(dates),
                last_shipped=max(dates),
                orders=tuple(orders),
            )
        )
    out.sort(key=lambda c: c.name.casefold())
    return tuple(out)


#: The recall CSV: one header row, then one row per affected batch and per shipment.
RECALL_CSV_COLUMNS = (
    "record",
    "recalled_lot",
    "batch_lot",
    "product",
    "batch_status",
    "made_date",
    "best_before",
    "batch_quantity",
    "batch_unit",
    "depth",
    "path",
    "shipment_id",
    "shipped_date",
    "customer",
    "customer_contact",
    "customer_email",
    "customer_phone",
    "customer_address",
    "shipped_quantity",
    "shipped_unit",
    "document_type",
    "document_number",
    "order_number",
)


def write_recall_csv(report: RecallReport, fileobj: IO[str]) -> int:
    """Write the report as a flat, sortable CSV (see :mod:`domain.csvsafe`); returns rows.

    Every cell follows ``csvsafe.cell`` (text through the formula guard; numbers and
    dates as data), computed once per distinct value where values repeat.  The rows
    are built a column at a time and written by ``csvsafe.write_columns``, exactly as
    ``SafeWriter``'s ``csv.writer`` writes them: a recall of 50,000 rows is written in
    a fraction of a second.
    """
    with collector_paused():  # tens of thousands of rows: see domain.records
        return _write_recall_csv(report, fileobj)


def _write_recall_csv(report: RecallReport, fileobj: IO[str]) -> int:
    csv.writer(fileobj, lineterminator="\r\n").writerow(RECALL_CSV_COLUMNS)
    text = Memo(escape_text)
    value = Memo(cell)  # dates, quantities (Decimal), None: never bool, so 1 is not True
    root = text[report.lot.lot_code]

    batches = report.batches
    n = len(batches)
    blank = [""] * n
    write_columns(
        fileobj,
        [
            ["batch"] * n,
            [root] * n,
            escape_column([b.lot_code for b in batches]),
            text.each(b.product for b in batches),
            text.each(b.status for b in batches),
            value.each(b.made_date for b in batches),
            value.each(b.best_before for b in batches),
            value.each(b.quantity for b in batches),
            text.each(b.unit for b in batches),
            [str(b.depth) for b in batches],
            escape_column([b.path_text for b in batches]),
            *([blank] * 12),
        ],
    )
    reach = {
        c.customer_id: tuple(map(escape_text, (c.contact, c.email, c.phone, c.address)))
        for c in report.customers
    }
    depth = {b.batch_id: str(b.depth) for b in batches}
    shipments = report.shipments
    n = len(shipments)
    blank = [""] * n
    contacts = [reach[s.customer_id] for s in shipments]
    write_columns(
        fileobj,
        [
            ["shipment"] * n,
            [root] * n,
            escape_column([s.batch_lot_code for s in shipments]),
            text.each(s.product for s in shipments),
            *([blank] * 5),
            [depth.get(s.batch_id, "") for s in shipments],
            escape_column([s.path_text for s in shipments]),
            [str(s.shipment_id) for s in shipments],
            value.each(s.shipped_date for s in shipments),
            text.each(s.customer for s in shipments),
            *(list(column) for column in zip(*contacts, strict=True)),
            value.each(s.quantity for s in shipments),
            text.each(s.unit for s in shipments),
            text.each(s.document_type for s in shipments),
            escape_column([s.document_number for s in shipments]),
            escape_column([s.order_number for s in shipments]),
        ]
        if n
        else [],
    )
    return len(batches) + len(shipments)
