"""GS1 data rules, Digital Link, symbol geometry and printability."""

from __future__ import annotations

import datetime as dt

import pytest
import zxingcpp

from smallbatch_desktop.domain.gs1 import (
    BarcodeError,
    digital_link,
    gs1_check_digit,
    gs1_element_string,
    normalize_gtin,
    yymmdd,
)
from smallbatch_desktop.pdf.barcodes import make_symbol, place_symbol


def test_check_digit() -> None:
    assert gs1_check_digit("0950600013435") == 2
    assert gs1_check_digit("400638133393") == 1  # EAN-13 4006381333931
    assert normalize_gtin("4006381333931") == "04006381333931"
    assert normalize_gtin("0950-6000-1343-52") == "09506000134352"


@pytest.mark.parametrize("bad", ["09506000134353", "1234", "abcdefghijklmn", ""])
def test_bad_gtin_is_refused(bad: str) -> None:
    with pytest.raises(BarcodeError, match=r"^GTIN"):
        normalize_gtin(bad)


def test_element_string_puts_variable_ais_last() -> None:
    s = gs1_element_string(
        [("10", "AB-1"), ("01", "09506000134352"), ("17", "271231"), ("21", "5")]
    )
    assert s == "(01)09506000134352(17)271231(10)AB-1(21)5"


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([("10", "A" * 21)], "longer than 20"),
        ([("10", "a b")], "characters GS1 does not allow"),
        ([("15", "2712")], "must be 6 digits"),
        ([("99", "x")], "not supported"),
        ([("10", "A"), ("10", "B")], "twice"),
    ],
)
def test_element_string_refusals(pairs, message: str) -> None:
    with pytest.raises(BarcodeError, match=message):
        gs1_element_string(pairs, field="code")


def test_yymmdd_and_digital_link() -> None:
    assert yymmdd(dt.date(2027, 3, 9)) == "270309"
    url = digital_link(
        "https://example.com/", "9506000134352", "A/1%", date_ai="17", day=dt.date(2027, 3, 9)
    )
    assert url == "https://example.com/01/09506000134352/10/A%2F1%25?17=270309"


def test_gs1_symbol_decodes_as_gs1_with_fnc1() -> None:
    content = "(01)09506000134352(15)271231(10)AB-1(21)7"
    for sym in ("gs1-128", "gs1-datamatrix"):
        s = make_symbol(sym, content)
        assert s.hri == content
        assert s.rect_count == s.ops.count(" re")
        # zxing's own rendering of the same content decodes as GS1 with a GS separator
        b = zxingcpp.create_barcode(
            content,
            getattr(zxingcpp.BarcodeFormat, "Code128" if sym == "gs1-128" else "DataMatrix"),
            gs1=True,
        )
        (decoded,) = zxingcpp.read_barcodes(b.to_image(scale=4))
        assert decoded.content_type == zxingcpp.ContentType.GS1
        assert decoded.bytes.endswith(b"10AB-1\x1d217")


def test_module_rects_cover_exactly_the_dark_modules() -> None:
    s = make_symbol("qr", "HS-26327-01")
    b = zxingcpp.create_barcode("HS-26327-01", zxingcpp.BarcodeFormat.QRCode)
    img = b.to_image(scale=1, add_quiet_zones=False)
    data = bytes(memoryview(img))
    dark = {(i % s.cols, s.rows - 1 - i // s.cols) for i, v in enumerate(data) if v == 0}
    covered = set()
    for line in s.ops.splitlines():
        x, y, w, h, _ = line.split()
        for dx in range(int(w)):
            for dy in range(int(h)):
                covered.add((int(x) + dx, int(y) + dy))
    assert covered == dark


def test_placement_snaps_to_dots_and_keeps_quiet_zones() -> None:
    s = make_symbol("code128", "HS-26327-01")
    p = place_symbol(s, 60.0, 15.0, 203, name="code")
    dot = 25.4 / 203
    assert p.dots >= 2 and p.module == pytest.approx(p.dots * dot)
    assert p.x >= 10 * p.module - 1e-9  # quiet zone on the left...
    assert 60.0 - (p.x + p.width) >= 10 * p.module - 1e-9  # ...and on the right
    q = make_symbol("qr", "HS-26327-01")
    p = place_symbol(q, 10.0, 10.0, 300, name="code")
    assert p.x >= 4 * p.module - 1e-9 and p.y >= 4 * p.module - 1e-9


def test_printability_warns_then_refuses() -> None:
    s = make_symbol("code128", "HS-26327-01-LONGER-DATA")
    modules = s.cols + 20
    dot = 25.4 / 203
    warned = place_symbol(s, modules * dot * 1.5, 15.0, 203, name="code")
    assert warned.dots == 1 and warned.warnings and warned.warnings[0].startswith("code:")
    with pytest.raises(BarcodeError, match=r"^code: barcode needs"):
        place_symbol(s, modules * dot * 0.9, 15.0, 203, name="code")
    ok = place_symbol(s, modules * dot * 2.2, 15.0, 203, name="code")
    assert ok.dots == 2 and not ok.warnings


def test_data_matrix_is_always_square() -> None:
    """zxing would pick a 8 x 64 rectangle (DMRE) for this; many scanners do not read it."""
    s = make_symbol("gs1-datamatrix", "(01)00614141000012(15)270929(10)HHS-26272-01")
    assert s.cols == s.rows


def _rectangles_one_by_one(symbology: str, content: str) -> list[str]:
    """The symbol's dark runs found row by row in the bare module image, as simply as
    possible: what make_symbol's one pass over the quiet-zoned image must give."""
    fmt = {"qr": "QRCode", "gs1-datamatrix": "DataMatrix", "gs1-128": "Code128"}[symbology]
    extra = {"forceSquare": True} if fmt == "DataMatrix" else {}
    barcode = zxingcpp.create_barcode(
        content, getattr(zxingcpp.BarcodeFormat, fmt), gs1=symbology != "qr", **extra
    )
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    height, width = image.shape[0], image.shape[1]
    data = bytes(memoryview(image))
    rows = 1 if fmt == "Code128" else height
    out = []
    for r in range(rows):
        x = 0
        while x < width:
            if data[r * width + x] == 0:
                end = x
                while end < width and data[r * width + end] == 0:
                    end += 1
                out.append(f"{x} {rows - 1 - r} {end - x} 1 re")
                x = end
            else:
                x += 1
    return out


@pytest.mark.parametrize(
    ("symbology", "content"),
    [
        ("qr", "https://example.org/l/HS-2611-00001/1"),
        ("qr", "x" * 300),
        ("gs1-datamatrix", "(01)09506000134352(15)271102(10)HS-2611-00001(21)1"),
        ("gs1-datamatrix", "(01)09506000134352(10)A"),
        ("gs1-128", "(01)09506000134352(15)271102(10)HS-2611-00001"),
    ],
)
def test_every_dark_run_is_one_rectangle_in_its_row(symbology: str, content: str) -> None:
    make_symbol.cache_clear()
    symbol = make_symbol(symbology, content)
    expected = _rectangles_one_by_one(symbology, content)
    assert symbol.ops.split("\n") == expected
    assert symbol.rect_count == len(expected)
    again = make_symbol.__wrapped__(symbology, content)  # the run tables are warm now
    assert again.ops == symbol.ops
