"""A damaged quoted cell is a located error, not text glued together without a word.

A quote that closes a cell must be followed by the delimiter or the end of the line: `"Job"indsats`
read as `Jobindsats` and `"46" ,x` as `46 ` before, so a hand-edited file whose quoting broke loaded
with wrong data. A quote inside an unquoted cell (`ab"c`) is text, as it always was.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from test_csv_lines import error, rows, write

from govcore import ConfigError, CsvRecords, InputError, csv_header, load_config

ROOT = Path(__file__).resolve().parent.parent
HEADER = "kpi,period,value,source\n"
TWICE = 'a quote inside a quoted cell is written twice: ""'


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("row", "cell", "after"), [
    ('jobrate,2021-01,47,"Job"indsats', 4, "indsats"),
    ('jobrate,2021-01,"47" ,FASIT', 3, " "),
    ('"jobrate"x,2021-01,47,FASIT', 1, "x"),
    ('jobrate,2021-01,47,"Job "Indsats" udtræk"', 4, 'Indsats" udtræk"'),
    ('jobrate,2021-01,47,"FASIT"x', 4, "x"),
    ('jobrate,2021-01,47,"Job ""plus"" FASIT"x', 4, "x"),
    ('job"rate,2021-01,47,"FASIT"x', 4, "x"),
], ids=["text-after", "space-after", "first-cell", "quote-not-doubled", "last-cell", "after-doubled-quotes",
        "after-a-quote-in-an-unquoted-cell"])
def test_a_closing_quote_followed_by_text_is_a_located_error(tmp_path: Path, row: str, cell: int, after: str) -> None:
    text = HEADER + "jobrate,2020-12,46,FASIT\n" + row + "\njobrate,2021-02,45,FASIT\n"
    assert error(write(tmp_path, text)) == (  # no hint: the message says what to write
        f"{tmp_path / 'obs.csv'}:3:{cell}: the line cannot be read as CSV: cell {cell}: the quote that closes it is "
        f"followed by '{after}', where only ',' or the end of the line may follow; {TWICE}")


@pytest.mark.usefixtures("english")
def test_the_text_after_the_quote_is_shown_clipped_and_the_delimiter_is_the_files(tmp_path: Path) -> None:
    text = 'kpi;period;value;source\njobrate;2021-01;47;"Job"indsats og FASIT med en lang tekst;\n'
    assert "cell 4: the quote that closes it is followed by 'indsats og FASIT me…', where only ';' or the end " \
           "of the line may follow" in error(write(tmp_path, text))


@pytest.mark.usefixtures("english")
def test_a_quote_closed_on_a_later_line_names_both_lines(tmp_path: Path) -> None:
    """The row starts on line 3 (where it is reported) and its open quote is closed on line 5."""
    text = HEADER + 'jobrate,2021-01,47,x\njobrate,2021-02,46,"FASIT\njobrate,2021-03,45,y\n"Jobindsats",z\n'
    assert error(write(tmp_path, text)).startswith(
        f"{tmp_path / 'obs.csv'}:3:4: the line cannot be read as CSV: cell 4: the quote opened on line 3 closes "
        f"on line 5, followed by 'Jobindsats\"', where only ',' or the end of the line may follow; {TWICE}")


@pytest.mark.usefixtures("english")
def test_a_quote_left_open_in_the_last_line_without_a_line_end_is_an_error(tmp_path: Path) -> None:
    """Not only a cell spanning lines: `"FASIT` at the very end read as `FASIT`."""
    text = HEADER + 'jobrate,2021-01,47,x\njobrate,2021-02,46,"FASIT'
    assert "obs.csv:3:4: the line cannot be read as CSV: the quote opened on line 3 is not closed before the end " \
           "of the file" in error(write(tmp_path, text))


@pytest.mark.usefixtures("english")
def test_a_quote_left_open_names_the_line_it_opens_on(tmp_path: Path) -> None:
    """The row starts on line 3 (where it is reported); its last cell's quote opens on line 4."""
    text = HEADER + 'jobrate,2021-01,47,x\njobrate,2021-02,"46\n","FASIT\njobrate,2021-03,45,y\n'
    assert "obs.csv:3:4: the line cannot be read as CSV: the quote opened on line 4 is not closed before the end " \
           "of the file" in error(write(tmp_path, text))


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("cell", "read"), [
    ('ab"c', 'ab"c'), ('"Job""indsats"', 'Job"indsats'), ('""', ""), ('"a;b"', "a;b"), ('"x"""', 'x"'),
    (' "Job"indsats', ' "Job"indsats'), ('"Job\nindsats"', "Job\nindsats"), ('FA"', 'FA"'),
], ids=["quote-in-unquoted", "doubled", "empty", "delimiter-inside", "doubled-at-end", "space-before-quote",
        "line-break", "quote-ending-unquoted"])
def test_sound_quoting_reads_as_before(tmp_path: Path, cell: str, read: str) -> None:
    """A quote inside an unquoted cell is text (also one after a leading space: the cell is not quoted)."""
    text = f"kpi;period;value;source\njobrate;2021-01;47;{cell}\njobrate;2021-02;46;FASIT\n"
    got = rows(write(tmp_path, text))
    assert got[0] == (2, {"kpi": "jobrate", "period": "2021-01", "value": "47", "source": read.strip()})
    assert got[1][0] == 3 + cell.count("\n")


@pytest.mark.usefixtures("english")
def test_a_line_break_in_an_unquoted_cell_still_ends_the_row(tmp_path: Path) -> None:
    """Strict quoting refuses nothing more: without quotes a line break ends the row, as CSV has it."""
    text = HEADER + "jobrate,2021-01,47,Job\nindsats\n"
    assert "obs.csv:3: expected 4 cells, found 1" in error(write(tmp_path, text))


@pytest.mark.usefixtures("english")
def test_a_damaged_header_is_an_error_of_the_header_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'omraade;"periode"x;budget\nSocial;2021-01;2\n')
    with pytest.raises(InputError) as err:
        csv_header(path)
    assert "obs.csv:1:2: the header line cannot be read as CSV: cell 2: the quote that closes it is followed by " \
           "'x', where only ';' or the end of the line may follow" in err.value.format()


def test_the_error_is_a_csv_error_with_the_cell_and_the_line_the_row_starts_on() -> None:
    records = CsvRecords('a,b\n1,"x\ny"z\n')
    assert next(records) == ["a", "b"]
    with pytest.raises(csv.Error) as err:
        next(records)
    assert (records.line, getattr(err.value, "cell", None)) == (2, 2)


def test_the_message_is_danish_by_default(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        rows(write(tmp_path, HEADER + 'jobrate,2021-01,47,"Job"indsats\n'))
    assert "celle 4: anførselstegnet, der lukker den, efterfølges af 'indsats', hvor kun ',' eller linjens " \
           "slutning må følge; et anførselstegn inde i en celle i anførselstegn skrives to gange: \"\"" \
           in err.value.format()


def test_a_cell_over_the_csv_limit_keeps_the_csv_modules_error() -> None:
    """The quote check reads the record as the csv module does, cell limit included: a cell over it
    is that error, even when a damaged quote follows."""
    old = csv.field_size_limit(50)
    try:
        records = CsvRecords('a,b\n"' + "x" * 60 + '"y,z\n')
        next(records)
        with pytest.raises(csv.Error) as err:
            next(records)
    finally:
        csv.field_size_limit(old)
    assert (str(err.value), getattr(err.value, "cell", None)) == ("field larger than field limit (50)", None)


# every reader over CsvRecords: the shipped examples, one cell of the third line damaged
DAMAGED = [("vejle", "observations.csv", ","), ("vejle", "budget.csv", ";"), ("vejle", "surveys.csv", ";"),
           ("hilleroed", "offers.csv", ";"), ("hilleroed", "flows.csv", ";"),
           ("hilleroed", "initiatives-followup.csv", ";")]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("example", "name", "delimiter"), DAMAGED, ids=[f"{e}-{n}" for e, n, _d in DAMAGED])
def test_every_reader_of_a_shipped_example_refuses_a_damaged_cell(tmp_path: Path, example: str, name: str,
                                                                   delimiter: str) -> None:
    folder = shutil.copytree(ROOT / "examples" / example, tmp_path / example)
    path = folder / "data" / name
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[2].split(delimiter)
    lines[2] = delimiter.join([cells[0], f'"{cells[1]}"!', *cells[2:]])
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    assert f"{name}:3:2: " in err.value.format()
    assert f"cell 2: the quote that closes it is followed by '!', where only '{delimiter}' or the end of the line " \
           f"may follow; {TWICE}" in err.value.format()


@pytest.mark.parametrize(("text", "start"), [
    ('a,b\n"x",y\n"p"q,r\n', 2), ('a,b\nx,"y"', 2), ('a,b\n"x\ny"\n"p"q\n', 2),
], ids=["row-then-damaged-row", "last-row-without-line-end", "multi-line-row"])
def test_the_explanation_reads_only_the_refused_row(text: str, start: int) -> None:
    """A row the csv module reads has no quote error to explain: should it be refused for a reason
    the explanation does not know (a later Python's), the csv module's error stands rather than one
    made up from the rows after it."""
    from govcore.csvtext import _quote_error

    assert _quote_error(text, start, ",") is None
