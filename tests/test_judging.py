"""What judging a goal reads of its configuration is worked out once per goal and configuration
version (`targets.Judging`, kept by the engine per version): its answers must be those of the goal
itself read afresh — the day classes, the last day a figure stays fresh, and the result — and a
version that changes a KPI must be judged on its own definitions, also for the very goal object
an earlier version held. The engine judges the goals of a day on one day-free view: a figure of
another municipality arriving between two goals' evaluations that day must still be counted in a
computed rank."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from judging_support import across_versions
from pydantic import TypeAdapter

from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.model import KPI, Goal, Observation, Period, Status, Target
from govcore.observations import ObservationStore
from govcore.targets import (
    DayFreeView,
    LazyResult,
    class_days,
    day_class,
    goal_core_of,
    goal_result,
    judging,
    target_core_lazy,
)

ROOT = Path(__file__).resolve().parent.parent
TARGET: TypeAdapter[Target] = TypeAdapter(Target)
EXAMPLES = ("vejle", "hilleroed", "jobindsats")


def words(res: LazyResult) -> tuple[object, ...]:
    r = res.result()
    return r.status, r.actual, r.expected, r.period, r.explanation, sorted(r.inputs.items()), r.model_dump_json()


def every_goal(cfg: Configuration) -> list[Goal]:
    return [g for v in (cfg, *cfg.versions) for g in v.goals]


def test_day_classes_are_the_goals_own() -> None:
    days = [dt.date(2014, 12, 31), *(dt.date(y, m, d) for y in (2020, 2021, 2022, 2023)
                                     for m in (1, 3, 9, 10, 12) for d in (1, 2, 31 if m in (1, 3, 10, 12) else 30))]
    checked = 0
    for name in EXAMPLES:
        cfg = load_config(ROOT / "examples" / name)
        for g in every_goal(cfg):
            judged = judging(g, cfg.kpis)
            for day in days:
                assert judged.day_class(day) == day_class(g, day), (g.id, day)
                assert judged.class_days(day) == class_days(g, day), (g.id, day)
                checked += 1
    assert checked > 1000


def test_the_last_fresh_day_is_the_kpis_own() -> None:
    """`Judging.fresh` against the KPI's own rule (`KPI.stale_after` of the period's end), for
    every goal and period of the examples; KPIs with other age rules keep their own days."""
    checked = 0
    for name in EXAMPLES:
        cfg = load_config(ROOT / "examples" / name)
        periods = sorted({o.period for o in cfg.observations})
        for g in every_goal(cfg):
            judged = judging(g, cfg.kpis)
            for period in periods:
                core = LazyResult.of(goal_result(g, {}, ObservationStore().as_of(dt.date(2021, 1, 1))))
                core.status, core.period = Status.on_track, period  # a measured result of that period
                kpi = cfg.kpis.get(g.kpi or "")
                expected = None if kpi is None or g.target is None or g.target.period is not None \
                    else kpi.stale_after(Period.parse(period).end)
                assert judged.fresh(core) == expected, (g.id, period)
                core.status = Status.no_data
                assert judged.fresh(core) is None
                checked += expected is not None
    assert checked > 100
    # the same period under two age rules, asked one after the other: each rule's own day
    goal = Goal(id="g", title="g", level="national", owner="chef", kpi="k",
                target=TARGET.validate_python({"kind": "at_least", "value": 1}))
    core = LazyResult.of(goal_result(goal, {}, ObservationStore().as_of(dt.date(2021, 1, 1))))
    core.status, core.period = Status.on_track, "2021-03"
    for age, last in (("2 months", dt.date(2021, 5, 31)), ("10 days", dt.date(2021, 4, 10)),
                      ("2 months", dt.date(2021, 5, 31)), (None, None)):
        kpi = KPI(id="k", name="k", max_age=age)
        assert judging(goal, {"k": kpi}).fresh(core) == last, age


def test_the_result_is_the_goals_own_evaluation() -> None:
    """`Judging.core` against the two-step evaluation that goals sharing a target get
    (`target_core_lazy`, `goal_core_of`): words, inputs and all, on day-free and plain views."""
    checked = 0
    for name in EXAMPLES:
        cfg = load_config(ROOT / "examples" / name)
        rows = list(cfg.observations)
        days = [*sorted({o.known for o in rows})[::12], dt.date(cfg.year, 12, 31)]
        code = cfg.municipality.code
        for day in days:
            store = ObservationStore([o for o in rows if o.known <= day])
            version = cfg.version_at(day)
            for g in version.goals:
                for view in (DayFreeView(store, day), store.as_of(day)):
                    one = judging(g, version.kpis).core(view, code, version.kpis)
                    two = goal_core_of(g, version.kpis, view, target_core_lazy(g, version.kpis, view, code))
                    assert words(one) == words(two), (name, day, g.id)
                    checked += 1
    assert checked > 500


def test_a_new_version_is_judged_on_its_own_kpis() -> None:
    """The goal objects stay across a version that changes only a KPI's unit and age rule: the
    goal must be judged on the new definitions from that day (the kept judging is the version's)."""
    cfg = load_config(ROOT / "examples" / "vejle")
    first = cfg.version_at(dt.date(cfg.year, 1, 1))
    goal = next(g for g in first.goals if g.kpi and g.target is not None and g.target.kind == "at_least"
                and g.target.period is None)
    kpi = first.kpis[goal.kpi or ""]
    day = dt.date(cfg.year, 6, 15)
    changed = dataclasses.replace(first, kpis={**first.kpis, kpi.id: kpi.model_copy(
        update={"unit": "stk. i alt", "max_age": "1 day", "published": None})}, effective=day, versions=[])
    before, after, fresh = across_versions(first, changed, goal, day)
    assert before.status is not Status.no_data and "stk. i alt" not in before.explanation
    assert (after.status, after.explanation) == (fresh.status, fresh.explanation)
    assert after.status is Status.no_data and "1 day" not in after.explanation  # too old under the new rule


def test_a_goal_the_version_does_not_hold_is_judged_as_itself() -> None:
    cfg = load_config(ROOT / "examples" / "vejle")
    with Engine(cfg) as e:
        goal = next(g for g in e.config.goals if g.target is not None and g.target.kind == "at_least")
        other = goal.model_copy(update={"target": TARGET.validate_python({"kind": "at_least", "value": 99.5})})
        assert e._judging(goal).goal is goal and e._judging(goal) is e._judging(goal)
        assert e._judging(other).goal is other and e._judging(goal).goal is goal


def test_a_rank_counts_a_figure_that_arrived_between_two_goals_that_day() -> None:
    """Two goals with a computed rank (own target objects): a figure of another municipality for
    the period arrives between their evaluations on one day; the second must count it."""
    cfg = load_config(ROOT / "examples" / "vejle")
    version = cfg.version_at(dt.date(cfg.year, 1, 1))
    code = version.municipality.code
    rank = {"kind": "rank", "top": 3, "of": 3}
    base = next(g for g in version.goals if g.kpi and g.target is not None and g.target.period is None)
    kpi = version.kpis[base.kpi or ""]
    one = base.model_copy(update={"id": "rang-1", "target": TARGET.validate_python(rank)})
    two = base.model_copy(update={"id": "rang-2", "target": TARGET.validate_python(rank)})
    period, day = f"{cfg.year}-03", dt.date(cfg.year, 4, 20)
    better = 1.0 if kpi.higher_is_better else -1.0
    labelled = [Observation(kpi=kpi.id, period=period, value=50.0, municipality=code, known_at=day),
                Observation(kpi=kpi.id, period=period, value=50.0 + better, municipality="740", known_at=day)]
    late = Observation(kpi=kpi.id, period=period, value=50.0 + 2 * better, municipality="751", known_at=day)
    cfg2 = dataclasses.replace(version, goals=[*version.goals, one, two], versions=[],
                               observations=[*version.observations, *labelled])
    with Engine(cfg2) as e:
        e.advance_to(e.calendar.local_datetime(day, 7))
        first = e.reused_goal_result(one, day)
        e.observe(late)
        e.advance_to(e.calendar.local_datetime(day, 8))
        second = e.reused_goal_result(two, day)
        fresh = goal_result(two, cfg2.kpis, e.store.as_of(day), e.code)
    assert (first.actual, second.actual) == (2.0, 3.0)
    assert (second.status, second.actual, second.explanation) == (fresh.status, fresh.actual, fresh.explanation)

