"""Every item model the UI writes passes qtmodeltester; the batch model pages in SQL."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import text as sa_text
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


@pytest.mark.parametrize("dense", [5_000, 3], ids=["few-matches", "many-matches"])
def test_typing_a_search_gives_the_fresh_result_and_count(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, dense: int
) -> None:
    """Each keystroke gives what the plain LIKE search gives (services.batches), in every
    sort order, with the same count. Past ``DENSE_MATCHES`` the first page comes from an
    index walk and the count from the worker (a synchronous pool here), never from the
    keystroke itself."""
    from smallbatch_desktop.services import fast_reads
    from smallbatch_desktop.services.demo import load_demo
    from smallbatch_desktop.ui.tasks import SyncPool

    with session_factory.begin() as s:
        load_demo(s)
    monkeypatch.setattr(BatchTableModel, "PAGE", 3)
    monkeypatch.setattr(fast_reads, "DENSE_MATCHES", dense)
    pool = SyncPool()

    def plain_like(text: str, key: str, descending: bool) -> list[int]:
        """The reference: a plain LIKE over every row, in the list's order."""
        with session_factory() as s:
            return list(
                s.scalars(
                    sa_text(
                        "SELECT b.id FROM batches b JOIN recipe_versions v "
                        "ON v.id = b.recipe_version_id JOIN recipes r ON r.id = v.recipe_id "
                        "WHERE b.lot_code LIKE :q OR r.name LIKE :q OR r.code LIKE :q "
                        f"ORDER BY {fast_reads._order(key, descending)}"
                    ),
                    {"q": f"%{text}%"},
                )
            )

    def shown(m: BatchTableModel) -> tuple[list[int], int]:
        while m.canFetchMore(QModelIndex()):
            m.fetchMore(QModelIndex())
        assert m.total_is_exact()
        return [m.row_at(r).id for r in range(m.rowCount())], m.total()

    sort_keys = {
        0: "lot_code",
        1: "product",
        3: "status",
        5: "best_before",
        6: "planned_quantity",
        9: "operator",
    }
    exact_on_keystroke = []
    for column, key in sort_keys.items():
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            typing = BatchTableModel(session_factory, count_pool=pool)
            typing.sort(column, order)
            for text in ["H", "Ha", "Hab", "Habanero", "hhs-", "26", "%", "s_a", "zz"]:
                counts: list[int] = []

                def note(counts: list[int] = counts) -> None:
                    counts.append(1)

                typing.countChanged.connect(note)
                typing.set_filter(search=text)
                exact_on_keystroke.append(not counts)
                want = plain_like(text, key, order == Qt.SortOrder.DescendingOrder)
                assert shown(typing) == (want, len(want)), (text, key)
                typing.countChanged.disconnect()
    if dense == 3:  # many matches: some counts came from the worker, after the page
        assert not all(exact_on_keystroke)
    else:
        assert all(exact_on_keystroke)


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
    for m in (
        detail.inputs_tab.model,
        detail.shipments_tab.model,
        detail.amendments_tab.model,
        detail.cost_tab.model,
    ):
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
