"""Migrations: one linear chain, and an empty database upgraded to head equals the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from smallbatch_desktop.db.engine import make_engine, open_database
from smallbatch_desktop.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    include_name,
)
from smallbatch_desktop.domain.models import Base


def test_revision_chain_is_linear():
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1
    revs = list(script.walk_revisions())
    assert revs[-1].down_revision is None
    for r in revs:
        assert not isinstance(r.down_revision, (tuple, list)), f"merge revision {r.revision}"
    assert len({r.revision for r in revs}) == len(revs)


def test_empty_database_upgraded_to_head_matches_models(tmp_path):
    engine, _ = open_database(tmp_path / "fresh.sqlite")
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(ctx, Base.metadata) == []
    names = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= names
    engine.dispose()


def test_trace_indexes_exist(tmp_path):
    engine, _ = open_database(tmp_path / "fresh.sqlite")
    idx = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("consumptions")}
    # covering: the forward trace's walk reads no table row (migration 0006_search_index)
    assert idx["ix_consumptions_lot_batch"] == ["material_lot_id", "batch_id", "quantity", "unit"]
    assert idx["ix_consumptions_input_batch_batch"] == [
        "input_batch_id",
        "batch_id",
        "quantity",
        "unit",
    ]
    assert idx["ix_consumptions_batch_sources"][0] == "batch_id"
    engine.dispose()


def test_shipments_trace_index_replaces_the_batch_customer_one(tmp_path):
    """0010_trace: a batch's shipments in one covering index that starts as the old one
    did (batch, customer), and back again on a downgrade."""
    from alembic import command

    path = tmp_path / "fresh.sqlite"
    engine, _ = open_database(path)

    def indexes() -> dict[str, list[str]]:
        return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("shipments")}

    assert indexes()["ix_shipments_batch_trace"] == [
        "batch_id", "customer_id", "id", "shipped_date", "quantity", "unit",
        "document_type", "document_number",
    ]  # fmt: skip
    assert "ix_shipments_batch_customer" not in indexes()
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_yield_customers")
    assert indexes()["ix_shipments_batch_customer"] == ["batch_id", "customer_id"]
    assert "ix_shipments_batch_trace" not in indexes()
    engine.dispose()


def test_opening_twice_is_a_no_op_and_pragmas_are_set(tmp_path):
    path = tmp_path / "db.sqlite"
    open_database(path)[0].dispose()
    engine, _ = open_database(path)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    engine.dispose()
    assert make_engine(path).url.database == str(path.resolve())
