"""Conditions as administrators write them: `forecast_deviation_pct > 2`, `status in [off_track, at_risk]`.

A tiny grammar parsed by hand (never `eval`): a field, an operator and a value. Each condition is
type-checked against the subject kind's fields, so comparing a number with text is an error
rather than a rule that silently never fires.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govcore.errors import did_you_mean, one_of
from govcore.extension import FieldSpec
from govcore.i18n import N_, _

OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "not in", "in")
_TOKEN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>|=|not\s+in\b|in\b)\s*(.*?)\s*$")
_WORD = re.compile(r"^[A-Za-z0-9_.:-]+$")
Scalar = float | int | str | bool


class ConditionError(ValueError):
    def __init__(self, message: str, column: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.column = column
        self.hint = hint


@dataclass(frozen=True)
class Condition:
    """One parsed comparison. `value` is a scalar, or a tuple for `in` / `not in`."""

    field: str
    op: str
    value: Scalar | tuple[Scalar, ...]
    text: str

    def describe(self) -> str:
        return self.text

    def holds(self, actual: Any) -> bool:
        """Evaluate in Python (used to explain why a rule did or did not fire)."""
        if actual is None:
            return False
        v = self.value
        if self.op == "==":
            return bool(actual == v)
        if self.op == "!=":
            return bool(actual != v)
        if self.op == "in":
            return actual in v  # type: ignore[operator]
        if self.op == "not in":
            return actual not in v  # type: ignore[operator]
        try:
            if self.op == "<":
                return bool(actual < v)
            if self.op == "<=":
                return bool(actual <= v)
            if self.op == ">":
                return bool(actual > v)
            return bool(actual >= v)
        except TypeError:
            return False


def _scalar(text: str) -> Scalar:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        return t[1:-1]
    low = t.lower()
    if low in ("true", "yes", "ja"):
        return True
    if low in ("false", "no", "nej"):
        return False
    try:
        n = float(t.replace("_", ""))
    except ValueError:
        if not _WORD.match(t):
            raise ConditionError(_("'{value}' is not a value").format(value=t),
                                 hint=_("quote text that contains spaces")) from None
        return t
    if not math.isfinite(n):
        raise ConditionError(_("'{value}' is not a number a figure can be compared with").format(value=t),
                             hint=_("write a finite number, e.g. 2.5 (nan never matches and inf always does)"))
    return int(n) if n.is_integer() and "." not in t else n


def _scalar_at(text: str, col: int) -> Scalar:
    """`_scalar`, with a failure located at the value's column."""
    try:
        return _scalar(text)
    except ConditionError as err:
        raise ConditionError(str(err), col, err.hint) from None


def parse_condition(text: str, fields: Mapping[str, FieldSpec]) -> Condition:
    """Parse and type-check one condition; errors carry the 0-based column within `text`."""
    m = _TOKEN.match(text)
    if not m:
        bare = text.strip()
        negated = bare.lower().startswith("not ")
        name = bare[4:].strip() if negated else bare
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or "-"):
            col = text.rfind(name)  # the last word: find() would stop inside 'not' for a field like 'o'
            spec = _field(name, fields, col)
            if spec.type != "bool":
                raise ConditionError(_("'{name}' is a {type}, not yes/no: compare it with a value").format(
                    name=name, type=_type(spec.type)), col,
                                     hint=_("e.g. '{example}'").format(example=f"{name} > 0")
                                     if spec.type == "number" else "")
            return Condition(name, "==", not negated, text.strip())
        raise ConditionError(
            _("cannot read condition '{text}'").format(text=text.strip()),
            0,
            hint=_("write <field> <operator> <value>, e.g. 'forecast_deviation_pct > 2'; operators: {operators}")
            .format(operators=", ".join(OPERATORS)),
        )
    name, op, raw = m.group(1), re.sub(r"\s+", " ", m.group(2)), m.group(3)
    if op == "=":
        raise ConditionError(_("'=' is not an operator"), m.start(2), hint=_("use '==' to test equality"))
    spec = _field(name, fields, m.start(1))
    vcol = m.start(3)
    if not raw:
        example = {"number": "2", "bool": "true"}.get(spec.type, spec.choices[-1] if spec.choices else "text")
        raise ConditionError(_("the condition on '{name}' has no value after '{op}'").format(name=name, op=op), vcol,
                             hint=_("write e.g. '{example}'").format(example=f"{name} {op} {example}"))
    value: Scalar | tuple[Scalar, ...]
    if op in ("in", "not in"):
        if not (raw.startswith("[") and raw.endswith("]")):
            raise ConditionError(_("'{op}' needs a list").format(op=op), vcol,
                                 hint=_("write e.g. '{example}'").format(example=f"{name} {op} [a, b]"))
        items = [i for i in (x.strip() for x in raw[1:-1].split(",")) if i]
        if not items:
            raise ConditionError(_("the list is empty"), vcol)
        value = tuple(_check_type(_scalar_at(i, vcol), spec, vcol) for i in items)
    else:
        value = _check_type(_scalar_at(raw, vcol), spec, vcol)
        if op in ("<", "<=", ">", ">=") and spec.type != "number":
            raise ConditionError(_("'{op}' compares numbers, but '{name}' is {type}").format(
                op=op, name=name, type=_type(spec.type)), m.start(2),
                                 hint=_("use == or != for text and yes/no fields"))
    return Condition(name, op, value, text.strip())


def _field(name: str, fields: Mapping[str, FieldSpec], col: int) -> FieldSpec:
    spec = fields.get(name)
    if spec is None:
        raise ConditionError(_("unknown field '{name}'").format(name=name), max(col, 0),
                             hint=did_you_mean(name, fields))
    return spec


def _check_type(value: Scalar, spec: FieldSpec, col: int) -> Scalar:
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConditionError(_("'{name}' is a number, but '{value}' is text").format(name=spec.name, value=value),
                                 col, hint=_("compare it with a number, e.g. '{example}'; write decimals with a dot")
                                 .format(example=f"{spec.name} > 2.5"))
        return value
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise ConditionError(_("'{name}' is yes/no, but '{value}' is not true or false").format(
                name=spec.name, value=value), col,
                                 hint=_("write '{yes}' or '{no}'").format(yes=f"{spec.name} == true",
                                                                          no=f"{spec.name} == false"))
        return value
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, int | float):
        value = str(value)
    if spec.choices and value not in spec.choices:
        hint = did_you_mean(value, spec.choices)
        raise ConditionError(_("'{value}' is not a possible value of '{name}'").format(value=value, name=spec.name),
                             col, hint=hint or one_of(c for c in spec.choices if c))
    return value


_TYPES = {"number": N_("number"), "bool": N_("bool"), "text": N_("text"), "date": N_("date")}


def _type(kind: str) -> str:
    """A field's type as a reader says it."""
    return _(_TYPES[kind]) if kind in _TYPES else kind


def to_durable(cond: Condition) -> dict[str, Any]:
    """The durable-rules expression for one condition on the message (alias `m`)."""
    f, v = cond.field, cond.value
    if cond.op == "==":
        return {f: v}
    if cond.op == "!=":
        return {"$neq": {f: v}}
    if cond.op in ("in", "not in"):
        assert isinstance(v, tuple)
        if cond.op == "in":
            return {"$or": [{f: x} for x in v]} if len(v) > 1 else {f: v[0]}
        return {"$and": [{"$neq": {f: x}} for x in v]} if len(v) > 1 else {"$neq": {f: v[0]}}
    op = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}[cond.op]
    return {op: {f: v}}
