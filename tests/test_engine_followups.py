"""perf-engine5: a follow-up marks every goal active that day reviewed for its own rhythm's period.
The engine keeps the active goals' ids grouped by rhythm, made once per list of active goals
(`Engine._followups`), instead of reading each goal's `followup` and `id` through pydantic at every
follow-up. A goal's `review_due` must read as marking goal by goal gives it: false until its
rhythm's period turns, true for a goal that began after the last follow-up."""

from __future__ import annotations

import dataclasses
import datetime as dt

from govcore.config import Configuration
from govcore.engine import Engine, _period_key
from govcore.model import Frequency


def test_review_due_follows_each_goals_rhythm_and_the_active_goals(vejle_config: Configuration) -> None:
    base = vejle_config.version_at(dt.date(2021, 1, 1))
    rhythms = list(Frequency)
    goals = [g.model_copy(update={"followup": rhythms[i % len(rhythms)]}) for i, g in enumerate(base.goals)]
    # goals that begin and end between follow-ups: the active goals (and their groups) change mid-year
    goals.append(goals[0].model_copy(update={"id": "sen-start", "valid_from": dt.date(2021, 6, 10)}))
    goals.append(goals[1].model_copy(update={"id": "tidlig-slut", "valid_to": dt.date(2021, 8, 20)}))
    config = dataclasses.replace(base, goals=goals, versions=[])
    reviewed: dict[str, tuple[int, int]] = {}  # marked goal by goal at each follow-up, as before
    seen = {"review_due": 0, "reviewed": 0}
    with Engine(config, start=dt.date(2021, 1, 1)) as engine:
        day = dt.date(2021, 1, 1)
        while day <= dt.date(2021, 12, 31):
            for ev in engine.advance_to(day):
                if ev.type == "followup":
                    at = ev.at.date()
                    for g in config.goals:
                        if config.goal_active(g, at):
                            reviewed[g.id] = _period_key(g.followup, at)
            for g in config.goals:
                if not config.goal_active(g, day):
                    continue
                due = engine._goal_subject(g, day).fields["review_due"]
                assert due is (reviewed.get(g.id) != _period_key(g.followup, day)), (g.id, g.followup, day)
                seen["review_due" if due else "reviewed"] += 1
            day += dt.timedelta(days=1)
    assert {g.followup for g in goals} == set(Frequency)
    assert seen["review_due"] > 100 and seen["reviewed"] > 100, seen
    assert "sen-start" in reviewed and reviewed["tidlig-slut"] < _period_key(goals[-1].followup, dt.date(2021, 12, 31))
