"""A released batch's record as it was at release, to and from plain JSON.

When a batch is released (or rejected) the services store what its labels and its batch
record show that can change later elsewhere: the product and recipe names, the
ingredients with their allergens, the inputs with their suppliers, supplier lots,
origins and certifications, the producer.  Renaming the recipe, editing a material's
allergens or a supplier's name afterwards changes new batches, never this one's record.
This module turns those values into JSON-ready dictionaries and back, exactly
(quantities as decimal strings, dates in ISO form).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from smallbatch_desktop.domain.label_data import Ingredient, LabelData
from smallbatch_desktop.domain.records import InputLine

#: bump when the layout of the stored dictionary changes (readers check it)
VERSION = 1


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def ingredient_to_json(ing: Ingredient) -> dict[str, Any]:
    return {
        "name": ing.name,
        "inci": ing.inci,
        "allergens": list(ing.allergens),
        "parts": [ingredient_to_json(p) for p in ing.parts],
    }


def ingredient_from_json(d: dict[str, Any]) -> Ingredient:
    return Ingredient(
        name=d["name"],
        inci=d.get("inci", ""),
        allergens=tuple(d.get("allergens", ())),
        parts=tuple(ingredient_from_json(p) for p in d.get("parts", ())),
    )


#: the label values a snapshot keeps; the lot, dates, numbering and the printing
#: settings (the GS1 resolver) are read from the batch and the workshop when printing
LABEL_FIELDS = ("product", "date_kind", "net_quantity", "producer", "address", "gtin", "cosmetic")


def label_to_json(data: LabelData) -> dict[str, Any]:
    out: dict[str, Any] = {f: getattr(data, f) for f in LABEL_FIELDS}
    out["ingredients"] = [ingredient_to_json(i) for i in data.ingredients]
    out["allergens"] = list(data.allergens)
    out["facts"] = [list(kv) for kv in data.facts]
    return out


def label_from_json(
    d: dict[str, Any], *, lot: str, made: dt.date | None, best_before: dt.date | None
) -> LabelData:
    return LabelData(
        lot=lot,
        made=made,
        best_before=best_before,
        ingredients=tuple(ingredient_from_json(i) for i in d["ingredients"]),
        allergens=tuple(d["allergens"]),
        facts=tuple((str(k), str(v)) for k, v in d["facts"]),
        **{f: d[f] for f in LABEL_FIELDS},
    )


def input_to_json(line: InputLine) -> dict[str, Any]:
    return {
        "level": line.level,
        "kind": line.kind,
        "name": line.name,
        "lot_code": line.lot_code,
        "quantity": str(line.quantity),
        "unit": line.unit,
        "supplier": line.supplier,
        "supplier_lot_code": line.supplier_lot_code,
        "origin": line.origin,
        "certifications": line.certifications,
        "expiry": line.expiry.isoformat() if line.expiry else None,
        "material_kind": line.material_kind,
    }


def input_from_json(d: dict[str, Any]) -> InputLine:
    return InputLine(
        level=int(d["level"]),
        kind=d["kind"],
        name=d["name"],
        lot_code=d["lot_code"],
        quantity=Decimal(d["quantity"]),
        unit=d["unit"],
        supplier=d.get("supplier", ""),
        supplier_lot_code=d.get("supplier_lot_code", ""),
        origin=d.get("origin", ""),
        certifications=d.get("certifications", ""),
        expiry=_date(d.get("expiry")),
        material_kind=d.get("material_kind", ""),
    )
