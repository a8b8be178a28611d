"""What one label shows and what a print job holds, as plain frozen data.

The services build these from the database (``services.labels``); the renderer
(``pdf.labels``) draws them.  No ORM objects and no drawing code live here, so the same
job serves the designer preview, the print dialog and the command line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from smallbatch_desktop.domain.label_layout import Layout
from smallbatch_desktop.domain.label_stock import LabelStock


@dataclass(frozen=True)
class Ingredient:
    """One entry of the ingredients list; a compound ingredient has ``parts``."""

    name: str
    inci: str = ""
    #: allergen display names this ingredient brings ("Mustard"); non-empty = bold
    allergens: tuple[str, ...] = ()
    parts: tuple[Ingredient, ...] = ()


@dataclass(frozen=True)
class LabelData:
    """Everything one label shows, as plain values (no ORM objects)."""

    product: str
    lot: str
    made: dt.date | None = None
    best_before: dt.date | None = None
    #: "best_before" or "use_by": which GS1 date AI (15 or 17) the date is
    date_kind: str = "best_before"
    net_quantity: str = ""
    producer: str = ""
    address: str = ""
    ingredients: tuple[Ingredient, ...] = ()
    #: allergen display names of the whole product, for {allergens} and "Contains:"
    allergens: tuple[str, ...] = ()
    gtin: str = ""
    #: the recipe's other label facts, as (key, text) pairs
    facts: tuple[tuple[str, str], ...] = ()
    #: a cosmetic product lists INCI names (EU 1223/2009 Art. 19)
    cosmetic: bool = False
    #: GS1 Digital Link resolver host from the workshop settings ("" = id.gs1.org)
    link_domain: str = ""
    n: int = 1
    total: int = 1
    #: a personalised unit of a customer's order: the order number, the customer, this
    #: unit's own text and the line's options (key, value), for {order}, {customer},
    #: {personal_text} and {option:key}
    order: str = ""
    customer: str = ""
    personal_text: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LabelJob:
    """A print job: stock, layout, one ``LabelData`` per label (copies already expanded)."""

    stock: LabelStock
    layout: Layout
    labels: tuple[LabelData, ...]
    #: label positions already used on the first sheet
    skip: int = 0
    #: printer calibration: positive x moves the print right, positive y down (mm)
    offset_x: float = 0.0
    offset_y: float = 0.0
    dpi: int = 300
    draft: bool = False
    #: draw the die-cut outline of each label (preview, test prints)
    outline: bool = False
    title: str = "Labels"
