"""Sales orders, their lines and stock allocations; purchase orders and their lines;
link tables from shipments to the order lines they fill and from lots to the purchase
order lines they were received against (new tables only: the big shipments and
material_lots tables are not rewritten).

Revision ID: 0005_orders
Revises: 0006_search_index
Create Date: 2026-12-03 08:12:21.804875
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_orders'
down_revision: str | None = "0006_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('purchase_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ordered_date', sa.Date(), nullable=True),
    sa.Column('expected_date', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'ordered', 'partly_received', 'received', 'cancelled')", name=op.f('ck_purchase_orders_status_known')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_purchase_orders_supplier_id_suppliers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_purchase_orders_number'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_orders_status', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_orders_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('sales_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ordered_date', sa.Date(), nullable=False),
    sa.Column('promised_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("channel IN ('shop', 'market', 'wholesale', 'web')", name=op.f('ck_sales_orders_channel_known')),
    sa.CheckConstraint("status IN ('open', 'in_production', 'ready', 'shipped', 'cancelled')", name=op.f('ck_sales_orders_status_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_sales_orders_customer_id_customers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_sales_orders_number'))
    )
    with op.batch_alter_table('sales_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_orders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_sales_orders_ordered_date', ['ordered_date', 'id'], unique=False)
        batch_op.create_index('ix_sales_orders_status_promised', ['status', 'promised_date', 'id'], unique=False)

    op.create_table('purchase_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purchase_order_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=True),
    sa.Column('notes', sa.String(length=300), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_purchase_order_lines_quantity_positive')),
    sa.CheckConstraint('unit_cost IS NULL OR unit_cost >= 0', name=op.f('ck_purchase_order_lines_cost_nonneg')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_purchase_order_lines_material_id_materials'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_lines_purchase_order_id_purchase_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_lines'))
    )
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_lines_material_id'), ['material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_purchase_order_lines_purchase_order_id'), ['purchase_order_id'], unique=False)

    op.create_table('sales_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('recipe_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=True),
    sa.Column('personal_text', sa.Text(), nullable=False),
    sa.Column('unit_texts', sa.Text(), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('made_to_order', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_sales_order_lines_quantity_positive')),
    sa.CheckConstraint('unit_price IS NULL OR unit_price >= 0', name=op.f('ck_sales_order_lines_price_nonneg')),
    sa.ForeignKeyConstraint(['order_id'], ['sales_orders.id'], name=op.f('fk_sales_order_lines_order_id_sales_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipe_id'], ['recipes.id'], name=op.f('fk_sales_order_lines_recipe_id_recipes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_order_lines'))
    )
    with op.batch_alter_table('sales_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_order_lines_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_sales_order_lines_recipe_order', ['recipe_id', 'order_id'], unique=False)

    op.create_table('order_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_allocations_quantity_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_order_allocations_batch_id_batches'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['line_id'], ['sales_order_lines.id'], name=op.f('fk_order_allocations_line_id_sales_order_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_allocations'))
    )
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.create_index('ix_order_allocations_batch_line', ['batch_id', 'line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_allocations_line_id'), ['line_id'], unique=False)

    op.create_table('purchase_receipts',
    sa.Column('material_lot_id', sa.Integer(), nullable=False),
    sa.Column('po_line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['material_lot_id'], ['material_lots.id'], name=op.f('fk_purchase_receipts_material_lot_id_material_lots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['po_line_id'], ['purchase_order_lines.id'], name=op.f('fk_purchase_receipts_po_line_id_purchase_order_lines'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('material_lot_id', name=op.f('pk_purchase_receipts'))
    )
    with op.batch_alter_table('purchase_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_receipts_po_line_id'), ['po_line_id'], unique=False)

    op.create_table('order_shipments',
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['sales_order_lines.id'], name=op.f('fk_order_shipments_line_id_sales_order_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_order_shipments_shipment_id_shipments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shipment_id', name=op.f('pk_order_shipments'))
    )
    with op.batch_alter_table('order_shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_shipments_line_id'), ['line_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('order_shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_shipments_line_id'))

    op.drop_table('order_shipments')
    with op.batch_alter_table('purchase_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_receipts_po_line_id'))

    op.drop_table('purchase_receipts')
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_allocations_line_id'))
        batch_op.drop_index('ix_order_allocations_batch_line')

    op.drop_table('order_allocations')
    with op.batch_alter_table('sales_order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_lines_recipe_order')
        batch_op.drop_index(batch_op.f('ix_sales_order_lines_order_id'))

    op.drop_table('sales_order_lines')
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_lines_purchase_order_id'))
        batch_op.drop_index(batch_op.f('ix_purchase_order_lines_material_id'))

    op.drop_table('purchase_order_lines')
    with op.batch_alter_table('sales_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_orders_status_promised')
        batch_op.drop_index('ix_sales_orders_ordered_date')
        batch_op.drop_index(batch_op.f('ix_sales_orders_customer_id'))

    op.drop_table('sales_orders')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_orders_supplier_id'))
        batch_op.drop_index('ix_purchase_orders_status')

    op.drop_table('purchase_orders')
