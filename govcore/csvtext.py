"""CSV text split into records: the one reader under every CSV file govcore reads.

Below the model (layer 0): the shipped list of municipalities is read with it too.
"""

from __future__ import annotations

import csv
import io
import re

from govcore.i18n import _

__all__ = ["CsvRecords", "sniff_delimiter"]


def sniff_delimiter(header_line: str) -> str:
    """';' or ',': whichever separates more cells of a CSV header line (Danish exports use ';')."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


class CsvRecords:
    """The records of a CSV text, each a list of cells, with the line each starts on.

    Why not `text.splitlines()` into `csv.reader`: a quoted cell may span lines (Excel writes one
    for Alt+Enter), and a list of lines loses the break inside it ("a<newline>b" became "ab");
    and `splitlines` also breaks at characters that end no line in CSV (U+2028, U+2029, U+0085,
    form feed, vertical tab, \x1c-\x1e), splitting a row in two and shifting every later line
    number away from what an editor shows. Here only CR, LF and CRLF end a line, and a cell keeps
    its line breaks as written.

    `line` is the 1-based line the record last read *starts* on (also while reading one fails
    with `csv.Error`), so a multi-line row is reported at its first line, where the user finds
    the row and an unclosed quote opens. Blank lines are records of no cells, as in `csv.reader`.
    The delimiter is sniffed from the first physical line (`first_line`, without its line end).
    """

    def __init__(self, text: str) -> None:
        self.first_line = _LINE_END.split(text, 1)[0]
        self.delimiter = sniff_delimiter(self.first_line)
        self.line = 0
        self._text = text
        self._last: list[str] = []
        self._last_line = 0
        self._reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)

    def __iter__(self) -> CsvRecords:
        return self

    def __next__(self) -> list[str]:
        self.line = start = self._reader.line_num + 1
        try:
            cells = next(self._reader)
        except StopIteration:
            self._closed(self._last, self._last_line)
            raise
        self._last, self._last_line = cells, start
        return cells

    def _closed(self, cells: list[str], start: int) -> None:
        """Raises `csv.Error` when the last record ends inside a quoted cell: a quote never closed
        takes every later line of the file into its cell, silently (the reader is not strict, so
        that `"a"b` stays readable as before). Only a last record with a line break in a cell can
        be one; it is read again with one more line after it, which an open quote takes in too."""
        if not any("\n" in c or "\r" in c for c in cells):
            return
        rest = "".join(_LINES.findall(self._text)[start - 1:])
        probe = rest + ("" if rest.endswith(("\n", "\r")) else "\n") + "-"
        if sum(1 for _record in csv.reader(io.StringIO(probe, newline=""), delimiter=self.delimiter)) == 1:
            self.line = start
            raise csv.Error(_("the quote opened on line {line} is not closed before the end of the file").format(
                line=start))


_LINE_END = re.compile(r"\r\n|\r|\n")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
