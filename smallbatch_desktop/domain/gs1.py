"""GS1 data: GTINs, element strings and Digital Link URIs, validated.

Pure rules with no drawing: the services check a product's GTIN with ``normalize_gtin``
when it is saved, and the PDF layer (``pdf.barcodes``) turns the validated data into
symbols.  Every refusal is a ``BarcodeError`` whose message names the element or field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote

from smallbatch_desktop.domain.errors import ValidationError

#: GS1 AIs we write: AI -> (title, fixed length or None for variable, max length)
GS1_AIS: dict[str, tuple[str, int | None, int]] = {
    "01": ("GTIN", 14, 14),
    "11": ("production date", 6, 6),
    "15": ("best before date", 6, 6),
    "17": ("expiration date", 6, 6),
    "10": ("batch/lot", None, 20),
    "21": ("serial number", None, 20),
}
#: GS1 "AI encodable character set 82"
_CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$")


@dataclass(frozen=True)
class Gs1Use:
    """Where a GS1 symbol will be scanned, and the smallest module (X-dimension) GS1
    allows there, in mm, for a linear symbol (GS1-128) and for GS1 DataMatrix."""

    title: str
    table: str  # the GS1 symbol specification table it comes from
    linear_min_mm: float
    matrix_min_mm: float


#: GS1 General Specifications, section 5.12.3 "GS1 symbol specification tables" (section
#: 5.9.3 in Release 18), minimum X-dimensions; every GS1-128 also keeps 10X quiet zones
#: (section 5.4.4.2).  GS1 DataMatrix minimums are 1.5 times the linear minimum of the
#: same table ("optical effects in the image capture process require that the GS1
#: DataMatrix and GS1 QR Code symbols be printed at 1.5 times the equivalent printing
#: X-dimension allowed for linear symbols", note to the tables), except where a table
#: states its own (table 6: 0.254 mm).
#:
#: - ``general``: trade items not scanned at the point of sale or in general
#:   distribution (table 4): GS1-128 at least 0.250 mm.  A maker's lot label on a jar or
#:   a case kept or sold direct.
#: - ``distribution``: trade items and logistic units scanned in general distribution
#:   (tables 2 and 5, warehouse scanners at a distance): GS1-128 at least 0.495 mm,
#:   GS1 DataMatrix 0.743 mm.
#: - ``healthcare``: regulated healthcare non-retail trade items (table 6): GS1-128 at
#:   least 0.170 mm, GS1 DataMatrix 0.254 mm.
#:
#: Where these figures were checked (2026-12-03, no access to gs1.org; the GS1-128 rows
#: of the tables themselves were not in any copy that could be searched):
#:
#: - the rule that the tables set the minimum, the 10X quiet zone and the 1.5 times note
#:   for 2D symbols: a copy of the General Specifications (Release 18) at
#:   fliphtml5.com/fbtj/xroj/GS1_General_Specifications, pages 262 (5.4.4.1-5.4.4.2) and
#:   321 (the general distribution table, whose linear rows start at 0.495 mm);
#: - 0.25 mm and 0.495 mm for GS1-128: GS1 Jordan, "About GS1 128"
#:   (gs1jo.org.jo/ShowArticle.aspx?ArticleId=46): X-dimension 1.016 mm at 100 %,
#:   magnification 25 % to 100 % (0.254 to 1.016 mm), target 48.7 % (0.495 mm); GS1 New
#:   Zealand, "GS1-128 Barcode Specifications" (support.gs1nz.org): 25 % to 100 % for hand
#:   scanning, at least 50 % for automated scanning.  25 % of 1.016 mm is 0.254 mm, not
#:   0.250 mm: 0.250 mm is kept as the table's own figure, but that is from memory of
#:   the table, not re-checked (at 203 dpi the two decide between 2 and 3 dots; at 300
#:   and 600 dpi they give the same module);
#: - 0.170 / 0.254 mm (healthcare) and 0.743 mm (2D in distribution, 1.5 x 0.495): no
#:   copy found; the last follows from the 1.5 times note above.
GS1_USES: dict[str, Gs1Use] = {
    "general": Gs1Use("general use (not scanned in distribution)", "table 4", 0.250, 0.375),
    "distribution": Gs1Use("scanned in general distribution", "tables 2 and 5", 0.495, 0.743),
    "healthcare": Gs1Use("regulated healthcare, non-retail", "table 6", 0.170, 0.254),
}


class BarcodeError(ValidationError):
    """A barcode that cannot be made or would not scan; the message names the element."""


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for ``body`` (all digits but the check digit)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def normalize_gtin(gtin: str, *, field: str = "GTIN") -> str:
    """A GTIN-8/12/13/14 as GTIN-14, refusing a wrong length or check digit."""
    digits = re.sub(r"[\s-]", "", gtin or "")
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise BarcodeError(f"{field}: {gtin!r} is not a GTIN (8, 12, 13 or 14 digits)", field=field)
    digits = digits.zfill(14)
    if gs1_check_digit(digits[:-1]) != int(digits[-1]):
        raise BarcodeError(
            f"{field}: {gtin!r} has a wrong check digit (expected {gs1_check_digit(digits[:-1])})",
            field=field,
        )
    return digits


def yymmdd(day: dt.date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


def check_ai_value(ai: str, value: str, *, field: str) -> str:
    if ai not in GS1_AIS:
        raise BarcodeError(f"{field}: GS1 AI ({ai}) is not supported", field=field)
    title, fixed, maxlen = GS1_AIS[ai]
    if ai == "01":
        return normalize_gtin(value, field=field)
    if fixed is not None and (len(value) != fixed or not value.isdigit()):
        raise BarcodeError(f"{field}: ({ai}) {title} must be {fixed} digits", field=field)
    if not value:
        raise BarcodeError(f"{field}: ({ai}) {title} is empty", field=field)
    if len(value) > maxlen:
        raise BarcodeError(
            f"{field}: ({ai}) {title} {value!r} is longer than {maxlen} characters", field=field
        )
    if not _CSET82.match(value):
        raise BarcodeError(
            f"{field}: ({ai}) {title} {value!r} holds characters GS1 does not allow "
            "(use letters, digits and - . / _)",
            field=field,
        )
    return value


def gs1_element_string(pairs: list[tuple[str, str]], *, field: str = "barcode") -> str:
    """The human-readable element string "(01)...(15)...(10)...", validated.

    Fixed-length AIs come first and variable-length ones last, so at most the variable
    ones need an FNC1 separator between them (the encoder inserts it).
    """
    checked = [(ai, check_ai_value(ai, v, field=field)) for ai, v in pairs]
    seen = [ai for ai, _ in checked]
    if len(set(seen)) != len(seen):
        raise BarcodeError(f"{field}: an AI appears twice", field=field)
    if "15" in seen and "17" in seen:
        pass  # both dates are allowed by GS1; keep what the layout asked for
    fixed = [p for p in checked if GS1_AIS[p[0]][1] is not None]
    variable = [p for p in checked if GS1_AIS[p[0]][1] is None]
    return "".join(f"({ai}){v}" for ai, v in fixed + variable)


def digital_link(
    domain: str,
    gtin: str,
    lot: str | None = None,
    *,
    date_ai: str | None = None,
    day: dt.date | None = None,
    serial: str | None = None,
    field: str = "barcode",
) -> str:
    """A GS1 Digital Link URI: ``https://<domain>/01/<gtin14>/10/<lot>?17=YYMMDD``.

    The lot is percent-encoded (it may hold "/"); dates go in the query string.
    """
    host = (domain or "id.gs1.org").strip().removeprefix("https://").removeprefix("http://")
    host = host.strip("/")
    if not host or any(c.isspace() for c in host):
        raise BarcodeError(f"{field}: {domain!r} is not a web domain", field=field)
    url = f"https://{host}/01/{normalize_gtin(gtin, field=field)}"
    if lot:
        url += "/10/" + quote(check_ai_value("10", lot, field=field), safe="")
        if serial:
            url += "/21/" + quote(check_ai_value("21", serial, field=field), safe="")
    if date_ai and day:
        url += f"?{date_ai}={yymmdd(day)}"
    return url
