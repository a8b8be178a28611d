"""A forward trace as a tree model that makes nothing for a row until the row is shown.

The most-used lot of a large workshop reaches a hundred thousand batches and as many
shipments.  Built as ``QStandardItem`` rows (six per line) the tree froze the window for
half a minute at a million batches, after the trace itself had run in the background.
Here the tree's shape (``TraceTree``: each node's parent, row and children, plain
Python lists) is built by the trace job on its worker thread, and ``TraceTreeModel``
formats a row's texts only when the view asks for them (the rows on screen).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from smallbatch_desktop.domain.records import collector_paused
from smallbatch_desktop.services.trace import TraceResult, TraceShipment
from smallbatch_desktop.ui.models.table import Role
from smallbatch_desktop.ui.widgets.tips import plain_tip

#: what a node shows: ("root", LotRef), ("edge", TraceEdge), ("ship", TraceShipment) or
#: ("note", text)
Payload = tuple[str, Any]
Index = QModelIndex | QPersistentModelIndex


class TraceTree:
    """The rows of a forward trace as a tree, in the order the trace reads (depth first,
    each batch's shipments before the batches made from it).  Node 0 is the invisible
    top; node 1 is the traced lot.  A batch reached a second time (a diamond) is listed
    again, with its shipments, but its uses are not repeated (``TraceResult.walk``)."""

    __slots__ = ("children", "parent", "payload", "row")

    def __init__(self, res: TraceResult) -> None:
        parent: list[int] = [-1]
        row: list[int] = [0]
        children: list[list[int]] = [[]]
        payload: list[Payload] = [("top", None)]
        self.parent = parent
        self.row = row
        self.children = children
        self.payload = payload

        def add(under: int, item: Payload) -> int:
            n = len(parent)
            kids = children[under]
            parent.append(under)
            row.append(len(kids))
            kids.append(n)
            children.append([])
            payload.append(item)
            return n

        with collector_paused():  # a quarter of a million small lists, no cycles
            ships: dict[int, list[TraceShipment]] = defaultdict(list)
            for sh in res.shipments:
                ships[sh.batch_id].append(sh)
            root = add(0, ("root", res.root))
            if res.root.kind == "batch":
                for sh in ships.get(res.root.id, ()):
                    add(root, ("ship", sh))
            at = [root]  # the node of each level of the walk
            for level, e in res.walk():
                node = add(at[level - 1], ("edge", e))
                del at[level:]
                at.append(node)
                for sh in ships.get(e.consumer_batch_id, ()):
                    add(node, ("ship", sh))
            if not res.edges and not res.shipments:
                add(root, ("note", "not used in any batch, not shipped"))

    def __len__(self) -> int:
        return len(self.parent) - 1  # the rows, without the invisible top


class TraceTreeModel(QAbstractItemModel):
    """``TraceTree`` rows for a ``QTreeView``: ``texts(payload)`` gives a row's column
    texts (formatted when the row is first shown, kept while the tree is).  Roles as the
    other trace tree: ``Role.Kind`` (root kind, batch, shipment), ``Role.Row`` (the lot
    code a double-click traces), a tooltip for a text long enough to be cut, the traced
    lot in bold."""

    def __init__(
        self,
        headers: Sequence[str],
        texts: Callable[[Payload], tuple[str, ...]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._texts = texts
        self._tree: TraceTree | None = None
        self._cache: dict[int, tuple[str, ...]] = {}

    # -- content ---------------------------------------------------------------------

    def set_tree(self, tree: TraceTree | None) -> None:
        self.beginResetModel()
        self._tree = tree
        self._cache = {}
        self.endResetModel()

    def clear(self) -> None:
        self.set_tree(None)

    def _row_texts(self, node: int) -> tuple[str, ...]:
        texts = self._cache.get(node)
        if texts is None:
            assert self._tree is not None
            texts = self._cache[node] = self._texts(self._tree.payload[node])
        return texts

    # -- QAbstractItemModel ----------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        tree = self._tree
        if tree is None or not 0 <= column < len(self._headers) or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        kids = tree.children[parent.internalId() if parent.isValid() else 0]
        if row >= len(kids):
            return QModelIndex()
        return self.createIndex(row, column, kids[row])

    def parent(self, index: Index | None = None) -> Any:
        if index is None:  # QObject.parent()
            return QObject.parent(self)
        tree = self._tree
        if tree is None or not index.isValid():
            return QModelIndex()
        up = tree.parent[index.internalId()]
        if up <= 0:
            return QModelIndex()
        return self.createIndex(tree.row[up], 0, up)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        tree = self._tree
        if tree is None:
            return 0
        if not parent.isValid():
            return len(tree.children[0])
        if parent.column() != 0:
            return 0
        return len(tree.children[parent.internalId()])

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self._headers)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        tree = self._tree
        if tree is None or not index.isValid():
            return None
        node = index.internalId()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_texts(node)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._row_texts(node)[index.column()]
            return plain_tip(text) if len(text) > 24 else None
        kind, item = tree.payload[node]
        if role == Role.Kind:
            return _kind(kind, item)
        if role == Role.Row:
            return _lot(kind, item)
        if role == Qt.ItemDataRole.FontRole and kind == "root":
            font = QFont()
            font.setBold(True)
            return font
        return None


def _kind(kind: str, item: Any) -> str:
    if kind == "root":
        return str(item.kind)
    if kind == "edge":
        return "batch"
    if kind == "ship":
        return "shipment"
    return ""


def _lot(kind: str, item: Any) -> str:
    if kind == "root":
        return str(item.lot_code)
    if kind == "edge":
        return str(item.consumer_lot_code)
    return ""
