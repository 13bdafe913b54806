"""Reading the cells of a finance export: amounts, months and dates as Danish systems write them.

Each parser takes a cell (text from a CSV file, or a value openpyxl read from a workbook) and
returns the value or raises ValueError with a message in the administrator's terms.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable

AMOUNT_HINT = "write an amount like 1.234.567,89 or 1234567.89"
MONTH_HINT = "write the month as 2021-04 (also accepted: 04-2021, 202104, 2021-04-30, april 2021)"
DATE_HINT = "write the date as 2021-05-03 or 03-05-2021"

_NUMBER_CHARS = re.compile(r"[\s\u00a0\u202f\u2009]")
_CURRENCY = re.compile(r"^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk)$", re.IGNORECASE)
_EXPONENT = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")

MONTH_NAMES = {
    "jan": 1, "januar": 1, "january": 1, "feb": 2, "februar": 2, "february": 2, "mar": 3, "marts": 3,
    "march": 3, "apr": 4, "april": 4, "maj": 5, "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7,
    "juli": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10,
    "oktober": 10, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}


def norm(text: str) -> str:
    """A key for comparing names: lower case, æøå spelled out, only letters and digits."""
    s = text.strip().casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if ch.isascii() and ch.isalnum())


def suggest(word: str, choices: Iterable[str], list_all: bool = True) -> str:
    """A hint naming the closest choice, or listing a few choices, or ''."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        by_key = {norm(o): o for o in options}
        close = [by_key[k] for k in difflib.get_close_matches(norm(word), list(by_key), n=1, cutoff=0.6)]
    if close:
        return f"did you mean '{close[0]}'?"
    if list_all and 0 < len(options) <= 12:
        return "expected one of: " + ", ".join(options)
    return ""


def is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_amount(cell: object) -> float:
    """An amount in kroner from text or a number cell.

    Accepted: 1234567.89, 1234567,89, 1.234.567,89, 1,234,567.89, 1 234 567,89, -1.234, (1.234),
    1.234- (trailing minus), 1,2E+06, with or without 'kr.'. A single separator followed by exactly
    three digits (1.500 or 1,500) separates thousands; amounts have at most two decimals (øre).
    """
    if isinstance(cell, bool):
        raise ValueError(f"{cell!r} is not an amount")
    if isinstance(cell, int | float):
        value = float(cell)
    elif isinstance(cell, str):
        value = _amount_text(cell)
    else:
        raise ValueError(f"'{cell}' is not an amount")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"'{cell}' is not a finite amount")
    return value


def _amount_text(text: str) -> float:
    s = _CURRENCY.sub("", _NUMBER_CHARS.sub("", text))
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s[:1] in ("-", "−", "–"):
        negative, s = True, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    elif len(s) > 1 and s[-1] in ("-", "−"):
        negative, s = True, s[:-1]
    value = _unsigned(s)
    if value is None:
        raise ValueError(f"'{text.strip()}' is not an amount")
    return -value if negative else value


def _unsigned(s: str) -> float | None:
    if _DIGITS.fullmatch(s):
        return float(s)
    if _EXPONENT.fullmatch(s):
        return float(s.replace(",", "."))
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if dec == "." else "."
        whole, frac = s.rsplit(dec, 1)
        if s.count(dec) == 1 and _grouped(whole, thousands) and _DIGITS.fullmatch(frac):
            return float(whole.replace(thousands, "") + "." + frac)
        return None
    if not dots and not commas:
        return None
    sep = "." if dots else ","
    if dots + commas > 1:
        return float(s.replace(sep, "")) if _grouped(s, sep) else None
    whole, frac = s.split(sep)
    if not _DIGITS.fullmatch(frac) or not (whole == "" or _DIGITS.fullmatch(whole)):
        return None
    if len(frac) == 3 and 1 <= len(whole) <= 3 and whole != "0":
        return float(whole + frac)
    return float((whole or "0") + "." + frac)


def _grouped(s: str, sep: str) -> bool:
    return re.fullmatch(r"[0-9]{1,3}(?:" + re.escape(sep) + r"[0-9]{3})+", s) is not None


def parse_month(cell: object) -> str:
    """A month as 'YYYY-MM' from text, a year-month number (202104) or a date cell."""
    if isinstance(cell, dt.datetime | dt.date):
        return f"{cell.year:04d}-{cell.month:02d}"
    if isinstance(cell, int) and not isinstance(cell, bool):
        cell = str(cell)
    if isinstance(cell, float) and cell.is_integer():
        cell = str(int(cell))
    if not isinstance(cell, str):
        raise ValueError(f"'{cell}' is not a month")
    text = cell.strip()
    s = text.lower().replace(" ", "")
    patterns: list[tuple[str, str, str]] = [
        (r"([0-9]{4})[-/.]([0-9]{1,2})", "y", "m"),
        (r"([0-9]{4})([0-9]{2})", "y", "m"),
        (r"([0-9]{1,2})[-/.]([0-9]{4})", "m", "y"),
        (r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", "y", "m"),
        (r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})", "d", "m"),
    ]
    for pattern, first, second in patterns:
        m = re.fullmatch(pattern, s)
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
                raise ValueError(f"'{text}' is not a date that exists") from None
        return _month(parts["y"], parts["m"], text)
    m = re.fullmatch(r"([a-zæøå]+)\.?-?([0-9]{4})", s)
    if m and m.group(1) in MONTH_NAMES:
        return _month(int(m.group(2)), MONTH_NAMES[m.group(1)], text)
    raise ValueError(f"'{text}' is not a month")


def _month(year: int, month: int, text: str) -> str:
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' has no month {month}")
    if not 1900 <= year <= 2200:
        raise ValueError(f"'{text}' has an unlikely year {year}")
    return f"{year:04d}-{month:02d}"


def parse_date(cell: object) -> dt.date:
    """A date from text (2021-05-03, 03-05-2021, 3.5.2021, 03/05/2021) or a date cell."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if not isinstance(cell, str):
        raise ValueError(f"'{cell}' is not a date")
    s = cell.strip()
    m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ][0-9:.]+)?", s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})", s)
        if not m:
            raise ValueError(f"'{s}' is not a date")
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"'{s}' is not a date that exists") from None
