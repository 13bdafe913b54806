"""Compiling checked rules to durable-rules definitions.

One rule-file rule becomes one durable-rules rule whatever the number of goals: goal thresholds
are data carried in the messages (`status`, `value`, `expected`), not rules.
"""

from __future__ import annotations

from typing import Any

from govcore.rules.conditions import to_durable
from govcore.rules.loader import Rule, RuleSet


def _one_of(field: str, values: tuple[str, ...]) -> dict[str, Any] | None:
    if "any" in values:
        return None
    if len(values) == 1:
        return {field: values[0]}
    return {"$or": [{field: v} for v in values]}


def compile_rule(rule: Rule) -> dict[str, Any]:
    terms: list[dict[str, Any]] = []
    if rule.trigger == "followup":
        terms.append({"trigger": "wheel"})
        terms.append(_one_of("frequency", rule.trigger_values) or {"$neq": {"frequency": ""}})
    else:
        terms.append({"trigger": rule.trigger})
        key = {"wheel": "wheel", "observation": "observed_kpi", "deadline": "deadline"}[rule.trigger]
        match = _one_of(key, rule.trigger_values)
        if match:
            terms.append(match)
    terms.append({"for_each": rule.for_each})
    terms.extend(to_durable(c) for c in rule.conditions)
    for group in rule.any_of:
        terms.append({"$or": [to_durable(c) for c in group]} if len(group) > 1 else to_durable(group[0]))
    if rule.effective_from:
        terms.append({"$gte": {"day": int(rule.effective_from.strftime("%Y%m%d"))}})
    if rule.effective_to:
        terms.append({"$lte": {"day": int(rule.effective_to.strftime("%Y%m%d"))}})
    return {"all": [{"m": {"$and": terms}}]}


def compile_ruleset(ruleset: RuleSet) -> dict[str, dict[str, Any]]:
    """durable-rules definitions keyed by a name that keeps rule order ('r0003')."""
    return {f"r{r.order:04d}": compile_rule(r) for r in ruleset.rules}
