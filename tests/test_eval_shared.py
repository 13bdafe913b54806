"""Goals with the same target share one evaluation of it on a day (`Engine._goal_core`): each goal
must still get exactly what evaluating its own target alone gives, also when a figure of the KPI
arrives between two goals' evaluations that day, on another day (a result names its day in its
inputs), and after a new version of the configuration changed the KPI's definition that day."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import govcore.engine as engine_module
from govcore.config import Configuration
from govcore.engine import Engine
from govcore.model import Goal, Observation
from govcore.targets import DayFreeView, LazyResult, goal_core_lazy, goal_core_of, target_core_lazy

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"


class Unshared(Engine):
    """The engine evaluating every goal's target itself (what sharing must equal)."""

    def _goal_core(self, g: Goal, day: dt.date, count: int) -> LazyResult:
        return goal_core_lazy(g, self.config.kpis, DayFreeView(self.store, day), self.code)


def with_copies(config: Configuration) -> Configuration:
    """One version of the configuration with a copy of every goal (sharing its target object)."""
    cfg = config.version_at(dt.date(config.year, 1, 1))
    goals = list(cfg.goals) + [g.model_copy(update={"id": f"{g.id}-kopi"}) for g in cfg.goals]
    return dataclasses.replace(cfg, goals=goals, versions=[])


def first_pair(cfg: Configuration) -> tuple[Goal, Goal]:
    goals = {g.id: g for g in cfg.goals}
    goal = next(g for g in cfg.goals if g.kpi and g.target is not None and g.target.kind == "at_least"
                and g.target.period is None)
    return goal, goals[f"{goal.id}-kopi"]


def words(res: LazyResult) -> tuple[object, ...]:
    r = res.result()
    return r.status, r.actual, r.expected, r.period, r.explanation, sorted(r.inputs.items())


def test_copies_of_goals_share_evaluations_and_events_stay(monkeypatch: pytest.MonkeyPatch,
                                                            vejle_config: Configuration) -> None:
    cfg = with_copies(vejle_config)
    last = dt.date(cfg.year, 12, 31)
    with Unshared(cfg) as alone:
        alone.run_year()
        expected = [ev.to_json() for ev in alone.events]
        results = {g.id: words(alone.reused_lazy_result(g, last)) for g in cfg.goals if cfg.goal_active(g, last)}
    counts = {"target": 0, "goal": 0}
    original_target, original_goal = engine_module.target_core_lazy, Engine._goal_core

    def target(*args: Any) -> Any:
        counts["target"] += 1
        return original_target(*args)

    def goal(self: Engine, *args: Any) -> Any:
        counts["goal"] += 1
        return original_goal(self, *args)

    monkeypatch.setattr(engine_module, "target_core_lazy", target)
    monkeypatch.setattr(Engine, "_goal_core", goal)
    with Engine(cfg) as shared:
        shared.run_year()
        assert [ev.to_json() for ev in shared.events] == expected
        assert {g.id: words(shared.reused_lazy_result(g, last))
                for g in cfg.goals if cfg.goal_active(g, last)} == results
    # the copies were served by their originals' evaluations
    assert counts["goal"] > 200
    assert counts["target"] * 2 <= counts["goal"] + 10


def test_a_figure_arriving_between_two_goals_is_seen_by_the_second(vejle_config: Configuration) -> None:
    cfg = with_copies(vejle_config)
    goal, copy = first_pair(cfg)
    day = dt.date(cfg.year, 6, 15)
    new = Observation(kpi=goal.kpi or "", period=f"{cfg.year}-05", value=1.0, known_at=day)
    seen = []
    for kind in (Engine, Unshared):
        with kind(cfg) as e:
            e.advance_to(e.calendar.local_datetime(day, 7))
            before = words(e.reused_lazy_result(goal, day))
            e.observe(new)
            e.advance_to(e.calendar.local_datetime(day, 8))
            seen.append((before, words(e.reused_lazy_result(copy, day))))
    assert seen[0] == seen[1]
    assert seen[0][0] != seen[0][1]  # the new figure is judged


def test_another_day_evaluates_again(vejle_config: Configuration) -> None:
    cfg = with_copies(vejle_config)
    goal, copy = first_pair(cfg)
    first, second = dt.date(cfg.year, 6, 15), dt.date(cfg.year, 6, 16)
    seen = []
    for kind in (Engine, Unshared):
        # from 10:00 to 08:00 the next day: no follow-up evaluates the copy in between
        with kind(cfg, start=cfg.wheel.calendar.local_datetime(first, 10)) as e:
            state = e.store.kpis_state(goal.kpis())
            before = words(e.reused_lazy_result(goal, first))
            e.advance_to(e.calendar.local_datetime(second, 8))
            assert e.store.kpis_state(goal.kpis()) == state  # the same figures on both days
            seen.append((before, words(e.reused_lazy_result(copy, second))))
    assert seen[0] == seen[1]
    assert dict(seen[0][1][5])["as_of"] == second.isoformat()


def test_a_new_version_that_day_evaluates_again(vejle_config: Configuration) -> None:
    cfg = with_copies(vejle_config)
    goal, copy = first_pair(cfg)
    day = dt.date(cfg.year, 6, 15)
    kpi = cfg.kpis[goal.kpi or ""]
    changed = dataclasses.replace(cfg, kpis={**cfg.kpis, kpi.id: kpi.model_copy(update={"unit": "stk. i alt"})},
                                  effective=day, versions=[])
    root = dataclasses.replace(cfg, versions=[cfg, changed])
    seen = []
    for kind in (Engine, Unshared):
        with kind(root) as e:
            e.advance_to(e.calendar.local_datetime(day - dt.timedelta(days=1), 23))
            before = words(e.reused_lazy_result(goal, day))  # asked for the day, on the old version
            e.advance_to(e.calendar.local_datetime(day, 12))
            assert e.config is not cfg
            seen.append((before, words(e.reused_lazy_result(copy, day))))
    assert seen[0] == seen[1]
    assert "stk. i alt" in str(seen[0][1][4]) and "stk. i alt" not in str(seen[0][0][4])


@pytest.mark.parametrize("period", [None, "2021-Q4"])
def test_two_steps_make_the_one_step_result(period: str | None, vejle_config: Configuration) -> None:
    """`goal_core_of(target_core_lazy(...))` is `goal_core_lazy`: words, inputs and all."""
    base = vejle_config
    cfg = base.version_at(dt.date(base.year, 1, 1))
    goals = [g if period is None or g.target is None or g.target.kind in ("all_of", "any_of", "until")
             else g.model_copy(update={"target": g.target.model_copy(update={"period": period})})
             for g in cfg.goals]
    goals.append(goals[0].model_copy(update={"id": "uden-maal", "target": None}))
    goals.append(goals[0].model_copy(update={"id": "ukendt-kpi", "kpi": "findes-ikke"}))
    compared = 0
    with Engine(dataclasses.replace(cfg, goals=goals, versions=[])) as e:
        for month in (1, 6, 11, 12):
            day = dt.date(cfg.year, month, 20)
            e.advance_to(day)
            for g in goals:
                view = DayFreeView(e.store, day)
                one = goal_core_lazy(g, cfg.kpis, view, e.code).result()
                two = goal_core_of(g, cfg.kpis, view, target_core_lazy(g, cfg.kpis, view, e.code)).result()
                assert two == one and two.model_fields_set == one.model_fields_set, (g.id, day)
                compared += 1
    assert compared == 4 * len(goals)
