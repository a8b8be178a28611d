"""Units of measure with exact Decimal conversion.

Three dimensions: mass (base gram), volume (base millilitre) and count (base piece).
Factors are exact decimals (the international avoirdupois pound and US customary
gallon are defined exactly in grams and millilitres), so a conversion is one
multiplication and one division in a 40-digit context, then quantized to the storage
scale.  Mass <-> volume only goes through a material's density (g/ml); anything else
across dimensions is a ``UnitError`` that names the field.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from smallbatch_desktop.domain.errors import UnitError, ValidationError

#: Every stored quantity and money value keeps this many decimal places.
SCALE = 6
QUANTUM = Decimal(1).scaleb(-SCALE)
_CTX = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)


class Dimension(StrEnum):
    MASS = "mass"
    VOLUME = "volume"
    COUNT = "count"


@dataclass(frozen=True)
class Unit:
    code: str
    dimension: Dimension
    factor: Decimal  # how many base units (g, ml, pcs) one of this unit is
    label: str
    system: str  # "metric", "us" or "any"


_UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("mg", Dimension.MASS, Decimal("0.001"), "milligram", "metric"),
        Unit("g", Dimension.MASS, Decimal("1"), "gram", "metric"),
        Unit("kg", Dimension.MASS, Decimal("1000"), "kilogram", "metric"),
        Unit("oz", Dimension.MASS, Decimal("28.349523125"), "ounce", "us"),
        Unit("lb", Dimension.MASS, Decimal("453.59237"), "pound", "us"),
        Unit("ml", Dimension.VOLUME, Decimal("1"), "millilitre", "metric"),
        Unit("l", Dimension.VOLUME, Decimal("1000"), "litre", "metric"),
        Unit("fl oz", Dimension.VOLUME, Decimal("29.5735295625"), "US fluid ounce", "us"),
        Unit("gal", Dimension.VOLUME, Decimal("3785.411784"), "US gallon", "us"),
        Unit("pcs", Dimension.COUNT, Decimal("1"), "piece", "any"),
    )
}

_ALIASES = {
    "gram": "g",
    "grams": "g",
    "kilo": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "milligram": "mg",
    "ounce": "oz",
    "ounces": "oz",
    "pound": "lb",
    "pounds": "lb",
    "lbs": "lb",
    "millilitre": "ml",
    "milliliter": "ml",
    "litre": "l",
    "liter": "l",
    "L": "l",
    "mL": "ml",
    "floz": "fl oz",
    "fl. oz": "fl oz",
    "fl_oz": "fl oz",
    "gallon": "gal",
    "gallons": "gal",
    "pc": "pcs",
    "piece": "pcs",
    "pieces": "pcs",
    "ea": "pcs",
    "each": "pcs",
    "unit": "pcs",
    "units": "pcs",
}

UNIT_CODES: tuple[str, ...] = tuple(_UNITS)


def get_unit(code: str, *, field: str = "unit") -> Unit:
    """Look up a unit by code or common alias; ``UnitError`` naming ``field`` if unknown."""
    key = (code or "").strip()
    unit = _UNITS.get(key) or _UNITS.get(_ALIASES.get(key, "")) or _UNITS.get(key.lower())
    if unit is None:
        alias = _ALIASES.get(key.lower())
        unit = _UNITS.get(alias) if alias else None
    if unit is None:
        raise UnitError(
            f"{field}: unknown unit {code!r}; use one of {', '.join(UNIT_CODES)}", field=field
        )
    return unit


def normalize_unit(code: str, *, field: str = "unit") -> str:
    return get_unit(code, field=field).code


def parse_decimal(value: object, *, field: str) -> Decimal:
    """A Decimal from user input (str, int or Decimal; never float)."""
    if isinstance(value, (bool, float)):
        raise ValidationError(f"{field}: give an exact number, not {value!r}", field=field)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        text = (
            value.strip().replace(",", ".")
            if value.count(",") == 1 and "." not in value
            else value.strip()
        )
        text = text.replace("_", "").replace(" ", "")
        if not text:
            raise ValidationError(f"{field}: a number is required", field=field)
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"{field}: {value!r} is not a number", field=field) from None
    else:
        raise ValidationError(f"{field}: {value!r} is not a number", field=field)
    if not d.is_finite():
        raise ValidationError(f"{field}: {value!r} is not a finite number", field=field)
    return d


def quantize(value: Decimal) -> Decimal:
    """Round to the storage scale (banker's rounding)."""
    return value.quantize(QUANTUM, context=_CTX)


def from_fixed(value: int) -> Decimal:
    """A raw scaled integer from SQL (e.g. a SUM) back to Decimal.

    Multiplying by one stored step (1E-6) gives exactly what ``scaleb(-SCALE)`` gives
    (same coefficient, same exponent) in about half the time; it runs once per quantity
    read.
    """
    return Decimal(int(value)) * QUANTUM


def positive_quantity(value: object, *, field: str = "quantity") -> Decimal:
    d = parse_decimal(value, field=field)
    if d <= 0:
        raise ValidationError(f"{field}: must be greater than zero, got {d}", field=field)
    q = quantize(d)
    if q == 0:
        raise ValidationError(f"{field}: {d} is too small (smallest is {QUANTUM})", field=field)
    return q


def non_negative(value: object, *, field: str) -> Decimal:
    d = parse_decimal(value, field=field)
    if d < 0:
        raise ValidationError(f"{field}: must not be negative, got {d}", field=field)
    return quantize(d)


def convert(
    quantity: Decimal,
    from_unit: str,
    to_unit: str,
    *,
    density: Decimal | None = None,
    field: str = "unit",
    exact: bool = False,
) -> Decimal:
    """Convert ``quantity`` from one unit to another.

    ``density`` is grams per millilitre, needed only across mass and volume.  The result
    is quantized to the storage scale unless ``exact`` is set (then the 40-digit value).
    """
    src = get_unit(from_unit, field=field)
    dst = get_unit(to_unit, field=field)
    if not isinstance(quantity, Decimal):
        quantity = parse_decimal(quantity, field="quantity")
    base = _CTX.multiply(quantity, src.factor)
    if src.dimension is not dst.dimension:
        pair = {src.dimension, dst.dimension}
        if pair != {Dimension.MASS, Dimension.VOLUME}:
            raise UnitError(
                f"{field}: cannot convert {src.code} ({src.dimension.value}) to "
                f"{dst.code} ({dst.dimension.value})",
                field=field,
            )
        if density is None or density <= 0:
            raise UnitError(
                f"{field}: converting {src.code} to {dst.code} needs the material's density "
                "(g/ml); set it on the material",
                field=field,
            )
        base = (
            _CTX.multiply(base, density)
            if src.dimension is Dimension.VOLUME
            else _CTX.divide(base, density)
        )
    result = _CTX.divide(base, dst.factor)
    return result if exact else quantize(result)


def same_dimension(a: str, b: str) -> bool:
    return get_unit(a).dimension is get_unit(b).dimension


def format_quantity(quantity: Decimal, unit: str | None = None) -> str:
    """``Decimal('1.500000')`` -> ``'1.5'``; with a unit, ``'1.5 kg'``."""
    q = quantity.normalize()
    text = f"{q:f}"
    if text in ("-0",):
        text = "0"
    return f"{text} {unit}" if unit else text
