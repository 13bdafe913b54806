"""durable-rules and the pure-Python evaluation `explain` uses agree on which rules fire.

The engine asks durable-rules which rules a message matches; `govcore rules test --explain`
says why a rule did or did not fire by evaluating the same conditions in Python
(`Condition.holds`, `explain.asked` and `explain.failing`). If the two ever disagreed, an
explanation would contradict what happened. Here random rules (every operator, lists, yes/no
fields, any_of groups, effective dates, follow-up frequencies) meet random messages (every field
present with a value of its type, or missing) and both must name the same rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore._durable import RuleRuntime, clean
from govcore.engine import check_fields
from govcore.errors import GovcoreError
from govcore.extension import FieldSpec, Subject
from govcore.rules.compiler import compile_ruleset
from govcore.rules.conditions import Condition, parse_condition
from govcore.rules.loader import Rule, RuleSet
from govcore.rules.vocabulary import COMMON_FIELDS, GOAL_FIELDS
from govcore.ruletest.explain import asked, failing

FIELDS: dict[str, FieldSpec] = {f.name: f for f in (*COMMON_FIELDS, *GOAL_FIELDS)}
NUMBERS = [-2, -1.5, 0, 0.25, 1, 2, 20210615, 100]
TEXTS = ["a", "b", "x-1", "on_track"]
FREQUENCIES = ["monthly", "quarterly", "yearly"]
DAYS = st.dates(min_value=dt.date(2020, 12, 1), max_value=dt.date(2022, 2, 1))
_ids = itertools.count()


def _texts(spec: FieldSpec) -> list[str]:
    return [c for c in spec.choices if c] or TEXTS


@st.composite
def condition(draw: st.DrawFn) -> Condition:
    spec = FIELDS[draw(st.sampled_from(sorted(FIELDS)))]
    if spec.type == "bool":
        text = draw(st.sampled_from([spec.name, f"not {spec.name}", f"{spec.name} == true",
                                     f"{spec.name} == false", f"{spec.name} != true"]))
        return parse_condition(text, FIELDS)
    values = [str(n) for n in NUMBERS] if spec.type == "number" else _texts(spec)
    ops = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"] if spec.type == "number" else \
        ["==", "!=", "in", "not in"]
    op = draw(st.sampled_from(ops))
    if op in ("in", "not in"):
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
        return parse_condition(f"{spec.name} {op} [{', '.join(chosen)}]", FIELDS)
    return parse_condition(f"{spec.name} {op} {draw(st.sampled_from(values))}", FIELDS)


@st.composite
def rule(draw: st.DrawFn, order: int) -> Rule:
    start = draw(st.one_of(st.none(), DAYS))
    end = draw(st.one_of(st.none(), DAYS))
    if start and end and end < start:
        start, end = end, start
    return Rule(
        id=f"rule{order}", title="", description="", file="agree.yaml", file_hash="0" * 64, line=order,
        order=order, trigger="followup",
        trigger_values=tuple(draw(st.one_of(st.just(["any"]), st.lists(st.sampled_from(FREQUENCIES), min_size=1,
                                                                         max_size=2, unique=True)))),
        for_each="goal", conditions=tuple(draw(st.lists(condition(), max_size=3))),
        any_of=tuple(tuple(g) for g in draw(st.lists(st.lists(condition(), min_size=1, max_size=3), max_size=2))),
        actions=(), effective_from=start, effective_to=end)


@st.composite
def rules(draw: st.DrawFn) -> list[Rule]:
    return [draw(rule(i)) for i in range(1, draw(st.integers(1, 6)) + 1)]


@st.composite
def field_value(draw: st.DrawFn, spec: FieldSpec) -> Any:
    """A value of the field's type, or missing (the engine refuses a subject field of another type:
    tests/test_plugins.py)."""
    own: st.SearchStrategy[Any]
    if spec.type == "number":
        own = st.one_of(st.sampled_from(NUMBERS), st.integers(-3, 3), st.floats(-3, 3, allow_nan=False).map(
            lambda x: round(x, 3)))
    elif spec.type == "bool":
        own = st.booleans()
    else:
        own = st.sampled_from(["", *_texts(spec)])
    return draw(st.one_of(st.none(), own, own, own))


@st.composite
def message(draw: st.DrawFn) -> dict[str, Any]:
    msg: dict[str, Any] = {"trigger": "wheel", "wheel": "opfoelgning",
                           "frequency": draw(st.sampled_from(["", *FREQUENCIES])),
                           "for_each": draw(st.sampled_from(["goal", "goal", "goal", "deliverable"]))}
    for name, spec in FIELDS.items():
        if name in ("frequency", "wheel"):
            continue
        msg[name] = draw(field_value(spec))
    day = draw(DAYS)
    msg["day"] = day.year * 10000 + day.month * 100 + day.day
    msg["id"] = f"m{next(_ids)}"
    return msg


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(rules(), st.lists(message(), min_size=1, max_size=25))
def test_durable_rules_and_explain_agree(ruleset: list[Rule], messages: list[dict[str, Any]]) -> None:
    runtime = RuleRuntime(compile_ruleset(RuleSet(rules=ruleset)))
    try:
        for msg in messages:
            sent = clean(msg)  # what durable-rules sees: missing fields are absent
            by_durable = runtime.match(msg)
            by_python = [f"r{r.order:04d}" for r in ruleset if asked(r, sent) and not failing(r, sent)]
            if by_durable != by_python:
                used = {f for r in ruleset for f in r.fields_used()} | {"frequency", "day", "for_each"}
                raise AssertionError(
                    f"durable-rules fired {by_durable}, explain says {by_python}; message "
                    f"{ {k: v for k, v in msg.items() if k in used} }; rules "
                    + "; ".join(f"r{r.order:04d} {r.trigger_values} {r.effective_from}..{r.effective_to} "
                                f"{[c.text for c in r.conditions]} any_of {[[c.text for c in g] for g in r.any_of]}"
                                for r in ruleset))
    finally:
        runtime.close()


def test_a_subject_field_of_another_type_than_declared_is_refused() -> None:
    specs = [FieldSpec("spent_pct", "number", ""), FieldSpec("late", "bool", ""), FieldSpec("area", "text", "")]
    check_fields("budget", specs, Subject(kind="budget", id="a1", owner="o",
                                          fields={"spent_pct": 3, "late": False, "area": "x"}))
    check_fields("budget", specs, Subject(kind="budget", id="a1", owner="o", fields={"spent_pct": None}))
    for wrong in ({"spent_pct": "1"}, {"spent_pct": True}, {"late": 1}, {"area": 2}):
        with pytest.raises(GovcoreError, match="emnetypen 'budget' gav 'a1' feltet"):
            check_fields("budget", specs, Subject(kind="budget", id="a1", owner="o", fields=wrong))
