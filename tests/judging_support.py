"""What the judging tests share: a goal judged across a new version of its configuration."""

from __future__ import annotations

import dataclasses
import datetime as dt

from govcore.config import Configuration
from govcore.engine import Engine
from govcore.model import Goal, TargetResult
from govcore.targets import goal_result


def across_versions(first: Configuration, changed: Configuration, goal: Goal,
                    day: dt.date) -> tuple[TargetResult, TargetResult, TargetResult]:
    """The goal's result the day before `changed` takes over from `first` (holding the same goal
    object) and on its day, and the result of the goal judged afresh on `changed`'s KPIs that day."""
    assert next(g for g in changed.goals if g.id == goal.id) is goal
    root = dataclasses.replace(first, versions=[first, changed])
    with Engine(root) as e:
        e.advance_to(e.calendar.local_datetime(day - dt.timedelta(days=1), 23))
        before = e.reused_goal_result(goal, day - dt.timedelta(days=1))
        e.advance_to(e.calendar.local_datetime(day, 12))
        after = e.reused_goal_result(goal, day)
        fresh = goal_result(goal, changed.kpis, e.store.as_of(day), e.code)
    return before, after, fresh
