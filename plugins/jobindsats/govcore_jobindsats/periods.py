"""Jobindsats period codes and govcore periods.

`2025M01` is a month (2025-01), `2025Q1` a quarter (2025-Q1), `2024Y01` a year (2024), and
`2024QMAT02` a rolling year (moving annual total) ending with the 2nd quarter — stored as the
quarter it ends with (2024-Q2); the KPI's name says it is a rolling year.
"""

from __future__ import annotations

import re

from govcore_jobindsats.settings import PeriodKind

_CODES: list[tuple[PeriodKind, re.Pattern[str]]] = [
    ("rolling_year", re.compile(r"^(\d{4})QMAT0?([1-4])$")),
    ("month", re.compile(r"^(\d{4})M(0[1-9]|1[0-2])$")),
    ("quarter", re.compile(r"^(\d{4})Q([1-4])$")),
    ("year", re.compile(r"^(\d{4})Y0?1$")),
]


def kind_of(code: str) -> PeriodKind | None:
    for kind, pattern in _CODES:
        if pattern.match(code.strip()):
            return kind
    return None


def to_period(code: str) -> str | None:
    """The govcore period of a Jobindsats period code, or None when the code is not one."""
    for kind, pattern in _CODES:
        m = pattern.match(code.strip())
        if m is None:
            continue
        year = m.group(1)
        if kind == "month":
            return f"{year}-{m.group(2)}"
        if kind in ("quarter", "rolling_year"):
            return f"{year}-Q{m.group(2)}"
        return year
    return None


def year_of(code: str) -> int:
    return int(code.strip()[:4])
