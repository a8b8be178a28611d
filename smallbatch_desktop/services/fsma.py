"""The FSMA 204 electronic sortable spreadsheet of Critical Tracking Events.

The US FDA's Food Traceability Rule (21 CFR 1 subpart S) lets the FDA ask for the
traceability records of a date range as an "electronic sortable spreadsheet" within
24 hours.  This module produces it from what the workshop already records:

- **Receiving**: a material lot, on its received date.  Its traceability lot code (TLC)
  is the one the supplier assigned (the supplier lot code) when there is one, since a
  receiver must keep the TLC it was given; the lot code source is the supplier.
- **Transformation**: a batch, on its made date; one row per input lot, all rows of a
  batch sharing the event id ``TRF-<batch lot>``.  The batch lot is the new TLC, we are
  its source, and the input columns name the lot used (its TLC, product, quantity).
- **Shipping**: a shipment, on its shipped date, of a batch's TLC to a customer.

One header row, one row per event (per input for transformations), ISO dates, plain
columns: it sorts and filters in any spreadsheet.  Packaging materials (bottles, caps,
labels) are not food and are left out unless asked for; every other material kind is
included, because only the maker knows which foods are on the Food Traceability List.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from smallbatch_desktop.domain.csvsafe import SafeWriter
from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.models import (
    Batch,
    Consumption,
    Customer,
    Material,
    MaterialLot,
    Recipe,
    RecipeVersion,
    Shipment,
    Supplier,
)
from smallbatch_desktop.services.common import parse_date
from smallbatch_desktop.services.reports import producer
from smallbatch_desktop.services.trace import FROZEN, kept_inputs, kept_names

RECEIVING = "Receiving"
TRANSFORMATION = "Transformation"
SHIPPING = "Shipping"
_ORDER = {RECEIVING: 0, TRANSFORMATION: 1, SHIPPING: 2}

FSMA_COLUMNS = (
    "Event type",
    "Event ID",
    "Event date",
    "Traceability lot code",
    "Product description",
    "Quantity",
    "Unit of measure",
    "Location from",
    "Location to",
    "Traceability lot code source",
    "Reference document type",
    "Reference document number",
    "Input traceability lot code",
    "Input product description",
    "Input quantity",
    "Input unit of measure",
    "Internal lot code",
)


@dataclass(frozen=True)
class CteRow:
    """One row of the spreadsheet (one Critical Tracking Event, or one input of one)."""

    event_type: str
    event_id: str
    event_date: dt.date
    tlc: str
    product: str
    quantity: Decimal | None
    unit: str
    location_from: str
    location_to: str
    tlc_source: str
    document_type: str
    document_number: str
    input_tlc: str = ""
    input_product: str = ""
    input_quantity: Decimal | None = None
    input_unit: str = ""
    internal_lot_code: str = ""

    def as_row(self) -> tuple[object, ...]:
        return (
            self.event_type,
            self.event_id,
            self.event_date,
            self.tlc,
            self.product,
            self.quantity,
            self.unit,
            self.location_from,
            self.location_to,
            self.tlc_source,
            self.document_type,
            self.document_number,
            self.input_tlc,
            self.input_product,
            self.input_quantity,
            self.input_unit,
            self.internal_lot_code,
        )


def _place(name: str, address: str) -> str:
    """Name and address on one line (cells with line breaks sort and filter badly)."""
    parts = [name.strip(), *(p.strip() for p in address.replace("\r", "\n").split("\n"))]
    return ", ".join(p for p in parts if p)


def date_range(start: object, end: object) -> tuple[dt.date, dt.date]:
    """Parse and check ``--from``/``--to`` (inclusive)."""
    a = parse_date(start, field="from")
    b = parse_date(end, field="to")
    if b < a:
        raise ValidationError(f"to: {b.isoformat()} is before from ({a.isoformat()})", field="to")
    return a, b


def fsma_events(
    session: Session,
    start: dt.date,
    end: dt.date,
    *,
    include_packaging: bool = False,
) -> list[CteRow]:
    """Every Critical Tracking Event dated ``start``..``end`` (inclusive), sorted by date,
    event type (receiving, transformation, shipping), event id and input order."""
    if end < start:
        raise ValidationError(
            f"to: {end.isoformat()} is before from ({start.isoformat()})", field="to"
        )
    name, address = producer(session)
    us = _place(name, address) or "this business"
    rows: list[tuple[tuple[object, ...], CteRow]] = []

    # receiving -----------------------------------------------------------------------
    q = (
        select(MaterialLot, Material.name, Supplier.name, Supplier.address)
        .join(Material, Material.id == MaterialLot.material_id)
        .outerjoin(Supplier, Supplier.id == MaterialLot.supplier_id)
        .where(MaterialLot.received_date.between(start, end))
    )
    if not include_packaging:
        q = q.where(Material.kind != "packaging")
    for lot, mat_name, sup_name, sup_addr in session.execute(q):
        supplier = _place(sup_name or "", sup_addr or "") or "supplier not recorded"
        tlc = lot.supplier_lot_code or lot.lot_code
        row = CteRow(
            event_type=RECEIVING,
            event_id=f"RCV-{lot.lot_code}",
            event_date=lot.received_date,
            tlc=tlc,
            product=mat_name,
            quantity=lot.quantity_received,
            unit=lot.unit,
            location_from=supplier,
            location_to=us,
            tlc_source=supplier if lot.supplier_lot_code else us,
            document_type="Receiving record" if not lot.document_ref else "Supplier document",
            document_number=lot.document_ref or lot.lot_code,
            internal_lot_code=lot.lot_code,
        )
        rows.append(((row.event_date, 0, row.event_id, lot.id), row))

    # transformation: one row per input of each batch made in the range ------------------
    in_mat = aliased(Material)
    in_lot = aliased(MaterialLot)
    in_batch = aliased(Batch)
    in_ver = aliased(RecipeVersion)
    in_rec = aliased(Recipe)
    q2 = (
        select(
            Batch.id,
            Batch.lot_code,
            Batch.made_date,
            Batch.status,
            Batch.actual_quantity,
            Batch.planned_quantity,
            Batch.unit,
            Recipe.name,
            Consumption.id,
            Consumption.quantity,
            Consumption.unit,
            in_lot.lot_code,
            in_lot.supplier_lot_code,
            in_mat.name,
            in_mat.kind,
            in_batch.lot_code,
            in_rec.name,
            in_batch.id,
        )
        .join(RecipeVersion, RecipeVersion.id == Batch.recipe_version_id)
        .join(Recipe, Recipe.id == RecipeVersion.recipe_id)
        .outerjoin(Consumption, Consumption.batch_id == Batch.id)
        .outerjoin(in_lot, in_lot.id == Consumption.material_lot_id)
        .outerjoin(in_mat, in_mat.id == in_lot.material_id)
        .outerjoin(in_batch, in_batch.id == Consumption.input_batch_id)
        .outerjoin(in_ver, in_ver.id == in_batch.recipe_version_id)
        .outerjoin(in_rec, in_rec.id == in_ver.recipe_id)
        .where(Batch.made_date.between(start, end))
        # a planned batch has transformed nothing yet, unless inputs are already recorded
        .where(or_(Batch.status != "planned", Consumption.id.is_not(None)))
    )
    if not include_packaging:
        q2 = q2.where(or_(in_mat.id.is_(None), in_mat.kind != "packaging"))
    made_rows = session.execute(q2).all()
    # a released (rejected, recalled) batch and its inputs are named as its record keeps
    # them (services.snapshots), however the recipe or a material was renamed since
    frozen = {r[0] for r in made_rows if r[3] in FROZEN}
    names = kept_names(session, frozen | {r[17] for r in made_rows if r[17] is not None})
    recorded = kept_inputs(session, frozen)
    for (
        bid,
        lot_code,
        made,
        _status,
        actual,
        planned,
        unit,
        product,
        cid,
        c_qty,
        c_unit,
        m_lot,
        m_sup_lot,
        m_name,
        _m_kind,
        b_lot,
        b_name,
        b_id,
    ) in made_rows:
        if m_lot is not None:
            input_tlc, input_product, internal = (m_sup_lot or m_lot), m_name, m_lot
        elif b_lot is not None:
            input_tlc, input_product, internal = b_lot, names.get(b_id, b_name), b_lot
        else:
            input_tlc = input_product = internal = ""
        product = names.get(bid, product)
        line = recorded.get(bid, {}).get(internal)
        if line is not None:
            input_product = line.get("name") or input_product
        row = CteRow(
            event_type=TRANSFORMATION,
            event_id=f"TRF-{lot_code}",
            event_date=made,
            tlc=lot_code,
            product=product,
            quantity=actual if actual is not None else planned,
            unit=unit,
            location_from=us,
            location_to=us,
            tlc_source=us,
            document_type="Batch record",
            document_number=lot_code,
            input_tlc=input_tlc,
            input_product=input_product,
            input_quantity=c_qty,
            input_unit=c_unit or "",
            internal_lot_code=internal,
        )
        rows.append(((made, 1, row.event_id, cid or 0), row))

    # shipping --------------------------------------------------------------------------
    q3 = (
        select(Shipment, Batch.lot_code, Recipe.name, Customer.name, Customer.address, Batch.status)
        .join(Batch, Batch.id == Shipment.batch_id)
        .join(RecipeVersion, RecipeVersion.id == Batch.recipe_version_id)
        .join(Recipe, Recipe.id == RecipeVersion.recipe_id)
        .join(Customer, Customer.id == Shipment.customer_id)
        .where(and_(Shipment.shipped_date >= start, Shipment.shipped_date <= end))
    )
    shipped = session.execute(q3).all()
    shipped_names = kept_names(session, {r[0].batch_id for r in shipped if r[5] in FROZEN})
    for sh, lot_code, product, cust, cust_addr, _status in shipped:
        row = CteRow(
            event_type=SHIPPING,
            event_id=f"SHP-{sh.id}",
            event_date=sh.shipped_date,
            tlc=lot_code,
            product=shipped_names.get(sh.batch_id, product),
            quantity=sh.quantity,
            unit=sh.unit,
            location_from=us,
            location_to=_place(cust, cust_addr or ""),
            tlc_source=us,
            document_type=sh.document_type,
            document_number=sh.document_number,
            internal_lot_code=lot_code,
        )
        rows.append(((sh.shipped_date, 2, f"SHP-{sh.id:012d}", sh.id), row))

    rows.sort(key=lambda t: t[0])
    return [r for _k, r in rows]


def write_fsma_csv(rows: list[CteRow], fileobj: IO[str]) -> int:
    """The spreadsheet as CSV (one header row, injection-safe cells); returns data rows."""
    w = SafeWriter(fileobj)
    w.writerow(FSMA_COLUMNS)
    for r in rows:
        w.writerow(r.as_row())
    return len(rows)
