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
from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.formatting import danish_date
from govcore.model import Target
from govcore.rules.compiler import compile_ruleset
from govcore.targets import goal_result

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"
TARGET: TypeAdapter[Target] = TypeAdapter(Target)


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
def test_a_reused_goal_result_is_the_fresh_one(variant: str, first: int, last: int) -> None:
    """Also in years without figures, where every result is 'not known on <day>' and is reused
    with the day written in."""
    base = load_config(VEJLE)
    cross = variant == "cross"
    cfg = cross_kpi(base) if cross else in_period(base, "2021-Q4") if variant == "period" else \
        dataclasses.replace(base.version_at(dt.date(base.year, 1, 1)), versions=[])
    goals = {g.id: g for g in cfg.goals}
    if cross:
        assert sum(len(g.kpis()) > 1 for g in cfg.goals) >= 5
    checked = named_day = 0
    with Engine(cfg, start=dt.date(first, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(last, 12, 31))
        for post in engine.trace or []:
            m = post.message
            # at a follow-up every figure known that day has arrived (observations come at 06:00)
            if m["for_each"] != "goal" or m["trigger"] != "wheel":
                continue
            fresh = goal_result(goals[m["subject"]], cfg.kpis, engine.store.as_of(post.at.date()), engine.code)
            seen = (m["status"], m.get("value"), m.get("expected"), m.get("period"), m["explanation"])
            assert seen == (fresh.status.value, fresh.actual, fresh.expected, fresh.period or "",
                            fresh.explanation), (m["subject"], post.at)
            checked += 1
            named_day += danish_date(post.at.date()) in fresh.explanation
    assert checked > 200
    assert named_day > (100 if first < 2019 else 0)


def test_remembered_matches_are_durable_rules_own() -> None:
    cfg = load_config(VEJLE)
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
