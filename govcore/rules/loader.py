"""Reading and checking rule files.

Every problem in every file is reported at once with file:line:column, the rule's id, plain words
and a hint; a rule set is only ever built whole (one bad file means no new rules are activated).
"""

from __future__ import annotations

import datetime as dt
import glob as globmod
import hashlib
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml.error import MarkedYAMLError

from govcore.danish_words import with_danish
from govcore.errors import ConfigError, InputError, Problem, RuleError, closest, did_you_mean, one_of
from govcore.i18n import N_, _
from govcore.model import ID_PATTERN, Frequency
from govcore.rules.conditions import Condition, ConditionError, parse_condition
from govcore.rules.durations import Duration, DurationError
from govcore.rules.vocabulary import DEADLINE_KINDS, ROLE_WORDS, Vocabulary
from govcore.sourcefile import Key, YamlDoc, dotted, parse_yaml, pydantic_message, read_text, round_trip_yaml

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TriggerError(ValueError):
    """'when' names no trigger or several (its own kind, so the message can be reworded by kind)."""


class TriggerModel(_Model):
    wheel: str | list[str] | None = None
    followup: Frequency | Literal["any"] | None = None
    observation: str | list[str] | None = None
    deadline: Literal["corrective_action", "deliverable"] | None = None

    @model_validator(mode="after")
    def _one(self) -> TriggerModel:
        given = [k for k in ("wheel", "followup", "observation", "deadline") if getattr(self, k) is not None]
        if len(given) != 1:
            raise TriggerError(_("'when' needs exactly one of: wheel, followup, observation, deadline")
                             + (" (" + _("found {names}").format(names=", ".join(given)) + ")" if given else ""))
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
    if_: list[Any] = Field(default_factory=list, alias="if")
    then: list[Any] = Field(min_length=1)
    in_effect: InEffect | None = None
    enabled: bool = True


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
    column: int = 1

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
        """The rule files' names and contents, hashed in an order that does not depend on where the
        files lie: the same rules installed from wheels or from a source tree give the same version."""
        h = hashlib.sha256()
        for name, digest in sorted((Path(path).name, digest) for path, digest in self.files.items()):
            h.update(f"{name}:{digest}\n".encode())
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
                problems.append(Problem(text, message=_("this pattern matches no file"),
                                        hint=_("check the folder and the spelling; patterns are relative to {folder}")
                                        .format(folder=str(base) if base else _("the current folder"))))
            out.extend(found)
        else:
            p = Path(full)
            if p.is_dir():
                found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
                if not found:
                    problems.append(Problem(text, message=_("this folder holds no .yaml rule file")))
                out.extend(found)
            elif not p.exists():
                problems.append(Problem(text, message=_("file not found")))
            else:
                out.append(p)
    if problems:
        raise RuleError(problems)
    return list(dict.fromkeys(out))


def load_rules(paths: Sequence[str | Path], vocab: Vocabulary,
               kept: dict[Hashable, RuleSet] | None = None) -> RuleSet:
    """Check every file; raise RuleError listing every problem, or return the whole rule set.

    `kept`: the rule sets checked before in the same piece of work, by what they were made of
    (`load_config` gives one for all dated versions of a load, which mostly name the same rule
    files and words). A rule set is taken from it only when every file's text and everything the
    checks read of the vocabulary are the same; each caller gets its own `RuleSet` of the same
    (frozen) rules. Only a whole rule set is kept: a problem is found and reported again."""
    texts: list[tuple[str | Path, str | None, list[Problem]]] = []
    for path in paths:
        try:
            texts.append((path, read_text(path), []))
        except InputError as err:
            texts.append((path, None, err.problems))
    key = _kept_key(texts, vocab) if kept is not None else None
    if key is not None and kept is not None and key in kept:
        return RuleSet(list(kept[key].rules), dict(kept[key].files))
    ruleset = RuleSet()
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    order = 0
    for path, text, unread in texts:
        if text is None:
            problems.extend(unread)
            continue
        ruleset.files[str(path)] = hashlib.sha256(text.encode()).hexdigest()
        rules, file_problems = check_text(text, str(path), vocab)
        problems.extend(file_problems)
        for r in rules:
            if r.id in seen:
                problems.append(Problem(r.file, r.line, r.column,
                                        _("rule id '{id}' is already used in {place}").format(
                                            id=r.id, place=seen[r.id]),
                                        rule=r.id, field="id",
                                        hint=_("give every rule its own id, e.g. by adding a word to one of them")))
                continue
            seen[r.id] = f"{Path(r.file).name}:{r.line}"
            ruleset.rules.append(_with_order(r, order))
            order += 1
    if problems:
        raise RuleError(problems)
    if key is not None and kept is not None:
        kept[key] = RuleSet(list(ruleset.rules), dict(ruleset.files))
    return ruleset


def _kept_key(texts: Sequence[tuple[str | Path, str | None, list[Problem]]], vocab: Vocabulary) -> Hashable | None:
    """What a rule set is made of: each file's path and text, and what the checks read of the
    vocabulary (the subject kinds' fields, the plugin actions' settings, the ids rules may name).
    None when a file could not be read (nothing to keep) or a plugin's field is not hashable."""
    if any(text is None for _path, text, _unread in texts):
        return None
    key = (tuple((str(path), text) for path, text, _unread in texts),
           tuple((name, kind.fields) for name, kind in vocab.kinds.items()),
           tuple((name, spec.params) for name, spec in vocab.plugin_actions.items()),
           vocab.wheel_ids, vocab.kpi_ids, vocab.role_ids, vocab.deliverable_ids)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _with_order(r: Rule, order: int) -> Rule:
    from dataclasses import replace

    return replace(r, order=order)


def check_text(text: str, path: str, vocab: Vocabulary) -> tuple[list[Rule], list[Problem]]:
    """Parse one rule file; return the good rules and every problem found."""
    try:
        doc = parse_yaml(text, path)
    except (ConfigError, InputError) as err:
        return [], [yaml_problem(text, path, p) for p in err.problems]
    file_hash = hashlib.sha256(text.encode()).hexdigest()
    if doc.data is None:
        return [], [Problem(path, 1, 1, _("the rule file is empty"), hint=_(_START_HINT))]
    if not isinstance(doc.data, dict):
        what = _("a list") if isinstance(doc.data, list) else _("plain text")
        return [], [Problem(path, 1, 1, _("this file is {what}, but a rule file is a mapping with a 'rules:' list")
                            .format(what=what),
                            hint=_("put 'rules:' on the first line and indent the list of rules below it")
                            if isinstance(doc.data, list) else _(_START_HINT))]
    try:
        top = RuleFileModel.model_validate(doc.data)
    except ValidationError as err:
        return [], _plain_problems(err, doc, (), "", _FILE_WORDS)
    rules: list[Rule] = []
    problems: list[Problem] = []
    lines = text.splitlines()
    for i, raw in enumerate(top.rules):
        rule, probs = _check_rule(raw, i, doc, file_hash, vocab, lines)
        problems.extend(_relative(p, i) for p in probs)
        if rule is not None and not probs:
            rules.append(rule)
    return rules, problems


def _relative(p: Problem, i: int) -> Problem:
    """Field paths inside a named rule start at the rule ('if[0]', not 'rules[3].if[0]')."""
    prefix = f"rules[{i}]"
    if p.rule and (p.field == prefix or p.field.startswith(prefix + ".")):
        return Problem(p.file, p.line, p.column, p.message, p.rule, p.field[len(prefix) + 1:], p.hint)
    return p


# ------------------------------------------------------------------------------ YAML syntax errors


def yaml_problem(text: str, path: str, p: Problem, *, in_rules: bool = True) -> Problem:
    """Say what is wrong with the YAML in an administrator's words, naming the rule around it.

    The YAML library reports parser states ('expected <block end>, but found ...'); the reader
    needs to know which line to fix and how. `in_rules=False` for other files (scenario files),
    which have no rule to name.
    """
    if not p.message.startswith("YAML"):
        return p
    try:
        round_trip_yaml().load(text)
    except MarkedYAMLError as err:
        found = _marked_problem(text, path, err, p, in_rules)
    except Exception as err:  # a value the YAML library could not build, e.g. the date 2021-13-01
        found = _value_problem(text, path, str(err), p)
    else:
        return p
    if not in_rules:
        return Problem(found.file, found.line, found.column, found.message, "", found.field, found.hint)
    return found


def _marked_problem(text: str, path: str, err: MarkedYAMLError, p: Problem, in_rules: bool = True) -> Problem:
    lines = text.splitlines()
    mark, ctx = err.problem_mark, err.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (p.line, p.column)
    problem = (err.problem or "").strip()
    context = (err.context or "").strip()
    rule = _rule_at(lines, line)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    message, hint = _("the YAML cannot be read: {problem}").format(problem=problem), p.hint
    if "\\t" in problem or "\t" in here[: max(col, 1)]:
        message = _("a tab is used for indentation; YAML allows only spaces")
        hint = _("replace the tab at the start of line {line} with spaces").format(line=line)
    elif problem.startswith("found duplicate key"):
        key = problem.split('"')[1] if '"' in problem else "?"
        first = _first_key_line(lines, key, ctx.line if ctx else 0, line, col)
        message = _("'{key}' appears twice in the same mapping").format(key=key) + (
            " (" + _("first on line {line}").format(line=first) + ")" if first else "")
        hint = (_("keep one of them; a rule has one 'when:', one 'if:' and one 'then:' list") if in_rules
                else _("keep one of them; each key appears once in a mapping"))
    elif "while parsing a flow mapping" in context and ctx is not None:
        message = _("the '{{' opened on line {line} is not closed with '}}'").format(line=ctx.line + 1)
        hint = _("close it on the same line, e.g. 'when: {{followup: monthly}}', or write the settings as indented "
                 "lines").format()
        line, col = ctx.line + 1, ctx.column + 1
    elif "while parsing a flow sequence" in context and ctx is not None:
        message = _("the '[' opened on line {line} is not closed with ']'").format(line=ctx.line + 1)
        hint = _("close it on the same line, e.g. 'then: [flag_deviation]', or write one item per line with '- '")
        line, col = ctx.line + 1, ctx.column + 1
    elif "quoted scalar" in context and ctx is not None:
        message = _("the quote opened on line {line} is never closed").format(line=ctx.line + 1)
        hint = _("end the text with the same quote character it starts with")
        line, col = ctx.line + 1, ctx.column + 1
    elif problem.startswith("mapping values are not allowed"):
        message = _("a ':' follows a value on this line")
        hint = _("quote text that contains ': ' (e.g. message: \"Mål: {{title}}\"), or put the value on its own "
                 "line").format()
    elif problem.startswith("expected <block end>") or "could not find expected ':'" in problem:
        word = here.strip().split(":")[0].lstrip("- ").strip() or _("this line")
        message = _("line {line} is not indented like the lines it belongs with").format(line=line)
        hint = (_("the keys of one rule ('id:', 'when:', 'if:', 'then:') start in the same column; check the "
                  "spaces before '{word}'") if in_rules else
                _("keys of one mapping start in the same column; check the spaces before '{word}'")).format(word=word)
    return Problem(path, line, col, message, rule=rule, hint=hint)


def _value_problem(text: str, path: str, error: str, p: Problem) -> Problem:
    """Locate a value the YAML library refused without a position (an impossible date)."""
    lines = text.splitlines()
    for n, row in enumerate(lines, start=1):
        for m in re.finditer(r"(?<![\w.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.-])", row):
            try:
                dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return Problem(path, n, m.start() + 1,
                               _("'{value}' is not a date that exists").format(value=m.group(0)),
                               rule=_rule_at(lines, n), hint=_("write dates as YYYY-MM-DD, e.g. 2021-06-01"))
    return Problem(path, p.line, p.column, _("the YAML cannot be read: {problem}").format(problem=error),
                   hint=p.hint)


_RULE_START = re.compile(r"^\s*-\s+id:\s*['\"]?([^'\"#\s]+)")


def _rule_at(lines: Sequence[str], line: int) -> str:
    """The id of the rule a line belongs to (the nearest '- id:' above it), or ''."""
    for n in range(min(line, len(lines)) - 1, -1, -1):
        m = _RULE_START.match(lines[n])
        if m:
            return m.group(1)
    return ""


def _first_key_line(lines: Sequence[str], key: str, start: int, stop: int, col: int) -> int:
    pattern = re.compile(r"^(\s*-?\s*)" + re.escape(key) + r"\s*:")
    for n in range(start, stop - 1):
        m = pattern.match(lines[n])
        if m and len(m.group(1)) == col - 1:
            return n + 1
    return 0


# ------------------------------------------------------------------------- validation in plain words

_FILE_WORDS: dict[str, list[str]] = {"": ["version", "description", "rules"]}
_RULE_WORDS: dict[str, list[str]] = {
    "": ["id", "title", "description", "when", "for_each", "if", "then", "in_effect", "enabled"],
    "when": ["wheel", "followup", "observation", "deadline"],
    "in_effect": ["from", "to"],
}
_START_HINT = N_("start the file with 'rules:' and list rules below it with '- id: …'")
# Hints with braces are written doubled ({{…}}) and read with .format(), like every other message.
_MISSING_HINTS = {
    "id": N_("give the rule an id, e.g. 'id: maal-ude-af-kurs'"),
    "when": N_("say what starts the rule, e.g. 'when: {{followup: monthly}}'"),
    "then": N_("say what happens, e.g. 'then: [flag_deviation]'"),
    "rules": _START_HINT,
}
_SHAPE_HINTS = {
    "if": N_("write one condition per line below 'if:', each starting with '- ', e.g. '- status == off_track'"),
    "then": N_("write one action per line below 'then:', each starting with '- ', e.g. '- flag_deviation'"),
    "when": N_("e.g. 'when: {{followup: monthly}}' or 'when: {{wheel: budgetkontrol-30-04}}'"),
    "in_effect": N_("e.g. 'in_effect: {{from: 2021-01-01, to: 2021-12-31}}'"),
    "rules": N_("list rules below 'rules:', each starting with '- id: …'"),
}
_CHOICES = {
    "followup": (N_("'{value}' is not a follow-up frequency"), [*(f.value for f in Frequency), "any"]),
    "deadline": (N_("'{value}' is not a kind of deadline"), list(DEADLINE_KINDS)),
}


# pydantic's reasons why a date does not exist (English), in the reader's language.
_DATE_REASONS = {"month must be 1-12": N_("month must be 1-12"),
                 "day value is outside expected range": N_("the day does not exist in that month")}


def _hint(table: dict[str, str], name: str, default: str = "") -> str:
    """A hint of one of the tables above, in the reader's language."""
    found = table.get(name)
    return _(found).format() if found else default


def _plain_problems(err: ValidationError, doc: YamlDoc, base: Key, rid: str,
                    words: dict[str, list[str]], action: str = "") -> list[Problem]:
    """pydantic's errors as located problems in plain words, one per place.

    A misspelt key is reported once, as a misspelling, rather than also as a missing key; the
    several errors pydantic gives for a value that fits no member of a union become one.
    """
    errors = err.errors(include_url=False)
    cleaned = [(tuple(x for x in e["loc"] if not (isinstance(x, str) and ("[" in x or x.startswith("function-")))),
                e) for e in errors]
    cleaned.sort(key=lambda le: le[1]["type"] != "extra_forbidden")  # misspellings explain missing keys
    missing = {loc: e for loc, e in cleaned if e["type"] == "missing"}
    explained: set[Key] = set()
    out: list[Problem] = []
    done: set[Key] = set()
    for loc, e in cleaned:
        if loc in done or loc in explained:
            continue
        done.add(loc)
        kind = e["type"]
        name = str(loc[-1]) if loc else ""
        scope = ".".join(str(x) for x in loc[:-1] if not isinstance(x, int))
        given = e.get("input")
        message, hint = pydantic_message(e, loc)
        if kind == "extra_forbidden":
            choices = words.get(scope, [])
            if action:
                message = _("unknown setting '{name}' for the action '{action}'").format(name=name, action=action)
            elif scope:
                message = _("unknown key '{name}' in '{scope}'").format(name=name, scope=scope)
            elif rid:
                message = _("unknown key '{name}' in a rule").format(name=name)
            else:
                message = _("unknown key '{name}' at the top of a rule file").format(name=name)
            close = [m for m in missing if m[:-1] == loc[:-1] and closest(name, [str(m[-1])]) is not None]
            if close:
                explained.add(close[0])
                hint = _("did you mean '{word}'?").format(word=close[0][-1])
            elif action and (closest(name, choices) is None):
                hint = _("the settings of '{action}' are: {names}").format(action=action, names=", ".join(choices))
            else:
                hint = did_you_mean(name, choices) or (one_of(choices) if choices else "")
        elif kind == "missing":
            if action:
                message = _("'{action}' needs the setting '{name}'").format(action=action, name=name)
            elif rid:
                message = _("the rule has no '{name}'").format(name=name)
            else:
                message = _("the file has no '{name}'").format(name=name)
            hint = _hint(_MISSING_HINTS, name)
        elif kind in ("list_type", "tuple_type"):
            message = _("'{name}' must be a list").format(name=name)
            hint = _hint(_SHAPE_HINTS, name)
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = _("'{name}' must be fields of settings, not {shape}").format(name=name, shape=_shape(given))
            hint = _hint(_SHAPE_HINTS, name, _("write the settings as indented 'key: value' lines"))
        elif kind in ("string_type",):
            message = _("'{name}' must be text, not {shape}").format(name=name, shape=_shape(given))
        elif kind == "string_pattern_mismatch" and name == "id":
            message = _("'{value}' is not a valid rule id").format(value=given)
            plain = str(given).lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
            slug = re.sub(r"[^a-z0-9_.:-]+", "-", plain).strip("-") or "maal-ude-af-kurs"
            hint = _("use lower-case letters, digits and '-' without spaces, e.g. '{example}'").format(example=slug)
        elif kind in ("bool_parsing", "bool_type"):
            message = _("'{value}' is not true or false").format(value=given)
            hint = _("write '{yes}' or '{no}'").format(yes=f"{name}: true", no=f"{name}: false")
        elif kind.startswith(("date_", "datetime_")):
            why = str(e.get("ctx", {}).get("error", "")).replace("value is outside expected range of", "must be")
            message = _("'{value}' is not a date").format(value=given)
            if why:
                message += " (" + (_(_DATE_REASONS[why]) if why in _DATE_REASONS else why) + ")"
            hint = _("write dates as YYYY-MM-DD, e.g. 2021-06-01")
        elif kind in ("enum", "literal_error"):
            label, options = _CHOICES.get(name, ("", []))
            if not options:
                expected = str(e.get("ctx", {}).get("expected", ""))
                options = [c.strip().strip("'") for c in expected.replace(" or ", ",").split(",") if c.strip()]
            message = _(label or N_("'{value}' is not allowed here")).format(value=given)
            hint = did_you_mean(str(given), with_danish(options), list_all=False) or did_you_mean(str(given), options)
        elif kind == "too_short" and name in ("then", "rules"):
            message = _("'then' has no actions") if name == "then" else _("the file has no rules ('rules:' is empty)")
            hint = (_("add at least one action, e.g. '- flag_deviation'") if name == "then"
                    else _("add a rule below 'rules:', or delete the file"))
        elif kind == "value_error" and isinstance(e.get("ctx", {}).get("error"), DurationError):
            hint = _duration_hint(str(given))
        elif kind == "value_error" and isinstance(e.get("ctx", {}).get("error"), TriggerError) \
                and isinstance(given, dict):
            keys = [str(k) for k in given if given[k] is not None]
            if len(keys) > 1:
                loc = (*loc, keys[1])
                message = _("'when' has {n} triggers ({names}); a rule has exactly one").format(
                    n=len(keys), names=", ".join(f"'{k}'" for k in keys))
                hint = _("keep one, or write one rule per trigger")
            else:
                message = _("'when' names no trigger")
                hint = _("write one of: wheel, followup, observation, deadline, e.g. 'when: {{followup: monthly}}'") \
                    .format()
        problems_loc = (*base, *loc)
        line, col = doc.where(problems_loc)
        out.append(Problem(doc.path, line, col, message, rule=rid, field=dotted(problems_loc), hint=hint))
    return out


def _shape(value: Any) -> str:
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("fields (name: value)")
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return _("the number {value}").format(value=value)
    return _("the text '{value}'").format(value=value)


def _duration_hint(text: str) -> str:
    m = re.match(r"^\s*(\d+)\s*(.+?)\s*$", text)
    if not m:
        return ""
    units = ["working days", "days", "weeks", "months", "arbejdsdage", "dage", "uger", "måneder"]
    close = closest(m.group(2).lower(), units)
    if close is not None:
        return _("did you mean '{word}'?").format(word=f"{m.group(1)} {close}")
    return ""


# ----------------------------------------------------------------------------------- one rule


def _check_rule(raw: Any, i: int, doc: YamlDoc, file_hash: str, vocab: Vocabulary,
                lines: Sequence[str] = ()) -> tuple[Rule | None, list[Problem]]:
    base: Key = ("rules", i)
    rid = str(raw.get("id", f"#{i + 1}")) if isinstance(raw, dict) else f"#{i + 1}"
    if not isinstance(raw, dict):
        return None, [doc.problem(base, _("a rule is fields with id, when, for_each, if and then, not {shape}")
                                  .format(shape=_shape(raw)), rule=rid,
                                  hint=_("start each rule with '- id: …' and indent its keys below it"))]
    try:
        m = RuleModel.model_validate(raw)
    except ValidationError as err:
        return None, _plain_problems(err, doc, base, rid, _RULE_WORDS)
    problems: list[Problem] = []

    def bad(loc: tuple[str | int, ...], msg: str, hint: str = "", col_offset: int = 0) -> None:
        p = doc.problem((*base, *loc), msg, hint=hint, rule=m.id)
        if col_offset or loc[:1] == ("if",):
            p = Problem(p.file, p.line, p.column + col_offset + _quote(lines, p.line, p.column),
                        p.message, p.rule, p.field, p.hint)
        problems.append(p)

    trig = m.when
    trigger = next(k for k in ("wheel", "followup", "observation", "deadline") if getattr(trig, k) is not None)
    value = getattr(trig, trigger)
    values = tuple(str(v) for v in (value if isinstance(value, list) else [value]))
    if trigger == "wheel" and vocab.wheel_ids is not None:
        for v in values:
            if v != "any" and v not in vocab.wheel_ids:
                bad(("when", "wheel"), _("no wheel event has the id '{id}'").format(id=v),
                    did_you_mean(v, vocab.wheel_ids))
    if trigger == "observation" and vocab.kpi_ids is not None:
        for v in values:
            if v != "any" and v not in vocab.kpi_ids:
                bad(("when", "observation"), _("no KPI has the id '{id}'").format(id=v), did_you_mean(v, vocab.kpi_ids))

    implied = {"corrective_action": "action", "deliverable": "deliverable"}.get(values[0]) \
        if trigger == "deadline" else None
    for_each = m.for_each or implied or ("goal" if trigger in ("followup", "observation") else None)
    if for_each is None:
        bad(("when",), _("say what the rule looks at with 'for_each'"),
            _("e.g. 'for_each: goal' or one of: {kinds}").format(kinds=", ".join(sorted(vocab.kinds))))
        return None, problems
    if for_each not in vocab.kinds:
        bad(("for_each",), _("unknown subject kind '{kind}'").format(kind=for_each),
            did_you_mean(for_each, vocab.kinds))
        return None, problems
    if implied and for_each != implied:
        bad(("for_each",), _("a '{deadline}' deadline is about '{implied}', not '{kind}'").format(
            deadline=values[0], implied=implied, kind=for_each),
            _("write '{example}' or leave it out").format(example=f"for_each: {implied}"))
    if for_each == "action" and trigger != "deadline":
        bad(("for_each",), _("'for_each: action' only works with 'when: {{deadline: corrective_action}}'").format())
    fields = vocab.fields(for_each)

    conditions: list[Condition] = []
    any_of: list[tuple[Condition, ...]] = []
    for j, item in enumerate(m.if_):
        if isinstance(item, str):
            try:
                conditions.append(parse_condition(item, fields))
            except ConditionError as err:
                bad(("if", j), str(err), err.hint, err.column)
        elif isinstance(item, dict) and set(item) == {"any"} and isinstance(item["any"], list):
            group: list[Condition] = []
            for k, sub in enumerate(item["any"]):
                if not isinstance(sub, str):
                    bad(("if", j, "any", k), _("a condition is text like 'status == off_track'"))
                    continue
                try:
                    group.append(parse_condition(sub, fields))
                except ConditionError as err:
                    bad(("if", j, "any", k), str(err), err.hint, err.column)
            if group:
                any_of.append(tuple(group))
        elif isinstance(item, dict) and len(item) == 1 and next(iter(item)) != "any":
            key, val = next(iter(item.items()))
            shown = ", ".join(map(str, val)) if isinstance(val, list) else val
            if key in fields:
                bad(("if", j, key), _("'{text}' is not a condition: a condition compares with an operator").format(
                    text=f"{key}: {shown}"), _("write '{example}'").format(
                        example=f"{key} == {shown}" if not isinstance(val, list) else f"{key} in [{shown}]"))
            else:
                bad(("if", j, key), _("unknown condition group '{name}'").format(name=key),
                    _("use 'any:' with a list of conditions"))
        elif isinstance(item, dict) and "any" in item:
            bad(("if", j, "any"), _("'any:' takes a list of conditions, one per line starting with '- '"))
        else:
            bad(("if", j), _("a condition is text like 'status == off_track', not {shape}").format(shape=_shape(item)))

    actions: list[ActionCall] = []
    for j, item in enumerate(m.then):
        if isinstance(item, dict) and len(item) != 1:
            names = [k for k in item if vocab.action_params(str(k)) is not None]
            if len(names) == 1:
                others = [str(k) for k in item if k != names[0]]
                bad(("then", j, others[0]), _("the settings of '{action}' ({names}) are not indented below it").format(
                    action=names[0], names=", ".join(others)),
                    _("indent '{setting}:' by two more spaces than '{action}:'").format(setting=others[0],
                                                                                       action=names[0]))
            else:
                bad(("then", j),
                    _("each action is one name with its settings, e.g. '- notify: {{to: owner}}'").format(),
                    _("start each action on its own line with '- '"))
            continue
        if not isinstance(item, str | dict):
            bad(("then", j), _("an action is a name like 'flag_deviation', not {shape}").format(shape=_shape(item)))
            continue
        name, params = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        loc = ("then", j) if isinstance(item, str) else ("then", j, name)
        model = vocab.action_params(name)
        if model is None:
            bad(loc, _("unknown action '{name}'").format(name=name), did_you_mean(name, vocab.action_names()))
            continue
        if params is None:
            params = {}
        if not isinstance(params, dict):
            bad(loc, _("the settings of '{action}' must be fields (name: value), not {shape}").format(
                action=name, shape=_shape(params)),
                _("e.g. '{example}'").format(example=f"{name}: {{{next(iter(_param_names(model)))}: …}}")
                if _param_names(model) else _("write just '{example}'").format(example=f"- {name}"))
            continue
        try:
            parsed = model.model_validate(params)
        except ValidationError as err:
            words = {"": _param_names(model)}
            probs = _plain_problems(err, doc, (*base, *loc), m.id, words, action=name)
            problems.extend(probs)
            continue
        problems.extend(_check_action(name, parsed, trigger, values, for_each, fields, vocab, doc,
                                      (*base, *loc), m.id))
        actions.append(ActionCall(name, parsed, doc.where((*base, *loc))[0]))

    eff = m.in_effect
    if eff and eff.from_ and eff.to and eff.to < eff.from_:
        bad(("in_effect", "to"), _("in_effect.to ({to}) is before in_effect.from ({start})").format(
            to=eff.to, start=eff.from_), _("swap the two dates, or correct the year"))
    line, column = doc.where(base)
    rule = Rule(
        id=m.id, title=m.title or m.id, description=m.description, file=doc.path, file_hash=file_hash,
        line=line, order=i, trigger=trigger, trigger_values=values, for_each=for_each,
        conditions=tuple(conditions), any_of=tuple(any_of), actions=tuple(actions),
        effective_from=eff.from_ if eff else None, effective_to=eff.to if eff else None, column=column,
    )
    if not m.enabled:
        return None, problems
    return rule, problems


def _quote(lines: Sequence[str], line: int, column: int) -> int:
    """1 when the condition at (line, column) is written in quotes, so columns point into the text."""
    if 0 < line <= len(lines) and 0 < column <= len(lines[line - 1]):
        return 1 if lines[line - 1][column - 1] in "'\"" else 0
    return 0


def _param_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _check_action(name: str, params: BaseModel, trigger: str, values: tuple[str, ...], for_each: str,
                  fields: Any, vocab: Vocabulary, doc: YamlDoc, loc: tuple[str | int, ...],
                  rid: str) -> list[Problem]:
    problems: list[Problem] = []
    data = params.model_dump(by_alias=False)
    for key, role in data.items():
        if (key in ("from_role", "to") and isinstance(role, str) and role not in ROLE_WORDS
                and vocab.role_ids is not None and role not in vocab.role_ids):
            alias = "from" if key == "from_role" else "to"
            problems.append(doc.problem((*loc, alias), _("no role has the id '{id}'").format(id=role),
                                        hint=did_you_mean(role, [*ROLE_WORDS, *vocab.role_ids]), rule=rid))
    for key, text in data.items():
        if isinstance(text, str) and "{" in text:
            for ph in _PLACEHOLDER.findall(text):
                if ph not in fields:
                    alias = "from" if key == "from_role" else key
                    hint = did_you_mean(ph, fields) or _("a {kind} has the fields: {names}").format(
                        kind=for_each, names=", ".join(sorted(fields)))
                    problems.append(doc.problem((*loc, alias), _("unknown placeholder '{placeholder}': a {kind} has no "
                                                                 "field '{name}'").format(
                        placeholder="{" + ph + "}", kind=for_each, name=ph), hint=hint, rule=rid))
    if name == "escalate" and not (trigger == "deadline" and values[0] == "corrective_action"):
        problems.append(doc.problem(loc, _("'escalate' moves an overdue corrective action up the line, so it "
                                           "needs 'when: {{deadline: corrective_action}}'").format(), rule=rid,
                                    hint=_("move 'escalate' to a rule with 'when: {{deadline: corrective_action}}', "
                                           "or use 'notify' or 'demand_action' here").format()))
    if name == "require_deliverable":
        deliverable = data.get("deliverable") or ""
        if not deliverable and for_each != "deliverable":
            problems.append(doc.problem(loc, _("say which deliverable with 'deliverable: <id>'"), rule=rid))
        elif deliverable and vocab.deliverable_ids is not None and deliverable not in vocab.deliverable_ids:
            problems.append(doc.problem((*loc, "deliverable"),
                                        _("no deliverable has the id '{id}'").format(id=deliverable),
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
