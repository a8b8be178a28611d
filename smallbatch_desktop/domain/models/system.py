"""Audit trail, settings, label layouts, printer profiles, print runs, recall drills."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from smallbatch_desktop.domain.models.base import Base, Fixed, JSONText, UTCDateTime, utcnow


class AuditEntry(Base):
    """Who changed what and when. Written by the services, never edited."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class MasterEdit(Base):
    """Master data changed since it was made: a recipe, material or supplier renamed, a
    material lot's supplier details changed (``kind`` recipe, material, supplier or lot,
    ``ref_id`` its id).  Written by the database's own triggers (migration
    ``0011_master_edits``), whatever client changes the row, never by the services.

    A released record keeps the names it showed (``services.snapshots``); a record whose
    recipe and inputs are none of these shows the same names live, so the trace reads
    kept names only for records that used one of these (``services.trace.kept_names``).
    """

    __tablename__ = "master_edits"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Setting(Base):
    """Workshop settings as key -> JSON value (business name, lot code pattern...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)


class LabelLayout(Base):
    """A label design: stock reference plus elements (positions and sizes in mm) as JSON."""

    __tablename__ = "label_layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    recipe_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipes.id", ondelete="SET NULL"), nullable=True, index=True
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    #: catalog key ("Avery 5160") or "custom:<id>"
    stock_key: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomStock(Base):
    """A user's own label stock: sheet or roll geometry in mm, as JSON."""

    __tablename__ = "custom_stocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # sheet | roll
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


class PrinterProfile(Base):
    __tablename__ = "printer_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    printer_name: Mapped[str] = mapped_column(String(200), default="")
    dpi: Mapped[int] = mapped_column(Integer, default=300)
    offset_x_mm: Mapped[Decimal] = mapped_column(Fixed, default=Decimal(0))
    offset_y_mm: Mapped[Decimal] = mapped_column(Fixed, default=Decimal(0))


class LabelPrintRun(Base):
    """Numbers printed for a batch ("n of N"), so a reprint never repeats unless asked."""

    __tablename__ = "label_print_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    layout_name: Mapped[str] = mapped_column(String(120))
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    final: Mapped[bool] = mapped_column(Boolean)
    #: the maker asked for these numbers again; any other final run takes new numbers
    #: (the database refuses one that overlaps an earlier run: migration 0003_integrity)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    printed_by: Mapped[str] = mapped_column(String(100), default="")
    printed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecallDrill(Base):
    """A mock recall: which lot, how long the answer took, what it found."""

    __tablename__ = "recall_drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_code: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    batches_found: Mapped[int] = mapped_column(Integer, default=0)
    shipments_found: Mapped[int] = mapped_column(Integer, default=0)
    customers_found: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str] = mapped_column(String(20), default="")
    run_by: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
