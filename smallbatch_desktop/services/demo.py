"""A realistic demo workshop, and large generated data sets for benchmarks.

``load_demo`` goes through the same services a maker's clicks do (so the demo obeys
every rule): three product lines (hot sauce, soap, coffee), suppliers with origins and
certifications, recipes with several versions, intermediates two levels deep (mash ->
sauce base -> bottled sauce; green -> roasted -> blend), batches in every status, QC
results and shipments.

``generate_scale`` bulk-inserts N more batches with proportional lots, consumptions and
shipments straight through SQLAlchemy Core: realistic shape (a few heavily used raw
lots, chains of intermediates), built for speed, not through per-row services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import ConflictError
from smallbatch_desktop.domain.models import (
    Batch,
    BatchSnapshot,
    Consumption,
    Material,
    MaterialLot,
    Recipe,
    RecipeVersion,
    Shipment,
)
from smallbatch_desktop.domain.models.base import from_fixed, to_fixed
from smallbatch_desktop.services import batches as bat
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import recipes as rec
from smallbatch_desktop.services.common import set_setting
from smallbatch_desktop.services.recipes import LineInput, QcItemInput

DEMO_ACTOR = "demo"


def has_data(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Material)))


def load_demo(session: Session, *, today: dt.date | None = None) -> None:
    """Fill an empty database with the demo workshop (caller commits)."""
    if has_data(session):
        raise ConflictError(
            "demo: the database already holds data; use an empty one", field="database"
        )
    _Demo(session, today or dt.date.today()).run()


@dataclass
class _Demo:
    s: Session
    today: dt.date

    def d(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    @staticmethod
    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        now = dt.datetime.now(dt.UTC)
        return min(now, dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC))

    def backdate(self, b: Batch) -> None:
        """Give the batch's records times on its own made date, as if kept on the day.

        The services stamp everything "now"; a demo whose batches were all started and
        released in the same minute would look wrong on every batch record.  Called
        before the batch is released or rejected (the record is frozen from then on);
        the release and the closing get their times through ``change_status(at=...)``.
        """
        at, made = self.at, b.made_date
        b.created_at = at(made - dt.timedelta(days=1), 16, 10)
        for c in b.consumptions:
            c.recorded_at = at(made, 8, 40)
        if b.started_at:
            b.started_at = at(made, 8, 15)
        if b.qc_at:
            b.qc_at = at(made, 14, 5)
        for i, r in enumerate(b.qc_results):  # a retest some minutes after the result
            r.recorded_at = at(made, 15, 20) + dt.timedelta(minutes=25 * i)
        self.s.flush()

    def closed_at(self, b: Batch, shipped: list[dt.date]) -> dt.datetime:
        return self.at(max(shipped, default=b.made_date) + dt.timedelta(days=3), 10, 45)

    def run(self) -> None:
        s, a = self.s, DEMO_ACTOR
        set_setting(s, "business_name", "Hearth & Hive Workshop", actor=a)
        set_setting(s, "business_address", "12 Mill Lane, Hudson, NY 12534, USA", actor=a)
        set_setting(s, "gs1_digital_link_domain", "id.hearthandhive.example", actor=a)

        # suppliers -------------------------------------------------------------------
        sup = {}
        for name, addr, contact in [
            ("Sunrise Pepper Farm", "Hatch, New Mexico, USA", "Rosa Martinez"),
            ("Valley Orchard Cider Mill", "Kinderhook, New York, USA", "Tom Becker"),
            ("Salt of the Sea Lda.", "Aveiro, Portugal", "Inês Costa"),
            ("Hudson Valley Garlic", "Saugerties, New York, USA", "Dan Wu"),
            ("Packright Supplies", "Newark, New Jersey, USA", "Sales desk"),
            ("Olive Grove Cooperative", "Jaén, Andalusia, Spain", "María López"),
            ("Coconut Pacific Inc.", "Quezon, Philippines", "Jun Reyes"),
            ("Essential Botanics", "Valensole, Provence, France", "Claire Martin"),
            ("Chem-Pure Lye Co.", "Buffalo, New York, USA", "Orders"),
            ("Finca La Esperanza", "Pitalito, Huila, Colombia", "Andrés Gómez"),
            ("Yirgacheffe Farmers Union", "Yirgacheffe, Ethiopia", "Abebe Tadesse"),
        ]:
            sup[name] = inv.create_supplier(s, name=name, address=addr, contact=contact, actor=a).id

        # materials -------------------------------------------------------------------
        M = {}

        def mat(code: str, name: str, unit: str, **kw: Any) -> None:
            M[code] = inv.create_material(
                s, code=code, name=name, stock_unit=unit, actor=a, **kw
            ).id

        mat(
            "HAB",
            "Habanero peppers",
            "kg",
            reorder_level="10",
            default_supplier_id=sup["Sunrise Pepper Farm"],
        )
        mat(
            "JAL",
            "Red jalapeño peppers",
            "kg",
            reorder_level="10",
            default_supplier_id=sup["Sunrise Pepper Farm"],
        )
        mat(
            "GAR",
            "Garlic",
            "kg",
            reorder_level="2",
            default_supplier_id=sup["Hudson Valley Garlic"],
        )
        mat(
            "VIN",
            "Apple cider vinegar",
            "l",
            density="1.01",
            allergens="sulphites",
            reorder_level="20",
            default_supplier_id=sup["Valley Orchard Cider Mill"],
        )
        mat(
            "SALT",
            "Sea salt",
            "kg",
            reorder_level="5",
            default_supplier_id=sup["Salt of the Sea Lda."],
        )
        mat("MUS", "Mustard seed", "g", allergens="mustard", reorder_level="500")
        mat(
            "BOT150",
            "Woozy bottle 150 ml",
            "pcs",
            kind="packaging",
            reorder_level="200",
            default_supplier_id=sup["Packright Supplies"],
        )
        mat(
            "CAP",
            "Bottle cap 24 mm",
            "pcs",
            kind="packaging",
            reorder_level="200",
            default_supplier_id=sup["Packright Supplies"],
        )
        mat(
            "OLIVE",
            "Olive oil",
            "kg",
            density="0.91",
            inci_name="Olea Europaea Fruit Oil",
            reorder_level="10",
            default_supplier_id=sup["Olive Grove Cooperative"],
        )
        mat(
            "COCO",
            "Coconut oil",
            "kg",
            density="0.92",
            inci_name="Cocos Nucifera Oil",
            reorder_level="5",
            default_supplier_id=sup["Coconut Pacific Inc."],
        )
        mat(
            "NAOH",
            "Sodium hydroxide",
            "kg",
            inci_name="Sodium Hydroxide",
            reorder_level="2",
            default_supplier_id=sup["Chem-Pure Lye Co."],
        )
        mat("WATER", "Distilled water", "l", density="1", inci_name="Aqua")
        mat(
            "LAVEO",
            "Lavender essential oil",
            "ml",
            density="0.89",
            kind="fragrance",
            inci_name="Lavandula Angustifolia Oil",
            reorder_level="100",
            default_supplier_id=sup["Essential Botanics"],
        )
        mat(
            "OAT",
            "Colloidal oatmeal",
            "g",
            inci_name="Avena Sativa Kernel Flour",
            allergens="gluten",
        )
        mat(
            "GRN-COL",
            "Green coffee Colombia Huila",
            "kg",
            reorder_level="20",
            default_supplier_id=sup["Finca La Esperanza"],
        )
        mat(
            "GRN-ETH",
            "Green coffee Ethiopia Yirgacheffe",
            "kg",
            reorder_level="20",
            default_supplier_id=sup["Yirgacheffe Farmers Union"],
        )
        mat(
            "BAG250",
            "Valve bag 250 g",
            "pcs",
            kind="packaging",
            reorder_level="100",
            default_supplier_id=sup["Packright Supplies"],
        )

        # lots ------------------------------------------------------------------------
        L: dict[str, str] = {}

        def lot(
            key: str,
            code: str,
            qty: str,
            supplier: str,
            sup_lot: str,
            days_ago: int,
            expiry_days: int | None,
            cost: str,
            origin: str,
            certs: str = "",
            unit: str | None = None,
        ) -> None:
            received = self.d(days_ago)
            expiry = received + dt.timedelta(days=expiry_days) if expiry_days else None
            L[key] = inv.receive_lot(
                s,
                material_id=M[code],
                quantity=qty,
                unit=unit,
                supplier_id=sup[supplier],
                supplier_lot_code=sup_lot,
                unit_cost=cost,
                received_date=received,
                expiry_date=expiry,
                origin=origin,
                certifications=certs,
                document_ref=f"PO-{1000 + len(L)}",
                actor=a,
            ).lot_code

        lot(
            "hab1",
            "HAB",
            "40",
            "Sunrise Pepper Farm",
            "SPF-2409-A",
            80,
            30,
            "6.40",
            "Hatch, New Mexico, USA",
            "USDA Organic",
        )
        lot(
            "hab2",
            "HAB",
            "35",
            "Sunrise Pepper Farm",
            "SPF-2410-C",
            40,
            30,
            "6.90",
            "Hatch, New Mexico, USA",
            "USDA Organic",
        )
        lot(
            "jal1",
            "JAL",
            "25",
            "Sunrise Pepper Farm",
            "SPF-J-118",
            45,
            25,
            "4.10",
            "Hatch, New Mexico, USA",
        )
        lot(
            "jal2",
            "JAL",
            "20",
            "Sunrise Pepper Farm",
            "SPF-J-131",
            14,
            25,
            "4.30",
            "Hatch, New Mexico, USA",
        )
        lot(
            "gar1",
            "GAR",
            "12",
            "Hudson Valley Garlic",
            "HVG-77",
            60,
            120,
            "9.50",
            "Saugerties, New York, USA",
            "NOFA-NY Certified Organic",
        )
        lot(
            "vin1",
            "VIN",
            "60",
            "Valley Orchard Cider Mill",
            "VOC-5521",
            70,
            720,
            "2.20",
            "Kinderhook, New York, USA",
        )
        lot(
            "vin2",
            "VIN",
            "60",
            "Valley Orchard Cider Mill",
            "VOC-5604",
            20,
            720,
            "2.35",
            "Kinderhook, New York, USA",
        )
        lot(
            "salt1",
            "SALT",
            "25",
            "Salt of the Sea Lda.",
            "SS-PT-0931",
            90,
            None,
            "3.80",
            "Aveiro, Portugal",
        )
        lot(
            "mus1",
            "MUS",
            "5000",
            "Packright Supplies",
            "MS-221",
            50,
            365,
            "0.012",
            "Saskatchewan, Canada",
        )
        lot(
            "bot1",
            "BOT150",
            "1200",
            "Packright Supplies",
            "PR-B150-88",
            75,
            None,
            "0.42",
            "Ohio, USA",
        )
        lot("cap1", "CAP", "1200", "Packright Supplies", "PR-C24-31", 75, None, "0.06", "Ohio, USA")
        lot(
            "olive1",
            "OLIVE",
            "50",
            "Olive Grove Cooperative",
            "OGC-24-117",
            100,
            540,
            "7.80",
            "Jaén, Andalusia, Spain",
            "EU Organic",
        )
        lot(
            "coco1",
            "COCO",
            "20",
            "Coconut Pacific Inc.",
            "CPI-88213",
            95,
            720,
            "5.60",
            "Quezon, Philippines",
            "Fair Trade",
        )
        lot(
            "naoh1",
            "NAOH",
            "10",
            "Chem-Pure Lye Co.",
            "CP-NA-5530",
            95,
            None,
            "4.20",
            "Buffalo, New York, USA",
        )
        lot(
            "water1",
            "WATER",
            "40",
            "Packright Supplies",
            "DW-12",
            95,
            None,
            "0.30",
            "New Jersey, USA",
        )
        lot(
            "lav1",
            "LAVEO",
            "1000",
            "Essential Botanics",
            "EB-LAV-2307",
            95,
            900,
            "0.19",
            "Valensole, Provence, France",
            "Ecocert",
        )
        lot(
            "oat1",
            "OAT",
            "2000",
            "Packright Supplies",
            "CO-551",
            60,
            365,
            "0.015",
            "Manitoba, Canada",
        )
        lot(
            "gcol1",
            "GRN-COL",
            "69",
            "Finca La Esperanza",
            "FLE-H-2024-07",
            65,
            365,
            "8.90",
            "Pitalito, Huila, Colombia",
            "Organic, Fair Trade",
        )
        lot(
            "geth1",
            "GRN-ETH",
            "60",
            "Yirgacheffe Farmers Union",
            "YFU-G1-0412",
            65,
            365,
            "9.60",
            "Yirgacheffe, Ethiopia",
            "Organic",
        )
        lot(
            "bag1",
            "BAG250",
            "600",
            "Packright Supplies",
            "PR-V250-9",
            65,
            None,
            "0.28",
            "Ohio, USA",
        )

        # recipes ---------------------------------------------------------------------
        def recipe(
            code: str,
            name: str,
            yq: str,
            yu: str,
            lines: list[LineInput],
            qc: list[QcItemInput],
            shelf: int | None,
            facts: dict[str, str],
            line: str,
            *,
            intermediate: bool = False,
            gtin: str = "",
            steps: str = "",
        ) -> RecipeVersion:
            v = rec.create_recipe(
                s,
                code=code,
                name=name,
                yield_quantity=yq,
                yield_unit=yu,
                product_line=line,
                intermediate=intermediate,
                gtin=gtin,
                actor=a,
            )
            rec.update_draft(
                s,
                v.id,
                lines=lines,
                qc_items=qc,
                shelf_life_days=shelf,
                label_facts={"product_name": name, **facts},
                steps=steps,
                actor=a,
            )
            return rec.publish(s, v.id, actor=a)

        mash = recipe(
            "MASH",
            "Fermented habanero mash",
            "10",
            "kg",
            [
                LineInput("9.5", "kg", material_id=M["HAB"]),
                LineInput("0.5", "kg", material_id=M["SALT"]),
            ],
            [
                QcItemInput("pH after fermentation", "numeric", max_value="3.8", unit="pH"),
                QcItemInput("Smell and colour", "passfail"),
            ],
            120,
            {},
            "Hot sauce",
            intermediate=True,
            steps="1. Destem and rough-chop peppers.\n2. Mix with 5 % salt.\n3. Ferment 14 days at 20-24 °C under airlock.",
        )
        base = recipe(
            "BASE",
            "Habanero sauce base",
            "20",
            "kg",
            [
                LineInput("12", "kg", component_recipe_id=mash.recipe_id),
                LineInput("7", "l", material_id=M["VIN"]),
                LineInput("1", "kg", material_id=M["GAR"]),
            ],
            [QcItemInput("pH", "numeric", max_value="3.9", unit="pH")],
            90,
            {},
            "Hot sauce",
            intermediate=True,
            steps="Blend mash, vinegar and roasted garlic; simmer 10 min.",
        )
        hs = recipe(
            "HHS",
            "Habanero Hot Sauce",
            "100",
            "pcs",
            [
                LineInput("15", "kg", component_recipe_id=base.recipe_id),
                LineInput("100", "pcs", material_id=M["BOT150"]),
                LineInput("100", "pcs", material_id=M["CAP"]),
            ],
            [
                QcItemInput("pH", "numeric", max_value="3.9", unit="pH"),
                QcItemInput("Fill weight", "numeric", min_value="148", max_value="156", unit="g"),
                QcItemInput("Cap torque check", "passfail"),
                QcItemInput("Tasting note", "text", required=False),
            ],
            365,
            {
                "net_quantity": "150 ml (5 fl oz)",
                "storage": "Refrigerate after opening.",
                "maker_note": "Fermented for two weeks with habaneros from one farm in Hatch.",
            },
            "Hot sauce",
            gtin="00614141000012",
            steps="Hot-fill at 85 °C, cap, invert 2 min.",
        )
        # version 2 of the hot sauce: more vinegar-forward base, published; v3 draft
        hs2 = rec.new_version(s, hs.id, actor=a)
        rec.update_draft(
            s,
            hs2.id,
            lines=[
                LineInput("14.5", "kg", component_recipe_id=base.recipe_id),
                LineInput("100", "pcs", material_id=M["BOT150"]),
                LineInput("100", "pcs", material_id=M["CAP"]),
                LineInput("150", "g", material_id=M["MUS"]),
            ],
            label_facts={**hs.label_facts, "storage": "Refrigerate after opening. Shake well."},
            actor=a,
        )
        rec.publish(s, hs2.id, actor=a)
        hs3 = rec.new_version(s, hs2.id, actor=a)
        rec.update_draft(
            s, hs3.id, notes="Trial: smoked salt instead of sea salt in the mash.", actor=a
        )

        jal = recipe(
            "GJS",
            "Red Jalapeño Garlic Sauce",
            "60",
            "pcs",
            [
                LineInput("6", "kg", material_id=M["JAL"]),
                LineInput("2.5", "l", material_id=M["VIN"]),
                LineInput("0.4", "kg", material_id=M["GAR"]),
                LineInput("0.15", "kg", material_id=M["SALT"]),
                LineInput("60", "pcs", material_id=M["BOT150"]),
                LineInput("60", "pcs", material_id=M["CAP"]),
            ],
            [
                QcItemInput("pH", "numeric", max_value="3.9", unit="pH"),
                QcItemInput("Cap torque check", "passfail"),
            ],
            300,
            {"net_quantity": "150 ml (5 fl oz)", "storage": "Refrigerate after opening."},
            "Hot sauce",
            gtin="00614141000029",
        )
        soap = recipe(
            "LAV",
            "Lavender Olive Soap",
            "40",
            "pcs",
            [
                LineInput("3.2", "kg", material_id=M["OLIVE"]),
                LineInput("0.8", "kg", material_id=M["COCO"]),
                LineInput("0.55", "kg", material_id=M["NAOH"]),
                LineInput("1.3", "l", material_id=M["WATER"]),
                LineInput("90", "ml", material_id=M["LAVEO"]),
                LineInput("40", "g", material_id=M["OAT"]),
            ],
            [
                QcItemInput(
                    "pH (1 % solution)", "numeric", min_value="8", max_value="10", unit="pH"
                ),
                QcItemInput("Cured 4 weeks", "passfail"),
                QcItemInput("Bar weight", "numeric", min_value="110", unit="g"),
            ],
            730,
            {"net_quantity": "110 g (3.9 oz)", "product_kind": "cosmetic"},
            "Soap",
            steps="Cold process, 5 % superfat, trace, pour, cut at 48 h, cure 4 weeks.",
        )
        soap2 = rec.new_version(s, soap.id, actor=a)
        rec.update_draft(
            s,
            soap2.id,
            lines=[
                LineInput("3.0", "kg", material_id=M["OLIVE"]),
                LineInput("1.0", "kg", material_id=M["COCO"]),
                LineInput("0.57", "kg", material_id=M["NAOH"]),
                LineInput("1.3", "l", material_id=M["WATER"]),
                LineInput("100", "ml", material_id=M["LAVEO"]),
                LineInput("40", "g", material_id=M["OAT"]),
            ],
            actor=a,
        )
        rec.publish(s, soap2.id, actor=a)
        rcol = recipe(
            "RCOL",
            "Roasted Colombia Huila",
            "8.4",
            "kg",
            [LineInput("10", "kg", material_id=M["GRN-COL"])],
            [QcItemInput("Roast colour (Agtron)", "numeric", min_value="55", max_value="65")],
            60,
            {},
            "Coffee",
            intermediate=True,
        )
        reth = recipe(
            "RETH",
            "Roasted Ethiopia Yirgacheffe",
            "8.4",
            "kg",
            [LineInput("10", "kg", material_id=M["GRN-ETH"])],
            [QcItemInput("Roast colour (Agtron)", "numeric", min_value="58", max_value="68")],
            60,
            {},
            "Coffee",
            intermediate=True,
        )
        blend = recipe(
            "HB",
            "House Blend Coffee",
            "40",
            "pcs",
            [
                LineInput("5", "kg", component_recipe_id=rcol.recipe_id),
                LineInput("5", "kg", component_recipe_id=reth.recipe_id),
                LineInput("40", "pcs", material_id=M["BAG250"]),
            ],
            [
                QcItemInput("Bag weight", "numeric", min_value="250", max_value="256", unit="g"),
                QcItemInput("Cupping", "passfail"),
            ],
            180,
            {"net_quantity": "250 g (8.8 oz)", "storage": "Keep cool and dry."},
            "Coffee",
            gtin="00614141000036",
        )

        # customers -------------------------------------------------------------------
        # (a recall calls these people: the demo fills in what a maker would keep)
        for name, kind, contact, phone, email, address in [
            (
                "Corner Deli",
                "retailer",
                "Sam Patel",
                "(518) 555-0142",
                "sam@cornerdeli.example",
                "41 Warren St, Hudson, NY 12534",
            ),
            (
                "Green Grocer Co-op",
                "retailer",
                "Buying desk",
                "(845) 555-0177",
                "buying@greengrocer.example",
                "9 Market Sq, Kingston, NY 12401",
            ),
            (
                "Saturday Farmers Market",
                "market",
                "Stall 14 (our own stall)",
                "(518) 555-0110",
                "",
                "Hudson Farmers Market, 6th & Columbia St, Hudson, NY",
            ),
            (
                "Web shop",
                "web shop",
                "Order list in the web shop",
                "",
                "orders@hearthandhive.example",
                "",
            ),
            (
                "Hudson Hotel Spa",
                "wholesaler",
                "Lena Fox, spa manager",
                "(518) 555-0199",
                "spa@hudsonhotel.example",
                "2 Front St, Hudson, NY 12534",
            ),
        ]:
            inv.create_customer(
                s,
                name=name,
                kind=kind,
                contact=contact,
                phone=phone,
                email=email,
                address=address,
                notes=_CUSTOMER_NOTES.get(name, ""),
                actor=a,
            )

        # batches ---------------------------------------------------------------------
        def make(*args: Any, **kwargs: Any) -> Batch:
            return make_now(*args, backdate=True, **kwargs)

        def make_now(
            version: RecipeVersion,
            qty: str,
            days_ago: int,
            *,
            until: str = "released",
            qc: dict[str, str | list[str]] | None = None,
            ship: list[tuple[str, str, int, str]] | None = None,
            operator: str = "Ann",
            reason: str = "",
            backdate: bool = False,
            made: str | None = None,
            waste: tuple[str, str] | None = None,
        ) -> Batch:
            """A batch taken as far as ``until``. ``made``: the actual yield (default the
            plan), ``waste``: (quantity, why); a QC value given as a list is a first
            result and its retests, in order."""

            def done() -> Batch:
                if backdate:
                    self.backdate(b)
                return b

            b = bat.plan_batch(
                s,
                recipe_version_id=version.id,
                planned_quantity=qty,
                made_date=self.d(days_ago),
                operator=operator,
                actor=a,
            )
            if until == "planned":
                return done()
            for need in bat.suggest_lots(s, b.id):
                for p in need.picks:
                    bat.record_consumption(
                        s,
                        b.id,
                        lot_code=p.lot_code,
                        quantity=p.take,
                        unit=p.unit,
                        recipe_line_id=need.line_id,
                        actor=a,
                    )
            bat.change_status(s, b.id, "start", actor=a)
            if until == "in_production":
                return done()
            bat.finish_production(
                s,
                b.id,
                actual_quantity=made or qty,
                waste_quantity=waste[0] if waste else None,
                waste_reason=waste[1] if waste else "",
                actor=operator,
            )
            items = {q.name: q.id for q in version.qc_items}
            for name, values in (qc or {}).items():
                for value in [values] if isinstance(values, str) else values:
                    bat.record_qc(s, b.id, items[name], value, actor=operator)
            if until == "qc_hold":
                return done()
            done()
            if until == "rejected":
                bat.change_status(
                    s,
                    b.id,
                    "reject",
                    actor=a,
                    reason=reason or "Out of spec",
                    at=self.closed_at(b, []) if backdate else None,
                )
                return b
            released = self.at(b.made_date + dt.timedelta(days=1), 9, 30)
            bat.change_status(s, b.id, "release", actor="Ben", at=released if backdate else None)
            for cust, n, ship_ago, doc in ship or []:
                bat.ship_batch(
                    s,
                    b.id,
                    customer=cust,
                    quantity=n,
                    shipped_date=self.d(ship_ago),
                    document_number=doc,
                    actor=a,
                )
            if backdate:
                for sh in b.shipments:
                    sh.created_at = self.at(sh.shipped_date, 11, 0)
            if until == "recalled":
                shipped = [sh.shipped_date for sh in b.shipments]
                bat.change_status(
                    s,
                    b.id,
                    "recall",
                    actor="Ben",
                    reason=reason,
                    at=self.closed_at(b, shipped) if backdate else None,
                )
            return b

        ok_mash = {"pH after fermentation": "3.5", "Smell and colour": "pass"}
        ok_hs = {
            "pH": "3.6",
            "Fill weight": "151",
            "Cap torque check": "pass",
            "Tasting note": "Bright, fruity heat",
        }
        make(mash, "20", 75, qc=ok_mash)
        make(mash, "20", 38, qc=ok_mash)
        make(base, "20", 58, qc={"pH": "3.7"})
        make(base, "20", 33, qc={"pH": "3.6"})
        make(
            hs,
            "100",
            55,
            made="97",
            waste=("3", "Three bottles under-filled at the end of the run"),
            qc=ok_hs,
            ship=[
                ("Corner Deli", "24", 50, "INV-2041"),
                ("Saturday Farmers Market", "30", 48, "MKT-0914"),
                ("Web shop", "12", 45, "WEB-5531"),
            ],
        )
        make(
            hs,
            "60",
            52,
            qc=ok_hs,
            ship=[("Green Grocer Co-op", "36", 47, "INV-2046")],
            until="recalled",
            reason="Cap supplier reported a seal defect on lot PR-C24-31.",
        )
        make(
            hs2,
            "60",
            30,
            made="58",
            waste=("2", "Two jars cracked in the water bath"),
            # the first pH reading failed; the retest after re-calibrating the meter passed
            qc={**ok_hs, "pH": ["4.2", "3.7"]},
            ship=[("Corner Deli", "24", 25, "INV-2102"), ("Web shop", "6", 20, "WEB-5620")],
        )
        make(hs2, "40", 3, until="qc_hold", qc={"pH": "3.6", "Fill weight": "158"})
        make(
            jal,
            "60",
            40,
            qc={"pH": "3.7", "Cap torque check": "pass"},
            ship=[("Saturday Farmers Market", "20", 34, "MKT-0921")],
        )
        make(
            jal,
            "60",
            12,
            until="rejected",
            qc={"pH": "4.2", "Cap torque check": "pass"},
            reason="pH 4.2 above the 3.9 limit; not safe to sell.",
        )
        make(
            soap,
            "40",
            90,
            qc={"pH (1 % solution)": "9.1", "Cured 4 weeks": "pass", "Bar weight": "114"},
            ship=[("Hudson Hotel Spa", "30", 55, "INV-2030")],
        )
        make(soap2, "40", 20, until="in_production")
        make(rcol, "25.2", 30, qc={"Roast colour (Agtron)": "60"})
        make(reth, "25.2", 30, qc={"Roast colour (Agtron)": "63"})
        make(
            blend,
            "80",
            28,
            qc={"Bag weight": "252", "Cupping": "pass"},
            ship=[("Web shop", "30", 26, "WEB-5588"), ("Corner Deli", "20", 21, "INV-2099")],
        )
        make(blend, "40", 1, until="planned")
        make(jal, "60", 0, until="planned", operator="Cam")
        self.orders(sup)

    def orders(self, sup: dict[str, int]) -> None:
        """Open orders (one personalised, with its gift label), a partly received
        purchase order, and shortages that the purchase list turns into drafts."""
        from smallbatch_desktop.domain.label_layout import BarcodeElement, Layout, TextElement
        from smallbatch_desktop.services import labels as lab
        from smallbatch_desktop.services import orders as ords
        from smallbatch_desktop.services import purchasing as pur
        from smallbatch_desktop.services.orders import OrderLineInput as Line

        s, a = self.s, DEMO_ACTOR
        inv.create_customer(
            s,
            name="Anna Baker",
            kind="customer",
            email="anna.baker@example.com",
            address="41 Warren St, Hudson, NY 12534",
            actor=a,
        )
        gift = ords.create_order(
            s,
            customer="Anna Baker",
            channel="web",
            number="WEB-1001",
            source="shopify",
            ordered_date=self.d(2),
            promised_date=self.d(-5),
            lines=[
                Line(
                    "HHS",
                    "3",
                    personal_text="Happy birthday!",
                    unit_texts=["Happy 40th, Dad!", "For Ben, the brave", "Cleo: extra hot"],
                    options={"heat": "extra hot"},
                    unit_price="9.50",
                )
            ],
            notes="Gift wrap, one label per bottle with the names.",
            actor=a,
        )
        ords.allocate_line(s, gift.lines[0].id, today=self.today, actor=a)
        deli = ords.create_order(
            s,
            customer="Corner Deli",
            channel="wholesale",
            ordered_date=self.d(4),
            promised_date=self.d(-10),
            lines=[Line("HHS", "48", unit_price="5.20"), Line("GJS", "24", unit_price="5.00")],
            actor=a,
        )
        ords.allocate_line(s, deli.lines[0].id, today=self.today, actor=a)
        ords.create_order(
            s,
            customer="Hudson Hotel Spa",
            channel="wholesale",
            ordered_date=self.d(6),
            promised_date=self.d(-14),
            lines=[
                Line(
                    "LAV",
                    "100",
                    made_to_order=True,
                    options={"scent": "lavender", "wrap": "hotel logo band"},
                    notes="Wrapped with the hotel's band",
                )
            ],
            actor=a,
        )
        ords.create_order(
            s,
            customer="Saturday Farmers Market",
            channel="market",
            ordered_date=self.d(1),
            promised_date=self.d(-4),
            lines=[Line("HB", "60"), Line("GJS", "30")],
            actor=a,
        )
        # a big wholesale order: more than stock and planned batches cover, down to the
        # peppers, bottles and caps (the purchase list's shortages)
        ords.create_order(
            s,
            customer="Green Grocer Co-op",
            channel="wholesale",
            ordered_date=self.d(0),
            promised_date=self.d(-21),
            lines=[Line("HHS", "600", unit_price="4.80")],
            actor=a,
        )
        lab.save_layout(
            s,
            Layout(
                name="Gift label 100 x 50",
                width=100.0,
                height=50.0,
                stock_key="roll:100x50",
                elements=(
                    TextElement(
                        "message", 3, 3, 68, 13, text="{personal_text}", size=18, bold=True
                    ),
                    TextElement("product", 3, 17, 68, 6, text="{product}", size=11, bold=True),
                    TextElement("heat", 3, 23.5, 68, 4.5, text="Heat: {option:heat}", size=9),
                    TextElement(
                        "dates",
                        3,
                        29,
                        68,
                        4.5,
                        text="Lot {lot}   Best before {best_before:%d %b %Y}",
                        size=8,
                        wrap=False,
                    ),
                    TextElement(
                        "who", 3, 34, 68, 4.5, text="For {customer}, order {order}", size=8
                    ),
                    TextElement("number", 3, 40, 68, 4.5, text="No. {n} of {N}", size=8),
                    BarcodeElement("code", 74, 3, 23, 23, symbology="qr", data="{order} {lot} {n}"),
                ),
            ),
            actor=a,
        )
        # bottles ordered last week, half delivered so far
        po = pur.create_purchase_order(
            s,
            supplier_id=sup["Packright Supplies"],
            lines=[pur.PoLineInput(self.mat_id("BOT150"), "400", "pcs", "0.32")],
            expected_date=self.d(-3),
            actor=a,
            today=self.today,
        )
        pur.mark_ordered(s, po.id, ordered_date=self.d(7), actor=a)
        pur.receive_against_po(
            s,
            po.lines[0].id,
            quantity="200",
            supplier_lot_code="PR-B150-88",
            received_date=self.d(2),
            actor=a,
        )

    def mat_id(self, code: str) -> int:
        return inv.material_by_code(self.s, code).id


#: what a maker keeps about a customer beside the contact details
_CUSTOMER_NOTES = {
    "Corner Deli": "Deliveries Tuesday and Friday before 10 am. In a recall, call Sam's "
    "mobile first; the shop phone is only staffed in the afternoon.",
    "Hudson Hotel Spa": "Orders soap by the case of 20 every quarter; invoices to the "
    "hotel's accounts office, not the spa.",
}


# -- large generated data sets -----------------------------------------------------------


def generate_scale(
    engine: Engine,
    n: int,
    *,
    seed: int = 7,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    snapshots: bool = True,
) -> dict[str, int]:
    """Add ``n`` batches with lots, consumptions (about 5 per batch) and shipments.

    The shape: 40 generated raw materials, one lot per 25 batches; every fifth batch is
    an intermediate that later batches use (chains several levels deep); a few raw lots
    are used by very many batches (the worst case for a forward trace).  Quantities are
    kept consistent: lots are received large enough for what is drawn from them.

    Every generated batch is released, and like any released batch it has its snapshot
    (``services.snapshots``), written in bulk by ``_ScaleSnapshots``: exactly what
    releasing it would have stored.  ``snapshots=False`` leaves them out, as in a
    database whose batches were released before snapshots were kept (to time the
    upgrade that takes them: ``bench/snapshot_backfill.py``).
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    start_day = today - dt.timedelta(days=max(30, n // 60))
    with engine.begin() as conn:
        s = Session(bind=conn)
        sup = inv.create_supplier(
            s, name=f"Bulk Supplier {seed}-{n}", address="Generated", actor="bench"
        )
        mats = [
            inv.create_material(
                s,
                code=f"GEN{seed}-{i:02d}",
                name=f"Generated material {i:02d}",
                stock_unit="kg",
                actor="bench",
            )
            for i in range(40)
        ]
        rv_final = _scale_recipe(
            s, f"GF{seed % 100}", "Generated product", mats[:3], intermediate=False
        )
        rv_inter = _scale_recipe(
            s, f"GI{seed % 100}", "Generated intermediate", mats[3:5], intermediate=True
        )
        cust = inv.create_customer(s, name=f"Generated customer {seed}-{n}", actor="bench")
        s.flush()
        ids: dict[str, Any] = {
            "sup": sup.id,
            "cust": cust.id,
            "final": rv_final.id,
            "inter": rv_inter.id,
            "mats": [m.id for m in mats],
        }
        kept = _ScaleSnapshots(sup.name, mats, rv_inter.recipe.name) if snapshots else None
        s.close()

        next_lot = (conn.execute(select(func.max(MaterialLot.id))).scalar() or 0) + 1
        next_batch = (conn.execute(select(func.max(Batch.id))).scalar() or 0) + 1
        n_lots = max(40, n // 25)
        lots = []
        # every lot holds plenty: at most ~ (n / n_lots) * 5 draws of <= 2 kg each, plus the hot lots
        hot = set(range(next_lot, next_lot + 3))
        for i in range(n_lots):
            lid = next_lot + i
            qty = Decimal(2_000_000) if lid in hot else Decimal(5_000)
            day = start_day + dt.timedelta(days=(i * max(1, (today - start_day).days)) // n_lots)
            lots.append(
                dict(
                    id=lid,
                    lot_code=f"G{seed}L{i:07d}",
                    material_id=ids["mats"][i % 40],
                    supplier_id=ids["sup"],
                    supplier_lot_code=f"SUP-{seed}-{i:07d}",
                    quantity_received=qty,
                    unit="kg",
                    unit_cost=Decimal("3.25"),
                    currency="USD",
                    received_date=day,
                    expiry_date=day + dt.timedelta(days=365),
                    origin="Generated",
                    certifications="",
                    gtin="",
                    document_ref="",
                    notes="",
                    received_by="bench",
                    created_at=_now(),
                )
            )
        conn.execute(insert(MaterialLot), lots)
        if kept is not None:
            kept.add_lots(lots)

        batches: list[dict[str, Any]] = []
        cons: list[dict[str, Any]] = []
        ships: list[dict[str, Any]] = []
        inter_ids: list[int] = []
        span = max(1, (today - start_day).days)
        for i in range(n):
            bid = next_batch + i
            is_inter = i % 5 == 0
            first = len(cons)
            day = start_day + dt.timedelta(days=(i * span) // n)
            batches.append(
                dict(
                    id=bid,
                    lot_code=f"G{seed}B{i:07d}",
                    recipe_version_id=ids["inter"] if is_inter else ids["final"],
                    # released once its inputs are in: the database refuses inputs
                    # added to a released record
                    status="in_production",
                    planned_quantity=Decimal(50),
                    actual_quantity=Decimal(50),
                    unit="kg" if is_inter else "pcs",
                    scale_factor=Decimal(1),
                    made_date=day,
                    best_before=day + dt.timedelta(days=365),
                    operator="bench",
                    notes="",
                    created_at=_now(),
                    started_at=None,
                    qc_at=None,
                    released_at=_now(),
                    released_by="bench",
                    closed_at=None,
                    closed_by="",
                    close_reason="",
                )
            )
            # raw inputs: 4 lots, with a bias toward the hot lots; one intermediate when available
            lot_window = next_lot + min(n_lots - 1, (i * n_lots) // max(1, n))
            for _ in range(4):
                if rng.random() < 0.04:
                    lid = next_lot + rng.randrange(3)
                else:
                    lid = max(next_lot, lot_window - rng.randrange(min(20, n_lots)))
                q = Decimal(rng.randrange(100, 2000)) / 1000
                cons.append(
                    dict(
                        batch_id=bid,
                        material_lot_id=lid,
                        input_batch_id=None,
                        recipe_line_id=None,
                        quantity=q,
                        unit="kg",
                        entered_quantity=q,
                        entered_unit="kg",
                        recorded_by="bench",
                        recorded_at=_now(),
                    )
                )
            if inter_ids and not is_inter:
                src = inter_ids[-1 - rng.randrange(min(3, len(inter_ids)))]
                cons.append(
                    dict(
                        batch_id=bid,
                        material_lot_id=None,
                        input_batch_id=src,
                        recipe_line_id=None,
                        quantity=Decimal("0.05"),
                        unit="kg",
                        entered_quantity=Decimal("0.05"),
                        entered_unit="kg",
                        recorded_by="bench",
                        recorded_at=_now(),
                    )
                )
            elif inter_ids and is_inter and rng.random() < 0.5:
                # intermediates made from intermediates: chains several levels deep
                src = inter_ids[-1]
                cons.append(
                    dict(
                        batch_id=bid,
                        material_lot_id=None,
                        input_batch_id=src,
                        recipe_line_id=None,
                        quantity=Decimal("0.05"),
                        unit="kg",
                        entered_quantity=Decimal("0.05"),
                        entered_unit="kg",
                        recorded_by="bench",
                        recorded_at=_now(),
                    )
                )
            if kept is not None:
                kept.add_batch(batches[-1], cons[first:], is_inter)
            if is_inter:
                inter_ids.append(bid)
            else:
                ships.append(
                    dict(
                        batch_id=bid,
                        customer_id=ids["cust"],
                        quantity=Decimal(10),
                        unit="pcs",
                        shipped_date=day,
                        document_type="invoice",
                        document_number=f"G-{i}",
                        notes="",
                        recorded_by="bench",
                        created_at=_now(),
                    )
                )
            if len(batches) >= 20_000:
                _flush(conn, batches, cons, ships, kept)
                if progress:
                    progress(i + 1, n)
        _flush(conn, batches, cons, ships, kept)
        if conn.dialect.name == "postgresql":
            # explicit ids do not move PostgreSQL's sequences: move them past what we wrote
            for table in ("material_lots", "batches"):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))  # fmt: skip
        if progress:
            progress(n, n)
    return {"batches": n, "lots": n_lots}


def _flush(
    conn: Any,
    batches: list[dict],
    cons: list[dict],
    ships: list[dict],
    kept: _ScaleSnapshots | None,
) -> None:
    """Write a chunk of generated batches with their inputs and shipments, then release
    them (the database refuses inputs added to a released record) and store their
    snapshots."""
    if batches:
        conn.execute(insert(Batch), batches)
        if cons:
            conn.execute(insert(Consumption), cons)
        if ships:
            conn.execute(insert(Shipment), ships)
        conn.execute(
            text("UPDATE batches SET status = 'released' WHERE id BETWEEN :a AND :b"),
            {"a": batches[0]["id"], "b": batches[-1]["id"]},
        )
        if kept is not None:
            kept.write(conn, batches)
    batches.clear()
    cons.clear()
    ships.clear()


class _ScaleSnapshots:
    """The snapshots of generated batches, built from what the generator holds in memory
    instead of being read back a batch at a time (``snapshots.take`` costs about 3 ms a
    batch: minutes at 100,000).  What a snapshot keeps of the product (names, GTIN,
    producer, label) is the same for every batch of a recipe version: it is taken once
    per version from the first batch, through ``snapshots.snapshot_data``; the inputs
    are built here as the backward trace lists them (depth first, each batch's inputs
    in the order recorded, an intermediate's own inputs nested beneath it).  A test
    compares every stored snapshot with the one the upgrade's backfill takes."""

    def __init__(self, supplier: str, materials: list[Material], inter_name: str) -> None:
        self.supplier = supplier
        self.materials = {m.id: (m.name, m.kind) for m in materials}
        self.inter_name = inter_name
        self.lots: dict[int, dict[str, Any]] = {}
        #: batch id -> its input lines as (level below the batch, line without level)
        self.lines: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        #: intermediates that later batches may still use: lot code, best before, lines
        self.recent: dict[int, tuple[str, dt.date | None, list[tuple[int, dict[str, Any]]]]] = {}
        #: recipe version id -> what its batches' snapshots share (``_template``)
        self.templates: dict[int, dict[str, Any]] = {}

    def add_lots(self, lots: list[dict]) -> None:
        for lot in lots:
            name, kind = self.materials[lot["material_id"]]
            expiry = lot["expiry_date"]
            self.lots[lot["id"]] = {
                "kind": "material",
                "name": name,
                "lot_code": lot["lot_code"],
                "unit": lot["unit"],
                "supplier": self.supplier,
                "supplier_lot_code": lot["supplier_lot_code"],
                "origin": lot["origin"],
                "certifications": lot["certifications"],
                "expiry": expiry.isoformat() if expiry else None,
                "material_kind": kind,
            }

    def add_batch(self, batch: dict, cons: list[dict], is_inter: bool) -> None:
        """Note ``batch``'s input lines; ``cons``: its consumptions, in the order recorded."""
        lines: list[tuple[int, dict[str, Any]]] = []
        for c in cons:
            qty = str(from_fixed(to_fixed(c["quantity"])))
            src = c["input_batch_id"]
            if src is None:
                lines.append((0, {**self.lots[c["material_lot_id"]], "quantity": qty}))
                continue
            code, best_before, inner = self.recent[src]
            lines.append(
                (
                    0,
                    {
                        "kind": "batch",
                        "name": self.inter_name,
                        "lot_code": code,
                        "quantity": qty,
                        "unit": c["unit"],
                        "supplier": "",
                        "supplier_lot_code": "",
                        "origin": "",
                        "certifications": "",
                        "expiry": best_before.isoformat() if best_before else None,
                        "material_kind": "",
                    },
                )
            )
            lines.extend((level + 1, line) for level, line in inner)
        self.lines[batch["id"]] = lines
        if is_inter:
            self.recent[batch["id"]] = (batch["lot_code"], batch["best_before"], lines)
            while len(self.recent) > 8:  # later batches use one of the last three
                self.recent.pop(next(iter(self.recent)))

    def write(self, conn: Any, batches: list[dict]) -> None:
        """Store the snapshots of ``batches`` (written and released just before)."""
        rows = []
        for b in batches:
            version = b["recipe_version_id"]
            head = self.templates.get(version)
            if head is None:
                head = self.templates[version] = self._template(conn, b["id"])
            inputs = [{**line, "level": level + 1} for level, line in self.lines.pop(b["id"])]
            data = {**head, "record": {**head["record"], "inputs": inputs}}
            rows.append({"batch_id": b["id"], "taken_at": b["released_at"], "data": data})
        conn.execute(insert(BatchSnapshot), rows)

    @staticmethod
    def _template(conn: Any, batch_id: int) -> dict[str, Any]:
        """The snapshot of the first batch of a kind, taken the app's way, less its
        inputs: the part every batch of the recipe version shares."""
        from smallbatch_desktop.services.snapshots import snapshot_data

        with Session(bind=conn) as s:
            batch = s.get(Batch, batch_id)
            assert batch is not None
            data = snapshot_data(s, batch)
        data["record"].pop("inputs")
        return data


_NOW: list[dt.datetime] = []


def _now() -> dt.datetime:
    if not _NOW:
        _NOW.append(dt.datetime.now(dt.UTC))
    return _NOW[0]


def _scale_recipe(
    s: Session, code: str, name: str, mats: list[Material], *, intermediate: bool
) -> RecipeVersion:
    existing = s.scalar(select(Recipe).where(Recipe.code == code))
    if existing is not None:
        v = rec.latest_published(s, existing.id)
        assert v is not None
        return v
    v = rec.create_recipe(
        s,
        code=code,
        name=name,
        yield_quantity="50",
        yield_unit="kg" if intermediate else "pcs",
        intermediate=intermediate,
        actor="bench",
    )
    rec.update_draft(
        s, v.id, lines=[LineInput("1", "kg", material_id=m.id) for m in mats], actor="bench"
    )
    return rec.publish(s, v.id, actor="bench")
