"""The label renderer, checked by reading its PDFs back with pdfplumber, pdfium and zxing-cpp."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pdfplumber
import pytest
import zxingcpp
from helpers.pdfread import decode_pdf, fonts_of

from smallbatch_desktop.domain.errors import UserError
from smallbatch_desktop.domain.gs1 import BarcodeError
from smallbatch_desktop.domain.label_data import Ingredient, LabelData, LabelJob
from smallbatch_desktop.domain.label_layout import (
    BarcodeElement,
    BoxElement,
    IngredientsElement,
    Layout,
    LineElement,
    TextElement,
    default_roll_layout,
    default_sheet_layout,
)
from smallbatch_desktop.domain.label_stock import (
    builtin_catalog,
    single_label_stock,
    stock_from_geometry,
)
from smallbatch_desktop.pdf import fonts
from smallbatch_desktop.pdf.label_text import TextOverflowError, x_height_ratio
from smallbatch_desktop.pdf.labels import (
    barcode_content,
    calibration_pdf,
    render_labels,
    render_preview,
)

MM = 72 / 25.4
TOL = 0.2  # mm

INGREDIENTS = (
    Ingredient("Red habanero peppers"),
    Ingredient("Cider vinegar", allergens=("Sulphites",)),
    Ingredient("Mustard seeds", allergens=("Mustard",)),
    Ingredient(
        "Spice mix",
        parts=(Ingredient("Salt"), Ingredient("Sesame", allergens=("Sesame seeds",))),
    ),
    Ingredient("Water"),
)


EXTRA = tuple(
    Ingredient(n)
    for n in (
        "Garlic",
        "Smoked paprika",
        "Onion powder",
        "Black pepper",
        "Cumin",
        "Oregano",
        "Lime juice",
        "Cane sugar",
        "Coriander",
    )
)


def label_data(i: int, *, gtin: str = "09506000134352", total: int = 500) -> LabelData:
    return LabelData(
        product="Smoky Habanero Sauce",
        lot=f"HS-2611-{i:03d}",
        made=dt.date(2026, 11, 2),
        best_before=dt.date(2027, 11, 2),
        net_quantity="250 ml",
        producer="Fire & Field",
        address="12 Mill Lane, Bristol",
        ingredients=INGREDIENTS,
        allergens=("Mustard", "Sesame seeds", "Sulphites"),
        gtin=gtin,
        n=i,
        total=total,
    )


def small_layout(w: float, h: float) -> Layout:
    """A layout for ~63 x 33 mm labels: text, a QR code of the lot, a line and a box."""
    return Layout(
        name="test small",
        width=w,
        height=h,
        elements=(
            BoxElement("frame", 0.8, 0.8, w - 1.6, h - 1.6, stroke=0.3, radius=1.5),
            TextElement("product", 2.5, 2.0, w - 24, 5.0, text="{product}", size=10, bold=True),
            TextElement("lot", 2.5, 8.0, w - 24, 3.2, text="{lot}", size=8, wrap=False),
            LineElement("rule", 2.5, 12.0, w - 24, 0.0),
            IngredientsElement("ingredients", 2.5, 13.0, w - 24, h - 15.0, size=6.5),
            BarcodeElement("code", w - 20.0, 2.0, 17.5, 17.5, symbology="qr"),
        ),
    )


def cell_of(stock, x_mm: float, y_mm: float, ox: float = 0.0, oy: float = 0.0) -> int | None:
    for i, c in enumerate(stock.cells()):
        if c.x + ox <= x_mm <= c.x + ox + c.w and c.y + oy <= y_mm <= c.y + oy + c.h:
            return i
    return None


def check_inside_cells(pdf: bytes, stock, *, skip: int, count: int, ox=0.0, oy=0.0) -> dict:
    """Every char and rect lies inside one cell (within TOL); returns page -> cell -> text."""
    texts: dict[tuple[int, int], str] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for p, page in enumerate(doc.pages):
            objs = [("char", o) for o in page.chars] + [("rect", o) for o in page.rects]
            assert objs
            for kind, o in objs:
                x0, x1 = o["x0"] / MM, o["x1"] / MM
                top, bottom = o["top"] / MM, o["bottom"] / MM
                idx = cell_of(stock, (x0 + x1) / 2, (top + bottom) / 2, ox, oy)
                assert idx is not None, (
                    f"{kind} {o.get('text', '')!r} at {x0:.1f},{top:.1f} mm is in no cell"
                )
                c = stock.cells()[idx]
                assert x0 >= c.x + ox - TOL and x1 <= c.x + ox + c.w + TOL, (kind, o.get("text"))
                assert top >= c.y + oy - TOL and bottom <= c.y + oy + c.h + TOL, (
                    kind,
                    o.get("text"),
                )
                if kind == "char":
                    texts[(p, idx)] = texts.get((p, idx), "") + o["text"]
    per_page = len(stock.cells())
    used = {(divmod(i + skip, per_page)) for i in range(count)}
    assert set(texts) == used, "labels landed in other positions than skip/count say"
    return texts


@pytest.fixture(scope="module")
def catalog():
    return builtin_catalog()


@pytest.mark.parametrize("offset", [(0.0, 0.0), (1.5, -0.8)])
def test_avery_5160_geometry_skip_and_offset(catalog, offset) -> None:
    stock = catalog.get("Avery 5160")
    assert (stock.label_width, stock.label_height, stock.per_page) == (66.675, 25.4, 30)
    data = tuple(label_data(i + 1) for i in range(33))
    ox, oy = offset
    job = LabelJob(
        stock=stock, layout=default_sheet_layout(), labels=data, skip=4, offset_x=ox, offset_y=oy
    )
    result = render_labels(job)
    assert result.pages == 2
    texts = check_inside_cells(result.pdf, stock, skip=4, count=33, ox=ox, oy=oy)
    # label k (1-based) sits at position k - 1 + skip, in reading order
    for k in range(1, 34):
        page, slot = divmod(k - 1 + 4, 30)
        assert f"{k}/500" in texts[(page, slot)]
        assert f"HS-2611-{k:03d}" in texts[(page, slot)]


def test_a4_3x8_custom_stock_geometry_and_barcodes(catalog) -> None:
    stock = stock_from_geometry(
        "custom:1",
        "A4 3x8",
        "sheet",
        {
            "paper": "A4",
            "label_width": "63.5",
            "label_height": "33.9",
            "columns": 3,
            "rows": 8,
            "margin_left": "7.2",
            "margin_top": "12.9",
            "gap_x": "2.54",
            "gap_y": "0",
        },
        catalog.papers,
    )
    assert len(stock.cells()) == 24
    data = tuple(label_data(i + 1) for i in range(20))
    job = LabelJob(stock=stock, layout=small_layout(63.5, 33.9), labels=data, skip=3)
    result = render_labels(job)
    check_inside_cells(result.pdf, stock, skip=3, count=20)
    for dpi in (300, 203):
        codes = decode_pdf(result.pdf, dpi)
        got = {cell_of(stock, c.x, c.y): c.text for c in codes}
        assert got == {i + 3: f"HS-2611-{i + 1:03d}" for i in range(20)}, dpi


def test_every_barcode_decodes_at_300_and_203_dpi_with_its_data(catalog) -> None:
    """Sheet (GS1 Data Matrix) and roll (GS1-128): decoded text equals the HRI exactly."""
    sheet = catalog.get("Avery 5160")
    data = tuple(label_data(i + 1) for i in range(6))
    jobs = [
        LabelJob(stock=sheet, layout=default_sheet_layout(), labels=data, dpi=203),
        LabelJob(
            stock=single_label_stock(100, 50), layout=default_roll_layout(), labels=data, dpi=203
        ),
    ]
    for job in jobs:
        result = render_labels(job)
        assert result.warnings == ()
        expected = [
            barcode_content(next(e for e in job.layout.elements if e.name == "code"), d)[1]
            for d in data
        ]
        assert expected[0] == "(01)09506000134352(15)271102(10)HS-2611-001"
        for dpi in (300, 203):
            codes = decode_pdf(result.pdf, dpi)
            assert len(codes) == len(data)
            assert sorted(c.text for c in codes) == sorted(expected)
            assert all(c.content_type == zxingcpp.ContentType.GS1 for c in codes)


@pytest.mark.parametrize(
    "symbology, expect_gs1",
    [
        ("code128", False),
        ("qr", False),
        ("datamatrix", False),
        ("gs1-128", True),
        ("gs1-datamatrix", True),
        ("gs1-digital-link-qr", False),
    ],
)
def test_each_symbology_round_trips(symbology: str, expect_gs1: bool) -> None:
    el = BarcodeElement(
        "code",
        2,
        2,
        116,
        36,
        symbology=symbology,
        ais=("01", "11", "15", "10", "21"),
        domain="example.com",
    )
    layout = Layout("one", 120, 40, elements=(el,))
    data = dataclasses.replace(label_data(7), lot="L/26-7&A")  # "/" and "&" need escaping
    if symbology == "code128":
        data = dataclasses.replace(data, lot="L26-7A")
    if symbology.startswith("gs1-") and symbology != "gs1-digital-link-qr":
        data = dataclasses.replace(data, lot="L26/7A")
    result = render_labels(LabelJob(single_label_stock(120, 40), layout, (data,), dpi=203))
    assert result.warnings == ()
    expected = barcode_content(el, data)[1]
    for dpi in (300, 203):
        (code,) = decode_pdf(result.pdf, dpi)
        assert code.text == expected
        assert (code.content_type == zxingcpp.ContentType.GS1) is expect_gs1
    if symbology == "gs1-digital-link-qr":
        assert expected == "https://example.com/01/09506000134352/10/L%2F26-7%26A/21/7?15=271102"
    if expect_gs1:
        assert expected == "(01)09506000134352(11)261102(15)271102(10)L26/7A(21)7"


def test_small_symbol_at_203_dpi_is_warned_or_refused() -> None:
    """Shrink a QR code until it no longer decodes at 203 dpi: the renderer said so first."""
    data = label_data(1)
    for size in (12.0, 8.0, 6.0, 4.5, 3.5, 2.0):
        el = BarcodeElement("code", 1, 1, size, size, symbology="qr", data="{lot}-{product}")
        layout = Layout("tiny", 30, 30, elements=(el,))
        job = LabelJob(single_label_stock(30, 30), layout, (data,), dpi=203)
        try:
            result = render_labels(job)
        except BarcodeError as exc:
            assert "code" in str(exc) and "dot" in str(exc)
            continue
        decoded = decode_pdf(result.pdf, 203)
        if not decoded or decoded[0].text != f"{data.lot}-{data.product}":
            assert result.warnings, f"{size} mm QR does not scan at 203 dpi and nobody warned"
    with pytest.raises(BarcodeError, match="code"):
        el = BarcodeElement("code", 1, 1, 2.0, 2.0, symbology="qr", data="{lot}-{product}")
        render_labels(
            LabelJob(
                single_label_stock(30, 30), Layout("t", 30, 30, elements=(el,)), (data,), dpi=203
            )
        )


def test_allergens_are_bold_and_the_rest_is_not() -> None:
    result = render_labels(
        LabelJob(single_label_stock(100, 50), default_roll_layout(), (label_data(1),))
    )
    with pdfplumber.open(io.BytesIO(result.pdf)) as doc:
        chars = doc.pages[0].chars
    # the ingredients paragraph's chars, in order, with their weight
    para = [c for c in chars if 9.5 * MM < c["top"] < 23 * MM]
    text = "".join(c["text"] for c in para)
    assert text.startswith("Ingredients:")
    bold = "".join(c["text"] if c["fontname"].endswith("-Bold") else "_" for c in para)
    for word in ("Mustard", "seeds", "Sesame", "Cider", "vinegar"):
        assert word in bold, word
    for word in ("habanero", "Salt", "Water", "Spice", "Ingredients"):
        assert word not in bold and word in text, word
    # compound ingredient: name, then its ingredients in brackets
    assert "Spice mix (Salt, Sesame)" in text.replace("\n", "")


def test_text_shrinks_to_fit_then_refuses_naming_the_field() -> None:
    sheet = default_sheet_layout()
    base = sheet.replace_element(
        "ingredients", dataclasses.replace(sheet.element("ingredients"), size=9.0)
    )
    long = dataclasses.replace(label_data(1), ingredients=INGREDIENTS + EXTRA[:2])
    stock = builtin_catalog().get("Avery 5160")
    with pdfplumber.open(io.BytesIO(render_labels(LabelJob(stock, base, (long,))).pdf)) as doc:
        chars = doc.pages[0].chars
    ingredient_size = next(c["size"] for c in chars if c["text"] == "I")
    min_size = 1.2 * MM / x_height_ratio(fonts.COND)
    assert min_size - 0.01 <= ingredient_size < 9.0  # shrunk from 9 pt, not below the minimum
    # x-height of the smallest text on the label is at least 1.2 mm
    assert min(c["size"] for c in chars) * x_height_ratio(fonts.COND) / MM >= 1.2 - 1e-3
    too_long = dataclasses.replace(label_data(1), ingredients=INGREDIENTS + EXTRA[:3])
    with pytest.raises(TextOverflowError) as err:
        render_labels(LabelJob(stock, base, (too_long,)))
    assert str(err.value).startswith("ingredients: text does not fit in ")
    assert "minimum x-height 1.2 mm" in str(err.value)
    assert err.value.field == "ingredients"
    assert isinstance(err.value, UserError)


def test_min_x_height_is_the_fonts_real_x_height() -> None:
    # DejaVu's "x" is 1120 units of 2048 high
    assert x_height_ratio(fonts.COND) == pytest.approx(1120 / 2048)
    layout = dataclasses.replace(default_sheet_layout(), min_x_height=0.9)
    long = dataclasses.replace(label_data(1), ingredients=INGREDIENTS + EXTRA[:3])
    stock = builtin_catalog().get("Avery 5160")
    render_labels(LabelJob(stock, layout, (long,)))  # fits at 0.9 mm, not at 1.2 mm
    with pytest.raises(TextOverflowError):
        render_labels(LabelJob(stock, default_sheet_layout(), (long,)))
    with pytest.raises(UserError, match="minimum x-height"):
        render_labels(LabelJob(stock, dataclasses.replace(layout, min_x_height=0.5), (long,)))


def test_draft_watermark_only_on_drafts() -> None:
    stock = builtin_catalog().get("Avery 5160")
    data = (label_data(1), label_data(2))
    for draft in (True, False):
        pdf = render_labels(LabelJob(stock, default_sheet_layout(), data, draft=draft)).pdf
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            text = "".join(c["text"] for c in doc.pages[0].chars)
        assert (text.count("DRAFT") == 2) is draft


def test_same_job_same_bytes() -> None:
    stock = builtin_catalog().get("Avery 5160")
    job = LabelJob(
        stock, default_sheet_layout(), tuple(label_data(i) for i in range(1, 5)), draft=True
    )
    assert render_labels(job).pdf == render_labels(job).pdf
    assert (
        render_preview(job.layout, stock, job.labels[0]).pdf
        == render_preview(job.layout, stock, job.labels[0]).pdf
    )


def test_fonts_are_embedded() -> None:
    pdf = render_labels(
        LabelJob(single_label_stock(100, 50), default_roll_layout(), (label_data(1),))
    ).pdf
    fonts = fonts_of(pdf)
    assert fonts and all(f.embedded and f.subset for f in fonts), fonts


def test_roll_stock_is_one_page_per_label_of_the_label_size() -> None:
    stock = single_label_stock(100, 50)
    result = render_labels(
        LabelJob(stock, default_roll_layout(), tuple(label_data(i) for i in range(1, 4)))
    )
    with pdfplumber.open(io.BytesIO(result.pdf)) as doc:
        assert len(doc.pages) == 3
        for page in doc.pages:
            assert page.width / MM == pytest.approx(100, abs=0.01)
            assert page.height / MM == pytest.approx(50, abs=0.01)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"skip": 30}, "skip"),
        ({"skip": -1}, "skip"),
        ({"offset_x": 25.0}, "offset x"),
    ],
)
def test_job_refusals_name_the_field(change, field) -> None:
    stock = builtin_catalog().get("Avery 5160")
    job = LabelJob(stock, default_sheet_layout(), (label_data(1),), **change)
    with pytest.raises(UserError) as err:
        render_labels(job)
    assert err.value.field == field and str(err.value).startswith(field)


def test_element_outside_the_label_and_unknown_field_are_refused() -> None:
    stock = builtin_catalog().get("Avery 5160")
    bad = Layout("bad", 66.7, 25.4, elements=(TextElement("name", 50, 2, 30, 5, text="x"),))
    with pytest.raises(UserError, match=r"^name: lies outside"):
        render_labels(LabelJob(stock, bad, (label_data(1),)))
    bad = Layout("bad", 66.7, 25.4, elements=(TextElement("name", 2, 2, 30, 5, text="{colour}"),))
    with pytest.raises(UserError, match=r"^name: unknown field \{colour\}"):
        render_labels(LabelJob(stock, bad, (label_data(1),)))


def test_gs1_without_gtin_is_refused_and_auto_falls_back() -> None:
    stock = builtin_catalog().get("Avery 5160")
    data = label_data(1, gtin="")
    el = BarcodeElement("code", 1, 1, 15, 15, symbology="gs1-datamatrix")
    with pytest.raises(BarcodeError, match=r"^code: a GS1 barcode needs the product's GTIN"):
        render_labels(LabelJob(stock, Layout("g", 66.7, 25.4, elements=(el,)), (data,)))
    pdf = render_labels(LabelJob(stock, default_sheet_layout(), (data,))).pdf
    (code,) = decode_pdf(pdf, 300)
    assert code.text == data.lot and code.format == "DataMatrix"


def test_calibration_page_has_a_crosshair_per_cell(catalog) -> None:
    stock = catalog.get("Avery 5160")
    pdf = calibration_pdf(stock, offset_x=1.0, offset_y=-0.5, dpi=300, profile_name="Office")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        text = page.extract_text()
        assert "offset x +1.0 mm, y -0.5 mm" in text
        assert "Office" in text
        rects = page.rects
    # one outline per cell, moved by the offset
    outlines = [r for r in rects if abs(r["width"] / MM - 66.675) < 0.05]
    assert len(outlines) == 30
    xs = sorted({round(r["x0"] / MM, 2) for r in outlines})
    assert xs[0] == pytest.approx(stock.cells()[0].x + 1.0, abs=0.01)


def test_dates_are_unambiguous() -> None:
    from smallbatch_desktop.pdf.labels import fill_template

    data = label_data(1)  # made 2026-11-02, best before 2027-11-02
    assert fill_template("{best_before}", data, name="t") == "02 Nov 2027"
    assert fill_template("{made:%d %B %Y}", data, name="t") == "02 November 2026"
    assert fill_template("{best_before:%Y-%m-%d}", data, name="t") == "2027-11-02"
    assert fill_template("{best_before:%m/%d/%Y}", data, name="t") == "11/02/2027"


def test_month_names_do_not_follow_the_process_locale() -> None:
    """Qt sets the C library's locale from the system; a label must not change with it."""
    import locale

    from smallbatch_desktop.pdf.labels import fill_template

    saved = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8", "nl_NL.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            assert dt.date(2027, 5, 2).strftime("%b") != "May"  # the locale is in force
            may = dataclasses.replace(label_data(1), best_before=dt.date(2027, 5, 2))
            assert fill_template("{best_before:%d %b %Y}", may, name="t") == "02 May 2027"
            assert fill_template("{best_before}", may, name="t") == "02 May 2027"
            return
        finally:
            locale.setlocale(locale.LC_TIME, saved)
    pytest.skip("no non-English locale installed here")


@pytest.mark.parametrize("key", ["Avery 22806", "Herma 4226"])
def test_added_stocks_print_a_label_per_cell(catalog, key: str) -> None:
    """The stocks corrections.json adds print like any other: every label inside its
    cell, every QR code decoded in the cell of its label."""
    stock = catalog.get(key)
    n = stock.per_page + 2
    data = tuple(label_data(i + 1) for i in range(n))
    w, h = stock.label_width, stock.label_height
    if h >= 30:
        layout = small_layout(w, h)
    else:  # Herma 4226's 48 x 17 mm: name and lot beside a 13 mm QR code
        layout = Layout(
            name="test tiny",
            width=w,
            height=h,
            elements=(
                TextElement("product", 1.5, 1.5, w - 17, 4.5, text="{product}", size=7, bold=True),
                TextElement("lot", 1.5, 7.0, w - 17, 3.2, text="{lot}", size=6, wrap=False),
                BarcodeElement("code", w - 14.5, 1.9, 13.0, 13.0, symbology="qr"),
            ),
        )
    job = LabelJob(stock=stock, layout=layout, labels=data)
    result = render_labels(job)
    assert result.pages == 2
    check_inside_cells(result.pdf, stock, skip=0, count=n)
    codes = decode_pdf(result.pdf, 300)
    got = {(c.page, cell_of(stock, c.x, c.y)): c.text for c in codes}
    per_page = stock.per_page
    assert got == {divmod(i, per_page): f"HS-2611-{i + 1:03d}" for i in range(n)}


def test_the_layouts_own_spacing_is_kept() -> None:
    """ "Best before {date}   Lot {lot}": the three spaces the layout puts between the two
    facts print as three spaces (they were collapsed to one, running them together)."""
    el = TextElement("dates", 2, 2, 90, 5, text="Best before 2027   Lot {lot}", size=8, wrap=False)
    one = TextElement("one", 2, 10, 90, 5, text="Best before 2027 Lot {lot}", size=8, wrap=False)
    layout = Layout("spacing", 100, 20, elements=(el, one))
    pdf = render_labels(LabelJob(single_label_stock(100, 20), layout, (label_data(1),))).pdf
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[0].chars
    rows: dict[int, list[dict]] = {}
    for c in chars:
        rows.setdefault(round(c["top"]), []).append(c)
    (wide, narrow) = [sorted(cs, key=lambda c: c["x0"]) for _, cs in sorted(rows.items())]

    def gap(cs: list[dict]) -> float:  # from the 7 of 2027 to the L of Lot
        seven = next(c for c in cs if c["text"] == "7")
        lot = next(c for c in cs if c["text"] == "L")
        return lot["x0"] - seven["x1"]

    space = gap(narrow)
    assert gap(wide) == pytest.approx(3 * space, rel=0.02)
