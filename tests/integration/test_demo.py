"""The demo workshop has what the issue promises."""

from sqlalchemy import func, select, text

from smallbatch_desktop.domain.models import Batch, Recipe, RecipeVersion, Shipment, Supplier
from smallbatch_desktop.domain.status import BatchStatus
from smallbatch_desktop.services.demo import load_demo
from smallbatch_desktop.services.trace import trace_backward


def test_demo_workshop(session):
    load_demo(session)
    session.flush()
    statuses = set(session.scalars(select(Batch.status)))
    assert statuses == {s.value for s in BatchStatus}
    lines = set(session.scalars(select(Recipe.product_line)))
    assert {"Hot sauce", "Soap", "Coffee"} <= lines
    multi = session.execute(
        select(RecipeVersion.recipe_id).group_by(RecipeVersion.recipe_id).having(func.count() >= 2)
    ).all()
    assert len(multi) >= 2
    assert session.scalar(select(func.count()).select_from(Shipment)) >= 8
    assert all(s.address for s in session.scalars(select(Supplier)))
    # an intermediate used by later batches, two levels or more
    deepest = session.execute(
        text(
            "SELECT b.lot_code FROM batches b JOIN recipe_versions v ON v.id=b.recipe_version_id "
            "JOIN recipes r ON r.id=v.recipe_id WHERE r.code='HHS' AND b.status='released' ORDER BY b.id LIMIT 1"
        )
    ).scalar()
    r = trace_backward(session, deepest)
    assert max(e.depth for e in r.edges) >= 3
    assert any(e.origin and e.certifications for e in r.edges if e.source_kind == "material")
