"""Personalised labels of an order line: one per unit, that unit's text, its batch's lot,
dates and "n of N"; read back from the PDF (text per page) and every barcode decoded."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium
import pytest
from helpers.pdfread import decode_pdf

from smallbatch_desktop.domain.errors import ConflictError, ValidationError
from smallbatch_desktop.domain.label_layout import BarcodeElement, Layout, TextElement
from smallbatch_desktop.pdf.labels import render_labels
from smallbatch_desktop.services import inventory as inv
from smallbatch_desktop.services import labels as lab
from smallbatch_desktop.services import orders as ords
from smallbatch_desktop.services.order_labels import plan_order_labels, reserve_order_print
from smallbatch_desktop.services.orders import OrderLineInput as L
from tests.factories import DAY, kitchen, released_batch

GIFT = Layout(
    name="Gift",
    width=100.0,
    height=50.0,
    stock_key="roll:100x50",
    elements=(
        TextElement("message", 2, 2, 70, 10, text="{personal_text}", size=16, bold=True),
        TextElement("who", 2, 13, 70, 5, text="For {customer}, order {order}", size=9),
        TextElement("heat", 2, 19, 70, 5, text="Heat: {option:heat}", size=9),
        TextElement(
            "lot", 2, 25, 70, 5, text="Lot {lot} Best before {best_before:%Y-%m-%d}", size=9
        ),
        TextElement("number", 2, 31, 70, 5, text="No. {n} of {N}", size=9),
        BarcodeElement("code", 74, 2, 24, 24, symbology="qr", data="{order}|{lot}|{n}"),
    ),
)


def _pages(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


@pytest.fixture
def setup(session):
    k = kitchen(session)
    released_batch(session, k.mash_v, "5")
    first = released_batch(session, k.sauce_v, "24")
    inv.create_customer(session, name="Anna Baker")
    lab.save_layout(session, GIFT)
    return k, first


def test_one_label_per_unit_with_its_own_text_lot_and_number(session, setup):
    _k, batch = setup
    o = ords.create_order(
        session,
        customer="Anna Baker",
        number="WEB-1001",
        ordered_date=DAY,
        lines=[
            L(
                "HS",
                "3",
                personal_text="Happy birthday!",
                unit_texts=["For Anna", "For Ben"],
                options={"heat": "extra hot"},
            )
        ],
    )
    line = o.lines[0]
    ords.allocate_line(session, line.id, today=DAY)
    plan = plan_order_labels(session, line.id, layout_name="Gift")
    assert plan.copies == 3 and plan.missing == 0 and not plan.job.draft
    result = render_labels(plan.job)
    pages = _pages(result.pdf)
    assert len(pages) == 3  # a roll: one label per page
    bb = batch.best_before.isoformat()
    for i, (page, message) in enumerate(
        zip(pages, ["For Anna", "For Ben", "Happy birthday!"], strict=True), start=1
    ):
        assert message in page
        assert "For Anna Baker, order WEB-1001" in page
        assert "Heat: extra hot" in page
        assert f"Lot {batch.lot_code} Best before {bb}" in page
        assert f"No. {i} of 24" in page
    codes = decode_pdf(result.pdf, 300)
    assert sorted(c.text for c in codes) == [f"WEB-1001|{batch.lot_code}|{i}" for i in (1, 2, 3)]
    assert [c.page for c in sorted(codes, key=lambda c: c.text)] == [0, 1, 2]
    # the numbers are used: the next print of the batch continues at 4
    reserve_order_print(session, plan, printed_by="maria")
    assert lab.last_printed_number(session, batch.id) == 3
    again = plan_order_labels(session, line.id, layout_name="Gift")
    assert [label.n for label in again.job.labels] == [4, 5, 6]


def test_units_from_two_batches_take_each_batch_lot(session, setup):
    k, first = setup
    released_batch(session, k.mash_v, "5")
    second = released_batch(session, k.sauce_v, "24", day=DAY + dt.timedelta(days=1))
    inv.create_customer(session, name="Farm shop")
    o = ords.create_order(
        session, customer="Farm shop", ordered_date=DAY, lines=[L("HS", "26", personal_text="Hi")]
    )
    ords.allocate_line(session, o.lines[0].id, today=DAY)
    plan = plan_order_labels(session, o.lines[0].id, layout_name="Gift")
    lots = [label.lot for label in plan.job.labels]
    assert lots == [first.lot_code] * 24 + [second.lot_code] * 2
    assert [label.n for label in plan.job.labels[-2:]] == [1, 2]
    assert len(plan.parts) == 2
    pages = _pages(render_labels(plan.job).pdf)
    assert f"Lot {second.lot_code}" in pages[-1] and "No. 2 of 24" in pages[-1]
    # the line has no heat option: the field prints empty, never "None" or a brace
    assert all("Heat:" in p and "None" not in p and "{" not in p for p in pages)


def test_refusals_name_the_line(session, setup):
    o = ords.create_order(
        session, customer="Anna Baker", ordered_date=DAY, lines=[L("HS", "2"), L("MASH", "1.5")]
    )
    with pytest.raises(ConflictError) as ei:
        plan_order_labels(session, o.lines[0].id, layout_name="Gift")
    assert ei.value.field == "line 1" and "allocate" in ei.value.message
    with pytest.raises(ValidationError) as ei:
        plan_order_labels(session, o.lines[1].id, layout_name="Gift")
    assert ei.value.field == "line 2" and "pieces" in ei.value.message


def test_option_without_a_name_is_refused_naming_the_element(session, setup):
    from smallbatch_desktop.pdf.labels import fill_template

    data = lab.sample_label_data()
    assert fill_template("{option:HEAT} {order}", data, name="x") == "extra hot SO-2026-0042"
    with pytest.raises(ValidationError) as ei:
        fill_template("{option}", data, name="heat")
    assert ei.value.field == "heat" and "option:heat" in ei.value.message
