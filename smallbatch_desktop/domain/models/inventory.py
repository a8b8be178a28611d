"""Suppliers, materials, material lots, stock adjustments, customers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smallbatch_desktop.domain.models.base import Base, Fixed, UTCDateTime, utcnow


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Material(Base):
    """An input: ingredient, packaging, component."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="ingredient")
    stock_unit: Mapped[str] = mapped_column(String(10))
    #: comma-separated allergen keys from domain.allergens (e.g. "mustard,sesame")
    allergens: Mapped[str] = mapped_column(String(300), default="")
    inci_name: Mapped[str] = mapped_column(String(300), default="")
    #: grams per millilitre, for mass <-> volume conversion
    density: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    reorder_level: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    default_supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    default_supplier: Mapped[Supplier | None] = relationship()

    @property
    def allergen_list(self) -> list[str]:
        return [a for a in (s.strip() for s in self.allergens.split(",")) if a]


class MaterialLot(Base):
    """One receipt of a material."""

    __tablename__ = "material_lots"
    __table_args__ = (
        CheckConstraint("quantity_received > 0", name="quantity_positive"),
        Index("ix_material_lots_material_expiry", "material_id", "expiry_date", "received_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_code: Mapped[str] = mapped_column(String(40), unique=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id", ondelete="RESTRICT"))
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    supplier_lot_code: Mapped[str] = mapped_column(String(80), default="", index=True)
    quantity_received: Mapped[Decimal] = mapped_column(Fixed)
    unit: Mapped[str] = mapped_column(String(10))
    #: cost per one ``unit`` of this lot
    unit_cost: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    received_date: Mapped[dt.date] = mapped_column(Date)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    origin: Mapped[str] = mapped_column(String(200), default="")
    certifications: Mapped[str] = mapped_column(String(300), default="")
    gtin: Mapped[str] = mapped_column(String(14), default="")
    document_ref: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    received_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: received + adjustments - consumed, kept by the database's triggers (migration
    #: 0003_integrity), which refuse a write that would take it below zero; the app never
    #: writes it
    on_hand: Mapped[Decimal] = mapped_column(Fixed, server_default=text("0"))

    material: Mapped[Material] = relationship()
    supplier: Mapped[Supplier | None] = relationship()


class StockAdjustment(Base):
    """A signed change to a lot's quantity with a reason (count, spill, spoilage...)."""

    __tablename__ = "stock_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_lot_id: Mapped[int] = mapped_column(
        ForeignKey("material_lots.id", ondelete="RESTRICT"), index=True
    )
    #: signed, in the lot's unit
    quantity: Mapped[Decimal] = mapped_column(Fixed)
    reason: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Customer(Base):
    """Who finished goods go to: a customer, shop or channel (market, web shop)."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30), default="customer")
    address: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
