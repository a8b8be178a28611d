"""Migration 0004_yield_customers adds its columns in place: the batch search index's
triggers on ``batches`` (0006_search_index) survive it."""

from sqlalchemy import inspect, text

from smallbatch_desktop.db.engine import open_database


def test_yield_and_customer_columns_added_and_search_triggers_kept(tmp_path):
    engine, _ = open_database(tmp_path / "fresh.sqlite")
    cols = {c["name"] for c in inspect(engine).get_columns("batches")}
    assert {"waste_quantity", "waste_reason"} <= cols
    assert "notes" in {c["name"] for c in inspect(engine).get_columns("customers")}
    with engine.connect() as conn:
        triggers = set(
            conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'batches'"
                )
            ).scalars()
        )
    assert {"batch_search_insert", "batch_search_delete", "batch_search_update"} <= triggers
    engine.dispose()
