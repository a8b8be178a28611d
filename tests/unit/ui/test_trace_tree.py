"""The forward trace tree makes nothing for a row until the row is shown: its shape is
laid out by the trace job (``TraceTree``), its texts are formatted for the rows on
screen (``TraceTreeModel``).  The tree reads as the trace does (depth first, a batch's
shipments before what was made from it, a batch reached twice listed twice), a large one
opens its first level only, and a double-click traces the row's lot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from smallbatch_desktop.services.trace import LotRef, TraceEdge, TraceResult, TraceShipment
from smallbatch_desktop.ui.models.table import Role
from smallbatch_desktop.ui.models.trace_tree import TraceTree, TraceTreeModel

DAY = dt.date(2026, 11, 2)


def edge(depth: int, consumer: int, code: str, source: tuple[str, int, str], cid: int) -> TraceEdge:
    kind, sid, scode = source
    return TraceEdge(depth, consumer, code, "Hot sauce", kind, sid, scode, "", Decimal("1"), "kg",
                     consumption_id=cid)  # fmt: skip


def ship(sid: int, batch: int, code: str, customer: str) -> TraceShipment:
    return TraceShipment(sid, batch, code, "Hot sauce", 1, customer, "", Decimal("4"), "pcs", DAY,
                         "invoice", f"INV-{sid}")  # fmt: skip


def diamond() -> TraceResult:
    """Lot L went into A and B; both went into C (a diamond); A and C were shipped."""
    lot = ("material", 1, "L-1")
    return TraceResult(
        LotRef("material", 1, "L-1", "Habanero"),
        "forward",
        (
            edge(1, 10, "A-10", lot, 1),
            edge(1, 11, "B-11", lot, 2),
            edge(2, 12, "C-12", ("batch", 10, "A-10"), 3),
            edge(2, 12, "C-12", ("batch", 11, "B-11"), 4),
        ),
        (
            ship(100, 12, "C-12", "Deli"),
            ship(101, 12, "C-12", "Market"),
            ship(102, 10, "A-10", "Cafe"),
        ),
    )


def texts(payload: tuple[str, Any]) -> tuple[str, ...]:
    kind, item = payload
    if kind == "root":
        return (item.lot_code, item.name, "", "", "", "")
    if kind == "edge":
        return (
            item.consumer_lot_code,
            item.consumer_product,
            f"of {item.source_lot_code}",
            "",
            "",
            "",
        )
    if kind == "ship":
        return ("→ shipped", item.product, "", item.customer, item.document_number, "")
    return ("—", str(item), "", "", "", "")


def rows(model: TraceTreeModel) -> list[tuple[int, str, str]]:
    """(level, lot, what) for every row, depth first, through the model's own API."""
    out: list[tuple[int, str, str]] = []

    def walk(parent: QModelIndex, level: int) -> None:
        for r in range(model.rowCount(parent)):
            idx = model.index(r, 0, parent)
            what = model.index(r, 2, parent).data() or model.index(r, 3, parent).data()
            out.append((level, idx.data(), what))
            assert model.parent(idx) == parent
            walk(idx, level + 1)

    walk(QModelIndex(), 0)
    return out


def test_the_tree_reads_as_the_trace_does(qtmodeltester: Any) -> None:
    model = TraceTreeModel(["Lot", "Product", "Quantity", "Customer", "Document", "Date"], texts)
    tree = TraceTree(diamond())
    model.set_tree(tree)
    assert rows(model) == [
        (0, "L-1", ""),
        (1, "A-10", "of L-1"),
        (2, "→ shipped", "Cafe"),
        (2, "C-12", "of A-10"),
        (3, "→ shipped", "Deli"),
        (3, "→ shipped", "Market"),
        (1, "B-11", "of L-1"),
        (2, "C-12", "of B-11"),  # reached again: listed, with its shipments
        (3, "→ shipped", "Deli"),
        (3, "→ shipped", "Market"),
    ]
    assert len(tree) == 10
    root = model.index(0, 0)
    a = model.index(0, 4, root)
    assert (root.data(Role.Kind), root.data(Role.Row)) == ("material", "L-1")
    assert (a.data(Role.Kind), a.data(Role.Row)) == ("batch", "A-10")
    assert model.index(0, 0, model.index(0, 0, root)).data(Role.Kind) == "shipment"
    assert root.data(Qt.ItemDataRole.FontRole).bold()
    qtmodeltester.check(model, force_py=True)
    model.clear()
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


def test_a_lot_used_nowhere_says_so() -> None:
    model = TraceTreeModel(["Lot", "Product", "Quantity", "Customer", "Document", "Date"], texts)
    model.set_tree(TraceTree(TraceResult(LotRef("material", 1, "L-1", "Salt"), "forward", ())))
    assert rows(model) == [(0, "L-1", ""), (1, "—", "")]
    assert model.index(0, 1, model.index(0, 0)).data() == "not used in any batch, not shipped"


def big(n: int) -> TraceResult:
    """A lot that went into ``n`` batches, each shipped once."""
    lot = ("material", 1, "BIG-1")
    return TraceResult(
        LotRef("material", 1, "BIG-1", "Salt"),
        "forward",
        tuple(edge(1, 10 + i, f"B-{i:06d}", lot, i + 1) for i in range(n)),
        tuple(ship(100 + i, 10 + i, f"B-{i:06d}", "Deli") for i in range(n)),
    )


@pytest.mark.parametrize("n", [20, 30_000])
def test_a_large_forward_tree_is_formatted_only_where_it_is_shown(
    qtbot: Any, window: Any, n: int
) -> None:
    """The view gets a trace of ``n`` batches and ``n`` shipments: a small tree opens
    whole; a large one opens its first level, says so, and formats only the rows on
    screen.  A double-click on a batch traces that batch."""
    from smallbatch_desktop.ui.views.trace import OPEN_WHOLE

    window.resize(1280, 800)
    view = window.show_view("traceView")
    res = big(n)
    view._show((TraceResult(res.root, "backward", ()), res, TraceTree(res)), 0.05)
    qtbot.wait(50)  # painted
    model, tree = view.forward_model, view.forward
    root = model.index(0, 0)
    assert model.rowCount(root) == n
    first = model.index(0, 0, root)
    assert tree.isExpanded(root)
    assert first.data() == "B-000000"
    assert tree.isExpanded(first) == (2 * n + 1 <= OPEN_WHOLE)
    summary = view.summary.text()
    assert f"it went into {n:,} batch(es), {n:,} shipment(s)" in summary
    assert ("its first level is open" in summary) == (2 * n + 1 > OPEN_WHOLE)
    if n > OPEN_WHOLE:  # what is shown, and the rows Qt reads to size the columns
        precision = tree.header().resizeContentsPrecision()  # 1,000 by default
        assert 0 < len(model._cache) <= precision + 100 < n, len(model._cache)
    # a double-click traces the batch (not in this database: its message says so)
    row = model.index(3, 0, root)
    tree.scrollTo(row)
    at = tree.visualRect(row).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: view.input.text() == "B-000003", timeout=5000)
    qtbot.waitUntil(lambda: "B-000003" in view.error.text(), timeout=5000)
