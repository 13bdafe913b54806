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
from collections.abc import Mapping
from typing import Any

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


def parse_number(text: str) -> float:
    """A number as Danish (and English) systems write it; ValueError when it is not one.

    Accepted: 1450.5, 1450,5, 1.450,5, 1,450.5, 1 450,5, -1.234, (1.234), 1.234- (trailing minus),
    1,2E+06. A single separator followed by exactly three digits (1.500 or 1,500) separates
    thousands, as in Danish exports.
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
    value = _unsigned(s)
    if value is None or not math.isfinite(value):
        raise ValueError(f"'{text.strip()}' is not a number")
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


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _fmt(value: Any) -> str:
    """A field as people read it: Danish numbers, 'ja'/'nej', dates as 31.12.2021."""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str) and (m := _ISO_DATE.fullmatch(value)):
        return f"{m.group(3)}.{m.group(2)}.{m.group(1)}"
    if isinstance(value, float | int):
        if float(value).is_integer():
            return f"{int(value):,}".replace(",", ".")
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return str(value)


def danish_number(value: float | None, decimals: int = 1, *, fixed: bool = False) -> str:
    """1234.5 → '1.234,5'; whole numbers without decimals unless `fixed`; None → '–' (the one
    number formatter of reports, charts and forecasts)."""
    if value is None:
        return "–"
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no '-0'
    text = f"{int(rounded):,}" if rounded.is_integer() and not fixed else f"{rounded:,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def date_text(value: dt.date | dt.datetime | str | None) -> str:
    """A date as people read it: '03.05.2021' (an ISO text or a datetime gives its day; None: '–')."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    day = value.date() if isinstance(value, dt.datetime) else value
    return day.strftime("%d.%m.%Y")


def percent(value: float | None, decimals: int = 1) -> str:
    """The one way a share is written: always the same decimals, a space and the sign ('4,0 %'),
    so '4 %', '4,0 %' and '4%' never stand side by side in one document."""
    return "–" if value is None else f"{danish_number(value, decimals, fixed=True)} %"


# Units that count places in a ranking: "27 placering" reads wrong, "nr. 27" is how it is said.
RANK_UNITS = frozenset({"placering", "placeringer", "plads", "pladser", "rang", "nr."})


def is_rank_unit(unit: str) -> bool:
    return unit.strip().lower() in RANK_UNITS


def quantity(value: float | None, unit: str = "", decimals: int = 1) -> str:
    """A value with its unit the Danish way: '4,0 %', 'nr. 27', '1.061 forløb'."""
    if value is None:
        return "–"
    if unit.strip() == "%":
        return percent(value, decimals)
    if is_rank_unit(unit):
        return f"nr. {danish_number(value, 0)}"
    return f"{danish_number(value, decimals)} {unit}".rstrip()


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
