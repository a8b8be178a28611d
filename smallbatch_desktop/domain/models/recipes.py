"""Recipes, their versions, lines and QC spec items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smallbatch_desktop.domain.models.base import Base, Fixed, JSONText, UTCDateTime, utcnow
from smallbatch_desktop.domain.models.inventory import Material

DRAFT = "draft"
PUBLISHED = "published"


class Recipe(Base):
    """A product's formulation; the versions hold the content."""

    __tablename__ = "recipes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short product code used in lot codes ({PRODUCT})
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    product_line: Mapped[str] = mapped_column(String(100), default="")
    #: GTIN-14 (digits only) of the finished product, if it has one
    gtin: Mapped[str] = mapped_column(String(14), default="")
    #: True for intermediates (mash, syrup, soap base) used in other recipes
    intermediate: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[RecipeVersion]] = relationship(
        back_populates="recipe", order_by="RecipeVersion.version", cascade="all, delete-orphan"
    )


class RecipeVersion(Base):
    __tablename__ = "recipe_versions"
    __table_args__ = (
        UniqueConstraint("recipe_id", "version", name="uq_recipe_versions_recipe_version"),
        CheckConstraint("yield_quantity > 0", name="yield_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)
    yield_quantity: Mapped[Decimal] = mapped_column(Fixed)
    yield_unit: Mapped[str] = mapped_column(String(10))
    steps: Mapped[str] = mapped_column(Text, default="")
    shelf_life_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: product_name, net_quantity, storage, use_by ("best_before" or "use_by"), any others
    label_facts: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_by: Mapped[str] = mapped_column(String(100), default="")

    recipe: Mapped[Recipe] = relationship(back_populates="versions")
    lines: Mapped[list[RecipeLine]] = relationship(
        back_populates="version", order_by="RecipeLine.position", cascade="all, delete-orphan"
    )
    qc_items: Mapped[list[QcSpecItem]] = relationship(
        back_populates="version", order_by="QcSpecItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class RecipeLine(Base):
    """Quantity of a material, or of an intermediate product (another recipe)."""

    __tablename__ = "recipe_lines"
    __table_args__ = (
        CheckConstraint("(material_id IS NULL) <> (component_recipe_id IS NULL)", name="one_input"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("recipe_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    material_id: Mapped[int | None] = mapped_column(
        ForeignKey("materials.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    component_recipe_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipes.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Fixed)
    unit: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(300), default="")

    version: Mapped[RecipeVersion] = relationship(back_populates="lines")
    material: Mapped[Material | None] = relationship()
    component_recipe: Mapped[Recipe | None] = relationship()

    @property
    def input_name(self) -> str:
        if self.material is not None:
            return self.material.name
        assert self.component_recipe is not None
        return self.component_recipe.name


class QcSpecItem(Base):
    """A check on the recipe version: numeric (min/max, unit), pass/fail, or text."""

    __tablename__ = "qc_spec_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("recipe_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # numeric | passfail | text
    min_value: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    max_value: Mapped[Decimal | None] = mapped_column(Fixed, nullable=True)
    unit: Mapped[str] = mapped_column(String(20), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(300), default="")

    version: Mapped[RecipeVersion] = relationship(back_populates="qc_items")
