"""A released record is a snapshot: taken when a batch is released (or rejected).

``take`` stores what the batch's labels and batch record show that master data could
change later (names, ingredients and allergens, suppliers and their lots, origins,
certifications, the producer) in ``batch_snapshots``; the database keeps that row
unchanged (migration ``0003_integrity``).  ``services.labels.label_data_for_batch`` and
``services.reports.batch_record`` read it for such a batch, so the record shows what
was true at release however the recipe, a material or a supplier changes afterwards.
What an amendment may correct (actual yield, best before, notes, operator), the status,
the shipments and the amendments themselves are read live.

A batch released before this version has no snapshot and is read live.  A batch whose
label could not be made at release (an ingredient line without a weight, a bad GTIN)
keeps its record snapshot and has its label read live, so fixing the master data lets
it print.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smallbatch_desktop.domain import snapshot as codec
from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.models import Batch, BatchSnapshot, utcnow


def take(session: Session, batch: Batch) -> BatchSnapshot:
    """Store the batch's record and label as they are now (call at release)."""
    from smallbatch_desktop.services.labels import label_data_for_batch
    from smallbatch_desktop.services.reports import batch_record

    record = batch_record(session, batch.id)
    data: dict[str, Any] = {
        "version": codec.VERSION,
        "record": {
            "product": record.product,
            "recipe_name": record.recipe_name,
            "recipe_code": record.recipe_code,
            "intermediate": record.intermediate,
            "gtin": record.gtin,
            "producer_name": record.producer_name,
            "producer_address": record.producer_address,
            "inputs": [codec.input_to_json(line) for line in record.inputs],
        },
        "label": None,
    }
    try:
        data["label"] = codec.label_to_json(label_data_for_batch(session, batch.id).data)
    except UserError as exc:  # the label is read live until the master data is fixed
        data["label_error"] = exc.message
    snap = BatchSnapshot(batch_id=batch.id, taken_at=utcnow(), data=data)
    session.add(snap)
    session.flush()
    return snap


def load(session: Session, batch_id: int) -> dict[str, Any] | None:
    """The stored snapshot of a batch, or None (not released, or released before
    snapshots were kept, or stored in a layout this version does not read)."""
    snap = session.get(BatchSnapshot, batch_id)
    if snap is None or not isinstance(snap.data, dict):
        return None
    return snap.data if snap.data.get("version") == codec.VERSION else None
