"""The one number and date formatter (govcore/formatting.py, Babel's CLDR data for da_DK)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import govcore
from govcore.formatting import danish_date, danish_number, exact_number, percent, plain_number, quantity

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("value", "decimals", "fixed", "text"), [
    (1450.5, 1, False, "1.450,5"), (1450.0, 1, False, "1.450"), (1450.0, 1, True, "1.450,0"),
    (-3.2, 1, False, "-3,2"), (1234567.891, 2, False, "1.234.567,89"), (1.85, 1, False, "1,9"),
    (-0.04, 1, False, "0"), (0.5, 0, False, "0"), (999.96, 1, True, "1.000,0"), (None, 1, False, "–"),
])
def test_numbers_are_written_the_danish_way(value: float | None, decimals: int, fixed: bool, text: str) -> None:
    assert danish_number(value, decimals, fixed=fixed) == text


def test_shares_dates_and_quantities() -> None:
    assert percent(4) == "4,0 %"
    assert percent(12.5) == "12,5 %" and percent(3.14159, 2) == "3,14 %"
    assert danish_date(dt.date(2021, 4, 30)) == "30.04.2021"
    assert danish_date(dt.datetime(2021, 4, 3, 23, 59)) == "03.04.2021"
    assert quantity(1061, "forløb") == "1.061 forløb"
    assert quantity(27, "placering") == "nr. 27"
    assert govcore.danish_date(dt.date(2021, 12, 31)) == "31.12.2021" and govcore.percent(None) == "–"


@pytest.mark.parametrize(("value", "text"), [
    (1401.0, "1.401,0"), (48.5, "48,5"), (1.999, "1,999"), (1.25, "1,25"), (0.125, "0,125"),
    (0.12345, "0,123"), (-2.5, "-2,5"),
    # corrections of the hand-written formatter: no exponent and no '-0' in a Danish explanation
    (0.00001234, "0,0000123"), (-0.0, "0,0"),
])
def test_explanations_never_round_into_another_verdict(value: float, text: str) -> None:
    assert exact_number(value) == text


@pytest.mark.parametrize(("value", "text"), [(2.5, "2,5"), (1500, "1.500"), (0.1 + 0.2, "0,3"), (27, "27"),
                                              (-3.25, "-3,25")])
def test_configured_figures_are_written_as_given(value: float, text: str) -> None:
    assert plain_number(value) == text


def test_written_numbers_read_back() -> None:
    for v in (1450.5, -3.2, 1234567.25, 0.5):
        assert govcore.parse_number(danish_number(v, 2)) == v


def test_no_hand_written_formatter_is_left() -> None:
    """One formatter: Danish separators swapped by hand, or dates put together with strftime, would
    be a second one."""
    swapped = re.compile(r"""replace\(",", "X"\)|\.replace\("\.", ","\)|%d\.%m\.%Y|:%d\.%m\.%Y""")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for base in ("govcore", "plugins")
                 for p in (ROOT / base).rglob("*.py") if "/tests/" not in str(p)
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if swapped.search(line)]
    assert offenders == []
