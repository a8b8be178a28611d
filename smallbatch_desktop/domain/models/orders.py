"""Customers' sales orders, their lines and stock allocations; purchase orders to suppliers.

A sales order line asks for a quantity of a product (a recipe), optionally personalised
(a free text for every unit, or one text per unit, and key/value options such as a heat
level or a scent) and optionally made to order.  Released stock is *allocated* to a line
(reserved, not yet gone); shipping the line turns allocations into ``Shipment`` rows, each
linked to the line (``OrderShipment``), so a recall names the orders.

A purchase order asks a supplier for materials; every lot received against one of its
lines is linked to that line (``PurchaseReceipt``), so the received quantity is a plain
SUM and partial receipts need no extra bookkeeping.

The links are tables of their own rather than new columns on ``shipments`` and
``material_lots``: SQLite cannot add a foreign-key column without copying the table,
and those two tables are the biggest of a workshop's database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smallbatch_desktop.domain.models.base import Base, Fixed, JSONText, UTCDateTime, utcnow
from smallbatch_desktop.domain.models.batches import Shipment
from smallbatch_desktop.domain.models.inventory import Customer, Material, MaterialLot, Supplier
from smallbatch_desktop.domain.models.recipes import Recipe


class SalesOrder(Base):
    """A customer's order: who, through which channel, when, and its status."""

    __tablename__ = "sales_orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'in_production', 'ready', 'shipped', 'cancelled')",
            name="status_known",
        ),
        CheckConstraint("channel IN ('shop', 'market', 'wholesale', 'web')", name="channel_known"),
        Index("ix_sales_orders_status_promised", "status", "promised_date", "id"),
        Index("ix_sales_orders_ordered_date", "ordered_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the order number people quote ("SO-2026-0001", or the web shop's "#1001")
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    ordered_date: Mapped[dt.date] = mapped_column(Date)
    promised_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: where the order came from: "" (typed in) or an import source ("shopify", "etsy"...)
    source: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[SalesOrderLine]] = relationship(
        back_populates="order", order_by="SalesOrderLine.position", cascade="all, delete-orphan"
    )


class SalesOrderLine(Base):
    """A quantity of one product, maybe personalised, maybe made to order."""

    __tablename__ = "sales_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="price_nonneg"),
        Index("ix_sales_order_lines_recipe_order", "recipe_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="RESTRICT"))
    #: in ``unit`` (the product's yield unit when the order was taken)
    quantity: Mapped[Decimal] = mapped_column(Fixed)
    unit: Mapped[str] = mapped_column(String(10))
    unit_price: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    #: the text printed on every unit's label (a name, a message)
    personal_text: Mapped[str] = mapped_column(Text, default="")
    #: one text per unit, in unit order, when the units differ (guest names...)
    unit_texts: Mapped[list[str]] = mapped_column(JSONText, default=list)
    #: key -> value (heat -> "extra hot", scent -> "lavender")
    options: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    #: made for this order: free stock on the shelf does not fill it
    made_to_order: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[SalesOrder] = relationship(back_populates="lines")
    recipe: Mapped[Recipe] = relationship()
    allocations: Mapped[list[Allocation]] = relationship(
        back_populates="line", order_by="Allocation.id", cascade="all, delete-orphan"
    )

    @property
    def personalised(self) -> bool:
        return bool(self.personal_text or self.unit_texts or self.options)


class Allocation(Base):
    """Released stock of a batch reserved for an order line (not yet shipped)."""

    __tablename__ = "order_allocations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_order_allocations_batch_line", "batch_id", "line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order_lines.id", ondelete="CASCADE"), index=True
    )
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="RESTRICT"))
    #: in the batch's unit
    quantity: Mapped[Decimal] = mapped_column(Fixed)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    line: Mapped[SalesOrderLine] = relationship(back_populates="allocations")


class OrderShipment(Base):
    """A shipment made against an order line (one line, many shipments)."""

    __tablename__ = "order_shipments"

    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True
    )
    line_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order_lines.id", ondelete="RESTRICT"), index=True
    )

    shipment: Mapped[Shipment] = relationship()
    line: Mapped[SalesOrderLine] = relationship()


class PurchaseOrder(Base):
    """What we ask a supplier for; lots received against its lines fill it."""

    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'ordered', 'partly_received', 'received', 'cancelled')",
            name="status_known",
        ),
        Index("ix_purchase_orders_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="draft")
    ordered_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    expected_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="purchase_order",
        order_by="PurchaseOrderLine.position",
        cascade="all, delete-orphan",
    )


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="cost_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Fixed)
    unit: Mapped[str] = mapped_column(String(10))
    #: per one ``unit``
    unit_cost: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    notes: Mapped[str] = mapped_column(String(300), default="")

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")
    material: Mapped[Material] = relationship()


class PurchaseReceipt(Base):
    """A lot received against a purchase order line (one line, many lots)."""

    __tablename__ = "purchase_receipts"

    material_lot_id: Mapped[int] = mapped_column(
        ForeignKey("material_lots.id", ondelete="CASCADE"), primary_key=True
    )
    po_line_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order_lines.id", ondelete="RESTRICT"), index=True
    )

    lot: Mapped[MaterialLot] = relationship()
    po_line: Mapped[PurchaseOrderLine] = relationship()
