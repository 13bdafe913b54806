"""perf-engine5: the follow-up loop reads a goal's status and review_due itself (nearly every goal
rule tests them) and the other changing fields (value, expected, gap, period, explanation) through
`Engine._goal_fields`; the message's layout says where each field sits. Whatever goal fields the
rules test, what durable-rules receives must be the full message cut to what rules test, and the
rules that fire must be those durable-rules itself fires on it (the match memory keyed right)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest

from govcore._durable import RuleRuntime
from govcore.config import Configuration
from govcore.engine import Engine
from govcore.rules.compiler import compile_ruleset
from govcore.rules.loader import RuleSet, check_text
from govcore.rules.vocabulary import Vocabulary

VOCAB = Vocabulary.build()
# rule sets each testing other goal fields: with and without status and review_due, each alone
CONDITIONS = {
    "value-gap": ["value > 40", "gap < 0"],
    "period-status": ["period == '2021-06'", "status == off_track"],
    "review-value": ["review_due", "value > 40"],
    "review-only": ["not review_due"],
    "status-expected": ["status == on_track", "expected > 50"],
    "level-only": ["level == political"],
}


def rule_set(name: str, conditions: list[str]) -> RuleSet:
    text = "rules:\n" + "".join(
        f"  - id: {name}-{i}\n    title: R{i}\n    when: {{wheel: any}}\n    for_each: goal\n"
        f"    if:\n      - \"{c}\"\n    then:\n      - flag_deviation: {{reason: r{i}}}\n"
        for i, c in enumerate(conditions))
    rules, problems = check_text(text, f"{name}.yaml", VOCAB)
    assert not problems, problems
    return RuleSet(rules=rules, files={f"/test/{name}.yaml": hashlib.sha256(text.encode()).hexdigest()})


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_a_goal_message_holds_the_fields_its_rules_test_and_fires_as_durable_rules_does(
        name: str, vejle_config: Configuration) -> None:
    rules = rule_set(name, CONDITIONS[name])
    config = dataclasses.replace(vejle_config.version_at(dt.date(2021, 1, 1)), rules=rules, versions=[])
    runtime = RuleRuntime(compile_ruleset(rules))
    names = {f"r{r.order:04d}": r.id for r in rules.rules}
    fired_any = 0
    try:
        with Engine(config, start=dt.date(2021, 1, 1), trace=True) as engine:
            engine.advance_to(dt.date(2021, 12, 31))
            keys = engine._durable_keys
            assert not engine._forecasts  # the follow-up loop's path, not the general one
            posts = [p for p in engine.trace or [] if p.message["for_each"] == "goal"]
        assert len(posts) > 200
        for n, post in enumerate(posts):
            assert list(post.sent.items()) == [(k, v) for k, v in post.message.items() if k in keys], post.at
            asked = dict(post.sent, id=f"check-{n}")
            assert post.fired == tuple(names[x] for x in runtime.match(asked)), (post.at, post.sent)
            fired_any += bool(post.fired)
    finally:
        runtime.close()
    assert 0 < fired_any < len(posts), fired_any
