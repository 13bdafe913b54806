"""Rows of a CSV file or an Excel sheet, with column aliases and the place of every cell.

CSV files are read with `govcore.read_csv` (comma or semicolon separated, UTF-8, '#' comment
lines); the header is matched here first so that Danish and English column names, in any case and
spelling of æ/ø/å, are accepted. Workbooks (.xlsx) are read with openpyxl; title lines above the
header are skipped, as finance exports often have them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from govcore import InputError, Problem, csv_header, did_you_mean, normalise_name, read_csv
from govcore_budget.i18n import _
from govcore_budget.parsing import is_blank

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Column:
    """A column the reader knows: its key, the names it may have in a file, and whether it must be there."""

    key: str
    names: tuple[str, ...]
    required: bool = False

    def matches(self, header: str) -> bool:
        return normalise_name(header) in {normalise_name(n) for n in self.names}


class Row(NamedTuple):
    """One data row: its values by column key, and where it is. `columns` (each key's header and
    1-based column) is one dict shared by every row of a table: a finance export has a few hundred
    rows of eight cells, and an object per cell cost more than reading it."""

    file: str
    line: int
    values: Mapping[str, object]
    columns: Mapping[str, tuple[str, int]]
    excel: bool = False

    def value(self, key: str) -> object:
        return self.values.get(key)

    def text(self, key: str) -> str:
        v = self.values.get(key)
        return "" if v is None else str(v).strip()

    def problem(self, key: str, message: str, hint: str = "") -> Problem:
        header, column = self.columns.get(key, (key, 0))
        if self.excel and column:
            message = _("cell {cell}: {message}").format(cell=f"{column_letter(column)}{self.line}", message=message)
        return Problem(self.file, self.line, column, message, field=header, hint=hint)


def column_letter(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def read_table(path: Path, columns: Sequence[Column], sheet: str | None = None,
               one_of: Sequence[tuple[str, ...]] = ()) -> list[Row]:
    """Every non-empty data row. Header problems (missing, unknown or repeated columns) are raised
    together as one InputError; `one_of` lists groups of keys of which at least one must be present."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        header_line, header, data = _excel(path, columns, sheet)
        excel = True
    elif path.suffix.lower() == ".xls":
        raise InputError(Problem(str(path), message=_("old Excel files (.xls) cannot be read"),
                                 hint=_("save the file as .xlsx or as CSV UTF-8")))
    else:
        if sheet:
            raise InputError(Problem(str(path), message=_("'sheet: {sheet}' is set, but the file is not a "
                                                          "workbook").format(sheet=sheet), field="sheet",
                                     hint=_("remove 'sheet' or point 'file' at the .xlsx file")))
        header, _delimiter = csv_header(path, "omraade;periode;budget;forbrug;disponeret;forventet_forbrug")
        header_line, data = 1, None
        excel = False
    by_column = _map_header(str(path), header_line, header, columns, one_of, excel)
    places = {key: (h, i + 1) for i, (key, h) in by_column.items()}
    if data is None:
        return [Row(r.path, r.line, {key: r.values[h] for key, (h, _i) in places.items()}, places)
                for r in read_csv(path, required=[], optional=list(header))]
    rows = []
    for line, values in data:
        got = {key: values[i] if i < len(values) else None for i, (key, _h) in by_column.items()}
        if all(is_blank(v) for v in got.values()):
            continue
        rows.append(Row(str(path), line, got, places, excel))
    return rows


def _map_header(file: str, line: int, header: Sequence[str], columns: Sequence[Column],
                one_of: Sequence[tuple[str, ...]], excel: bool) -> dict[int, tuple[str, str]]:
    problems: list[Problem] = []
    by_column: dict[int, tuple[str, str]] = {}
    first: dict[str, str] = {}
    names = [n for c in columns for n in c.names]
    for i, h in enumerate(header):
        if not h:
            continue
        col = next((c for c in columns if c.matches(h)), None)
        where = _("cell {cell}: ").format(cell=f"{column_letter(i + 1)}{line}") if excel else ""
        if col is None:
            hint = did_you_mean(h, names) or _("known columns: {columns}").format(
                columns=", ".join(c.names[0] for c in columns))
            problems.append(Problem(file, line, i + 1, where + _("unknown column '{column}'").format(column=h),
                                    field=h, hint=hint))
        elif col.key in first:
            problems.append(Problem(file, line, i + 1, where + _("columns '{first}' and '{second}' both give "
                                                                 "{column}").format(
                first=first[col.key], second=h, column=col.names[0]), field=h, hint=_("keep one of them")))
        else:
            first[col.key] = h
            by_column[i] = (col.key, h)
    for col in columns:
        if col.required and col.key not in first:
            problems.append(Problem(file, line, 0, _("missing column '{column}'").format(column=col.names[0]),
                                    field=col.names[0],
                                    hint=_missing_hint(col, header)))
    for group in one_of:
        if not any(k in first for k in group):
            wanted = [c.names[0] for c in columns if c.key in group]
            problems.append(Problem(file, line, 0, _("missing column: the file needs {columns}").format(
                columns=_(" or ").join(f"'{w}'" for w in wanted)), field=wanted[0],
                hint=_("name the columns in the first line")))
    if problems:
        raise InputError(problems)
    return by_column


def _missing_hint(col: Column, header: Sequence[str]) -> str:
    close = did_you_mean(col.names[0], [h for h in header if h], list_all=False)
    also = ", ".join(col.names[1:4])
    return close or (_("also accepted: {names}").format(names=also) if also else "")


def _excel(path: Path, columns: Sequence[Column],
           sheet: str | None) -> tuple[int, list[str], list[tuple[int, tuple[Any, ...]]]]:
    import openpyxl  # only needed for workbooks
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise InputError(Problem(str(path), message=_("file not found"),
                                 hint=_("the path is relative to the configuration folder")))
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(Problem(str(path), message=_("cannot read the workbook ({error})").format(
            error=f"{type(err).__name__}: {err}"), hint=_("open it in Excel and save it as .xlsx"))) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            hint = did_you_mean(sheet, wb.sheetnames) or _("sheets: {sheets}").format(sheets=", ".join(wb.sheetnames))
            raise InputError(Problem(str(path), message=_("the workbook has no sheet '{sheet}'").format(sheet=sheet),
                                     field="sheet", hint=hint))
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        rows = [(i, tuple(_clean(v) for v in values))
                for i, values in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True), start=1)]
    finally:
        wb.close()
    for idx, (line, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [v if isinstance(v, str) else "" for v in values]
        if sum(1 for t in texts if t and any(c.matches(t) for c in columns)) >= 2:
            return line, texts, rows[idx + 1:]
    raise InputError(Problem(str(path), 1, 0, _("no header row in the first {n} rows of sheet '{sheet}'").format(
        n=HEADER_SEARCH_ROWS, sheet=ws.title), hint=_("one row must name the columns, e.g. omraade, periode, "
                                                       "budget, forbrug")))


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
