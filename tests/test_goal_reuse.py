"""What the engine reuses instead of working it out again must be what working it out gives.

A goal's result is reused between follow-ups while no figure it reads arrives: a goal's subject
must never show anything but what a fresh evaluation on that day gives, also when a criterion
inside all_of/any_of names its own KPI whose figures arrive on other days. A message like an
earlier one is answered without asking durable-rules: the answer must be durable-rules' own."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from govcore._durable import RuleRuntime
from govcore.config import Configuration
from govcore.engine import Engine
from govcore.formatting import danish_date
from govcore.model import KPI, Goal, Observation, Status, Target
from govcore.observations import ObservationStore
from govcore.rules.compiler import compile_ruleset
from govcore.targets import DAY_PLACEHOLDER, DayFreeView, day_class, depends_on_day, goal_core, goal_result, on_day

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"
TARGET: TypeAdapter[Target] = TypeAdapter(Target)


def checked_goal_messages(cfg: Configuration, first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Run from `first` to `last` and check every goal message posted at a follow-up against a fresh
    evaluation on its day; the day and the fresh explanation of each message checked."""
    goals = {g.id: g for g in cfg.goals}
    checked = []
    with Engine(cfg, start=first, trace=True) as engine:
        engine.advance_to(last)
        for post in engine.trace or []:
            m = post.message
            # at a follow-up every figure known that day has arrived (observations come at 06:00)
            if m["for_each"] != "goal" or m["trigger"] != "wheel":
                continue
            fresh = goal_result(goals[m["subject"]], cfg.kpis, engine.store.as_of(post.at.date()), engine.code)
            seen = (m["status"], m.get("value"), m.get("expected"), m.get("period"), m["explanation"])
            assert seen == (fresh.status.value, fresh.actual, fresh.expected, fresh.period or "",
                            fresh.explanation), (m["subject"], post.at)
            checked.append((post.at.date(), fresh.explanation))
    return checked


def cross_kpi(config: Configuration) -> Configuration:
    """One version of the configuration in which every simple goal target becomes all_of/any_of
    of itself and a criterion on another KPI (which publishes on other days than the goal's)."""
    cfg = config.version_at(dt.date(config.year, 1, 1))
    kpis = sorted({o.kpi for o in config.observations})
    goals = []
    for i, g in enumerate(cfg.goals):
        if g.target is None or g.kpi is None or g.target.kind in ("all_of", "any_of", "until"):
            goals.append(g)
            continue
        other = next(k for k in kpis[i % len(kpis):] + kpis if k != g.kpi)
        own = g.target.model_dump(mode="json", exclude_none=True)
        own.pop("period", None)
        target = TARGET.validate_python({"kind": "any_of" if i % 2 else "all_of", "criteria": [
            own, {"kind": "direction", "must": "fall", "compare": "previous_period", "kpi": other}]})
        goals.append(g.model_copy(update={"target": target}))
    return dataclasses.replace(cfg, goals=goals, versions=[])


def in_period(config: Configuration, period: str) -> Configuration:
    """Every simple goal target judged 'in `period`' only: before the period begins such a goal is
    not yet due, after that a period without figures is 'not known' (the day the reuse tells apart)."""
    cfg = config.version_at(dt.date(config.year, 1, 1))
    goals = [g if g.target is None or g.target.kind in ("all_of", "any_of", "until")
             else g.model_copy(update={"target": g.target.model_copy(update={"period": period})})
             for g in cfg.goals]
    return dataclasses.replace(cfg, goals=goals, versions=[])


@pytest.mark.parametrize(("variant", "first", "last"), [
    ("", 2020, 2022), ("cross", 2020, 2022), ("", 2017, 2019), ("period", 2021, 2021)],
    ids=["vejle", "criteria-with-own-kpi", "years-without-figures", "target-period-begins"])
def test_a_reused_goal_result_is_the_fresh_one(variant: str, first: int, last: int,
                                               vejle_config: Configuration) -> None:
    """Also in years without figures, where every result is 'not known on <day>' and is reused
    with the day written in."""
    base = vejle_config
    cross = variant == "cross"
    cfg = cross_kpi(base) if cross else in_period(base, "2021-Q4") if variant == "period" else \
        dataclasses.replace(base.version_at(dt.date(base.year, 1, 1)), versions=[])
    if cross:
        assert sum(len(g.kpis()) > 1 for g in cfg.goals) >= 5
    checked = checked_goal_messages(cfg, dt.date(first, 1, 1), dt.date(last, 12, 31))
    assert len(checked) > 200
    assert sum(danish_date(day) in words for day, words in checked) > (100 if first < 2019 else 0)


def test_remembered_matches_are_durable_rules_own(vejle_config: Configuration) -> None:
    cfg = vejle_config
    with Engine(cfg, start=dt.date(2020, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(2023, 12, 31))
        posts = engine.trace or []
    assert len(posts) > 1000
    assert len(engine._matched) > 0  # the run did remember answers
    runtimes: dict[str, RuleRuntime] = {}
    fired = 0
    try:
        for post in posts:
            version = cfg.version_at(post.at.date())
            runtime = runtimes.get(version.rules.version())
            if runtime is None:
                runtime = runtimes[version.rules.version()] = RuleRuntime(compile_ruleset(version.rules))
            names = {f"r{r.order:04d}": r.id for r in version.rules.rules}
            assert tuple(names[n] for n in runtime.match(post.sent)) == post.fired, (post.at, post.sent)
            fired += bool(post.fired)
    finally:
        for runtime in runtimes.values():
            runtime.close()
    assert fired > 20


# ------------------------------------------------------------- the pieces of the reuse, one by one

SHARE = KPI(id="share", name="andel i job", unit="%")
OTHER = KPI(id="other", name="andel på ydelse", unit="%", higher_is_better=False)


def _goal(spec: dict[str, object]) -> Goal:
    return Goal(id="g", title="g", level="national", owner="chef", kpi="share", target=TARGET.validate_python(spec))


def test_a_not_known_result_is_made_without_its_day_and_gets_the_day_written_in() -> None:
    g = _goal({"kind": "at_least", "value": 50})
    store, day = ObservationStore([]), dt.date(2021, 3, 1)
    template = goal_core(g, {"share": SHARE}, DayFreeView(store, day))
    assert template.status is Status.no_data and DAY_PLACEHOLDER in template.explanation
    assert depends_on_day(template)
    for later in (day, dt.date(2021, 5, 4)):
        written = on_day(template, later)
        fresh = goal_core(g, {"share": SHARE}, store.as_of(later))
        assert written.explanation == fresh.explanation
        assert written.explanation == f"ingen værdi for andel i job er kendt pr. {danish_date(later)}"
        assert written.status is Status.no_data and written.inputs == template.inputs
        assert written.model_fields_set == template.model_fields_set
    assert DAY_PLACEHOLDER in template.explanation  # the template itself is left as it was


def test_a_measured_result_does_not_depend_on_the_day_and_is_reused_as_it_is() -> None:
    g = _goal({"kind": "at_least", "value": 50})
    store = ObservationStore([Observation(kpi="share", period="2021-01", value=52)])
    template = goal_core(g, {"share": SHARE}, DayFreeView(store, dt.date(2021, 3, 1)))
    assert template.status is Status.on_track and not depends_on_day(template)
    assert on_day(template, dt.date(2021, 3, 2)) is template


@pytest.mark.parametrize(("rows", "status", "depends"), [
    ([("share", 52)], Status.on_track, True),                  # any_of met; the other part not known
    ([("share", 52), ("other", 1)], Status.on_track, False),   # both parts measured
    ([], Status.no_data, True),
])
def test_a_compound_depends_on_the_day_when_a_part_does(rows: list[tuple[str, float]], status: Status,
                                                        depends: bool) -> None:
    g = _goal({"kind": "any_of", "criteria": [{"kind": "at_least", "value": 50},
                                              {"kind": "at_most", "value": 2, "kpi": "other"}]})
    store = ObservationStore([Observation(kpi=k, period="2021-01", value=v) for k, v in rows])
    r = goal_core(g, {"share": SHARE, "other": OTHER}, DayFreeView(store, dt.date(2021, 3, 1)))
    assert r.status is status and depends_on_day(r) is depends
    assert [depends_on_day(p) for p in r.parts] == [not rows, len(rows) < 2]


def test_the_day_class_is_whether_the_target_period_has_begun() -> None:
    in_q4 = _goal({"kind": "at_least", "value": 50, "period": "2021-Q4"})
    assert not day_class(in_q4, dt.date(2021, 9, 30))
    assert not day_class(in_q4, dt.date(2021, 10, 1))  # the period's first day: nothing can be known yet
    assert day_class(in_q4, dt.date(2021, 10, 2)) and day_class(in_q4, dt.date(2022, 6, 1))
    assert not day_class(_goal({"kind": "at_least", "value": 50}), dt.date(2022, 6, 1))
    untargeted = Goal(id="g", title="g", level="national", owner="chef", kpi="share")
    assert not day_class(untargeted, dt.date(2022, 6, 1))
