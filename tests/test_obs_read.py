"""Reading an observations file of a million rows: the plain value spellings read directly, a KPI or
period checked once per text, no mapping per row — and every value and every problem as before."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

import govcore.text
from govcore.config import observation_rows
from govcore.errors import ConfigError, InputError
from govcore.i18n import use_language
from govcore.sourcefile import read_csv, read_csv_cells
from govcore.text import decimal_mark, number_and_mark, parse_number

HEADER = "kpi,period,value,series,municipality,source,known_at\n"


def _spellings() -> list[str]:
    """Every short shape a value takes: signs, whole parts, a separator or two, decimals, odd texts."""
    wholes = ["", "0", "00", "1", "12", "123", "1234", "9" * 400]
    fracs = ["", "0", "5", "25", "125", "000", "1250"]
    out = [f"{sign}{w}{sep}{f}" for sign, w, sep, f in itertools.product(["", "-", "+", "−"], wholes, ["", ".", ","],
                                                                          fracs) if w or f]
    return [*out, "1.450,5", "1,450.5", "1.234.567", "1,234,567", "1.2.3", "(1.234)", "1.234-", "1,2E+06", "12e3",
                  " 42 ", "1 450,5", "1\u00a0450,5", "\u0663", "\uff11\uff12", "abc", "", "-", ".", ",", "0x10",
                  "1_000", "inf", "nan", "12.", ".5", "-,5", "9" * 400 + ",5"]


def _both(text: str, decimal: str | None) -> tuple[str | None, float | None]:
    """What decimal_mark and parse_number say, the way observation_rows asked them before."""
    own = decimal_mark([text])
    try:
        return own, parse_number(text, decimal or own)
    except ValueError:
        return own, None


@pytest.mark.parametrize("decimal", [None, ".", ","])
def test_number_and_mark_reads_every_spelling_as_decimal_mark_and_parse_number_do(decimal: str | None) -> None:
    for text in _spellings():
        got, want = number_and_mark(text, decimal), _both(text, decimal)
        assert got == want and str(got) == str(want), (text, decimal)  # str: -0.0 stays -0.0


def _write(tmp_path: Path, body: str, name: str = "obs.csv", header: str = HEADER) -> Path:
    p = tmp_path / name
    p.write_text(header + body, encoding="utf-8")
    return p


def _read(p: Path) -> tuple[list[tuple[object, ...]], list[str]]:
    rows: list[tuple[object, ...]] = []
    try:
        for o, line in observation_rows(p):
            rows.append((line, o.kpi, o.period, repr(o.value), o.series, o.municipality, o.source, o.known_at))
    except ConfigError as err:
        return rows, [repr(q) for q in err.problems]
    return rows, []


MIXED = "".join(f"k,2021-{i % 12 + 1:02d},\"{v}\",,,,\n" for i, v in enumerate(
    ["1.450", "348", "1,450", "12,5", "1.450", "12.5", "-3,2", "(1.234)", "0,125", "00,125", "1.2.3", "abc", "",
     "9" * 400, "-0", "1.234,5", "1,234.5", "999,999", "-1,000", "12,"]))


@pytest.mark.parametrize("lang", ["en", "da"])
def test_a_file_reads_the_same_without_the_direct_reading(tmp_path: Path, lang: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    p = _write(tmp_path, MIXED)
    with use_language(lang):
        fast = _read(p)
        monkeypatch.setattr(govcore.text, "_PLAIN_NUMBER", re.compile(r"(?!)()()()()"))  # never matches
        slow = _read(p)
    assert fast == slow
    assert fast[0][0] == (2, "k", "2021-01", "1450.0", "local", None, "obs.csv", None)  # before the mark: thousands
    # the mark is ',' from line 5: 12.5 and 1,234.5 write it the other way; 1.2.3, abc, '', 9…9 and 12, are no numbers
    assert [q.split("line=")[1].split(",")[0] for q in fast[1]] == ["7", "12", "13", "14", "15", "18", "21"]


def test_a_bad_kpi_period_or_date_is_reported_on_every_row_that_has_it(tmp_path: Path) -> None:
    long = "k" * 121
    p = _write(tmp_path, "ok,2021,1,,,,\nBad KPI,2021,2,,,,\nok,2021-13,3,,,,\nBad KPI,2021,4,,,,\n"
                         "ok,2021-13,5,,,,\nok,2021,6,,,,2021-02-30\nok,2021,7,,,,2021-02-30\nok,2021,8,,,,\n"
                         f"{long},2021,9,,,,\n{long},2021,10,,,,\n")
    with use_language("en"):
        rows, problems = _read(p)
    assert [r[0] for r in rows] == [2, 9]
    assert [(q.split("line=")[1].split(",")[0], q.split("field=")[1].split(",")[0]) for q in problems] == [
        ("3", "'kpi'"), ("4", "'period'"), ("5", "'kpi'"), ("6", "'period'"), ("7", "'known_at'"), ("8", "'known_at'"),
        ("10", "'kpi'"), ("11", "'kpi'")]
    assert "at most 120 characters" in problems[6] and "at most 120 characters" in problems[7]
    assert "'Bad KPI' is not a valid id" in problems[0] and "'Bad KPI' is not a valid id" in problems[2]
    assert "'2021-13' is not a period" in problems[1] and "'2021-13' is not a period" in problems[3]


def test_a_value_with_a_comma_waits_for_the_mark_as_one_with_a_dot(tmp_path: Path) -> None:
    p = _write(tmp_path, "k,2021,\"1,450\",,,,\nk,2021,7,,,,\nk,2021,\"12,5\",,,,\nk,2021,\"1,450\",,,,\n")
    assert [(r[0], r[3]) for r in _read(p)[0]] == [(2, "1.45"), (3, "7.0"), (4, "12.5"), (5, "1.45")]
    q = _write(tmp_path, "k,2021,\"1,450\",,,,\nk,2021,7,,,,\n", name="q.csv")
    assert [(r[0], r[3]) for r in _read(q)[0]] == [(2, "1450.0"), (3, "7.0")]  # no mark: the Danish reading


def test_columns_left_out_or_in_another_order_read_as_empty_cells(tmp_path: Path) -> None:
    p = _write(tmp_path, "1.450;k;2021\n12,5;k;2021-01\n", header="value;kpi;period\n")
    assert _read(p) == ([(2, "k", "2021", "1450.0", "local", None, "obs.csv", None),
                         (3, "k", "2021-01", "12.5", "local", None, "obs.csv", None)], [])
    q = _write(tmp_path, "k,2021,1,,751,STAR,2022-01-31\n", name="q.csv",
               header="kpi,period,value,series,municipality,source,known_at\n")
    assert _read(q)[0][0][5:7] == ("751", "STAR")


def test_read_csv_cells_gives_read_csvs_rows_as_cells(tmp_path: Path) -> None:
    p = _write(tmp_path, "\n# note,,,,,,\n,  ,,,,,\n k ,2021, 12 ,,,,\n\"k\n2\",2021,3,,,,\nk,2021,4,,,,\n")
    names, rows = read_csv_cells(p, ["kpi", "period", "value"], ["series", "municipality", "source", "known_at"])
    cells = list(rows)
    assert [(r.line, r.values) for r in read_csv(p, ["kpi", "period", "value"],
                                                ["series", "municipality", "source", "known_at"])] == \
        [(line, dict(zip(names, c, strict=True))) for line, c in cells]
    assert [line for line, _ in cells] == [5, 6, 8] and cells[0][1][:3] == ["k", "2021", "12"]
    bad = _write(tmp_path, "k,2021,1,,,,\nk,2021,1,,,\n", name="bad.csv")
    with pytest.raises(InputError) as err:
        list(read_csv_cells(bad, ["kpi"], ["period", "value", "series", "municipality", "source", "known_at"])[1])
    assert (err.value.problems[0].line, err.value.problems[0].column) == (3, 0)
