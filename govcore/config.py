"""A municipality's whole configuration (styringskoncept), loaded from a directory.

`municipality.yaml` names the organisation, KPIs, goals, wheel, rule files, data files and KPI
sources. Everything is checked before anything runs; all problems are reported together, with
file, line and field. Nothing is half-loaded: a configuration is either whole or an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from govcore.errors import ConfigError, GovcoreError, InputError, Problem, did_you_mean
from govcore.extension import ActionSpec, KpiSource, SourceContext, SubjectKind
from govcore.model import (
    KPI,
    Deliverable,
    Goal,
    Municipality,
    NationalGoal,
    Observation,
    Organisation,
    Role,
    WheelEvent,
    municipality,
)
from govcore.plugins import Plugins, load_plugins
from govcore.rules.loader import RuleSet, expand_paths, load_rules
from govcore.rules.vocabulary import Vocabulary
from govcore.sourcefile import YamlDoc, field_path, load_yaml, read_csv, validate
from govcore.wheel import Wheel

CONFIG_FILE = "municipality.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


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


class ConfigFile(_Strict):
    """The fields of municipality.yaml."""

    municipality: str | int
    year: int = Field(default=2021, ge=2000, le=2100)
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
    versions: list[VersionEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _in_order(self) -> ConfigFile:
        dates = [v.effective for v in self.versions]
        if dates != sorted(set(dates)):
            raise ValueError("versions must be in date order, one per date")
        return self


class OrganisationFile(_Strict):
    roles: list[Role]


class KpiFile(_Strict):
    kpis: list[KPI]


class GoalFile(_Strict):
    goals: list[Goal]
    deliverables: list[Deliverable] = Field(default_factory=list)


class Response(_Strict):
    """A simulated human input: a submitted, accepted or rejected corrective action, or a delivery."""

    date: dt.date
    time: str = "12:00"
    submit: dict[str, str] | None = None
    accept: dict[str, str] | None = None
    reject: dict[str, str] | None = None
    deliver: str | None = None

    @field_validator("time")
    @classmethod
    def _time(cls, v: str) -> str:
        dt.time.fromisoformat(v)
        return v

    def kind(self) -> str:
        given = [k for k in ("submit", "accept", "reject", "deliver") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a response is exactly one of submit, accept, reject or deliver")
        return given[0]


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
    observations: list[Observation]
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
    _national_by_year: dict[int, list[NationalGoal]] = field(default_factory=dict, repr=False)

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
        wheel they parse to. A stored run compares it to refuse a change that would rewrite its past."""
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


def _doc(base: Path, name: str, problems: list[Problem]) -> YamlDoc | None:
    try:
        return load_yaml(base / name)
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
    out: list[Observation] = []
    problems: list[Problem] = []
    for row in read_csv(path, ["kpi", "period", "value"], ["series", "municipality", "source", "known_at"]):
        v = row.values
        raw = v["value"].replace(" ", "")
        try:
            value = float(raw.replace(",", ".")) if raw.count(",") == 1 and "." not in raw else float(raw)
        except ValueError:
            problems.append(row.problem("value", f"'{v['value']}' is not a number", "write e.g. 42 or 42.5"))
            continue
        try:
            out.append(Observation(
                kpi=v["kpi"], period=v["period"], value=value, series=v.get("series") or "local",
                municipality=v.get("municipality") or None, source=v.get("source") or path.name,
                known_at=dt.date.fromisoformat(v["known_at"]) if v.get("known_at") else None,
            ))
        except ValueError as err:
            msg = str(err).splitlines()
            detail = next((m.strip() for m in msg[1:] if m.strip() and not m.startswith(" ")), msg[-1])
            problems.append(row.problem(_bad_column(str(err)), detail.replace("Value error, ", "")))
    if problems:
        raise ConfigError(problems)
    return out


def _bad_column(err: str) -> str:
    for col in ("kpi", "period", "value", "known_at", "municipality"):
        if f"\n{col}\n" in f"\n{err}\n" or err.splitlines()[1:2] == [col]:
            return col
    return "known_at" if "date" in err else "period"


def load_config(path: str | Path, *, plugins: Plugins | None = None, year: int | None = None,
                extra_rules: Sequence[str | Path] = ()) -> Configuration:
    """Load and check a municipality configuration directory (or its municipality.yaml), with every
    dated version it declares (`versions:`); each version is checked whole, like the first."""
    p = Path(path)
    base = p if p.is_dir() else p.parent
    cfg_path = base / CONFIG_FILE if p.is_dir() else p
    plugins = plugins or load_plugins()
    problems: list[Problem] = []

    cfg_doc = _doc(base, cfg_path.name, problems)
    cfg: ConfigFile | None = _validated(ConfigFile, cfg_doc, problems)
    if cfg is None or cfg_doc is None:
        raise ConfigError(problems)
    the_year = year or cfg.year
    versions: list[Configuration] = []
    settings = cfg
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
            versions.append(_build(base, cfg_path, cfg_doc, settings, plugins, check_year, extra_rules, own,
                                   entry))
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
    return first


def _canonical(cfg: ConfigFile, upto: int) -> str:
    """municipality.yaml as the settings and versions 1..upto say, comments and later versions left out."""
    data = cfg.model_dump(mode="json", by_alias=True, exclude={"versions"})
    data["versions"] = [v.model_dump(mode="json", by_alias=True) for v in cfg.versions[:upto]]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _build(base: Path, cfg_path: Path, cfg_doc: YamlDoc, cfg: ConfigFile, plugins: Plugins, the_year: int,
           extra_rules: Sequence[str | Path], own_hash: str, dated: VersionEntry | None) -> Configuration:
    """One version of the configuration, checked whole."""
    problems: list[Problem] = []
    files: dict[str, str] = {cfg_path.name: own_hash}
    try:
        muni = municipality(cfg.municipality)
    except ValueError as err:
        raise ConfigError([cfg_doc.problem(("municipality",), str(err))]) from None

    org_file: OrganisationFile | None = _validated(OrganisationFile, _doc(base, cfg.organisation, problems),
                                                   problems)
    kpi_file: KpiFile | None = _validated(KpiFile, _doc(base, cfg.kpis, problems), problems)
    goal_names = [cfg.goals] if isinstance(cfg.goals, str) else list(cfg.goals)
    goal_docs = [(name, _doc(base, name, problems)) for name in goal_names]
    goal_files: list[tuple[YamlDoc, GoalFile]] = []
    for _, gdoc in goal_docs:
        gfile: GoalFile | None = _validated(GoalFile, gdoc, problems)
        if gfile is not None and gdoc is not None:
            goal_files.append((gdoc, gfile))
    goal_file = GoalFile(goals=[g for _, f in goal_files for g in f.goals],
                         deliverables=[d for _, f in goal_files for d in f.deliverables]) \
        if len(goal_files) == len(goal_docs) else None
    for name in (cfg.organisation, cfg.kpis, *goal_names):
        if (base / name).exists():
            files[name] = _hash(base / name)

    organisation: Organisation | None = None
    if org_file is not None:
        try:
            organisation = Organisation(roles=org_file.roles)
        except ValueError as err:
            msg = str(err).splitlines()[-1].replace("Value error, ", "").strip()
            problems.append(Problem(str(base / cfg.organisation), 1, 1, msg))

    try:
        wheel = Wheel.load(base / cfg.wheel)
        files[cfg.wheel] = _hash(base / cfg.wheel)
    except InputError as err:
        problems.extend(err.problems)
        wheel = None

    kpis = {k.id: k for k in (kpi_file.kpis if kpi_file else [])}
    kinds = plugins.subject_kinds()
    actions = plugins.actions()
    sources = plugins.kpi_sources()

    observations: list[Observation] = []
    for name in cfg.observations:
        try:
            observations.extend(load_observations_csv(base / name))
            files[name] = _hash(base / name)
        except InputError as err:
            problems.extend(err.problems)
    national: list[NationalGoal] = []
    if cfg.national_goals == "plugin":
        try:
            answer = plugins.national_goals(the_year)
        except GovcoreError as err:
            problems.append(cfg_doc.problem(("national_goals",), str(err)))
            answer = None
        national = answer[1] if answer else []
    for source_name, settings in cfg.sources.items():
        if source_name not in sources:
            problems.append(cfg_doc.problem(("sources", source_name), f"no installed plugin provides the KPI "
                                            f"source '{source_name}'", hint=did_you_mean(source_name, sources)
                                            or "install the plugin that provides it (see `govcore plugins`)"))
            continue
        src: KpiSource = sources[source_name][1]
        ctx = SourceContext(municipality=muni, base_dir=base, settings=settings, year=the_year,
                            national_goals=tuple(national))
        try:
            for k in src.kpis(ctx):
                kpis.setdefault(k.id, k)
            observations.extend(src.load(ctx))
            for v in settings.values():
                if isinstance(v, str) and (base / v).is_file():
                    files[v] = _hash(base / v)
        except InputError as err:
            problems.extend(_locate(p, cfg_doc) for p in err.problems)
        except Exception as err:  # a plugin bug is reported with its name, nothing is half-loaded
            problems.append(cfg_doc.problem(("sources", source_name),
                                            f"plugin '{sources[source_name][0]}' failed to load source "
                                            f"'{source_name}': {type(err).__name__}: {err}"))

    goals = goal_file.goals if goal_file else []
    deliverables = {d.id: d for d in (goal_file.deliverables if goal_file else [])}
    if goal_file is not None:
        all_ids, offset = [g.id for g in goals], 0
        for gdoc, gfile in goal_files:
            problems.extend(_check_goals(gfile.goals, kpis if kpi_file else None, organisation,
                                         {d.id: d for d in gfile.deliverables}, gdoc, all_ids, offset, national))
            offset += len(gfile.goals)
    for o in observations if kpi_file else []:
        if o.kpi not in kpis:
            problems.append(Problem(o.source or "observations", message=f"observation of unknown KPI '{o.kpi}'",
                                    hint=did_you_mean(o.kpi, kpis)))
            break

    if cfg.national_goals == "plugin":
        ids = {n.id for n in national}
        for gdoc, gfile in goal_files:
            for i, g in enumerate(gfile.goals):
                if g.national_goal and national and g.national_goal not in ids:
                    problems.append(_goal_problem(gdoc, i, "national_goal",
                                                  f"no ministermål {the_year} has the id '{g.national_goal}'",
                                                  did_you_mean(g.national_goal, ids)))

    responses: list[Response] = []
    if cfg.responses:
        rdoc = _doc(base, cfg.responses, problems)
        rfile: ResponseFile | None = _validated(ResponseFile, rdoc, problems)
        if rfile is not None and rdoc is not None:
            files[cfg.responses] = _hash(base / cfg.responses)
            for i, r in enumerate(rfile.responses):
                try:
                    r.kind()
                except ValueError as err:
                    problems.append(rdoc.problem(("responses", i), str(err)))
                if r.deliver and goal_file is not None and r.deliver not in deliverables:
                    problems.append(rdoc.problem(("responses", i, "deliver"),
                                                 f"no deliverable has the id '{r.deliver}'",
                                                 hint=did_you_mean(r.deliver, deliverables)))
            responses = list(rfile.responses)

    if problems or organisation is None or wheel is None:
        raise ConfigError(problems or [Problem(str(cfg_path), message="configuration incomplete")])

    vocab = vocabulary(plugins, wheel, kpis, organisation, deliverables, the_year)
    rule_paths: list[Path] = []
    try:
        for entry in [*cfg.rules, *map(str, extra_rules)]:
            if entry.startswith("plugin:"):
                rule_paths.extend(plugins.rule_files(entry.split(":", 1)[1]))
            else:
                rule_paths.extend(expand_paths([entry], base))
        rules = load_rules(rule_paths, vocab)
    except InputError as err:
        raise ConfigError(err.problems) from None
    except GovcoreError as err:
        raise ConfigError([cfg_doc.problem(("rules",), str(err))]) from None
    for rp in rule_paths:  # keyed apart from the configuration's own files (rules/goals.yaml vs goals.yaml)
        where = rp.resolve().relative_to(base.resolve()) if rp.resolve().is_relative_to(base.resolve()) \
            else Path(rp.parent.name, rp.name)
        files[f"rules:{where.as_posix()}"] = _hash(rp)
    _check_wheel_roles(wheel, organisation, base / cfg.wheel)

    return Configuration(
        base_dir=base, municipality=muni, year=the_year, organisation=organisation, kpis=kpis, goals=goals,
        deliverables=deliverables, wheel=wheel, rules=rules, observations=observations, responses=responses,
        sources=dict(cfg.sources), national_goals=national, subject_kinds={n: k for n, (_, k) in kinds.items()},
        actions={n: a for n, (_, a) in actions.items()}, plugins=plugins, files=files,
        effective=dated.effective if dated else None, description=dated.description if dated else cfg.description,
        national_index={n.id: n for n in national}, national_source=cfg.national_goals,
    )


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


def _locate(p: Problem, doc: YamlDoc) -> Problem:
    """A plugin's settings problem (a field path, no file) located in municipality.yaml."""
    if p.file or not p.field.startswith("sources."):
        return p
    return doc.problem(field_path(p.field), p.message, hint=p.hint, fld=p.field)


def _goal_problem(doc: YamlDoc | None, i: int, fld: str, msg: str, hint: str = "") -> Problem:
    if doc is None:
        return Problem(message=msg, hint=hint)
    return doc.problem(("goals", i, fld), msg, hint=hint)


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
            return (f"ministermål {mine.number} ({mine.year}) has no Jobindsats measurement id (its measurement: "
                    f"{'; '.join(mine.measures)}) — use a KPI of your own for it")
        return (f"ministermål {mine.number} ({mine.year}) has no national measurement (no Jobindsats måling): "
                "the municipality chooses its own indicator — use a local KPI")
    have = ", ".join(f"{m} (ministermål {n.number})" for n in national for m in n.measure_ids)
    none = ", ".join(str(n.number) for n in national if not n.measure_ids)
    return (f"no ministermål {national[0].year} has the measurement {wanted} (measurements: {have or 'none'}"
            + (f"; ministermål {none}: none" if none else "") + ")")


def _check_goals(goals: list[Goal], kpis: Mapping[str, KPI] | None, org: Organisation | None,
                 deliverables: Mapping[str, Deliverable], doc: YamlDoc, ids: list[str],
                 offset: int = 0, national: Sequence[NationalGoal] = ()) -> list[Problem]:
    """Problems of one goal file's goals; `ids` are the goals of every goal file of the version, and
    this file's goals start at `offset` among them."""
    problems: list[Problem] = []
    roles = {r.id for r in org.roles} if org else None
    for i, g in enumerate(goals):
        if ids.count(g.id) > 1 and ids.index(g.id) != offset + i:
            problems.append(_goal_problem(doc, i, "id", f"goal id '{g.id}' is used twice"))
        if g.kpi and kpis is not None and g.kpi not in kpis:
            hint = _measurement_hint(g, national) or did_you_mean(g.kpi, kpis)
            problems.append(_goal_problem(doc, i, "kpi", f"unknown KPI '{g.kpi}'", hint))
        for r in g.owners if roles is not None else ():
            if roles is not None and r not in roles:
                problems.append(_goal_problem(doc, i, "owner", f"no role has the id '{r}'", did_you_mean(r, roles)))
        if g.parent and g.parent not in ids:
            problems.append(_goal_problem(doc, i, "parent", f"no goal has the id '{g.parent}'",
                                          did_you_mean(g.parent, ids)))
    for j, d in enumerate(deliverables.values()):
        for r in (d.owner, *d.jointly_with) if roles is not None else ():
            if roles is not None and r not in roles:
                problems.append(doc.problem(("deliverables", j, "owner"), f"no role has the id '{r}'",
                                            hint=did_you_mean(r, roles)))
    return problems


def _check_wheel_roles(wheel: Wheel, org: Organisation, path: Path) -> None:
    problems = wheel.check_roles(r.id for r in org.roles)
    if problems:
        raise ConfigError(problems)
