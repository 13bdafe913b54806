"""Statbank's CSV answer is read as strictly as a file (see tests/test_csv_strict.py): a quote that
closes a cell must be followed by the delimiter or the end of the line, or the answer is a located
shape error rather than a value read from text glued together."""

from __future__ import annotations

import pytest
from govcore_statbank.source import _observations

from govcore import FetchError

# The messages are pinned by their English ids (Danish is the default).
pytestmark = pytest.mark.usefixtures("english")

HEADER = "OMRÅDE;YDELSESTYPE;TID;INDHOLD\n"
AREAS = {"630": "local"}


@pytest.mark.parametrize(("row", "cell", "after"), [
    ('630;TOT;2024K1;"14"065', 4, "065"), ('"630" ;TOT;2024K1;14065', 1, " ")], ids=["value", "area"])
def test_a_damaged_quoted_cell_is_a_located_shape_error(row: str, cell: int, after: str) -> None:
    with pytest.raises(FetchError) as err:
        _observations("AUK01", "statbank:forsorgede", f"{HEADER}630;TOT;2023K4;14000\n{row}\n", AREAS)
    assert (err.value.kind, err.value.field) == ("shape", "line 3")
    assert f"line 3: the CSV answer cannot be read: cell {cell}: the quote that closes it is followed by " \
           f"'{after}', where only ';' or the end of the line may follow" in str(err.value)


@pytest.mark.parametrize("row", ['"630";"TOT";"2024K1";"14065"', '630;T"OT;2024K1;14065', '630;"T""OT";2024K1;14065'],
                         ids=["every-cell-quoted", "quote-in-unquoted-cell", "doubled-quote"])
def test_sound_quoting_reads_as_before(row: str) -> None:
    (obs,) = _observations("AUK01", "statbank:forsorgede", f"{HEADER}{row}\n", AREAS)
    assert (obs.series, obs.period, obs.value) == ("local", "2024-Q1", 14065)
