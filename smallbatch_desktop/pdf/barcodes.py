"""Barcodes: symbols as vector modules (the GS1 data they carry is checked in ``domain.gs1``).

Symbols are encoded by zxing-cpp (``create_barcode``; ``gs1=True`` for GS1, which is the
switch that adds FNC1: ``options="gs1"`` is silently ignored) and drawn by us as vector
rectangles on the ReportLab canvas.  Each dark run of modules becomes one rectangle;
the whole symbol is one PDF path in
module units, and a ``cm`` transform scales it: a symbol costs one content-stream string,
cached per data string, however often it is placed.

Printability: the module size is a whole number of printer dots, so every bar edge
falls on a dot edge.  A module under 2 dots wide is a warning (it may not scan); under 1
dot it is refused, naming the element.  A GS1 symbol's module is never below the GS1
minimum X-dimension for its use (``domain.gs1.GS1_USES``): the smallest whole number of
dots at or above it, and a box too small for that is refused, naming the element.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from smallbatch_desktop.domain.gs1 import BarcodeError

MM_PER_INCH = 25.4

# --------------------------------------------------------------------------- symbols

#: our symbology name -> (zxing format name, gs1, linear, quiet zone in modules)
FORMATS: dict[str, tuple[str, bool, bool, int]] = {
    "code128": ("Code128", False, True, 10),
    "gs1-128": ("Code128", True, True, 10),
    "qr": ("QRCode", False, False, 4),
    "gs1-digital-link-qr": ("QRCode", False, False, 4),
    "datamatrix": ("DataMatrix", False, False, 1),
    "gs1-datamatrix": ("DataMatrix", True, False, 1),
}


_DARK = re.compile(rb"\x00+")
_span = re.Match.span


@dataclass(frozen=True, slots=True)
class Symbol:
    """An encoded symbol as vector data, independent of size and position.

    ``ops`` is a PDF path in module units (origin bottom-left, y up; linear symbols are
    one unit high) ready to be scaled by a ``cm`` transform and filled.
    """

    symbology: str
    content: str
    hri: str
    linear: bool
    cols: int
    rows: int
    quiet: int
    ops: str
    rect_count: int


def _zxing_format(name: str) -> Any:
    import zxingcpp

    return getattr(zxingcpp.BarcodeFormat, name)


@lru_cache(maxsize=4096)
def make_symbol(symbology: str, content: str) -> Symbol:
    """Encode ``content`` (for GS1 the "(01)..." element string) into a ``Symbol``.

    Raises ``ValueError`` from the encoder for content it cannot hold; callers turn that
    into a ``BarcodeError`` naming their element.
    """
    import zxingcpp

    fmt_name, gs1, linear, quiet = FORMATS[symbology]
    # square Data Matrix only: zxing picks rectangular (DMRE) shapes for long data, which
    # many handheld scanners and printers' firmware do not read
    extra = {"forceSquare": True} if fmt_name == "DataMatrix" else {}
    barcode = zxingcpp.create_barcode(content, _zxing_format(fmt_name), gs1=gs1, **extra)
    bare = barcode.to_image(scale=1, add_quiet_zones=False)
    image = barcode.to_image(scale=1, add_quiet_zones=True)
    height, width = int(bare.shape[0]), int(bare.shape[1])
    stride = int(image.shape[1])
    data = bytes(memoryview(image))  # type: ignore[arg-type]  # Image has the buffer protocol
    rows = 1 if linear else height
    # one rectangle per horizontal run of dark modules ("x y w 1 re", y up from the
    # bottom row); merging equal runs of consecutive rows as well saves under 20 % of
    # the rectangles but costs more Python time than it saves in the PDF.  The quiet
    # zones keep every run within its row, so one regex pass finds them all.
    runs = _span_ops(stride, (stride - width) // 2, (int(image.shape[0]) - height) // 2, rows)
    limit = stride if linear else len(data)  # a linear symbol: its first row
    ops = "\n".join(map(runs.__getitem__, map(_span, _DARK.finditer(data, 0, limit))))
    hri = barcode.text if gs1 else content
    return Symbol(
        symbology=symbology,
        content=content,
        hri=hri,
        linear=linear,
        cols=width,
        rows=rows,
        quiet=quiet,
        ops=ops,
        rect_count=ops.count(" re"),
    )


class _SpanOps(dict[tuple[int, int], str]):
    """A run of dark modules in a symbol image with quiet zones, ``(start, end)`` in the
    image's bytes -> its rectangle, ``"x y width 1 re"`` in modules (y up from the
    symbol's bottom row).  One table per image size serves every symbol of that size:
    a sheet of labels asks for the same few thousand runs again and again."""

    def __init__(self, stride: int, quiet_x: int, quiet_y: int, rows: int) -> None:
        super().__init__()
        self.stride, self.quiet_x, self.quiet_y, self.rows = stride, quiet_x, quiet_y, rows

    def __missing__(self, span: tuple[int, int]) -> str:
        if len(self) > 100_000:  # a bound for a long session of large symbols
            self.clear()
        a, b = span
        r, x = divmod(a, self.stride)
        ops = self[span] = f"{x - self.quiet_x} {self.rows - 1 - r + self.quiet_y} {b - a} 1 re"
        return ops


@lru_cache(maxsize=64)
def _span_ops(stride: int, quiet_x: int, quiet_y: int, rows: int) -> _SpanOps:
    return _SpanOps(stride, quiet_x, quiet_y, rows)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where and how big a symbol is drawn, in mm within its element box."""

    module: float  # module width, mm
    dots: int  # module width in printer dots (0 when not snapped)
    x: float  # left of the first bar (quiet zone excluded), from the box's left
    y: float  # top of the symbol, from the box's top
    width: float  # symbol width without quiet zones
    height: float  # symbol (bar) height
    warnings: tuple[str, ...] = ()


def place_symbol(
    symbol: Symbol,
    box_w: float,
    box_h: float,
    dpi: int,
    *,
    name: str,
    hri_height: float = 0.0,
    min_module: float = 0.0,
    min_reason: str = "",
) -> Placement:
    """Size a symbol to fit its box, snapped to printer dots; refuse what cannot print.

    Linear symbols take the box width (with 10-module quiet zones each side) and the box
    height less the human-readable line; matrix symbols take the largest square that fits
    with their quiet zone (QR 4 modules, Data Matrix 1).  ``min_module`` (mm) is the
    smallest module allowed (a GS1 minimum X-dimension, explained by ``min_reason``).
    """
    dot = MM_PER_INCH / dpi
    total_cols = symbol.cols + 2 * symbol.quiet
    if symbol.linear:
        raw = box_w / total_cols
    else:
        total_rows = symbol.rows + 2 * symbol.quiet
        raw = min(box_w / total_cols, box_h / total_rows)
    dots = math.floor(raw / dot + 1e-6)
    min_dots = max(1, math.ceil(min_module / dot - 1e-6)) if min_module > 0 else 0
    if min_module > 0 and dots < min_dots:
        x = min_dots * dot
        need_w = total_cols * x
        what = f"{need_w:.1f} mm wide"
        if not symbol.linear:
            need_h = (symbol.rows + 2 * symbol.quiet) * x
            what = f"{need_w:.1f} x {need_h:.1f} mm"
        raise BarcodeError(
            f"{name}: {min_reason} asks modules of at least {min_module:.3f} mm; at "
            f"{dpi} dpi that is {min_dots} printer dots ({x:.3f} mm), so the symbol with its "
            f"quiet zones needs {what} but the box is {box_w:.1f} x {box_h:.1f} mm; make "
            "the element bigger or the data shorter",
            field=name,
        )
    warnings: list[str] = []
    if dots < 1:
        need = total_cols * dot
        raise BarcodeError(
            f"{name}: barcode needs {total_cols} modules of at least one printer dot "
            f"({dot:.3f} mm at {dpi} dpi), that is {need:.1f} mm, but the box is "
            f"{box_w:.1f} mm wide; make the element bigger or the data shorter",
            field=name,
        )
    if dots < 2:
        warnings.append(
            f"{name}: barcode modules are 1 printer dot ({dot:.3f} mm at {dpi} dpi); "
            "it may not scan: make the element bigger or the data shorter"
        )
    module = dots * dot
    width = symbol.cols * module
    if symbol.linear:
        height = box_h - hri_height
        if height < 3.0:
            raise BarcodeError(
                f"{name}: bars would be {height:.1f} mm high; give the barcode at least "
                f"{3.0 + hri_height:.1f} mm of height",
                field=name,
            )
        if height < 6.0:
            warnings.append(
                f"{name}: bars are only {height:.1f} mm high; 6 mm or more scans better"
            )
        x = (box_w - width) / 2
        y = 0.0
    else:
        height = symbol.rows * module
        x = (box_w - width) / 2
        y = (box_h - height) / 2
    return Placement(module, dots, x, y, width, height, tuple(warnings))


def symbol_ops(symbol: Symbol, x_pt: float, y_pt: float, sx_pt: float, sy_pt: float) -> str:
    """The content-stream snippet drawing ``symbol`` with its bottom-left at (x, y) pt."""
    return f"q {sx_pt:.5f} 0 0 {sy_pt:.5f} {x_pt:.4f} {y_pt:.4f} cm\n{symbol.ops}\nf Q"
