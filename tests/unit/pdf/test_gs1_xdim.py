"""GS1 X-dimension: a GS1 symbol's module is a whole number of printer dots and never
below the GS1 minimum for its use; a box too small for that is refused, naming it.

The bars are read back from the PDF as rectangles (pdfplumber), their widths and edges
compared with the printer's dot grid, and every symbol is decoded by zxing-cpp.
"""

from __future__ import annotations

import dataclasses
import io

import pdfplumber
import pytest
import zxingcpp
from helpers.pdfread import decode_pdf
from unit.pdf.test_label_render import label_data

from smallbatch_desktop.domain.gs1 import GS1_USES, BarcodeError
from smallbatch_desktop.domain.label_data import LabelJob
from smallbatch_desktop.domain.label_layout import BarcodeElement, Layout, default_roll_layout
from smallbatch_desktop.domain.label_stock import single_label_stock
from smallbatch_desktop.pdf.labels import barcode_content, render_labels

MM = 25.4 / 72  # mm per point


def bars(pdf: bytes, min_height_mm: float = 3.0) -> list[tuple[float, float, float]]:
    """(left, width, height) in mm of each filled rectangle taller than ``min_height_mm``."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        rects = doc.pages[0].rects
    return sorted(
        (r["x0"] * MM, r["width"] * MM, r["height"] * MM)
        for r in rects
        if r["height"] * MM >= min_height_mm and r["fill"]
    )


@pytest.mark.parametrize("dpi, dots", [(203, 2), (300, 3), (600, 6)])
def test_gs1_128_module_is_whole_dots_at_or_above_the_minimum(dpi: int, dots: int) -> None:
    layout = default_roll_layout()
    data = label_data(1)
    result = render_labels(LabelJob(single_label_stock(100, 50), layout, (data,), dpi=dpi))
    found = bars(result.pdf)
    assert len(found) > 20
    dot = 25.4 / dpi
    x_dim = min(w for _, w, _ in found)
    # the narrowest bar is the module: a whole number of dots, never under 0.250 mm
    assert x_dim >= GS1_USES["general"].linear_min_mm - 1e-6
    assert x_dim == pytest.approx(dots * dot, abs=1e-4)
    for left, width, _ in found:
        # every bar is a whole number of modules, and every edge lies on the dot grid
        assert width / x_dim == pytest.approx(round(width / x_dim), abs=1e-3)
        assert left / dot == pytest.approx(round(left / dot), abs=1e-3)
    expected = barcode_content(layout.element("code"), data)[1]  # type: ignore[arg-type]
    for read_dpi in {dpi, 300}:
        (code,) = decode_pdf(result.pdf, read_dpi)
        assert code.text == expected and code.content_type == zxingcpp.ContentType.GS1


@pytest.mark.parametrize("dpi, dots", [(203, 2), (300, 3), (600, 6)])
def test_a_box_too_small_for_the_gs1_minimum_is_refused_naming_it(dpi: int, dots: int) -> None:
    """341 modules in 81 mm: 2.8 dots at 300 dpi, where 2 dots (0.169 mm) used to print."""
    el = BarcodeElement("case code", 3, 3, 81, 16, symbology="gs1-128")
    layout = Layout("one", 100, 25, elements=(el,))
    job = LabelJob(single_label_stock(100, 25), layout, (label_data(1),), dpi=dpi)
    with pytest.raises(BarcodeError) as err:
        render_labels(job)
    assert err.value.field == "case code"
    message = str(err.value)
    assert message.startswith("case code: GS1-128") and "0.250 mm" in message
    assert f"{dots} printer dots" in message and "81.0 x 16.0 mm" in message
    # 87 mm holds 341 modules of 0.254 mm
    wider = dataclasses.replace(layout, elements=(dataclasses.replace(el, w=87),))
    result = render_labels(dataclasses.replace(job, layout=wider))
    x_dim = min(w for _, w, _ in bars(result.pdf))
    assert x_dim == pytest.approx(dots * 25.4 / dpi, abs=1e-4)
    (code,) = decode_pdf(result.pdf, dpi)
    assert code.text == barcode_content(el, label_data(1))[1]


def test_distribution_use_asks_half_a_millimetre() -> None:
    el = BarcodeElement("code", 3, 3, 94, 30, symbology="gs1-128", gs1_use="distribution")
    layout = Layout("case", 100, 40, elements=(el,))
    job = LabelJob(single_label_stock(100, 40), layout, (label_data(1),), dpi=203)
    with pytest.raises(BarcodeError, match=r"code: .*0\.495 mm.*4 printer dots"):
        render_labels(job)
    # the GTIN alone fits at 4 dots (0.500 mm)
    short = dataclasses.replace(el, ais=("01",))
    result = render_labels(
        dataclasses.replace(job, layout=dataclasses.replace(layout, elements=(short,)))
    )
    assert min(w for _, w, _ in bars(result.pdf)) == pytest.approx(0.5005, abs=1e-3)
    (code,) = decode_pdf(result.pdf, 203)
    assert code.text == "(01)09506000134352"


@pytest.mark.parametrize("dpi", [203, 300, 600])
def test_gs1_datamatrix_module_minimum(dpi: int) -> None:
    data = label_data(1)
    dot = 25.4 / dpi
    for size in (12.5, 7.0):
        el = BarcodeElement("dm", 1, 1, size, size, symbology="gs1-datamatrix")
        layout = Layout("dm", 15, 15, elements=(el,))
        job = LabelJob(single_label_stock(15, 15), layout, (data,), dpi=dpi)
        try:
            result = render_labels(job)
        except BarcodeError as exc:
            assert exc.field == "dm" and "0.375 mm" in str(exc)
            # refused only when whole dots of at least 0.375 mm do not fit: 22 modules
            need_dots = -(-0.375 // dot)
            assert 22 * need_dots * dot > size
            continue
        found = bars(result.pdf, min_height_mm=0.0)
        module = min(min(w for _, w, _ in found), min(h for _, _, h in found))
        assert module >= 0.375 - 1e-6
        assert module / dot == pytest.approx(round(module / dot), abs=1e-3)
        (code,) = decode_pdf(result.pdf, dpi)
        assert code.text == barcode_content(el, data)[1]
    # 7 mm never holds 22 modules of 0.375 mm (8.25 mm)
    with pytest.raises(BarcodeError):
        el = BarcodeElement("dm", 1, 1, 7.0, 7.0, symbology="gs1-datamatrix")
        render_labels(
            LabelJob(
                single_label_stock(15, 15), Layout("dm", 15, 15, elements=(el,)), (data,), dpi=dpi
            )
        )


def test_unknown_gs1_use_is_refused() -> None:
    from smallbatch_desktop.domain.errors import ValidationError

    el = BarcodeElement("code", 3, 3, 94, 16, symbology="gs1-128", gs1_use="pos")
    layout = Layout("one", 100, 25, elements=(el,))
    with pytest.raises(ValidationError, match=r"code.*GS1 use"):
        render_labels(LabelJob(single_label_stock(100, 25), layout, (label_data(1),)))


def test_each_gs1_use_names_what_its_minimum_rests_on() -> None:
    """The figures as the sources cited in domain.gs1 give them: GS1-128 in general
    distribution at 0.495 mm (GS1 Sweden's summary of the General Specifications, GS1
    Jordan's 48.7 % of the 1.016 mm nominal); the 2D minimum 1.5 times the linear one
    (the note to GS1's symbol specification tables); the general-use figure within 25 %
    magnification of the nominal (0.254 mm) and said to be unverified, as is healthcare."""
    from smallbatch_desktop.domain.gs1 import GS1_128_NOMINAL_MM, MATRIX_FACTOR

    dist, general, health = GS1_USES["distribution"], GS1_USES["general"], GS1_USES["healthcare"]
    assert dist.verified and dist.linear_min_mm == 0.495
    assert dist.linear_min_mm == pytest.approx(0.487 * GS1_128_NOMINAL_MM, abs=0.001)
    # 2D at 1.5 times the linear minimum, rounded up to the micrometre
    for use in (dist, general):
        assert use.matrix_min_mm >= MATRIX_FACTOR * use.linear_min_mm - 1e-9
        assert use.matrix_min_mm - MATRIX_FACTOR * use.linear_min_mm < 0.001
    assert not general.verified
    assert abs(general.linear_min_mm - 0.25 * GS1_128_NOMINAL_MM) < 0.005
    # an unverified figure that lowers the minimum says so where a maker picks it
    assert not health.verified and "not verified" in health.title
    assert health.linear_min_mm < general.linear_min_mm
    for use in GS1_USES.values():
        assert use.reference.startswith("GS1 General Specifications")
        assert use.linear_min_mm <= GS1_128_NOMINAL_MM


def test_a_refusal_says_what_the_minimum_rests_on() -> None:
    el = BarcodeElement("code", 3, 3, 30, 16, symbology="gs1-128", gs1_use="healthcare", hri=False)
    layout = Layout("one", 40, 25, elements=(el,))
    job = LabelJob(single_label_stock(40, 25), layout, (label_data(1),), dpi=300)
    with pytest.raises(BarcodeError) as err:
        render_labels(job)
    message = str(err.value)
    assert err.value.field == "code" and "0.170 mm" in message
    assert "figure not verified" in message
