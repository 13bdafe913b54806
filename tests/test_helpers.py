"""The helpers plugins share through the public API: names, "did you mean", CSV headers, numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

import govcore


@pytest.mark.parametrize(("text", "value"), [
    ("1.450,5", 1450.5), ("1450,5", 1450.5), ("1,450.5", 1450.5), ("1 450,5", 1450.5), ("1.500", 1500.0),
    ("-1.234", -1234.0), ("(1.234)", -1234.0), ("1.234-", -1234.0), ("0,5", 0.5), ("12", 12.0),
    ("1,2E+06", 1_200_000.0), ("2.345.678,25", 2345678.25),
])
def test_danish_numbers_are_read(text: str, value: float) -> None:
    assert govcore.parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4,5", "1,23,4", "..", "-"])
@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_what_is_not_a_number_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        govcore.parse_number(text)


def test_numbers_written_in_danish_style_are_read_back() -> None:
    assert govcore.danish_number(1450.5) == "1.450,5"
    for v in (1450.5, 98.0, 1234567.0, 12.5, -3.25):
        assert govcore.parse_number(govcore.danish_number(v, decimals=2)) == v


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_names_compare_loosely_and_did_you_mean_uses_it() -> None:
    assert govcore.normalise_name("Køn i alt") == govcore.normalise_name("KOEN-I-ALT") == "koenialt"
    assert govcore.did_you_mean("Koebenhavn", ["København", "Vejle"]) == "did you mean 'København'?"
    assert govcore.did_you_mean("xyz", ["a", "b"]) == "expected one of: a, b"
    assert govcore.did_you_mean("xyz", ["a", "b"], list_all=False) == ""


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_csv_header_and_delimiter_are_sniffed(tmp_path: Path) -> None:
    semi = tmp_path / "a.csv"
    semi.write_text("omraade;periode;beloeb, i kr\n", encoding="utf-8")
    assert govcore.csv_header(semi) == (["omraade", "periode", "beloeb, i kr"], ";")
    comma = tmp_path / "b.csv"
    comma.write_text("kpi,period,value\n", encoding="utf-8")
    assert govcore.csv_header(comma) == (["kpi", "period", "value"], ",")
    empty = tmp_path / "c.csv"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(govcore.InputError, match=r"c.csv:1: the first line must name the columns \(hint: e.g. x;y\)"):
        govcore.csv_header(empty, "x;y")
