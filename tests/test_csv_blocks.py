"""CSV text is read a block at a time: a StringIO over a whole file held it again at 4 bytes a
character (a million-row observations file took the million-observation year over its 500 MiB),
and the lines, line numbers and errors must be those of the whole text read at once."""

from __future__ import annotations

import csv
import io
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from govcore import CsvRecords
from govcore.csvtext import _lines

ROWS = 200_000


def test_a_large_file_is_not_held_again_while_it_is_read() -> None:
    text = "kpi,period,value,known_at\n" + "jobrate,2021-01,47,2021-02-02\n" * ROWS
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        rows = sum(1 for _ in CsvRecords(text))
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert rows == ROWS + 1
    assert peak < len(text) // 2, f"reading {len(text):,} characters took {peak:,} bytes more"


def _trace(reader: object) -> list[object]:
    assert isinstance(reader, type(csv.reader([])))
    out: list[object] = []
    while True:
        try:
            out.append((next(reader), reader.line_num))
        except StopIteration:
            return out
        except csv.Error as error:
            return [*out, ("error", str(error), reader.line_num)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", ",", '"', "\r", "\n", "\r\n", "\u2028", "\x0c", " ", "ø"]), max_size=60),
       st.integers(min_value=1, max_value=9))
def test_blocks_give_the_lines_of_the_whole_text(parts: list[str], block: int) -> None:
    text = "".join(parts)
    whole = _trace(csv.reader(io.StringIO(text, newline="")))
    assert _trace(csv.reader(_lines(text, block))) == whole
    assert "".join(_lines(text, block)) == text
