from decimal import Decimal

import pytest

from smallbatch_desktop.domain.errors import (
    ConflictError,
    ImmutableError,
    UnitError,
    ValidationError,
)
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import recipes as rec
from smallbatch_desktop.services.recipes import LineInput, QcItemInput


@pytest.fixture
def mats(session):
    oil = inv.create_material(
        session, code="OIL", name="Olive oil", stock_unit="kg", density="0.91"
    )
    lye = inv.create_material(session, code="LYE", name="Sodium hydroxide", stock_unit="kg")
    return oil, lye


def soap(session, mats, code="SOAP"):
    oil, lye = mats
    v = rec.create_recipe(
        session, code=code, name="Olive soap", yield_quantity="40", yield_unit="pcs"
    )
    rec.update_draft(
        session,
        v.id,
        lines=[
            LineInput("3.5", "l", material_id=oil.id),
            LineInput("550", "g", material_id=lye.id),
        ],
        qc_items=[QcItemInput("pH", "numeric", min_value="8", max_value="10")],
        shelf_life_days="730",
    )
    return v


def test_publish_freezes_and_new_version_copies(session, mats):
    v1 = soap(session, mats)
    rec.publish(session, v1.id, actor="ann")
    assert v1.status == "published" and v1.published_by == "ann"
    with pytest.raises(
        ImmutableError, match=r"^recipe version: SOAP v1 is published and cannot change"
    ):
        rec.update_draft(session, v1.id, steps="x")
    v2 = rec.new_version(session, v1.id)
    assert (v2.version, v2.status, len(v2.lines), len(v2.qc_items)) == (2, "draft", 2, 1)
    with pytest.raises(ConflictError, match=r"already has a draft \(v2\)"):
        rec.new_version(session, v1.id)
    rec.update_draft(
        session, v2.id, lines=[LineInput("3.6", "l", material_id=mats[0].id)], shelf_life_days="365"
    )
    rec.publish(session, v2.id)
    assert [s.version for s in rec.list_versions(session, v1.recipe_id)] == [1, 2]
    # v1 untouched
    assert [str(ln.quantity) for ln in v1.lines] == ["3.500000", "550.000000"]


def test_compare_versions(session, mats):
    v1 = soap(session, mats)
    rec.publish(session, v1.id)
    v2 = rec.new_version(session, v1.id)
    rec.update_draft(
        session,
        v2.id,
        lines=[LineInput("3.6", "l", material_id=mats[0].id)],
        qc_items=[QcItemInput("pH", "numeric", min_value="8", max_value="9.5")],
    )
    diff = rec.compare_versions(session, v1.id, v2.id)
    got = {(c.what, c.key, c.kind) for c in diff.changes}
    assert ("line", "OIL Olive oil", "changed") in got
    assert ("line", "LYE Sodium hydroxide", "removed") in got
    assert ("qc", "pH", "changed") in got
    assert rec.compare_versions(session, v1.id, v1.id).identical


def test_scale_is_exact_and_unit_aware(session, mats):
    v = soap(session, mats)
    scaled = rec.scale_version(session, v.id, "100", "pcs")
    assert scaled.factor == Decimal("2.5")
    assert [(ln.quantity, ln.unit) for ln in scaled.lines] == [
        (Decimal("8.75"), "l"),
        (Decimal("1375"), "g"),
    ]
    thirds = rec.scale_version(session, v.id, "10")
    assert thirds.lines[1].quantity == Decimal("137.5")
    with pytest.raises(UnitError, match=r"^target unit: cannot convert kg"):
        rec.scale_version(session, v.id, "10", "kg")


@pytest.mark.parametrize(
    ("line", "error", "message"),
    [
        (
            LineInput("0", "kg", material_id=1),
            ValidationError,
            r"^line 1 quantity: must be greater than zero",
        ),
        (
            LineInput("-2", "kg", material_id=1),
            ValidationError,
            r"^line 1 quantity: must be greater than zero",
        ),
        (LineInput("1", "furlong", material_id=1), UnitError, r"^line 1 unit: unknown unit"),
        (LineInput("1", "pcs", material_id=1), UnitError, r"^line 1 unit: cannot convert pcs"),
        (
            LineInput("1", "kg"),
            ValidationError,
            r"^line 1: choose a material or an intermediate product",
        ),
    ],
)
def test_line_refusals(session, mats, line, error, message):
    v = rec.create_recipe(session, code="X", name="x", yield_quantity="1", yield_unit="kg")
    with pytest.raises(error, match=message):
        rec.update_draft(session, v.id, lines=[line])


def test_other_refusals(session, mats):
    with pytest.raises(ValidationError, match=r"^yield: must be greater than zero"):
        rec.create_recipe(session, code="Z", name="z", yield_quantity="0", yield_unit="kg")
    v = rec.create_recipe(session, code="Y", name="y", yield_quantity="1", yield_unit="kg")
    with pytest.raises(ValidationError, match=r"^lines: Y v1 has no lines to publish"):
        rec.publish(session, v.id)
    with pytest.raises(ConflictError, match=r"^product code: 'Y' already exists"):
        rec.create_recipe(session, code="y", name="y2", yield_quantity="1", yield_unit="kg")
    with pytest.raises(ValidationError, match=r"^QC item 1 \(pH\): min 9 is above max 8"):
        rec.update_draft(
            session, v.id, qc_items=[QcItemInput("pH", "numeric", min_value="9", max_value="8")]
        )
    with pytest.raises(ValidationError, match=r"^shelf life: 'soon' is not a whole number"):
        rec.update_draft(session, v.id, shelf_life_days="soon")
    with pytest.raises(ValidationError, match=r"^GTIN: .* wrong check digit"):
        rec.update_recipe(session, v.recipe_id, name="y", gtin="12345678901234")


def test_intermediate_loop_refused(session, mats):
    a = rec.create_recipe(
        session, code="A", name="a", yield_quantity="1", yield_unit="kg", intermediate=True
    )
    rec.update_draft(session, a.id, lines=[LineInput("1", "kg", material_id=mats[1].id)])
    rec.publish(session, a.id)
    b = rec.create_recipe(
        session, code="B", name="b", yield_quantity="1", yield_unit="kg", intermediate=True
    )
    rec.update_draft(session, b.id, lines=[LineInput("1", "kg", component_recipe_id=a.recipe_id)])
    rec.publish(session, b.id)
    a2 = rec.new_version(session, a.id)
    rec.update_draft(session, a2.id, lines=[LineInput("1", "kg", component_recipe_id=b.recipe_id)])
    with pytest.raises(ValidationError, match="that would be a loop"):
        rec.publish(session, a2.id)
    with pytest.raises(ValidationError, match=r"^line 1: a recipe cannot use itself"):
        rec.update_draft(
            session, a2.id, lines=[LineInput("1", "kg", component_recipe_id=a.recipe_id)]
        )
