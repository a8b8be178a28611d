from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smallbatch_desktop.domain.errors import UnitError, ValidationError
from smallbatch_desktop.domain.units import (
    QUANTUM,
    UNIT_CODES,
    convert,
    format_quantity,
    get_unit,
    parse_decimal,
    positive_quantity,
    quantize,
)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000000"), places=3)
mass = st.sampled_from(["mg", "g", "kg", "oz", "lb"])
volume = st.sampled_from(["ml", "l", "fl oz", "gal"])


def test_exact_factors():
    assert convert(Decimal(1), "lb", "g") == Decimal("453.592370")
    assert convert(Decimal(16), "oz", "lb") == Decimal("1.000000")
    assert convert(Decimal(128), "fl oz", "gal") == Decimal("1.000000")
    assert convert(Decimal("2.5"), "kg", "g") == Decimal("2500")
    assert convert(Decimal(1), "gal", "l") == Decimal("3.785412")


def test_density_bridges_mass_and_volume():
    # 1 l of oil at 0.91 g/ml weighs 910 g, and back
    assert convert(Decimal(1), "l", "g", density=Decimal("0.91")) == Decimal("910")
    assert convert(Decimal(910), "g", "l", density=Decimal("0.91")) == Decimal("1")


def test_mass_to_volume_without_density_names_the_field():
    with pytest.raises(
        UnitError, match=r"^line 2 unit: converting kg to l needs the material's density"
    ):
        convert(Decimal(1), "kg", "l", field="line 2 unit")


def test_count_to_mass_refused():
    with pytest.raises(UnitError, match=r"cannot convert pcs \(count\) to g \(mass\)"):
        convert(Decimal(1), "pcs", "g", density=Decimal(1))


def test_unknown_unit():
    with pytest.raises(UnitError, match=r"^stock unit: unknown unit 'stone'"):
        get_unit("stone", field="stock unit")


def test_aliases():
    assert get_unit("Kilogram").code == "kg"
    assert get_unit("L").code == "l"
    assert get_unit("fl_oz").code == "fl oz"
    assert set(UNIT_CODES) >= {"mg", "g", "kg", "oz", "lb", "ml", "l", "fl oz", "gal", "pcs"}


@pytest.mark.parametrize("bad", [0.5, True, "abc", "", "nan", "inf"])
def test_parse_decimal_refuses(bad):
    with pytest.raises(ValidationError, match=r"^quantity: "):
        parse_decimal(bad, field="quantity")


def test_parse_decimal_accepts_comma_decimal():
    assert parse_decimal("1,5", field="q") == Decimal("1.5")
    assert parse_decimal(" 2 500 ", field="q") == Decimal("2500")


@pytest.mark.parametrize("bad", ["0", "-1", "0.0000001"])
def test_positive_quantity_refuses(bad):
    with pytest.raises(ValidationError, match=r"^quantity: "):
        positive_quantity(bad)


@given(quantities, mass, mass)
def test_round_trip_mass(q, a, b):
    there = convert(q, a, b, exact=True)
    assert quantize(convert(there, b, a, exact=True)) == quantize(q)


@given(quantities, volume, volume)
def test_round_trip_volume(q, a, b):
    there = convert(q, a, b, exact=True)
    assert quantize(convert(there, b, a, exact=True)) == quantize(q)


@given(
    quantities,
    mass,
    volume,
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=3),
)
def test_round_trip_through_density(q, m, v, density):
    vol = convert(q, m, v, density=density, exact=True)
    assert quantize(convert(vol, v, m, density=density, exact=True)) == quantize(q)


@given(quantities)
def test_results_are_decimal_at_storage_scale(q):
    out = convert(q, "kg", "lb")
    assert isinstance(out, Decimal)
    assert out == out.quantize(QUANTUM)


def test_format_quantity():
    assert format_quantity(Decimal("1.500000"), "kg") == "1.5 kg"
    assert format_quantity(Decimal("2000.000000")) == "2000"
