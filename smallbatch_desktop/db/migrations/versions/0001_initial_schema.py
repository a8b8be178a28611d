"""Initial schema: inventory, recipes, batches, genealogy, QC, shipments, labels, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:43:23.924204
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "custom_stocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_stocks")),
        sa.UniqueConstraint("name", name=op.f("uq_custom_stocks_name")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("name", name=op.f("uq_customers_name")),
    )
    op.create_table(
        "printer_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("printer_name", sa.String(length=200), nullable=False),
        sa.Column("dpi", sa.Integer(), nullable=False),
        sa.Column("offset_x_mm", sa.BigInteger(), nullable=False),
        sa.Column("offset_y_mm", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_printer_profiles_name")),
    )
    op.create_table(
        "recall_drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_code", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("batches_found", sa.Integer(), nullable=False),
        sa.Column("shipments_found", sa.Integer(), nullable=False),
        sa.Column("customers_found", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_drills")),
    )
    op.create_table(
        "recipes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("product_line", sa.String(length=100), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("intermediate", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipes")),
        sa.UniqueConstraint("code", name=op.f("uq_recipes_code")),
    )
    with op.batch_alter_table("recipes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recipes_name"), ["name"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("name", name=op.f("uq_suppliers_name")),
    )
    op.create_table(
        "label_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("stock_key", sa.String(length=120), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_label_layouts_recipe_id_recipes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_layouts")),
        sa.UniqueConstraint("name", name=op.f("uq_label_layouts_name")),
    )
    with op.batch_alter_table("label_layouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_layouts_recipe_id"), ["recipe_id"], unique=False)

    op.create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("stock_unit", sa.String(length=10), nullable=False),
        sa.Column("allergens", sa.String(length=300), nullable=False),
        sa.Column("inci_name", sa.String(length=300), nullable=False),
        sa.Column("density", sa.BigInteger(), nullable=True),
        sa.Column("reorder_level", sa.BigInteger(), nullable=True),
        sa.Column("default_supplier_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_materials_default_supplier_id_suppliers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
        sa.UniqueConstraint("code", name=op.f("uq_materials_code")),
    )
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_materials_default_supplier_id"), ["default_supplier_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_materials_name"), ["name"], unique=False)

    op.create_table(
        "recipe_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("yield_quantity", sa.BigInteger(), nullable=False),
        sa.Column("yield_unit", sa.String(length=10), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("label_facts", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("yield_quantity > 0", name=op.f("ck_recipe_versions_yield_positive")),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_versions_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_versions")),
        sa.UniqueConstraint("recipe_id", "version", name="uq_recipe_versions_recipe_version"),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_code", sa.String(length=40), nullable=False),
        sa.Column("recipe_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_quantity", sa.BigInteger(), nullable=False),
        sa.Column("actual_quantity", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("scale_factor", sa.BigInteger(), nullable=False),
        sa.Column("made_date", sa.Date(), nullable=False),
        sa.Column("best_before", sa.Date(), nullable=True),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("qc_at", sa.DateTime(), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "actual_quantity IS NULL OR actual_quantity >= 0", name=op.f("ck_batches_actual_nonneg")
        ),
        sa.CheckConstraint("planned_quantity > 0", name=op.f("ck_batches_planned_positive")),
        sa.ForeignKeyConstraint(
            ["recipe_version_id"],
            ["recipe_versions.id"],
            name=op.f("fk_batches_recipe_version_id_recipe_versions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("lot_code", name=op.f("uq_batches_lot_code")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index("ix_batches_made_date", ["made_date", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_batches_recipe_version_id"), ["recipe_version_id"], unique=False
        )
        batch_op.create_index("ix_batches_status_made", ["status", "made_date"], unique=False)

    op.create_table(
        "material_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_code", sa.String(length=40), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("supplier_lot_code", sa.String(length=80), nullable=False),
        sa.Column("quantity_received", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("certifications", sa.String(length=300), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("document_ref", sa.String(length=80), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("received_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "quantity_received > 0", name=op.f("ck_material_lots_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_material_lots_material_id_materials"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_material_lots_supplier_id_suppliers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_lots")),
        sa.UniqueConstraint("lot_code", name=op.f("uq_material_lots_lot_code")),
    )
    with op.batch_alter_table("material_lots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_material_lots_material_expiry",
            ["material_id", "expiry_date", "received_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_material_lots_supplier_id"), ["supplier_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_material_lots_supplier_lot_code"), ["supplier_lot_code"], unique=False
        )

    op.create_table(
        "qc_spec_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("min_value", sa.BigInteger(), nullable=True),
        sa.Column("max_value", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["recipe_versions.id"],
            name=op.f("fk_qc_spec_items_version_id_recipe_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_spec_items")),
    )
    with op.batch_alter_table("qc_spec_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qc_spec_items_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "recipe_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("component_recipe_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            "(material_id IS NULL) <> (component_recipe_id IS NULL)",
            name=op.f("ck_recipe_lines_one_input"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_recipe_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["component_recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_lines_component_recipe_id_recipes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_recipe_lines_material_id_materials"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["recipe_versions.id"],
            name=op.f("fk_recipe_lines_version_id_recipe_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_lines")),
    )
    with op.batch_alter_table("recipe_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recipe_lines_component_recipe_id"), ["component_recipe_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipe_lines_material_id"), ["material_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recipe_lines_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amended_by", sa.String(length=100), nullable=False),
        sa.Column("amended_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_amendments_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
    )
    with op.batch_alter_table("amendments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendments_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "consumptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("material_lot_id", sa.Integer(), nullable=True),
        sa.Column("input_batch_id", sa.Integer(), nullable=True),
        sa.Column("recipe_line_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("entered_quantity", sa.BigInteger(), nullable=False),
        sa.Column("entered_unit", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(material_lot_id IS NULL) <> (input_batch_id IS NULL)",
            name=op.f("ck_consumptions_one_source"),
        ),
        sa.CheckConstraint(
            "input_batch_id IS NULL OR input_batch_id <> batch_id",
            name=op.f("ck_consumptions_not_self"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_consumptions_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_consumptions_batch_id_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["input_batch_id"],
            ["batches.id"],
            name=op.f("fk_consumptions_input_batch_id_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["material_lot_id"],
            ["material_lots.id"],
            name=op.f("fk_consumptions_material_lot_id_material_lots"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_line_id"],
            ["recipe_lines.id"],
            name=op.f("fk_consumptions_recipe_line_id_recipe_lines"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumptions")),
    )
    with op.batch_alter_table("consumptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consumptions_batch_sources",
            ["batch_id", "material_lot_id", "input_batch_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_consumptions_input_batch_batch", ["input_batch_id", "batch_id"], unique=False
        )
        batch_op.create_index(
            "ix_consumptions_lot_batch", ["material_lot_id", "batch_id"], unique=False
        )

    op.create_table(
        "label_print_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("layout_name", sa.String(length=120), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("printed_by", sa.String(length=100), nullable=False),
        sa.Column("printed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_label_print_runs_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_print_runs")),
    )
    with op.batch_alter_table("label_print_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_label_print_runs_batch_id"), ["batch_id"], unique=False
        )

    op.create_table(
        "qc_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("spec_item_id", sa.Integer(), nullable=False),
        sa.Column("value_text", sa.String(length=300), nullable=False),
        sa.Column("value_numeric", sa.BigInteger(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_qc_results_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spec_item_id"],
            ["qc_spec_items.id"],
            name=op.f("fk_qc_results_spec_item_id_qc_spec_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_results")),
    )
    with op.batch_alter_table("qc_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qc_results_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qc_results_spec_item_id"), ["spec_item_id"], unique=False
        )

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("shipped_date", sa.Date(), nullable=False),
        sa.Column("document_type", sa.String(length=30), nullable=False),
        sa.Column("document_number", sa.String(length=80), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipments_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_shipments_batch_id_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_shipments_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipments_batch_customer", ["batch_id", "customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shipments_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index("ix_shipments_date", ["shipped_date"], unique=False)

    op.create_table(
        "stock_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_lot_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["material_lot_id"],
            ["material_lots.id"],
            name=op.f("fk_stock_adjustments_material_lot_id_material_lots"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_adjustments")),
    )
    with op.batch_alter_table("stock_adjustments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_adjustments_material_lot_id"), ["material_lot_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("stock_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_adjustments_material_lot_id"))

    op.drop_table("stock_adjustments")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_date")
        batch_op.drop_index(batch_op.f("ix_shipments_customer_id"))
        batch_op.drop_index("ix_shipments_batch_customer")

    op.drop_table("shipments")
    with op.batch_alter_table("qc_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qc_results_spec_item_id"))
        batch_op.drop_index(batch_op.f("ix_qc_results_batch_id"))

    op.drop_table("qc_results")
    with op.batch_alter_table("label_print_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_print_runs_batch_id"))

    op.drop_table("label_print_runs")
    with op.batch_alter_table("consumptions", schema=None) as batch_op:
        batch_op.drop_index("ix_consumptions_lot_batch")
        batch_op.drop_index("ix_consumptions_input_batch_batch")
        batch_op.drop_index("ix_consumptions_batch_sources")

    op.drop_table("consumptions")
    with op.batch_alter_table("amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendments_batch_id"))

    op.drop_table("amendments")
    with op.batch_alter_table("recipe_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recipe_lines_version_id"))
        batch_op.drop_index(batch_op.f("ix_recipe_lines_material_id"))
        batch_op.drop_index(batch_op.f("ix_recipe_lines_component_recipe_id"))

    op.drop_table("recipe_lines")
    with op.batch_alter_table("qc_spec_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qc_spec_items_version_id"))

    op.drop_table("qc_spec_items")
    with op.batch_alter_table("material_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_material_lots_supplier_lot_code"))
        batch_op.drop_index(batch_op.f("ix_material_lots_supplier_id"))
        batch_op.drop_index("ix_material_lots_material_expiry")

    op.drop_table("material_lots")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index("ix_batches_status_made")
        batch_op.drop_index(batch_op.f("ix_batches_recipe_version_id"))
        batch_op.drop_index("ix_batches_made_date")

    op.drop_table("batches")
    op.drop_table("recipe_versions")
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_materials_name"))
        batch_op.drop_index(batch_op.f("ix_materials_default_supplier_id"))

    op.drop_table("materials")
    with op.batch_alter_table("label_layouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_layouts_recipe_id"))

    op.drop_table("label_layouts")
    op.drop_table("suppliers")
    op.drop_table("settings")
    with op.batch_alter_table("recipes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recipes_name"))

    op.drop_table("recipes")
    op.drop_table("recall_drills")
    op.drop_table("printer_profiles")
    op.drop_table("customers")
    op.drop_table("custom_stocks")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
