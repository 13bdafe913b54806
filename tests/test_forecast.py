"""The early-warning forecast: its properties on synthetic series, and its use in goals and rules."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.forecast import (
    MIN_OBSERVATIONS,
    forecast_goal,
    forecast_series,
    horizon,
    period_index,
    period_of,
    seasonal_strength,
)
from govcore.model import KPI, Goal, Observation, Period, Status
from govcore.observations import ObservationStore

D = dt.date
SHARE = KPI(id="share", name="andel i job", unit="%")
PERSONS = KPI(id="persons", name="årspersoner", higher_is_better=False)


def month(i: int) -> str:
    """The i-th month counted from January 2018."""
    return f"{2018 + i // 12}-{i % 12 + 1:02d}"


def series(values: list[float], start: int = 0, kpi: str = "share") -> list[Observation]:
    return [Observation(kpi=kpi, period=month(start + i), value=v) for i, v in enumerate(values)]


def goal(target: dict[str, Any], kpi: str = "share", **extra: Any) -> Goal:
    return Goal.model_validate({"id": "g", "title": "Mål", "level": "administrative", "owner": "chef",
                                "kpi": kpi, "target": target, **extra})


finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(a=finite, b=st.floats(min_value=-100, max_value=100, allow_nan=False), n=st.integers(MIN_OBSERVATIONS, 30),
       start=st.integers(0, 60), ahead=st.integers(1, 24))
def test_a_straight_line_is_forecast_exactly(a: float, b: float, n: int, start: int, ahead: int) -> None:
    history = series([a + b * i for i in range(n)], start)
    target = Period.parse(month(start + n - 1 + ahead))
    fc = forecast_series(history, target)
    expected = a + b * (n - 1 + ahead)
    assert fc.method == "linear_trend"
    assert fc.value is not None and fc.low is not None and fc.high is not None
    tol = 1e-6 * max(1.0, abs(a), abs(b) * (n + ahead))
    assert math.isclose(fc.value, expected, abs_tol=tol)
    assert fc.high - fc.low <= 2 * tol  # no scatter, no uncertainty


@settings(max_examples=100, deadline=None)
@given(values=st.lists(finite, min_size=0, max_size=MIN_OBSERVATIONS - 1), ahead=st.integers(1, 12))
def test_no_forecast_from_fewer_than_the_minimum_observations(values: list[float], ahead: int) -> None:
    target = Period.parse(month(len(values) + ahead))
    fc = forecast_series(series(values), target)
    assert fc.method == "none"
    assert fc.value is None and fc.low is None and fc.high is None


@settings(max_examples=100, deadline=None)
@given(values=st.lists(finite, min_size=MIN_OBSERVATIONS, max_size=20), ahead=st.integers(1, 12),
       noise=st.lists(st.floats(-50, 50), min_size=20, max_size=20))
def test_the_interval_contains_the_forecast_and_widens_with_the_horizon(values: list[float], ahead: int,
                                                                          noise: list[float]) -> None:
    vals = [v + e for v, e in zip(values, noise, strict=False)]
    near = forecast_series(series(vals), Period.parse(month(len(vals) - 1 + ahead)))
    far = forecast_series(series(vals), Period.parse(month(len(vals) - 1 + ahead + 12)))
    assert near.value is not None and near.low is not None and near.high is not None
    assert far.low is not None and far.high is not None
    assert near.low <= near.value <= near.high
    assert far.high - far.low >= near.high - near.low - 1e-9


@settings(max_examples=50, deadline=None)
@given(values=st.lists(finite, min_size=MIN_OBSERVATIONS, max_size=20))
def test_forecasting_is_deterministic_and_ignores_the_order_values_arrived_in(values: list[float]) -> None:
    obs = series(values)
    target = Period.parse(month(len(values) + 3))
    assert forecast_series(obs, target) == forecast_series(list(obs), target)
    store = ObservationStore(reversed(obs))
    hist = store.as_of(D(2030, 1, 1)).history("share")
    assert forecast_series(hist, target) == forecast_series(obs, target)


def test_a_known_period_is_not_forecast_but_read() -> None:
    fc = forecast_series(series([1.0, 5.0, 2.0, 7.0]), Period.parse(month(2)))
    assert (fc.method, fc.value, fc.low, fc.high) == ("observed", 2.0, 2.0, 2.0)


def test_the_linear_interval_matches_a_hand_computed_regression() -> None:
    # y = 10, 12, 11, 15 at x = 0..3: slope 1.4, intercept 9.9, residuals 0.1 0.7 -1.7 0.9, SSE 4.2
    fc = forecast_series(series([10.0, 12.0, 11.0, 15.0]), Period.parse(month(5)))
    assert fc.value == pytest.approx(9.9 + 1.4 * 5)
    s = math.sqrt(4.2 / 2)
    half = 1.886 * s * math.sqrt(1 + 1 / 4 + (5 - 1.5) ** 2 / 5)
    assert fc.low == pytest.approx(fc.value - half)
    assert fc.high == pytest.approx(fc.value + half)


def seasonal(years: int, level: float = 100.0, trend: float = 0.0) -> list[float]:
    shape = [30, 20, 10, 0, -10, -20, -30, -20, -10, 0, 10, 20]
    return [level + trend * i + shape[i % 12] for i in range(12 * years)]


def test_a_clearly_seasonal_monthly_series_gets_the_seasonal_naive_forecast() -> None:
    values = seasonal(2)
    assert seasonal_strength(values) > 0.5
    fc = forecast_series(series(values), Period.parse(month(24 + 6)))  # July of the third year
    assert fc.method == "seasonal_naive"
    assert fc.value == values[12 + 6]  # July of the latest year
    assert fc.low == fc.high == fc.value  # the same every year: no uncertainty


def test_seasonal_naive_uncertainty_is_the_rms_of_yearly_differences() -> None:
    values = seasonal(2)
    values[12:] = [v + (3.0 if i % 2 else -3.0) for i, v in enumerate(values[12:])]
    fc = forecast_series(series(values), Period.parse(month(24 + 2)))
    assert fc.method == "seasonal_naive"
    assert fc.value is not None and fc.high is not None
    assert fc.high - fc.value == pytest.approx(1.2816 * 3.0)
    two_years_on = forecast_series(series(values), Period.parse(month(24 + 12 + 2)))
    assert two_years_on.high is not None and two_years_on.value is not None
    assert two_years_on.high - two_years_on.value == pytest.approx(1.2816 * 3.0 * math.sqrt(2))


def test_a_series_without_season_or_with_too_little_history_gets_the_linear_trend() -> None:
    assert forecast_series(series([float(i) for i in range(30)]), Period.parse(month(35))).method == "linear_trend"
    assert forecast_series(series(seasonal(1) + seasonal(1)[:11]), Period.parse(month(30))).method == \
        "linear_trend"


def test_periods_have_an_index_in_their_own_grain() -> None:
    assert period_index(Period.parse("2021-12")) - period_index(Period.parse("2021-01")) == 11
    assert period_index(Period.parse("2022-Q1")) - period_index(Period.parse("2021-Q4")) == 1
    assert period_of("quarter", D(2021, 11, 5)).text == "2021-Q4"
    assert period_of("half", D(2021, 6, 30)).text == "2021-H1"


def test_the_horizon_is_the_end_of_the_target_period() -> None:
    assert horizon(goal({"kind": "at_least", "value": 5}), D(2021, 3, 1)) == D(2021, 12, 31)
    assert horizon(goal({"kind": "at_least", "value": 5}, valid_to="2021-06-30"), D(2021, 3, 1)) == D(2021, 6, 30)
    change = {"kind": "change", "baseline": "2015-12", "by": -60, "by_period": "2017-12"}
    assert horizon(goal(change), D(2016, 3, 1)) == D(2017, 12, 31)
    path = {"kind": "trajectory", "milestones": [{"period": "2020", "value": 25}, {"period": "2025", "value": 30}]}
    assert horizon(goal(path), D(2021, 3, 1)) == D(2025, 12, 31)
    assert horizon(goal(path), D(2019, 3, 1)) == D(2020, 12, 31)


def store_view(day: dt.date, observations: list[Observation]) -> Any:
    return ObservationStore(observations).as_of(day)


def test_a_goal_heading_below_its_requirement_is_off_track_months_before_year_end() -> None:
    # at least 50 %; the share falls 1 point a month from 56 % in January: 45 % by December
    obs = series([56.0 - i for i in range(5)], start=36)  # 2021-01 .. 2021-05
    g = goal({"kind": "at_least", "value": 50})
    result = forecast_goal(g, {"share": SHARE}, store_view(D(2021, 6, 15), obs))
    assert result.status is Status.off_track
    assert result.forecast.period == "2021-12"
    assert result.forecast.value == pytest.approx(45.0)
    assert result.required == 50
    assert result.fields()["forecast_status"] == "off_track"
    assert "2021-12" in result.explanation and "når ikke kravet" in result.explanation


def test_tolerance_and_uncertainty_make_at_risk_and_lower_is_better_is_respected() -> None:
    obs = series([56.0 - i for i in range(5)], start=36)
    tolerant = goal({"kind": "at_least", "value": 50, "tolerance": 6})
    assert forecast_goal(tolerant, {"share": SHARE}, store_view(D(2021, 6, 15), obs)).status is Status.at_risk
    at_most = goal({"kind": "at_most", "value": 50}, kpi="persons")
    falling = series([56.0 - i for i in range(5)], start=36, kpi="persons")
    assert forecast_goal(at_most, {"persons": PERSONS}, store_view(D(2021, 6, 15), falling)).status is \
        Status.on_track
    noisy = series([52.0, 49.0, 53.0, 50.0, 52.5], start=36)
    res = forecast_goal(goal({"kind": "at_least", "value": 50}), {"share": SHARE}, store_view(D(2021, 6, 15), noisy))
    assert res.forecast.value is not None and res.forecast.value >= 50
    assert res.status is Status.at_risk  # the interval reaches below the requirement


def test_a_change_target_forecasts_towards_its_by_period_and_a_rank_has_no_requirement() -> None:
    persons = [Observation(kpi="persons", period="2015-12", value=400.0)] + \
        [Observation(kpi="persons", period=p, value=v)
         for p, v in (("2016-06", 390.0), ("2016-09", 385.0), ("2016-12", 380.0))]
    g = goal({"kind": "change", "baseline": "2015-12", "by": -60, "by_period": "2017-12"}, kpi="persons")
    res = forecast_goal(g, {"persons": PERSONS}, store_view(D(2017, 2, 1), persons))
    assert res.horizon == D(2017, 12, 31)
    assert res.required == pytest.approx(340.0)
    assert res.status is Status.off_track  # the trend is 20 a year; 60 are needed in two
    rank = goal({"kind": "rank", "top": 20}, kpi="share")
    r = forecast_goal(rank, {"share": SHARE}, store_view(D(2021, 6, 15), series([30.0, 25.0, 22.0], 36)))
    assert r.status is Status.no_data and r.forecast.value is not None


def test_the_engine_exposes_the_forecast_in_the_goal_subject_when_rules_use_it(tmp_path: Any) -> None:
    from pathlib import Path

    from govcore import Engine, load_config

    vejle = Path(__file__).resolve().parent.parent / "examples" / "vejle"
    rule = tmp_path / "warn.yaml"
    rule.write_text("rules:\n  - id: varsel\n    when: {followup: monthly}\n    for_each: goal\n"
                    "    if: [forecast_status == off_track]\n    then: [notify]\n", encoding="utf-8")
    config = load_config(vejle, extra_rules=[rule])
    with Engine(config) as engine:
        engine.advance_to(D(config.year, 6, 30))
        g = config.goal("rm5-jobaabninger")
        fields = engine._goal_subject(g, engine.now.date()).fields
        assert fields["forecast_status"] == "off_track"
        assert fields["forecast_method"] == "linear_trend"
        assert fields["forecast_period"] == f"{config.year}-12"
        assert fields["forecast"] == pytest.approx(engine.goal_forecast(g).forecast.value, abs=1e-6)
        varsler = [e for e in engine.events if e.rule == "varsel" and e.subject == g.id]
        assert varsler and varsler[0].at.date() < D(config.year, 7, 1)
    # Without a rule that uses the forecast, goal subjects do not pay for one
    with Engine(load_config(vejle)) as plain:
        plain.advance_to(D(config.year, 6, 30))
        assert "forecast_status" not in plain._goal_subject(g, plain.now.date()).fields
        assert plain.goal_forecast(g).status.value == "off_track"


def test_a_forecast_equal_to_the_national_figure_is_not_better_and_compounds_have_none() -> None:
    national = Observation(kpi="share", period="2021-05", value=48.0, series="national")
    flat = [*series([48.0] * 5, start=36), national]
    strict = forecast_goal(goal({"kind": "benchmark"}), {"share": SHARE}, store_view(D(2021, 6, 15), flat))
    assert strict.forecast.value == pytest.approx(48.0) and strict.status is Status.off_track
    tolerant = goal({"kind": "benchmark", "tolerance": 1})
    assert forecast_goal(tolerant, {"share": SHARE}, store_view(D(2021, 6, 15), flat)).status is Status.at_risk
    margin = goal({"kind": "benchmark", "margin": -1})  # "højst 1 point under": inclusive, and met
    assert forecast_goal(margin, {"share": SHARE}, store_view(D(2021, 6, 15), flat)).status is Status.on_track
    both = goal({"kind": "all_of", "criteria": [{"kind": "benchmark"}, {"kind": "rank", "top": 20}]})
    none = forecast_goal(both, {"share": SHARE}, store_view(D(2021, 6, 15), flat))
    assert none.status is Status.no_data and "sammensat" in none.explanation
