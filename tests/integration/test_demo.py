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


def _scale_shop(path, *, snapshots: bool):
    from smallbatch_desktop.db.engine import open_database
    from smallbatch_desktop.services.demo import generate_scale

    engine, sf = open_database(path)
    with sf.begin() as s:
        load_demo(s)
    generate_scale(engine, 400, seed=11, snapshots=snapshots)
    return engine, sf


def _snapshots(sf) -> dict[int, dict]:
    import json

    with sf() as s:
        return {
            bid: json.loads(data)
            for bid, data in s.execute(text("SELECT batch_id, data FROM batch_snapshots"))
        }


def test_generated_batches_have_the_snapshot_releasing_them_would_take(tmp_path):
    """``demo --scale`` releases every generated batch; each has its snapshot, written in
    bulk, and it is exactly the one the app takes: a database generated the same way
    without them gets them from the upgrade's backfill (``snapshots.take`` per batch),
    and the two agree on every batch, nested intermediates included."""
    from smallbatch_desktop.services.reports import batch_record
    from smallbatch_desktop.services.snapshots import backfill

    engine, sf = _scale_shop(tmp_path / "bulk.sqlite", snapshots=True)
    other, osf = _scale_shop(tmp_path / "taken.sqlite", snapshots=False)
    with osf() as s:
        released = s.scalar(
            text("SELECT count(*) FROM batches WHERE status IN ('released','rejected','recalled')")
        )
        generated = s.scalar(text("SELECT count(*) FROM batches WHERE operator = 'bench'"))
    assert generated == 400
    with osf.begin() as s:
        assert backfill(s) == 400  # only the generated ones lack a snapshot
    bulk, taken = _snapshots(sf), _snapshots(osf)
    assert len(bulk) == len(taken) == released
    differ = []
    for bid, data in taken.items():
        data.pop("backfilled", None)
        if bulk[bid] != data:
            differ.append(bid)
    assert differ == []
    # the generated shape reaches intermediates nested several levels deep
    assert max(ln["level"] for d in bulk.values() for ln in d["record"]["inputs"]) >= 4
    # and the record reads them: renaming the generated product and materials later
    # leaves a generated batch's record as it was
    with sf() as s:
        bid = s.scalar(
            text(
                "SELECT id FROM batches WHERE operator = 'bench' AND unit = 'pcs' ORDER BY id DESC"
            )
        )
        before = batch_record(s, bid)
    with sf.begin() as s:
        s.execute(text("UPDATE recipes SET name = name || ' (renamed)'"))
        s.execute(text("UPDATE materials SET name = name || ' (renamed)'"))
    with sf() as s:
        after = batch_record(s, bid)
    assert after == before
    assert before.recipe_name == "Generated product"
    assert {i.name for i in before.inputs} >= {"Generated intermediate"}
    assert not any("renamed" in i.name for i in after.inputs)
    engine.dispose()
    other.dispose()
