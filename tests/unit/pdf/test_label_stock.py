"""The gLabels stock catalog: parsing, units, equivalents, search, custom stock."""

from __future__ import annotations

from pathlib import Path

import pytest

from smallbatch_desktop.domain.errors import NotFoundError, ValidationError
from smallbatch_desktop.domain.label_stock import (
    ROLL,
    SHEET,
    builtin_catalog,
    catalog_dir,
    length_mm,
    parse_catalog,
    parse_size_query,
    stock_from_geometry,
)


@pytest.fixture(scope="module")
def catalog():
    return builtin_catalog()


ADDED = ("Avery 22806", "Herma 4226")  # corrections.json "added": not in gLabels


def test_counts_match_the_design_doc(catalog) -> None:
    # the gLabels catalogue's own templates, then the stocks corrections.json adds
    assert len(catalog.stocks) == 1759 + len(ADDED)
    assert catalog.distinct_layouts == 1127 + len(ADDED)
    assert len({s.key.lower() for s in catalog.stocks}) == 1759 + len(ADDED)


def test_licence_travels_with_the_catalog() -> None:
    text = (catalog_dir() / "LICENSE").read_text()
    assert "Permission is hereby granted" in text


def test_parse_is_cached(catalog) -> None:
    # speed belongs in bench/, not in a timed unit test (it failed on a loaded machine)
    assert builtin_catalog() is catalog
    again = parse_catalog(catalog_dir())
    assert again is not catalog and len(again.stocks) == len(catalog.stocks)


@pytest.mark.parametrize(
    "text, mm",
    [
        ("2.625in", 66.675),
        ("0 pt", 0.0),
        ("72", 25.4),
        ("1cm", 10.0),
        ("1pc", 4.233333),
        ("3.2mm", 3.2),
        ("3.93386e-16pt", 0.0),
        ("in", 0.0),
    ],
)
def test_lengths(text: str, mm: float) -> None:
    assert length_mm(text) == pytest.approx(mm, abs=1e-6)


def test_avery_5160_geometry(catalog) -> None:
    s = catalog.get("avery  5160")
    assert s.kind == SHEET and s.paper == "US-Letter"
    assert (s.page_width, s.page_height) == (215.9, 279.4)
    assert (s.label_width, s.label_height, s.corner_radius) == (66.675, 25.4, 1.5875)
    cells = s.cells()
    assert len(cells) == 30
    # Avery's published geometry (gLabels has a 2.78125 in pitch: corrections.json)
    assert (cells[0].x, cells[0].y) == pytest.approx((4.7625, 12.7))
    assert (cells[1].x, cells[3].y) == pytest.approx((4.7625 + 69.85, 12.7 + 25.4))


def test_equivalents_resolve_to_their_base(catalog) -> None:
    s = catalog.get("Avery 8160")
    base = catalog.get("Avery 5160")
    assert s.equiv_of == "Avery 5160"
    assert s.cells() == base.cells() and s.page_width == base.page_width


def test_shapes_are_approximated_by_their_box(catalog) -> None:
    shapes = {s.shape for s in catalog.stocks}
    assert {"rectangle", "round", "ellipse", "cd"} <= shapes
    rnd = next(s for s in catalog.stocks if s.shape == "round")
    assert rnd.approximated and rnd.label_width == rnd.label_height == 2 * rnd.corner_radius
    assert not catalog.get("Avery 5160").approximated


def test_multiple_layouts_are_merged_in_reading_order(catalog) -> None:
    multi = next(s for s in catalog.stocks if len(s.layouts) > 1 and not s.equiv_of)
    cells = multi.cells()
    assert len(cells) == sum(g.nx * g.ny for g in multi.layouts)
    assert cells == sorted(cells, key=lambda c: (round(c.y, 2), round(c.x, 2)))


def test_roll_stock_is_a_label_sized_page(catalog) -> None:
    s = catalog.get("Brother DK-1202")
    assert s.kind == ROLL and s.roll_width == 67.0
    assert (s.page_width, s.page_height) == (s.label_width, s.label_height) == (61.98, 99.82)
    assert len(s.cells()) == 1


@pytest.mark.parametrize("query", ["5160", "avery 5160", "AVERY 5160"])
def test_search_by_part(catalog, query: str) -> None:
    assert catalog.search(query)[0].key == "Avery 5160"


def test_search_l7160(catalog) -> None:
    assert catalog.search("L7160")[0].key == "Avery L7160"


@pytest.mark.parametrize("query", ["63.5 x 38.1", "63.5x38.1", "63,5 x 38,1", "38.1 X 63.5 mm"])
def test_search_by_size(catalog, query: str) -> None:
    found = catalog.search(query, limit=500)
    assert len(found) > 10
    assert "Avery L7160" in {s.key for s in found}
    for s in found:
        dims = sorted((s.label_width, s.label_height))
        assert dims[0] == pytest.approx(38.1, abs=0.5) and dims[1] == pytest.approx(63.5, abs=0.5)


def test_search_by_size_in_inches_and_brand(catalog) -> None:
    found = catalog.search("avery 2.625 x 1 in", limit=100)
    assert found and all(s.brand == "Avery" for s in found)
    assert "Avery 5160" in {s.key for s in found}
    assert parse_size_query('2 x 4"') == ((50.8, 101.6), "")


def test_unknown_key(catalog) -> None:
    with pytest.raises(NotFoundError, match="stock"):
        catalog.get("Nobody 0000")
    assert catalog.search("zzzz-no-such-part") == []


def test_custom_sheet_and_roll(catalog) -> None:
    sheet = stock_from_geometry(
        "custom:1",
        "Jar labels",
        "sheet",
        {"paper": "A4", "label_width": 70, "label_height": "37", "columns": 3, "rows": 8},
        catalog.papers,
    )
    assert sheet.per_page == 24 and sheet.cells()[-1].y == pytest.approx(7 * 37)
    roll = stock_from_geometry(
        "custom:2",
        "Thermal",
        "roll",
        {"label_width": "100", "label_height": "50", "gap": 3},
        catalog.papers,
    )
    assert roll.kind == ROLL and (roll.page_width, roll.page_height) == (100, 50)


@pytest.mark.parametrize(
    "geometry, field",
    [
        (
            {"paper": "A4", "label_width": 80, "label_height": 37, "columns": 3, "rows": 8},
            "columns",
        ),
        ({"paper": "A4", "label_width": 70, "label_height": 40, "columns": 3, "rows": 8}, "rows"),
        ({"paper": "A9", "label_width": 70, "label_height": 40}, "columns"),
        ({"paper": "Foolscap", "label_width": 70, "label_height": 40}, "paper"),
        ({"paper": "A4", "label_width": "abc", "label_height": 40}, "label_width"),
        ({"paper": "A4", "label_width": 2, "label_height": 40}, "label_width"),
        (
            {"paper": "A4", "label_width": 20, "label_height": 20, "corner_radius": 11},
            "corner_radius",
        ),
    ],
)
def test_custom_stock_refusals_name_the_field(catalog, geometry, field) -> None:
    with pytest.raises(ValidationError) as err:
        stock_from_geometry("custom:9", "x", "sheet", geometry, catalog.papers)
    assert err.value.field == field


def test_parser_takes_a_namespaced_file(tmp_path: Path) -> None:
    (tmp_path / "x-templates.xml").write_text(
        '<?xml version="1.0"?><Glabels-templates xmlns="http://glabels.org/xmlns/3.0/">'
        '<Template brand="Acme" part="1" size="other" width="100mm" height="50mm">'
        '<Label-ellipse id="0" width="40mm" height="20mm"><Markup-margin size="1mm"/>'
        '<Layout nx="2" ny="1" x0="5mm" y0="5mm" dx="50mm" dy="0"/></Label-ellipse></Template>'
        '<Template brand="Acme" part="2" equiv="1"/><Template brand="Acme" part="3" equiv="2"/>'
        "</Glabels-templates>"
    )
    cat = parse_catalog(tmp_path)
    assert [s.key for s in cat.stocks] == ["Acme 1", "Acme 2", "Acme 3"]
    s = cat.get("Acme 3")
    assert s.shape == "ellipse" and s.approximated and s.equiv_of == "Acme 1"
    assert [(c.x, c.y) for c in s.cells()] == [(5.0, 5.0), (55.0, 5.0)]


def test_parser_refuses_entities(tmp_path: Path) -> None:
    """defusedxml: a 'billion laughs' file is refused, not expanded."""
    from defusedxml import DefusedXmlException

    (tmp_path / "evil-templates.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<Glabels-templates>&b;</Glabels-templates>"
    )
    with pytest.raises(DefusedXmlException):
        parse_catalog(tmp_path)


# --------------------------------------------------------------------------- corrections

IN = 25.4

#: the manufacturers' published geometry (see resources/label-stock/corrections.json):
#: stock -> (label w, h, columns, rows, top margin, side margin, horizontal, vertical pitch)
PUBLISHED = {
    "Avery 5160": (2.625 * IN, 1 * IN, 3, 10, 0.5 * IN, 0.1875 * IN, 2.75 * IN, 1 * IN),
    "Avery 5163": (4 * IN, 2 * IN, 2, 5, 0.5 * IN, 0.15625 * IN, 4.1875 * IN, 2 * IN),
    "Avery 5164": (4 * IN, 10 / 3 * IN, 2, 3, 0.5 * IN, 0.15625 * IN, 4.1875 * IN, 10 / 3 * IN),
    "Avery 5167": (1.75 * IN, 0.5 * IN, 4, 20, 0.5 * IN, 0.28125 * IN, 2.0625 * IN, 0.5 * IN),
    "Avery L7160": (63.5, 38.1, 3, 7, 15.15, 7.21, 66.04, 38.1),
    "Avery L7163": (99.1, 38.1, 2, 7, 15.15, 4.65, 101.6, 38.1),
    "Avery L7165": (99.1, 67.7, 2, 4, 13.1, 4.65, 101.6, 67.7),
    "Avery L7651": (38.1, 21.2, 5, 13, 10.7, 4.67, 40.64, 21.2),
}


@pytest.mark.parametrize("key", sorted(PUBLISHED))
def test_most_used_stocks_have_the_published_geometry(catalog, key: str) -> None:
    w, h, nx, ny, top, side, dx, dy = PUBLISHED[key]
    s = catalog.get(key)
    (grid,) = s.layouts
    assert (grid.nx, grid.ny) == (nx, ny)
    got = (s.label_width, s.label_height, grid.y0, grid.x0, grid.dx, grid.dy)
    assert got == pytest.approx((w, h, top, side, dx, dy), abs=0.005)
    # the published sheets are symmetric: what is left at the right and bottom equals the
    # side and top margins (a wrong pitch shows up here as a lopsided sheet)
    right = s.page_width - grid.x0 - (nx - 1) * grid.dx - s.label_width
    bottom = s.page_height - grid.y0 - (ny - 1) * grid.dy - s.label_height
    assert (right, bottom) == pytest.approx((side, top), abs=0.02)
    # the last label's cell is where the published pitch puts it
    last = s.cells()[-1]
    assert (last.x, last.y) == pytest.approx((side + (nx - 1) * dx, top + (ny - 1) * dy), abs=0.01)


@pytest.mark.parametrize("key, base", [("Avery J8160", "Avery 7160"), ("Avery 8160", "Avery 5160")])
def test_equivalents_follow_a_corrected_base(catalog, key: str, base: str) -> None:
    assert base in catalog.corrected
    assert catalog.get(key).cells() == catalog.get(base).cells()


def test_every_correction_is_applied_and_sourced(catalog) -> None:
    import json

    data = json.loads((catalog_dir() / "corrections.json").read_text(encoding="utf-8"))
    named = [c["stock"] for c in data["corrections"]]
    assert sorted(catalog.corrected) == sorted(named)
    assert all(c["source"] and c["note"] for c in data["corrections"])


def test_a_stale_correction_is_an_error(tmp_path) -> None:
    """If gLabels' figures change, a correction that no longer describes them refuses to
    load instead of moving a stock that may now be right."""
    import json
    import shutil

    for name in ("avery-us-templates.xml", "paper-sizes.xml"):
        shutil.copy(catalog_dir() / name, tmp_path)
    entry = {
        "stock": "Avery 5160",
        "source": "test",
        "glabels": {"dx": "2.8in"},
        "set": {"dx": "2.75in"},
    }
    (tmp_path / "corrections.json").write_text(json.dumps({"corrections": [entry]}))
    with pytest.raises(ValueError, match=r"Avery 5160: gLabels' dx is 70\.644 mm"):
        parse_catalog(tmp_path)
    entry["glabels"] = {"dx": "2.78125in"}
    (tmp_path / "corrections.json").write_text(json.dumps({"corrections": [entry]}))
    assert parse_catalog(tmp_path).get("Avery 5160").layouts[0].dx == pytest.approx(69.85)


# ------------------------------------------------ checked against an independent reference

_LO_FIELDS = ("dx", "dy", "width", "height", "x0", "y0")  # LibreOffice's Measure order


def _data() -> dict:
    import json

    return json.loads((catalog_dir() / "corrections.json").read_text(encoding="utf-8"))


def _our_geometry(stock) -> dict[str, float]:
    (grid,) = stock.layouts
    return {
        "dx": grid.dx,
        "dy": grid.dy,
        "width": stock.label_width,
        "height": stock.label_height,
        "x0": grid.x0,
        "y0": grid.y0,
        "nx": grid.nx,
        "ny": grid.ny,
    }


def _referenced() -> list[dict]:
    """Corrected and checked stocks, and the added stocks a reference verifies."""
    data = _data()
    added = [e for e in data["added"] if e.get("reference")]
    return [*data["corrections"], *data["checked"], *added]


_REFERENCED = [e["stock"] for e in _referenced()]


@pytest.mark.parametrize("key", _REFERENCED)
def test_stock_agrees_with_its_independent_reference(catalog, key: str) -> None:
    """Every corrected, checked or verified added stock against LibreOffice's label
    database (1/100 mm), recorded beside it: within 0.07 mm (its rounding and the
    inch/mm conversions), except the figures the data says differ, each with its reason;
    and those must differ."""
    entry = next(e for e in _referenced() if e["stock"] == key)
    ref = entry["reference"]
    assert "Labels.xcu" in ref["source"] and "LibreOffice/core" in ref["source"]
    kind, *numbers = ref["measure"].split(";")
    assert kind == "S"
    values = [int(n) for n in numbers]
    expected = {f: v / 100 for f, v in zip(_LO_FIELDS, values[:6], strict=True)}
    ours = _our_geometry(catalog.get(key))
    assert (ours["nx"], ours["ny"]) == (values[6], values[7])
    differs = entry.get("differs", {})
    assert set(differs) <= set(_LO_FIELDS)
    for field in _LO_FIELDS:
        gap = abs(ours[field] - expected[field])
        if field in differs:
            assert gap > 0.02 and differs[field], (key, field)
        else:
            assert gap <= 0.07, (key, field, ours[field], expected[field])


# ------------------------------------------------------------- stocks gLabels does not have


@pytest.mark.parametrize("key", ADDED)
def test_added_stock_is_in_the_catalogue_with_its_source(catalog, key: str) -> None:
    from smallbatch_desktop.domain.label_stock import length_mm

    entry = next(e for e in _data()["added"] if e["stock"] == key)
    stock = catalog.get(key)
    assert catalog.search(stock.part)[0] is stock  # found by its part number
    assert entry["source"] and entry["verified"] in (True, False)
    # verified only with the published reference that gives its figures (checked against
    # them above); otherwise a maker choosing it sees that its margins are unverified
    assert entry["verified"] is ("reference" in entry)
    assert ("unverified" in stock.title) is not entry["verified"]
    assert ("unverified" in stock.description) is not entry["verified"]
    ours = _our_geometry(stock)
    for field in ("width", "height", "x0", "y0", "dx", "dy"):
        assert ours[field] == pytest.approx(length_mm(entry[field]))
    assert (ours["nx"], ours["ny"]) == (entry["nx"], entry["ny"])
    # every label on the sheet, none overlapping
    cells = stock.cells()
    assert len(cells) == entry["nx"] * entry["ny"]
    for c in cells:
        assert c.x >= 0 and c.y >= 0
        assert c.x + c.w <= stock.page_width + 1e-6 and c.y + c.h <= stock.page_height + 1e-6
    assert ours["dx"] >= ours["width"] and ours["dy"] >= ours["height"]
    # the grid is centred (assumed where unverified, published so where verified): what
    # is left at the right and bottom equals the left and top margins
    right = stock.page_width - cells[-1].x - cells[-1].w
    bottom = stock.page_height - cells[-1].y - cells[-1].h
    assert (right, bottom) == pytest.approx((ours["x0"], ours["y0"]), abs=0.01)


def test_avery_22806_and_herma_4226_geometry() -> None:
    """The figures themselves, as the sources in corrections.json give them."""
    cat = builtin_catalog()
    a = cat.get("Avery 22806")
    assert (a.paper, a.label_width, a.label_height, a.per_page) == ("US-Letter", 50.8, 50.8, 12)
    assert a.layouts[0].dx == pytest.approx(2.625 * IN) and a.layouts[0].dy == pytest.approx(
        2.6 * IN
    )
    assert "unverified" in a.title
    # Herma 4226 as LibreOffice's Herma A4 entry gives it: 48.26 x 16.93 mm, 4 x 16 touching
    # labels, 8.48 mm from the left and 13.06 mm from the top (not the 70 x 42.3 mm, 21 per
    # sheet that a third-party table had)
    h = cat.get("Herma 4226")
    (grid,) = h.layouts
    assert (h.paper, grid.nx, grid.ny, h.per_page) == ("A4", 4, 16, 64)
    got = (h.label_width, h.label_height, grid.x0, grid.y0, grid.dx, grid.dy)
    assert got == pytest.approx((48.26, 16.93, 8.48, 13.06, 48.26, 16.93), abs=1e-9)
    assert (
        h.title == "Herma 4226: 48.26 x 16.93 mm, 64 per sheet (SuperPrint labels, white, opaque)"
    )
    # the same label size as gLabels' Herma 4271 (equivalent of 4607, "48,3 x 16,9 mm"),
    # which LibreOffice gives the same geometry as 4226
    g = cat.get("Herma 4271")
    assert (g.label_width, g.label_height, g.per_page) == pytest.approx((48.3, 16.9, 64), abs=0.05)
    last = h.cells()[-1]
    assert (last.x + last.w, last.y + last.h) == pytest.approx((210 - 8.48, 297 - 13.06))


def test_a_verified_addition_needs_its_reference(tmp_path) -> None:
    """An added stock may not call itself verified without the published figures."""
    import json
    import shutil

    shutil.copy(catalog_dir() / "paper-sizes.xml", tmp_path)
    added = dict(next(e for e in _data()["added"] if e["stock"] == "Herma 4226"))
    (tmp_path / "corrections.json").write_text(json.dumps({"corrections": [], "added": [added]}))
    assert parse_catalog(tmp_path).get("Herma 4226").per_page == 64
    del added["reference"]
    (tmp_path / "corrections.json").write_text(json.dumps({"corrections": [], "added": [added]}))
    with pytest.raises(ValueError, match="Herma 4226: bad added stock"):
        parse_catalog(tmp_path)


def test_an_added_stock_glabels_gains_is_an_error(tmp_path) -> None:
    """If gLabels adds the stock, its own template wins and the addition must go."""
    import json
    import shutil

    for name in ("avery-us-templates.xml", "paper-sizes.xml"):
        shutil.copy(catalog_dir() / name, tmp_path)
    added = next(e for e in _data()["added"] if e["stock"] == "Avery 22806")
    (tmp_path / "corrections.json").write_text(json.dumps({"corrections": [], "added": [added]}))
    assert parse_catalog(tmp_path).get("Avery 22806").per_page == 12
    clash = dict(added, stock="Avery 5160")
    (tmp_path / "corrections.json").write_text(json.dumps({"corrections": [], "added": [clash]}))
    with pytest.raises(ValueError, match="Avery 5160 is in the catalogue now"):
        parse_catalog(tmp_path)
