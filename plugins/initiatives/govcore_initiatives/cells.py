"""Reading the plugin's data files: paths inside the configuration folder, Danish numbers and dates."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from govcore import InputError, Problem, parse_number
from govcore_initiatives.i18n import _


def inside(base_dir: Path, name: str, setting: str) -> Path:
    """The data file `name` relative to the configuration folder; a path leading outside it is an
    error (configurations are data and never read outside their folder)."""
    path = (base_dir / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(base_dir.resolve()):
        raise InputError(Problem(message=_("'{name}' is outside the configuration folder").format(name=name),
                                 field=setting, hint=_("give a path relative to the folder of municipality.yaml")))
    return path


def number(text: str) -> float | None:
    """'72.000', '4,8', '583500', '50 %' → a float; None when it is not a number.

    Read by govcore.parse_number with a comma as the decimal mark (the plugin's files are Danish):
    dots group thousands; a lone dot followed by other than three digits is read as a decimal point.
    """
    s = text.replace("%", "").replace("kr.", "").replace("kr", "")
    if not s.strip():
        return None
    try:
        return parse_number(s, ",")
    except ValueError:
        return None


def date(text: str) -> dt.date | None:
    """'2021-11-15' or '15-11-2021' (also with '.' or '/') → a date; None otherwise."""
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    danish = re.fullmatch(r"([0-9]{1,2})[-./]([0-9]{1,2})[-./]([0-9]{4})", text)
    ymd = (iso.group(1), iso.group(2), iso.group(3)) if iso else \
        (danish.group(3), danish.group(2), danish.group(1)) if danish else None
    if ymd is None:
        return None
    try:
        return dt.date(int(ymd[0]), int(ymd[1]), int(ymd[2]))
    except ValueError:
        return None
