"""Danish numbers in every CSV govcore reads: one parser (text.parse_number), one rule for 1.450."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcore.config import observation_rows
from govcore.errors import GovcoreError
from govcore.text import decimal_mark, parse_number

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")


def _values(tmp_path: Path, *values: str, sep: str = ";") -> list[float]:
    path = tmp_path / "obs.csv"
    lines = [sep.join(["kpi", "period", "value"])]
    lines += [sep.join(["ledighed", f"2021-{i + 1:02d}", v]) for i, v in enumerate(values)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [o.value for o, _ in observation_rows(path)]


def test_observation_files_accept_danish_numbers(tmp_path: Path) -> None:
    assert _values(tmp_path, "1.450,0", "1450,5", "-3,2", "1 450,5", "12") == [1450.0, 1450.5, -3.2, 1450.5, 12.0]
    assert _values(tmp_path, '"1,450.5"', "2.5", sep=",") == [1450.5, 2.5]


@pytest.mark.parametrize(("values", "read"), [
    (("1.450",), [1450.0]),                      # nothing else in the file: the Danish reading, thousands
    (("1.450", "12,5"), [1450.0, 12.5]),         # a comma decimal elsewhere: the dot groups thousands
    (("1.450", "12.5"), [1.45, 12.5]),           # a dot decimal elsewhere: the dot is the decimal mark
    (("0.125", "1.450"), [0.125, 1.45]),         # 0.125 cannot be thousands, so it shows the mark
    (("1,450", "2.000.000"), [1.45, 2000000.0]),  # dots grouping thousands leave the comma as decimal mark
])
def test_the_ambiguous_1_450_follows_the_file(tmp_path: Path, values: tuple[str, ...], read: list[float]) -> None:
    assert _values(tmp_path, *values) == read


def test_a_file_writing_decimals_both_ways_is_an_error_at_the_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(GovcoreError) as err:
        _values(tmp_path, "12,5", "1.450", "12.5")
    text = str(err.value)
    assert "obs.csv:4:3: value: '12.5' has '.' as its decimal mark, but line 2 has ','" in text


def test_a_bad_number_is_located(tmp_path: Path) -> None:
    with pytest.raises(GovcoreError) as err:
        _values(tmp_path, "12", "1,2,3,4", "tolv")
    text = str(err.value)
    assert "obs.csv:3:3: value: '1,2,3,4' is not a number" in text
    assert "obs.csv:4:3: value: 'tolv' is not a number" in text


def test_the_one_parser_with_and_without_a_decimal_mark() -> None:
    assert parse_number("1.450") == 1450.0 and parse_number("1.450", ".") == 1.45
    assert parse_number("1,450", ",") == 1.45 and parse_number("1,450", ".") == 1450.0
    assert parse_number("1.450,5", ".") == 1450.5  # unambiguous spellings ignore the hint
    assert decimal_mark(["7", "1.450", "3,25"]) == "," and decimal_mark(["1.450"]) is None
