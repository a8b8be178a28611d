"""Trace: backward from a batch to every input lot, forward from any lot to every batch
and shipment, to any depth, through intermediates.

Each direction is one recursive SQL statement (``WITH RECURSIVE``), never a loop of
queries: the consumption table's two covering indexes make every step an index walk.
The recursion is capped at ``MAX_DEPTH`` levels so a bad edge can never spin forever.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.errors import NotFoundError
from smallbatch_desktop.domain.models.base import from_fixed

MAX_DEPTH = 64

Kind = Literal["material", "batch"]


@dataclass(frozen=True)
class LotRef:
    """A lot by code: a received material lot or a batch we made."""

    kind: Kind
    id: int
    lot_code: str
    name: str  # material name, or product (recipe) name


@dataclass(frozen=True)
class TraceEdge:
    """``consumer`` batch used ``quantity`` ``unit`` of ``source`` lot, ``depth`` steps away."""

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


@dataclass(frozen=True)
class TraceShipment:
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
class TraceResult:
    root: LotRef
    direction: Literal["backward", "forward"]
    edges: tuple[TraceEdge, ...]
    shipments: tuple[TraceShipment, ...] = ()
    _children: dict[tuple[str, int], list[TraceEdge]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        kids: dict[tuple[str, int], list[TraceEdge]] = defaultdict(list)
        seen: set[int] = set()
        for e in self.edges:
            # a diamond (two paths to one batch) reaches the same edge twice: keep one
            if e.consumption_id in seen:
                continue
            seen.add(e.consumption_id)
            if self.direction == "backward":
                parent = ("batch", e.consumer_batch_id)
            else:
                parent = (e.source_kind, e.source_id)
            kids[parent].append(e)
        object.__setattr__(self, "_children", dict(kids))

    def children(self, kind: str, id_: int) -> list[TraceEdge]:
        """Edges one step away from a node (inputs when backward, users when forward)."""
        return self._children.get((kind, id_), [])

    def walk(self) -> Iterator[tuple[int, TraceEdge]]:
        """Depth-first (level, edge) pairs from the root, for trees and text output."""

        def rec(
            kind: str, id_: int, level: int, path: frozenset[tuple[str, int]]
        ) -> Iterator[tuple[int, TraceEdge]]:
            for e in self.children(kind, id_):
                nxt: tuple[str, int] = (
                    (e.source_kind, e.source_id)
                    if self.direction == "backward"
                    else ("batch", e.consumer_batch_id)
                )
                yield level, e
                if nxt not in path:
                    yield from rec(nxt[0], nxt[1], level + 1, path | {nxt})

        yield from rec(self.root.kind, self.root.id, 1, frozenset({(self.root.kind, self.root.id)}))

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


def find_lot(session: Session, lot_code: str, *, field: str = "lot") -> LotRef:
    """A batch or material lot by its code (our code, or failing that the supplier's)."""
    code = (lot_code or "").strip()
    if not code:
        raise NotFoundError(f"{field}: give a lot code", field=field)
    row = session.execute(
        text(
            "SELECT 'batch', b.id, b.lot_code, r.name FROM batches b "
            "JOIN recipe_versions v ON v.id = b.recipe_version_id JOIN recipes r ON r.id = v.recipe_id "
            "WHERE b.lot_code = :c "
            "UNION ALL SELECT 'material', l.id, l.lot_code, m.name FROM material_lots l "
            "JOIN materials m ON m.id = l.material_id WHERE l.lot_code = :c"
        ),
        {"c": code},
    ).first()
    if row is None:
        rows = session.execute(
            text(
                "SELECT 'material', l.id, l.lot_code, m.name FROM material_lots l "
                "JOIN materials m ON m.id = l.material_id WHERE l.supplier_lot_code = :c "
                "ORDER BY l.id"
            ),
            {"c": code},
        ).all()
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
    return LotRef(row[0], row[1], row[2], row[3])


_SELECT_EDGE = """
SELECT t.depth, t.consumer_id, cb.lot_code, cr.name,
       t.material_lot_id, t.input_batch_id, t.quantity, t.unit,
       ml.lot_code, m.name, COALESCE(s.name, ''), ml.supplier_lot_code, ml.origin,
       ml.certifications, ml.expiry_date,
       ib.lot_code, ir.name, ib.best_before, t.cid
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

_BACKWARD = text(
    f"""
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
)

_FORWARD_CTE = f"""
WITH RECURSIVE t(consumer_id, material_lot_id, input_batch_id, quantity, unit, depth, cid) AS (
    SELECT c.batch_id, c.material_lot_id, c.input_batch_id, c.quantity, c.unit, 1, c.id
    FROM consumptions c
    WHERE c.material_lot_id = CAST(:lot AS INTEGER) OR c.input_batch_id = CAST(:bat AS INTEGER)
    UNION ALL
    SELECT c.batch_id, c.material_lot_id, c.input_batch_id, c.quantity, c.unit, t.depth + 1, c.id
    FROM consumptions c JOIN t ON c.input_batch_id = t.consumer_id
    WHERE t.depth < {MAX_DEPTH}
)
"""

_FORWARD = text(
    f"""{_FORWARD_CTE}
SELECT 0 AS kind, e.* FROM ({_SELECT_EDGE}) e
UNION ALL
SELECT 1, sh.id, sh.batch_id, b.lot_code, r.name, cu.id, cu.name,
       sh.quantity, sh.unit, sh.shipped_date, sh.document_type, sh.document_number,
       cu.contact, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM shipments sh
JOIN batches b ON b.id = sh.batch_id
JOIN recipe_versions v ON v.id = b.recipe_version_id
JOIN recipes r ON r.id = v.recipe_id
JOIN customers cu ON cu.id = sh.customer_id
WHERE sh.batch_id IN (SELECT consumer_id FROM t) OR sh.batch_id = CAST(:bat AS INTEGER)
"""
)


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value  # type: ignore[return-value]
    return dt.date.fromisoformat(str(value)[:10])


def _edge(r: tuple) -> TraceEdge:  # type: ignore[type-arg]
    if r[4] is not None:
        return TraceEdge(
            r[0],
            r[1],
            r[2],
            r[3],
            "material",
            r[4],
            r[8],
            r[9],
            from_fixed(r[6]),
            r[7],
            r[10],
            r[11] or "",
            r[12] or "",
            r[13] or "",
            _date(r[14]),
            r[18],
        )
    return TraceEdge(
        r[0],
        r[1],
        r[2],
        r[3],
        "batch",
        r[5],
        r[15],
        r[16],
        from_fixed(r[6]),
        r[7],
        expiry=_date(r[17]),
        consumption_id=r[18],
    )


def trace_backward(session: Session, lot: str | LotRef) -> TraceResult:
    """Every input of a batch, to any depth; a material lot's backward trace is itself."""
    ref = lot if isinstance(lot, LotRef) else find_lot(session, lot)
    if ref.kind == "material":
        return TraceResult(ref, "backward", ())
    rows = session.execute(_BACKWARD, {"root": ref.id}).all()
    return TraceResult(ref, "backward", tuple(_edge(r) for r in rows))


def trace_forward(session: Session, lot: str | LotRef) -> TraceResult:
    """Every batch that used the lot, to any depth, and every shipment of those batches."""
    ref = lot if isinstance(lot, LotRef) else find_lot(session, lot)
    params = {
        "lot": ref.id if ref.kind == "material" else None,
        "bat": ref.id if ref.kind == "batch" else None,
    }
    edges: list[TraceEdge] = []
    ships: list[TraceShipment] = []
    for r in session.execute(_FORWARD, params).all():
        if r[0] == 0:
            edges.append(_edge(tuple(r[1:])))
        else:
            ships.append(
                TraceShipment(
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[12] or "",
                    from_fixed(r[7]),
                    r[8],
                    _date(r[9]) or dt.date.min,
                    r[10],
                    r[11],
                )
            )
    edges.sort(key=lambda e: (e.depth, e.consumer_lot_code))
    ships.sort(key=lambda s: (s.shipped_date, s.shipment_id))
    return TraceResult(ref, "forward", tuple(edges), tuple(ships))
