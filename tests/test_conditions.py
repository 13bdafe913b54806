"""Rule conditions: every operator fired through durable-rules and evaluated by the explanation.

A condition is evaluated twice in govcore: durable-rules decides whether a rule fires (the
compiled expression from `to_durable`), and `Condition.holds` explains afterwards why it did or
did not (`govcore rules test --why`, the audit trail). Both must agree on both sides of every
operator, or an explanation says the opposite of what happened. Each parse error is triggered once,
with the column an editor jumps to and the hint an administrator fixes the rule from.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from govcore._durable import RuleRuntime
from govcore.extension import FieldSpec
from govcore.rules.compiler import compile_rule
from govcore.rules.conditions import Condition, ConditionError, parse_condition, to_durable
from govcore.rules.loader import Rule, check_text
from govcore.rules.vocabulary import Vocabulary
from govcore.ruletest.explain import failing, held

# The messages and explanation texts are pinned by their English ids; the Danish is pinned in
# tests/test_messages_da.py and tests/test_cli_language.py.
pytestmark = pytest.mark.usefixtures("english")

VOCAB = Vocabulary.build()
FIELDS = VOCAB.fields("goal")
_ids = itertools.count()

# (condition, value in the message, does it hold?) — each operator on both sides of its boundary.
TRUTH: list[tuple[str, Any, bool]] = [
    ("value == 2", 2, True), ("value == 2", 3, False), ("value == 2", 1, False),
    ("value != 2", 2, False), ("value != 2", 3, True), ("value != 2", 1, True),
    ("value < 2", 1, True), ("value < 2", 2, False), ("value < 2", 3, False),
    ("value <= 2", 1, True), ("value <= 2", 2, True), ("value <= 2", 3, False),
    ("value > 2", 1, False), ("value > 2", 2, False), ("value > 2", 3, True),
    ("value >= 2", 1, False), ("value >= 2", 2, True), ("value >= 2", 3, True),
    ("gap < -1.5", -2.5, True), ("gap < -1.5", -1.5, False), ("gap < -1.5", -1, False),
    ("gap >= 0.25", 0.25, True), ("gap >= 0.25", 0.2, False), ("gap >= 0.25", 1, True),
    ("status == off_track", "off_track", True), ("status == off_track", "at_risk", False),
    ("status != off_track", "off_track", False), ("status != off_track", "at_risk", True),
    ("status in [off_track]", "off_track", True), ("status in [off_track]", "at_risk", False),
    ("status in [off_track, at_risk]", "at_risk", True), ("status in [off_track, at_risk]", "off_track", True),
    ("status in [off_track, at_risk]", "on_track", False),
    ("status not in [off_track]", "off_track", False), ("status not in [off_track]", "at_risk", True),
    ("status not in [off_track, at_risk]", "at_risk", False),
    ("status not in [off_track, at_risk]", "off_track", False),
    ("status not in [off_track, at_risk]", "on_track", True),
    ("review_due == true", True, True), ("review_due == true", False, False),
    ("review_due != true", True, False), ("review_due != true", False, True),
    ("review_due", True, True), ("review_due", False, False),
    ("not review_due", True, False), ("not review_due", False, True),
    ("period == '2021-03'", "2021-03", True), ("period == '2021-03'", "2021-04", False),
    ("title == 'Andel i job'", "Andel i job", True), ("title == 'Andel i job'", "Andel", False),
]


def _rule(condition: str) -> Rule:
    text = ("rules:\n  - id: r\n    title: R\n    when: {wheel: any}\n    for_each: goal\n"
            f"    if:\n      - \"{condition}\"\n    then:\n      - flag_deviation: {{reason: x}}\n")
    rules, problems = check_text(text, "r.yaml", VOCAB)
    assert not problems, problems
    return rules[0]


def _fires(rule: Rule, message: dict[str, Any]) -> bool:
    runtime = RuleRuntime({"r0000": compile_rule(rule)})
    try:
        return runtime.match({"id": f"m{next(_ids)}", "trigger": "wheel", "wheel": "m", "for_each": "goal",
                              **message}) == ["r0000"]
    finally:
        runtime.close()


@pytest.mark.parametrize(("condition", "actual", "holds"), TRUTH, ids=[f"{c} @ {a}" for c, a, _ in TRUTH])
def test_durable_rules_and_the_explanation_agree(condition: str, actual: Any, holds: bool) -> None:
    rule = _rule(condition)
    (cond,) = rule.conditions
    message = {cond.field: actual}
    assert _fires(rule, message) is holds
    assert cond.holds(actual) is holds
    if holds:
        assert failing(rule, message) == []
        assert held(rule, message) == [f"{condition} ({cond.field} was {_shown(actual)})"]
    else:
        assert failing(rule, message) == [f"{condition}: {cond.field} was {_shown(actual)}"]


def _shown(v: Any) -> str:
    return {True: "true", False: "false"}.get(v, str(v)) if isinstance(v, bool) else str(v)


@pytest.mark.parametrize("condition", sorted({c for c, _, _ in TRUTH}))
def test_a_missing_value_never_holds(condition: str) -> None:
    """A goal without a figure is not 'not off_track': no operator holds on a value that is not known."""
    rule = _rule(condition)
    assert rule.conditions[0].holds(None) is False
    assert _fires(rule, {}) is False
    assert failing(rule, {}) == [f"{condition}: {rule.conditions[0].field} was not known"]


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_ordering_a_text_value_is_false_not_a_crash(op: str) -> None:
    assert Condition("value", op, 2, f"value {op} 2").holds("2") is False


def test_any_of_groups_fire_when_one_member_holds() -> None:
    text = ("rules:\n  - id: r\n    title: R\n    when: {wheel: any}\n    for_each: goal\n"
            "    if:\n      - any: [value < 1, status == off_track]\n"
            "    then:\n      - flag_deviation: {reason: x}\n")
    rules, problems = check_text(text, "r.yaml", VOCAB)
    assert not problems, problems
    rule = rules[0]
    for message, fires in [({"value": 0, "status": "on_track"}, True), ({"value": 5, "status": "off_track"}, True),
                           ({"value": 5, "status": "on_track"}, False)]:
        assert _fires(rule, message) is fires
        assert (failing(rule, message) == []) is fires


@pytest.mark.parametrize(("text", "expected"), [
    ("value == 2", {"value": 2}),
    ("value != 2", {"$neq": {"value": 2}}),
    ("value < 2", {"$lt": {"value": 2}}),
    ("value <= 2", {"$lte": {"value": 2}}),
    ("value > 2", {"$gt": {"value": 2}}),
    ("value >= 2", {"$gte": {"value": 2}}),
    ("status in [off_track]", {"status": "off_track"}),
    ("status in [off_track, at_risk]", {"$or": [{"status": "off_track"}, {"status": "at_risk"}]}),
    ("status not in [off_track]", {"$neq": {"status": "off_track"}}),
    ("status not in [off_track, at_risk]", {"$and": [{"$neq": {"status": "off_track"}},
                                                     {"$neq": {"status": "at_risk"}}]}),
])
def test_the_durable_rules_expression(text: str, expected: dict[str, Any]) -> None:
    assert to_durable(parse_condition(text, FIELDS)) == expected


@pytest.mark.parametrize(("text", "field", "op", "value"), [
    ("value > 2", "value", ">", 2),
    ("  value>=2.5  ", "value", ">=", 2.5),
    ("value == 2.0", "value", "==", 2.0),
    ("value < 1_000", "value", "<", 1000),
    ("value > -3", "value", ">", -3),
    ("status not   in [off_track, at_risk]", "status", "not in", ("off_track", "at_risk")),
    ("status in [ off_track , , at_risk ]", "status", "in", ("off_track", "at_risk")),
    ("status == \"off_track\"", "status", "==", "off_track"),
    ("frequency == ''", "frequency", "==", ""),
    ("frequency != \"\"", "frequency", "!=", ""),
    ("period == X2021X", "period", "==", "X2021X"),
    ("title == 'Andel i job'", "title", "==", "Andel i job"),
    ("period == 2021-03", "period", "==", "2021-03"),
    ("period == 2021", "period", "==", "2021"),
    ("period == 20.5", "period", "==", "20.5"),
    ("period == true", "period", "==", "true"),
    ("period == no", "period", "==", "false"),
    ("review_due == true", "review_due", "==", True),
    ("review_due == Yes", "review_due", "==", True),
    ("review_due == ja", "review_due", "==", True),
    ("review_due == FALSE", "review_due", "==", False),
    ("review_due == no", "review_due", "==", False),
    ("review_due == Nej", "review_due", "==", False),
    ("review_due", "review_due", "==", True),
    ("  not review_due ", "review_due", "==", False),
    ("NOT review_due", "review_due", "==", False),
])
def test_parsed_values(text: str, field: str, op: str, value: Any) -> None:
    cond = parse_condition(text, FIELDS)
    assert (cond.field, cond.op, cond.value, cond.text) == (field, op, value, text.strip())
    assert type(cond.value) is type(value)
    assert cond.describe() == text.strip()


@pytest.mark.parametrize(("text", "message", "column", "hint"), [
    ("value = 2", "'=' is not an operator", 6, "use '==' to test equality"),
    ("valeu > 2", "unknown field 'valeu'", 0, "did you mean 'value'?"),
    ("  valeu > 2", "unknown field 'valeu'", 2, "did you mean 'value'?"),
    ("zzzzzz > 2", "unknown field 'zzzzzz'", 0, ""),
    ("valeu", "unknown field 'valeu'", 0, "did you mean 'value'?"),
    ("not valeu", "unknown field 'valeu'", 4, "did you mean 'value'?"),
    ("value", "'value' is a number, not yes/no: compare it with a value", 0, "e.g. 'value > 0'"),
    ("  not status", "'status' is a text, not yes/no: compare it with a value", 6, ""),
    ("value >", "the condition on 'value' has no value after '>'", 7, "write e.g. 'value > 2'"),
    ("review_due ==", "the condition on 'review_due' has no value after '=='", 13,
     "write e.g. 'review_due == true'"),
    ("status !=", "the condition on 'status' has no value after '!='", 9, "write e.g. 'status != no_data'"),
    ("period ==", "the condition on 'period' has no value after '=='", 9, "write e.g. 'period == text'"),
    ("status in off_track", "'in' needs a list", 10, "write e.g. 'status in [a, b]'"),
    ("status not in [off_track", "'not in' needs a list", 14, "write e.g. 'status not in [a, b]'"),
    ("status in off_track]", "'in' needs a list", 10, "write e.g. 'status in [a, b]'"),
    ("status in [ , ]", "the list is empty", 10, ""),
    ("title == Andel i job", "'Andel i job' is not a value", 9, "quote text that contains spaces"),
    ("value > two", "'value' is a number, but 'two' is text", 8,
     "compare it with a number, e.g. 'value > 2.5'; write decimals with a dot"),
    ("value > 2,5", "'2,5' is not a value", 8, "quote text that contains spaces"),
    ("value == true", "'value' is a number, but 'True' is text", 9,
     "compare it with a number, e.g. 'value > 2.5'; write decimals with a dot"),
    ("review_due == 1", "'review_due' is yes/no, but '1' is not true or false", 14,
     "write 'review_due == true' or 'review_due == false'"),
    ("review_due == maybe", "'review_due' is yes/no, but 'maybe' is not true or false", 14,
     "write 'review_due == true' or 'review_due == false'"),
    ("status == off_trak", "'off_trak' is not a possible value of 'status'", 10, "did you mean 'off_track'?"),
    ("status in [on_track, zzz]", "'zzz' is not a possible value of 'status'", 10,
     "expected one of: at_risk, no_data, off_track, on_track"),
    ("status > on_track", "'>' compares numbers, but 'status' is text", 7, "use == or != for text and yes/no fields"),
    ("status < on_track", "'<' compares numbers, but 'status' is text", 7, "use == or != for text and yes/no fields"),
    ("period >= x", "'>=' compares numbers, but 'period' is text", 7, "use == or != for text and yes/no fields"),
    ("Review_due", "unknown field 'Review_due'", 0, "did you mean 'review_due'?"),
    ("status in [off track]", "'off track' is not a value", 10, "quote text that contains spaces"),
    ("review_due <= true", "'<=' compares numbers, but 'review_due' is bool", 11,
     "use == or != for text and yes/no fields"),
    ("value ~ 2", "cannot read condition 'value ~ 2'", 0,
     "write <field> <operator> <value>, e.g. 'forecast_deviation_pct > 2'; operators: "
     "==, !=, <=, >=, <, >, not in, in"),
    ("", "cannot read condition ''", 0,
     "write <field> <operator> <value>, e.g. 'forecast_deviation_pct > 2'; operators: "
     "==, !=, <=, >=, <, >, not in, in"),
])
def test_each_mistake_is_named_with_its_column_and_hint(text: str, message: str, column: int, hint: str) -> None:
    with pytest.raises(ConditionError) as err:
        parse_condition(text, FIELDS)
    assert (str(err.value), err.value.column, err.value.hint) == (message, column, hint)


def test_a_long_choice_list_is_spelled_out_when_no_choice_is_close() -> None:
    """Past a dozen choices `did_you_mean` stays silent, so the hint lists every non-empty choice itself."""
    months = tuple(f"m{i:02d}" for i in range(1, 14))
    fields = {"month": FieldSpec("month", "text", "a month", ("", *months))}
    with pytest.raises(ConditionError) as err:
        parse_condition("month == zzz", fields)
    assert (str(err.value), err.value.hint) == ("'zzz' is not a possible value of 'month'",
                                                "expected one of: " + ", ".join(months))
    assert parse_condition("month == m13", fields).value == "m13"


def test_a_bare_field_is_located_even_when_its_name_hides_inside_not() -> None:
    """'not o': the column is the field's, 4, not the 'o' inside 'not' (a bug this suite found)."""
    fields = {"o": FieldSpec("o", "number", "a number"), "t": FieldSpec("t", "bool", "yes/no")}
    for text, message, column in [("not o", "'o' is a number, not yes/no: compare it with a value", 4),
                                  ("not  n", "unknown field 'n'", 5)]:
        with pytest.raises(ConditionError) as err:
            parse_condition(text, fields)
        assert (str(err.value), err.value.column) == (message, column)
    assert parse_condition("not t", fields).value is False
