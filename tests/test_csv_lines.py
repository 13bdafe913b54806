"""CSV text is split into lines the way CSV and editors split it, not the way `str.splitlines` does.

A quoted cell may span lines (Excel writes one for Alt+Enter) and keeps its line break; characters
`splitlines` breaks at but CSV does not (U+2028, U+2029, U+0085, vertical tab, form feed,
\\x1c-\\x1e) stay in their cell; a row is reported at the line it starts on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import govcore
from govcore import ConfigError, InputError, csv_header, load_config, read_csv

# The messages are pinned by their English ids (Danish is the default).
pytestmark = pytest.mark.usefixtures("english")

OPTIONAL = ["source"]
REQUIRED = ["kpi", "period", "value"]
NOT_LINE_ENDS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "obs.csv"
    path.write_bytes(text.encode("utf-8"))  # bytes: the line ends exactly as given
    return path


def rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    return [(r.line, r.values) for r in read_csv(path, REQUIRED, OPTIONAL)]


def error(path: Path) -> str:
    with pytest.raises(InputError) as err:
        rows(path)
    (problem,) = err.value.problems
    return problem.format()


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_quoted_cell_spanning_lines_keeps_its_line_break(tmp_path: Path, end: str) -> None:
    """As Excel writes it (a line feed inside the cell), in a file with a BOM, a blank and a comment line."""
    text = end.join(["\ufeffkpi;period;value;source", "", "# kommentar", 'jobrate;2021-01;47;"Jobindsats\nudtræk"',
                     "jobrate;2021-02;46;FASIT", ""])
    assert rows(write(tmp_path, text)) == [
        (4, {"kpi": "jobrate", "period": "2021-01", "value": "47", "source": "Jobindsats\nudtræk"}),
        (6, {"kpi": "jobrate", "period": "2021-02", "value": "46", "source": "FASIT"})]


def test_a_multi_line_row_is_reported_at_the_line_it_starts_on(tmp_path: Path) -> None:
    text = 'kpi,period,value,source\njobrate,2021-01,47,"Jobindsats\nudtræk",x\njobrate,2021-02,46\n'
    assert "obs.csv:2: expected 4 cells, found 5" in error(write(tmp_path, text))


@pytest.mark.parametrize("char", NOT_LINE_ENDS, ids=[f"U+{ord(c):04X}" for c in NOT_LINE_ENDS])
def test_a_character_that_ends_no_csv_line_stays_in_its_cell(tmp_path: Path, char: str) -> None:
    text = f'kpi,period,value,source\njobrate,2021-01,47,Job{char}indsats\njobrate,2021-02,46,"FA{char}SIT"\n'
    assert rows(write(tmp_path, text)) == [
        (2, {"kpi": "jobrate", "period": "2021-01", "value": "47", "source": f"Job{char}indsats"}),
        (3, {"kpi": "jobrate", "period": "2021-02", "value": "46", "source": f"FA{char}SIT"})]


@pytest.mark.parametrize("char", NOT_LINE_ENDS, ids=[f"U+{ord(c):04X}" for c in NOT_LINE_ENDS])
def test_a_line_after_such_a_character_keeps_its_number(tmp_path: Path, char: str) -> None:
    text = f'kpi,period,value,source\njobrate,2021-01,47,"a{char}b"\njobrate,2021-02\n'
    assert "obs.csv:3: expected 4 cells, found 2" in error(write(tmp_path, text))


def test_an_unclosed_quote_is_reported_at_the_row_that_opens_it(tmp_path: Path) -> None:
    """The cell runs on to the csv module's limit (131,072 characters) many lines further down."""
    text = 'kpi,period,value\njobrate,2021-01,47\njobrate,2021-02,"46\n' + "jobrate,2021-03,45\n" * 10_000
    problem = error(write(tmp_path, text))
    assert "obs.csv:3: the line cannot be read as CSV" in problem and "missing closing quote" in problem


def test_the_header_keeps_a_column_after_such_a_character(tmp_path: Path) -> None:
    path = write(tmp_path, 'omraade;"navn\x1cnr";budget\nSocial;1;2\n')
    assert csv_header(path) == (["omraade", "navn\x1cnr", "budget"], ";")


def test_an_observation_keeps_a_multi_line_source_and_its_problems_their_line(
        make_config: Callable[..., Path]) -> None:
    ok = make_config(observations='kpi,period,value,source\njobrate,2021-01,47,"Jobindsats\nudtræk"\n')
    (obs,) = load_config(ok).observations
    assert obs.source == "Jobindsats\nudtræk"
    bad = make_config(observations='kpi,period,value,source\njobrate,2021-01,tolv,"Jobindsats\nudtræk"\n')
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    (problem,) = err.value.problems
    assert "observations.csv:2:3: value: 'tolv' is not a number" in problem.format()


def test_csv_records_give_each_record_the_line_it_starts_on() -> None:
    """Only CR, LF and CRLF end a line; a blank line is a record of no cells."""
    records = govcore.CsvRecords('a;b;c,d\r\n"x\ny";2\u2028\r\r\n3;4')
    got = [(records.line, cells) for cells in records]
    assert got == [(1, ["a", "b", "c,d"]), (2, ["x\ny", "2\u2028"]), (4, []), (5, ["3", "4"])]
    assert (records.first_line, records.delimiter) == ("a;b;c,d", ";")


@pytest.mark.parametrize("tail", ["jobrate,2021-03,45\n", "jobrate,2021-03,45", "\n\n"], ids=["row", "no-end", "blank"])
def test_a_quote_left_open_to_the_end_of_the_file_is_an_error_not_a_lost_row(tmp_path: Path, tail: str) -> None:
    """Under the csv module's cell limit an open quote takes every later line into its cell, with
    no error of its own: the rows after it would be lost without a word."""
    text = 'kpi,period,value,source\njobrate,2021-01,47,x\njobrate,2021-02,46,"Jobindsats\n' + tail
    assert "obs.csv:3:4: the line cannot be read as CSV: the quote opened on line 3 is not closed before the end " \
           "of the file" in error(write(tmp_path, text))


@pytest.mark.parametrize(("tail", "cell"), [('udtræk"\n', "udtræk"), ('udtræk"', "udtræk"), ('udtræk"\n\n\n', "udtræk"),
                                           ('udtræk""x"\n', 'udtræk"x')],
                         ids=["closed", "no-end", "blank-after", "quote-in-cell"])
def test_a_last_cell_spanning_lines_and_closed_is_read(tmp_path: Path, tail: str, cell: str) -> None:
    text = 'kpi,period,value,source\njobrate,2021-01,47,x\njobrate,2021-02,46,"Jobindsats\n' + tail
    assert rows(write(tmp_path, text))[-1] == (
        3, {"kpi": "jobrate", "period": "2021-02", "value": "46", "source": "Jobindsats\n" + cell})

