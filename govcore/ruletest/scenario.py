"""Scenario files for `govcore rules test`: what happens in a simulated year, and what must follow.

A scenario file holds the setup (the rules under test and the organisation, goals and wheel, or a
configuration to reuse) and a list of scenarios. Each scenario gives figures on dates, deliveries
and responses, and the events it expects (`expect:`) or forbids (`never:`). `cases:` runs the same
scenario with different values, substituted for `$name` anywhere in the scenario.

Strict on purpose: an unknown key, a KPI that does not exist, a date outside the simulated span
or an unused case parameter is an error with file:line:column, because a test that silently
tests less than its author thinks is worse than no test.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from govcore.config import Response
from govcore.errors import InputError, Problem, did_you_mean
from govcore.i18n import _
from govcore.model import Observation, Period
from govcore.plugins import Plugins
from govcore.rules.durations import Duration
from govcore.rules.loader import yaml_problem
from govcore.ruletest.kinds import ALIASES, COMMON_FIELDS, DATE_KEYS, KINDS, Kind, article, fmt, kind_of
from govcore.ruletest.setup import Setup, build_setup, first_year
from govcore.sourcefile import Key, YamlDoc, clip, parse_yaml, read_text
from govcore.text import parse_number

FILE_KEYS = ("description", "rules", "config", "use_config_data", "municipality", "year", "start", "until", "from",
             "to", "known", "organisation", "kpis", "goals", "deliverables", "wheel", "sources", "observations",
             "allow_extra", "scenarios")
SCENARIO_KEYS = ("name", "description", "year", "start", "until", "from", "to", "known", "observations", "responses",
                 "deliveries", "expect", "never", "allow_extra", "cases")
CASE_KEYS = ("name", "expect", "never", "allow_extra")  # every other key of a case is a parameter
RESPONSE_KEYS = ("date", "time", "submit", "accept", "reject", "deliver", "decide", "text")
DEFAULT_KNOWN = "day after period end"


@dataclass(frozen=True)
class Window:
    """When an expected event may happen: on a day, by a day, from a day, or at any time."""

    start: dt.date | None = None
    end: dt.date | None = None
    exact: bool = False

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def describe(self) -> str:
        if self.exact and self.start is not None:
            return _("on {date}").format(date=self.start)
        if self.start is not None and self.end is not None:
            return _("between {start} and {end}").format(start=self.start, end=self.end)
        if self.end is not None:
            return _("by {date}").format(date=self.end)
        if self.start is not None:
            return _("from {date}").format(date=self.start)
        return _("at any time")

    def anchor(self) -> dt.date | None:
        return self.end or self.start


@dataclass(frozen=True)
class Expectation:
    """One line of `expect:` or `never:`."""

    kind: Kind
    fields: Mapping[str, Any]
    window: Window
    times: int | None
    never: bool
    file: str
    line: int
    column: int

    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def text(self) -> str:
        """The expectation as written (normalised), e.g. `escalation {to: direktoer, level: 1}`."""
        inner = ", ".join(f"{k}: {fmt(v)}" for k, v in self.fields.items())
        times = " (" + _("{n} times").format(n=self.times) + ")" if self.times is not None else ""
        return f"{self.kind.name} {{{inner}}}{times}"

    def headline(self) -> str:
        if self.never:
            return _("expected no {event} {when}").format(event=self.text(), when=self.window.describe())
        return _("expected {event} {when}").format(event=self.text(), when=self.window.describe())


@dataclass
class Case:
    """One run: a scenario, or one row of its `cases:` table."""

    file: str
    scenario: str
    label: str
    line: int
    column: int
    description: str
    year: int
    start: dt.date
    until: dt.date
    observations: list[Observation]
    responses: list[Response]
    expectations: list[Expectation]
    allow_extra: bool | frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.scenario} [{self.label}]" if self.label else self.scenario


@dataclass
class ScenarioFile:
    path: str
    setup: Setup | None
    cases: list[Case] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    description: str = ""


# ------------------------------------------------------------------------------------------ files


def load_scenario_file(path: Path, plugins: Plugins) -> ScenarioFile:
    """Read and check one scenario file; every problem is collected, nothing is raised."""
    try:
        doc = read_yaml(path)
    except InputError as err:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        return ScenarioFile(str(path), None, problems=[yaml_problem(text, str(path), p, in_rules=False)
                                                       for p in err.problems])
    problems: list[Problem] = []
    data = doc.data
    if data is None:
        return ScenarioFile(str(path), None, problems=[Problem(
            str(path), 1, 1, _("the scenario file is empty"),
            hint=_("start with 'rules:' (the rule files under test) and 'scenarios:'; see docs/rule-testing.md"))])
    if not isinstance(data, dict):
        return ScenarioFile(str(path), None, problems=[Problem(
            str(path), 1, 1, _("a scenario file is a mapping with 'rules:', the setup and 'scenarios:'"),
            hint=_("see docs/rule-testing.md"))])
    rules = data.get("rules")
    if "scenarios" not in data and isinstance(rules, list) and rules and all(isinstance(r, dict) for r in rules):
        return ScenarioFile(str(path), None, problems=[Problem(
            str(path), 1, 1, _("this is a rule file, not a scenario file"),
            hint=_("check a rule file with `govcore rules check`; test it with a scenario file that names it "
                   "under 'rules:' (see docs/rule-testing.md and rules/tests/)"))])
    _check_keys(data, FILE_KEYS, (), doc, problems, _("at the top of a scenario file"))
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios:
        problems.append(doc.problem(("scenarios",) if "scenarios" in data else (),
                                    _("the file has no scenarios") if scenarios in (None, []) else
                                    _("'scenarios' is a list of scenarios, each starting with '- name: …'"),
                                    hint=_("add 'scenarios:' with at least one '- name: …'")))
    for key in ("year",):
        if key in data and (not isinstance(data[key], int) or isinstance(data[key], bool)):
            problems.append(doc.problem((key,), _("'{value}' is not a year").format(
                value=data[key]), hint=_("e.g. 'year: 2021'")))
    setup = build_setup(doc, data, path.parent, plugins, first_year(data), problems)
    out = ScenarioFile(str(path), setup, problems=problems, description=str(data.get("description", "")))
    if setup is None or not isinstance(scenarios, list):
        return out
    defaults = _Defaults.of(data, doc, setup, problems)
    for i, raw in enumerate(scenarios):
        out.cases.extend(_scenario(raw, i, doc, setup, defaults, problems))
    out.problems = _unique(problems)
    return out


def read_yaml(path: Path) -> YamlDoc:
    """A scenario file with positions. Unlike configuration files, keys may be years and dates
    (`{2021: 72}`, `{2021-03-31: 39}`): figures are tables of period: value, and making authors
    quote every year would be a trap."""
    return parse_yaml(read_text(path), str(path), keys_as_text=True)


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    """A problem in a part every case shares is reported once, not once per case."""
    return list(dict.fromkeys(problems))


def _check_keys(data: Mapping[str, Any], allowed: Sequence[str], loc: Key, doc: YamlDoc, problems: list[Problem],
                where: str, hints: Mapping[str, str] | None = None) -> None:
    for key in data:
        if key not in allowed:
            hint = (hints or {}).get(key) or did_you_mean(str(key), allowed)
            problems.append(doc.problem((*loc, key), _("unknown key '{key}' {where}").format(
                key=key, where=where), hint=hint))


# ------------------------------------------------------------------------------ shared defaults


@dataclass
class _Defaults:
    year: int
    start: dt.date | None
    until: dt.date | None
    known: Any
    observations: Any
    allow_extra: Any

    @classmethod
    def of(cls, data: Mapping[str, Any], doc: YamlDoc, setup: Setup, problems: list[Problem]) -> _Defaults:
        start = _date(*_span_key(data, "start", "from", ()), doc, problems)
        until = _date(*_span_key(data, "until", "to", ()), doc, problems)
        return cls(year=setup.config.year, start=start, until=until, known=data.get("known", DEFAULT_KNOWN),
                   observations=data.get("observations"), allow_extra=data.get("allow_extra", False))


def _span_key(data: Mapping[str, Any], name: str, alias: str, loc: Key) -> tuple[Any, Key]:
    """`from`/`to` are the same as `start`/`until` (a scenario over several years reads better so)."""
    key = alias if alias in data and name not in data else name
    return data.get(key), (*loc, key)


def _date(value: Any, loc: Key, doc: YamlDoc, problems: list[Problem]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(doc.problem(loc, _("'{value}' is not a date").format(
            value=value), hint=_("write dates as YYYY-MM-DD, e.g. "
                                                                            "2021-03-01")))
        return None


# --------------------------------------------------------------------------------- scenarios


_PARAM = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_WHOLE = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")


def _substitute(value: Any, params: Mapping[str, Any], loc: Key, used: set[str],
                unknown: list[tuple[Key, str]]) -> Any:
    """Put case parameters into the scenario: `$x` alone keeps the value's type, inside text it is
    written out; `$$` is a dollar sign."""
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole:
            name = whole.group(1) or whole.group(2)
            if name in params:
                used.add(name)
                return params[name]

        def put(m: re.Match[str]) -> str:
            if m.group(1):
                return "$"
            name = m.group(2) or m.group(3)
            if name in params:
                used.add(name)
                return fmt(params[name])
            unknown.append((loc, name))
            return m.group(0)

        return _PARAM.sub(put, value)
    if isinstance(value, dict):
        return {_substitute(k, params, loc, used, unknown): _substitute(v, params, (*loc, k), used, unknown)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, params, (*loc, i), used, unknown) for i, v in enumerate(value)]
    return value


def _scenario(raw: Any, i: int, doc: YamlDoc, setup: Setup, defaults: _Defaults,
              problems: list[Problem]) -> list[Case]:
    loc: Key = ("scenarios", i)
    if not isinstance(raw, dict):
        problems.append(doc.problem(loc, _("a scenario is a mapping starting with '- name: …'")))
        return []
    _check_keys(raw, SCENARIO_KEYS, loc, doc, problems, _("in a scenario"),
                {"expected": _("did you mean 'expect'?"), "expectations": _("write 'expect:'"),
                 "events": _("write 'expect:' for events that must happen")})
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(doc.problem(loc if name is None else (*loc, "name"), _("the scenario has no name"),
                                    hint=_("start it with '- name: <what the scenario shows>'")))
        name = _("scenario {n}").format(n=i + 1)
    if "expect" not in raw and "never" not in raw and "cases" not in raw:
        problems.append(doc.problem(loc, _("the scenario '{name}' expects nothing").format(name=name),
                                    hint=_("add 'expect:' (events that must happen) or 'never:' (events that "
                                           "must not); with neither, write 'expect: []' to say nothing may "
                                           "happen")))
    line, column = doc.where(loc)
    rows = raw.get("cases")
    if rows is None:
        return [c for c in [_case(raw, {}, "", loc, loc, doc, setup, defaults, problems, name, line, column)]
                if c is not None]
    if not isinstance(rows, list) or not rows:
        problems.append(doc.problem((*loc, "cases"), _("'cases' is a list of parameter rows"),
                                    hint=_("e.g. 'cases: [{value: 39}, {value: 35}]'; use $value in the "
                                           "scenario")))
        return []
    out = []
    body = {k: v for k, v in raw.items() if k != "cases"}
    for j, row in enumerate(rows):
        cloc: Key = (*loc, "cases", j)
        if not isinstance(row, dict) or not row:
            problems.append(doc.problem(cloc, _("a case is a mapping of parameters, e.g. '{value: 39}'")))
            continue
        params = {str(k): v for k, v in row.items() if k not in CASE_KEYS}
        used: set[str] = set()
        unknown: list[tuple[Key, str]] = []
        scenario_body = _substitute(body, params, loc, used, unknown)
        extra = {k: _substitute(row[k], params, (*cloc, k), used, unknown) for k in CASE_KEYS[1:] if k in row}
        for where, pname in dict.fromkeys(unknown):
            problems.append(doc.problem(where, _("unknown parameter '${parameter}'").format(parameter=pname),
                                        hint=did_you_mean(pname, params) or (
                                            _("parameters of this case: ") + ", ".join(params) if params
                                            else _("give it in every row of 'cases:'"))))
        for pname in params:
            if pname not in used:
                problems.append(doc.problem((*cloc, pname), _("the parameter '{parameter}' is not used in the "
                                                              "scenario").format(parameter=pname),
                                            hint=_("write ${parameter} where its value belongs, or remove it").format(
                                                parameter=pname)))
        own_name = scenario_body.get("name") if isinstance(scenario_body.get("name"), str) else name
        label = str(row["name"]) if "name" in row else (
            "" if own_name != name else ", ".join(f"{k}={fmt(v)}" for k, v in params.items()))
        case = _case(scenario_body, extra, label, loc, cloc, doc, setup, defaults, problems, own_name,
                     *doc.where(cloc))
        if case is not None:
            out.append(case)
    return out


def _case(body: Mapping[str, Any], extra: Mapping[str, Any], label: str, loc: Key, cloc: Key, doc: YamlDoc,
          setup: Setup, defaults: _Defaults, problems: list[Problem], name: str, line: int,
          column: int) -> Case | None:
    before = len(problems)
    year = body.get("year", defaults.year)
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append(doc.problem((*loc, "year"), _("'{year}' is not a year").format(
            year=year), hint=_("e.g. 'year: 2021'")))
        return None
    start = _date(*_span_key(body, "start", "from", loc), doc, problems) or defaults.start
    until = _date(*_span_key(body, "until", "to", loc), doc, problems) or defaults.until
    if "year" in body and "start" not in body and "from" not in body:
        start = None
    if "year" in body and "until" not in body and "to" not in body:
        until = None
    start = start or dt.date(year, 1, 1)
    until = until or dt.date(start.year, 12, 31)
    if start.year != year:
        problems.append(doc.problem((*loc, "start"), _("the start {start} is not in the year {year}").format(
            start=start, year=year),
                                    hint=_("the start date is a day of the scenario's year")))
    if until < start:
        problems.append(doc.problem((*loc, "until"), _("'until' ({until}) is before the start ({start})").format(
            until=until, start=start)))
        return None
    span = (start, until)

    known = _known_rule(body.get("known", defaults.known), (*loc, "known"), doc, setup, problems)
    if known is None:
        return None
    observations: list[Observation] = list(setup.config.observations)
    own = body.get("observations")
    if isinstance(defaults.observations, dict):
        # A KPI the scenario lists replaces the file's figures for it (`ledige: {}` means none).
        shared = {k: v for k, v in defaults.observations.items() if not (isinstance(own, dict) and k in own)}
        observations += _observations(shared, ("observations",), doc, setup, known, problems)
    elif defaults.observations is not None:
        observations += _observations(defaults.observations, ("observations",), doc, setup, known, problems)
    if "observations" in body:
        observations += _observations(body["observations"], (*loc, "observations"), doc, setup, known, problems)
    responses = _responses(body.get("responses"), (*loc, "responses"), doc, setup, span, problems)
    responses += _deliveries(body.get("deliveries"), (*loc, "deliveries"), doc, setup, span, problems)
    responses.sort(key=lambda r: (r.date, r.time))

    expectations = _expectations(body.get("expect"), (*loc, "expect"), False, doc, setup, span, problems)
    expectations += _expectations(body.get("never"), (*loc, "never"), True, doc, setup, span, problems)
    expectations += _expectations(extra.get("expect"), (*cloc, "expect"), False, doc, setup, span, problems)
    expectations += _expectations(extra.get("never"), (*cloc, "never"), True, doc, setup, span, problems)
    allow = extra.get("allow_extra", body.get("allow_extra", defaults.allow_extra))
    allow_loc = (*cloc, "allow_extra") if "allow_extra" in extra else (*loc, "allow_extra")
    allow_extra = _allow_extra(allow, allow_loc, doc, setup, problems)
    if len(problems) > before:
        return None
    return Case(file=doc.path, scenario=name, label=label, line=line, column=column,
                description=str(body.get("description", "")), year=year, start=start, until=until,
                observations=observations, responses=responses, expectations=expectations,
                allow_extra=allow_extra)


# ------------------------------------------------------------------------------ observations


KnownRule = Callable[[Period], dt.date]
_KNOWN = re.compile(r"^\s*(?:(?P<dur>.+?)\s+after\s+)?(?:the\s+)?period\s+end\s*$", re.IGNORECASE)


def _known_rule(value: Any, loc: Key, doc: YamlDoc, setup: Setup, problems: list[Problem]) -> KnownRule | None:
    """When a figure becomes known: 'day after period end' (the default), 'period end', or
    '<duration> after period end' such as '10 working days after period end'."""
    text = str(value).strip()
    cal = setup.config.wheel.calendar
    if text.lower() in ("day after period end", "the day after period end", "next day"):
        return lambda p: p.end + dt.timedelta(days=1)
    m = _KNOWN.match(text)
    if m and not m.group("dur"):
        return lambda p: p.end
    if m:
        try:
            duration = Duration.parse(m.group("dur"))
        except ValueError as err:
            problems.append(doc.problem(loc, str(err)))
            return None
        return lambda p: duration.after(p.end, cal)
    problems.append(doc.problem(loc, _("'{text}' is not a rule for when figures become known").format(text=text),
                                hint=_("write 'day after period end', 'period end' or e.g. '10 working days "
                                       "after period end'")))
    return None


def _observations(data: Any, loc: Key, doc: YamlDoc, setup: Setup, known: KnownRule,
                  problems: list[Problem]) -> list[Observation]:
    """`{kpi: {2021-03: 39.1}}`; `kpi@national` for another series; `known:` inside a KPI's table
    overrides the known-date rule; a value may be `{value: 39.1, known: 2021-04-20}`."""
    if not isinstance(data, dict):
        problems.append(doc.problem(loc, _("'observations' is a table of figures per KPI"),
                                    hint=_("e.g. 'observations: {jobandel: {2021-01: 41, 2021-02: 39.1}}'")))
        return []
    kpis = setup.config.kpis
    out: list[Observation] = []
    for key, table in data.items():
        kloc: Key = (*loc, key)
        kpi, _sep, series = str(key).partition("@")
        if kpi not in kpis:
            problems.append(doc.problem(kloc, _("no KPI has the id '{kpi}'").format(kpi=kpi),
                                        hint=did_you_mean(kpi, kpis) or _("declare it under 'kpis:'")))
            continue
        if not isinstance(table, dict):
            problems.append(doc.problem(kloc, _("the figures of '{key}' are a table of period: value").format(key=key),
                                        hint=_("e.g. '{key}: {{2021-01: 41, 2021-02: 39.1}}'").format(key=key)))
            continue
        rule = known
        if "known" in table:
            own = _known_rule(table["known"], (*kloc, "known"), doc, setup, problems)
            rule = own or known
        for period_key, raw in table.items():
            if period_key == "known":
                continue
            ploc: Key = (*kloc, period_key)
            text = period_key.isoformat() if isinstance(period_key, dt.date) else str(period_key)
            try:
                period = Period.parse(text)
            except ValueError as err:
                problems.append(doc.problem(ploc, str(err)))
                continue
            value, known_at = _value(raw, ploc, doc, problems)
            if value is None:
                continue
            day = known_at or rule(period)
            if day < period.start:
                problems.append(doc.problem(ploc, _("the figure for {text} cannot be known on {day}, before "
                                                    "the period begins").format(text=period.text, day=day)))
                continue
            out.append(Observation(kpi=kpi, period=period.text, value=value, series=series or "local",
                                   source="scenario", known_at=day))
    return out


def _value(raw: Any, loc: Key, doc: YamlDoc, problems: list[Problem]) -> tuple[float | None, dt.date | None]:
    known_at: dt.date | None = None
    if isinstance(raw, dict):
        extra = [k for k in raw if k not in ("value", "known")]
        if extra or "value" not in raw:
            problems.append(doc.problem((*loc, extra[0]) if extra else loc,
                                        _("unknown key '{extra}' in a figure").format(
                                            extra=extra[0]) if extra else _("the figure has no value"),
                                        hint=_("write a number, or {value: 39.1, known: 2021-04-20}")))
            return None, None
        if "known" in raw:
            known_at = _date(raw["known"], (*loc, "known"), doc, problems)
            if known_at is None:
                return None, None
        raw = raw["value"]
    if isinstance(raw, bool) or raw is None:
        problems.append(doc.problem(loc, _("'{value}' is not a number").format(value=fmt(raw)),
                                    hint=_("write e.g. 39.1")))
        return None, None
    try:
        # govcore's one number reader; a lone comma is the Danish decimal mark (39,1 and 1,500 are
        # decimals), 1.450,5 groups thousands
        value = float(raw) if isinstance(raw, int | float) else parse_number(str(raw).replace("_", ""), ",")
    except (ValueError, OverflowError):
        problems.append(doc.problem(loc, _("'{value}' is not a number").format(
            value=clip(raw)), hint=_("write e.g. 39.1 or 39,1")))
        return None, None
    if not math.isfinite(value):
        problems.append(doc.problem(loc, _("'{value}' is not a finite number").format(value=clip(raw)),
                                    hint=_("a figure is a real number, e.g. 39.1; leave out a period without a "
                                           "figure")))
        return None, None
    return value, known_at


# --------------------------------------------------------------------------- people's actions


def _in_span(day: dt.date, span: tuple[dt.date, dt.date], loc: Key, doc: YamlDoc, what: str,
             problems: list[Problem]) -> bool:
    if not span[0] <= day <= span[1]:
        problems.append(doc.problem(loc, _("{what} {day} is outside the scenario ({start} to {end})").format(
            what=what, day=day, start=span[0], end=span[1]),
                                    hint=_("move it into the scenario's span, or change 'start'/'until'")))
        return False
    return True


def _responses(data: Any, loc: Key, doc: YamlDoc, setup: Setup, span: tuple[dt.date, dt.date],
               problems: list[Problem]) -> list[Response]:
    """`- {date: 2021-03-05, submit: g-job}`: a submitted, accepted or rejected corrective action
    (by subject, or `{action: act-0001}`), a delivery, or a decision taken
    (`decide: {subject: g-job, option: close}` or `{decision: dec-0001, option: close}`)."""
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(doc.problem(loc, _("'responses' is a list, each item starting with '- date: …'")))
        return []
    out = []
    for k, item in enumerate(data):
        iloc: Key = (*loc, k)
        if not isinstance(item, dict):
            problems.append(doc.problem(iloc, _("a response is a mapping, e.g. '{date: 2021-03-05, submit: "
                                                "g-job}'")))
            continue
        _check_keys(item, RESPONSE_KEYS, iloc, doc, problems, _("in a response"))
        given = [key for key in ("submit", "accept", "reject", "deliver", "decide") if key in item]
        if len(given) != 1:
            problems.append(doc.problem(iloc, _("a response is exactly one of submit, accept, reject, deliver "
                                                "or decide")
                                        + (_(" (found {keys})").format(keys=", ".join(given)) if given else ""),
                                        hint=_("e.g. '{date: 2021-03-05, submit: g-job}'")))
            continue
        what = given[0]
        day = _date(item.get("date"), (*iloc, "date"), doc, problems)
        if day is None:
            if "date" not in item:
                problems.append(doc.problem(iloc, _("the response has no date"), hint=_("add 'date: YYYY-MM-DD'")))
            continue
        value = item[what]
        data_out: dict[str, Any] = {"date": day, "time": str(item.get("time", "12:00"))}
        if what == "deliver":
            if str(value) not in setup.config.deliverables:
                problems.append(doc.problem((*iloc, what), _("no deliverable has the id '{value}'").format(value=value),
                                            hint=did_you_mean(str(value), setup.config.deliverables)))
                continue
            data_out["deliver"] = str(value)
        elif what == "decide":
            if not isinstance(value, dict) or "option" not in value or not ({"subject", "decision"} & set(value)):
                problems.append(doc.problem((*iloc, what), _("say which decision is taken and the option chosen"),
                                            hint=_("e.g. 'decide: {subject: straksaktivering-unge, option: close}'")))
                continue
            data_out["decide"] = {**{str(a): str(b) for a, b in value.items()},
                                  **({"text": str(item["text"])} if "text" in item else {})}
            options = setup.decision_options
            if data_out["decide"]["option"] not in options:
                problems.append(doc.problem((*iloc, what, "option"),
                                            _("no rule demands a decision with the option '{option}'").format(
                                                option=value['option']),
                                            hint=did_you_mean(str(value["option"]), options) or
                                            (_("the options are {options}").format(
                                                options=', '.join(sorted(options))) if options else
                                             _("no rule of the scenario demands a decision"))))
                continue
        else:
            target = {"subject": str(value)} if isinstance(value, str) else value
            if not isinstance(target, dict) or not ({"subject", "action"} & set(target)):
                problems.append(doc.problem((*iloc, what),
                                            _("say which action to {what}: its subject or its id").format(what=what),
                                            hint=_("e.g. '{what}: g-job' or '{what}: {{action: act-0001}}'").format(
                                                what=what)))
                continue
            data_out[what] = {**{str(a): str(b) for a, b in target.items()},
                              **({"text": str(item["text"])} if "text" in item else {})}
        if not _in_span(day, span, (*iloc, "date"), doc, _("the response date"), problems):
            continue
        try:
            out.append(Response.model_validate(data_out))
        except ValidationError as err:
            problems.append(doc.problem(iloc, "; ".join(e["msg"].removeprefix("Value error, ")
                                                        for e in err.errors(include_url=False)),
                                        hint=_("a time is written HH:MM, e.g. '09:30'")))
    return out


def _deliveries(data: Any, loc: Key, doc: YamlDoc, setup: Setup, span: tuple[dt.date, dt.date],
                problems: list[Problem]) -> list[Response]:
    """`deliveries: {beskaeftigelsesplan: 2021-09-28}`: the day each deliverable arrives."""
    if data is None:
        return []
    if not isinstance(data, dict):
        problems.append(doc.problem(loc, _("'deliveries' is a table of deliverable: date"),
                                    hint=_("e.g. 'deliveries: {beskaeftigelsesplan: 2021-09-28}'")))
        return []
    out = []
    for ident, when in data.items():
        iloc: Key = (*loc, ident)
        if ident not in setup.config.deliverables:
            problems.append(doc.problem(iloc, _("no deliverable has the id '{ident}'").format(ident=ident),
                                        hint=did_you_mean(str(ident), setup.config.deliverables)
                                        or _("declare it under 'deliverables:'")))
            continue
        day = _date(when, iloc, doc, problems)
        if day is not None and _in_span(day, span, iloc, doc, _("the delivery date"), problems):
            out.append(Response(date=day, deliver=str(ident)))
    return out


# ------------------------------------------------------------------------------ expectations


def known_kinds(setup: Setup) -> list[str]:
    return sorted({*KINDS, *ALIASES, *setup.event_types})


def _expectations(data: Any, loc: Key, never: bool, doc: YamlDoc, setup: Setup, span: tuple[dt.date, dt.date],
                  problems: list[Problem]) -> list[Expectation]:
    if data is None:
        return []
    word = "never" if never else "expect"
    if not isinstance(data, list):
        problems.append(doc.problem(loc, _("'{word}' is a list of events, each starting with '- '").format(word=word),
                                    hint=_("e.g. '- on: 2021-03-01' and below it '  deviation: {subject: "
                                           "g-job}'")))
        return []
    kinds = known_kinds(setup)
    out = []
    for k, item in enumerate(data):
        iloc: Key = (*loc, k)
        line, column = doc.where(iloc)
        if not isinstance(item, dict):
            problems.append(doc.problem(iloc, _("an item of '{word}' is a mapping naming an event").format(word=word),
                                        hint=_("e.g. '- deviation: {subject: g-job}'")))
            continue
        extra_keys = ("times",) if not never else ()
        named = [key for key in item if key not in (*DATE_KEYS, *extra_keys)]
        for key in named:
            if key not in kinds:
                hint = did_you_mean(str(key), [*kinds, *DATE_KEYS, *extra_keys])
                if key in ("at", "date", "when", "before"):
                    hint = _("write 'on: YYYY-MM-DD' for that day, or 'by: YYYY-MM-DD' for on or before it")
                elif key == "times" and never:
                    hint = _("'never' means zero times; move the item to 'expect' to count events")
                problems.append(doc.problem((*iloc, key), _("unknown key '{key}' in an expected event").format(
                    key=key), hint=hint))
        named = [key for key in named if key in kinds]
        if len(named) != 1:
            if len(named) > 1:
                problems.append(doc.problem(iloc, _("one item names one event, not {n} ({events})").format(
                    n=len(named), events=', '.join(named)),
                                            hint=_("write each event as its own item starting with '- '")))
            elif not any(key not in (*DATE_KEYS, *extra_keys) for key in item):
                problems.append(doc.problem(iloc, _("the item names no event"),
                                            hint=_("add the event, e.g. 'deviation: {subject: g-job}'; events: ")
                                            + ", ".join(k for k, v in KINDS.items() if v.decision)))
            continue
        canonical = ALIASES.get(named[0], named[0])
        kind = KINDS[canonical] if canonical in KINDS else kind_of(named[0])
        fields = _fields(item[named[0]], kind, (*iloc, named[0]), doc, setup, problems)
        window = _window(item, iloc, doc, span, problems)
        times = item.get("times")
        if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
            problems.append(doc.problem((*iloc, "times"), _("'{times}' is not a number of times").format(times=times),
                                        hint=_("a whole number from 1; to forbid an event, put it under "
                                               "'never:'")))
            continue
        if fields is None or window is None:
            continue
        out.append(Expectation(kind=kind, fields=fields, window=window, times=times, never=never,
                               file=doc.path, line=line, column=column))
    return out


def _fields(value: Any, kind: Kind, loc: Key, doc: YamlDoc, setup: Setup,
            problems: list[Problem]) -> dict[str, Any] | None:
    if value is None:
        return {}
    if isinstance(value, str | int | float | dt.date):
        return {"subject": value}
    if not isinstance(value, dict):
        problems.append(doc.problem(loc, _("the details of '{name}' are a mapping of field: value").format(
            name=kind.name),
                                    hint=_("e.g. '{kind}: {{subject: g-job}}'").format(kind=kind.name)))
        return None
    allowed = (*COMMON_FIELDS, *kind.fields)
    plugin_kind = kind.name not in KINDS
    out: dict[str, Any] = {}
    for key, v in value.items():
        if not plugin_kind and key not in allowed:
            problems.append(doc.problem((*loc, key),
                                        _("{kind} has no field '{field}'").format(kind=article(kind.label), field=key),
                                        hint=did_you_mean(str(key), allowed) or "fields: " + ", ".join(allowed)))
            continue
        if isinstance(v, list | dict):
            problems.append(doc.problem((*loc, key), _("'{key}' is compared with one value, not {type}").format(
                key=key, type=type(v).__name__),
                                        hint=_("write one value; text may use * as a wildcard, e.g. '*i "
                                               "risiko*'")))
            continue
        if key == "rule" and isinstance(v, str) and "*" not in v and v not in {r.id for r in setup.rules.rules}:
            problems.append(doc.problem((*loc, key), _("no rule under test has the id '{v}'").format(v=v),
                                        hint=did_you_mean(v, [r.id for r in setup.rules.rules])))
            continue
        out[str(key)] = v
    return out


def _window(item: Mapping[str, Any], loc: Key, doc: YamlDoc, span: tuple[dt.date, dt.date],
            problems: list[Problem]) -> Window | None:
    before = len(problems)
    days = {k: _date(item.get(k), (*loc, k), doc, problems) for k in DATE_KEYS if k in item}
    if len(problems) > before:
        return None
    for k, day in days.items():
        if day is not None and not _in_span(day, span, (*loc, k), doc, f"'{k}'", problems):
            return None
    if "on" in days and len(days) > 1:
        problems.append(doc.problem((*loc, "on"), _("'on' is one day; it does not go with 'by' or 'from'"),
                                    hint=_("use 'from' and 'by' together for a span of days")))
        return None
    if "on" in days:
        return Window(days["on"], days["on"], exact=True)
    start, end = days.get("from"), days.get("by")
    if start and end and end < start:
        problems.append(doc.problem((*loc, "by"), _("'by' ({end}) is before 'from' ({start})").format(
            end=end, start=start)))
        return None
    return Window(start, end)


def _allow_extra(value: Any, loc: Key, doc: YamlDoc, setup: Setup, problems: list[Problem]) -> bool | frozenset[str]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        kinds = known_kinds(setup)
        bad = [v for v in value if v not in kinds]
        for v in bad:
            problems.append(doc.problem(loc, _("'{value}' is not a kind of event").format(
                value=v), hint=did_you_mean(v, kinds)))
        return frozenset(_event_type(str(v)) for v in value if v not in bad)
    problems.append(doc.problem(loc, _("'allow_extra' is true, false or a list of event kinds, not '{value}'").format(
        value=value),
                                hint=_("e.g. 'allow_extra: true' or 'allow_extra: [notification]'")))
    return False


def _event_type(kind: str) -> str:
    name = ALIASES.get(kind, kind)
    return KINDS[name].event_type if name in KINDS else kind
