"""Snapshots for batches released before snapshots were kept.

Migration ``0003_integrity`` made a released record a snapshot, but only for batches
released from then on: a batch released, rejected or recalled before it has no
``batch_snapshots`` row, so its batch record, labels, trace and recall showed live
master data (rename the recipe and the old record changed).  This takes a snapshot for
each of them from the data as it stands at the upgrade -- the best that is known --
marked as backfilled with the upgrade's time, so the record says "snapshot taken at
upgrade on <date>" (``services.snapshots.backfill``).

The snapshot is made by the app's own code (the same as at release: batch record and
label), which reads through the models of the newest schema.  So it runs once the
whole upgrade has reached head, in the same transaction (``db.migrate`` collects it in
``after_head``); when Alembic is driven by hand without that list, it runs here.
No schema change.

Revision ID: 0007_snapshot_backfill
Revises: 0009_speed
Create Date: 2026-12-03 14:50:00
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from alembic import context, op

revision: str = "0007_snapshot_backfill"
down_revision: str | None = "0009_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def backfill(connection: Any, progress: Callable[[int, int], None] | None = None) -> int:
    """``progress(done, total)`` after each chunk of batches (``db.migrate`` shows it)."""
    from sqlalchemy.orm import Session

    from smallbatch_desktop.services.snapshots import backfill as take_missing

    with Session(bind=connection, expire_on_commit=False) as session:
        # flushed; the upgrade's transaction commits it
        return take_missing(session, progress=progress)


def upgrade() -> None:
    after_head = context.config.attributes.get("after_head")
    # db.migrate's progress callback, when the upgrade shows its progress
    progress = context.config.attributes.get("snapshot_progress")
    if after_head is None:
        backfill(op.get_bind(), progress)
    else:
        after_head.append(lambda connection: backfill(connection, progress))


def downgrade() -> None:
    pass  # the snapshots stay: the database refuses to delete them, and they are right
