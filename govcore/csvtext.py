"""CSV text split into records: the one reader under every CSV file govcore reads.

Below the model (layer 0): the shipped list of municipalities is read with it too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import islice

from govcore.i18n import _

__all__ = ["CsvQuoteError", "CsvRecords", "sniff_delimiter"]


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

    The reader is strict about quotes, so that a damaged quoted cell is an error rather than wrong
    data: a quote that closes a cell must be followed by the delimiter or the end of the line
    (`"abc"def` is not the cell `abcdef`, nor `"abc" ;x` the cell `abc `), and a quote opened must
    be closed before the end of the file (or every later line is in its cell). A quote inside an
    unquoted cell (`ab"c`) is text, as CSV has it. The error (`CsvQuoteError`) names the cell
    and what to write instead; it is worked out only once the csv module has refused the record,
    so reading a sound file costs nothing more.
    """

    def __init__(self, text: str) -> None:
        end = _LINE_END.search(text)
        self.first_line = text[:end.start()] if end else text
        self.delimiter = sniff_delimiter(self.first_line)
        self.line = 0
        self._text = text
        self._reader = csv.reader(_lines(text), delimiter=self.delimiter, strict=True)

    def __iter__(self) -> CsvRecords:
        return self

    def __next__(self) -> list[str]:
        self.line = self._reader.line_num + 1
        try:
            return next(self._reader)
        except csv.Error as err:
            raise _quote_error(self._text, self.line, self.delimiter) or err from None


class CsvQuoteError(csv.Error):
    """A quoted cell the csv module refused: `cell` is its 1-based place in the record, and the
    message says what is wrong and what to write instead (a `csv.Error`, so every reader that
    locates one reports it at the line the record starts on, as before)."""

    def __init__(self, message: str, cell: int) -> None:
        super().__init__(message)
        self.cell = cell


def _quote_error(text: str, start: int, delimiter: str) -> CsvQuoteError | None:
    """Why the record starting on line `start` was refused, when its quoting is the reason.

    The record is read again the way the csv module reads it (quote `"`, a doubled quote inside a
    quoted cell, the cell limit), character by character: only on the error path. None when the
    reason is another (a cell over the csv module's limit), and the csv module's error stands.
    """
    limit = csv.field_size_limit()
    cell, length, state, opened = 1, 0, _START, start
    for n, physical in enumerate(islice(_lines(text), start - 1, None), start):
        for at, c in enumerate(physical):
            if state == _QUOTED:
                if c == '"':
                    state = _CLOSED
                    continue
            elif state == _CLOSED and c == '"':  # doubled: a quote in the cell
                state = _QUOTED
            elif c == delimiter:
                cell, length, state = cell + 1, 0, _START
                continue
            elif c in "\r\n":  # the record ends with its physical line (below)
                continue
            elif state == _CLOSED:
                return _damaged(cell, opened, n, _after(physical[at:], delimiter), delimiter)
            elif state == _START and c == '"':
                state, opened = _QUOTED, n
                continue
            else:
                state = _PLAIN
            if length >= limit:
                return None
            length += 1
        if state != _QUOTED:  # the record ended, its quotes sound: refused for another reason
            return None
    return CsvQuoteError(_("the quote opened on line {line} is not closed before the end of the file").format(
        line=opened), cell)


def _damaged(cell: int, opened: int, line: int, after: str, delimiter: str) -> CsvQuoteError:
    if line == opened:
        message = _("cell {cell}: the quote that closes it is followed by '{after}', where only '{delimiter}' "
                    "or the end of the line may follow")
    else:
        message = _("cell {cell}: the quote opened on line {opened} closes on line {line}, followed by "
                    "'{after}', where only '{delimiter}' or the end of the line may follow")
    return CsvQuoteError(message.format(cell=cell, opened=opened, line=line, after=after, delimiter=delimiter) + "; "
                         + _('a quote inside a quoted cell is written twice: ""'), cell)


def _after(rest: str, delimiter: str) -> str:
    """The text after a closing quote up to the cell's end, as the user sees it (clipped)."""
    text = _LINE_END.split(rest, 1)[0].split(delimiter, 1)[0]
    return text if len(text) <= 20 else text[:19] + "…"


def _lines(text: str, block: int = 1 << 18) -> Iterator[str]:
    """The lines of `text` as `io.StringIO(text, newline="")` gives them (CR, LF or CRLF ends one,
    kept), a block of about `block` characters at a time: a StringIO holds its text as 4 bytes a
    character, so one over a whole million-row file took ~150 MiB beside the text itself. A block
    is cut just after an LF, which no line and no CRLF spans."""
    start = 0
    while start < len(text):
        cut = text.find("\n", start + block) + 1 or len(text)
        yield from io.StringIO(text[start:cut], newline="")
        start = cut


_START, _PLAIN, _QUOTED, _CLOSED = range(4)
_LINE_END = re.compile(r"\r\n|\r|\n")
