"""A released record is a snapshot: taken when a batch is released (or rejected).

``take`` stores what the batch's labels and batch record show that master data could
change later (names, ingredients and allergens, suppliers and their lots, origins,
certifications, the producer) in ``batch_snapshots``; the database keeps that row
unchanged (migration ``0003_integrity``).  ``services.labels.label_data_for_batch`` and
``services.reports.batch_record`` read it for such a batch, so the record shows what
was true at release however the recipe, a material or a supplier changes afterwards.
What an amendment may correct (actual yield, best before, notes, operator), the status,
the shipments and the amendments themselves are read live.  So is the QC history (every
result, failed ones and retests, with who and when) and the waste recorded at the end of
production: the database keeps those rows and columns unchanged once the batch is
released (migrations 0003_integrity and 0004_yield_customers), and the checks' names and
specifications belong to a published recipe version, which it keeps unchanged too, so
a copy here could only drift from them.

A batch released before snapshots were kept (migration ``0003_integrity``) gets one at
the upgrade to ``0007_snapshot_backfill`` (``backfill``): the data as it stood then, the
best there is, marked ``backfilled`` with the upgrade's time so the record says so.  A
batch whose
label could not be made at release (an ingredient line without a weight, a bad GTIN)
keeps its record snapshot and has its label read live, so fixing the master data lets
it print.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain import snapshot as codec
from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.models import Batch, BatchSnapshot, utcnow
from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.services.common import settings_read_once


def take(
    session: Session, batch: Batch, *, taken_at: dt.datetime | None = None, backfilled: bool = False
) -> BatchSnapshot:
    """Store the batch's record and label as they are now (call at release).
    ``backfilled``: taken later, at an upgrade, for a batch released before snapshots
    were kept (``backfill``)."""
    data = snapshot_data(session, batch)
    if backfilled:
        data["backfilled"] = True
    snap = BatchSnapshot(batch_id=batch.id, taken_at=taken_at or utcnow(), data=data)
    session.add(snap)
    if not backfilled:  # the backfill flushes a chunk at a time
        session.flush()
    return snap


def snapshot_data(session: Session, batch: Batch) -> dict[str, Any]:
    """What ``take`` stores for ``batch``, read live now: the record's names and inputs
    to any depth, and the label (or why it cannot be made)."""
    from smallbatch_desktop.services.labels import label_data_for_batch
    from smallbatch_desktop.services.reports import record_fixed

    fixed, inputs = record_fixed(session, batch)
    data: dict[str, Any] = {
        "version": codec.VERSION,
        "record": {**fixed, "inputs": [codec.input_to_json(line) for line in inputs]},
        "label": None,
    }
    try:
        data["label"] = codec.label_to_json(label_data_for_batch(session, batch.id).data)
    except UserError as exc:  # the label is read live until the master data is fixed
        data["label_error"] = exc.message
    return data


#: statuses whose record is frozen (released, rejected, recalled): they have a snapshot
FROZEN = (BatchStatus.RELEASED.value, BatchStatus.REJECTED.value, BatchStatus.RECALLED.value)


def backfill(
    session: Session,
    *,
    taken_at: dt.datetime | None = None,
    chunk: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """A snapshot for every released, rejected or recalled batch that has none (released
    before snapshots were kept), from the data as it stands now, marked as backfilled at
    ``taken_at`` (the upgrade).  Works through the batches ``chunk`` at a time (the
    session is emptied between chunks, so a database of 100,000 batches does not hold
    them all in memory); returns how many were taken.  Never commits."""
    when = taken_at or utcnow()
    missing = (
        select(Batch.id)
        .outerjoin(BatchSnapshot, BatchSnapshot.batch_id == Batch.id)
        .where(Batch.status.in_(FROZEN), BatchSnapshot.batch_id.is_(None))
        .order_by(Batch.id)
    )
    ids = list(session.scalars(missing))
    if not ids:
        return 0
    with settings_read_once(session), session.no_autoflush:
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            for batch in session.scalars(select(Batch).where(Batch.id.in_(part))).all():
                take(session, batch, taken_at=when, backfilled=True)
            session.flush()
            session.expunge_all()
            if progress is not None:
                progress(start + len(part), len(ids))
    return len(ids)


def backfilled_at(session: Session, batch_id: int) -> dt.datetime | None:
    """When the upgrade took the batch's snapshot (``backfill``); None for a snapshot
    taken at release, or none."""
    snap = session.get(BatchSnapshot, batch_id)
    if snap is None or not isinstance(snap.data, dict) or not snap.data.get("backfilled"):
        return None
    return snap.taken_at


def load(session: Session, batch_id: int) -> dict[str, Any] | None:
    """The stored snapshot of a batch, or None (not released, or released before
    snapshots were kept, or stored in a layout this version does not read)."""
    snap = session.get(BatchSnapshot, batch_id)
    if snap is None or not isinstance(snap.data, dict):
        return None
    return snap.data if snap.data.get("version") == codec.VERSION else None
