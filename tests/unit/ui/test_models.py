"""Every item model the UI writes passes qtmodeltester; the batch model pages in SQL."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy.orm import Session, sessionmaker

from smallbatch_desktop.services import batches as bsvc
from smallbatch_desktop.ui.models.batches import COLUMNS, BatchTableModel
from smallbatch_desktop.ui.models.table import Column, Role, RowTableModel, sortable_proxy


def test_batch_model_passes_modeltester(
    qtmodeltester: Any, session_factory: sessionmaker[Session], workshop: dict[str, int]
) -> None:
    model = BatchTableModel(session_factory)
    assert model.rowCount() == 6
    qtmodeltester.check(model, force_py=True)
    model.set_filter(status="released")
    qtmodeltester.check(model, force_py=True)
    assert {model.row_at(r).status for r in range(model.rowCount())} == {"released"}


def test_batch_model_pages_filters_and_sorts_in_sql(
    session_factory: sessionmaker[Session],
    workshop: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(BatchTableModel, "PAGE", 4)
    model = BatchTableModel(session_factory)
    assert model.rowCount() == 4 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6 and not model.canFetchMore(QModelIndex())
    assert model.total() == 6
    model.set_filter(search="soap")
    assert model.rowCount() == 2 and model.total() == 2
    model.set_filter(search="")
    lot_col = next(i for i, c in enumerate(COLUMNS) if c[1] == "lot_code")
    model.sort(lot_col, Qt.SortOrder.AscendingOrder)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    codes = [model.row_at(r).lot_code for r in range(model.rowCount())]
    assert codes == sorted(codes)
    with session_factory() as s:
        expected = [r.lot_code for r in bsvc.list_batches(s, sort="lot_code", descending=False)]
    assert codes == expected
    idx = model.index(0, 0)
    assert model.data(idx, Role.Id) == model.row_at(0).id
    assert model.find_row(model.row_at(2).id) == 2


def test_typing_a_search_narrows_with_one_scan_and_the_same_result(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each keystroke gives what a fresh search for the whole text gives, in every sort
    order; once the matches are few, a keystroke is one query (page + count)."""
    from smallbatch_desktop.services import fast_reads
    from smallbatch_desktop.services.demo import load_demo

    with session_factory.begin() as s:
        load_demo(s)
    monkeypatch.setattr(BatchTableModel, "PAGE", 3)
    calls: list[str] = []
    real = fast_reads.narrowed_page

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["search"])
        return real(*args, **kwargs)

    monkeypatch.setattr("smallbatch_desktop.ui.models.batches.narrowed_page", spy)

    def shown(m: BatchTableModel) -> tuple[list[int], int]:
        while m.canFetchMore(QModelIndex()):
            m.fetchMore(QModelIndex())
        return [m.row_at(r).id for r in range(m.rowCount())], m.total()

    for column in (0, 1, 3, 5, 6, 9):  # lot, product, status, best before, planned, operator
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            typing = BatchTableModel(session_factory)
            typing.sort(column, order)
            for i in range(1, len("habanero") + 1):
                typing.set_filter(search="Habanero"[:i])
                fresh = BatchTableModel(session_factory)
                fresh.sort(column, order)
                fresh.set_filter(search="Habanero"[:i])
                assert shown(typing) == shown(fresh), ("Habanero"[:i], column, order)
            assert shown(typing)[1] > 3  # more than a page: the count is the window count
    assert "Hab" in calls and "H" not in calls  # the first keystroke counts, then narrows
    # a search that does not extend the last one counts again
    calls.clear()
    typing.set_filter(search="soap")
    assert calls == []


def test_batch_model_status_shown_as_label(
    session_factory: sessionmaker[Session], workshop: dict[str, int]
) -> None:
    model = BatchTableModel(session_factory)
    status_col = next(i for i, c in enumerate(COLUMNS) if c[1] == "status")
    labels = {model.index(r, status_col).data() for r in range(model.rowCount())}
    assert "QC hold" in labels and "In production" in labels
    assert model.index(0, status_col).data(Qt.ItemDataRole.BackgroundRole) is not None


def test_row_table_model_passes_modeltester(qtmodeltester: Any) -> None:
    from decimal import Decimal

    rows = [("b", Decimal("2.50"), 2), ("a", Decimal("10"), 1)]
    model: RowTableModel[tuple[str, Decimal, int]] = RowTableModel(
        [Column("Name", lambda r: r[0]), Column("Qty", lambda r: r[1], numeric=True)],
        row_id=lambda r: r[2],
    )
    model.set_rows(rows)
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, 1).data() == "2.5"
    proxy = sortable_proxy(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, 0).data() == "b"  # 2.5 < 10 as numbers, not as text
    proxy.setFilterFixedString("A")
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data(Role.Id) == 1
    qtmodeltester.check(proxy, force_py=True)


def test_view_models_pass_modeltester(
    qtmodeltester: Any, window: Any, workshop: dict[str, int]
) -> None:
    """The list models inside the views, and the trace trees, once filled."""
    window.refresh_current()
    batches = window.view("batchView")
    batches.select_batch(workshop["hs_batch"])
    detail = batches.detail
    for m in (detail.inputs_model, detail.ship_model, detail.amend_model, detail.cost_model):
        qtmodeltester.check(m, force_py=True)
    inv = window.view("inventoryView")
    for m in (inv.materials_model, inv.lots_model, inv.suppliers_model, inv.lots_proxy):
        qtmodeltester.check(m, force_py=True)
    recipes = window.view("recipeView")
    recipes.open_recipe(recipes.model.row_at(0).id)
    qtmodeltester.check(recipes.model, force_py=True)
    qtmodeltester.check(recipes.history_model, force_py=True)
    trace = window.view("traceView")
    trace.trace("MASH-")  # unknown: error, models stay valid
    with window.ctx.session_factory() as s:
        from smallbatch_desktop.domain.models import Batch

        code = s.get(Batch, workshop["mash_batch"]).lot_code
    trace.trace(code)
    qtmodeltester.check(trace.backward_model, force_py=True)
    qtmodeltester.check(trace.forward_model, force_py=True)
