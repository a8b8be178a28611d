"""Trace: backward from a batch to every input lot, forward from any lot to every batch
and shipment, to any depth, through intermediates.

Each direction is one recursive SQL statement (``WITH RECURSIVE``), never a loop of
queries: the consumption table's two covering indexes make every step an index walk.
The recursion is capped at ``MAX_DEPTH`` levels so a bad edge can never spin forever.

Every function reads through a ``Source``: a SQLAlchemy ``Session`` (the window, the
services), or a ``fast_reads`` reader over a read-only stdlib connection, which is how
``smallbatch trace`` reads an SQLite file without importing SQLAlchemy at all (this
module does not import it: the statements are plain SQL text).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias

from smallbatch_desktop.domain.errors import NotFoundError
from smallbatch_desktop.domain.records import collector_paused
from smallbatch_desktop.domain.units import from_fixed
from smallbatch_desktop.services.fast_reads import db_date

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from smallbatch_desktop.services.fast_reads import Reader

#: what a trace reads from: a ``Session``, or a ``fast_reads`` reader (``sqlite_reader``)
Source: TypeAlias = "Session | Reader"

MAX_DEPTH = 64

Kind = Literal["material", "batch"]


@dataclass(frozen=True)
class LotRef:
    """A lot by code: a received material lot or a batch we made."""

    kind: Kind
    id: int
    lot_code: str
    name: str  # material name, or product (recipe) name


class TraceEdge(NamedTuple):
    """``consumer`` batch used ``quantity`` ``unit`` of ``source`` lot, ``depth`` steps away.

    A NamedTuple, not a dataclass: a forward trace can return tens of thousands of edges,
    and a tuple is built several times faster than a frozen dataclass.
    """

    depth: int
    consumer_batch_id: int
    consumer_lot_code: str
    consumer_product: str
    source_kind: Kind
    source_id: int
    source_lot_code: str
    source_name: str
    quantity: Decimal
    unit: str
    supplier: str = ""
    supplier_lot_code: str = ""
    origin: str = ""
    certifications: str = ""
    expiry: dt.date | None = None
    consumption_id: int = 0


class TraceShipment(NamedTuple):
    shipment_id: int
    batch_id: int
    batch_lot_code: str
    product: str
    customer_id: int
    customer: str
    customer_contact: str
    quantity: Decimal
    unit: str
    shipped_date: dt.date
    document_type: str
    document_number: str


@dataclass(frozen=True)
class LotOrigin:
    """Where a received material lot came from: the end of every backward trace."""

    supplier: str
    supplier_lot_code: str
    origin: str
    certifications: str
    received_date: dt.date | None
    expiry: dt.date | None
    quantity: Decimal
    unit: str
    document_ref: str

    @property
    def text(self) -> str:
        """``Received 2026-03-02 from Sunrise Pepper Farm, their lot SPF-A1; origin Hatch``."""
        parts = [
            "Received"
            + (f" {self.received_date.isoformat()}" if self.received_date else "")
            + (f" from {self.supplier}" if self.supplier else " (no supplier recorded)")
            + (f", their lot {self.supplier_lot_code}" if self.supplier_lot_code else "")
        ]
        parts.append(f"origin {self.origin}" if self.origin else "origin not recorded")
        if self.certifications:
            parts.append(self.certifications)
        return "; ".join(parts)


@dataclass(frozen=True)
class TraceResult:
    root: LotRef
    direction: Literal["backward", "forward"]
    edges: tuple[TraceEdge, ...]
    shipments: tuple[TraceShipment, ...] = ()
    #: a received lot's backward trace: its supplier, supplier lot and origin
    origin: LotOrigin | None = None

    @cached_property
    def _children(self) -> dict[tuple[str, int], list[TraceEdge]]:
        """Edges grouped by the node they hang from, built on first use (not per query)."""
        kids: dict[tuple[str, int], list[TraceEdge]] = defaultdict(list)
        seen: set[int] = set()
        backward = self.direction == "backward"
        for e in self.edges:
            # a diamond (two paths to one batch) reaches the same edge twice: keep one
            if e.consumption_id in seen:
                continue
            seen.add(e.consumption_id)
            parent = ("batch", e.consumer_batch_id) if backward else (e.source_kind, e.source_id)
            kids[parent].append(e)
        return dict(kids)

    def children(self, kind: str, id_: int) -> list[TraceEdge]:
        """Edges one step away from a node (inputs when backward, users when forward)."""
        return self._children.get((kind, id_), [])

    def walk(self) -> Iterator[tuple[int, TraceEdge]]:
        """Depth-first (level, edge) pairs from the root, for trees and text output.

        A node reached a second time (a diamond in the genealogy) is listed again but
        not expanded again, so the walk stays linear in the number of edges.
        """
        backward = self.direction == "backward"
        expanded: set[tuple[str, int]] = {(self.root.kind, self.root.id)}
        stack: list[tuple[int, Iterator[TraceEdge]]] = [
            (1, iter(self.children(self.root.kind, self.root.id)))
        ]
        while stack:
            level, it = stack[-1]
            e = next(it, None)
            if e is None:
                stack.pop()
                continue
            yield level, e
            nxt = (e.source_kind, e.source_id) if backward else ("batch", e.consumer_batch_id)
            if nxt not in expanded:
                expanded.add(nxt)
                stack.append((level + 1, iter(self.children(*nxt))))

    @property
    def batch_ids(self) -> set[int]:
        """Batches reached: consumers when forward (with the root batch), inputs when backward."""
        if self.direction == "forward":
            ids = {e.consumer_batch_id for e in self.edges}
            if self.root.kind == "batch":
                ids.add(self.root.id)
            return ids
        return {e.source_id for e in self.edges if e.source_kind == "batch"}

    @property
    def material_lot_ids(self) -> set[int]:
        return {e.source_id for e in self.edges if e.source_kind == "material"}

    @property
    def customers(self) -> list[str]:
        return sorted({s.customer for s in self.shipments})


def find_lot(session: Source, lot_code: str, *, field: str = "lot") -> LotRef:
    """A batch or material lot by its code (our code, or failing that the supplier's)."""
    code = (lot_code or "").strip()
    if not code:
        raise NotFoundError(f"{field}: give a lot code", field=field)
    found = _fetch(session, _FIND_LOT, {"c": code})
    row = found[0] if found else None
    if row is None:
        rows = _fetch(session, _FIND_SUPPLIER_LOT, {"c": code})
        if len(rows) == 1:
            row = rows[0]
        elif len(rows) > 1:
            codes = ", ".join(r[2] for r in rows)
            raise NotFoundError(
                f"{field}: supplier lot {code!r} matches several of our lots ({codes}); "
                "give our lot code",
                field=field,
            )
    if row is None:
        raise NotFoundError(f"{field}: no batch or material lot has the code {code!r}", field=field)
    name = row[3]
    if row[0] == "batch":
        name = kept_names(session, [row[1]]).get(row[1], name)
    return LotRef(row[0], row[1], row[2], name)


_FIND_LOT = (
    "SELECT 'batch', b.id, b.lot_code, r.name FROM batches b "
    "JOIN recipe_versions v ON v.id = b.recipe_version_id JOIN recipes r ON r.id = v.recipe_id "
    "WHERE b.lot_code = :c "
    "UNION ALL SELECT 'material', l.id, l.lot_code, m.name FROM material_lots l "
    "JOIN materials m ON m.id = l.material_id WHERE l.lot_code = :c"
)
_FIND_SUPPLIER_LOT = (
    "SELECT 'material', l.id, l.lot_code, m.name FROM material_lots l "
    "JOIN materials m ON m.id = l.material_id WHERE l.supplier_lot_code = :c "
    "ORDER BY l.id"
)


# ------------------------------------------------------------ released records' own names

#: a released, rejected or recalled batch keeps what its record showed (a snapshot)
FROZEN = frozenset(("released", "rejected", "recalled"))
_KEPT_NAME = {
    "sqlite": "json_extract(s.data, '$.record.recipe_name')",
    "postgresql": "(s.data::json) #>> '{record,recipe_name}'",
}
_EDITED = "SELECT kind, ref_id FROM master_edits"


def edited(session: Source) -> dict[str, frozenset[int]]:
    """Master data changed since it was made (``models.MasterEdit``): kind (recipe,
    material, supplier, lot) -> ids.  Only a record that used one of these can keep
    other names than the live ones; in most workshops there are none or a few."""
    out: dict[str, set[int]] = {}
    for kind, ref_id in _fetch(session, _EDITED, {}):
        out.setdefault(kind, set()).add(ref_id)
    return {kind: frozenset(ids) for kind, ids in out.items()}


def _id_list(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def kept_names(session: Source, batch_ids: Iterable[int]) -> dict[int, str]:
    """The product (recipe) names that released records keep (``services.snapshots``)
    where they differ from the live ones: batch id -> name, for the batches among
    ``batch_ids`` that have a snapshot and whose recipe was renamed since it was made
    (``edited``); any other record keeps its recipe's live name.  Read in SQL (the
    JSON's one field), 500 ids a statement."""
    renamed = edited(session).get("recipe")
    ids = sorted(set(batch_ids))
    if not ids or not renamed:
        return {}
    expr = _KEPT_NAME.get(_dialect(session))
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        part = _id_list(ids[start : start + 500])
        stmt = (
            f"SELECT s.batch_id, {expr or 's.data'} FROM batch_snapshots s "
            "JOIN batches b ON b.id = s.batch_id "
            "JOIN recipe_versions v ON v.id = b.recipe_version_id "
            f"WHERE s.batch_id IN ({part}) AND v.recipe_id IN ({_id_list(renamed)})"
        )
        for bid, value in _fetch(session, stmt, {}):
            name = value if expr else _record_of(value).get("recipe_name")
            if name:
                out[bid] = name
    return out


def _record_of(data: object) -> dict[str, Any]:
    if isinstance(data, str):
        data = json.loads(data)
    record = data.get("record") if isinstance(data, dict) else None
    return record if isinstance(record, dict) else {}


def kept_inputs(session: Source, batch_ids: Iterable[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """The direct inputs that released records keep where they may differ from the live
    ones: batch id -> the input's lot code -> its line as recorded (name, supplier,
    supplier lot, origin, certifications), for the batches among ``batch_ids`` that used
    a lot, a material, a supplier or an intermediate's recipe changed since it was made
    (``edited``); any other record's input lines are the live ones."""
    changed = edited(session)
    ids = sorted(set(batch_ids))
    if not ids or not changed:
        return {}
    used = []  # a consumption that used changed master data, by its source
    if "lot" in changed:
        used.append(f"c.material_lot_id IN ({_id_list(changed['lot'])})")
    if "material" in changed:
        used.append(f"l.material_id IN ({_id_list(changed['material'])})")
    if "supplier" in changed:
        used.append(f"l.supplier_id IN ({_id_list(changed['supplier'])})")
    if "recipe" in changed:
        used.append(f"iv.recipe_id IN ({_id_list(changed['recipe'])})")
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for start in range(0, len(ids), 500):
        part = _id_list(ids[start : start + 500])
        stmt = (
            "SELECT s.batch_id, s.data FROM batch_snapshots s WHERE s.batch_id IN ("
            "SELECT c.batch_id FROM consumptions c "
            "LEFT JOIN material_lots l ON l.id = c.material_lot_id "
            "LEFT JOIN batches ib ON ib.id = c.input_batch_id "
            "LEFT JOIN recipe_versions iv ON iv.id = ib.recipe_version_id "
            f"WHERE c.batch_id IN ({part}) AND ({' OR '.join(used)}))"
        )
        for bid, data in _fetch(session, stmt, {}):
            lines = _record_of(data).get("inputs") or ()
            out[bid] = {ln["lot_code"]: ln for ln in lines if ln.get("level") == 1}
    return out


def _as_recorded(
    edges: Iterable[TraceEdge],
    names: Mapping[int, str],
    inputs: Mapping[int, Mapping[str, Mapping[str, Any]]],
) -> list[TraceEdge]:
    """``edges`` with the names their released consumers' records keep: the consumer's
    product, an intermediate's product, a material lot's name, supplier and origin."""
    out = []
    for e in edges:
        if (
            e.consumer_batch_id in names
            or e.consumer_batch_id in inputs
            or (e.source_kind == "batch" and e.source_id in names)
        ):
            change: dict[str, Any] = {}
            if e.consumer_batch_id in names:
                change["consumer_product"] = names[e.consumer_batch_id]
            line = inputs.get(e.consumer_batch_id, {}).get(e.source_lot_code)
            if e.source_kind == "batch" and e.source_id in names:
                change["source_name"] = names[e.source_id]
            elif line is not None:
                change.update(
                    source_name=line.get("name") or e.source_name,
                    supplier=line.get("supplier", e.supplier),
                    supplier_lot_code=line.get("supplier_lot_code", e.supplier_lot_code),
                    origin=line.get("origin", e.origin),
                    certifications=line.get("certifications", e.certifications),
                )
            e = e._replace(**change)
        out.append(e)
    return out


#: the columns of a ``TraceEdge``, in its order: Python only converts quantity and date
_SELECT_EDGE = """
SELECT t.depth, t.consumer_id, cb.lot_code, cr.name,
       CASE WHEN t.material_lot_id IS NOT NULL THEN 'material' ELSE 'batch' END,
       COALESCE(t.material_lot_id, t.input_batch_id),
       COALESCE(ml.lot_code, ib.lot_code), COALESCE(m.name, ir.name),
       t.quantity, t.unit, COALESCE(s.name, ''), COALESCE(ml.supplier_lot_code, ''),
       COALESCE(ml.origin, ''), COALESCE(ml.certifications, ''),
       CASE WHEN t.material_lot_id IS NOT NULL THEN ml.expiry_date ELSE ib.best_before END,
       t.cid
FROM t
JOIN batches cb ON cb.id = t.consumer_id
JOIN recipe_versions cv ON cv.id = cb.recipe_version_id
JOIN recipes cr ON cr.id = cv.recipe_id
LEFT JOIN material_lots ml ON ml.id = t.material_lot_id
LEFT JOIN materials m ON m.id = ml.material_id
LEFT JOIN suppliers s ON s.id = ml.supplier_id
LEFT JOIN batches ib ON ib.id = t.input_batch_id
LEFT JOIN recipe_versions iv ON iv.id = ib.recipe_version_id
LEFT JOIN recipes ir ON ir.id = iv.recipe_id
"""

_BACKWARD = f"""
WITH RECURSIVE t(consumer_id, material_lot_id, input_batch_id, quantity, unit, depth, cid) AS (
    SELECT c.batch_id, c.material_lot_id, c.input_batch_id, c.quantity, c.unit, 1, c.id
    FROM consumptions c WHERE c.batch_id = :root
    UNION ALL
    SELECT c.batch_id, c.material_lot_id, c.input_batch_id, c.quantity, c.unit, t.depth + 1, c.id
    FROM consumptions c JOIN t ON c.batch_id = t.input_batch_id
    WHERE t.depth < {MAX_DEPTH}
)
{_SELECT_EDGE}
ORDER BY t.depth, t.cid
"""

#: The forward trace's walk: one recursive CTE over the consumption indexes only (lot ->
#: consumer, input batch -> consumer, each with the quantity and unit: migration
#: 0006_search_index), evaluated once.  A row is an edge ``(consumer, input batch,
#: quantity, unit, depth, consumption)``; a consumption has exactly one source (the
#: ``one_source`` check), so the input batch is None only on an edge from the root lot.
_FORWARD_WALK = f"""WITH RECURSIVE t(consumer_id, input_batch_id, quantity, unit, depth, cid) AS (
    SELECT c.batch_id, CAST(NULL AS INTEGER), c.quantity, c.unit, 1, c.id
    FROM consumptions c WHERE c.material_lot_id = CAST(:lot AS INTEGER)
    UNION ALL
    SELECT c.batch_id, c.input_batch_id, c.quantity, c.unit, 1, c.id
    FROM consumptions c WHERE c.input_batch_id = CAST(:bat AS INTEGER)
    UNION ALL
    SELECT c.batch_id, c.input_batch_id, c.quantity, c.unit, t.depth + 1, c.id
    FROM consumptions c JOIN t ON c.input_batch_id = t.consumer_id
    WHERE t.depth < {MAX_DEPTH}
)
"""
#: a forward statement's row: the edge's columns, then (``_EDGE_WIDTH`` on) its consumer
#: batch's, then one shipment of that batch: a batch with several shipments repeats its
#: edge once per shipment, which ``_forward_walk`` folds back
_EDGE_COLUMNS = "t.depth, t.consumer_id, t.input_batch_id, t.quantity, t.unit, t.cid"
_SHIP_COLUMNS = (
    "sh.id, sh.customer_id, sh.document_type, sh.document_number, sh.shipped_date, "
    "sh.quantity, sh.unit"
)
_EDGE_WIDTH = 6
_FROZEN_SQL = ", ".join(f"'{status}'" for status in sorted(FROZEN))


def _from_reached(sqlite: bool) -> str:
    """The walk's edges joined to their consumer batches and the batches' shipments.

    On SQLite the walk is the outer loop (``CROSS JOIN`` keeps SQLite's join order), so
    its rows stream into the look-ups instead of being stored first; PostgreSQL has no
    such hint (nor needs it)."""
    return f"""
FROM t
{"CROSS JOIN" if sqlite else "JOIN"} batches b ON b.id = t.consumer_id
LEFT JOIN shipments sh ON sh.batch_id = t.consumer_id
"""


def _forward_statements(select: str) -> tuple[str, str]:
    """``select`` (the columns) after the walk, from the reached batches: the statement
    for SQLite, and the one for other databases."""
    return (
        f"{_FORWARD_WALK}{select}{_from_reached(True)}",
        f"{_FORWARD_WALK}{select}{_from_reached(False)}",
    )


#: The forward trace: the walk, then per edge its consumer batch (the row, by its id)
#: and the batch's shipments from their covering index (``ix_shipments_batch_trace``,
#: migration 0010_trace: no shipment row is read).  Only the batch columns a trace
#: shows: lot code, recipe version, whether it is released (a released record keeps its
#: own names) and best-before.  The join is per edge, not per distinct batch: a
#: genealogy reaches nearly every batch by one edge (137,396 batches for 151,906 edges
#: at 1,000,000 batches), and collecting the distinct ones first cost more than the
#: look-ups it saved.
_FORWARD, _FORWARD_OTHER = _forward_statements(
    f"""SELECT {_EDGE_COLUMNS},
       b.lot_code, b.recipe_version_id,
       CASE WHEN b.status IN ({_FROZEN_SQL}) THEN 1 ELSE 0 END,
       b.best_before,
       {_SHIP_COLUMNS}"""
)
#: the same for the recall, which prints more of each batch (status, date made, quantity)
_FORWARD_ROWS, _FORWARD_ROWS_OTHER = _forward_statements(
    f"""SELECT {_EDGE_COLUMNS},
       b.lot_code, b.recipe_version_id, b.status, b.made_date, b.best_before,
       COALESCE(b.actual_quantity, b.planned_quantity), b.unit,
       {_SHIP_COLUMNS}"""
)

#: a batch (the root of a forward trace from a batch) and its shipments
_BATCH_INFO = (
    "SELECT b.lot_code, b.recipe_version_id, b.status, b.made_date, b.best_before, "
    "COALESCE(b.actual_quantity, b.planned_quantity), b.unit FROM batches b WHERE b.id = :id"
)
_BATCH_SHIPMENTS = (
    "SELECT sh.batch_id, sh.id, sh.customer_id, sh.document_type, sh.document_number, "
    "sh.shipped_date, sh.quantity, sh.unit FROM shipments sh WHERE sh.batch_id = :id"
)
#: a material lot as the source of an edge
_LOT_SOURCE = (
    "SELECT l.lot_code, m.name, COALESCE(s.name, ''), COALESCE(l.supplier_lot_code, ''), "
    "COALESCE(l.origin, ''), COALESCE(l.certifications, ''), l.expiry_date FROM material_lots l "
    "JOIN materials m ON m.id = l.material_id LEFT JOIN suppliers s ON s.id = l.supplier_id "
    "WHERE l.id = :id"
)
_CUSTOMERS = "SELECT id, name, contact FROM customers"


_MISSING: Any = object()


#: memo tables shared by every trace: a workshop's quantities (scaled integers) and dates
#: repeat across batches and across traces; the values are immutable, so sharing is safe
_DATES: dict[object, dt.date | None] = {None: None}
_QTY: dict[int, Decimal] = {}
#: past this many distinct values a table starts again (bounded memory)
_MEMO_MAX = 100_000


class _Conv:
    """Converters over the shared memo tables: dates and quantities repeat a lot."""

    __slots__ = ("dates", "qty")

    def __init__(self) -> None:
        if len(_QTY) > _MEMO_MAX:
            _QTY.clear()
        if len(_DATES) > _MEMO_MAX:
            _DATES.clear()
            _DATES[None] = None
        self.dates = _DATES
        self.qty = _QTY

    def date(self, value: object) -> dt.date | None:
        d = self.dates.get(value, _MISSING)
        if d is _MISSING:
            d = db_date(value)
            self.dates[value] = d
        return d

    def quantity(self, raw: int) -> Decimal:
        q = self.qty.get(raw)
        if q is None:
            q = self.qty[raw] = from_fixed(raw)
        return q

    def edge(self, r: Sequence[Any]) -> TraceEdge:
        """A row of ``_SELECT_EDGE`` (already in the edge's order) as an edge."""
        v = list(r)
        q = self.qty.get(v[8])  # the memo lookups inlined: this runs once per edge
        v[8] = q if q is not None else self.quantity(v[8])
        d = self.dates.get(v[14], _MISSING)
        v[14] = d if d is not _MISSING else self.date(v[14])
        return _new_edge(TraceEdge, v)


#: every field given: skip NamedTuple's argument parsing (tens of thousands per trace)
_new_edge: Any = tuple.__new__
_SHIP_ORDER = itemgetter(9, 0)  # shipped_date, shipment_id


#: the dialects whose trace statements run on the DBAPI connection (a test empties it)
_RAW_DIALECTS = {"sqlite"}


def _is_reader(source: object) -> bool:
    return callable(source) and hasattr(source, "dialect")


def _dialect(source: Source) -> str:
    if _is_reader(source):
        return str(source.dialect)  # type: ignore[union-attr]
    return str(source.get_bind().dialect.name)  # type: ignore[union-attr]


def _fetch(session: Source, stmt: Any, params: Mapping[str, object]) -> list[tuple]:
    """Run a trace statement (SQL text, or a SQLAlchemy ``text()``). A ``fast_reads``
    reader runs it as it is.  On SQLite the session's own DBAPI connection runs the SQL
    text directly (sqlite3 takes ``:name`` parameters), skipping SQLAlchemy's result
    wrapping, which would otherwise cost as much as the query itself on a large trace."""
    sql = str(getattr(stmt, "text", stmt))
    if _is_reader(session):
        return [tuple(r) for r in session(sql, dict(params))]  # type: ignore[operator]
    conn = session.connection()  # type: ignore[union-attr]
    if conn.dialect.name in _RAW_DIALECTS:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cur = dbapi.cursor()
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.close()
    from sqlalchemy import text

    return [tuple(r) for r in conn.execute(text(sql), params)]


def trace_backward(session: Source, lot: str | LotRef) -> TraceResult:
    """Every input of a batch, to any depth; a material lot's backward trace is itself."""
    ref = lot if isinstance(lot, LotRef) else find_lot(session, lot)
    if ref.kind == "material":
        return TraceResult(ref, "backward", (), origin=lot_origin(session, ref.id))
    conv = _Conv()
    edges = list(map(conv.edge, _fetch(session, _BACKWARD, {"root": ref.id})))
    # a released batch's inputs as its record keeps them (a backward trace is small)
    batch_ids = {e.consumer_batch_id for e in edges} | {
        e.source_id for e in edges if e.source_kind == "batch"
    }
    names = kept_names(session, batch_ids)
    inputs = kept_inputs(session, {e.consumer_batch_id for e in edges})
    if names or inputs:
        edges = _as_recorded(edges, names, inputs)
    return TraceResult(ref, "backward", tuple(edges))


_LOT_ORIGIN = (
    "SELECT COALESCE(s.name, ''), l.supplier_lot_code, l.origin, l.certifications, "
    "l.received_date, l.expiry_date, l.quantity_received, l.unit, l.document_ref "
    "FROM material_lots l LEFT JOIN suppliers s ON s.id = l.supplier_id WHERE l.id = :id"
)


def lot_origin(session: Source, lot_id: int) -> LotOrigin:
    """A received lot's supplier, the supplier's lot code, origin and receipt."""
    rows = _fetch(session, _LOT_ORIGIN, {"id": lot_id})
    if not rows:
        raise NotFoundError(f"lot: no material lot with id {lot_id}", field="lot")
    row = rows[0]
    return LotOrigin(
        row[0],
        row[1] or "",
        row[2] or "",
        row[3] or "",
        db_date(row[4]),
        db_date(row[5]),
        from_fixed(row[6]),
        row[7],
        row[8] or "",
    )


def trace_forward(session: Source, lot: str | LotRef) -> TraceResult:
    """Every batch that used the lot, to any depth, and every shipment of those batches."""
    ref = lot if isinstance(lot, LotRef) else find_lot(session, lot)
    conv = _Conv()
    quantity, date = conv.quantity, conv.date
    # a busy lot's trace is tens of thousands of rows and edges, all kept: the cycle
    # collector's heap walks while they are made would find nothing (a third of the time)
    with collector_paused():
        walk = _forward_walk(session, ref, (_FORWARD, _FORWARD_OTHER), 4)
        # lot code, recipe version, released (1 or 0), best before
        products = _products(session, walk, [bid for bid, r in walk.batches.items() if r[2]])
        batches = {
            bid: (r[0], products[bid], r[3]) for bid, r in walk.batches.items()
        }  # lot code, product, best before
        if ref.kind == "material":
            lot_row = _fetch(session, _LOT_SOURCE, {"id": ref.id})[0]
            root = ("material", ref.id, *lot_row[:6])
            root_expiry = date(lot_row[6])
        else:
            root = ("batch", ref.id, ref.lot_code, ref.name, "", "", "", "")
            root_expiry = date(walk.root[4]) if walk.root else None
        edges = []
        for depth, consumer, src, qty, unit, cid in walk.edges:
            c = batches[consumer]
            if depth == 1:  # from the root
                kind, sid, code, name, sup, sup_lot, origin, certs = root
                expiry = root_expiry
            else:
                kind, sid, sup, sup_lot, origin, certs = "batch", src, "", "", "", ""
                code, name, bb = batches[src]
                expiry = date(bb)
            edges.append(_new_edge(TraceEdge, (
                depth, consumer, c[0], c[1], kind, sid, code, name, quantity(qty), unit,
                sup, sup_lot, origin, certs, expiry, cid,
            )))  # fmt: skip
        edges.sort(key=_EDGE_SORT)
        if ref.kind == "material":
            # the lot's name, supplier and origin as the released records using it keep them
            direct = {e[1] for e in edges if e[0] == 1}
            inputs = kept_inputs(session, direct)
            if inputs:
                edges = _as_recorded(edges, {}, inputs)
        customers = (
            {r[0]: (r[1], r[2] or "") for r in _fetch(session, _CUSTOMERS, {})}
            if walk.shipments
            else {}
        )
        ships = []
        for bid, sid, cust, doc_type, doc_no, day, qty, unit in walk.shipments:
            code, product = (ref.lot_code, ref.name) if bid not in batches else batches[bid][:2]
            name, contact = customers[cust]
            ships.append(_new_edge(TraceShipment, (
                sid, bid, code, product, cust, name, contact, quantity(qty), unit,
                date(day) or dt.date.min, doc_type, doc_no,
            )))  # fmt: skip
        ships.sort(key=_SHIP_ORDER)
        return TraceResult(ref, "forward", tuple(edges), tuple(ships))


#: forward edges in the order a person reads them: by depth, then by the consumer's lot
#: code, then in the order the consumptions were recorded
_EDGE_SORT = itemgetter(0, 2, 15)


class _Walk(NamedTuple):
    """A forward statement's rows, folded: ``edges`` ``(depth, consumer, input_batch_id,
    quantity, unit, consumption_id)`` as the recursion gave them (an edge reached twice
    through a diamond is there twice; the input batch is None on an edge from the root
    lot), ``batches`` id -> the statement's batch columns for every batch reached,
    ``shipments`` ``(batch_id, shipment_id, customer_id, document_type,
    document_number, shipped_date, quantity, unit)`` once each (with the root batch's
    own), ``root`` the root batch's ``_BATCH_INFO`` row when the trace starts from a
    batch.  Raw values: dates may be ISO text and quantities scaled integers."""

    edges: list[tuple]
    batches: dict[int, tuple]
    shipments: list[tuple]
    root: tuple | None


def _forward_walk(session: Source, ref: LotRef, stmts: tuple[str, str], batch_width: int) -> _Walk:
    """Run ``_FORWARD`` or ``_FORWARD_ROWS`` (``batch_width`` batch columns) from ``ref``,
    the SQLite statement or the other one (``_forward_statements``)."""
    params = {
        "lot": ref.id if ref.kind == "material" else None,
        "bat": ref.id if ref.kind == "batch" else None,
    }
    rows = _fetch(session, stmts[0] if _dialect(session) == "sqlite" else stmts[1], params)
    at = _EDGE_WIDTH + batch_width  # the shipment's columns
    # a batch's edge comes once per shipment of the batch: keep the row that carries
    # its first shipment (or the only row, for a batch not shipped)
    first_ship: dict[int, int] = {}
    shipments: dict[int, tuple] = {}
    for r in rows:
        sid = r[at]
        if sid is not None:
            if sid not in shipments:
                shipments[sid] = (r[1], *r[at:])
            if sid < first_ship.get(r[1], sid + 1):
                first_ship[r[1]] = sid
    edges = [r[:_EDGE_WIDTH] for r in rows if r[at] is None or r[at] == first_ship[r[1]]]
    batches = {r[1]: r[_EDGE_WIDTH:at] for r in rows}
    root = None
    if ref.kind == "batch":
        found = _fetch(session, _BATCH_INFO, {"id": ref.id})
        root = found[0] if found else None
        for r in _fetch(session, _BATCH_SHIPMENTS, {"id": ref.id}):
            shipments.setdefault(r[1], r)
    return _Walk(edges, batches, list(shipments.values()), root)


_PRODUCTS = "SELECT v.id, r.name FROM recipe_versions v JOIN recipes r ON r.id = v.recipe_id"
_EDGE_ORDER = itemgetter(0, 4)  # depth, consumption id


class ForwardRows(NamedTuple):
    """A forward trace as the database returns it, for reports that read it in bulk.

    ``edges``: ``(depth, consumer_batch_id, material_lot_id, input_batch_id,
    consumption_id)`` per edge (one of the two source ids is None), by depth, then in
    the order the consumptions were recorded; ``batches``: batch id -> ``(lot_code,
    product, status, made_date, best_before, quantity, unit)`` for every batch
    reached; ``shipments``: ``(batch_id, shipment_id, customer_id, document_type,
    document_number, shipped_date, quantity, unit)``.  Raw values: a date may be ISO
    text and a quantity its scaled integer.
    """

    edges: list[tuple]
    batches: dict[int, tuple]
    shipments: list[tuple]


def forward_rows(session: Source, ref: LotRef) -> ForwardRows:
    """The forward trace of ``ref`` in one recursive statement, as ``trace_forward`` walks
    it, but only the columns a recall prints: no TraceEdge per row, no supplier, origin,
    quantity-used or input-lot columns, the shipments' customers left to the caller."""
    walk = _forward_walk(session, ref, (_FORWARD_ROWS, _FORWARD_ROWS_OTHER), 7)
    lot = ref.id if ref.kind == "material" else None  # the source of an edge without one
    edges = [(e[0], e[1], lot if e[2] is None else None, e[2], e[5]) for e in walk.edges]
    edges.sort(key=_EDGE_ORDER)
    # lot code, recipe version, status, made, best before, quantity, unit
    frozen = [bid for bid, r in walk.batches.items() if r[2] in FROZEN]
    products = _products(session, walk, frozen)
    batches = {
        bid: (r[0], products[bid], r[2], r[3], r[4], r[5], r[6]) for bid, r in walk.batches.items()
    }
    return ForwardRows(edges, batches, walk.shipments)


def _products(session: Source, walk: _Walk, frozen: Iterable[int]) -> dict[int, str]:
    """Batch id -> product name for every batch the walk reached (its recipe version is
    its second column): the recipe's name, or for the ``frozen`` ones (released,
    rejected, recalled) the one their records keep."""
    if not walk.batches:
        return {}
    by_version = dict(_fetch(session, _PRODUCTS, {}))
    out = {bid: by_version.get(r[1], "") for bid, r in walk.batches.items()}
    out.update(kept_names(session, frozen))
    return out
