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
    allows there, in mm, for a linear symbol (GS1-128) and for GS1 DataMatrix.

    ``reference`` names, in a refusal's message, what the figure rests on; ``verified``
    is false where no copy of GS1's own table could be read (see ``GS1_USES``)."""

    title: str
    reference: str
    linear_min_mm: float
    matrix_min_mm: float
    verified: bool


#: 2D symbols: "Optical effects in the image capture process require that the GS1
#: DataMatrix and GS1 QR Code symbols be printed at 1.5 times the equivalent printing
#: X-dimension allowed for linear symbols" (note (*) to the GS1 symbol specification
#: tables, GS1 General Specifications Release 18, page 321 of the copy at
#: fliphtml5.com/fbtj/xroj/GS1_General_Specifications/321/).
MATRIX_FACTOR = 1.5
#: GS1-128's X-dimension at 100 % magnification, mm (GS1 Jordan, "About GS1 128",
#: gs1jo.org.jo/ShowArticle.aspx?ArticleId=46: "X dimension at nominal size: 1.016 mm";
#: the maximum in GS1 Sweden's size guide, gs1.se/en/guides/how-to-guides/size-guide/).
GS1_128_NOMINAL_MM = 1.016

#: The minimum X-dimensions, per use.  GS1 sets them in the "GS1 symbol specification
#: tables" of the General Specifications (section 5.12.3 in Release 21 and later, 5.9.3 in
#: Release 18): "Application specifications stipulate a target and minimum and maximum
#: width of the X-dimension, see the symbol specifications in section 5.9.3" (section
#: 5.4.4.1, Release 18 page 262 of the copy above), and every GS1-128 keeps 10X quiet
#: zones (section 5.4.4.2, same page).  The tables' GS1-128 rows themselves were in no
#: copy that could be searched (gs1.org is not reachable from here; searched again on
#: 2026-12-03 in the stored public references: only the Release 18 pages 262 and 321
#: are there).  What each figure rests on instead:
#:
#: - ``distribution`` (trade items and logistic units scanned in general distribution):
#:   GS1-128 0.495 mm, verified: GS1 Sweden's size guide, which summarises the General
#:   Specifications, gives GS1-128 "Min: 0.495, Rec: 0.495, Max: 1,016" mm (ITF-14 the
#:   same); GS1 Jordan gives the target magnification 48.7 % (0.495 mm of 1.016 mm);
#:   zint (backend/code128.c, GS1-128's compliant height) cites "GS1 General
#:   Specifications 21.0.1 5.12.3.2 table 2" with 31.75 mm at the 0.495 mm X-dimension,
#:   and the Release 18 table on page 321 lists its GS1 DataBar rows at a 0.495 mm
#:   minimum.  GS1 DataMatrix 0.743 mm = 1.5 x 0.495 (0.7425, rounded up).
#: - ``general`` (not scanned in general distribution: a maker's lot label on a jar or a
#:   case kept or sold direct): GS1-128 0.250 mm, NOT verified against the table.  The
#:   sources give GS1-128's smallest size as a magnification, 25 % of the 1.016 mm
#:   nominal = 0.254 mm (GS1 Jordan: "Magnification Factor: 25% to 100%"; GS1 New
#:   Zealand, "GS1-128 Barcode Specifications", support.gs1nz.org: "Hand Scanning
#:   magnification range is 25 - 100%").  0.250 mm is the figure this code has used (GS1's
#:   tables are remembered to print it, not re-checked); it differs from 0.254 mm only
#:   where a printer's dots fall between them: 2 dots at 203 dpi (0.2502 mm), which the
#:   default 100 x 50 mm roll label needs on a 203 dpi thermal printer (3 dots, 0.375 mm,
#:   make its GS1-128 128 mm wide).  At 300 and 600 dpi both give the same module.
#:   GS1 DataMatrix 0.375 mm = 1.5 x 0.250.
#: - ``healthcare`` (regulated healthcare, non-retail): GS1-128 0.170 mm and GS1
#:   DataMatrix 0.254 mm, NOT verified: no copy of GS1's healthcare tables was found.
#:   Kept as the code has had them (1.5 x 0.170 is 0.255, not 0.254: the 1.5 times
#:   rule is not exactly met either); the use's title says the figure is unverified.
#:   Makers of food, soap or candles never need it.
GS1_USES: dict[str, Gs1Use] = {
    "general": Gs1Use(
        "general use (not scanned in distribution)",
        "GS1 General Specifications: GS1-128 at about 25 % of its 1.016 mm nominal size",
        0.250,
        0.375,
        verified=False,
    ),
    "distribution": Gs1Use(
        "scanned in general distribution",
        "GS1 General Specifications, symbol specification table for general distribution",
        0.495,
        0.743,
        verified=True,
    ),
    "healthcare": Gs1Use(
        "regulated healthcare, non-retail (figure not verified)",
        "GS1 General Specifications, healthcare table; figure not verified",
        0.170,
        0.254,
        verified=False,
    ),
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
