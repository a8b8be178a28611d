"""Label stock: the built-in gLabels catalog, custom stock, and cell geometry.

Everything here is millimetres with the origin at the top-left corner of the page and y
pointing down, as on the die-cut sheet a maker holds in their hand and as in the gLabels
XML; the PDF renderer flips y once, at the very end.

The catalog (``resources/label-stock``, the gLabels template database, MIT licence) is
parsed with ``defusedxml`` on first use and kept in memory for the life of the process:
about 40 ms for 1,759 templates, so no on-disk cache that could go stale.

Shapes other than rectangles (round, elliptical, CD labels) are approximated by their
bounding box and flagged ``approximated``: a layout designed on them keeps content inside
the box, and the designer shows the real outline so the maker can keep corners empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from smallbatch_desktop.domain.errors import NotFoundError, ValidationError

#: millimetres per unit, exact (1 in = 25.4 mm by definition; 1 pt = 1/72 in; 1 pc = 12 pt)
UNIT_MM: dict[str, Decimal] = {
    "mm": Decimal(1),
    "cm": Decimal(10),
    "in": Decimal("25.4"),
    "pt": Decimal("25.4") / Decimal(72),
    "pc": Decimal("25.4") / Decimal(6),
}
_LENGTH = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-z]*)\s*$")

SHEET = "sheet"
ROLL = "roll"
#: label shapes; anything but "rectangle" is drawn and laid out by its bounding box
SHAPES = ("rectangle", "round", "ellipse", "cd", "path", "continuous")


def length_mm(text: str | None, default: float = 0.0) -> float:
    """A gLabels length ("2.625in", "0 pt", "5" = points) in millimetres.

    The conversion is done in Decimal and rounded to 1/10,000 mm, far below any printer's
    dot, so catalog sizes such as 0.15625 in come out as 3.96875 mm, not 3.9687499999.
    """
    if text is None or text == "":
        return default
    m = _LENGTH.match(text)
    if not m:
        # gLabels reads a length with strtod, so a unit without a number ("in", seen
        # once in the catalog) counts as zero; do the same rather than drop the template
        if re.fullmatch(r"\s*[a-z]*\s*", text):
            return default
        raise ValueError(f"not a length: {text!r}")
    unit = m.group(2) or "pt"
    if unit not in UNIT_MM:
        raise ValueError(f"unknown length unit in {text!r}")
    return float((Decimal(m.group(1)) * UNIT_MM[unit]).quantize(Decimal("0.000001")))


@dataclass(frozen=True, slots=True)
class Cell:
    """One label position on a page: top-left corner and size, mm."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class GridLayout:
    """A regular grid of labels: ``nx`` x ``ny`` starting at (x0, y0), pitch (dx, dy)."""

    nx: int
    ny: int
    x0: float
    y0: float
    dx: float
    dy: float


@dataclass(frozen=True, slots=True)
class PaperSize:
    id: str
    name: str
    width: float
    height: float


@dataclass(frozen=True)
class LabelStock:
    """A label stock: page and label geometry, enough to place every label.

    ``key`` is what a ``LabelLayout.stock_key`` stores: "Avery 5160" for the catalog,
    "custom:<id>" for a maker's own stock.  For roll (thermal) stock each label is its own
    page of the label's size and ``layouts`` is a single 1 x 1 grid.
    """

    key: str
    brand: str
    part: str
    description: str
    kind: str  # SHEET | ROLL
    paper: str  # paper id ("A4", "US-Letter", "other", "roll")
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    shape: str = "rectangle"
    corner_radius: float = 0.0
    layouts: tuple[GridLayout, ...] = ()
    #: roll stock: the liner width (the label is narrower), informational
    roll_width: float = 0.0
    #: label gap on a roll (informational: the driver feeds label by label)
    gap: float = 0.0
    #: the part this one is an equivalent of ("Avery 5160"), if any
    equiv_of: str = ""
    categories: tuple[str, ...] = field(default=(), compare=False)

    @property
    def approximated(self) -> bool:
        """True when the real label is not a rectangle and is approximated by its box."""
        return self.shape not in ("rectangle", "continuous")

    @property
    def per_page(self) -> int:
        return sum(g.nx * g.ny for g in self.layouts) or 1

    @property
    def size_text(self) -> str:
        return f"{_fmt(self.label_width)} x {_fmt(self.label_height)} mm"

    @property
    def title(self) -> str:
        extra = f" ({self.description})" if self.description else ""
        return f"{self.key}: {self.size_text}, {self.per_page} per {self.kind_text}{extra}"

    @property
    def kind_text(self) -> str:
        return "label" if self.kind == ROLL else "sheet"

    def cells(self) -> list[Cell]:
        """Every label position on one page, in reading order (rows, then columns).

        Several grids (gLabels allows more than one ``Layout`` per template) are merged
        and sorted top to bottom, left to right, which is the order a maker counts the
        positions when skipping used labels on a partly used sheet.
        """
        return list(_cells(self))

    def geometry(self) -> dict[str, Any]:
        """Plain JSON for the designer and for the PDF's metadata."""
        return {
            "key": self.key,
            "kind": self.kind,
            "page": [self.page_width, self.page_height],
            "label": [self.label_width, self.label_height],
            "shape": self.shape,
            "corner_radius": self.corner_radius,
            "layouts": [[g.nx, g.ny, g.x0, g.y0, g.dx, g.dy] for g in self.layouts],
        }


@cache
def _cells_cached(stock: LabelStock) -> tuple[Cell, ...]:
    out = []
    for g in stock.layouts or (GridLayout(1, 1, 0.0, 0.0, 0.0, 0.0),):
        for iy in range(g.ny):
            for ix in range(g.nx):
                out.append(
                    Cell(
                        round(g.x0 + ix * g.dx, 6),
                        round(g.y0 + iy * g.dy, 6),
                        stock.label_width,
                        stock.label_height,
                    )
                )
    out.sort(key=lambda c: (round(c.y, 2), round(c.x, 2)))
    return tuple(out)


def _cells(stock: LabelStock) -> tuple[Cell, ...]:
    return _cells_cached(stock)


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- catalog


class Catalog:
    """The parsed catalog: every template (equivalents included) and the paper sizes."""

    def __init__(
        self,
        stocks: tuple[LabelStock, ...],
        papers: Mapping[str, PaperSize],
        corrected: tuple[str, ...] = (),
    ) -> None:
        #: keys of the base templates whose geometry ``corrections.json`` corrected
        self.corrected = corrected
        self.stocks = stocks
        self.papers = dict(papers)
        self.by_key: dict[str, LabelStock] = {}
        for s in stocks:
            self.by_key.setdefault(_norm_key(s.key), s)

    def get(self, key: str) -> LabelStock:
        """A stock by its key ("Avery 5160"), case- and space-insensitive."""
        stock = self.by_key.get(_norm_key(key))
        if stock is None:
            raise NotFoundError(f"stock: no catalog label stock named {key!r}", field="stock")
        return stock

    def find_part(self, part: str) -> list[LabelStock]:
        """Stocks whose key or part number is exactly ``part`` (case-insensitive)."""
        key = _norm_key(part)
        if key in self.by_key:
            return [self.by_key[key]]
        return [s for s in self.stocks if s.part.lower() == key]

    @property
    def distinct_layouts(self) -> int:
        """Templates with their own geometry (not an ``equiv`` of another)."""
        return sum(1 for s in self.stocks if not s.equiv_of)

    def search(self, query: str, limit: int = 50) -> list[LabelStock]:
        """Stocks matching a part number, a brand, words of the description or a size.

        "5160", "L7160", "avery 5160", "63.5 x 38.1", "63,5x38,1 mm", "2.625 x 1 in" all
        work.  Sizes match within 0.5 mm in either orientation.  Best matches first:
        exact part number, then part prefix, then substring, then size distance.
        """
        return search_stocks(self.stocks, query, limit)


def _norm_key(key: str) -> str:
    return " ".join(key.lower().split())


_SIZE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(mm|in|cm|\"|'')?\s*[x×*]\s*(\d+(?:[.,]\d+)?)\s*(mm|in|cm|\"|'')?",
    re.IGNORECASE,
)


def parse_size_query(query: str) -> tuple[tuple[float, float] | None, str]:
    """Split "avery 63,5 x 38.1mm" into ((63.5, 38.1), "avery"); sizes in mm."""
    m = _SIZE.search(query)
    if not m:
        return None, query
    unit = (m.group(4) or m.group(2) or "mm").lower()
    factor = {"mm": 1.0, "cm": 10.0, "in": 25.4, '"': 25.4, "''": 25.4}[unit]
    a = float(m.group(1).replace(",", ".")) * factor
    b = float(m.group(3).replace(",", ".")) * factor
    rest = (query[: m.start()] + " " + query[m.end() :]).strip()
    return (a, b), rest


def search_stocks(stocks: Iterable[LabelStock], query: str, limit: int = 50) -> list[LabelStock]:
    size, rest = parse_size_query(query or "")
    words = [w for w in re.split(r"\s+", rest.lower()) if w]
    tol = 0.5
    scored: list[tuple[float, str, LabelStock]] = []
    for s in stocks:
        score = 0.0
        if size is not None:
            w, h = s.label_width, s.label_height
            d = min(
                max(abs(w - size[0]), abs(h - size[1])), max(abs(w - size[1]), abs(h - size[0]))
            )
            if d > tol:
                continue
            score += d
        part = s.part.lower()
        brand = s.brand.lower()
        ok = True
        for word in words:
            if word == part:
                score -= 100
            elif part.startswith(word) or _strip(part) == _strip(word):
                score -= 50
            elif word in part:
                score -= 20
            elif word == brand or brand.startswith(word):
                score -= 5
            elif word in s.description.lower() or any(word in c for c in s.categories):
                score -= 1
            else:
                ok = False
                break
        if ok and (words or size is not None):
            scored.append((score, s.key.lower(), s))
    scored.sort(key=lambda t: (t[0], len(t[2].part), t[1]))
    return [t[2] for t in scored[:limit]]


def _strip(part: str) -> str:
    return re.sub(r"[^a-z0-9]", "", part)


def catalog_dir() -> Path:
    from smallbatch_desktop.paths import resource

    return resource("label-stock")


@cache
def builtin_catalog() -> Catalog:
    """The shipped catalog, parsed once per process, with our corrections applied."""
    return parse_catalog(catalog_dir())


CORRECTIONS_FILE = "corrections.json"
_CORRECTABLE = {"width", "height", "x0", "y0", "dx", "dy"}


def load_corrections(folder: Path) -> dict[tuple[str, str], dict[str, float]]:
    """``corrections.json`` beside the catalogue: (brand, part) of a base template ->
    the published geometry to set (mm).  Each entry must state what gLabels had: a
    correction whose gLabels values no longer match (the catalogue was updated) is an
    error, so a stale correction never silently moves a fixed stock."""
    import json

    path = folder / CORRECTIONS_FILE
    if not path.exists():
        return {}
    out: dict[tuple[str, str], dict[str, float]] = {}
    for entry in json.loads(path.read_text(encoding="utf-8"))["corrections"]:
        brand, _, part = entry["stock"].partition(" ")
        values = {k: length_mm(v) for k, v in entry["set"].items()}
        unknown = set(values) - _CORRECTABLE
        if unknown or not entry.get("source"):
            raise ValueError(f"{CORRECTIONS_FILE}: {entry['stock']}: bad entry {sorted(unknown)}")
        out[(brand.lower(), part.lower())] = values | {
            f"glabels_{k}": length_mm(v) for k, v in entry["glabels"].items()
        }
    return out


def load_additions(folder: Path, papers: Mapping[str, PaperSize]) -> list[LabelStock]:
    """The stocks ``corrections.json`` adds to the catalogue ("added"): common sheets
    gLabels lacks, each with its source named: ``verified`` true with the published
    ``reference`` that gives every figure, or false (said in its description too) where
    no published figure was found for part of its geometry."""
    import json

    path = folder / CORRECTIONS_FILE
    if not path.exists():
        return []
    out: list[LabelStock] = []
    for entry in json.loads(path.read_text(encoding="utf-8")).get("added", []):
        brand, _, part = entry["stock"].partition(" ")
        paper = papers.get(entry["size"])
        verified = entry.get("verified")
        if (
            not entry.get("source")
            or paper is None
            or verified not in (True, False)
            or (verified and not entry.get("reference"))
        ):
            raise ValueError(f"{CORRECTIONS_FILE}: {entry['stock']}: bad added stock")
        out.append(
            LabelStock(
                key=entry["stock"],
                brand=brand,
                part=part,
                description=entry["description"],
                kind=SHEET,
                paper=paper.id,
                page_width=paper.width,
                page_height=paper.height,
                label_width=length_mm(entry["width"]),
                label_height=length_mm(entry["height"]),
                corner_radius=length_mm(entry.get("round")),
                layouts=(
                    GridLayout(
                        int(entry["nx"]),
                        int(entry["ny"]),
                        length_mm(entry["x0"]),
                        length_mm(entry["y0"]),
                        length_mm(entry["dx"]),
                        length_mm(entry["dy"]),
                    ),
                ),
                categories=("label", "rectangle-label"),
            )
        )
    return out


def _corrected(stock: LabelStock, fix: Mapping[str, float]) -> LabelStock:
    grid = stock.layouts[0]
    was = {
        "width": stock.label_width,
        "height": stock.label_height,
        "x0": grid.x0,
        "y0": grid.y0,
        "dx": grid.dx,
        "dy": grid.dy,
    }
    for k, v in fix.items():
        if k.startswith("glabels_") and not isclose_mm(was[k[8:]], v):
            raise ValueError(
                f"{CORRECTIONS_FILE}: {stock.key}: gLabels' {k[8:]} is {was[k[8:]]:.3f} mm, "
                f"not {v:.3f} mm as the correction says; check the correction again"
            )
    new = {k: fix.get(k, v) for k, v in was.items()}
    return replace(
        stock,
        label_width=new["width"],
        label_height=new["height"],
        layouts=(
            replace(grid, x0=new["x0"], y0=new["y0"], dx=new["dx"], dy=new["dy"]),
            *stock.layouts[1:],
        ),
    )


def parse_catalog(folder: Path) -> Catalog:
    """Parse a gLabels template folder (``*-templates.xml`` plus ``paper-sizes.xml``)."""
    from defusedxml import ElementTree

    papers: dict[str, PaperSize] = {}
    paper_file = folder / "paper-sizes.xml"
    if paper_file.exists():
        for el in _iter(ElementTree.parse(paper_file).getroot(), "Paper-size"):
            pid = el.get("id", "")
            papers[pid] = PaperSize(
                pid, el.get("name", pid), length_mm(el.get("width")), length_mm(el.get("height"))
            )
    raw: list[Any] = []
    for path in sorted(folder.glob("*-templates.xml")):
        raw.extend(_iter(ElementTree.parse(path).getroot(), "Template"))
    base: dict[tuple[str, str], LabelStock] = {}
    order: list[tuple[str, Any]] = []
    corrections = load_corrections(folder)
    order_fixed: list[str] = []
    for el in raw:
        brand, part = el.get("brand", "").strip(), el.get("part", "").strip()
        if el.get("equiv"):
            order.append(("equiv", el))
            continue
        stock = _parse_template(el, papers)
        if stock is not None:
            fix = corrections.pop((brand.lower(), part.lower()), None)
            if fix is not None:
                stock = _corrected(stock, fix)
                order_fixed.append(stock.key)
            base.setdefault((brand.lower(), part.lower()), stock)
            order.append(("base", stock))
    equivs = {
        (i.get("brand", "").strip().lower(), i.get("part", "").strip().lower()): i
        for k, i in order
        if k == "equiv"
    }

    def resolve(brand: str, part: str, depth: int = 0) -> LabelStock | None:
        # an equiv may name another equiv (a chain); follow it, guarding against loops
        key = (brand.lower(), part.lower())
        if key in base:
            return base[key]
        if key in equivs and depth < 10:
            return resolve(brand, equivs[key].get("equiv", "").strip(), depth + 1)
        return None

    stocks: list[LabelStock] = []
    for kind, item in order:
        if kind == "base":
            stocks.append(item)
            continue
        brand, part = item.get("brand", "").strip(), item.get("part", "").strip()
        target = resolve(brand, item.get("equiv").strip())
        if target is None:
            continue  # an equiv of a template that is not in the catalog: skip
        stocks.append(
            LabelStock(
                key=f"{brand} {part}",
                brand=brand,
                part=part,
                description=_description(item) or target.description,
                kind=target.kind,
                paper=target.paper,
                page_width=target.page_width,
                page_height=target.page_height,
                label_width=target.label_width,
                label_height=target.label_height,
                shape=target.shape,
                corner_radius=target.corner_radius,
                layouts=target.layouts,
                roll_width=target.roll_width,
                equiv_of=target.key,
                categories=target.categories,
            )
        )
    if corrections:
        raise ValueError(
            f"{CORRECTIONS_FILE}: no catalogue template for "
            + ", ".join(f"{b} {p}" for b, p in corrections)
        )
    known = {_norm_key(s.key) for s in stocks}
    for extra in load_additions(folder, papers):
        if _norm_key(extra.key) in known:  # gLabels gained it: its own template wins
            raise ValueError(f"{CORRECTIONS_FILE}: {extra.key} is in the catalogue now")
        stocks.append(extra)
    return Catalog(tuple(stocks), papers, corrected=tuple(order_fixed))


def _local(tag: Any) -> str:
    """Tag name without its namespace: some catalog files declare the gLabels 3 namespace."""
    return str(tag).rsplit("}", 1)[-1]


def _iter(root: Any, name: str) -> Iterable[Any]:
    return (el for el in root.iter() if _local(el.tag) == name)


def _description(el: Any) -> str:
    return (el.get("_description") or el.get("description") or "").strip()


_LABEL_TAGS = {
    "Label-rectangle": "rectangle",
    "Label-round": "round",
    "Label-ellipse": "ellipse",
    "Label-cd": "cd",
    "Label-path": "path",
    "Label-continuous": "continuous",
}


def _parse_template(el: Any, papers: Mapping[str, PaperSize]) -> LabelStock | None:
    brand, part = el.get("brand", "").strip(), el.get("part", "").strip()
    label = next((c for c in el if _local(c.tag) in _LABEL_TAGS), None)
    if label is None:
        return None
    shape = _LABEL_TAGS[_local(label.tag)]
    radius = 0.0
    if shape in ("rectangle", "path"):
        w, h = length_mm(label.get("width")), length_mm(label.get("height"))
        radius = length_mm(label.get("round"))
        if shape == "path":
            w = w or length_mm(el.get("width"))
            h = h or length_mm(el.get("height"))
    elif shape == "round":
        r = length_mm(label.get("radius"))
        w = h = 2 * r
        radius = r
    elif shape == "ellipse":
        w, h = length_mm(label.get("width")), length_mm(label.get("height"))
    elif shape == "cd":
        r = length_mm(label.get("radius"))
        w = length_mm(label.get("width"), 2 * r)
        h = length_mm(label.get("height"), 2 * r)
        radius = r
    else:  # continuous
        w = length_mm(label.get("width"))
        h = length_mm(label.get("default_height"), length_mm(label.get("min_height")))
    grids = tuple(
        GridLayout(
            int(g.get("nx", "1")),
            int(g.get("ny", "1")),
            length_mm(g.get("x0")),
            length_mm(g.get("y0")),
            length_mm(g.get("dx")),
            length_mm(g.get("dy")),
        )
        for g in _iter(label, "Layout")
    )
    size = el.get("size", "")
    if size == "roll":
        kind = ROLL
        page_w, page_h = w, h
        grids = (GridLayout(1, 1, 0.0, 0.0, 0.0, 0.0),)
    else:
        kind = SHEET
        if size in papers:
            page_w, page_h = papers[size].width, papers[size].height
        else:
            page_w, page_h = length_mm(el.get("width")), length_mm(el.get("height"))
    if w <= 0 or h <= 0 or page_w <= 0 or page_h <= 0:
        return None
    cats = tuple(m.get("category", "") for m in _iter(el, "Meta") if m.get("category"))
    return LabelStock(
        key=f"{brand} {part}",
        brand=brand,
        part=part,
        description=_description(el),
        kind=kind,
        paper=size or "other",
        page_width=page_w,
        page_height=page_h,
        label_width=w,
        label_height=h,
        shape=shape,
        corner_radius=radius,
        layouts=grids,
        roll_width=length_mm(el.get("roll_width")),
        categories=cats,
    )


# --------------------------------------------------------------------------- custom stock

#: the JSON fields of a custom stock's geometry, by kind, with their defaults
SHEET_FIELDS: dict[str, float | str] = {
    "paper": "A4",
    "page_width": 0.0,
    "page_height": 0.0,
    "label_width": 0.0,
    "label_height": 0.0,
    "columns": 1,
    "rows": 1,
    "margin_left": 0.0,
    "margin_top": 0.0,
    "gap_x": 0.0,
    "gap_y": 0.0,
    "corner_radius": 0.0,
}
ROLL_FIELDS: dict[str, float | str] = {
    "label_width": 0.0,
    "label_height": 0.0,
    "gap": 3.0,
    "corner_radius": 0.0,
}


def _num(geometry: Mapping[str, Any], key: str, default: float, *, minimum: float = 0.0) -> float:
    value = geometry.get(key, default)
    if value is None or value == "":
        value = default
    if isinstance(value, bool):
        raise ValidationError(f"{key.replace('_', ' ')}: not a number", field=key)
    try:
        d = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        raise ValidationError(
            f"{key.replace('_', ' ')}: {value!r} is not a number", field=key
        ) from None
    if not d.is_finite() or d < Decimal(str(minimum)):
        raise ValidationError(
            f"{key.replace('_', ' ')}: must be at least {minimum:g} mm, got {value}", field=key
        )
    return float(d)


def stock_from_geometry(
    key: str, name: str, kind: str, geometry: Mapping[str, Any], papers: Mapping[str, PaperSize]
) -> LabelStock:
    """A ``LabelStock`` from a custom stock's JSON geometry, validating every field.

    Sheet: ``paper`` (a paper id such as "A4") or ``page_width``/``page_height``,
    ``label_width``, ``label_height``, ``columns``, ``rows``, ``margin_left``,
    ``margin_top``, ``gap_x``, ``gap_y``, ``corner_radius``.  Roll: ``label_width``,
    ``label_height``, ``gap``, ``corner_radius``.  All lengths in mm.
    """
    lw = _num(geometry, "label_width", 0.0, minimum=5.0)
    lh = _num(geometry, "label_height", 0.0, minimum=5.0)
    radius = _num(geometry, "corner_radius", 0.0)
    if radius * 2 > min(lw, lh):
        raise ValidationError(
            "corner radius: larger than half the label's shorter side", field="corner_radius"
        )
    if kind == ROLL:
        return replace(
            single_label_stock(lw, lh, radius),
            key=key,
            brand="Custom",
            part=name,
            description="roll",
            roll_width=lw,
            gap=_num(geometry, "gap", 3.0),
        )
    if kind != SHEET:
        raise ValidationError(f"kind: must be 'sheet' or 'roll', not {kind!r}", field="kind")
    paper = str(geometry.get("paper") or "").strip()
    if paper and paper != "other":
        if paper not in papers:
            raise ValidationError(
                f"paper: unknown paper size {paper!r}; use A4, US-Letter... or give "
                "page width and height",
                field="paper",
            )
        pw, ph = papers[paper].width, papers[paper].height
    else:
        pw = _num(geometry, "page_width", 0.0, minimum=10.0)
        ph = _num(geometry, "page_height", 0.0, minimum=10.0)
    cols = int(_num(geometry, "columns", 1, minimum=1))
    rows = int(_num(geometry, "rows", 1, minimum=1))
    ml, mt = _num(geometry, "margin_left", 0.0), _num(geometry, "margin_top", 0.0)
    gx, gy = _num(geometry, "gap_x", 0.0), _num(geometry, "gap_y", 0.0)
    right = ml + cols * lw + (cols - 1) * gx
    bottom = mt + rows * lh + (rows - 1) * gy
    if right > pw + 0.01:
        raise ValidationError(
            f"columns: {cols} labels of {_fmt(lw)} mm with the margin and gaps need "
            f"{_fmt(right)} mm, the page is {_fmt(pw)} mm wide",
            field="columns",
        )
    if bottom > ph + 0.01:
        raise ValidationError(
            f"rows: {rows} labels of {_fmt(lh)} mm with the margin and gaps need "
            f"{_fmt(bottom)} mm, the page is {_fmt(ph)} mm high",
            field="rows",
        )
    return LabelStock(
        key=key,
        brand="Custom",
        part=name,
        description="sheet",
        kind=SHEET,
        paper=paper or "other",
        page_width=pw,
        page_height=ph,
        label_width=lw,
        label_height=lh,
        corner_radius=radius,
        layouts=(GridLayout(cols, rows, ml, mt, lw + gx, lh + gy),),
    )


def single_label_stock(width: float, height: float, corner_radius: float = 0.0) -> LabelStock:
    """A one-label page of the label's size: roll stock, and the designer's preview."""
    return LabelStock(
        key=f"single {width:g} x {height:g}",
        brand="",
        part="",
        description="",
        kind=ROLL,
        paper="roll",
        page_width=width,
        page_height=height,
        label_width=width,
        label_height=height,
        corner_radius=corner_radius,
        layouts=(GridLayout(1, 1, 0.0, 0.0, 0.0, 0.0),),
    )


def mm_to_pt(v: float) -> float:
    return v * 72.0 / 25.4


def pt_to_mm(v: float) -> float:
    return v * 25.4 / 72.0


def isclose_mm(a: float, b: float, tol: float = 0.01) -> bool:
    return math.isclose(a, b, abs_tol=tol)
