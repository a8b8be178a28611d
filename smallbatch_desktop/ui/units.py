"""Quantities as the maker wants to read them: metric or US customary (Settings ->
Units shown).  Display only: storage, entry fields and every service keep the unit the
quantity was recorded in; conversion goes through ``domain.units.convert``.

A quantity already in the chosen system is shown as recorded (1.5 kg stays 1.5 kg); a
mass or volume from the other system is converted to the unit that reads best (oz under
a pound, lb above; fl oz under a gallon, gal above; g/kg and ml/l the same way).  Pieces
never change.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from smallbatch_desktop.domain.units import Dimension, convert, format_quantity, get_unit

SYSTEMS = ("metric", "us")

#: (dimension, system) -> (small unit, large unit, large unit in base units)
_PICK = {
    (Dimension.MASS, "us"): ("oz", "lb", Decimal("453.59237")),
    (Dimension.VOLUME, "us"): ("fl oz", "gal", Decimal("3785.411784")),
    (Dimension.MASS, "metric"): ("g", "kg", Decimal("1000")),
    (Dimension.VOLUME, "metric"): ("ml", "l", Decimal("1000")),
}


def display_round(q: Decimal) -> Decimal:
    """Two decimals, or three significant digits for small amounts (0.0176 oz)."""
    if q == 0:
        return Decimal(0)
    exp = min(-2, q.adjusted() - 2)
    return q.quantize(Decimal(1).scaleb(exp), rounding=ROUND_HALF_EVEN).normalize()


class UnitDisplay:
    """The unit system the views show quantities in (``system``: "metric" or "us")."""

    def __init__(self, system: str = "metric") -> None:
        self.system = system if system in SYSTEMS else "metric"

    def target_unit(self, quantity: Decimal, unit: str) -> str:
        """The unit ``quantity unit`` is shown in."""
        try:
            u = get_unit(unit)
        except Exception:  # an unknown unit string: show it as recorded
            return unit
        if u.system in ("any", self.system):
            return u.code
        small, large, large_base = _PICK[(u.dimension, self.system)]
        base = abs(quantity) * u.factor
        return large if base >= large_base else small

    def convert(self, quantity: Decimal, unit: str, to_unit: str) -> Decimal:
        if to_unit == unit:
            return quantity
        return display_round(convert(quantity, unit, to_unit, exact=True))

    def show(self, quantity: Decimal | None, unit: str) -> tuple[Decimal | None, str]:
        """(quantity, unit) as shown; None stays None."""
        if quantity is None:
            return None, self.target_unit(Decimal(0), unit)
        to = self.target_unit(quantity, unit)
        return self.convert(quantity, unit, to), to

    def text(self, quantity: Decimal, unit: str) -> str:
        """``'1.5 lb'``: what a label or summary line shows."""
        q, u = self.show(quantity, unit)
        assert q is not None
        return format_quantity(q, u)

    def recorded(self, quantity: Decimal, unit: str) -> str:
        """A tooltip when the shown value was converted: what was recorded."""
        to = self.target_unit(quantity, unit)
        return "" if to == unit else f"recorded as {format_quantity(quantity, unit)}"
