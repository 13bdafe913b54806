"""The rules a message fires, as `RuleRuntime` reads them from durable-rules' queued actions with the
C calls alone (perf-post3), are the ones durable-rules' own Python action layer (`do_actions`,
a closure and a promise per action) reports: every rule once, in order, several per message, an
`any_of` holding in two branches once, and the session left empty."""

from __future__ import annotations

import itertools
from typing import Any

from govcore._durable import RuleRuntime, clean
from govcore.errors import GovcoreError
from govcore.rules.compiler import compile_ruleset
from govcore.rules.conditions import parse_condition
from govcore.rules.loader import Rule, RuleSet
from govcore.rules.vocabulary import COMMON_FIELDS, GOAL_FIELDS
from govcore.ruletest.explain import asked, failing

FIELDS = {f.name: f for f in (*COMMON_FIELDS, *GOAL_FIELDS)}
_ids = itertools.count()


def _rule(order: int, conditions: tuple[str, ...] = (), any_of: tuple[tuple[str, ...], ...] = ()) -> Rule:
    return Rule(id=f"rule{order}", title="", description="", file="a.yaml", file_hash="0" * 64, line=order,
                order=order, trigger="followup", trigger_values=("any",), for_each="goal",
                conditions=tuple(parse_condition(c, FIELDS) for c in conditions),
                any_of=tuple(tuple(parse_condition(c, FIELDS) for c in group) for group in any_of), actions=())


RULES = [
    _rule(1, ("status == 'off_track'",)),
    _rule(2),  # every goal at a follow-up
    _rule(3, any_of=(("status == 'off_track'", "review_due"),)),  # one group: both branches may hold
    _rule(4, ("status == 'on_track'",)),
]


def _message(**fields: Any) -> dict[str, Any]:
    return {"id": f"m{next(_ids)}", "trigger": "wheel", "wheel": "w", "frequency": "monthly", "for_each": "goal",
            "day": 20210615, **fields}


MESSAGES = [_message(status=s, review_due=r) for s in ("off_track", "on_track", "at_risk") for r in (True, False)]


class _PythonLayer(RuleRuntime):
    """The runtime as it read the actions before: through durable-rules' `Ruleset.do_actions`."""

    def _apply(self, result: tuple[int, int]) -> bool:
        if result[0] == 1:
            return False
        errors: list[BaseException] = []

        def complete(error: BaseException | None, state: Any) -> None:
            if error:
                errors.append(error)

        self._shared.ruleset.do_actions(result[1] if result[0] == 0 else 0, complete)
        if errors:
            raise GovcoreError(str(errors[0]))
        return True


def test_every_rule_a_message_matches_fires_once_in_order() -> None:
    runtime = RuleRuntime(compile_ruleset(RuleSet(rules=RULES)))
    try:
        fired = [runtime.match(m) for m in MESSAGES]
        # what the conditions say, evaluated in Python (`govcore rules test --explain`'s reading)
        assert fired == [[f"r{r.order:04d}" for r in RULES if asked(r, clean(m)) and not failing(r, clean(m))]
                         for m in MESSAGES]
        assert [len(f) for f in fired] == [3, 3, 3, 2, 2, 1]  # several rules per message, none twice
        assert runtime.facts() == []
    finally:
        runtime.close()


def test_the_same_rules_as_durable_rules_own_action_layer() -> None:
    rules = compile_ruleset(RuleSet(rules=RULES))
    direct, layer = RuleRuntime(rules), _PythonLayer(rules)
    try:
        for _ in range(3):  # sessions reused: nothing left behind by an earlier message
            for m in MESSAGES:
                assert direct.match(_message(**{k: m[k] for k in ("status", "review_due")})) == \
                    layer.match(_message(**{k: m[k] for k in ("status", "review_due")}))
        assert direct.facts() == [] and layer.facts() == []
    finally:
        direct.close()
        layer.close()
