"""The posting loop reuses a goal's kept result on the days it serves as it is (`Engine._post_all`
reads the days from the kept entry instead of asking `_subject_result`): every goal message must
still be what a fresh evaluation on its day gives — also when figures stop arriving and the kept
result goes stale between two follow-ups, and when a target period begins."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from pydantic import TypeAdapter
from test_goal_reuse import checked_goal_messages

from govcore.config import Configuration
from govcore.model import Goal, Observations, Target
from govcore.targets import class_days, day_class

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"
TARGET: TypeAdapter[Target] = TypeAdapter(Target)


def figures_until(config: Configuration, last: dt.date) -> Configuration:
    """One version of the configuration with only the figures known by `last`: after that the
    kept results grow too old one by one, with no figure arriving to make them evaluated again."""
    cfg = config.version_at(dt.date(config.year, 1, 1))
    rows = Observations(r for r in cfg.observations.rows() if r.known <= last)
    return dataclasses.replace(cfg, observations=rows, versions=[])


def check_messages(cfg: Configuration, first: dt.date, last: dt.date) -> tuple[int, int]:
    """Goal messages checked against a fresh evaluation, and how many of them were stale."""
    checked = checked_goal_messages(cfg, first, last)
    return len(checked), sum("for gammelt" in words for _day, words in checked)


def test_a_kept_result_that_goes_stale_between_follow_ups_is_not_posted_as_current(vejle_config: Configuration) -> None:
    cfg = figures_until(vejle_config, dt.date(2021, 3, 31))
    checked, stale = check_messages(cfg, dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert checked > 200
    assert stale > 50  # the staleness the kept entry's last day must stop at


def test_a_kept_result_is_not_posted_after_its_target_period_begins(vejle_config: Configuration) -> None:
    base = vejle_config
    cfg = base.version_at(dt.date(base.year, 1, 1))
    goals = [g if g.target is None or g.target.kind in ("all_of", "any_of", "until")
             else g.model_copy(update={"target": g.target.model_copy(update={"period": "2021-Q3"})})
             for g in cfg.goals]
    checked, _ = check_messages(dataclasses.replace(cfg, goals=goals, versions=[]),
                                dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert checked > 200


def _goal(period: str | None) -> Goal:
    spec: dict[str, object] = {"kind": "at_least", "value": 50}
    if period is not None:
        spec["period"] = period
    return Goal(id="g", title="g", level="national", owner="chef", kpi="share", target=TARGET.validate_python(spec))


def test_class_days_are_the_days_with_the_same_day_class() -> None:
    in_q4 = _goal("2021-Q4")
    assert class_days(in_q4, dt.date(2021, 3, 1)) == (dt.date.min, dt.date(2021, 10, 1))
    assert class_days(in_q4, dt.date(2021, 10, 1)) == (dt.date.min, dt.date(2021, 10, 1))
    assert class_days(in_q4, dt.date(2021, 10, 2)) == (dt.date(2021, 10, 2), dt.date.max)
    assert class_days(_goal(None), dt.date(2021, 3, 1)) == (dt.date.min, dt.date.max)
    untargeted = Goal(id="g", title="g", level="national", owner="chef", kpi="share")
    assert class_days(untargeted, dt.date(2021, 3, 1)) == (dt.date.min, dt.date.max)
    day = dt.date(2021, 9, 1)
    while day < dt.date(2022, 2, 1):
        first, last = class_days(in_q4, day)
        assert first <= day <= last
        for other in (first, last, day + dt.timedelta(days=40), day - dt.timedelta(days=40)):
            if other in (dt.date.min, dt.date.max):
                continue
            assert (day_class(in_q4, other) == day_class(in_q4, day)) == (first <= other <= last), (day, other)
        day += dt.timedelta(days=7)
