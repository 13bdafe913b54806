"""The follow-up loop builds a goal's message from a plan made once per set of active goals
(`Engine._goal_plans`): the goal's fields that only the configuration changes, kept in order, and
the rest read at each follow-up. What durable-rules receives must be what the general path
(`Engine._sent`) gives the goal's full message: the same fields, values and order, across
configuration versions (goals added, changed, ended) and years."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from govcore.config import Configuration
from govcore.engine import Engine
from govcore.model import Level

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"


def test_a_goal_message_sent_from_its_plan_is_the_full_message_cut_to_what_rules_test(
        vejle_config: Configuration) -> None:
    cfg = vejle_config
    with Engine(cfg, start=dt.date(2020, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(2023, 12, 31))
        keys = engine._durable_keys
        posts = [p for p in engine.trace or [] if p.message["for_each"] == "goal"]
    assert len(posts) > 500
    # goals of several versions, and goal fields that differ between them
    assert len({p.message["subject"] for p in posts}) > len(cfg.goals)
    assert len({p.message["level"] for p in posts}) > 1
    for post in posts:
        assert list(post.sent.items()) == [(k, v) for k, v in post.message.items() if k in keys], post.at


def test_a_goal_whose_level_a_new_version_changes_is_sent_with_its_new_level(vejle_config: Configuration) -> None:
    """A rule tests the level ('maal-uden-data'): a plan kept from the earlier version would send
    the old one (and the match memory would answer for it)."""
    cfg = vejle_config
    changed_on = dt.date(2021, 6, 15)

    def relevelled(version: Configuration) -> Configuration:
        goals = [g.model_copy(update={"level": Level.political}) if g.id == "rm2-opkvalificering" else g
                 for g in version.goals]
        return dataclasses.replace(version, goals=goals)

    root = dataclasses.replace(cfg, versions=[])
    later = [relevelled(v) if v.effective and v.effective >= changed_on else v for v in cfg.versions[1:]]
    root.versions.extend([root, *later])
    seen: dict[bool, set[str]] = {True: set(), False: set()}
    with Engine(root, start=dt.date(2021, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(2021, 12, 31))
        for post in engine.trace or []:
            if post.message["for_each"] == "goal" and post.message["subject"] == "rm2-opkvalificering":
                seen[post.at.date() >= changed_on].add(post.sent["level"])
    assert seen == {False: {"national"}, True: {"political"}}


def test_goals_alike_but_for_a_field_only_the_configuration_sets_are_told_apart(vejle_config: Configuration) -> None:
    """Years without figures: every goal is without data at each follow-up, its messages alike but
    for the goal's own fields; the rule for goals without data fires for the political and
    administrative ones only (the match memory must not answer one goal's message with another's)."""
    base = vejle_config
    cfg = dataclasses.replace(base.version_at(dt.date(base.year, 1, 1)), versions=[])
    told: dict[bool, int] = {True: 0, False: 0}
    with Engine(cfg, start=dt.date(2017, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(2018, 12, 31))
        for post in engine.trace or []:
            m = post.message
            if m["for_each"] != "goal" or m.get("frequency") != "every_2nd_month":
                continue
            expected = m["status"] == "no_data" and m["level"] in ("political", "administrative")
            assert ("maal-uden-data" in post.fired) == expected, (post.at, m["subject"])
            told[expected] += 1
    assert told[True] > 10 and told[False] > 10
