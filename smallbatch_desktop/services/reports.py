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

import datetime as dt
from collections import deque
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.csvsafe import SafeWriter
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
from smallbatch_desktop.domain.records import (
    AmendmentLine,
    BatchRecord,
    InputLine,
    QcLine,
    RecallBatch,
    RecallCustomer,
    RecallLot,
    RecallReport,
    RecallShipment,
    ShipmentLine,
)
from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.services.batches import qc_summary
from smallbatch_desktop.services.common import get_or_404, get_setting
from smallbatch_desktop.services.trace import (
    LotRef,
    TraceResult,
    find_lot,
    trace_backward,
    trace_forward,
)

#: SQLite allows 32766 bound parameters per statement (999 before 3.32); stay well under.
_CHUNK = 900


def status_label(status: str) -> str:
    try:
        return BatchStatus(status).label
    except ValueError:
        return status


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
    """Everything the provenance sheet and the card print about one batch."""
    b = get_or_404(session, Batch, batch_id, field="batch")
    v: RecipeVersion = b.recipe_version
    recipe: Recipe = v.recipe
    facts: dict[str, Any] = dict(v.label_facts or {})
    name, address = producer(session)

    trace = trace_backward(session, LotRef("batch", b.id, b.lot_code, recipe.name))
    inputs = _input_lines(session, trace)

    qc = tuple(
        QcLine(
            name=q.name,
            spec=q.spec,
            value=q.value,
            state=q.state,
            required=q.required,
            recorded_by=q.recorded_by,
            recorded_at=q.recorded_at,
        )
        for q in qc_summary(session, b.id)
    )
    amendments = tuple(
        AmendmentLine(a.field, a.old_value, a.new_value, a.reason, a.amended_by, a.amended_at)
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
        product=str(facts.get("product_name") or "").strip() or recipe.name,
        recipe_name=recipe.name,
        recipe_version=v.version,
        status=b.status,
        status_label=status_label(b.status),
        unit=b.unit,
        planned_quantity=b.planned_quantity,
        actual_quantity=b.actual_quantity,
        scale_factor=b.scale_factor,
        made_date=b.made_date,
        best_before=b.best_before,
        producer_name=name,
        producer_address=address,
        recipe_code=recipe.code,
        intermediate=recipe.intermediate,
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
        inputs=inputs,
        qc=qc,
        amendments=amendments,
        shipments=shipments,
        maker_note=maker_note,
        net_quantity=str(facts.get("net_quantity") or ""),
        storage=str(facts.get("storage") or ""),
        gtin=recipe.gtin,
        provenance_url=url,
    )


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
    fwd = trace_forward(session, ref)
    name, address = producer(session)

    paths = _paths(fwd)
    batch_ids = sorted(paths)
    info: dict[int, tuple[Any, ...]] = {}
    for chunk in _chunks(batch_ids):
        for row in session.execute(
            select(
                Batch.id,
                Batch.lot_code,
                Recipe.name,
                Batch.status,
                Batch.made_date,
                Batch.best_before,
                Batch.actual_quantity,
                Batch.planned_quantity,
                Batch.unit,
            )
            .join(RecipeVersion, RecipeVersion.id == Batch.recipe_version_id)
            .join(Recipe, Recipe.id == RecipeVersion.recipe_id)
            .where(Batch.id.in_(chunk))
        ):
            info[row[0]] = tuple(row)

    shipped: dict[int, Decimal] = {}
    for s in fwd.shipments:
        shipped[s.batch_id] = shipped.get(s.batch_id, Decimal(0)) + s.quantity

    batches = []
    for bid in batch_ids:
        _id, code, product, status, made, bb, actual, planned, unit = info[bid]
        path = paths[bid]
        batches.append(
            RecallBatch(
                batch_id=bid,
                lot_code=code,
                product=product,
                status=status_label(status),
                made_date=made,
                best_before=bb,
                quantity=actual if actual is not None else planned,
                unit=unit,
                shipped=shipped.get(bid, Decimal(0)),
                depth=len(path) - 1,
                path=path,
            )
        )
    batches.sort(key=lambda b: (b.depth, b.made_date or dt.date.min, b.lot_code))

    shipments = tuple(
        RecallShipment(
            shipment_id=s.shipment_id,
            batch_id=s.batch_id,
            batch_lot_code=s.batch_lot_code,
            product=s.product,
            shipped_date=s.shipped_date,
            customer_id=s.customer_id,
            customer=s.customer,
            quantity=s.quantity,
            unit=s.unit,
            document_type=s.document_type,
            document_number=s.document_number,
            path=paths.get(s.batch_id, (s.batch_lot_code,)),
        )
        for s in fwd.shipments
    )
    return RecallReport(
        lot=_recall_lot(session, ref),
        batches=tuple(batches),
        shipments=shipments,
        customers=_customers(session, shipments),
        upstream=_input_lines(session, trace_backward(session, ref)) if ref.kind == "batch" else (),
        producer_name=name,
        producer_address=address,
        generated_at=now or utcnow(),
    )


def _paths(fwd: TraceResult) -> dict[int, tuple[str, ...]]:
    """Batch id -> the shortest chain of lot codes from the recalled lot to it.

    Breadth first over the trace's edges, so where a batch is reached along several
    routes (a diamond through two intermediates) the shortest, then the first recorded,
    is shown.  The recalled batch itself (for a batch recall) has the one-element path.
    """
    root = fwd.root
    paths: dict[int, tuple[str, ...]] = {}
    start: tuple[str, int] = (root.kind, root.id)
    if root.kind == "batch":
        paths[root.id] = (root.lot_code,)
    queue: deque[tuple[tuple[str, int], tuple[str, ...]]] = deque([(start, (root.lot_code,))])
    seen = {start}
    while queue:
        node, path = queue.popleft()
        for e in fwd.children(*node):
            nxt = ("batch", e.consumer_batch_id)
            if nxt in seen:
                continue
            seen.add(nxt)
            p = (*path, e.consumer_lot_code)
            paths[e.consumer_batch_id] = p
            queue.append((nxt, p))
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


def _customers(session: Session, shipments: Sequence[RecallShipment]) -> tuple[RecallCustomer, ...]:
    by_customer: dict[int, list[RecallShipment]] = {}
    for s in shipments:
        by_customer.setdefault(s.customer_id, []).append(s)
    out = []
    ids = sorted(by_customer)
    rows: dict[int, Customer] = {}
    for chunk in _chunks(ids):
        rows.update(
            (c.id, c) for c in session.scalars(select(Customer).where(Customer.id.in_(chunk)))
        )
    for cid in ids:
        c = rows[cid]
        ships = by_customer[cid]
        totals: dict[str, Decimal] = {}
        for s in ships:
            totals[s.unit] = totals.get(s.unit, Decimal(0)) + s.quantity
        dates = [s.shipped_date for s in ships]
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
)


def write_recall_csv(report: RecallReport, fileobj: IO[str]) -> int:
    """Write the report as a flat, sortable CSV (see :mod:`domain.csvsafe`); returns rows."""
    w = SafeWriter(fileobj)
    w.writerow(RECALL_CSV_COLUMNS)
    root = report.lot.lot_code
    n = 0
    for b in report.batches:
        w.writerow(
            (
                "batch",
                root,
                b.lot_code,
                b.product,
                b.status,
                b.made_date,
                b.best_before,
                b.quantity,
                b.unit,
                b.depth,
                b.path_text,
                *([""] * 11),
            )
        )
        n += 1
    customers = {c.customer_id: c for c in report.customers}
    depth = {b.batch_id: b.depth for b in report.batches}
    for s in report.shipments:
        c = customers[s.customer_id]
        w.writerow(
            (
                "shipment",
                root,
                s.batch_lot_code,
                s.product,
                "",
                "",
                "",
                "",
                "",
                depth.get(s.batch_id, ""),
                s.path_text,
                s.shipment_id,
                s.shipped_date,
                s.customer,
                c.contact,
                c.email,
                c.phone,
                c.address,
                s.quantity,
                s.unit,
                s.document_type,
                s.document_number,
            )
        )
        n += 1
    return n
