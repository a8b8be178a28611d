"""CSV formula-injection guard: what a spreadsheet would run is written as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smallbatch_desktop.domain.csvsafe import (
    CSV_ENCODING,
    FORMULA_TRIGGERS,
    SafeWriter,
    cell,
    escape_column,
    escape_text,
    open_csv,
    write_columns,
)


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","Click")',
        "+33 1 23 45 67 89",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=cmd",
        "\r=cmd",
    ],
)
def test_formula_triggers_get_a_leading_quote(text: str) -> None:
    assert escape_text(text) == "'" + text
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Salt & Co", "<b>x</b>", " =not first", "a=b", "'quoted"])
def test_harmless_text_is_unchanged(text: str) -> None:
    assert cell(text) == text


def test_numbers_we_compute_are_written_as_numbers_even_negative() -> None:
    assert cell(Decimal("-2.500000")) == "-2.5"
    assert cell(Decimal("1E+2")) == "100"
    assert cell(Decimal("-0")) == "0"
    assert cell(-3) == "-3"
    assert cell(True) == "yes"
    assert cell(None) == ""
    assert cell(dt.date(2026, 3, 2)) == "2026-03-02"
    # the same text typed by a user is escaped: only real numbers bypass the guard
    assert cell("-2.5") == "'-2.5"


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        cell(1.5)


def test_file_round_trip_with_bom_and_crlf(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.csv"
    with open_csv(path) as f:
        w = SafeWriter(f)
        w.writerow(["name", "qty"])
        w.writerow(['=cmd|"/c calc"!A1', Decimal("-1")])
        w.writerow(['Inês, "Jaén"\nline 2', Decimal("2.25")])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(path, encoding=CSV_ENCODING, newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["name", "qty"],
        ['\'=cmd|"/c calc"!A1', "-1"],
        ['Inês, "Jaén"\nline 2', "2.25"],
    ]


@given(st.text())
def test_no_written_text_cell_starts_a_formula(text: str) -> None:
    buf = io.StringIO()
    SafeWriter(buf).writerow([text])
    (back,) = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    got = back[0] if back else ""
    # what we read back is the text, or the text behind one quote; never a live formula
    assert got in (text, "'" + text)
    assert not got.startswith(FORMULA_TRIGGERS)


_text = st.text(st.sampled_from("ab,\"\r\n =+-@\t'é→"), max_size=8)


@given(st.integers(2, 6).flatmap(lambda k: st.lists(st.lists(_text, min_size=k, max_size=k))))
def test_columns_are_written_exactly_as_the_csv_module_writes_rows(
    rows: list[list[str]],
) -> None:
    rows = [[cell(v) for v in row] for row in rows]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(rows)
    got = io.StringIO()
    width = len(rows[0]) if rows else 0
    columns = [[row[c] for row in rows] for c in range(width)]
    assert write_columns(got, columns, chunk=3) == len(rows)
    assert got.getvalue() == expected.getvalue()


def test_a_single_column_and_its_empty_cells_are_written_as_the_csv_module_does() -> None:
    got = io.StringIO()
    write_columns(got, [["a", "", 'say "hi"']])
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows([["a"], [""], ['say "hi"']])
    assert got.getvalue() == expected.getvalue()


def test_columns_of_unequal_length_are_refused() -> None:
    with pytest.raises(ValueError, match="every column"):
        write_columns(io.StringIO(), [["a", "b"], ["c"]])


def test_escape_column_guards_each_text_and_keeps_a_clean_column() -> None:
    clean_column = ["L-1", "L-2"]
    assert escape_column(clean_column) is clean_column
    assert escape_column(["L-1", "=cmd", "-2", ""]) == ["L-1", "'=cmd", "'-2", ""]
