"""Mock recall drills: time how long it takes to answer "where did lot X go?".

Makers run drills to prove (to themselves, to a buyer's auditor, to the FDA under FSMA
204's 24-hour rule) that they can find every affected batch, shipment and customer
quickly.  A drill is the real recall report, timed and recorded: a ``RecallDrill`` row
with when it started and finished, how long it took, what it found and the result, so
the history shows whether the workshop keeps getting faster or slower.

The clock runs from the start of the drill until the report is assembled *and* the
documents the caller asked for (PDF, CSV) are written, through the ``produce``
callback, because a drill is only done when the coordinator holds the list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import NotFoundError
from smallbatch_desktop.domain.models import RecallDrill, utcnow
from smallbatch_desktop.domain.records import RecallReport
from smallbatch_desktop.services.common import audit, current_user
from smallbatch_desktop.services.recall import recall_report

#: ``RecallDrill.result`` values
COMPLETED = "completed"
LOT_NOT_FOUND = "lot_not_found"

RESULT_LABELS = {COMPLETED: "Completed", LOT_NOT_FOUND: "Lot not found"}


@dataclass(frozen=True)
class DrillRecord:
    """One drill as plain data (what the history table and the CLI show)."""

    id: int
    lot_code: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_ms: int | None
    batches_found: int
    shipments_found: int
    customers_found: int
    result: str
    run_by: str
    notes: str

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result or "unfinished")


def _record(d: RecallDrill) -> DrillRecord:
    return DrillRecord(
        id=d.id,
        lot_code=d.lot_code,
        started_at=d.started_at,
        finished_at=d.finished_at,
        duration_ms=d.duration_ms,
        batches_found=d.batches_found,
        shipments_found=d.shipments_found,
        customers_found=d.customers_found,
        result=d.result,
        run_by=d.run_by,
        notes=d.notes,
    )


def run_drill(
    session: Session,
    lot_code: str,
    *,
    run_by: str = "",
    produce: Callable[[RecallReport], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    now: Callable[[], dt.datetime] = utcnow,
) -> tuple[DrillRecord, RecallReport | None]:
    """Run a timed mock recall of ``lot_code`` and record it (the caller commits).

    ``produce`` receives the report (with its drill time filled in) and writes whatever
    documents the drill should hand over; its time counts.  A lot that cannot be found
    is a *failed drill*, recorded with the reason and returned with no report: the
    history must show failures too, so this does not raise.
    """
    code = (lot_code or "").strip()
    actor = run_by or current_user()
    started_at = now()
    t0 = clock()
    drill = RecallDrill(lot_code=code[:40], started_at=started_at, run_by=actor)
    session.add(drill)
    report: RecallReport | None = None
    try:
        report = recall_report(session, code, now=started_at)
    except NotFoundError as exc:
        drill.result = LOT_NOT_FOUND
        drill.notes = str(exc)
    else:
        report = dataclasses.replace(report, drill_duration_ms=_ms(clock() - t0))
        if produce is not None:
            produce(report)
        drill.result = COMPLETED
        drill.batches_found = report.batch_count
        drill.shipments_found = report.shipment_count
        drill.customers_found = len(report.customers)
    drill.duration_ms = _ms(clock() - t0)
    drill.finished_at = now()
    session.flush()
    audit(
        session,
        actor,
        "recall.drill",
        "recall_drill",
        drill.id,
        lot=code,
        result=drill.result,
        duration_ms=drill.duration_ms,
        batches=drill.batches_found,
        shipments=drill.shipments_found,
        customers=drill.customers_found,
    )
    return _record(drill), report


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def drill_history(
    session: Session, *, lot_code: str | None = None, limit: int = 200
) -> list[DrillRecord]:
    """Recorded drills, newest first (optionally for one lot)."""
    q = select(RecallDrill).order_by(RecallDrill.started_at.desc(), RecallDrill.id.desc())
    if lot_code:
        q = q.where(RecallDrill.lot_code == lot_code.strip())
    return [_record(d) for d in session.scalars(q.limit(limit))]
