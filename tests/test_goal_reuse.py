"""The engine reuses a goal's result between follow-ups while no figure it reads arrives. Reuse
must never show a goal's subject anything but what a fresh evaluation on that day gives, also
when a criterion inside all_of/any_of names its own KPI whose figures arrive on other days."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.model import Target
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


@pytest.mark.parametrize("cross", [False, True], ids=["vejle", "criteria-with-own-kpi"])
def test_a_reused_goal_result_is_the_fresh_one(cross: bool) -> None:
    base = load_config(VEJLE)
    cfg = cross_kpi(base) if cross else dataclasses.replace(base.version_at(dt.date(base.year, 1, 1)), versions=[])
    goals = {g.id: g for g in cfg.goals}
    if cross:
        assert sum(len(g.kpis()) > 1 for g in cfg.goals) >= 5
    checked = 0
    with Engine(cfg, start=dt.date(2020, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(2022, 12, 31))
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
    assert checked > 200
