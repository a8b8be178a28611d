"""Test data through the services, the way a maker's clicks make it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from smallbatch_desktop.domain.models import Batch, MaterialLot, RecipeVersion
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import recipes as rec
from smallbatch_desktop.services.recipes import LineInput, QcItemInput

DAY = dt.date(2026, 3, 2)


@dataclass
class Kitchen:
    """A tiny hot-sauce kitchen: chili + vinegar -> mash (intermediate) -> sauce."""

    chili_lot: MaterialLot
    vinegar_lot: MaterialLot
    mash_v: RecipeVersion
    sauce_v: RecipeVersion


def kitchen(s: Session) -> Kitchen:
    sup = inv.create_supplier(s, name="Chili Farm", address="Hatch, NM")
    chili = inv.create_material(s, code="CHILI", name="Habanero", stock_unit="kg", allergens="")
    vin = inv.create_material(
        s, code="VIN", name="Cider vinegar", stock_unit="l", density="1.01", allergens="sulphites"
    )
    chili_lot = inv.receive_lot(
        s,
        material_id=chili.id,
        quantity="10",
        supplier_id=sup.id,
        supplier_lot_code="CF-001",
        unit_cost="4.50",
        received_date=DAY,
        expiry_date=DAY + dt.timedelta(days=60),
        origin="Hatch, NM",
        certifications="Organic",
    )
    vin_lot = inv.receive_lot(
        s,
        material_id=vin.id,
        quantity="20",
        supplier_id=sup.id,
        supplier_lot_code="V-9",
        unit_cost="2",
        received_date=DAY,
    )
    mash = rec.create_recipe(
        s, code="MASH", name="Habanero mash", yield_quantity="5", yield_unit="kg", intermediate=True
    )
    rec.update_draft(
        s,
        mash.id,
        lines=[LineInput("5", "kg", material_id=chili.id)],
        qc_items=[QcItemInput("pH", "numeric", max_value="4.0", unit="pH")],
        shelf_life_days=90,
    )
    rec.publish(s, mash.id)
    sauce = rec.create_recipe(s, code="HS", name="Hot sauce", yield_quantity="24", yield_unit="pcs")
    rec.update_draft(
        s,
        sauce.id,
        lines=[
            LineInput("2", "kg", component_recipe_id=mash.recipe_id),
            LineInput("1000", "g", material_id=vin.id),
        ],
        qc_items=[QcItemInput("Taste", "passfail"), QcItemInput("Note", "text", required=False)],
        shelf_life_days=365,
    )
    rec.publish(s, sauce.id)
    s.flush()
    return Kitchen(chili_lot, vin_lot, mash, sauce)


def record_suggested_inputs(s: Session, batch_id: int) -> None:
    """Record the inputs the app suggests for the batch (FEFO picks for every line)."""
    for need in bat.suggest_lots(s, batch_id):
        for p in need.picks:
            bat.record_consumption(
                s,
                batch_id,
                lot_code=p.lot_code,
                quantity=p.take,
                unit=p.unit,
                recipe_line_id=need.line_id,
            )


def released_batch(
    s: Session,
    version: RecipeVersion,
    qty: str,
    *,
    day: dt.date = DAY,
    qc: dict[str, str] | None = None,
    operator: str = "",
    waste: str | None = None,
    waste_reason: str = "",
) -> Batch:
    """Plan, pick FEFO, produce (``waste`` of the planned ``qty`` lost, and why), pass
    QC, release."""
    b = bat.plan_batch(
        s, recipe_version_id=version.id, planned_quantity=qty, made_date=day, operator=operator
    )
    record_suggested_inputs(s, b.id)
    bat.change_status(s, b.id, "start")
    bat.finish_production(
        s,
        b.id,
        actual_quantity=b.planned_quantity - Decimal(waste or 0),
        waste_quantity=waste,
        waste_reason=waste_reason,
    )
    values = qc or {}
    for item in version.qc_items:
        if item.required:
            default = (
                "3.5" if item.kind == "numeric" else "pass" if item.kind == "passfail" else "ok"
            )
            bat.record_qc(s, b.id, item.id, values.get(item.name, default))
    bat.change_status(s, b.id, "release", actor="tester")
    return b


#: the revision before migration 0007_snapshot_backfill
BEFORE_SNAPSHOTS = "0009_speed"


def older_database(path: object, batches: int) -> None:
    """A database as an older version of Smallbatch left it at ``path``: ``batches``
    generated released batches without their snapshots, the schema taken back to the
    revision before the snapshot backfill (the next open updates it)."""
    import contextlib
    import sqlite3

    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.db.migrate import downgrade_to
    from smallbatch_desktop.services.demo import generate_scale

    engine, _sf = open_database(str(path))
    generate_scale(engine, batches, snapshots=False)
    downgrade_to(engine, BEFORE_SNAPSHOTS)
    engine.dispose()
    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
