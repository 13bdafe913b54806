"""Reading the cells of a finance export: amounts, months and dates as Danish systems write them.

Each parser takes a cell (text from a CSV file, or a value openpyxl read from a workbook) and
returns the value or raises ValueError with a message in the administrator's terms.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from govcore import parse_number
from govcore_budget.i18n import N_, _

AMOUNT_HINT = N_("write an amount like 1.234.567,89 or 1234567.89")
MONTH_HINT = N_("write the month as 2021-04 (also accepted: 04-2021, 202104, 2021-04-30, april 2021)")
DATE_HINT = N_("write the date as 2021-05-03 or 03-05-2021")

_CURRENCY = re.compile(r"^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk)$", re.IGNORECASE)
# How finance exports write nearly every amount: 1.234.567,89, -1234,5, 80000000. Such a text is read
# directly; `parse_number` reads it the same (a test compares them), at several times the cost.
_PLAIN_AMOUNT = re.compile(r"-?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),[0-9]{1,2}|-?[0-9]+")

MONTH_NAMES = {
    "jan": 1, "januar": 1, "january": 1, "feb": 2, "februar": 2, "february": 2, "mar": 3, "marts": 3,
    "march": 3, "apr": 4, "april": 4, "maj": 5, "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7,
    "juli": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10,
    "oktober": 10, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}


def is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_amount(cell: object) -> float:
    """An amount in kroner from text or a number cell.

    Accepted: 1234567.89, 1234567,89, 1.234.567,89, 1,234,567.89, 1 234 567,89, -1.234, (1.234),
    1.234- (trailing minus), 1,2E+06, with or without 'kr.'. A single separator followed by exactly
    three digits (1.500 or 1,500) separates thousands; amounts have at most two decimals (øre).
    """
    if isinstance(cell, bool):
        raise ValueError(_("{value} is not an amount").format(value=repr(cell)))
    if isinstance(cell, int | float):
        value = float(cell)
    elif isinstance(cell, str):
        value = _plain_amount(cell) if _PLAIN_AMOUNT.fullmatch(cell) else _amount_text(cell)
    else:
        raise ValueError(_("'{value}' is not an amount").format(value=cell))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(_("'{value}' is not a finite amount").format(value=cell))
    return value


def _plain_amount(text: str) -> float:
    value = float(text.replace(".", "").replace(",", "."))
    return value if math.isfinite(value) else _amount_text(text)  # too many digits: its error


def _amount_text(text: str) -> float:
    try:
        return parse_number(_CURRENCY.sub("", text.strip()))
    except ValueError:
        raise ValueError(_("'{value}' is not an amount").format(value=text.strip())) from None


def parse_month(cell: object) -> str:
    """A month as 'YYYY-MM' from text, a year-month number (202104) or a date cell."""
    if isinstance(cell, dt.datetime | dt.date):
        return f"{cell.year:04d}-{cell.month:02d}"
    if isinstance(cell, int) and not isinstance(cell, bool):
        cell = str(cell)
    if isinstance(cell, float) and cell.is_integer():
        cell = str(int(cell))
    if not isinstance(cell, str):
        raise ValueError(_("'{value}' is not a month").format(value=cell))
    text = cell.strip()
    s = text.lower().replace(" ", "")
    for pattern, first, second in _MONTH_PATTERNS:
        m = pattern.fullmatch(s)
        if not m:
            continue
        parts = {first: int(m.group(1)), second: int(m.group(2))}
        if first == "d":
            parts["y"] = int(m.group(3))
        elif m.lastindex == 3:
            parts["d"] = int(m.group(3))
        if "d" in parts:
            try:
                dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise ValueError(_("'{value}' is not a date that exists").format(value=text)) from None
        return _month(parts["y"], parts["m"], text)
    m = _NAMED_MONTH.fullmatch(s)
    if m and m.group(1) in MONTH_NAMES:
        return _month(int(m.group(2)), MONTH_NAMES[m.group(1)], text)
    raise ValueError(_("'{value}' is not a month").format(value=text))


_MONTH_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple((re.compile(p), a, b) for p, a, b in (
    (r"([0-9]{4})[-/.]([0-9]{1,2})", "y", "m"),
    (r"([0-9]{4})([0-9]{2})", "y", "m"),
    (r"([0-9]{1,2})[-/.]([0-9]{4})", "m", "y"),
    (r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", "y", "m"),
    (r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})", "d", "m"),
))
_NAMED_MONTH = re.compile(r"([a-zæøå]+)\.?-?([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ][0-9:.]+)?")
_DMY_DATE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")


def _month(year: int, month: int, text: str) -> str:
    if not 1 <= month <= 12:
        raise ValueError(_("'{value}' has no month {month}").format(value=text, month=month))
    if not 1900 <= year <= 2200:
        raise ValueError(_("'{value}' has an unlikely year {year}").format(value=text, year=year))
    return f"{year:04d}-{month:02d}"


def parse_date(cell: object) -> dt.date:
    """A date from text (2021-05-03, 03-05-2021, 3.5.2021, 03/05/2021) or a date cell."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if not isinstance(cell, str):
        raise ValueError(_("'{value}' is not a date").format(value=cell))
    s = cell.strip()
    m = _ISO_DATE.fullmatch(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DMY_DATE.fullmatch(s)
        if not m:
            raise ValueError(_("'{value}' is not a date").format(value=s))
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ValueError(_("'{value}' is not a date that exists").format(value=s)) from None
