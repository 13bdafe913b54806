"""The match memory keys a message by the fields that decide its answer, not by all it carries.

Which rules a message matches depends only on its trigger's fields, its subject kind and the
fields tested by the rules that can fire on that trigger and kind (`_RulePlan.tested_for`): a rule
of another trigger or kind never fires on it. So two messages alike in those fields get the same
answer, and the engine asks durable-rules about the first only. These tests check the claim
against durable-rules itself: a message changed in any other field it carries fires the same rules.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from govcore._durable import RuleRuntime
from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.rules.compiler import compile_ruleset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# values of every type a message field can hold, and a field left out
OTHERS: tuple[Any, ...] = ("x", "", "none", 0, 7, -3, 2.5, 1e9, True, False, None)


@pytest.mark.parametrize(("example", "first", "last"), [
    ("vejle", 2020, 2023), ("hilleroed", 2014, 2014), ("jobindsats", 2024, 2024)])
def test_fields_outside_the_tested_ones_never_change_what_fires(example: str, first: int, last: int,
                                                                vejle_config: Configuration) -> None:
    cfg = vejle_config if example == "vejle" else load_config(EXAMPLES / example)
    rng = random.Random(12)
    with Engine(cfg, start=dt.date(first, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(last, 12, 31))
        posts = engine.trace or []
        plan, keys = engine._plan, engine._durable_keys
    assert len(posts) > 30
    assert cfg.version_at(dt.date(first, 1, 1)).rules.version() == plan.version
    runtime = RuleRuntime(compile_ruleset(cfg.version_at(dt.date(first, 1, 1)).rules))
    names = {f"r{r.order:04d}": r.id for r in cfg.version_at(dt.date(first, 1, 1)).rules.rules}
    narrowed = changed = 0
    try:
        for n, post in enumerate(posts):
            sent = dict(post.sent)
            used = plan.tested_for(sent, sent["for_each"])
            assert used is not None
            free = sorted(k for k in keys if k not in used and k != "id")
            narrowed += bool(set(free) & sent.keys())
            for attempt in range(3):
                other = dict(sent)
                for k in rng.sample(free, min(len(free), 1 + attempt * 2)):
                    value = rng.choice(OTHERS)
                    if value is None:
                        other.pop(k, None)
                    else:
                        other[k] = value
                other["id"] = f"check-{n}-{attempt}"
                changed += other != sent
                fired = tuple(names[x] for x in runtime.match(other))
                assert fired == post.fired, (post.at, sent, other)
    finally:
        runtime.close()
    assert narrowed > 10 and changed > 50


def test_the_engine_asks_durable_rules_once_per_set_of_tested_values(vejle_config: Configuration) -> None:
    """Vejle's quarterly budget messages differ in figures only the 30 April rule tests: the
    memory answers them (before, every one of them was asked)."""
    cfg = vejle_config
    with Engine(cfg, start=dt.date(2020, 1, 1), trace=True) as engine:
        engine.advance_to(dt.date(2023, 12, 31))
        posts, plan, calls = engine.trace or [], engine._plan, engine.rule_calls
    distinct = set()
    every_field = set()
    for post in posts:
        used = plan.tested_for(post.sent, post.sent["for_each"])
        assert used is not None
        distinct.add(tuple((k, v, type(v)) for k, v in post.sent.items() if k in used and k != "day"))
        every_field.add(tuple((k, v, type(v)) for k, v in post.sent.items() if k not in ("day", "id")))
    assert calls == len(distinct) < len(every_field)
