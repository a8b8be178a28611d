"""Actual yield with waste at the end of production; notes on customers.

``batches.waste_quantity``/``waste_reason``: what was lost when production finished
(recorded with the actual yield, before QC). ``customers.notes``: the Customers view's
free text (delivery hours, who to call first in a recall).

The columns are added in place (ALTER TABLE ADD COLUMN): recreating ``batches`` the way
SQLite needs for a new CHECK constraint would drop the search index's triggers on it
(0006_search_index), so the service refuses a negative waste instead.

The waste is part of a released record: like the rest of it (0003_integrity), the
database refuses to change it once the batch is released, rejected or recalled.  One
more trigger does that (0003's ``batch_frozen`` trigger lists the columns it knew).

Revision ID: 0004_yield_customers
Revises: 0007_snapshot_backfill
Create Date: 2026-12-03 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_yield_customers"
down_revision: str | None = "0007_snapshot_backfill"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FROZEN = "('released', 'recalled', 'rejected')"
TRIGGER = "trg_batches_waste_frozen"


def upgrade() -> None:
    op.add_column("batches", sa.Column("waste_quantity", sa.BigInteger(), nullable=True))
    op.add_column(
        "batches", sa.Column("waste_reason", sa.Text(), nullable=False, server_default="")
    )
    op.add_column("customers", sa.Column("notes", sa.Text(), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        # smallbatch_keep (0003_integrity) raises the code it is given
        op.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF waste_quantity, waste_reason ON batches "
            f"FOR EACH ROW WHEN (OLD.status IN {FROZEN} AND "
            "(NEW.waste_quantity IS DISTINCT FROM OLD.waste_quantity "
            "OR NEW.waste_reason IS DISTINCT FROM OLD.waste_reason)) "
            "EXECUTE FUNCTION smallbatch_keep('smallbatch:batch_frozen')"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF waste_quantity, waste_reason ON batches "
            f"WHEN OLD.status IN {FROZEN} AND (NEW.waste_quantity IS NOT OLD.waste_quantity "
            "OR NEW.waste_reason IS NOT OLD.waste_reason) "
            "BEGIN SELECT RAISE(ABORT, 'smallbatch:batch_frozen'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON batches")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    # SQLite 3.35+ drops a plain column in place too
    op.drop_column("customers", "notes")
    op.drop_column("batches", "waste_reason")
    op.drop_column("batches", "waste_quantity")
