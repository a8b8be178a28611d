"""Batch list sort indexes: best-before, planned quantity and operator (each with the id).

The batch list pages rows in with ORDER BY <column>, id LIMIT/OFFSET. Without an index on
the sort column, SQLite sorts the whole table for every page (about 70 ms at 100,000
batches, felt on every scroll); with one it walks the index and stops after a page.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_batches_best_before": ["best_before", "id"],
    "ix_batches_planned_quantity": ["planned_quantity", "id"],
    "ix_batches_operator": ["operator", "id"],
}


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        for name, columns in _INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        for name in reversed(_INDEXES):
            batch_op.drop_index(name)
