"""A municipality's whole configuration (styringskoncept), loaded from a directory.

`municipality.yaml` names the organisation, KPIs, goals, wheel, rule files, data files and KPI
sources. Everything is checked before anything runs; all problems are reported together, with
file, line and field. Nothing is half-loaded: a configuration is either whole or an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govcore.danish_words import to_english
from govcore.errors import ConfigError, GovcoreError, InputError, Problem, did_you_mean, titled
from govcore.extension import (
    SOURCE_INPUTS,
    ActionSpec,
    DateSpan,
    KpiSource,
    SharedSourceContext,
    SourceContext,
    SubjectContext,
    SubjectKind,
)
from govcore.i18n import N_, _
from govcore.model import (
    ID_PATTERN,
    KPI,
    Deliverable,
    Goal,
    Municipality,
    NationalGoal,
    Observation,
    ObservationRow,
    Observations,
    Organisation,
    Role,
    WheelEvent,
    check_period,
    municipality,
)
from govcore.observations import ObservationStore, ObservationView
from govcore.observations import prepare as prepare_observations
from govcore.plugins import Plugins, load_plugins
from govcore.rules.loader import RuleSet, expand_paths, load_rules
from govcore.rules.vocabulary import Vocabulary
from govcore.sourcefile import (
    CsvRow,
    Key,
    YamlDoc,
    clip,
    field_path,
    load_yaml,
    pydantic_message,
    read_csv_cells,
    resolve_inside,
    validate,
)
from govcore.text import number_and_mark
from govcore.wheel import Wheel

CONFIG_FILE = "municipality.yaml"
MIN_YEAR, MAX_YEAR = 2000, 2100  # the years a configuration may be run for


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _danish_words(cls, data: Any) -> Any:
        return to_english(cls, data)


class VersionEntry(_Strict):
    """A dated change of the configuration: from `from` on, these files replace the ones before.

    Only what decides governance can change (goals, KPIs, organisation, wheel, rules, national
    goals); data (observations, sources, responses) belongs to the whole run. Each entry builds on
    the one before it.
    """

    effective: dt.date = Field(alias="from")
    description: str = ""
    organisation: str | None = None
    kpis: str | None = None
    goals: str | list[str] | None = None
    wheel: str | None = None
    rules: list[str] | None = None
    national_goals: Literal["plugin", "none"] | None = None

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude={"effective", "description"}).items() if v is not None}


class NotificationSettings(_Strict):
    """How a live run tells people (`notifications:` in municipality.yaml).

    `reminders`: remind the owner of a corrective action this many working days before it is due
    (the municipality's calendar; Stratsys sends 28 and 7). `digest`: one message a day per
    person instead of one per notification. Delivery settings only: they decide
    which notifications a live run writes, never what the engine decides.
    """

    reminders: list[int] = Field(default_factory=lambda: [7], max_length=10)
    # A daily digest: instead of a message per notification, each person gets one message a day
    # (at `digest_time`, local) listing that day's notifications; reminders are dated to it too.
    digest: bool = False
    digest_time: str = "07:00"

    @field_validator("digest_time")
    @classmethod
    def _time(cls, v: str) -> str:
        try:
            parsed = dt.time.fromisoformat(v)
        except ValueError:
            raise ValueError(_("'{value}' is not a time of day; write it as 07:00").format(value=v)) from None
        return parsed.strftime("%H:%M")

    @field_validator("reminders")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        for n in v:
            if not 1 <= n <= 250:
                raise ValueError(_("a reminder is 1 to 250 working days before the due date, not {n}").format(n=n))
        if len(set(v)) != len(v):
            raise ValueError(_("each reminder day may be given once"))
        return sorted(v, reverse=True)


class ConfigFile(_Strict):
    """The fields of municipality.yaml."""

    municipality: str | int
    year: int = Field(default=2021, ge=MIN_YEAR, le=MAX_YEAR)
    organisation: str = "organisation.yaml"
    kpis: str = "kpis.yaml"
    goals: str | list[str] = "goals.yaml"
    deliverables: str | None = None
    wheel: str = "wheel.yaml"
    rules: list[str] = Field(default_factory=list)
    observations: list[str] = Field(default_factory=list)
    responses: str | None = None
    sources: dict[str, dict[str, Any]] = Field(default_factory=dict)
    national_goals: Literal["plugin", "none"] = "plugin"
    description: str = ""
    allow_paths: list[str] = Field(default_factory=list)
    versions: list[VersionEntry] = Field(default_factory=list)
    notifications: NotificationSettings | None = None

    @model_validator(mode="after")
    def _in_order(self) -> ConfigFile:
        dates = [v.effective for v in self.versions]
        if dates != sorted(set(dates)):
            raise ValueError(_("versions must be in date order, one per date"))
        return self


class OrganisationFile(_Strict):
    roles: list[Role]
    tops: list[str] | None = None


class KpiFile(_Strict):
    kpis: list[KPI]


class GoalFile(_Strict):
    goals: list[Goal]
    deliverables: list[Deliverable] = Field(default_factory=list)


DECISION_ID = re.compile(r"dec-\d{4,}")
DECIDE_KEYS = ("decision", "subject", "option", "text", "by")


class Response(_Strict):
    """A human input: a submitted, accepted or rejected corrective action, a delivery, or the answer
    to a demanded decision (`decide: {decision: dec-0001, option: close, text: …, by: …}`)."""

    date: dt.date
    time: str = "12:00"
    submit: dict[str, str] | None = None
    accept: dict[str, str] | None = None
    reject: dict[str, str] | None = None
    deliver: str | None = None
    decide: dict[str, str] | None = None

    @field_validator("time")
    @classmethod
    def _time(cls, v: str) -> str:
        dt.time.fromisoformat(v)
        return v

    def kind(self) -> str:
        given = [k for k in RESPONSE_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(_("a response is exactly one of submit, accept, reject, deliver or decide"))
        return given[0]

    def decide_problems(self) -> list[tuple[str, str, str]]:
        """What is wrong with a `decide` answer on its own: (field, message, hint) for each."""
        d = self.decide or {}
        out = [(k, _("'{key}' is not a field of a decision's answer").format(key=k),
                _("the fields are {fields}").format(fields=", ".join(DECIDE_KEYS)))
               for k in d if k not in DECIDE_KEYS]
        ident = d.get("decision")
        if not ident and not d.get("subject"):
            out.append(("decision", _("say which decision is answered"),
                        _("e.g. 'decision: dec-0001' (the id in the decision_requested event), or 'subject: …' "
                          "for the subject's open decision")))
        elif ident and not DECISION_ID.fullmatch(ident):
            out.append(("decision", _("'{value}' is not a decision id").format(value=ident),
                        _("decision ids read dec-0001, dec-0002, …")))
        if not d.get("option"):
            out.append(("option", _("say which option is chosen"), _("e.g. 'option: close'")))
        return out


RESPONSE_KINDS = ("submit", "accept", "reject", "deliver", "decide")


class ResponseFile(_Strict):
    responses: list[Response]


@dataclass
class Configuration:
    """Everything the engine needs for one municipality, validated."""

    base_dir: Path
    municipality: Municipality
    year: int
    organisation: Organisation
    kpis: dict[str, KPI]
    goals: list[Goal]
    deliverables: dict[str, Deliverable]
    wheel: Wheel
    rules: RuleSet
    observations: Sequence[Observation]  # `Observations` when loaded: held as compact rows
    responses: list[Response]
    sources: dict[str, dict[str, Any]]
    national_goals: list[NationalGoal]
    subject_kinds: dict[str, SubjectKind]
    actions: dict[str, ActionSpec]
    plugins: Plugins
    files: dict[str, str] = field(default_factory=dict)
    # From when this version applies (None: from the start of any run) and what it says about itself.
    effective: dt.date | None = None
    description: str = ""
    # Every version of the configuration in date order, this one included (the first has no date).
    versions: list[Configuration] = field(default_factory=list)
    # Every national goal this configuration's goals were checked against, by id (any year).
    national_index: dict[str, NationalGoal] = field(default_factory=dict)
    national_source: Literal["plugin", "none"] = "plugin"
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    _national_by_year: dict[int, list[NationalGoal]] = field(default_factory=dict, repr=False)
    # `fingerprint` remembered with what it was made of (not copied by `dataclasses.replace`)
    _fingerprint: tuple[tuple[Any, ...], str] | None = field(default=None, init=False, repr=False, compare=False)

    def wheel_events(self, year: int | None = None) -> list[WheelEvent]:
        y = year or self.year
        extra = [ev for _, ev in self.plugins.wheel_events(y)]
        return self.wheel.events(y, extra=extra)

    def version(self) -> str:
        """A hash of every file the configuration was built from (for the audit log).

        municipality.yaml counts as its settings and the dated versions up to this one, so adding
        a later version leaves the hash of the versions before it unchanged.
        """
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(f"{name}:{self.files[name]}\n".encode())
        return h.hexdigest()[:16]

    def fingerprint(self) -> str:
        """What this version decides, hashed: its files and the goals, KPIs, organisation, rules and
        wheel they parse to. A stored run compares it to refuse a change that would rewrite its past.

        Remembered: every engine run asks it at each version change, and dumping and hashing every
        parsed model again was about 2 % of a long multi-year run. The memo holds the (frozen) models it was made
        of and is used only while each of them is still the same (the same object, or equal), so a
        field set anew, a list changed in place or a `dataclasses.replace` (which does not copy the
        memo) gives a fresh hash."""
        made_of = (self.effective, tuple(self.files.items()), self.rules.version(), *self.goals,
                   None, *self.kpis.items(), None, self.organisation, *self.deliverables.items(), None, self.wheel)
        memo = self._fingerprint
        if memo is not None and len(memo[0]) == len(made_of) and all(
                a is b or a == b for a, b in zip(memo[0], made_of, strict=True)):
            return memo[1]
        fingerprint = self._fresh_fingerprint()
        self._fingerprint = (made_of, fingerprint)
        return fingerprint

    def _fresh_fingerprint(self) -> str:
        parts = {
            "effective": self.effective.isoformat() if self.effective else None, "files": self.version(),
            "rules": self.rules.version(), "goals": [g.model_dump(mode="json") for g in self.goals],
            "kpis": {k: v.model_dump(mode="json") for k, v in sorted(self.kpis.items())},
            "organisation": self.organisation.model_dump(mode="json"),
            "deliverables": {k: v.model_dump(mode="json") for k, v in sorted(self.deliverables.items())},
            "wheel": self.wheel.model_dump(mode="json"),
        }
        text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def version_at(self, day: dt.date) -> Configuration:
        """The version in effect on `day` (this one when no dated version has started yet)."""
        found = self
        for v in self.versions[1:]:
            if v.effective is not None and v.effective <= day:
                found = v
        return found

    def for_year(self, year: int) -> Configuration:
        """The version in effect at the end of `year`, as that year's configuration (its `year` and
        ministermål are `year`'s): what `govcore goals` and `govcore wheel` show for a year."""
        v = self.version_at(dt.date(year, 12, 31))
        if v.year == year:
            return v
        return replace(v, year=year, national_goals=self.national_goals_for(year))

    def national_goals_for(self, year: int) -> list[NationalGoal]:
        """The ministermål of `year` from the plugins (empty when none is known or wanted)."""
        if year == self.year:
            return self.national_goals
        if year not in self._national_by_year:
            answer = self.plugins.national_goals(year) if self.national_source == "plugin" else None
            self._national_by_year[year] = answer[1] if answer else []
        return self._national_by_year[year]

    def goal_active(self, goal: Goal, day: dt.date) -> bool:
        """A goal counts on `day` when it is valid then and, if it answers a ministermål, that
        ministermål belongs to `day`'s year: a local goal answering the 2021 set ends with 2021,
        when the 2022 set takes over (docs/configuration.md, 'A run over several years')."""
        if not goal.in_effect(day):
            return False
        national = self.national_index.get(goal.national_goal or "")
        return national is None or national.year == day.year

    def goal(self, goal_id: str) -> Goal:
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


T = TypeVar("T")


@dataclass
class Located(Generic[T]):
    """Items read from one place of a document; cross-checks point at the item that is wrong.

    `doc` is None for items taken over from an already checked configuration (a scenario that
    reuses `config:`); their problems are then reported at the builder's fallback place.
    """

    items: list[T]
    doc: YamlDoc | None = None
    loc: Key = ()


@dataclass
class Parts:
    """What a Configuration is built from, wherever it was read: a configuration folder
    (`load_config`) or a scenario file (`govcore rules test`). `build_configuration` is the one
    place that cross-checks and assembles them, so both give the same messages."""

    doc: YamlDoc  # municipality.yaml or the scenario file: sources, rules and settings are located here
    base_dir: Path  # paths in `doc` are relative to it
    municipality: Municipality
    year: int
    roles: Located[Role]
    kpis: Located[KPI]
    goals: list[Located[Goal]]  # one per goal file
    deliverables: list[Located[Deliverable]]
    wheel: Wheel
    rules: Located[str]
    fallback: Key = ()  # where problems of items without a document are reported in `doc`
    tops: list[str] | None = None
    extra_rules: Sequence[str | Path] = ()
    rule_paths: list[Path] | None = None  # already resolved (a scenario reusing a configuration's rules)
    sources: dict[str, Any] = field(default_factory=dict)
    sources_dir: Path | None = None  # where the sources' files are; None: `base_dir`
    load_sources: bool = True  # False: `sources` were loaded already (their KPIs are in `kpis`)
    source_observations: bool = True  # False: the sources' KPIs are declared but their data is not used
    observations: Sequence[Observation] = field(default_factory=list)
    # per KPI, the file and line of its first observation read from a file (where an unknown KPI is reported)
    observation_rows: dict[str, tuple[str, int]] = field(default_factory=dict)
    responses: Located[Response] = field(default_factory=lambda: Located([]))
    national_goals: Literal["plugin", "none"] | list[NationalGoal] = "plugin"
    allow_paths: list[Path] = field(default_factory=list)
    confine_rules: bool = True  # a scenario names the rules it tests wherever they are (`rules: [../x.yaml]`)
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    effective: dt.date | None = None  # a dated version of the configuration: from when it applies
    description: str = ""
    # Each goal id of every version, with when it is in force (SubjectContext.goals); None: this
    # version's goals, in force whenever they are valid.
    goal_spans: dict[str, tuple[DateSpan, ...]] | None = None
    notifications: NotificationSettings | None = None
    # The calls of sources that declare what they depend on, shared by every version of one load
    # (`load_config`); None: this build's own.
    source_calls: dict[Hashable, _SourceCall] | None = None
    # The rule sets checked for the versions of one load (`load_rules`'s `kept`); None: this build's own.
    rule_sets: dict[Hashable, RuleSet] | None = None

    def problem(self, part: Located[Any], sub: Key, message: str, hint: str = "") -> Problem:
        if part.doc is None:
            return self.doc.problem(self.fallback, message, hint=hint)
        return part.doc.problem((*part.loc, *sub), message, hint=hint)


def build_configuration(parts: Parts, plugins: Plugins) -> Configuration:
    """Cross-check the parts and build the Configuration; ConfigError lists every problem.

    Everything a run can fail on is checked here, before anything runs: every reference between
    files, plugin settings (through the plugins' checks), rule files against the vocabulary.
    """
    problems = parts.problems
    organisation = _organisation(parts, problems)
    kpis = _unique_ids(parts, [parts.kpis], N_("the KPI id '{id}' is used twice"), problems)
    deliverables = _unique_ids(parts, parts.deliverables, N_("the deliverable id '{id}' is used twice"),
                              problems)
    goals = [g for part in parts.goals for g in part.items]
    observations = Observations(parts.observations)
    sources_dir = parts.sources_dir or parts.base_dir
    national = _national_goals(parts, plugins, problems)
    if parts.load_sources:
        found = _load_sources(parts, sources_dir, plugins, kpis, national, problems)
        if parts.source_observations:
            observations.extend(found)
    _check_goals(parts, kpis, organisation, national, problems)
    if organisation is not None:
        _check_deliverable_owners(parts, organisation, problems)
        problems.extend(parts.wheel.check_roles(r.id for r in organisation.roles))
        _check_plugin_settings(parts, plugins, organisation, kpis, sources_dir, problems)
    problems.extend(parts.wheel.check_deliverables(deliverables))
    _check_observations(observations, parts.observation_rows, kpis, problems)
    _check_national_goals(parts, national, goals, problems)
    _check_responses(parts, deliverables, problems)
    rule_paths = parts.rule_paths if parts.rule_paths is not None else _rule_paths(parts, plugins, problems)
    if problems or organisation is None:
        raise ConfigError(problems or [parts.doc.problem((), _("configuration incomplete"))])

    vocab = vocabulary(plugins, parts.wheel, kpis, organisation, deliverables, parts.year)
    try:
        rules = load_rules(rule_paths, vocab, parts.rule_sets)
    except InputError as err:
        raise ConfigError(err.problems) from None
    actions = plugins.actions()
    _check_decision_options(parts, rules, {n: a for n, (_, a) in actions.items()}, problems)
    if problems:
        raise ConfigError(problems)
    files = dict(parts.files)
    base = parts.base_dir.resolve()
    for rp in rule_paths:  # keyed apart from the configuration's own files (rules/goals.yaml vs goals.yaml)
        where = rp.resolve().relative_to(base) if rp.resolve().is_relative_to(base) else Path(rp.parent.name, rp.name)
        files[f"rules:{where.as_posix()}"] = rules.files.get(str(rp), "") or _hash(rp)
    kinds = plugins.subject_kinds()
    return Configuration(
        base_dir=parts.base_dir, municipality=parts.municipality, year=parts.year, organisation=organisation,
        kpis=kpis, goals=goals, deliverables=deliverables, wheel=parts.wheel, rules=rules,
        observations=observations, responses=list(parts.responses.items), sources=dict(parts.sources),
        national_goals=national, subject_kinds={n: k for n, (_, k) in kinds.items()},
        actions={n: a for n, (_, a) in actions.items()}, plugins=plugins, files=files,
        effective=parts.effective, description=parts.description, national_index={n.id: n for n in national},
        national_source=parts.national_goals if isinstance(parts.national_goals, str) else "plugin",
        notifications=parts.notifications or NotificationSettings(),
    )


def _criteria_at(target: Any, at: Key) -> Iterator[tuple[Key, Any]]:
    """Each single criterion of a target with its place in the goal (for located errors)."""
    kind = getattr(target, "kind", "")
    if kind in ("all_of", "any_of"):
        for k, c in enumerate(target.criteria):
            yield from _criteria_at(c, (*at, "criteria", k))
    elif kind == "until":
        yield from _criteria_at(target.improve, (*at, "improve"))
        yield from _criteria_at(target.reached, (*at, "reached"))
    else:
        yield at, target


def _each(located: list[Located[T]]) -> Iterator[tuple[Located[T], int, T]]:
    """Every item of several located lists (e.g. goal files) with its list and index there."""
    for part in located:
        for i, item in enumerate(part.items):
            yield part, i, item


def _unique_ids(parts: Parts, located: list[Located[Any]], what: str, problems: list[Problem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part, i, item in _each(located):
        if item.id in out:
            problems.append(parts.problem(part, (i, "id"), _(what).format(id=item.id),
                                          _("give each one its own id")))
            continue
        out[item.id] = item
    return out


def _no_role(ident: str) -> str:
    return _("no role has the id '{id}'").format(id=ident)


def _organisation(parts: Parts, problems: list[Problem]) -> Organisation | None:
    """The organisation, with each fault located at the role: duplicate ids, unknown superiors,
    circles of superiors, and more than one top unless `tops` declares them."""
    part = parts.roles
    before = len(problems)
    roles = _unique_ids(parts, [part], N_("the role id '{id}' is used twice"), problems)
    index = {r.id: i for i, r in enumerate(part.items)}
    for i, r in enumerate(part.items):
        if r.superior is not None and r.superior not in roles:
            problems.append(parts.problem(part, (i, "superior"), _no_role(r.superior),
                                          did_you_mean(r.superior, roles)))
    if len(problems) == before:
        reported: set[str] = set()
        for r in roles.values():
            seen = [r.id]
            cur = r
            while cur.superior is not None:
                if cur.superior in seen:
                    circle = seen[seen.index(cur.superior):]
                    if not reported & set(circle):
                        reported.update(circle)
                        problems.append(parts.problem(part, (index[cur.id], "superior"),
                                                      _("the line of superiors goes round in a circle: {line}")
                                                      .format(line=" → ".join([*circle, cur.superior])),
                                                      _("one role on the line must have another superior")))
                    break
                seen.append(cur.superior)
                cur = roles[cur.superior]
    tops = [r.id for r in roles.values() if r.superior is None]
    if not tops and len(problems) == before:
        problems.append(parts.problem(part, (), _("no role is at the top: one role (the political committee) "
                                                  "must have no superior"),
                                      _("leave out 'superior' for the committee")))
    declared = parts.tops or []
    for name in declared:
        if name not in roles:
            problems.append(parts.doc.problem(("tops",), _no_role(name),
                                              hint=did_you_mean(name, roles)))
    if len(tops) > 1 and sorted(tops) != sorted(declared):
        undeclared = [t for t in tops if t not in declared][1:] if not declared else \
            [t for t in tops if t not in declared]
        for t in undeclared:
            problems.append(parts.problem(part, (index[t],),
                                          _("the role {role} has no superior, like {other}: the organisation has "
                                            "more than one top").format(role=titled(roles[t].title, t),
                                                                         other=titled(roles[tops[0]].title, tops[0])),
                                          _("give it a superior, or declare every top with 'tops: [...]' in "
                                            "organisation.yaml")))
    if len(problems) > before:
        return None
    try:
        return Organisation(roles=part.items)
    except ValueError as err:  # the model's own checks; everything it checks is located above
        problems.append(parts.problem(part, (), str(err).splitlines()[-1].replace("Value error, ", "").strip()))
        return None


def _measurement_hint(g: Goal, national: Sequence[NationalGoal]) -> str:
    """Why a goal's KPI that names a ministermål measurement (`…:mm17`) does not exist: the goal's
    ministermål has none (STAR leaves the indicator to the municipality), or no ministermål of the
    year has the measurement it names."""
    wanted = (g.kpi or "").rsplit(":", 1)[-1].upper()
    if not national or not (wanted.startswith("MM") and wanted[2:].isdigit()):
        return ""
    mine = next((n for n in national if n.id == g.national_goal), None)
    if mine is not None and not mine.measure_ids:
        if mine.measures:
            return _("ministermål {number} ({year}) has no Jobindsats measurement id (its measurement: "
                     "{measures}) — use a KPI of your own for it").format(
                         number=mine.number, year=mine.year, measures="; ".join(mine.measures))
        return _("ministermål {number} ({year}) has no national measurement (no Jobindsats måling): the "
                 "municipality chooses its own indicator — use a local KPI").format(number=mine.number,
                                                                                     year=mine.year)
    have = ", ".join(f"{m} (ministermål {n.number})" for n in national for m in n.measure_ids)
    none = ", ".join(str(n.number) for n in national if not n.measure_ids)
    text = _("no ministermål {year} has the measurement {wanted} (measurements: {have}").format(
        year=national[0].year, wanted=wanted, have=have or _("none"))
    if none:
        text += "; " + _("ministermål {numbers}: none").format(numbers=none)
    return text + ")"


def _check_goals(parts: Parts, kpis: Mapping[str, KPI], org: Organisation | None, national: Sequence[NationalGoal],
                 problems: list[Problem]) -> None:
    goals = [g for part in parts.goals for g in part.items]
    ids = [g.id for g in goals]
    by_id = {g.id: g for g in goals}
    roles = {r.id for r in org.roles} if org else None
    for k, (part, i, g) in enumerate(_each(parts.goals)):
        if ids.index(g.id) != k:
            problems.append(parts.problem(part, (i, "id"), _("the goal id '{id}' is used twice").format(id=g.id),
                                          _("give each goal its own id")))
        if g.kpi and g.kpi not in kpis:
            problems.append(parts.problem(part, (i, "kpi"), _("no KPI has the id '{id}'").format(id=g.kpi),
                                          _measurement_hint(g, national) or did_you_mean(g.kpi, kpis)
                                          or _("add it to the KPIs")))
        for where, c in _criteria_at(g.target, ("target",)) if g.target is not None else ():
            if c.kpi and c.kpi not in kpis:
                problems.append(parts.problem(part, (i, *where, "kpi"),
                                              _("no KPI has the id '{id}' (the criterion's own KPI)").format(id=c.kpi),
                                              did_you_mean(c.kpi, kpis) or _("add it to the KPIs")))
        for r in g.owners if roles is not None else ():
            if roles is not None and r not in roles:
                problems.append(parts.problem(part, (i, "owner"), _no_role(r), did_you_mean(r, roles)))
        if g.parent and g.parent not in by_id:
            problems.append(parts.problem(part, (i, "parent"), _("no goal has the id '{id}'").format(id=g.parent),
                                          did_you_mean(g.parent, ids)))
        elif g.parent:
            seen = [g.id]
            cur: Goal | None = by_id[g.parent]
            while cur is not None and cur.id not in seen:
                seen.append(cur.id)
                cur = by_id.get(cur.parent) if cur.parent else None
            if cur is not None and cur.id == g.id:
                problems.append(parts.problem(part, (i, "parent"),
                                              _("the goal's parents go round in a circle: {line}").format(
                                                  line=" → ".join([*seen, g.id])),
                                              _("a goal cannot (indirectly) be its own parent")))


def _check_deliverable_owners(parts: Parts, org: Organisation, problems: list[Problem]) -> None:
    roles = {r.id for r in org.roles}
    for part, j, d in _each(parts.deliverables):
        for r in (d.owner, *d.jointly_with):
            if r not in roles:
                problems.append(parts.problem(part, (j, "owner"), _no_role(r), did_you_mean(r, roles)))


def _check_observations(observations: Observations, rows: Mapping[str, tuple[str, int]], kpis: Mapping[str, KPI],
                        problems: list[Problem]) -> None:
    reported: set[str] = set()
    for o in observations.rows():
        if o.kpi in kpis or o.kpi in reported:
            continue
        reported.add(o.kpi)
        path, line = rows.get(o.kpi, ("", 0))
        problems.append(Problem(path or o.source or "observations", line, 0,
                                _("observation of unknown KPI '{id}'").format(id=o.kpi),
                                field="kpi" if line else "", hint=did_you_mean(o.kpi, kpis)))


def _national_goals(parts: Parts, plugins: Plugins, problems: list[Problem]) -> list[NationalGoal]:
    """The year's ministermål (before the sources: a remote source may fetch their measurements)."""
    if isinstance(parts.national_goals, list):
        return list(parts.national_goals)
    if parts.national_goals == "none":
        return []
    try:
        answer = plugins.national_goals(parts.year)
    except GovcoreError as err:
        problems.append(parts.doc.problem(("national_goals",), str(err)))
        answer = None
    return answer[1] if answer else []


def _check_national_goals(parts: Parts, national: list[NationalGoal], goals: list[Goal],
                          problems: list[Problem]) -> None:
    ids = {n.id for n in national}
    for part, i, g in _each(parts.goals):
        if g.national_goal and national and g.national_goal not in ids:
            problems.append(parts.problem(part, (i, "national_goal"),
                                          _("no ministermål {year} has the id '{id}'").format(
                                              year=parts.year, id=g.national_goal),
                                          did_you_mean(g.national_goal, ids)))


def _check_responses(parts: Parts, deliverables: Mapping[str, Deliverable], problems: list[Problem]) -> None:
    for i, r in enumerate(parts.responses.items):
        try:
            r.kind()
        except ValueError as err:
            problems.append(parts.problem(parts.responses, (i,), str(err)))
        if r.decide is not None:
            for key, message, hint in r.decide_problems():
                sub = (i, "decide", key) if key in r.decide else (i, "decide")
                problems.append(parts.problem(parts.responses, sub, message, hint))
        if r.deliver and r.deliver not in deliverables:
            problems.append(parts.problem(parts.responses, (i, "deliver"),
                                          _("no deliverable has the id '{id}'").format(id=r.deliver),
                                          did_you_mean(r.deliver, deliverables)))


def decision_options(rules: RuleSet, actions: Mapping[str, ActionSpec]) -> set[str]:
    """Every option a decision demanded by one of the rules can be answered with."""
    out: set[str] = set()
    for r in rules.rules:
        for call in r.actions:
            spec = actions.get(call.name)
            if spec is not None and spec.decision_options is not None:
                out.update(spec.decision_options(call.params))
    return out


def _check_decision_options(parts: Parts, rules: RuleSet, actions: Mapping[str, ActionSpec],
                            problems: list[Problem]) -> None:
    """A decision's answer must choose an option some rule can offer: the decision itself is only
    known when the run demands it (responses.yaml cannot name one that exists yet)."""
    asked = decision_options(rules, actions)
    for i, r in enumerate(parts.responses.items):
        option = (r.decide or {}).get("option")
        if option and option not in asked:
            hint = did_you_mean(option, asked) or (
                _("the options are {options}").format(options=", ".join(sorted(asked))) if asked else
                _("no rule of this configuration demands a decision"))
            problems.append(parts.problem(parts.responses, (i, "decide", "option"),
                                          _("no rule demands a decision with the option '{option}'").format(
                                              option=option), hint))


@dataclass
class _SourceCall:
    """What one call of a KPI source gave (`kpis`, then `load`, then the hashes of the files its
    settings name), or how it failed: kept for every version of a load that shares it."""

    kpis: list[KPI] | None = None  # given even when `load` failed, as the checks that follow see them
    observations: Observations | None = None
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # the source's InputError, not yet located
    failure: str = ""  # a plugin bug: the exception's type and text


def _call_source(src: KpiSource, ctx: SourceContext, sources_dir: Path) -> _SourceCall:
    got = _SourceCall()
    try:
        got.kpis = list(src.kpis(ctx))
        got.observations = Observations(src.load(ctx))
        for v in ctx.settings.values():
            if isinstance(v, str) and v and (sources_dir / v).is_file():
                got.files[v] = _hash(sources_dir / v)
    except InputError as err:
        got.problems = list(err.problems)
    except Exception as err:  # a plugin bug is reported with its name, nothing is half-loaded
        got.failure = f"{type(err).__name__}: {clip(err, 200)}"
    return got


def _frozen(value: Any) -> Hashable:
    """Settings as a key: equal settings, in the same order and of the same types, give equal keys."""
    if isinstance(value, Mapping):
        return dict, tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return list, tuple(_frozen(v) for v in value)
    return type(value), value if isinstance(value, Hashable) else repr(value)


def _source_context(plugin: str, name: str, src: KpiSource, parts: Parts, sources_dir: Path,
                    settings: Mapping[str, Any], national: list[NationalGoal]) -> tuple[SourceContext, Hashable | None]:
    """The context a source is called with, and the key of its call within one load (None: a
    source that declares nothing is called for every version). The key holds the source (its
    plugin and name: one plugin manager provides a name once) and everything the context holds:
    the version's year and ministermål only where the source declares them."""
    declared = src.depends_on
    year = parts.year if declared is None or "year" in declared else None
    goals = tuple(national) if declared is None or "national_goals" in declared else ()
    fields: dict[str, Any] = {"municipality": parts.municipality, "base_dir": sources_dir, "settings": settings,
                              "year": year, "national_goals": goals, "roots": tuple(parts.allow_paths)}
    if declared is None:
        return SourceContext(**fields), None
    key = (plugin, name, parts.municipality, sources_dir, fields["roots"], _frozen(settings), year,
           tuple(g.model_dump_json() for g in goals))
    return SharedSourceContext(name, frozenset(SOURCE_INPUTS) - declared, **fields), key


def _load_sources(parts: Parts, sources_dir: Path, plugins: Plugins, kpis: dict[str, KPI],
                  national: list[NationalGoal], problems: list[Problem]) -> Observations:
    """Plugin sources named under `sources:`: their KPIs are declared and their files read. A
    source that declares what it depends on (`KpiSource.depends_on`) is called once for every
    version of a load that agrees on it (`Parts.source_calls`)."""
    available = plugins.kpi_sources()
    out = Observations()
    calls = parts.source_calls if parts.source_calls is not None else {}
    for name, settings in parts.sources.items():
        if name not in available:
            problems.append(parts.doc.problem(("sources", name),
                                              _("no installed plugin provides the KPI source '{name}'").format(
                                                  name=name), hint=did_you_mean(name, available)
                                              or _("install the plugin that provides it (see `govcore plugins`)")))
            continue
        if not isinstance(settings, Mapping):
            problems.append(parts.doc.problem(("sources", name),
                                              _("the settings of '{name}' must be fields (name: value)").format(
                                                  name=name)))
            continue
        plugin, src = available[name]
        ctx, key = _source_context(plugin, name, src, parts, sources_dir, settings, national)
        got = calls.get(key) if key is not None else None
        if got is None:
            got = _call_source(src, ctx, sources_dir)
            if key is not None:
                calls[key] = got
        for k in got.kpis or ():
            kpis.setdefault(k.id, k)
        if got.observations is not None:
            out.extend(got.observations)
        parts.files.update(got.files)
        problems.extend(_locate(p, parts.doc) for p in got.problems)
        if got.failure:
            problems.append(parts.doc.problem(("sources", name),
                                              _("plugin '{plugin}' failed to load source '{name}': {error}").format(
                                                  plugin=plugin, name=name, error=got.failure)))
    return out


def _check_plugin_settings(parts: Parts, plugins: Plugins, org: Organisation, kpis: Mapping[str, KPI],
                           sources_dir: Path, problems: list[Problem]) -> None:
    """Each subject kind checks its settings against the configuration (e.g. that the owner of a
    budget area is a role) before the run, not on the day its first subject is built."""
    for name, (plugin, kind) in plugins.subject_kinds().items():
        if kind.check is None or not kind.settings_key or kind.settings_key not in parts.sources:
            continue
        if any(p.field.startswith(f"sources.{kind.settings_key}") for p in problems):
            continue  # the settings themselves are wrong: that was reported when the source was loaded
        day = dt.date(parts.year, 1, 1)
        goals = parts.goal_spans if parts.goal_spans is not None else \
            goal_spans([(None, None, [g for part in parts.goals for g in part.items])])
        ctx = SubjectContext(municipality=parts.municipality, day=day,
                             observations=ObservationView(ObservationStore(), day), organisation=org, kpis=kpis,
                             settings=parts.sources[kind.settings_key], base_dir=sources_dir, goals=goals)
        try:
            kind.check(ctx)
        except InputError as err:
            problems.extend(_locate(p, parts.doc) for p in err.problems)
        except Exception as err:  # a plugin bug is reported with its name
            problems.append(parts.doc.problem(("sources", kind.settings_key),
                                              _("plugin '{plugin}' failed to check the settings of '{name}': "
                                                "{error}").format(plugin=plugin, name=name,
                                                                  error=f"{type(err).__name__}: {clip(err, 200)}")))


def _rule_paths(parts: Parts, plugins: Plugins, problems: list[Problem]) -> list[Path]:
    """Rule files named in `rules:` (paths, folders, patterns, or `plugin:<name>`), inside the folder."""
    out: list[Path] = []
    entries: list[tuple[Key, str | Path]] = [((k,), e) for k, e in enumerate(parts.rules.items)]
    entries += [((), e) for e in parts.extra_rules]
    for sub, entry in entries:
        text = str(entry)
        if text.startswith("plugin:"):
            try:
                found = plugins.rule_files(text.split(":", 1)[1])
            except GovcoreError as err:
                problems.append(parts.problem(parts.rules, sub, str(err)))
                continue
            if not found:
                problems.append(parts.problem(parts.rules, sub, _("the plugin '{name}' has no rule files").format(
                    name=text[7:])))
            out.extend(found)
            continue
        try:
            paths = expand_paths([entry], parts.base_dir)
            if parts.confine_rules and (sub or not isinstance(entry, Path)):  # the configuration's own entries
                for found_path in paths:
                    resolve_inside(parts.base_dir, found_path, parts.allow_paths)
            out.extend(paths)
        except InputError as err:
            for p in err.problems:
                hint = p.hint.replace(str(parts.base_dir), _("the configuration's folder")) if p.hint else ""
                problems.append(parts.problem(parts.rules, sub, f"'{clip(text)}': {p.message}", hint))
    return list(dict.fromkeys(out))


def vocabulary(plugins: Plugins, wheel: Wheel, kpis: Mapping[str, KPI], organisation: Organisation,
               deliverables: Mapping[str, Deliverable], year: int) -> Vocabulary:
    """What rule files of this configuration may name: plugin kinds and actions, and the ids of
    its wheel events, KPIs, roles and deliverables."""
    vocab = Vocabulary.build([k for _, k in plugins.subject_kinds().values()],
                             [a for _, a in plugins.actions().values()])
    vocab.wheel_ids = frozenset(set(wheel.definitions()) | {ev.definition for _, ev in plugins.wheel_events(year)})
    vocab.kpi_ids = frozenset(kpis)
    vocab.role_ids = frozenset(r.id for r in organisation.roles)
    vocab.deliverable_ids = frozenset(deliverables)
    return vocab


def goal_spans(versions: Sequence[tuple[dt.date | None, dt.date | None, Sequence[Goal]]]
               ) -> dict[str, tuple[DateSpan, ...]]:
    """Each goal id with the days it is in force: the versions (first day, last day, goals) that
    hold it, narrowed to the goal's own valid_from/valid_to."""
    out: dict[str, list[DateSpan]] = {}
    for first, last, goals in versions:
        for g in goals:
            a = max((d for d in (first, g.valid_from) if d is not None), default=None)
            b = min((d for d in (last, g.valid_to) if d is not None), default=None)
            if a is None or b is None or a <= b:
                out.setdefault(g.id, []).append((a, b))
    return {k: tuple(v) for k, v in out.items()}


def _locate(p: Problem, doc: YamlDoc) -> Problem:
    """A plugin's settings problem (a field path, no file) located in municipality.yaml."""
    if p.file or not p.field.startswith("sources."):
        return p
    return doc.problem(field_path(p.field), p.message, hint=p.hint, fld=p.field)


# ------------------------------------------------------------------------- a configuration folder


def _file(base: Path, name: str, doc: YamlDoc, loc: Key, roots: Sequence[Path], problems: list[Problem]) -> Path | None:
    """A file municipality.yaml names, inside the configuration folder (or an allowed folder)."""
    try:
        return resolve_inside(base, name, roots)
    except InputError as err:
        problems.extend(doc.problem(loc, p.message, hint=p.hint) for p in err.problems)
        return None


def _doc(path: Path | None, problems: list[Problem]) -> YamlDoc | None:
    if path is None:
        return None
    try:
        return load_yaml(path)
    except InputError as err:
        problems.extend(err.problems)
        return None


def _validated(model: type[BaseModel], doc: YamlDoc | None, problems: list[Problem]) -> Any:
    if doc is None:
        return None
    try:
        return validate(model, doc.data, doc)
    except InputError as err:
        problems.extend(err.problems)
        return None


def load_observations_csv(path: Path) -> list[Observation]:
    """Observations from a CSV file (kpi, period, value[, series, municipality, source, known_at])."""
    return [o.model() for o, _ in observation_rows(path)]


_ID = re.compile(ID_PATTERN)


_OBSERVATION_COLUMNS = ("kpi", "period", "value", "series", "municipality", "source", "known_at")


def observation_rows(path: Path) -> Iterator[tuple[ObservationRow, int]]:
    """Observations from a CSV file with the line each was read from, one at a time (a file of a
    million rows is never held as a list of rows); a ConfigError with every problem (at most 50)
    once the file is read.

    Values are read as govcore reads every number (text.parse_number: 1.450,5, 1450,5, -3,2, 1450.5);
    the file's decimal mark is the one its first unambiguous value shows, so 1.450 is 1,45 in a file
    of 12.5's and 1.450 in a file of 12,5's (and of nothing else: the Danish reading). A value that
    writes decimals the other way is an error. Repeated texts (KPI, period, series, source) are
    held once, and a KPI or period is checked the first time it is read."""
    problems: list[Problem] = []
    mark: str | None = None
    mark_line = 0
    # rows read before the decimal mark is known whose value has a separator (1.450): held until it is
    waiting: list[tuple[int, list[str]]] = []
    texts: dict[str, str] = {}
    held = texts.setdefault
    kpis: dict[str, str] = {}  # checked KPI names and periods, each held once
    periods: dict[str, str] = {}
    days: dict[str, dt.date] = {}
    name = path.name
    names, rows = read_csv_cells(path, list(_OBSERVATION_COLUMNS[:3]), list(_OBSERVATION_COLUMNS[3:]))
    # a column the file leaves out reads as the empty cell appended to every row
    pick = itemgetter(*(names.index(c) if c in names else len(names) for c in _OBSERVATION_COLUMNS))
    column = names.index("value")

    def problem(line: int, cell: str, message: str, hint: str = "") -> None:
        problems.append(CsvRow(str(path), line, {}, names).problem(cell, message, hint))

    def one(line: int, cells: list[str], own: str | None, value: float | None) -> ObservationRow | None:
        kpi, period_text, text, series, municipality_text, source, at = pick(cells)
        if own is not None and own != mark:
            problem(line, "value", _("'{value}' has '{own}' as its decimal mark, but line {line} has "
                                     "'{mark}'").format(value=clip(text), own=own, line=mark_line, mark=mark),
                    _("write every value of a file the same way, e.g. 1.450,5 (Danish) or 1450.5"))
            return None
        if value is None:
            problem(line, "value", _("'{value}' is not a number").format(value=clip(text)),
                    _("write e.g. 42, 42,5 or 1.450,5"))
            return None
        known: dt.date | None = None
        if at:
            known = days.get(at)
            if known is None:
                try:
                    known = days[at] = dt.date.fromisoformat(at)
                except ValueError:
                    problem(line, "known_at", _("'{value}' is not a date that exists").format(value=clip(at)),
                            _("write YYYY-MM-DD, e.g. 2021-02-05"))
                    return None
        series, municipality, source = series or "local", municipality_text or None, source or name
        checked = kpis.get(kpi)
        if checked is None and _ID.match(kpi) and len(kpi) <= 120:
            checked = kpis[kpi] = held(kpi, kpi)
        period = periods.get(period_text)
        if period is None and checked is not None:
            try:  # the checks Observation makes, without making one: a million models would not fit
                period = check_period(period_text)
                period = periods[period_text] = held(period, period)
            except ValueError:
                pass
        if checked is None or period is None:  # let the model say what is wrong, in its words
            try:
                o = Observation(kpi=kpi, period=period_text, value=value, series=series, municipality=municipality,
                                source=source, known_at=known)
            except ValidationError as err:
                for e in err.errors(include_url=False):
                    msg, hint = pydantic_message(e, tuple(e["loc"]))
                    problem(line, str(e["loc"][0]) if e["loc"] else "value", clip(msg, 200), hint)
                return None
            checked, period = held(o.kpi, o.kpi), held(o.period, o.period)
        return ObservationRow(checked, period, value, held(series, series),
                              None if municipality is None else held(municipality, municipality),
                              held(source, source), known)

    for line, cells in rows:
        cells.append("")
        text = cells[column]
        own, value = number_and_mark(text, mark)
        if mark is None:
            if own is None:
                if waiting or "." in text or "," in text:
                    waiting.append((line, cells))
                    continue
            else:
                mark, mark_line = own, line
        batch: list[tuple[int, list[str], str | None, float | None]] = \
            [(at, c, None, number_and_mark(c[column], mark)[1]) for at, c in waiting] if waiting else []
        batch.append((line, cells, own, value))
        waiting.clear()
        for at, c, o, v in batch:
            got = one(at, c, o, v)
            if got is not None:
                yield got, at
            if len(problems) >= 50:
                raise ConfigError(problems)
    for at, c in waiting:
        got = one(at, c, None, number_and_mark(c[column], mark)[1])
        if got is not None:
            yield got, at
        if len(problems) >= 50:
            break
    if problems:
        raise ConfigError(problems)


def load_config(path: str | Path, *, plugins: Plugins | None = None, year: int | None = None,
                extra_rules: Sequence[str | Path] = ()) -> Configuration:
    """Load and check a municipality configuration directory (or its municipality.yaml), with every
    dated version it declares (`versions:`); each version is checked whole, like the first."""
    p = Path(path)
    base = p if p.is_dir() else p.parent
    cfg_path = base / CONFIG_FILE if p.is_dir() else p
    plugins = plugins or load_plugins()
    problems: list[Problem] = []

    cfg_doc = _doc(cfg_path, problems)
    cfg: ConfigFile | None = _validated(ConfigFile, cfg_doc, problems)
    if cfg is None or cfg_doc is None:
        raise ConfigError(problems)
    the_year = year or cfg.year
    if not MIN_YEAR <= the_year <= MAX_YEAR:
        raise ConfigError([Problem(str(cfg_path), message=_("the year {year} asked for is outside {first}–{last}")
                                   .format(year=the_year, first=MIN_YEAR, last=MAX_YEAR), field="year",
                                   hint=_("govcore runs years {first} to {last}").format(first=MIN_YEAR,
                                                                                        last=MAX_YEAR))])
    versions: list[Configuration] = []
    settings = cfg
    read: list[Parts] = []
    reads = _Reads()
    for i, entry in enumerate([None, *cfg.versions]):
        if entry is not None:
            settings = settings.model_copy(update=entry.changes())
        # A dated version checks its goals against the ministermål of the year it starts in; the
        # first version against those of the last day before the first dated one (without dated
        # versions: the year asked for, as before versions existed).
        check_year = entry.effective.year if entry is not None else \
            (cfg.versions[0].effective - dt.timedelta(days=1)).year if cfg.versions else the_year
        own = _canonical(cfg, i)
        try:
            read.append(_read_parts(base, cfg_path, cfg_doc, settings, check_year, extra_rules, own, entry,
                                    reads))
        except InputError as err:
            problems.extend(q for q in err.problems if q not in problems)
    if problems:
        raise ConfigError(problems)
    # A link to a goal (an initiative's goals) counts if a version in force at the time holds it.
    dates = [p.effective for p in read]
    spans = goal_spans([(p.effective, nxt - dt.timedelta(days=1) if nxt else None,
                         [g for part in p.goals for g in part.items]) for p, nxt in zip(read, [*dates[1:], None],
                                                                                       strict=True)])
    calls: dict[Hashable, _SourceCall] = {}
    rule_sets: dict[Hashable, RuleSet] = {}
    for parts in read:
        parts.goal_spans = spans
        parts.source_calls = calls
        parts.rule_sets = rule_sets
        try:
            versions.append(build_configuration(parts, plugins))
        except InputError as err:
            problems.extend(q for q in err.problems if q not in problems)
    if problems:
        raise ConfigError(problems)
    first = versions[0]
    if first.year != the_year:
        answer = plugins.national_goals(the_year) if cfg.national_goals == "plugin" else None
        first.year, first.national_goals = the_year, answer[1] if answer else []
    for v in versions:
        v.versions = versions
    prepare(first)  # the history's work, done once here (not by the first engine)
    return first


def prepare(config: Configuration, *, start: dt.date | None = None) -> None:
    """Work out now what every engine of `config` starting on `start` (by default 1 January of
    the configuration's year, where `Engine(config)` starts) shares of its observations: the rows
    known before that day, taken in once, and the rest in the order they become known. Without it
    the first such engine works this out itself, and with a long history that is most of its
    start (about half as much again as a year's run with 20 years of observations behind it).

    `load_config` does it for 1 January of the configuration's year. Call it for a configuration
    made or changed in code (`dataclasses.replace`, observations of its own), or for the engines of
    another start day, before the first engine, where the time is not counted (at a server's
    start, say). The events are the same either way: it only moves work. An engine starting later
    than a prepared day costs only the rows in between; a `datetime` counts as its day. The last
    few start days are kept, and adding a row to `config.observations` drops them (the next engine
    works them out again).

    Observations given as a plain list are held from then on as `load_config` holds them
    (`config.observations` becomes an `Observations`: the same observations, as compact rows);
    add later ones to `config.observations`, not to the list."""
    if not isinstance(config.observations, Observations):
        config.observations = Observations(config.observations)
    day = start.date() if isinstance(start, dt.datetime) else start
    prepare_observations(config.observations, day or dt.date(config.year, 1, 1))


def _canonical(cfg: ConfigFile, upto: int) -> str:
    """municipality.yaml as the settings and versions 1..upto say, comments and later versions left out."""
    # Settings added after runs were stored count only when given, so those runs keep their hash.
    data = cfg.model_dump(mode="json", by_alias=True, exclude={"versions"} | (
        {"notifications"} if cfg.notifications is None else set()))
    data["versions"] = [v.model_dump(mode="json", by_alias=True) for v in cfg.versions[:upto]]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


M = TypeVar("M", bound=BaseModel)


@dataclass
class _Reads:
    """What one `load_config` has read, for every dated version that names it again: examples/vejle's
    five versions name the same organisation, KPIs, wheel and responses, and goals.yaml in each.
    A file's place, hash and validated content do not depend on the version (the versions share
    the folder and the allowed folders). Only what was read without a problem is kept, so a
    problem is found and reported for each version that meets it, as before. The versions share
    the (frozen) models read from one file, as they share the rows of an observations file."""

    csv: dict[Path, _ObservationFile] = field(default_factory=dict)
    places: dict[tuple[str, tuple[Path, ...]], Path] = field(default_factory=dict)
    hashes: dict[Path, str] = field(default_factory=dict)
    models: dict[tuple[Path, type[BaseModel]], tuple[YamlDoc, Any]] = field(default_factory=dict)
    wheels: dict[Path, Wheel] = field(default_factory=dict)

    def hash(self, path: Path) -> str:
        got = self.hashes.get(path)
        if got is None:
            got = self.hashes[path] = _hash(path)
        return got

    def read(self, path: Path | None, model: type[M], problems: list[Problem]) -> tuple[YamlDoc | None, M | None]:
        """The file's document and its content as `model` (None where it has a problem, reported in `problems`)."""
        kept = self.models.get((path, model)) if path is not None else None
        if kept is not None:
            return kept[0], kept[1]
        doc = _doc(path, problems)
        content: M | None = _validated(model, doc, problems)
        if path is not None and doc is not None and content is not None:
            self.models[(path, model)] = (doc, content)
        return doc, content


@dataclass
class _ObservationFile:
    """An observations file as read once for every version that names it (a million rows each)."""

    rows: Observations
    first: dict[str, tuple[str, int]]  # per KPI, the file and line of its first row
    sha256: str


def _read_parts(base: Path, cfg_path: Path, cfg_doc: YamlDoc, cfg: ConfigFile, the_year: int,
                extra_rules: Sequence[str | Path], own_hash: str, dated: VersionEntry | None,
                reads: _Reads | None = None) -> Parts:
    """One version of the configuration: its files read into Parts (build_configuration builds it)."""
    reads = reads if reads is not None else _Reads()
    problems: list[Problem] = []
    files: dict[str, str] = {cfg_path.name: own_hash}
    try:
        muni = municipality(cfg.municipality)
    except ValueError as err:
        raise ConfigError([cfg_doc.problem(("municipality",), str(err))]) from None
    roots = [base / a for a in cfg.allow_paths]

    def place(name: str, loc: Key) -> Path | None:
        key = (name, tuple(roots))
        found = reads.places.get(key)
        if found is None:
            found = _file(base, name, cfg_doc, loc, roots, problems)
            if found is not None:
                reads.places[key] = found
        return found

    def named(key: str, name: str) -> Path | None:
        return place(name, (key,))

    org_doc, org_file = reads.read(named("organisation", cfg.organisation), OrganisationFile, problems)
    kpi_doc, kpi_file = reads.read(named("kpis", cfg.kpis), KpiFile, problems)
    goal_names = [cfg.goals] if isinstance(cfg.goals, str) else list(cfg.goals)
    goal_files: list[tuple[YamlDoc, GoalFile]] = []
    for k, name in enumerate(goal_names):
        gdoc, gfile = reads.read(place(name, ("goals",) if isinstance(cfg.goals, str) else ("goals", k)), GoalFile,
                                 problems)
        if gfile is not None and gdoc is not None:
            goal_files.append((gdoc, gfile))
    for name in (cfg.organisation, cfg.kpis, *goal_names):
        if (base / name).is_file():
            files[name] = reads.hash(base / name)

    wheel: Wheel | None = None
    wheel_path = named("wheel", cfg.wheel)
    if wheel_path is not None:
        try:
            wheel = reads.wheels.get(wheel_path)
            if wheel is None:
                wheel = reads.wheels[wheel_path] = Wheel.load(wheel_path)
            files[cfg.wheel] = reads.hash(wheel_path)
        except InputError as err:
            problems.extend(err.problems)

    observations = Observations()
    rows: dict[str, tuple[str, int]] = {}
    for k, name in enumerate(cfg.observations):
        obs_path = place(name, ("observations", k))
        if obs_path is None:
            continue
        try:
            got = reads.csv.get(obs_path)
            if got is None:
                got = _ObservationFile(Observations(), {}, "")
                where = str(obs_path)
                for o, line in observation_rows(obs_path):
                    got.rows.append(o)
                    if o.kpi not in got.first:
                        got.first[o.kpi] = (where, line)
                got.sha256 = _hash(obs_path)
                reads.csv[obs_path] = got
            observations.extend(got.rows)
            for kpi, at in got.first.items():
                rows.setdefault(kpi, at)
            files[name] = got.sha256
        except InputError as err:
            problems.extend(err.problems)

    responses: Located[Response] = Located([])
    if cfg.responses:
        rdoc, rfile = reads.read(named("responses", cfg.responses), ResponseFile, problems)
        if rfile is not None and rdoc is not None:
            files[cfg.responses] = reads.hash(base / cfg.responses)
            responses = Located(list(rfile.responses), rdoc, ("responses",))

    if org_file is None or wheel is None or kpi_file is None or len(goal_files) != len(goal_names):
        raise ConfigError(problems or [Problem(str(cfg_path), message=_("configuration incomplete"))])
    parts = Parts(
        doc=cfg_doc, base_dir=base, municipality=muni, year=the_year,
        roles=Located(list(org_file.roles), org_doc, ("roles",)), tops=org_file.tops,
        kpis=Located(list(kpi_file.kpis), kpi_doc, ("kpis",)),
        goals=[Located(list(f.goals), d, ("goals",)) for d, f in goal_files],
        deliverables=[Located(list(f.deliverables), d, ("deliverables",)) for d, f in goal_files],
        wheel=wheel, rules=Located(list(cfg.rules), cfg_doc, ("rules",)), extra_rules=extra_rules,
        sources=dict(cfg.sources), observations=observations, observation_rows=rows, responses=responses,
        national_goals=cfg.national_goals, allow_paths=roots, files=files, problems=problems,
        effective=dated.effective if dated else None, description=dated.description if dated else cfg.description,
        notifications=cfg.notifications,
    )
    return parts
