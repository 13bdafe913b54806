"""Early warning: where a goal's KPI is heading by the end of its target period.

Goals in the seeds are judged at year end ("forventes opnået"), which is too late to correct. Every
goal therefore gets a forecast of its KPI at the *horizon* (the end of its target period), made only
from the values known on the day, and a `forecast_status` saying whether the forecast meets what the
target will require then. The methods are deliberately simple and explainable to an administrator:

- **linear trend**: an ordinary least-squares line through the most recent observations (at most
  `WINDOW`, at least `MIN_OBSERVATIONS`), with time counted in periods of the series' grain (months,
  quarters, ...). Uncertainty: the 80 % prediction interval of the regression (t-distribution with
  n − 2 degrees of freedom), which widens the further the horizon lies beyond the data.
- **seasonal naive**: for a monthly series with at least two full years and a clear season (after
  removing the linear trend, the last 24 months correlate with the same months a year earlier
  with a coefficient of at least `SEASON_CORRELATION`), the forecast for a
  month is the value of the same month in the latest year. Uncertainty: the root mean square of
  the year-on-year differences, times √(k + 1) for a horizon k whole years beyond the latest year
  (Hyndman & Athanasopoulos, *Forecasting: principles and practice*, 5.5), times 1.2816 (80 %).
- **observed**: the horizon's period is already known; the forecast is that value.

Fewer than `MIN_OBSERVATIONS` values of one grain give no forecast (`forecast_status == no_data`).
Everything is plain arithmetic on the values known that day, so a replayed year forecasts the same.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast
from weakref import WeakKeyDictionary

from govcore.formatting import danish_number as _num
from govcore.model import (
    KPI,
    AllOf,
    AnyOf,
    AtLeast,
    AtMost,
    Benchmark,
    Change,
    Criterion,
    Direction,
    Goal,
    Observation,
    ObservationRow,
    Period,
    Rank,
    Status,
    Target,
    Trajectory,
    Until,
)
from govcore.observations import ObservationView
from govcore.targets import _period, _period_before, _year_before, interpolate, stale_after

__all__ = ["MIN_OBSERVATIONS", "Forecast", "GoalForecast", "forecast_goal", "forecast_series", "horizon"]

Method = Literal["linear_trend", "seasonal_naive", "observed", "none"]

MIN_OBSERVATIONS = 3
WINDOW = 12
SEASON = 12
SEASON_CORRELATION = 0.6
Z80 = 1.2816
# Two-sided 80 % quantiles of Student's t (t_0.90) by degrees of freedom; above 30 the normal value.
_T80 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383,
        10: 1.372, 11: 1.363, 12: 1.356, 13: 1.350, 14: 1.345, 15: 1.341, 16: 1.337, 17: 1.333,
        18: 1.330, 19: 1.328, 20: 1.325, 21: 1.323, 22: 1.321, 23: 1.319, 24: 1.318, 25: 1.316,
        26: 1.315, 27: 1.314, 28: 1.313, 29: 1.311, 30: 1.310}


@dataclass(frozen=True)
class Forecast:
    """A series' forecast for one period: the value and its 80 % interval."""

    method: Method
    period: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    observations: int = 0
    reason: str = ""


@dataclass(frozen=True)
class GoalForecast:
    """A goal's forecast at its horizon and how it compares with what the target requires then."""

    forecast: Forecast
    horizon: dt.date
    required: float | None
    status: Status
    explanation: str

    def fields(self) -> dict[str, float | str | None]:
        """The goal subject's forecast fields (rule vocabulary)."""
        f = self.forecast
        return {"forecast": _r(f.value), "forecast_low": _r(f.low), "forecast_high": _r(f.high),
                "forecast_required": _r(self.required), "forecast_period": f.period,
                "forecast_method": f.method, "forecast_status": self.status._value_,
                "forecast_explanation": self.explanation}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


# ------------------------------------------------------------------------------------ periods


def period_index(p: Period) -> int:
    """The period's position on a time axis counted in periods of its own grain."""
    s = p.start
    if p.grain == "month":
        return s.year * 12 + s.month - 1
    if p.grain == "quarter":
        return s.year * 4 + (s.month - 1) // 3
    if p.grain == "half":
        return s.year * 2 + (s.month - 1) // 6
    if p.grain == "year":
        return s.year
    return s.toordinal()


def period_of(grain: str, day: dt.date) -> Period:
    """The period of `grain` that contains `day`."""
    if grain == "month":
        return Period.parse(f"{day.year}-{day.month:02d}")
    if grain == "quarter":
        return Period.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if grain == "half":
        return Period.parse(f"{day.year}-H{1 if day.month <= 6 else 2}")
    if grain == "year":
        return Period.parse(str(day.year))
    return Period.parse(day)


# ------------------------------------------------------------------------------------ methods


def _t80(df: int) -> float:
    return _T80.get(df, Z80) if df >= 1 else math.inf


def _linear(points: Sequence[tuple[int, float]], at: int, period: str) -> Forecast:
    # (lists, not generators, into `math.fsum`: the same numbers, so the same exact sums)
    n = len(points)
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x0 = math.fsum(xs) / n
    y0 = math.fsum(ys) / n
    sxx = math.fsum([(x - x0) ** 2 for x in xs])
    slope = math.fsum([(x - x0) * (y - y0) for x, y in points]) / sxx
    value = y0 + slope * (at - x0)
    residuals = [y - (y0 + slope * (x - x0)) for x, y in points]
    sse = math.fsum([e * e for e in residuals])
    if sse <= 1e-18 * max(1.0, math.fsum([y * y for y in ys])):
        sse = 0.0
    s = math.sqrt(sse / (n - 2)) if n > 2 else 0.0
    half = _t80(n - 2) * s * math.sqrt(1 + 1 / n + (at - x0) ** 2 / sxx) if s else 0.0
    return Forecast("linear_trend", period, value, value - half, value + half, n)


def seasonal_strength(values: Sequence[float]) -> float:
    """How alike the years are: the correlation of each detrended month with the same month a year
    earlier (1 for a season that repeats exactly; 0 when flat or shorter than two years)."""
    n = len(values)
    if n < 2 * SEASON:
        return 0.0
    x0 = (n - 1) / 2
    y0 = math.fsum(values) / n
    sxx = math.fsum((x - x0) ** 2 for x in range(n))
    slope = math.fsum((x - x0) * (y - y0) for x, y in enumerate(values)) / sxx
    r = [y - y0 - slope * (x - x0) for x, y in enumerate(values)]
    now, before = r[SEASON:], r[:-SEASON]
    m1, m0 = math.fsum(now) / len(now), math.fsum(before) / len(before)
    cov = math.fsum((a - m1) * (b - m0) for a, b in zip(now, before, strict=True))
    v1 = math.fsum((a - m1) ** 2 for a in now)
    v0 = math.fsum((b - m0) ** 2 for b in before)
    scale = 1e-12 * max(1.0, math.fsum(y * y for y in values))
    if v1 <= scale or v0 <= scale:
        return 0.0
    return cov / math.sqrt(v1 * v0)


def _seasonal(series: Sequence[tuple[int, float]], at: int, period: str) -> Forecast:
    by_index = dict(series)
    last = series[-1][0]
    k = (at - last - 1) // SEASON  # whole years beyond the latest year
    source = at - SEASON * (k + 1)
    value = by_index[source]
    diffs = [y - by_index[x - SEASON] for x, y in series if x - SEASON in by_index]
    sigma = math.sqrt(math.fsum(d * d for d in diffs) / len(diffs))
    half = Z80 * sigma * math.sqrt(k + 1)
    return Forecast("seasonal_naive", period, value, value - half, value + half, len(series))


def forecast_series(history: Sequence[Observation | ObservationRow], target: Period,
                    count: Callable[[str], int] | None = None) -> Forecast:
    """Forecast `history` (oldest first) for the period `target` (same grain as the series).

    Only observations of the latest observation's grain are used, so a yearly total never sits
    on the same line as monthly figures. Only the latest `2 * SEASON` of them are read (from the
    end), so a forecast costs the same however long the history is; `count(grain)`, how many
    periods of the grain the history holds (for an observed period's count), saves going
    through it all.
    """
    if not history:
        return Forecast("none", target.text, reason="ingen observationer")
    last = history[-1].period_obj
    grain = last.grain
    at = period_index(target)
    known: float | None = None
    tail: list[tuple[int, float]] = []  # the latest points before `at`, newest first
    for o in reversed(history):
        p = o.period_obj
        if p.grain != grain:
            continue
        if grain == "month":  # `period_index`, inline for the commonest grain
            s = p.start
            i = s.year * 12 + s.month - 1
        else:
            i = period_index(p)
        if i >= at:
            if i == at:
                known = o.value
            continue
        tail.append((i, o.value))
        if len(tail) == 2 * SEASON:
            break
    if known is not None:
        n = count(grain) if count is not None else sum(o.period_obj.grain == grain for o in history)
        return Forecast("observed", target.text, known, known, known, n)
    past = tail[::-1]
    if len(past) < MIN_OBSERVATIONS:
        return Forecast("none", target.text, observations=len(past),
                        reason=f"{len(past)} observationer; der kræves mindst {MIN_OBSERVATIONS}")
    if grain == "month" and len(past) >= 2 * SEASON and _consecutive(past) and \
            seasonal_strength([y for _, y in past]) >= SEASON_CORRELATION:
        return _seasonal(past, at, target.text)
    return _linear(past[-WINDOW:], at, target.text)


def _consecutive(points: Sequence[tuple[int, float]]) -> bool:
    return all(b[0] - a[0] == 1 for a, b in itertools.pairwise(points))


# -------------------------------------------------------------------------------------- goals


def horizon(goal: Goal, day: dt.date) -> dt.date:
    """The end of the goal's target period as seen on `day`.

    The `by_period` of a change target, the next milestone of a trajectory (the last one once all
    have passed), otherwise 31 December of the day's year (the seeds judge goals at year end), or
    the goal's `valid_to` when that comes first.
    """
    t = goal.target
    return _horizon(goal, t, _family(t) if t is not None else "", day)


def _horizon(goal: Goal, t: Target | None, family: str, day: dt.date) -> dt.date:
    """`horizon`, the target and its `_family` read."""
    if family == "change":
        assert isinstance(t, Change)
        if t.by_period:
            return _period(t.by_period).end
    elif family == "trajectory":
        assert isinstance(t, Trajectory)
        ends = [_period(m.period).end for m in t.milestones]
        return next((e for e in ends if e >= day), ends[-1])
    year_end = dt.date(day.year, 12, 31)
    valid_to = goal.valid_to
    return min(valid_to, year_end) if valid_to is not None else year_end


def _series_owner(view: ObservationView, kpi: str, series: str, municipality: str | None) -> str | None:
    if municipality and view.store.rows((kpi, series, municipality)):
        return municipality
    return None


def _required(target: Target, family: str, kpi: KPI, view: ObservationView, municipality: str | None,
              at: Period, latest: ObservationRow) -> tuple[float | None, bool, str]:
    """What the target requires of the value of period `at`, whether higher is good, and why none
    (`family`: the target's `_family`)."""
    if family == "threshold":
        assert isinstance(target, AtLeast | AtMost)
        return target.value, target.kind == "at_least", ""
    if family == "trajectory":
        assert isinstance(target, Trajectory)
        return interpolate(target.milestones, at.end), target.direction == "at_least", ""
    if family == "change":
        assert isinstance(target, Change)
        higher = target.by > 0 if target.by != 0 else kpi.higher_is_better
        base_p = _year_before(at.text) if target.baseline == "previous_year" else _period(target.baseline)
        base = view.own_value(kpi.id, base_p, "local", municipality)
        if base is None:
            return None, higher, f"basisværdien for {base_p} er ikke kendt"
        scale = abs(base) / 100 if target.unit == "percent" else 1.0
        fraction = 1.0
        if target.by_period is not None:
            span = (_period(target.by_period).end - base_p.end).days
            if span > 0:
                fraction = min(1.0, max(0.0, (at.end - base_p.end).days / span))
        return base + target.by * scale * fraction, higher, ""
    if family == "benchmark":
        assert isinstance(target, Benchmark)
        higher = kpi.higher_is_better == (target.relation == "better")
        bench = view.latest(kpi.id, target.series, _series_owner(view, kpi.id, target.series, municipality))
        if bench is None:
            return None, higher, f"ingen værdi for {target.series} er kendt"
        return (bench.value + target.margin if higher else bench.value - target.margin), higher, ""
    if family == "direction":
        assert isinstance(target, Direction)
        higher = {"rise": True, "fall": False, "improve": kpi.higher_is_better}[target.must]
        before = view.own_value(kpi.id, _year_before(at.text) if target.compare == "previous_year" else
                                _period_before(at.text), "local", municipality)
        return (latest.value if before is None else before), higher, ""
    assert isinstance(target, Rank)
    return None, kpi.higher_is_better, "en placering afhænger af de andre kommuners tal"


# (tuples: a union of classes in an isinstance check is built again on every call)
_THRESHOLDS = (AtLeast, AtMost)
_COMPOUNDS = (AllOf, AnyOf, Until)
# The families of targets a forecast tells apart, in the order they are checked. A class's family is
# kept (`_family`): an isinstance check against a pydantic model class is a call of its metaclass's
# `__instancecheck__`, and a forecast asked up to eight of them.
_FAMILY_CHECKS: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("compound", _COMPOUNDS), ("threshold", _THRESHOLDS), ("trajectory", Trajectory), ("change", Change),
    ("benchmark", Benchmark), ("direction", Direction))
_FAMILIES: dict[type, str] = {}


def _family(target: Target) -> str:
    """Which of `_FAMILY_CHECKS` `target` belongs to ('rank' for none of them)."""
    cls = type(target)
    family = _FAMILIES.get(cls)
    if family is None:
        family = _FAMILIES[cls] = next((name for name, classes in _FAMILY_CHECKS if isinstance(target, classes)),
                                       "rank")
    return family


_SeriesCache = dict[tuple[str, str | None, str, int], tuple[Forecast, str]]
_SERIES: WeakKeyDictionary[ObservationView, _SeriesCache] = WeakKeyDictionary()


def _series_forecast(view: ObservationView, kpi: str, owner: str | None,
                     history: Sequence[ObservationRow], at: Period) -> tuple[Forecast, str]:
    """`forecast_series` of a KPI's own series, shared by every goal measured by it on one view,
    and its words (`_forecast_words`).

    The forecast is the series', not the goal's: goals on the same KPI and horizon read the same
    one. The store's size is part of the key, so rows added after the view was made are not
    missed (as `targets._field`)."""
    per_view = _SERIES.get(view)  # (`setdefault` makes a weak reference with a callback every call)
    if per_view is None:
        per_view = _SERIES[view] = {}
    key = (kpi, owner, at.text, len(view.store))
    hit = per_view.get(key)
    if hit is None:
        fc = forecast_series(history, at, lambda grain: view.count(kpi, grain, "local", owner))
        hit = per_view[key] = (fc, _forecast_words(fc))
    return hit


_METHOD_WORDS = {"linear_trend": "lineær trend", "seasonal_naive": "sæsonnaiv", "observed": "observeret"}


def _forecast_words(fc: Forecast) -> str:
    """What a goal's forecast says of the series' forecast (the same for every goal reading it)."""
    if fc.value is None:
        return f"ingen prognose for {fc.period}: {fc.reason}"
    text = f"prognose for {fc.period} ({_METHOD_WORDS[fc.method]}, {fc.observations} obs.): {_num(fc.value)}"
    if fc.low != fc.high:
        text += f" (80 %-interval {_num(fc.low)}–{_num(fc.high)})"
    return text


_ON_TRACK, _AT_RISK, _OFF_TRACK, _NO_DATA = Status.on_track, Status.at_risk, Status.off_track, Status.no_data
_VERDICTS = {Status.on_track: "når kravet", Status.at_risk: "er tæt på kravet", Status.off_track: "når ikke kravet"}


def _goal_forecast(forecast: Forecast, horizon: dt.date, required: float | None, status: Status,
                   explanation: str) -> GoalForecast:
    """`GoalForecast(...)` without its generated `__init__` (a frozen dataclass's sets each field
    through `object.__setattr__`: a fifth of a forecast): the same fields in the same order."""
    made = object.__new__(GoalForecast)
    object.__setattr__(made, "__dict__", {"forecast": forecast, "horizon": horizon, "required": required,
                                          "status": status, "explanation": explanation})
    return made


# the forecasts of no series (immutable: every goal without one shares its reason's)
_NO_KPI = Forecast("none", "", reason="intet nøgletal")
_NO_COMPOUND = Forecast("none", "", reason="sammensat succeskriterie")
_NO_ROWS = Forecast("none", "", reason="ingen observationer")
_TOO_OLD = Forecast("none", "", reason="for gamle tal")


def _shortfall(required: float, v: float | None, higher: bool) -> float:
    """How far `v` falls short of `required`."""
    assert v is not None
    return required - v if higher else v - required


def forecast_goal(goal: Goal, kpis: Mapping[str, KPI], view: ObservationView,
                  municipality: str | None = None) -> GoalForecast:
    """The goal's forecast at its horizon, on the values known on `view.day`."""
    day = view.day
    target = goal.target
    family = _family(target) if target is not None else ""
    end = _horizon(goal, target, family, day)
    kpi_id = goal.kpi
    kpi = kpis.get(kpi_id) if kpi_id else None
    if kpi is None or target is None:
        return _goal_forecast(_NO_KPI, end, None, _NO_DATA,
                            "ingen prognose: målet har intet succeskriterie at måle")
    if family == "compound":
        return _goal_forecast(_NO_COMPOUND, end, None, _NO_DATA,
                            "ingen prognose: et sammensat succeskriterie har ikke ét krav at sammenligne med")
    kpi_id = kpi.id
    owner = _series_owner(view, kpi_id, "local", municipality)
    history = view.rows(kpi_id, "local", owner)  # rows, no models: only the latest few are read
    if not history:
        return _goal_forecast(_NO_ROWS, end, None, _NO_DATA,
                            f"ingen prognose: ingen værdi for {kpi.name} er kendt")
    latest = history[-1]
    last = stale_after(kpi, latest.period)  # `kpi.stale_after` of the period's end, kept
    if last is not None and day > last:  # stale figures are not judged as current: nor extrapolated
        return _goal_forecast(_TOO_OLD, end, None, _NO_DATA,
                            f"ingen prognose: seneste tal for {kpi.name} er fra {latest.period}, og tal må "
                            f"højst være {kpi.age_text()} gamle")
    at = period_of(latest.span.grain, end)
    fc, text = _series_forecast(view, kpi_id, owner, history, at)
    value = fc.value
    if value is None:
        return _goal_forecast(fc, end, None, _NO_DATA, text)
    required, higher, why = _required(target, family, kpi, view, municipality, at, latest)
    if required is None:
        return _goal_forecast(fc, end, None, _NO_DATA, f"{text}; intet krav at sammenligne med: {why}")
    tol = cast(Criterion, target).tolerance
    eps = 1e-9 * max(1.0, abs(required))
    short = _shortfall(required, value, higher)
    # 'Bedre end' a benchmark is strict: a forecast equal to it does not meet it (targets.md).
    strict = family == "benchmark" and not cast(Benchmark, target).margin
    if short > tol + eps or (strict and tol == 0 and short >= -eps):
        status = _OFF_TRACK
    elif short > eps or _shortfall(required, fc.low if higher else fc.high, higher) > eps or \
            (strict and short >= -eps):
        status = _AT_RISK
    else:
        status = _ON_TRACK
    return _goal_forecast(fc, end, required, status, f"{text} {_VERDICTS[status]} på {_num(required)}")
