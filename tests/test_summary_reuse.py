"""The summary reads each goal's result from what the engine reuses between follow-ups: its
statuses, figures and words must be those of a fresh evaluation on the summary's day, also when
figures arrived after the last follow-up, in years without figures and for a target period that
has begun."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from govcore.config import Configuration
from govcore.engine import Engine
from govcore.model import Observation
from govcore.simulate import simulate
from govcore.targets import goal_result

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"


def fresh(engine: Engine, day: dt.date) -> dict[str, tuple[object, ...]]:
    view = engine.store.as_of(day)
    out: dict[str, tuple[object, ...]] = {}
    for g in engine.config.goals:
        r = goal_result(g, engine.config.kpis, view, engine.code)
        out[g.id] = (r.status.value, r.actual, r.expected, r.period, r.explanation)
    return out


@pytest.mark.parametrize(("first", "last"), [(2021, 2021), (2017, 2019), (2020, 2022)])
def test_the_summary_is_what_a_fresh_evaluation_gives(first: int, last: int, vejle_config: Configuration) -> None:
    cfg = vejle_config
    result = simulate(cfg, start=dt.date(first, 1, 1), until=dt.date(last, 12, 31))
    with Engine(cfg, start=dt.date(first, 1, 1)) as engine:
        engine.advance_to(dt.date(last, 12, 31))
        want = fresh(engine, dt.date(last, 12, 31))
    seen = {gid: (s["status"], s["actual"], s["expected"], s["period"], s["explanation"])
            for gid, s in result.summary["goals"].items()}
    assert seen == want
    assert len(seen) > 10


def test_a_figure_arriving_after_the_last_follow_up_is_in_the_reused_result(vejle_config: Configuration) -> None:
    cfg = vejle_config
    with Engine(dataclasses.replace(cfg, versions=[]), start=dt.date(2021, 1, 1)) as engine:
        engine.advance_to(dt.date(2021, 12, 30))
        goal = next(g for g in engine.config.goals if g.kpi and g.target is not None
                    and g.target.kind in ("at_least", "at_most"))
        day = engine.now.date()
        before = engine.reused_goal_result(goal, day)
        assert before.actual is not None
        # a new figure of the goal's KPI, for a later period, known today: the reused result must follow it
        engine.store.add(Observation(kpi=goal.kpi or "", period="2021-12", value=before.actual + 1234.5,
                                     known_at=day))
        after = engine.reused_goal_result(goal, day + dt.timedelta(days=1))
        assert after.actual == before.actual + 1234.5
        assert after.period == "2021-12"
        assert after == goal_result(goal, engine.config.kpis, engine.store.as_of(day + dt.timedelta(days=1)),
                                    engine.code).model_copy(update={"inputs": after.inputs})
