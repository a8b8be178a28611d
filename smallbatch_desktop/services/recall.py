"""The recall report: from one lot, every affected batch, shipment and customer.

A recall of a busy raw material reaches a large part of a workshop's history (the most
used lot of a million-batch database: 137,000 batches and 117,000 shipments).  What a
coordinator needs first is small at any size: who to call (the customers, each with
contact details, orders, quantities and dates) and what is affected (counts per
product and status, shipped or still here, the dates).  So:

- ``services.trace.forward_rows`` walks the genealogy once (one recursive statement);
  here the walk gives the set of affected batches, the path from the lot to each, and
  the report's order (nearest the lot first, then by date made and lot code);
- the summary and the customers are SQL aggregates over that set (``GROUP BY`` on the
  batches and shipments it names, passed as one JSON array parameter), never a Python
  object per batch;
- the rows the PDF lists (``LISTED`` of each) and any page the recall dialog shows are
  read by id from SQL (``batch_page``, ``shipment_page``);
- the CSV carries every batch and shipment, written a column at a time from the
  walk's own rows (``write_recall_csv``).

All of it is a :class:`~smallbatch_desktop.domain.records.RecallReport` (plain data);
its ``scope`` (:class:`RecallScope`) holds the ids in report order and the paths.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import deque
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from smallbatch_desktop.domain.csvsafe import cell, escape_column, escape_text, write_columns
from smallbatch_desktop.domain.models import Batch, MaterialLot, Supplier, utcnow
from smallbatch_desktop.domain.models.base import from_fixed
from smallbatch_desktop.domain.records import (
    ARROW,
    Memo,
    RecallBatch,
    RecallCustomer,
    RecallLot,
    RecallProductLine,
    RecallReport,
    RecallShipment,
    RecallSummary,
    add_amounts,
    collector_paused,
)
from smallbatch_desktop.services.fast_reads import db_date
from smallbatch_desktop.services.reports import input_lines, producer, status_label
from smallbatch_desktop.services.trace import LotRef, find_lot, forward_rows, trace_backward

#: rows of each list (affected batches, shipments) the PDF prints; the rest are counted
#: there and listed in full in the CSV
LISTED = 300

#: ids per ``IN (...)`` list of a page read
_CHUNK = 900

#: a released, rejected or recalled batch shows the product name its record keeps
_FROZEN = "('released', 'rejected', 'recalled')"
_KEPT = {
    "sqlite": "json_extract(bs.data, '$.record.recipe_name')",
    "postgresql": "(CAST(bs.data AS json) #>> '{record,recipe_name}')",
}
#: the affected batches, as a table: ``:ids`` is a JSON array of batch ids
_ID_TABLE = {
    "sqlite": "(SELECT CAST(value AS INTEGER) AS id FROM json_each(:ids))",
    "postgresql": "(SELECT CAST(value AS BIGINT) AS id FROM json_array_elements_text(CAST(:ids AS json)))",
}


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in _ID_TABLE:
        raise NotImplementedError(f"recall reports need SQLite or PostgreSQL, not {name}")
    return name


def _product(session: Session) -> tuple[str, str]:
    """(product expression, the join it needs) for a query over ``batches b`` joined
    to ``recipes r``: the name a released record keeps, else the recipe's (the same
    unless the recipe was renamed since: ``models.MasterEdit``)."""
    kept = _KEPT[_dialect(session)]
    return (
        f"COALESCE({kept}, r.name)",
        "JOIN recipe_versions v ON v.id = b.recipe_version_id "
        "JOIN recipes r ON r.id = v.recipe_id "
        f"LEFT JOIN batch_snapshots bs ON bs.batch_id = b.id AND b.status IN {_FROZEN} "
        # only a renamed recipe's records can keep another name (trace.kept_names)
        "AND v.recipe_id IN (SELECT ref_id FROM master_edits WHERE kind = 'recipe')",
    )


# --------------------------------------------------------------------------- scope


class RecallScope:
    """Every batch and shipment a recall reaches, in the report's order.

    ``batch_ids``: nearest the lot first, then by date made and lot code;
    ``paths``: batch id -> the lot codes from the recalled lot to it;
    ``shipment_ids``: by date shipped, then id.  ``rows`` keeps the trace's own rows
    for the CSV (``write_recall_csv``) until :meth:`drop_rows`; pages are read from the
    database by id (``batch_page``, ``shipment_page``).
    """

    __slots__ = ("batch_ids", "paths", "root_code", "rows", "shipment_ids")

    def __init__(
        self,
        root_code: str,
        batch_ids: list[int],
        paths: dict[int, tuple[str, ...]],
        shipment_ids: list[int],
        rows: _Rows | None = None,
    ) -> None:
        self.root_code = root_code
        self.batch_ids = batch_ids
        self.paths = paths
        self.shipment_ids = shipment_ids
        self.rows = rows

    def drop_rows(self) -> None:
        """Forget the trace's rows (the CSV is written): pages still read by id."""
        self.rows = None


class _Rows:
    """The forward trace's raw rows: ``batches`` id -> (lot code, product, status, made,
    best before, quantity, unit); ``shipments`` id -> (batch id, shipment id, customer
    id, document type, document number, date, quantity, unit); ``customers`` id ->
    (name, contact, email, phone, address); ``orders`` shipment id -> order number."""

    __slots__ = ("batches", "customers", "orders", "shipments")

    def __init__(
        self,
        batches: Mapping[int, Sequence[Any]],
        shipments: Mapping[int, Sequence[Any]],
        customers: Mapping[int, Sequence[str]],
        orders: Mapping[int, str],
    ) -> None:
        self.batches = batches
        self.shipments = shipments
        self.customers = customers
        self.orders = orders


# --------------------------------------------------------------------------- the report


def recall_report(
    session: Session,
    lot_code: str | LotRef,
    *,
    now: dt.datetime | None = None,
    listed: int = LISTED,
) -> RecallReport:
    """Everything that contains ``lot_code`` (our lot code, or a supplier's lot code that
    names one of our lots), where it went, and who to call; the PDF lists ``listed``
    rows of each list, the summary and the CSV cover everything."""
    ref = lot_code if isinstance(lot_code, LotRef) else find_lot(session, lot_code)
    with collector_paused():  # a busy lot's walk is 100,000s of rows: see domain.records
        return _recall_report(session, ref, now, listed)


def _recall_report(
    session: Session, ref: LotRef, now: dt.datetime | None, listed: int
) -> RecallReport:
    edges, rows, ship_rows = forward_rows(session, ref)
    # rows: batch id -> (lot code, product, status, made, best before, quantity, unit)
    kids: dict[tuple[bool, int], list[tuple[int, str]]] = {}
    for _, bid, lot_id, input_id, _ in edges:
        parent = (True, lot_id) if lot_id is not None else (False, input_id)
        kids.setdefault(parent, []).append((bid, rows[bid][0]))
    if ref.kind == "batch":
        root = tuple(session.execute(_ROOT_ROW, {"id": ref.id}).one())
        rows[ref.id] = (root[0], ref.name, *root[1:])  # ref.name: as its record keeps it
    paths = _paths(ref, kids)

    # nearest the lot first, then by date made (none first), then lot code: tuples
    # compared in C (a made date is text or a date, by database, never both)
    keys = [
        (len(p), r[3] is not None, "" if r[3] is None else r[3], r[0], bid)
        for bid, p, r in zip(paths, paths.values(), map(rows.__getitem__, paths), strict=True)
    ]
    keys.sort()
    ships = {r[1]: r for r in ship_rows}
    ship_keys = sorted((r[5], r[1]) for r in ship_rows)
    scope = RecallScope(ref.lot_code, [k[-1] for k in keys], paths, [k[1] for k in ship_keys])
    ids = _ids_param(sorted(scope.batch_ids))  # ascending: the look-ups walk the index in order

    customers = _customers(session, scope, ids)
    name, address = producer(session)
    scope.rows = _Rows(
        rows,
        ships,
        {c.customer_id: (c.name, c.contact, c.email, c.phone, c.address) for c in customers},
        _shipment_orders(session) if ships else {},
    )
    summary = _summary(session, scope, customers, ids)
    return RecallReport(
        lot=_recall_lot(session, ref),
        batches=tuple(batch_page(session, scope, 0, listed)),
        shipments=tuple(shipment_page(session, scope, 0, listed)),
        customers=customers,
        upstream=input_lines(session, trace_backward(session, ref)) if ref.kind == "batch" else (),
        producer_name=name,
        producer_address=address,
        generated_at=now or utcnow(),
        summary=summary,
        scope=scope,
    )


#: The recalled batch's own row (a batch recall), as ``forward_rows`` gives the others.
_ROOT_ROW = text(
    "SELECT b.lot_code, b.status, b.made_date, b.best_before,"
    " COALESCE(b.actual_quantity, b.planned_quantity), b.unit FROM batches b WHERE b.id = :id"
)


def _paths(
    root: LotRef, kids: dict[tuple[bool, int], list[tuple[int, str]]]
) -> dict[int, tuple[str, ...]]:
    """Batch id -> the shortest chain of lot codes from the recalled lot to it.

    ``kids``: (is a material lot, id) -> the (batch id, lot code) of the batches that
    used it, in the trace's order.  Breadth first, so where a batch is reached along
    several routes (a diamond through two intermediates) the shortest, then the first
    recorded, is shown.  The recalled batch itself (for a batch recall) has the
    one-element path.
    """
    paths: dict[int, tuple[str, ...]] = {}
    if root.kind == "batch":
        paths[root.id] = (root.lot_code,)
    queue: deque[tuple[tuple[bool, int], tuple[str, ...]]] = deque(
        [((root.kind == "material", root.id), (root.lot_code,))]
    )
    while queue:
        node, path = queue.popleft()
        for bid, code in kids.get(node, ()):
            if bid not in paths:
                paths[bid] = p = (*path, code)
                queue.append(((False, bid), p))
    return paths


def _quantity(value: int | None) -> Decimal | None:
    return None if value is None else from_fixed(value)


def _ids_param(ids: Sequence[int]) -> str:
    """The ids as a JSON array (``_ID_TABLE``'s parameter)."""
    return "[" + ",".join(map(str, ids)) + "]"


# --------------------------------------------------------------------------- summary


def _summary(
    session: Session, scope: RecallScope, customers: tuple[RecallCustomer, ...], ids: str
) -> RecallSummary:
    """The whole recall counted in SQL: per product and status, shipped or not; the
    shipments' totals come from the customers' (``_customers``)."""
    if not scope.batch_ids:
        return RecallSummary(0, 0, 0)
    table = _ID_TABLE[_dialect(session)]
    product, joins = _product(session)
    stmt = text(
        "SELECT product, status, unit, COUNT(*), SUM(made),"
        " SUM(CASE WHEN q IS NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN q IS NOT NULL AND q < made THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN q IS NOT NULL AND q >= made THEN 1 ELSE 0 END),"
        " SUM(COALESCE(q, 0)), MIN(made_date), MAX(made_date) FROM ("
        f" SELECT {product} AS product, b.status AS status, b.unit AS unit,"
        " COALESCE(b.actual_quantity, b.planned_quantity) AS made, b.made_date AS made_date,"
        " (SELECT SUM(s.quantity) FROM shipments s WHERE s.batch_id = b.id) AS q"
        f" FROM {table} i JOIN batches b ON b.id = i.id {joins}"
        ") affected GROUP BY product, status, unit"
    )
    groups: dict[tuple[str, str], list[Any]] = {}
    for name, status, unit, n, made_q, none, part, full, shipped, first, last in session.execute(
        stmt, {"ids": ids}
    ):
        g = groups.setdefault((name, status_label(status)), [0, 0, 0, 0, [], [], [], []])
        g[0] += n
        g[1] += none
        g[2] += part
        g[3] += full
        g[4].append((from_fixed(made_q or 0), unit))
        if shipped:
            g[5].append((from_fixed(shipped), unit))
        g[6].append(db_date(first))
        g[7].append(db_date(last))
    lines = tuple(
        RecallProductLine(
            product=name,
            status=status,
            batches=g[0],
            not_shipped=g[1],
            partly_shipped=g[2],
            fully_shipped=g[3],
            made=add_amounts(g[4]),
            shipped=add_amounts(g[5]),
            first_made=min((d for d in g[6] if d), default=None),
            last_made=max((d for d in g[7] if d), default=None),
        )
        for (name, status), g in sorted(groups.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    depths: dict[int, int] = {}
    for path in scope.paths.values():
        depths[len(path) - 1] = depths.get(len(path) - 1, 0) + 1
    return RecallSummary(
        batches=len(scope.batch_ids),
        shipments=sum(c.shipments for c in customers),
        customers=len(customers),
        lines=lines,
        by_depth=tuple(sorted(depths.items())),
        first_shipped=min((c.first_shipped for c in customers if c.first_shipped), default=None),
        last_shipped=max((c.last_shipped for c in customers if c.last_shipped), default=None),
        shipped=add_amounts(*(c.quantities for c in customers)),
    )


def _customers(session: Session, scope: RecallScope, ids: str) -> tuple[RecallCustomer, ...]:
    """Who to contact, from SQL aggregates over the affected batches' shipments: most
    recent shipment first (their stock is the likeliest still on shelves), then the
    most shipped to them, then by name."""
    if not scope.shipment_ids:
        return ()
    table = _ID_TABLE[_dialect(session)]
    params = {"ids": ids}
    per: dict[int, list[Any]] = {}
    for cid, unit, n, total, first, last in session.execute(
        text(
            "SELECT s.customer_id, s.unit, COUNT(*), SUM(s.quantity), MIN(s.shipped_date),"
            f" MAX(s.shipped_date) FROM {table} i JOIN shipments s ON s.batch_id = i.id"
            " GROUP BY s.customer_id, s.unit"
        ),
        params,
    ):
        g = per.setdefault(cid, [0, [], [], [], set()])
        g[0] += n
        g[1].append((from_fixed(total), unit))
        g[2].append(db_date(first))
        g[3].append(db_date(last))
    # from the orders' side: a workshop's orders are thousands, its shipments millions
    for cid, number in session.execute(
        text(
            "SELECT DISTINCT s.customer_id, o.number FROM order_shipments os"
            " JOIN shipments s ON s.id = os.shipment_id"
            " JOIN sales_order_lines l ON l.id = os.line_id"
            " JOIN sales_orders o ON o.id = l.order_id"
            f" WHERE s.batch_id IN (SELECT id FROM {table} i)"
        ),
        params,
    ):
        per[cid][4].add(number)
    out = []
    found = sorted(per)
    for start in range(0, len(found), _CHUNK):
        part = ",".join(str(int(i)) for i in found[start : start + _CHUNK])
        for cid, name, kind, contact, email, phone, address in session.execute(
            text(
                "SELECT id, name, kind, contact, email, phone, address FROM customers"
                f" WHERE id IN ({part})"
            )
        ):
            n, amounts, firsts, lasts, orders = per[cid]
            out.append(
                RecallCustomer(
                    customer_id=cid,
                    name=name,
                    kind=kind,
                    contact=contact or "",
                    email=email or "",
                    phone=phone or "",
                    address=address or "",
                    shipments=n,
                    quantities=add_amounts(amounts),
                    first_shipped=min((d for d in firsts if d), default=None),
                    last_shipped=max((d for d in lasts if d), default=None),
                    orders=tuple(sorted(orders)),
                )
            )
    out.sort(key=lambda c: c.name.casefold())
    out.sort(key=lambda c: sum(q for q, _ in c.quantities), reverse=True)
    out.sort(key=lambda c: c.last_shipped or dt.date.min, reverse=True)
    return tuple(out)


# --------------------------------------------------------------------------- pages


def batch_page(session: Session, scope: RecallScope, start: int, stop: int) -> list[RecallBatch]:
    """The affected batches ``start`` to ``stop`` (report order), read by id."""
    ids = scope.batch_ids[start:stop]
    if not ids:
        return []
    product, joins = _product(session)
    found: dict[int, RecallBatch] = {}
    for i in range(0, len(ids), _CHUNK):
        part = ",".join(str(int(b)) for b in ids[i : i + _CHUNK])
        for r in session.execute(
            text(
                f"SELECT b.id, b.lot_code, {product}, b.status, b.made_date, b.best_before,"
                " COALESCE(b.actual_quantity, b.planned_quantity), b.unit,"
                " (SELECT SUM(s.quantity) FROM shipments s WHERE s.batch_id = b.id)"
                f" FROM batches b {joins} WHERE b.id IN ({part})"
            )
        ):
            path = scope.paths[r[0]]
            found[r[0]] = RecallBatch(
                batch_id=r[0],
                lot_code=r[1],
                product=r[2],
                status=status_label(r[3]),
                made_date=db_date(r[4]),
                best_before=db_date(r[5]),
                quantity=_quantity(r[6]),
                unit=r[7],
                shipped=from_fixed(r[8]) if r[8] is not None else Decimal(0),
                depth=len(path) - 1,
                path=path,
            )
    return [found[b] for b in ids if b in found]


def shipment_page(
    session: Session, scope: RecallScope, start: int, stop: int
) -> list[RecallShipment]:
    """The shipments ``start`` to ``stop`` (report order), read by id."""
    ids = scope.shipment_ids[start:stop]
    if not ids:
        return []
    product, joins = _product(session)
    found: dict[int, RecallShipment] = {}
    for i in range(0, len(ids), _CHUNK):
        part = ",".join(str(int(s)) for s in ids[i : i + _CHUNK])
        for r in session.execute(
            text(
                f"SELECT s.id, s.batch_id, b.lot_code, {product}, s.shipped_date, s.customer_id,"
                " c.name, s.quantity, s.unit, s.document_type, s.document_number, o.number"
                f" FROM shipments s JOIN batches b ON b.id = s.batch_id {joins}"
                " JOIN customers c ON c.id = s.customer_id"
                " LEFT JOIN order_shipments os ON os.shipment_id = s.id"
                " LEFT JOIN sales_order_lines l ON l.id = os.line_id"
                " LEFT JOIN sales_orders o ON o.id = l.order_id"
                f" WHERE s.id IN ({part})"
            )
        ):
            found[r[0]] = RecallShipment(
                shipment_id=r[0],
                batch_id=r[1],
                batch_lot_code=r[2],
                product=r[3],
                shipped_date=db_date(r[4]) or dt.date.min,
                customer_id=r[5],
                customer=r[6],
                quantity=from_fixed(r[7]),
                unit=r[8],
                document_type=r[9] or "",
                document_number=r[10] or "",
                path=scope.paths.get(r[1]) or (r[2],),
                order_number=r[11] or "",
            )
    return [found[s] for s in ids if s in found]


# --------------------------------------------------------------------------- lot, orders


#: shipment id -> the number of the sales order it filled, for every shipment made
#: against an order (a workshop's orders are thousands at most: read whole, no IN list)
_SHIPMENT_ORDERS = text(
    "SELECT os.shipment_id, o.number FROM order_shipments os"
    " JOIN sales_order_lines l ON l.id = os.line_id JOIN sales_orders o ON o.id = l.order_id"
)


def _shipment_orders(session: Session) -> dict[int, str]:
    return {sid: number for sid, number in session.execute(_SHIPMENT_ORDERS)}


def _recall_lot(session: Session, ref: LotRef) -> RecallLot:
    if ref.kind == "material":
        lot, supplier = session.execute(
            select(MaterialLot, Supplier.name)
            .outerjoin(Supplier, Supplier.id == MaterialLot.supplier_id)
            .where(MaterialLot.id == ref.id)
        ).one()
        return RecallLot(
            kind="material",
            lot_code=lot.lot_code,
            name=ref.name,
            quantity=lot.quantity_received,
            unit=lot.unit,
            supplier=supplier or "",
            supplier_lot_code=lot.supplier_lot_code,
            origin=lot.origin,
            certifications=lot.certifications,
            date=lot.received_date,
            expiry=lot.expiry_date,
        )
    b = session.get(Batch, ref.id)
    assert b is not None
    return RecallLot(
        kind="batch",
        lot_code=b.lot_code,
        name=ref.name,
        quantity=b.actual_quantity if b.actual_quantity is not None else b.planned_quantity,
        unit=b.unit,
        date=b.made_date,
        expiry=b.best_before,
        status=status_label(b.status),
    )


# --------------------------------------------------------------------------- CSV

#: The recall CSV: one header row, then one row per affected batch and per shipment.
RECALL_CSV_COLUMNS = (
    "record",
    "recalled_lot",
    "batch_lot",
    "product",
    "batch_status",
    "made_date",
    "best_before",
    "batch_quantity",
    "batch_unit",
    "depth",
    "path",
    "shipment_id",
    "shipped_date",
    "customer",
    "customer_contact",
    "customer_email",
    "customer_phone",
    "customer_address",
    "shipped_quantity",
    "shipped_unit",
    "document_type",
    "document_number",
    "order_number",
)


def write_recall_csv(report: RecallReport, fileobj: IO[str]) -> int:
    """Every affected batch and every shipment as a flat, sortable CSV (see
    :mod:`domain.csvsafe`); returns the rows written.

    A report from ``recall_report`` gives every row from its scope, however many the
    PDF lists; a report assembled by hand gives its own rows.  Every cell follows
    ``csvsafe.cell`` (text through the formula guard; numbers and dates as data),
    computed once per distinct value; the rows are built a column at a time and
    written by ``csvsafe.write_columns``, exactly as ``SafeWriter``'s ``csv.writer``
    writes them.
    """
    with collector_paused():  # 100,000s of rows: see domain.records
        csv.writer(fileobj, lineterminator="\r\n").writerow(RECALL_CSV_COLUMNS)
        scope = report.scope
        if isinstance(scope, RecallScope) and scope.rows is not None:
            batches, shipments = _scope_columns(report, scope, scope.rows)
        else:
            batches, shipments = _listed_columns(report)
        n = write_columns(fileobj, batches)
        return n + write_columns(fileobj, shipments)


def _batch_columns(
    root: str,
    codes: list[str],
    products: list[str],
    statuses: list[str],
    made: list[str],
    best: list[str],
    quantities: list[str],
    units: list[str],
    depths: list[str],
    paths: list[str],
) -> list[Sequence[str]]:
    n = len(codes)
    if not n:
        return []
    blank = [""] * n
    return [
        ["batch"] * n,
        [root] * n,
        escape_column(codes),
        products,
        statuses,
        made,
        best,
        quantities,
        units,
        depths,
        escape_column(paths),
        *([blank] * 12),
    ]


def _shipment_columns(
    root: str,
    codes: list[str],
    products: list[str],
    depths: list[str],
    paths: list[str],
    ids: list[str],
    days: list[str],
    customers: list[str],
    contacts: list[tuple[str, str, str, str]],
    quantities: list[str],
    units: list[str],
    doc_types: list[str],
    doc_numbers: list[str],
    orders: list[str],
) -> list[Sequence[str]]:
    n = len(codes)
    if not n:
        return []
    blank = [""] * n
    return [
        ["shipment"] * n,
        [root] * n,
        escape_column(codes),
        products,
        *([blank] * 5),
        depths,
        escape_column(paths),
        ids,
        days,
        customers,
        *(list(column) for column in zip(*contacts, strict=True)),
        quantities,
        units,
        doc_types,
        escape_column(doc_numbers),
        escape_column(orders),
    ]


def _scope_columns(
    report: RecallReport, scope: RecallScope, rows: _Rows
) -> tuple[list[Sequence[str]], list[Sequence[str]]]:
    """Every row, from the trace's own rows: raw values, converted once per value."""
    txt = Memo(escape_text)
    day: Memo[Any, str] = Memo(lambda raw: cell(db_date(raw)))
    amount: Memo[Any, str] = Memo(lambda raw: cell(_quantity(raw)))
    label: Memo[str, str] = Memo(lambda status: escape_text(status_label(status)))
    root = txt[report.lot.lot_code]
    paths = scope.paths
    path_text = {bid: ARROW.join(p) for bid, p in paths.items()}
    depth = {bid: str(len(p) - 1) for bid, p in paths.items()}
    b = [rows.batches[bid] for bid in scope.batch_ids]
    batches = _batch_columns(
        root,
        [r[0] for r in b],
        txt.each(r[1] for r in b),
        label.each(r[2] for r in b),
        day.each(r[3] for r in b),
        day.each(r[4] for r in b),
        amount.each(r[5] for r in b),
        txt.each(r[6] for r in b),
        [depth[bid] for bid in scope.batch_ids],
        [path_text[bid] for bid in scope.batch_ids],
    )
    s = [rows.shipments[sid] for sid in scope.shipment_ids]
    sb = [rows.batches[r[0]] for r in s]
    reach = {
        cid: tuple(map(escape_text, c[1:])) for cid, c in rows.customers.items()
    }  # contact, e-mail, phone, address
    names = {cid: escape_text(c[0]) for cid, c in rows.customers.items()}
    shipments = _shipment_columns(
        root,
        [r[0] for r in sb],
        txt.each(r[1] for r in sb),
        [depth.get(r[0], "") for r in s],
        [path_text.get(r[0], "") for r in s],
        [str(r[1]) for r in s],
        day.each(r[5] for r in s),
        [names[r[2]] for r in s],
        [reach[r[2]] for r in s],  # type: ignore[misc]
        amount.each(r[6] for r in s),
        txt.each(r[7] for r in s),
        txt.each(r[3] or "" for r in s),
        [r[4] or "" for r in s],
        [rows.orders.get(r[1], "") for r in s],
    )
    return batches, shipments


def _listed_columns(report: RecallReport) -> tuple[list[Sequence[str]], list[Sequence[str]]]:
    """The report's own rows (a report assembled by hand holds all of them)."""
    txt = Memo(escape_text)
    value = Memo(cell)  # dates, quantities (Decimal), None: never bool, so 1 is not True
    root = txt[report.lot.lot_code]
    bs = report.batches
    batches = _batch_columns(
        root,
        [b.lot_code for b in bs],
        txt.each(b.product for b in bs),
        txt.each(b.status for b in bs),
        value.each(b.made_date for b in bs),
        value.each(b.best_before for b in bs),
        value.each(b.quantity for b in bs),
        txt.each(b.unit for b in bs),
        [str(b.depth) for b in bs],
        [b.path_text for b in bs],
    )
    reach: dict[int, tuple[str, str, str, str]] = {
        c.customer_id: tuple(map(escape_text, (c.contact, c.email, c.phone, c.address)))  # type: ignore[misc]
        for c in report.customers
    }
    depth = {b.batch_id: str(b.depth) for b in bs}
    ss = report.shipments
    shipments = _shipment_columns(
        root,
        [s.batch_lot_code for s in ss],
        txt.each(s.product for s in ss),
        [depth.get(s.batch_id, "") for s in ss],
        [s.path_text for s in ss],
        [str(s.shipment_id) for s in ss],
        value.each(s.shipped_date for s in ss),
        txt.each(s.customer for s in ss),
        [reach.get(s.customer_id, ("", "", "", "")) for s in ss],
        value.each(s.quantity for s in ss),
        txt.each(s.unit for s in ss),
        txt.each(s.document_type for s in ss),
        [s.document_number for s in ss],
        [s.order_number for s in ss],
    )
    return batches, shipments


__all__ = [
    "LISTED",
    "RECALL_CSV_COLUMNS",
    "RecallScope",
    "batch_page",
    "recall_report",
    "shipment_page",
    "write_recall_csv",
]
