"""Reading and checking rule files.

Every problem in every file is reported at once with file:line:column, the rule's id, plain words
and a hint; a rule set is only ever built whole (one bad file means no new rules are activated).
"""

from __future__ import annotations

import datetime as dt
import glob as globmod
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govcore.errors import ConfigError, InputError, Problem, RuleError, did_you_mean
from govcore.model import ID_PATTERN, Frequency
from govcore.rules.conditions import Condition, ConditionError, parse_condition
from govcore.rules.durations import Duration
from govcore.rules.vocabulary import DEADLINE_KINDS, ROLE_WORDS, Vocabulary
from govcore.sourcefile import YamlDoc, load_yaml, parse_yaml, validation_problems

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TriggerModel(_Model):
    wheel: str | list[str] | None = None
    followup: Frequency | Literal["any"] | None = None
    observation: str | list[str] | None = None
    deadline: Literal["corrective_action", "deliverable"] | None = None

    @model_validator(mode="after")
    def _one(self) -> TriggerModel:
        given = [k for k in ("wheel", "followup", "observation", "deadline") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("'when' needs exactly one of: wheel, followup, observation, deadline"
                             + (f" (found {', '.join(given)})" if given else ""))
        return self


class InEffect(_Model):
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None


class RuleModel(_Model):
    id: str = Field(pattern=ID_PATTERN, max_length=120)
    title: str = ""
    description: str = ""
    when: TriggerModel
    for_each: str | None = None
    if_: list[str | dict[str, list[str]]] = Field(default_factory=list, alias="if")
    then: list[str | dict[str, Any]] = Field(min_length=1)
    in_effect: InEffect | None = None
    enabled: bool = True

    @field_validator("then")
    @classmethod
    def _single_keys(cls, v: list[str | dict[str, Any]]) -> list[str | dict[str, Any]]:
        for item in v:
            if isinstance(item, dict) and len(item) != 1:
                raise ValueError("each action is one name with its settings, e.g. '- notify: {to: owner}'")
        return v


class RuleFileModel(_Model):
    version: int = 1
    description: str = ""
    rules: list[dict[str, Any]] = Field(min_length=1)


@dataclass(frozen=True)
class ActionCall:
    name: str
    params: BaseModel
    line: int


@dataclass(frozen=True)
class Rule:
    """One checked rule, ready to compile."""

    id: str
    title: str
    description: str
    file: str
    file_hash: str
    line: int
    order: int
    trigger: str
    trigger_values: tuple[str, ...]
    for_each: str
    conditions: tuple[Condition, ...]
    any_of: tuple[tuple[Condition, ...], ...]
    actions: tuple[ActionCall, ...]
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    def in_effect(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to)

    def matches_trigger(self, trigger: str, value: str, frequency: str = "") -> bool:
        if trigger != self.trigger and not (self.trigger == "followup" and trigger == "wheel"):
            return False
        if self.trigger == "followup":
            return bool(frequency) and ("any" in self.trigger_values or frequency in self.trigger_values)
        return "any" in self.trigger_values or value in self.trigger_values

    def fields_used(self) -> list[str]:
        names = [c.field for c in self.conditions] + [c.field for g in self.any_of for c in g]
        return list(dict.fromkeys(names))


@dataclass
class RuleSet:
    """Checked rules from one or more files, in priority order (file order, then position)."""

    rules: list[Rule] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 of the content

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def version(self) -> str:
        h = hashlib.sha256()
        for path in sorted(self.files):
            h.update(f"{Path(path).name}:{self.files[path]}\n".encode())
        return h.hexdigest()[:16]


def expand_paths(patterns: Iterable[str | Path], base: Path | None = None) -> list[Path]:
    """Files named by paths or globs; a glob that matches nothing is an error (fail loudly)."""
    out: list[Path] = []
    problems: list[Problem] = []
    for pattern in patterns:
        text = str(pattern)
        full = text if base is None or Path(text).is_absolute() else str(base / text)
        if any(ch in text for ch in "*?["):
            found = sorted(Path(p) for p in globmod.glob(full, recursive=True))
            if not found:
                problems.append(Problem(text, message="this pattern matches no file",
                                        hint="check the folder and the spelling; patterns are relative to "
                                        + (str(base) if base else "the current folder")))
            out.extend(found)
        else:
            p = Path(full)
            if p.is_dir():
                found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
                if not found:
                    problems.append(Problem(text, message="this folder holds no .yaml rule file"))
                out.extend(found)
            elif not p.exists():
                problems.append(Problem(text, message="file not found"))
            else:
                out.append(p)
    if problems:
        raise RuleError(problems)
    return list(dict.fromkeys(out))


def load_rules(paths: Sequence[str | Path], vocab: Vocabulary) -> RuleSet:
    """Check every file; raise RuleError listing every problem, or return the whole rule set."""
    ruleset = RuleSet()
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    order = 0
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(Problem(str(path), message=f"cannot read rule file: {err}"))
            continue
        ruleset.files[str(path)] = hashlib.sha256(text.encode()).hexdigest()
        rules, file_problems = check_text(text, str(path), vocab)
        problems.extend(file_problems)
        for r in rules:
            if r.id in seen:
                problems.append(Problem(r.file, r.line, 1, f"rule id '{r.id}' is already used in {seen[r.id]}",
                                        rule=r.id, hint="give every rule a unique id"))
                continue
            seen[r.id] = f"{Path(r.file).name}:{r.line}"
            ruleset.rules.append(_with_order(r, order))
            order += 1
    if problems:
        raise RuleError(problems)
    return ruleset


def _with_order(r: Rule, order: int) -> Rule:
    from dataclasses import replace

    return replace(r, order=order)


def check_text(text: str, path: str, vocab: Vocabulary) -> tuple[list[Rule], list[Problem]]:
    """Parse one rule file; return the good rules and every problem found."""
    try:
        doc = parse_yaml(text, path)
    except (ConfigError, InputError) as err:
        return [], err.problems
    file_hash = hashlib.sha256(text.encode()).hexdigest()
    if not isinstance(doc.data, dict):
        return [], [Problem(path, 1, 1, "a rule file is a mapping with a 'rules:' list",
                            hint="start the file with 'rules:' and list rules below it with '- id: …'")]
    try:
        top = RuleFileModel.model_validate(doc.data)
    except ValidationError as err:
        return [], validation_problems(err, doc)
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, raw in enumerate(top.rules):
        rule, probs = _check_rule(raw, i, doc, file_hash, vocab)
        problems.extend(probs)
        if rule is not None and not probs:
            rules.append(rule)
    return rules, problems


def _check_rule(raw: Any, i: int, doc: YamlDoc, file_hash: str,
                vocab: Vocabulary) -> tuple[Rule | None, list[Problem]]:
    base = ("rules", i)
    rid = str(raw.get("id", f"#{i + 1}")) if isinstance(raw, dict) else f"#{i + 1}"
    if not isinstance(raw, dict):
        return None, [doc.problem(base, "a rule is a mapping with id, when, for_each, if and then", rule=rid)]
    try:
        m = RuleModel.model_validate(raw)
    except ValidationError as err:
        probs = validation_problems(err, doc, base, rid)
        return None, [_rule_field_hint(p) for p in probs]
    problems: list[Problem] = []

    def bad(loc: tuple[str | int, ...], msg: str, hint: str = "", col_offset: int = 0) -> None:
        p = doc.problem((*base, *loc), msg, hint=hint, rule=m.id)
        if col_offset:
            p = Problem(p.file, p.line, p.column + col_offset, p.message, p.rule, p.field, p.hint)
        problems.append(p)

    trig = m.when
    trigger = next(k for k in ("wheel", "followup", "observation", "deadline") if getattr(trig, k) is not None)
    value = getattr(trig, trigger)
    values = tuple(str(v) for v in (value if isinstance(value, list) else [value]))
    if trigger == "wheel" and vocab.wheel_ids is not None:
        for v in values:
            if v != "any" and v not in vocab.wheel_ids:
                bad(("when", "wheel"), f"no wheel event has the id '{v}'", did_you_mean(v, vocab.wheel_ids))
    if trigger == "observation" and vocab.kpi_ids is not None:
        for v in values:
            if v != "any" and v not in vocab.kpi_ids:
                bad(("when", "observation"), f"no KPI has the id '{v}'", did_you_mean(v, vocab.kpi_ids))

    implied = {"corrective_action": "action", "deliverable": "deliverable"}.get(values[0]) \
        if trigger == "deadline" else None
    for_each = m.for_each or implied or ("goal" if trigger in ("followup", "observation") else None)
    if for_each is None:
        bad(("when",), "say what the rule looks at with 'for_each'",
            "e.g. 'for_each: goal' or one of: " + ", ".join(sorted(vocab.kinds)))
        return None, problems
    if for_each not in vocab.kinds:
        bad(("for_each",), f"unknown subject kind '{for_each}'", did_you_mean(for_each, vocab.kinds))
        return None, problems
    if implied and for_each != implied:
        bad(("for_each",), f"a '{values[0]}' deadline is about a {implied}, not a {for_each}",
            f"write 'for_each: {implied}' or leave it out")
    if for_each == "action" and trigger != "deadline":
        bad(("for_each",), "'for_each: action' only works with 'when: {deadline: corrective_action}'")
    fields = vocab.fields(for_each)

    conditions: list[Condition] = []
    any_of: list[tuple[Condition, ...]] = []
    for j, item in enumerate(m.if_):
        if isinstance(item, str):
            try:
                conditions.append(parse_condition(item, fields))
            except ConditionError as err:
                bad(("if", j), str(err), err.hint, err.column)
        else:
            if set(item) != {"any"}:
                key = next(iter(item))
                bad(("if", j, key), f"unknown condition group '{key}'", "use 'any:' with a list of conditions")
                continue
            group: list[Condition] = []
            for k, sub in enumerate(item["any"]):
                try:
                    group.append(parse_condition(sub, fields))
                except ConditionError as err:
                    bad(("if", j, "any", k), str(err), err.hint, err.column)
            if group:
                any_of.append(tuple(group))

    actions: list[ActionCall] = []
    for j, item in enumerate(m.then):
        name, params = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        loc = ("then", j) if isinstance(item, str) else ("then", j, name)
        model = vocab.action_params(name)
        if model is None:
            bad(loc, f"unknown action '{name}'", did_you_mean(name, vocab.action_names()))
            continue
        if params is None:
            params = {}
        if not isinstance(params, dict):
            bad(loc, f"the settings of '{name}' must be a mapping", f"e.g. {name}: {{...}}")
            continue
        try:
            parsed = model.model_validate(params)
        except ValidationError as err:
            for p in validation_problems(err, doc, (*base, *loc), m.id):
                hint = p.hint or (did_you_mean(p.message.split("'")[1], _param_names(model))
                                  if p.message.startswith("unknown field") else "")
                problems.append(Problem(p.file, p.line, p.column, p.message, p.rule, p.field, hint))
            continue
        problems.extend(_check_action(name, parsed, trigger, values, for_each, fields, vocab, doc,
                                      (*base, *loc), m.id))
        actions.append(ActionCall(name, parsed, doc.where((*base, *loc))[0]))

    eff = m.in_effect
    if eff and eff.from_ and eff.to and eff.to < eff.from_:
        bad(("in_effect", "to"), "in_effect.to is before in_effect.from")
    line = doc.where(base)[0]
    rule = Rule(
        id=m.id, title=m.title or m.id, description=m.description, file=doc.path, file_hash=file_hash,
        line=line, order=i, trigger=trigger, trigger_values=values, for_each=for_each,
        conditions=tuple(conditions), any_of=tuple(any_of), actions=tuple(actions),
        effective_from=eff.from_ if eff else None, effective_to=eff.to if eff else None,
    )
    if not m.enabled:
        return None, problems
    return rule, problems


def _param_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _rule_field_hint(p: Problem) -> Problem:
    if p.hint:
        return p
    names = {"": list(RuleModel.model_fields) + ["if"], "when": list(TriggerModel.model_fields)}
    if p.message.startswith("unknown field"):
        word = p.message.split("'")[1]
        scope = "when" if ".when." in f".{p.field}." or p.field.startswith("when") else ""
        choices = [n.rstrip("_") for n in names[scope]]
        return Problem(p.file, p.line, p.column, p.message, p.rule, p.field, did_you_mean(word, choices))
    return p


def _check_action(name: str, params: BaseModel, trigger: str, values: tuple[str, ...], for_each: str,
                  fields: Any, vocab: Vocabulary, doc: YamlDoc, loc: tuple[str | int, ...],
                  rid: str) -> list[Problem]:
    problems: list[Problem] = []
    data = params.model_dump(by_alias=False)
    for key, role in data.items():
        if key in ("from_role", "to") and isinstance(role, str) and role not in ROLE_WORDS:
            if vocab.role_ids is not None and role not in vocab.role_ids:
                alias = "from" if key == "from_role" else "to"
                problems.append(doc.problem((*loc, alias), f"no role has the id '{role}'",
                                            hint=did_you_mean(role, [*ROLE_WORDS, *vocab.role_ids]), rule=rid))
    for key, text in data.items():
        if isinstance(text, str) and "{" in text:
            for ph in _PLACEHOLDER.findall(text):
                if ph not in fields:
                    alias = "from" if key == "from_role" else key
                    problems.append(doc.problem((*loc, alias), f"unknown placeholder '{{{ph}}}'",
                                                hint=did_you_mean(ph, fields), rule=rid))
    if name == "escalate" and not (trigger == "deadline" and values[0] == "corrective_action"):
        problems.append(doc.problem(loc, "'escalate' moves an overdue corrective action up the line, so it "
                                    "needs 'when: {deadline: corrective_action}'", rule=rid))
    if name == "require_deliverable":
        deliverable = data.get("deliverable") or ""
        if not deliverable and for_each != "deliverable":
            problems.append(doc.problem(loc, "say which deliverable with 'deliverable: <id>'", rule=rid))
        elif deliverable and vocab.deliverable_ids is not None and deliverable not in vocab.deliverable_ids:
            problems.append(doc.problem((*loc, "deliverable"), f"no deliverable has the id '{deliverable}'",
                                        hint=did_you_mean(deliverable, vocab.deliverable_ids), rule=rid))
    within = data.get("within")
    if within is not None:
        Duration.parse(within)
    return problems


def check_paths(patterns: Sequence[str | Path], vocab: Vocabulary) -> tuple[RuleSet | None, list[Problem]]:
    """For `govcore rules check`: every problem in every file, never an exception."""
    try:
        paths = expand_paths(patterns)
        return load_rules(paths, vocab), []
    except InputError as err:
        return None, err.problems


def load_rule_doc(path: str | Path) -> YamlDoc:
    return load_yaml(path)
