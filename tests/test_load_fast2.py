"""read_csv's rows (load-fast2): the file's name and header made once per file and shared by its rows,
and a blank line found by joining its cells. What a row holds and where it is stay as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcore import InputError
from govcore.sourcefile import read_csv

pytestmark = pytest.mark.usefixtures("english")


def test_blank_and_comment_lines_are_skipped_and_every_row_keeps_its_line(tmp_path: Path) -> None:
    path = tmp_path / "obs.csv"
    path.write_text(
        "kpi;period;value\n"
        " a ; 2021 ;1\n"  # 2
        "\n"  # 3: empty
        " ;\t; \u00a0\n"  # 4: only whitespace, no-break space included
        ";;\n"  # 5: empty cells
        "# a;comment;line\n"  # 6
        "  #b;2021;2\n"  # 7: a comment after spaces
        'b;"2021\n-01";3\n'  # 8-9: a quoted cell over two lines
        " ;x; \n"  # 10: one cell with more than whitespace
        "c;;\u00a0\n",  # 11
        encoding="utf-8")
    rows = list(read_csv(path, ["kpi", "period", "value"]))
    assert [(r.line, r.values) for r in rows] == [
        (2, {"kpi": "a", "period": "2021", "value": "1"}),
        (8, {"kpi": "b", "period": "2021\n-01", "value": "3"}),  # its line break kept, at the line it starts on
        (10, {"kpi": "", "period": "x", "value": ""}),
        (11, {"kpi": "c", "period": "", "value": ""}),
    ]
    assert {r.path for r in rows} == {str(path)} and {r.header for r in rows} == {("kpi", "period", "value")}
    assert all(r.header is rows[0].header for r in rows)  # one tuple per file, not one per row
    assert [(p.line, p.column, p.field) for p in (rows[1].problem("value", "m"), rows[1].problem("nope", "m"))] == [
        (8, 3, "value"), (8, 0, "nope")]


def test_a_row_of_the_wrong_width_is_located_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "obs.csv"
    path.write_text("kpi,period,value\n\n  \n# x\nb,2021\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_csv(path, ["kpi", "period", "value"]))
    (p,) = err.value.problems
    assert (p.file, p.line, p.column, p.message) == (str(path), 5, 0, "expected 3 cells, found 2")
