"""Derived budget figures: pure functions of budget, spending, commitments, forecast and profile.

All amounts are kroner. A profile is twelve monthly weights (January first) saying how the year's
budget is expected to be spent; the expected spending to date after month m is the budget times the
share of the weights in months 1..m. Every public result is rounded to øre with `r2`, so rule
conditions and reports see the same numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from govcore import Status
from govcore_budget.i18n import _

MONTHS = 12
FLAT: tuple[float, ...] = (1.0,) * MONTHS


def r2(value: float) -> float:
    """Round to øre, half away from zero as in accounting (0.625 -> 0.63); never -0.0, NaN or infinity."""
    if not math.isfinite(value):
        raise ValueError(_("not a finite number: {value}").format(value=value))
    text = repr(float(value))
    decimals = len(text) - text.index(".") - 1 if "e" not in text else -1
    if 0 <= decimals <= 2:
        out = float(value)  # two decimals or fewer: already what rounding gives (most amounts)
    elif decimals > 3:
        # More than three decimals in the shortest text that reads back as `value`: no amount with
        # three decimals reads back as it, so no half-way amount (x.xx5) lies between the text and
        # the exact binary value, nor is either of them one; rounding either gives the same øre,
        # and `round` of the binary value (correctly rounded) is that amount's float.
        out = round(value, 2)
    else:  # three decimals (the half-way case lives here) or an exponent: as accountants round
        out = float(Decimal(text).quantize(_CENT, rounding=ROUND_HALF_UP))
    return 0.0 if out == 0 else out


_CENT = Decimal("0.01")


def normalise_profile(weights: Sequence[float] | None) -> tuple[float, ...]:
    """Twelve monthly shares summing to 1 (None or empty means a flat profile)."""
    w = tuple(float(x) for x in (weights or FLAT))
    if len(w) != MONTHS:
        raise ValueError(_("a profile has 12 monthly weights (January to December), not {n}").format(n=len(w)))
    if any(not math.isfinite(x) or x < 0 for x in w):
        raise ValueError(_("profile weights must be 0 or more"))
    total = sum(w)
    if total <= 0:
        raise ValueError(_("at least one profile weight must be more than 0"))
    return tuple(x / total for x in w)


def cumulative_share(profile: Sequence[float], month: int) -> float:
    """Share of the year's budget expected to be spent by the end of `month` (1-12)."""
    if not 1 <= month <= MONTHS:
        raise ValueError(_("month must be 1-12, not {month}").format(month=month))
    shares = normalise_profile(profile)
    return 1.0 if month == MONTHS else min(1.0, sum(shares[:month]))


def expected_spent(budget: float, month: int, profile: Sequence[float] = FLAT) -> float:
    """Expected spending to date after `month`: budget × cumulative profile share."""
    return budget * cumulative_share(profile, month)


def pct_of(amount: float, reference: float) -> float:
    """`amount` as a percentage of `reference` (0 when the reference is 0)."""
    return 0.0 if reference == 0 else amount / reference * 100.0


def extrapolate_forecast(spent: float, budget: float, month: int, profile: Sequence[float] = FLAT) -> float:
    """Year-end forecast when the finance system gives none: spending to date scaled up by the profile.

    With a flat profile, 400 spent after April gives 1 200. When the profile expects nothing to be
    spent yet (share 0), whatever was spent comes on top of the budget.
    """
    share = cumulative_share(profile, month)
    return budget + spent if share == 0 else spent / share


@dataclass(frozen=True)
class Figures:
    """The figures of one area for one month, rounded to øre."""

    budget: float
    spent: float
    committed: float
    forecast: float
    expected_spent: float
    spent_deviation: float
    spent_deviation_pct: float
    forecast_deviation: float
    forecast_deviation_pct: float

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in MEASURES}


MEASURES: tuple[str, ...] = (
    "budget", "spent", "committed", "forecast", "expected_spent", "spent_deviation", "spent_deviation_pct",
    "forecast_deviation", "forecast_deviation_pct",
)


def derive(budget: float, spent: float, committed: float, forecast: float | None, month: int,
           profile: Sequence[float] = FLAT) -> Figures:
    """Every figure of an area after `month`. A missing forecast is extrapolated from spending.

    Deviations: spent − expected spending to date (in % of the expected spending, or of the budget
    while nothing is expected yet) and forecast − budget (in % of the budget).
    """
    return Figures(**derived(budget, spent, committed, forecast, month, profile))


def derived(budget: float, spent: float, committed: float, forecast: float | None, month: int,
            profile: Sequence[float] = FLAT) -> dict[str, float]:
    """`derive`'s figures as a plain dict in `MEASURES` order (`Figures.as_dict()`), without the
    frozen object in between: what a subject's fields take at every follow-up."""
    # the share to date, worked out once (as `expected_spent` and `extrapolate_forecast` do it); a
    # tuple profile (the settings' shares, the same at every follow-up) is looked up
    share = _share(profile, month) if type(profile) is tuple else cumulative_share(profile, month)
    fc = (budget + spent if share == 0 else spent / share) if forecast is None else forecast
    expected = budget * share
    spent_dev = spent - expected
    fc_dev = fc - budget
    return {
        "budget": r2(budget), "spent": r2(spent), "committed": r2(committed), "forecast": r2(fc),
        "expected_spent": r2(expected), "spent_deviation": r2(spent_dev),
        "spent_deviation_pct": r2(pct_of(spent_dev, expected if expected else budget)),
        "forecast_deviation": r2(fc_dev), "forecast_deviation_pct": r2(pct_of(fc_dev, budget)),
    }


_share = functools.lru_cache(maxsize=512)(cumulative_share)


def budget_status(forecast_deviation: float, forecast_deviation_pct: float, tolerance_pct: float) -> Status:
    """off_track above the tolerance, at_risk when over budget within it, on_track otherwise."""
    if forecast_deviation_pct > tolerance_pct:
        return Status.off_track
    if forecast_deviation > 0:
        return Status.at_risk
    return Status.on_track
