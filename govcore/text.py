"""Text in Danish style: `{field}` placeholders, names compared loosely, numbers read and written.

Plugins read figures and names that people and Danish systems wrote (`1.450,5`, "Århus" vs
"Aarhus"); these helpers are the one way govcore and its plugins do it, so every source accepts
the same spellings and every message shows numbers the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from govcore.formatting import RANK_UNITS, danish_date, danish_number, date_text, is_rank_unit, percent, quantity
from govcore.i18n import _

# The number and date formatter lives in govcore.formatting; its names stay importable from here.
__all__ = ["RANK_UNITS", "danish_number", "date_text", "decimal_mark", "is_rank_unit", "normalise_name", "parse_number",
           "percent", "quantity", "render"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}( ?%)?")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_EXPONENT = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")


def normalise_name(text: str) -> str:
    """A key for comparing names: lower case, æ/ø/å spelled ae/oe/aa, accents dropped, only letters
    and digits — so "Køn i alt", "koen i alt" and "KØN-I-ALT" are the same name."""
    s = text.strip().casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if ch.isascii() and ch.isalnum())


def parse_number(text: str, decimal: str | None = None) -> float:
    """A number as Danish (and English) systems write it; ValueError when it is not one.

    Accepted: 1450.5, 1450,5, 1.450,5, 1,450.5, 1 450,5, -1.234, (1.234), 1.234- (trailing minus),
    1,2E+06. The one ambiguous spelling, a single separator followed by exactly three digits (1.500
    or 1,500), separates thousands, as in Danish exports — unless `decimal` names that separator as
    the decimal mark (a file whose other figures show it: `decimal_mark`), then 1.500 is 1,5.
    """
    s = _SPACES.sub("", text)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s[:1] in ("-", "−", "–"):
        negative, s = True, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    elif len(s) > 1 and s[-1] in ("-", "−"):
        negative, s = True, s[:-1]
    value = _unsigned(s, decimal)
    if value is None or not math.isfinite(value):
        raise ValueError(_("'{value}' is not a number").format(value=text.strip()))
    return -value if negative else value


def decimal_mark(texts: Iterable[str]) -> str | None:
    """The decimal mark ('.' or ',') that the first number written unambiguously shows (12,5; 1.450,5;
    12.5; 0.125), or None when every one is whole or ambiguous (1.450) — one file, one style."""
    for text in texts:
        s = _SPACES.sub("", text).strip("()+-−–")
        dots, commas = s.count("."), s.count(",")
        if dots and commas:
            return "." if s.rfind(".") > s.rfind(",") else ","
        if dots + commas == 1 and not _EXPONENT.fullmatch(s):
            sep = "." if dots else ","
            whole, frac = s.split(sep)
            if _DIGITS.fullmatch(frac) and (len(frac) != 3 or whole in ("", "0")):
                return sep
        elif dots + commas > 1:
            return "," if dots else "."
    return None


# How a file's values are nearly always written: 348, -12.5, 0,125 (ASCII digits, at most one separator)
_PLAIN_NUMBER = re.compile(r"(-?)([0-9]+)(?:([.,])([0-9]+))?")


def number_and_mark(text: str, decimal: str | None = None) -> tuple[str | None, float | None]:
    """`decimal_mark((text,))` and `parse_number(text, decimal or that mark)` at once (None for a text
    that is no number): a file's values read one at a time, a million of them. The plain spellings
    are read directly, each the way those two read it (a test compares them); any other text by them."""
    m = _PLAIN_NUMBER.fullmatch(text)
    if m is not None:
        sign, whole, sep, frac = m.groups()
        own = None
        if sep is None:
            value = float(whole)
        else:
            own = sep if len(frac) != 3 or whole == "0" else None
            thousands = len(frac) == 3 and len(whole) <= 3 and whole != "0" and decimal != sep
            value = float(whole + frac if thousands else whole + "." + frac)
        if value != math.inf:  # too many digits: parse_number's error
            return own, -value if sign else value
    own = decimal_mark((text,))
    try:
        return own, parse_number(text, decimal or own)
    except ValueError:
        return own, None


def _unsigned(s: str, decimal: str | None = None) -> float | None:
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
    if len(frac) == 3 and 1 <= len(whole) <= 3 and whole != "0" and decimal != sep:
        return float(whole + frac)
    return float((whole or "0") + "." + frac)


_GROUPS = {sep: re.compile(r"[0-9]{1,3}(?:" + re.escape(sep) + r"[0-9]{3})+") for sep in ".,"}


def _grouped(s: str, sep: str) -> bool:
    return _GROUPS[sep].fullmatch(s) is not None


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _fmt(value: Any) -> str:
    """A field as people read it: Danish numbers, 'ja'/'nej', dates as 31.12.2021."""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, dt.date):
        return danish_date(value)
    if isinstance(value, str) and (m := _ISO_DATE.fullmatch(value)):
        return f"{m.group(3)}.{m.group(2)}.{m.group(1)}"
    if isinstance(value, float | int):
        if float(value).is_integer():
            return danish_number(value, 0)
        return danish_number(value, 1, fixed=True)
    return str(value)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{field}` placeholders; rule files are data, so this is substitution, never evaluation.

    A number followed by '%' in the template is written as `percent` writes it ('4,0 %'); a date
    as 31.12.2021."""
    def one(m: re.Match[str]) -> str:
        key, value = m.group(1), values.get(m.group(1), "")
        if (key == "year" or key.endswith("_year")) and isinstance(value, int | float):
            return str(int(value))
        if m.group(2) and isinstance(value, int | float) and not isinstance(value, bool):
            return percent(value)  # '{share} %' reads '4,0 %': one style for every percentage
        return _fmt(value) + (m.group(2) or "")
    return _PLACEHOLDER.sub(one, template)
