"""Batches, the consumption edges of the genealogy, QC results, shipments, amendments."""

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
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smallbatch_desktop.domain.models.base import Base, Fixed, JSONText, UTCDateTime, utcnow
from smallbatch_desktop.domain.models.inventory import Customer, MaterialLot
from smallbatch_desktop.domain.models.recipes import QcSpecItem, RecipeVersion


class Batch(Base):
    """One production run of a recipe version."""

    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint("planned_quantity > 0", name="planned_positive"),
        CheckConstraint("actual_quantity IS NULL OR actual_quantity >= 0", name="actual_nonneg"),
        Index("ix_batches_status_made", "status", "made_date"),
        Index("ix_batches_made_date", "made_date", "id"),
        # the batch list sorts by these columns; with the id they give a stable page order
        # that an index walk delivers without sorting 100,000 rows (migration 0002)
        Index("ix_batches_best_before", "best_before", "id"),
        Index("ix_batches_planned_quantity", "planned_quantity", "id"),
        Index("ix_batches_operator", "operator", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_code: Mapped[str] = mapped_column(String(40), unique=True)
    recipe_version_id: Mapped[int] = mapped_column(
        ForeignKey("recipe_versions.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="planned")
    #: in the recipe version's yield unit
    planned_quantity: Mapped[Decimal] = mapped_column(Fixed)
    #: what production actually made (recorded when production finishes, before QC)
    actual_quantity: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    #: waste or loss at the end of production (spilt, burnt, under-filled), in ``unit``
    waste_quantity: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    waste_reason: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(10))
    #: planned / yield of the version: how the recipe was scaled
    scale_factor: Mapped[Decimal] = mapped_column(Fixed)
    made_date: Mapped[dt.date] = mapped_column(Date)
    best_before: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    operator: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    qc_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_by: Mapped[str] = mapped_column(String(100), default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str] = mapped_column(String(100), default="")
    close_reason: Mapped[str] = mapped_column(Text, default="")
    #: used as an input of other batches + shipped, in ``unit``; kept by the database's
    #: triggers (migration 0003_integrity), which refuse a write that would take it over
    #: what the batch made; the app never writes it
    used_quantity: Mapped[Decimal] = mapped_column(Fixed, server_default=text("0"))

    recipe_version: Mapped[RecipeVersion] = relationship()
    consumptions: Mapped[list[Consumption]] = relationship(
        back_populates="batch", foreign_keys="Consumption.batch_id", order_by="Consumption.id"
    )
    qc_results: Mapped[list[QcResult]] = relationship(
        back_populates="batch", order_by="QcResult.id"
    )
    shipments: Mapped[list[Shipment]] = relationship(back_populates="batch", order_by="Shipment.id")
    amendments: Mapped[list[Amendment]] = relationship(
        back_populates="batch", order_by="Amendment.id"
    )


class Consumption(Base):
    """The genealogy edge: ``batch`` used ``quantity`` of a material lot or another batch.

    ``quantity`` is in the source's own unit (the lot's unit, or the input batch's unit)
    so on-hand is a plain SUM; ``entered_quantity``/``entered_unit`` keep what was typed.
    The two covering indexes make the trace an index-only walk in both directions.
    """

    __tablename__ = "consumptions"
    __table_args__ = (
        CheckConstraint("(material_lot_id IS NULL) <> (input_batch_id IS NULL)", name="one_source"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("input_batch_id IS NULL OR input_batch_id <> batch_id", name="not_self"),
        Index("ix_consumptions_batch_sources", "batch_id", "material_lot_id", "input_batch_id"),
        # the forward trace walks these two; with the quantity and unit they cover it
        # (the walk never reads a table row; migration 0006_search_index)
        Index("ix_consumptions_lot_batch", "material_lot_id", "batch_id", "quantity", "unit"),
        Index(
            "ix_consumptions_input_batch_batch", "input_batch_id", "batch_id", "quantity", "unit"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="RESTRICT"))
    material_lot_id: Mapped[int | None] = mapped_column(
        ForeignKey("material_lots.id", ondelete="RESTRICT"), nullable=True
    )
    input_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("batches.id", ondelete="RESTRICT"), nullable=True
    )
    #: which recipe line this fulfils (None for an unplanned addition)
    recipe_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipe_lines.id", ondelete="SET NULL"), nullable=True
    )
    quantity: Mapped[Decimal] = mapped_column(Fixed)
    unit: Mapped[str] = mapped_column(String(10))
    entered_quantity: Mapped[Decimal] = mapped_column(Fixed)
    entered_unit: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="consumptions", foreign_keys=[batch_id])
    material_lot: Mapped[MaterialLot | None] = relationship()
    input_batch: Mapped[Batch | None] = relationship(foreign_keys=[input_batch_id])


class QcResult(Base):
    """A measured or judged result for one spec item; the latest per item counts."""

    __tablename__ = "qc_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    spec_item_id: Mapped[int] = mapped_column(
        ForeignKey("qc_spec_items.id", ondelete="RESTRICT"), index=True
    )
    value_text: Mapped[str] = mapped_column(String(300), default="")
    value_numeric: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="qc_results")
    spec_item: Mapped[QcSpecItem] = relationship()


class Shipment(Base):
    """Finished units of a batch going to a customer or channel: the forward edge."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # a batch's shipments with every column a trace or a recall shows: the forward
        # trace reads no shipment row (migration 0010_trace)
        Index(
            "ix_shipments_batch_trace",
            "batch_id",
            "customer_id",
            "id",
            "shipped_date",
            "quantity",
            "unit",
            "document_type",
            "document_number",
        ),
        Index("ix_shipments_date", "shipped_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="RESTRICT"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Fixed)
    unit: Mapped[str] = mapped_column(String(10))
    shipped_date: Mapped[dt.date] = mapped_column(Date)
    document_type: Mapped[str] = mapped_column(String(30), default="invoice")
    document_number: Mapped[str] = mapped_column(String(80), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="shipments")
    customer: Mapped[Customer] = relationship()


class BatchSnapshot(Base):
    """What a batch's record and labels showed at release (``services.snapshots``);
    the database refuses to change or delete it."""

    __tablename__ = "batch_snapshots"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("batches.id", ondelete="RESTRICT"), primary_key=True
    )
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSONText)


class Amendment(Base):
    """A correction to a released batch record: who, when, why; never an overwrite."""

    __tablename__ = "amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    amended_by: Mapped[str] = mapped_column(String(100))
    amended_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="amendments")
