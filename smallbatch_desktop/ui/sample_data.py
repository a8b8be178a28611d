"""A small sample workshop built only through the services, with named ids.

The UI and end-to-end tests use it where they need to know which row is which; the
welcome step and ``scripts/screenshots.py`` load the full demo (``services.demo``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from smallbatch_desktop.domain.models import Batch
from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import recipes as rsvc
from smallbatch_desktop.services.common import set_setting


def build_small_workshop(
    session: Session,
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, int]:
    """A hot sauce and soap workshop: suppliers, lots, recipes (2 versions, an
    intermediate), batches in several states, QC and shipments. Returns named ids."""
    today = today or dt.date.today()
    ids: dict[str, int] = {}

    def step(i: int, text: str) -> None:
        if progress is not None:
            progress(i, 6, text)

    step(0, "Business details")
    set_setting(session, "business_name", "Ember & Lye Workshop")
    set_setting(session, "business_address", "12 Mill Lane, Riverton")

    step(1, "Suppliers and materials")
    farm = inv.create_supplier(
        session, name="Sunridge Pepper Farm", address="Hatch, New Mexico", contact="Rosa Delgado"
    )
    mill = inv.create_supplier(session, name="Coastal Vinegar Co.", address="Portland, Oregon")
    oils = inv.create_supplier(session, name="Oleum Naturals", address="Valencia, Spain")
    pepper = inv.create_material(
        session,
        code="PEP-HAB",
        name="Habanero peppers",
        stock_unit="kg",
        reorder_level="5",
        default_supplier_id=farm.id,
    )
    garlic = inv.create_material(
        session, code="GARLIC", name="Garlic", stock_unit="kg", reorder_level="1"
    )
    vinegar = inv.create_material(
        session,
        code="VIN-APL",
        name="Apple cider vinegar",
        stock_unit="l",
        density="1.01",
        reorder_level="10",
    )
    salt = inv.create_material(session, code="SALT", name="Sea salt", stock_unit="kg")
    mustard = inv.create_material(
        session, code="MUSTARD", name="Mustard seed", stock_unit="g", allergens="mustard"
    )
    bottle = inv.create_material(
        session,
        code="BTL-150",
        name="Woozy bottle 150 ml",
        stock_unit="pcs",
        kind="packaging",
        reorder_level="200",
    )
    olive = inv.create_material(
        session,
        code="OIL-OLV",
        name="Olive oil",
        stock_unit="kg",
        inci_name="Olea Europaea Fruit Oil",
    )
    lye = inv.create_material(
        session, code="NAOH", name="Sodium hydroxide", stock_unit="kg", inci_name="Sodium Hydroxide"
    )
    ids.update(pepper=pepper.id, garlic=garlic.id, vinegar=vinegar.id, salt=salt.id)

    step(2, "Receiving lots")
    d = dt.timedelta
    lots = {
        "pep1": inv.receive_lot(
            session,
            material_id=pepper.id,
            quantity="20",
            supplier_id=farm.id,
            supplier_lot_code="SR-2231",
            unit_cost="6.40",
            received_date=today - d(40),
            expiry_date=today + d(10),
            origin="Hatch, NM, USA",
            certifications="Organic",
            gtin="09876543210982",
        ),
        "pep2": inv.receive_lot(
            session,
            material_id=pepper.id,
            quantity="15",
            supplier_id=farm.id,
            supplier_lot_code="SR-2290",
            unit_cost="6.10",
            received_date=today - d(5),
            expiry_date=today + d(60),
            origin="Hatch, NM, USA",
            certifications="Organic",
        ),
        "gar": inv.receive_lot(
            session,
            material_id=garlic.id,
            quantity="4",
            supplier_id=farm.id,
            supplier_lot_code="SR-G17",
            unit_cost="9.00",
            received_date=today - d(20),
            expiry_date=today + d(90),
            origin="Gilroy, CA, USA",
        ),
        "vin": inv.receive_lot(
            session,
            material_id=vinegar.id,
            quantity="40",
            supplier_id=mill.id,
            supplier_lot_code="CV-88120",
            unit_cost="2.20",
            received_date=today - d(30),
            expiry_date=today + d(700),
            origin="Oregon, USA",
        ),
        "salt": inv.receive_lot(
            session,
            material_id=salt.id,
            quantity="10",
            supplier_id=mill.id,
            supplier_lot_code="CV-S1",
            unit_cost="1.50",
            received_date=today - d(30),
            origin="Brittany, France",
        ),
        "mus": inv.receive_lot(
            session,
            material_id=mustard.id,
            quantity="900",
            supplier_id=farm.id,
            supplier_lot_code="SR-M3",
            unit_cost="0.012",
            received_date=today - d(12),
            expiry_date=today + d(20),
            origin="Saskatchewan, Canada",
        ),
        "btl": inv.receive_lot(
            session,
            material_id=bottle.id,
            quantity="150",
            unit_cost="0.45",
            received_date=today - d(25),
        ),
        "oil": inv.receive_lot(
            session,
            material_id=olive.id,
            quantity="25",
            supplier_id=oils.id,
            supplier_lot_code="ON-5521",
            unit_cost="7.80",
            received_date=today - d(15),
            expiry_date=today + d(300),
            origin="Jaén, Spain",
            certifications="Organic, PDO",
        ),
        "lye": inv.receive_lot(
            session,
            material_id=lye.id,
            quantity="5",
            supplier_id=oils.id,
            supplier_lot_code="ON-L9",
            unit_cost="4.00",
            received_date=today - d(15),
        ),
    }
    ids.update({f"lot_{k}": v.id for k, v in lots.items()})

    step(3, "Recipes")
    mash_v = rsvc.create_recipe(
        session,
        code="MASH",
        name="Fermented pepper mash",
        yield_quantity="10",
        yield_unit="kg",
        intermediate=True,
    )
    rsvc.update_draft(
        session,
        mash_v.id,
        lines=[
            rsvc.LineInput("9.5", "kg", material_id=pepper.id),
            rsvc.LineInput("0.3", "kg", material_id=salt.id),
            rsvc.LineInput("0.2", "kg", material_id=garlic.id),
        ],
        steps="Stem and grind the peppers.\nMix with salt and garlic.\nFerment 21 days at 20 °C.",
        shelf_life_days=180,
        qc_items=[rsvc.QcItemInput("pH", "numeric", max_value="4.0")],
    )
    rsvc.publish(session, mash_v.id)
    hs1 = rsvc.create_recipe(
        session,
        code="HS",
        name="Habanero Hot Sauce",
        yield_quantity="24",
        yield_unit="pcs",
        product_line="Hot sauce",
        gtin="00012345678905",
    )
    lines = [
        rsvc.LineInput("2.4", "kg", component_recipe_id=mash_v.recipe_id),
        rsvc.LineInput("1.2", "l", material_id=vinegar.id),
        rsvc.LineInput("30", "g", material_id=mustard.id),
        rsvc.LineInput("24", "pcs", material_id=bottle.id),
    ]
    qc = [
        rsvc.QcItemInput("pH", "numeric", min_value="3.2", max_value="3.8"),
        rsvc.QcItemInput("Fill weight", "numeric", min_value="148", max_value="156", unit="g"),
        rsvc.QcItemInput("Cap torque and seal", "passfail"),
        rsvc.QcItemInput("Tasting note", "text", required=False),
    ]
    rsvc.update_draft(
        session,
        hs1.id,
        lines=lines,
        qc_items=qc,
        steps="Blend mash and vinegar.\nAdd mustard seed.\nHot-fill at 85 °C and cap.",
        shelf_life_days=365,
        label_facts={
            "product_name": "Habanero Hot Sauce",
            "net_quantity": "150 ml",
            "storage": "Refrigerate after opening",
            "use_by": "best_before",
        },
    )
    rsvc.publish(session, hs1.id)
    hs2 = rsvc.new_version(session, hs1.id)
    rsvc.update_draft(
        session,
        hs2.id,
        lines=[*lines[:1], rsvc.LineInput("1.3", "l", material_id=vinegar.id), *lines[2:]],
        steps="Blend mash and vinegar.\nAdd mustard seed.\nHot-fill at 88 °C and cap.",
    )
    rsvc.publish(session, hs2.id)
    soap = rsvc.create_recipe(
        session,
        code="SOAP",
        name="Olive Castile Soap",
        yield_quantity="20",
        yield_unit="pcs",
        product_line="Soap",
    )
    rsvc.update_draft(
        session,
        soap.id,
        lines=[
            rsvc.LineInput("2", "kg", material_id=olive.id),
            rsvc.LineInput("0.26", "kg", material_id=lye.id),
        ],
        qc_items=[rsvc.QcItemInput("Zap test", "passfail")],
        shelf_life_days=730,
    )
    rsvc.publish(session, soap.id)
    ids.update(mash_version=mash_v.id, hs_v1=hs1.id, hs_v2=hs2.id, soap_version=soap.id)

    step(4, "Batches")
    made = today - d(30)
    mash_b = bsvc.plan_batch(
        session, recipe_version_id=mash_v.id, planned_quantity="10", made_date=made, operator="Rosa"
    )
    bsvc.record_consumptions(
        session,
        mash_b.id,
        [
            bsvc.PickInput(lots["pep1"].lot_code, "9.5", "kg"),
            bsvc.PickInput(lots["salt"].lot_code, "0.3", "kg"),
            bsvc.PickInput(lots["gar"].lot_code, "0.2", "kg"),
        ],
    )
    _advance(session, mash_b.id, {"pH": "3.6"})
    hs_b = bsvc.plan_batch(
        session,
        recipe_version_id=hs2.id,
        planned_quantity="48",
        made_date=today - d(8),
        operator="Sam",
    )
    bsvc.record_consumptions(
        session,
        hs_b.id,
        [
            bsvc.PickInput(mash_b.lot_code, "4.8", "kg"),
            bsvc.PickInput(lots["vin"].lot_code, "2.6", "l"),
            bsvc.PickInput(lots["mus"].lot_code, "60", "g"),
            bsvc.PickInput(lots["btl"].lot_code, "48", "pcs"),
        ],
    )
    _advance(session, hs_b.id, {"pH": "3.5", "Fill weight": "151", "Cap torque and seal": "pass"})
    for name, contact, phone in (
        ("Riverton Farmers Market", "Market office", "(518) 555-0110"),
        ("The Corner Deli", "Sam Patel", "(518) 555-0142"),
    ):
        inv.create_customer(session, name=name, contact=contact, phone=phone)
    bsvc.ship_batch(
        session,
        hs_b.id,
        customer="Riverton Farmers Market",
        quantity="18",
        shipped_date=today - d(4),
        document_number="INV-1041",
    )
    bsvc.ship_batch(
        session,
        hs_b.id,
        customer="The Corner Deli",
        quantity="12",
        shipped_date=today - d(2),
        document_number="INV-1047",
    )
    qc_b = bsvc.plan_batch(
        session,
        recipe_version_id=hs2.id,
        planned_quantity="24",
        made_date=today - d(1),
        operator="Sam",
    )
    bsvc.record_consumptions(
        session,
        qc_b.id,
        [
            bsvc.PickInput(mash_b.lot_code, "2.4", "kg"),
            bsvc.PickInput(lots["vin"].lot_code, "1.3", "l"),
        ],
    )
    bsvc.change_status(session, qc_b.id, "start")
    bsvc.finish_production(session, qc_b.id, actual_quantity=qc_b.planned_quantity)
    spec = {s.name: s.spec_item_id for s in bsvc.qc_summary(session, qc_b.id)}
    bsvc.record_qc(session, qc_b.id, spec["pH"], "4.1")  # out of spec: shows red
    soap_b = bsvc.plan_batch(
        session,
        recipe_version_id=soap.id,
        planned_quantity="20",
        made_date=today - d(3),
        operator="Lee",
    )
    bsvc.record_consumptions(
        session,
        soap_b.id,
        [
            bsvc.PickInput(lots["oil"].lot_code, "2", "kg"),
            bsvc.PickInput(lots["lye"].lot_code, "0.26", "kg"),
        ],
    )
    bsvc.change_status(session, soap_b.id, "start")
    planned = bsvc.plan_batch(
        session, recipe_version_id=hs2.id, planned_quantity="24", made_date=today, operator="Sam"
    )
    rej = bsvc.plan_batch(
        session,
        recipe_version_id=soap.id,
        planned_quantity="10",
        made_date=today - d(6),
        operator="Lee",
    )
    bsvc.change_status(session, rej.id, "reject", reason="Oil arrived rancid")
    ids.update(
        mash_batch=mash_b.id,
        hs_batch=hs_b.id,
        qc_batch=qc_b.id,
        soap_batch=soap_b.id,
        planned_batch=planned.id,
    )
    step(6, "Done")
    session.flush()
    return ids


def _advance(session: Session, batch_id: int, results: dict[str, str]) -> None:
    bsvc.change_status(session, batch_id, "start")
    planned = session.get(Batch, batch_id).planned_quantity  # type: ignore[union-attr]
    bsvc.finish_production(session, batch_id, actual_quantity=planned)
    for state in bsvc.qc_summary(session, batch_id):
        if state.name in results:
            bsvc.record_qc(session, batch_id, state.spec_item_id, results[state.name])
    bsvc.change_status(session, batch_id, "release", actor="Rosa")
