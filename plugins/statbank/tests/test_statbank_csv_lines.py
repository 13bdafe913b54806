"""Statbank's CSV answer is read the way `govcore.read_csv` reads a file (see tests/test_csv_lines.py):
only CR, LF and CRLF end a line, and a problem names the line the row starts on."""

from __future__ import annotations

import pytest
from govcore_statbank.source import _observations

from govcore import FetchError

# The messages are pinned by their English ids (Danish is the default).
pytestmark = pytest.mark.usefixtures("english")

HEADER = "OMRÅDE;YDELSESTYPE;TID;INDHOLD\n"
AREAS = {"630": "local"}


@pytest.mark.parametrize("char", ["\u2028", "\x85", "\x0c", "\x1e"], ids=["U+2028", "U+0085", "U+000C", "U+001E"])
def test_a_character_that_ends_no_csv_line_does_not_split_the_row(char: str) -> None:
    (obs,) = _observations("AUK01", "statbank:forsorgede", f"{HEADER}630;TOT{char};2024K1;14065\n", AREAS)
    assert (obs.series, obs.period, obs.value) == ("local", "2024-Q1", 14065)


def test_a_problem_after_a_multi_line_cell_names_the_line_an_editor_shows() -> None:
    text = f'{HEADER}630;"I alt\nforsørgede";2024K1;14065\n630;TOT;2024K2;mange\n'
    with pytest.raises(FetchError) as err:
        _observations("AUK01", "statbank:forsorgede", text, AREAS)
    assert "line 4: the value 'mange' is not a number" in str(err.value)


@pytest.mark.parametrize(("text", "reason"), [
    (f'{HEADER}630;TOT;2024K1;"14065\n', "the quote opened on line 2 is not closed before the end of the file"),
    (f'{HEADER}630;TOT;2024K1;"{"1" * 200_000}"\n', "field larger than field limit")], ids=["open-quote", "cell-limit"])
def test_an_answer_the_csv_reader_refuses_is_a_located_shape_error_not_a_plugin_failure(text: str, reason: str) -> None:
    with pytest.raises(FetchError) as err:
        _observations("AUK01", "statbank:forsorgede", text, AREAS)
    assert err.value.kind == "shape"
    assert f"line 2: the CSV answer cannot be read: {reason}" in str(err.value)
