"""A label layout as plain data: frozen dataclasses that round-trip through JSON.

A layout is what ``LabelLayout.data`` stores and what the designer edits: a list of
elements placed in millimetres from the label's top-left corner.  Keeping it as data
(not as drawing code) lets one renderer serve the designer preview, the print dialog and
the command line, and lets a saved layout outlive any change to the renderer.

Text elements hold a template with fields in braces, filled from a ``LabelData``:
``{product}``, ``{lot}``, ``{made}``, ``{best_before}`` (dates take a strftime format:
``{best_before:%d %b %Y}``), ``{net_quantity}``, ``{producer}``, ``{address}``,
``{allergens}``, ``{gtin}``, ``{n}``, ``{N}`` and any key of the recipe's label facts;
for a customer's order, ``{order}``, ``{customer}``, ``{personal_text}`` (the unit's own
text) and ``{option:heat}`` (the value of the line's option "heat"; empty without one).
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from smallbatch_desktop.domain.errors import ValidationError
from smallbatch_desktop.domain.gs1 import GS1_USES
from smallbatch_desktop.domain.text import check_text

#: EU 1169/2011 Annex IV: x-height of mandatory particulars, and on packs whose largest
#: surface is under 80 cm2
MIN_X_HEIGHT_MM = 1.2
MIN_X_HEIGHT_SMALL_PACK_MM = 0.9

SYMBOLOGIES = (
    "code128",
    "qr",
    "datamatrix",
    "gs1-128",
    "gs1-datamatrix",
    "gs1-digital-link-qr",
    # GS1 symbol when the product has a GTIN, else the plain one of the lot code
    "auto-linear",
    "auto-matrix",
)
FONTS = ("sans", "condensed")
ALIGNS = ("left", "center", "right")
VALIGNS = ("top", "middle", "bottom")
LAYOUT_FORMAT = 1


@dataclass(frozen=True)
class Element:
    """Common to every element: a name (used in messages) and a box in mm."""

    kind: ClassVar[str] = ""
    name: str
    x: float
    y: float
    w: float
    h: float

    def moved(self, **changes: Any) -> Element:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class TextElement(Element):
    """Text with fields; shrinks from ``size`` to the layout's minimum x-height to fit."""

    kind: ClassVar[str] = "text"
    text: str = ""
    size: float = 9.0  # largest font size, pt
    font: str = "condensed"
    bold: bool = False
    align: str = "left"
    valign: str = "top"
    wrap: bool = True


@dataclass(frozen=True)
class IngredientsElement(Element):
    """The ingredients list: descending by weight, allergens in bold, with a prefix.

    ``inci`` lists cosmetics ingredients by their INCI names.
    """

    kind: ClassVar[str] = "ingredients"
    prefix: str = "Ingredients: "
    size: float = 7.0
    font: str = "condensed"
    align: str = "left"
    inci: bool = False
    #: add a "Contains: ..." line after the list (US style); EU emphasis is the bold
    contains_line: bool = False


@dataclass(frozen=True)
class BarcodeElement(Element):
    """A barcode; ``data`` is a template like text (default: the lot code).

    GS1 symbols build their element string from the label data instead: ``ais`` lists the
    application identifiers in the order wanted ("01" GTIN, "11" made, "15" best before,
    "17" expiry, "10" lot, "21" serial = label number).  A product labelled "use by" gets
    (17) where (15) is asked.  ``domain`` is the GS1 Digital Link resolver host (empty:
    the workshop's setting, else id.gs1.org).
    """

    kind: ClassVar[str] = "barcode"
    symbology: str = "code128"
    data: str = "{lot}"
    ais: tuple[str, ...] = ("01", "15", "10")
    domain: str = ""
    hri: bool = True  # human-readable text under linear symbols
    hri_size: float = 7.0
    #: where a GS1 symbol is scanned: sets its minimum X-dimension (``gs1.GS1_USES``)
    gs1_use: str = "general"


@dataclass(frozen=True)
class ImageElement(Element):
    """A logo: a PNG/JPEG file path or the image's bytes embedded in the layout."""

    kind: ClassVar[str] = "image"
    path: str = ""
    image: bytes = b""
    keep_aspect: bool = True


@dataclass(frozen=True)
class LineElement(Element):
    """A straight line from (x, y) to (x + w, y + h)."""

    kind: ClassVar[str] = "line"
    stroke: float = 0.3  # mm


@dataclass(frozen=True)
class BoxElement(Element):
    kind: ClassVar[str] = "box"
    stroke: float = 0.3
    radius: float = 0.0
    fill: bool = False


ELEMENT_TYPES: dict[str, type[Element]] = {
    cls.kind: cls
    for cls in (
        TextElement,
        IngredientsElement,
        BarcodeElement,
        ImageElement,
        LineElement,
        BoxElement,
    )
}


@dataclass(frozen=True)
class Layout:
    """A label design: size it was drawn for, minimum text size, elements in z order."""

    name: str
    width: float
    height: float
    elements: tuple[Element, ...] = ()
    min_x_height: float = MIN_X_HEIGHT_MM
    stock_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def element(self, name: str) -> Element:
        for e in self.elements:
            if e.name == name:
                return e
        raise KeyError(name)

    def replace_element(self, name: str, new: Element) -> Layout:
        return dataclasses.replace(
            self, elements=tuple(new if e.name == name else e for e in self.elements)
        )

    def to_dict(self) -> dict[str, Any]:
        return layout_to_dict(self)

    @staticmethod
    def from_dict(data: dict[str, Any], *, name: str | None = None) -> Layout:
        return layout_from_dict(data, name=name)


def element_to_dict(e: Element) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": e.kind}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if isinstance(v, bytes):
            v = base64.b64encode(v).decode("ascii")
        elif isinstance(v, tuple):
            v = list(v)
        out[f.name] = v
    return out


def element_from_dict(d: dict[str, Any]) -> Element:
    kind = d.get("kind", "")
    cls = ELEMENT_TYPES.get(kind)
    if cls is None:
        raise ValidationError(f"layout: unknown element kind {kind!r}", field="layout")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in d:
            continue
        v = d[f.name]
        if f.name == "image" and isinstance(v, str):
            v = base64.b64decode(v)
        elif f.name == "ais":
            v = tuple(str(a) for a in v)
        elif f.type in ("float",) and v is not None:
            v = float(v)
        kwargs[f.name] = v
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValidationError(f"layout: element {d.get('name')!r}: {exc}", field="layout") from None


def layout_to_dict(layout: Layout) -> dict[str, Any]:
    return {
        "format": LAYOUT_FORMAT,
        "name": layout.name,
        "width": layout.width,
        "height": layout.height,
        "min_x_height": layout.min_x_height,
        "stock_key": layout.stock_key,
        "elements": [element_to_dict(e) for e in layout.elements],
        **({"extra": layout.extra} if layout.extra else {}),
    }


def layout_from_dict(data: dict[str, Any], *, name: str | None = None) -> Layout:
    if not isinstance(data, dict) or "elements" not in data:
        raise ValidationError("layout: stored layout data is not a layout", field="layout")
    return Layout(
        name=name or str(data.get("name", "")),
        width=float(data.get("width", 0)),
        height=float(data.get("height", 0)),
        elements=tuple(element_from_dict(e) for e in data["elements"]),
        min_x_height=float(data.get("min_x_height", MIN_X_HEIGHT_MM)),
        stock_key=str(data.get("stock_key", "")),
        extra=dict(data.get("extra") or {}),
    )


def validate_layout(layout: Layout, label_w: float, label_h: float) -> None:
    """Refuse, naming the element, anything that would not print as designed.

    Elements must lie inside the label (a 0.05 mm tolerance absorbs rounding), names
    must be unique, sizes positive, options known, and the minimum x-height legal.
    """
    if layout.min_x_height < MIN_X_HEIGHT_SMALL_PACK_MM - 1e-9:
        raise ValidationError(
            f"minimum x-height: {layout.min_x_height:g} mm is below the legal minimum "
            f"{MIN_X_HEIGHT_SMALL_PACK_MM} mm",
            field="min_x_height",
        )
    seen: set[str] = set()
    tol = 0.05
    for e in layout.elements:
        label = e.name or e.kind
        if not e.name:
            raise ValidationError(f"{e.kind}: every element needs a name", field="name")
        if e.name in seen:
            raise ValidationError(f"{label}: two elements have this name", field=e.name)
        seen.add(e.name)
        if isinstance(e, LineElement):
            xs, ys = sorted((e.x, e.x + e.w)), sorted((e.y, e.y + e.h))
            inside = xs[0] >= -tol and ys[0] >= -tol and xs[1] <= label_w + tol
            inside = inside and ys[1] <= label_h + tol
        else:
            if e.w <= 0 or e.h <= 0:
                raise ValidationError(f"{label}: width and height must be positive", field=e.name)
            inside = e.x >= -tol and e.y >= -tol
            inside = inside and e.x + e.w <= label_w + tol and e.y + e.h <= label_h + tol
        if not inside:
            raise ValidationError(
                f"{label}: lies outside the {label_w:.1f} x {label_h:.1f} mm label "
                f"(at {e.x:.1f}, {e.y:.1f} mm, {e.w:.1f} x {e.h:.1f} mm)",
                field=e.name,
            )
        if isinstance(e, (TextElement, IngredientsElement)):
            if e.font not in FONTS:
                raise ValidationError(f"{label}: unknown font {e.font!r}", field=e.name)
            if e.align not in ALIGNS:
                raise ValidationError(f"{label}: unknown alignment {e.align!r}", field=e.name)
            if e.size <= 0:
                raise ValidationError(f"{label}: font size must be positive", field=e.name)
        if isinstance(e, TextElement) and e.valign not in VALIGNS:
            raise ValidationError(f"{label}: unknown vertical alignment {e.valign!r}", field=e.name)
        if isinstance(e, BarcodeElement) and e.symbology not in SYMBOLOGIES:
            raise ValidationError(
                f"{label}: unknown symbology {e.symbology!r}; use one of {', '.join(SYMBOLOGIES)}",
                field=e.name,
            )
        for fname in ("name", "text", "prefix", "data", "domain", "path"):
            value = getattr(e, fname, None)
            if isinstance(value, str):
                check_text(
                    value,
                    field=e.name if fname != "name" else "element name",
                    lines=fname == "text",
                )
        if isinstance(e, BarcodeElement) and e.gs1_use not in GS1_USES:
            raise ValidationError(
                f"{label}: unknown GS1 use {e.gs1_use!r}; use one of {', '.join(GS1_USES)}",
                field=e.name,
            )


# --------------------------------------------------------------------------- built-ins


def default_sheet_layout() -> Layout:
    """For Avery 5160 / 3 x 10 address labels (66.7 x 25.4 mm) and similar.

    Product name on top, ingredients with allergens in bold, lot / best before / net
    quantity and producer below, a Data Matrix (GS1 with a GTIN) at the right.
    """
    w, h, m = 66.675, 25.4, 1.6
    code = 12.5
    left_w = w - 2 * m - code - 1.0
    right = w - m - code
    return Layout(
        name="Standard 66.7 x 25.4",
        width=w,
        height=h,
        stock_key="Avery 5160",
        elements=(
            TextElement("product", m, 1.2, left_w, 3.7, text="{product}", size=9, bold=True),
            IngredientsElement("ingredients", m, 5.0, left_w, 8.0, size=6.5),
            TextElement(
                "lot",
                m,
                13.2,
                left_w,
                2.7,
                text="Lot {lot}   Best before {best_before:%d %b %Y}",
                size=6.5,
                bold=True,
                wrap=False,
            ),
            TextElement("net", m, 15.9, left_w, 2.7, text="{net_quantity}", size=6.5, wrap=False),
            TextElement("producer", m, 18.6, left_w, 5.2, text="{producer}, {address}", size=6.5),
            BarcodeElement("code", right, 1.4, code, code, symbology="auto-matrix"),
            TextElement(
                "number",
                right,
                14.4,
                code,
                2.7,
                text="{n}/{N}",
                size=6.5,
                align="center",
                wrap=False,
            ),
        ),
    )


def default_roll_layout() -> Layout:
    """For a 100 x 50 mm thermal roll label: everything a shop label needs, GS1-128 below."""
    w, h, m = 100.0, 50.0, 2.5
    return Layout(
        name="Standard 100 x 50 roll",
        width=w,
        height=h,
        stock_key="roll:100x50",
        elements=(
            TextElement("product", m, 2.0, 64.0, 7.0, text="{product}", size=16, bold=True),
            TextElement(
                "net",
                67.0,
                2.0,
                w - m - 67.0,
                7.0,
                text="{net_quantity}",
                size=12,
                bold=True,
                align="right",
                valign="middle",
            ),
            IngredientsElement("ingredients", m, 9.8, w - 2 * m, 11.6, size=8),
            TextElement(
                "dates",
                m,
                21.7,
                72.0,
                3.5,
                text="Best before {best_before:%d %b %Y}   Lot {lot}",
                size=8,
                bold=True,
                wrap=False,
            ),
            TextElement("producer", m, 25.3, 72.0, 5.8, text="{producer}, {address}", size=7),
            TextElement(
                "number",
                76.0,
                21.7,
                w - m - 76.0,
                3.5,
                text="{n} of {N}",
                size=8,
                align="right",
                wrap=False,
            ),
            LineElement("rule", m, 31.4, w - 2 * m, 0.0, stroke=0.25),
            BarcodeElement("code", m, 32.3, w - 2 * m, 16.2, symbology="auto-linear", hri_size=7.5),
        ),
    )


def builtin_layouts() -> dict[str, Layout]:
    return {lay.name: lay for lay in (default_sheet_layout(), default_roll_layout())}
