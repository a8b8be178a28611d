"""Test batches for the label tests, built with the ORM models directly.

(The label service must not depend on the other services' shapes, so its tests make
their own data: a hot sauce made of chili, vinegar, mustard and a spice-mix
intermediate, in a batch of 24 jars.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from smallbatch_desktop.domain.models import (
    DRAFT,
    PUBLISHED,
    Batch,
    Consumption,
    Material,
    MaterialLot,
    Recipe,
    RecipeLine,
    RecipeVersion,
    Setting,
    Supplier,
)

MADE = dt.date(2026, 11, 2)


@dataclass
class SauceKitchen:
    batch: Batch
    version: RecipeVersion
    recipe: Recipe
    spice_batch: Batch


def _material(s: Session, code: str, name: str, unit: str, **kw: object) -> Material:
    m = Material(code=code, name=name, stock_unit=unit, **kw)
    s.add(m)
    return m


def sauce_kitchen(
    s: Session,
    *,
    status: str = "released",
    gtin: str = "09506000134352",
    units: str = "24",
    lot: str = "HS-26306-01",
    settings: bool = True,
    facts: dict[str, str] | None = None,
) -> SauceKitchen:
    sup = Supplier(name=f"Chili Farm {lot}")
    s.add(sup)
    chili = _material(s, f"CH-{lot}", "Habanero peppers", "kg")
    vinegar = _material(
        s, f"VI-{lot}", "Cider vinegar", "l", density=Decimal("1.01"), allergens="sulphites"
    )
    mustard = _material(s, f"MU-{lot}", "Mustard seeds", "g", allergens="mustard")
    salt = _material(s, f"SA-{lot}", "Salt", "g")
    sesame = _material(s, f"SE-{lot}", "Sesame", "g", allergens="sesame")
    jar = _material(s, f"JAR-{lot}", "Jar 250 ml", "pcs", kind="packaging")
    s.flush()

    spice = Recipe(code=f"SP{lot[-2:]}", name="Spice mix", intermediate=True)
    s.add(spice)
    spice_v = RecipeVersion(
        recipe=spice, version=1, status=DRAFT, yield_quantity=Decimal("100"), yield_unit="g"
    )
    spice_v.lines = [
        RecipeLine(position=1, material=salt, quantity=Decimal("70"), unit="g"),
        RecipeLine(position=2, material=sesame, quantity=Decimal("30"), unit="g"),
    ]
    s.add(spice_v)

    sauce = Recipe(code=f"HS{lot[-2:]}", name="Hot sauce", gtin=gtin)
    s.add(sauce)
    v = RecipeVersion(
        recipe=sauce,
        version=1,
        status=DRAFT,
        yield_quantity=Decimal("24"),
        yield_unit="pcs",
        shelf_life_days=365,
        label_facts={
            "product_name": "Smoky Habanero Sauce",
            "net_quantity": "250 ml",
            "storage": "Refrigerate after opening",
            **(facts or {}),
        },
    )
    v.lines = [
        # vinegar 2 l * 1.01 = 2020 g, chili 3 kg, mustard 150 g, spice mix 200 g, jars
        RecipeLine(position=1, material=vinegar, quantity=Decimal("2"), unit="l"),
        RecipeLine(position=2, material=chili, quantity=Decimal("3"), unit="kg"),
        RecipeLine(position=3, component_recipe=spice, quantity=Decimal("0.2"), unit="kg"),
        RecipeLine(position=4, material=mustard, quantity=Decimal("150"), unit="g"),
        RecipeLine(position=5, material=jar, quantity=Decimal("24"), unit="pcs"),
    ]
    s.add(v)
    s.flush()
    # published once their lines are in: the database refuses lines added to a
    # published version (and inputs added to a released batch, below)
    spice_v.status = v.status = PUBLISHED

    spice_batch = Batch(
        lot_code=f"SP-{lot}",
        recipe_version=spice_v,
        status="in_production",
        planned_quantity=Decimal("1000"),
        unit="g",
        scale_factor=Decimal("10"),
        made_date=MADE,
    )
    batch = Batch(
        lot_code=lot,
        recipe_version=v,
        status="in_production",
        planned_quantity=Decimal(units),
        unit="pcs",
        scale_factor=Decimal(1),
        made_date=MADE,
        best_before=MADE + dt.timedelta(days=365),
    )
    s.add_all([spice_batch, batch])
    s.flush()
    chili_lot = MaterialLot(
        lot_code=f"L-CH-{lot}",
        material=chili,
        supplier=sup,
        quantity_received=Decimal(10),
        unit="kg",
        received_date=MADE,
    )
    s.add(chili_lot)
    s.flush()
    s.add_all(
        [
            Consumption(
                batch_id=batch.id,
                material_lot_id=chili_lot.id,
                quantity=Decimal(3),
                unit="kg",
                entered_quantity=Decimal(3),
                entered_unit="kg",
            ),
            Consumption(
                batch_id=batch.id,
                input_batch_id=spice_batch.id,
                quantity=Decimal(200),
                unit="g",
                entered_quantity=Decimal(200),
                entered_unit="g",
            ),
        ]
    )
    if settings and s.get(Setting, "business_name") is None:
        s.add(Setting(key="business_name", value="Fire & Field"))
        s.add(Setting(key="business_address", value="12 Mill Lane, Bristol"))
    s.flush()
    spice_batch.status, batch.status = "released", status
    s.flush()
    s.refresh(batch)
    return SauceKitchen(batch=batch, version=v, recipe=sauce, spice_batch=spice_batch)


def test_factory_builds_a_released_batch(session: Session) -> None:
    k = sauce_kitchen(session)
    assert k.batch.status == "released"
    assert [ln.input_name for ln in k.version.lines][:3] == [
        "Cider vinegar",
        "Habanero peppers",
        "Spice mix",
    ]
    assert len(k.batch.consumptions) == 2
