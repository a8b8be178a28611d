import datetime as dt

import pytest

from smallbatch_desktop.domain import lotcodes
from smallbatch_desktop.domain.errors import ValidationError

DAY = dt.date(2026, 2, 9)  # Julian day 040


def test_render_all_tokens():
    code = lotcodes.render(
        "{PRODUCT}{YYYY}{YY}{MM}{DD}-{JJJ}-{SEQ:3}", product="HS", day=DAY, seq=7
    )
    assert code == "HS20262602" + "09-040-007"


def test_generate_skips_taken_codes():
    taken = {"HS-26040-01", "HS-26040-02"}
    code = lotcodes.generate(
        "{PRODUCT}-{YY}{JJJ}-{SEQ:2}",
        product="HS",
        day=DAY,
        first_seq=1,
        is_taken=taken.__contains__,
    )
    assert code == "HS-26040-03"


def test_without_sequence_a_taken_code_is_refused():
    with pytest.raises(ValidationError, match="already used and the pattern has no"):
        lotcodes.generate(
            "{PRODUCT}{YY}{JJJ}", product="HS", day=DAY, first_seq=1, is_taken=lambda c: True
        )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "must not be empty"),
        ("{FOO}", "unknown token {FOO}"),
        ("{YY:2}", "only {SEQ} and {PSEQ} take a width"),
        ("{SEQ}{PSEQ}", "use one sequence token"),
        ("A B{SEQ}", "only letters, digits"),
        ("{SEQ", "unbalanced brace"),
    ],
)
def test_bad_patterns_name_the_field(pattern, message):
    with pytest.raises(
        ValidationError,
        match=r"^lot code pattern: .*" + message.replace("{", r"\{").replace("}", r"\}"),
    ):
        lotcodes.parse_pattern(pattern)


def test_too_long_for_gs1():
    with pytest.raises(ValidationError, match="longer than 20 characters"):
        lotcodes.generate(
            "{PRODUCT}-{YYYY}{MM}{DD}-{SEQ:4}",
            product="VERYLONGCODE",
            day=DAY,
            first_seq=1,
            is_taken=lambda c: False,
        )


@pytest.mark.parametrize("bad", ["", "has space", "x" * 21, "semi;colon"])
def test_validate_lot_code(bad):
    with pytest.raises(ValidationError, match=r"^lot code: "):
        lotcodes.validate_lot_code(bad)
