"""Lot code patterns.

A pattern is text with tokens in braces::

    {PRODUCT}   the recipe's product code          HS
    {YYYY} {YY} year                               2026 / 26
    {MM} {DD}   month, day                         11 / 23
    {JJJ}       Julian day of the year (001-366)   327
    {SEQ}       per-day sequence, {SEQ:3} pads     1 / 001
    {PSEQ}      per-product sequence (all time)    17 / {PSEQ:4} -> 0017

The sequence is the smallest number above those already used that gives a code that is
not taken, so a preview and the saved code agree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from smallbatch_desktop.domain.errors import ValidationError

DEFAULT_PATTERN = "{PRODUCT}-{YY}{JJJ}-{SEQ:2}"
MAX_LOT_CODE = 20  # GS1 AI (10) holds at most 20 characters

_TOKEN = re.compile(r"\{([A-Z]+)(?::(\d{1,2}))?\}")
_KNOWN = {"PRODUCT", "YYYY", "YY", "MM", "DD", "JJJ", "SEQ", "PSEQ"}
_ALLOWED_LITERAL = re.compile(r"^[A-Za-z0-9\-_./]*$")


@dataclass(frozen=True)
class ParsedPattern:
    pattern: str
    sequence_kind: str | None  # "SEQ", "PSEQ" or None


def parse_pattern(pattern: str, *, field: str = "lot code pattern") -> ParsedPattern:
    pattern = (pattern or "").strip()
    if not pattern:
        raise ValidationError(f"{field}: must not be empty", field=field)
    seq_kinds = []
    for m in _TOKEN.finditer(pattern):
        name = m.group(1)
        if name not in _KNOWN:
            raise ValidationError(
                f"{field}: unknown token {{{name}}}; use {', '.join('{' + k + '}' for k in sorted(_KNOWN))}",
                field=field,
            )
        if m.group(2) and name not in ("SEQ", "PSEQ"):
            raise ValidationError(f"{field}: only {{SEQ}} and {{PSEQ}} take a width", field=field)
        if name in ("SEQ", "PSEQ"):
            seq_kinds.append(name)
    literal = _TOKEN.sub("", pattern)
    if "{" in literal or "}" in literal:
        raise ValidationError(f"{field}: unbalanced brace in {pattern!r}", field=field)
    if not _ALLOWED_LITERAL.match(literal):
        raise ValidationError(
            f"{field}: only letters, digits and - _ . / may appear outside tokens", field=field
        )
    if len(seq_kinds) > 1:
        raise ValidationError(f"{field}: use one sequence token, not {len(seq_kinds)}", field=field)
    if not seq_kinds and not any(t in pattern for t in ("{SEQ", "{PSEQ")):
        # without a sequence two batches on a day would collide; allowed, but then the
        # service refuses the second as a duplicate.
        pass
    return ParsedPattern(pattern, seq_kinds[0] if seq_kinds else None)


def render(pattern: str, *, product: str, day: dt.date, seq: int) -> str:
    """Fill the tokens. ``seq`` fills whichever sequence token the pattern has."""

    def sub(m: re.Match[str]) -> str:
        name, width = m.group(1), m.group(2)
        if name == "PRODUCT":
            return product
        if name == "YYYY":
            return f"{day.year:04d}"
        if name == "YY":
            return f"{day.year % 100:02d}"
        if name == "MM":
            return f"{day.month:02d}"
        if name == "DD":
            return f"{day.day:02d}"
        if name == "JJJ":
            return f"{day.timetuple().tm_yday:03d}"
        return str(seq).zfill(int(width or 1))

    return _TOKEN.sub(sub, pattern)


def generate(
    pattern: str,
    *,
    product: str,
    day: dt.date,
    first_seq: int,
    is_taken: Callable[[str], bool],
    field: str = "lot code pattern",
) -> str:
    """The first free code at or after sequence ``first_seq``."""
    parsed = parse_pattern(pattern, field=field)
    seq = max(1, first_seq)
    for _ in range(10_000):
        code = render(parsed.pattern, product=product, day=day, seq=seq)
        if len(code) > MAX_LOT_CODE:
            raise ValidationError(
                f"{field}: gives {code!r}, longer than {MAX_LOT_CODE} characters", field=field
            )
        if not is_taken(code):
            return code
        if parsed.sequence_kind is None:
            raise ValidationError(
                f"{field}: {code!r} is already used and the pattern has no {{SEQ}} token",
                field=field,
            )
        seq += 1
    raise ValidationError(f"{field}: no free code found", field=field)


def validate_lot_code(code: str, *, field: str = "lot code") -> str:
    code = (code or "").strip()
    if not code:
        raise ValidationError(f"{field}: must not be empty", field=field)
    if len(code) > MAX_LOT_CODE:
        raise ValidationError(
            f"{field}: {code!r} is longer than {MAX_LOT_CODE} characters", field=field
        )
    if not re.fullmatch(r"[A-Za-z0-9\-_./]+", code):
        raise ValidationError(
            f"{field}: {code!r} may hold only letters, digits and - _ . /", field=field
        )
    return code
