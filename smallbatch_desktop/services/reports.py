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

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

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
)
from smallbatch_desktop.domain.records import (
    AmendmentLine,
    BatchRecord,
    InputLine,
    QcLine,
    ShipmentLine,
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
from smallbatch_desktop.services.trace import (
    LotRef,
    TraceResult,
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
    return fixed, input_lines(session, trace)


def input_lines(session: Session, trace: TraceResult) -> tuple[InputLine, ...]:
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


def __getattr__(name: str) -> Any:
    """The recall moved to ``services.recall``; its names still import from here."""
    if name in ("recall_report", "write_recall_csv", "RECALL_CSV_COLUMNS"):
        from smallbatch_desktop.services import recall

        return getattr(recall, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
