"""Filling messages from rule files: `{field}` placeholders, numbers in Danish style."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float | int):
        if float(value).is_integer():
            return f"{int(value):,}".replace(",", ".")
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return str(value)


def danish_number(value: float | None, decimals: int = 1) -> str:
    """1234.5 → '1.234,5'; whole numbers without decimals; None → '–' (the one number formatter
    of reports, charts and forecasts)."""
    if value is None:
        return "–"
    rounded = round(float(value), decimals)
    text = f"{int(rounded):,}" if rounded.is_integer() else f"{rounded:,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{field}` placeholders; rule files are data, so this is substitution, never evaluation."""
    def one(m: re.Match[str]) -> str:
        key, value = m.group(1), values.get(m.group(1), "")
        if (key == "year" or key.endswith("_year")) and isinstance(value, int | float):
            return str(int(value))
        return _fmt(value)
    return _PLACEHOLDER.sub(one, template)
