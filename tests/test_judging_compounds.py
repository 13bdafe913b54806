"""perf-goals3: what judging a goal and forecasting it keep between evaluations must not change an
answer. A compound's criteria are worked out once per goal and configuration version (the KPI a
criterion names is read from that version); a goal's result names the goal first in its inputs
without a second result; a forecast tells a target's kind apart by its class once (a subclass is
its parent's kind) and makes its `GoalForecast` without the dataclass's `__init__`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from judging_support import across_versions

from govcore.config import load_config
from govcore.engine import Engine
from govcore.forecast import Forecast, GoalForecast, _goal_forecast, forecast_goal, horizon
from govcore.model import AllOf, Change, Status

ROOT = Path(__file__).resolve().parent.parent


def test_a_criterion_on_another_kpi_is_judged_on_the_version_s_definition_of_it() -> None:
    """The goal and its target stay the same objects across a version that renames only the KPI one
    of its criteria names: from that day the words name the KPI as the new version defines it."""
    cfg = load_config(ROOT / "examples" / "vejle")
    first = cfg.version_at(dt.date(cfg.year, 1, 1))
    goal = next(g for g in first.goals if isinstance(g.target, AllOf)
                and any(getattr(c, "kpi", None) not in (None, g.kpi) for c in g.target.criteria))
    assert isinstance(goal.target, AllOf)
    other = next(own for own in (getattr(c, "kpi", None) for c in goal.target.criteria) if own not in (None, goal.kpi))
    assert isinstance(other, str)
    day = dt.date(cfg.year, 6, 15)
    renamed = first.kpis[other].model_copy(update={"name": "det omdøbte nøgletal"})
    changed = dataclasses.replace(first, kpis={**first.kpis, other: renamed}, effective=day, versions=[])
    before, after, fresh = across_versions(first, changed, goal, day)
    assert first.kpis[other].name in before.explanation and "det omdøbte nøgletal" not in before.explanation
    assert "det omdøbte nøgletal: " in after.explanation
    assert (after.status, after.explanation) == (fresh.status, fresh.explanation)


def test_a_goal_s_result_names_the_goal_first_in_its_inputs() -> None:
    cfg = load_config(ROOT / "examples" / "vejle")
    last = dt.date(cfg.year, 12, 31)
    checked = 0
    with Engine(cfg) as e:
        e.run_year()
        for g in e.config.goals:
            if not e.config.goal_active(g, last) or g.target is None:
                continue
            reused, fresh = e.reused_goal_result(g, last), e.goal_result(g, last)
            assert next(iter(reused.inputs.items())) == ("goal", g.id), g.id
            assert list(reused.inputs) == list(fresh.inputs), g.id
            assert {**reused.inputs, "as_of": None} == {**fresh.inputs, "as_of": None}, g.id
            checked += 1
    assert checked >= 15


class OwnChange(Change):
    """A target class the forecast has not met: judged as its parent's kind."""


def test_a_target_of_a_subclass_is_forecast_as_its_parent_s_kind() -> None:
    cfg = load_config(ROOT / "examples" / "vejle")
    version = cfg.version_at(dt.date(cfg.year, 1, 1))
    goal = next(g for g in version.goals if isinstance(g.target, Change))
    assert isinstance(goal.target, Change)
    with_end = goal.target.model_copy(update={"by_period": f"{cfg.year + 1}"})
    plain = goal.model_copy(update={"target": with_end})
    own = goal.model_copy(update={"target": OwnChange(**dict(with_end))})
    day = dt.date(cfg.year, 9, 30)
    assert horizon(own, day) == horizon(plain, day) == dt.date(cfg.year + 1, 12, 31)
    with Engine(cfg) as e:
        e.advance_to(day)
        view = e.store.as_of(day)
        one = forecast_goal(plain, version.kpis, view, e.code)
        two = forecast_goal(own, version.kpis, view, e.code)
    assert one == two and one.explanation.startswith(f"prognose for {cfg.year + 1}-12 ")


def test_a_goal_forecast_made_without_init_is_the_dataclass_s() -> None:
    fc = Forecast("linear_trend", "2021-12", 4.0, 3.0, 5.0, 12)
    made = _goal_forecast(fc, dt.date(2021, 12, 31), 4.5, Status.at_risk, "prognose")
    built = GoalForecast(fc, dt.date(2021, 12, 31), 4.5, Status.at_risk, "prognose")
    assert made == built and repr(made) == repr(built) and hash(made) == hash(built)
    assert dataclasses.astuple(made) == dataclasses.astuple(built)
    assert list(vars(made)) == [f.name for f in dataclasses.fields(GoalForecast)]
    try:
        made.status = Status.on_track  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a GoalForecast is frozen")


def test_every_goal_s_forecast_on_many_days_is_that_of_a_fresh_view() -> None:
    """The engine's forecasts (one view a day, the series' forecast and its words kept per view)
    are those a fresh view gives every goal, on days across two years of figures."""
    cfg = load_config(ROOT / "examples" / "vejle")
    checked = 0
    with Engine(cfg, start=dt.date(2020, 1, 1)) as e:
        day = dt.date(2020, 1, 10)
        while day <= dt.date(2021, 12, 31):
            e.advance_to(day)
            for g in e.config.goals:
                if e.config.goal_active(g, day):
                    alone = forecast_goal(g, e.config.kpis, e.store.as_of(day), e.code)
                    assert e.goal_forecast(g, day) == alone, (g.id, day)
                    checked += 1
            day += dt.timedelta(days=23)
    assert checked > 300
