"""The configuration a scenario file runs against, built without a configuration directory.

A scenario names the rules under test and either reuses a configuration (`config: ../vejle`) or
writes the organisation, KPIs, goals and wheel inline, in the same shapes as the configuration
files. Everything is checked with positions in the scenario file, and nothing runs unless the whole
setup — rules included — is valid, as with `govcore check`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import RootModel, ValidationError

from govcore.config import Configuration, load_config, vocabulary
from govcore.errors import GovcoreError, InputError, Problem, did_you_mean
from govcore.extension import SourceContext
from govcore.model import KPI, Deliverable, Goal, Observation, Organisation, Role, municipality
from govcore.plugins import Plugins
from govcore.rules.loader import RuleSet, expand_paths, load_rules
from govcore.sourcefile import Key, YamlDoc, validate
from govcore.wheel import Wheel

DEFAULT_MUNICIPALITY = "630"


class _Roles(RootModel[list[Role]]):
    pass


class _Kpis(RootModel[list[KPI]]):
    pass


class _Goals(RootModel[list[Goal]]):
    pass


class _Deliverables(RootModel[list[Deliverable]]):
    pass


@dataclass
class Setup:
    """A checked configuration (without observations or responses) plus what scenarios refer to."""

    config: Configuration
    rule_files: list[Path]
    event_types: frozenset[str] = field(default_factory=frozenset)  # events plugin actions record

    @property
    def rules(self) -> RuleSet:
        return self.config.rules


def _at(doc: YamlDoc, loc: Key, message: str, hint: str = "") -> Problem:
    return doc.problem(loc, message, hint=hint)


def _validated(model: type[RootModel[Any]], data: Any, doc: YamlDoc, loc: Key,
               problems: list[Problem]) -> list[Any] | None:
    if not isinstance(data, list):
        problems.append(_at(doc, loc, f"'{loc[-1]}' must be a list, each item starting with '- '"))
        return None
    try:
        return list(validate(model, data, doc, loc).root)
    except InputError as err:
        problems.extend(err.problems)
        return None


def _kpi_items(data: Any) -> Any:
    """`kpis: [jobandel]` is short for `kpis: [{id: jobandel, name: jobandel}]`."""
    if not isinstance(data, list):
        return data
    return [{"id": k, "name": k} if isinstance(k, str) else k for k in data]


def build_setup(doc: YamlDoc, data: Mapping[str, Any], base_dir: Path, plugins: Plugins, year: int | None,
                problems: list[Problem]) -> Setup | None:
    """Build the scenario file's configuration; problems go to `problems`, None when any."""
    before = len(problems)
    base: Configuration | None = None
    if "config" in data:
        base = _load_base(doc, data["config"], base_dir, plugins, year, problems)
        if base is None:
            return None
        year = year or base.year
    elif "rules" not in data:
        problems.append(_at(doc, (), "the scenario file does not say which rules it tests",
                            "add 'rules: [../goals.yaml]' (paths are relative to the scenario file), or "
                            "'config: <configuration folder>' to test that configuration's rules"))
    if year is None and base is None:
        problems.append(_at(doc, (), "the scenario file does not say which year it starts in",
                            "add e.g. 'year: 2021' at the top"))
    rule_files: list[Path] = []
    if "rules" in data:
        rule_files = _rule_paths(doc, data["rules"], base_dir, plugins, problems)
    elif base is not None:
        rule_files = list(dict.fromkeys(Path(r.file) for r in base.rules.rules))

    missing = [key for key in ("organisation", "goals", "wheel") if base is None and key not in data]
    for key in missing:
        problems.append(_at(doc, (), f"the scenario file has no '{key}'",
                            f"write the {key} here as in {key}.yaml, or reuse a configuration with "
                            "'config: <folder>'"))
    if missing or year is None:
        return None

    code = data.get("municipality", DEFAULT_MUNICIPALITY)
    try:
        muni = base.municipality if base is not None and "municipality" not in data else municipality(code)
    except ValueError as err:
        problems.append(_at(doc, ("municipality",), str(err)))
        return None

    organisation = base.organisation if base is not None else None
    if "organisation" in data:
        roles = _validated(_Roles, data["organisation"], doc, ("organisation",), problems)
        if roles is not None:
            try:
                organisation = Organisation(roles=roles)
            except ValidationError as err:
                for e in err.errors(include_url=False):
                    problems.append(_at(doc, ("organisation",), str(e["msg"]).removeprefix("Value error, "),
                                        "add at least the political committee: a role without superior"
                                        if not roles else ""))
    kpis: dict[str, KPI] = dict(base.kpis) if base is not None else {}
    if "kpis" in data:
        found = _validated(_Kpis, _kpi_items(data["kpis"]), doc, ("kpis",), problems)
        kpis = {k.id: k for k in found or []}
    deliverables = dict(base.deliverables) if base is not None else {}
    if "deliverables" in data:
        found_d = _validated(_Deliverables, data["deliverables"], doc, ("deliverables",), problems)
        deliverables = {d.id: d for d in found_d or []}
    goals = list(base.goals) if base is not None else []
    if "goals" in data:
        goals = _validated(_Goals, data["goals"], doc, ("goals",), problems) or []

    wheel = base.wheel if base is not None else None
    if "wheel" in data:
        wheel = _wheel(doc, data["wheel"], base_dir, problems)

    sources: dict[str, dict[str, Any]] = dict(base.sources) if base is not None else {}
    observations: list[Observation] = list(base.observations) if base is not None and \
        data.get("use_config_data") is True else []
    if "sources" in data:
        sources = {}
        observations = []
        raw_sources = data["sources"]
        if not isinstance(raw_sources, dict):
            problems.append(_at(doc, ("sources",), "'sources' is a mapping of plugin settings, as in "
                                "municipality.yaml", "e.g. 'sources: {budget: {file: budget.csv, areas: […]}}'"))
        else:
            _sources(doc, raw_sources, base_dir, plugins, muni, year, kpis, observations, sources, problems)

    if organisation is None or wheel is None or len(problems) > before:
        return None
    _check_references(doc, goals, kpis, organisation, deliverables, wheel, problems)
    if len(problems) > before:
        return None

    kinds = plugins.subject_kinds()
    actions = plugins.actions()
    vocab = vocabulary(plugins, wheel, kpis, organisation, deliverables, year)

    if len(problems) > before or year is None:
        return None
    try:
        rules = load_rules(rule_files, vocab)
    except InputError as err:
        problems.extend(err.problems)
        return None

    config = Configuration(
        base_dir=base_dir, municipality=muni, year=year, organisation=organisation, kpis=kpis, goals=goals,
        deliverables=deliverables, wheel=wheel, rules=rules, observations=observations, responses=[],
        sources=sources, national_goals=list(base.national_goals) if base is not None else [],
        subject_kinds={n: k for n, (_, k) in kinds.items()}, actions={n: a for n, (_, a) in actions.items()},
        plugins=plugins, files={},
    )
    events = frozenset(t for _, a in actions.values() for t in a.events)
    return Setup(config=config, rule_files=rule_files, event_types=events)


def _load_base(doc: YamlDoc, value: Any, base_dir: Path, plugins: Plugins, year: int | None,
               problems: list[Problem]) -> Configuration | None:
    if not isinstance(value, str):
        problems.append(_at(doc, ("config",), "'config' is the path of a configuration folder",
                            "e.g. 'config: ../../examples/vejle'"))
        return None
    path = (base_dir / value) if not Path(value).is_absolute() else Path(value)
    if not path.exists():
        problems.append(_at(doc, ("config",), f"the configuration '{value}' does not exist ({path})",
                            "the path is relative to the scenario file"))
        return None
    try:
        return load_config(path, plugins=plugins, year=year)
    except InputError as err:
        problems.append(_at(doc, ("config",), f"the configuration '{value}' has problems (listed below)"))
        problems.extend(err.problems)
    except GovcoreError as err:
        problems.append(_at(doc, ("config",), f"the configuration '{value}' cannot be loaded: {err}"))
    return None


def _wheel(doc: YamlDoc, value: Any, base_dir: Path, problems: list[Problem]) -> Wheel | None:
    try:
        if isinstance(value, str):
            path = base_dir / value
            if not path.exists():
                problems.append(_at(doc, ("wheel",), f"the wheel file '{value}' does not exist",
                                    "the path is relative to the scenario file"))
                return None
            return Wheel.load(path)
        if not isinstance(value, dict):
            problems.append(_at(doc, ("wheel",), "'wheel' is a wheel (milestones, followups) or the path of a "
                                "wheel file", "see docs/wheel.md"))
            return None
        return validate(Wheel, value, doc, ("wheel",))
    except InputError as err:
        problems.extend(err.problems)
    return None


def _sources(doc: YamlDoc, raw: Mapping[str, Any], base_dir: Path, plugins: Plugins, muni: Any, year: int,
             kpis: dict[str, KPI], observations: list[Observation], sources: dict[str, dict[str, Any]],
             problems: list[Problem]) -> None:
    """Plugin sources as in municipality.yaml: their KPIs are declared and their files read."""
    available = plugins.kpi_sources()
    for name, settings in raw.items():
        if name not in available:
            problems.append(_at(doc, ("sources", name), f"no installed plugin provides the KPI source '{name}'",
                                did_you_mean(name, available) or "see `govcore plugins`"))
            continue
        if not isinstance(settings, dict):
            problems.append(_at(doc, ("sources", name), f"the settings of '{name}' must be a mapping"))
            continue
        sources[name] = dict(settings)
        src = available[name][1]
        ctx = SourceContext(municipality=muni, base_dir=base_dir, settings=settings, year=year)
        try:
            for k in src.kpis(ctx):
                kpis.setdefault(k.id, k)
            observations.extend(src.load(ctx))
        except InputError as err:
            for p in err.problems:
                if p.file:
                    problems.append(p)
                else:
                    line, col = doc.where(("sources", name))
                    problems.append(Problem(doc.path, line, col, p.message, field=p.field or f"sources.{name}",
                                            hint=p.hint))
        except Exception as err:  # a plugin's bug is reported with its name, not as a traceback
            problems.append(_at(doc, ("sources", name), f"the plugin source '{name}' failed: "
                                f"{type(err).__name__}: {err}"))


def _rule_paths(doc: YamlDoc, value: Any, base_dir: Path, plugins: Plugins,
                problems: list[Problem]) -> list[Path]:
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list) or not entries:
        problems.append(_at(doc, ("rules",), "'rules' lists the rule files under test",
                            "e.g. 'rules: [../goals.yaml]'; paths and patterns are relative to the scenario file"))
        return []
    out: list[Path] = []
    for k, entry in enumerate(entries):
        loc: Key = ("rules", k) if isinstance(value, list) else ("rules",)
        if not isinstance(entry, str):
            problems.append(_at(doc, loc, "a rule file is given by its path, e.g. '../goals.yaml'"))
            continue
        if entry.startswith("plugin:"):
            try:
                found = plugins.rule_files(entry.split(":", 1)[1])
            except GovcoreError as err:
                problems.append(_at(doc, loc, str(err)))
                continue
            if not found:
                problems.append(_at(doc, loc, f"the plugin '{entry[7:]}' has no rule files"))
            out.extend(found)
            continue
        try:
            out.extend(expand_paths([entry], base_dir))
        except InputError as err:
            for p in err.problems:
                problems.append(_at(doc, loc, f"'{entry}': {p.message}",
                                    p.hint.replace(str(base_dir), "the scenario file's folder") if p.hint
                                    else "paths are relative to the scenario file"))
    return list(dict.fromkeys(out))


def _check_references(doc: YamlDoc, goals: list[Goal], kpis: Mapping[str, KPI], org: Organisation,
                      deliverables: Mapping[str, Deliverable], wheel: Wheel, problems: list[Problem]) -> None:
    roles = {r.id for r in org.roles}
    ids = [g.id for g in goals]
    for i, g in enumerate(goals):
        if ids.count(g.id) > 1 and ids.index(g.id) != i:
            problems.append(_at(doc, ("goals", i, "id"), f"goal id '{g.id}' is used twice"))
        if g.kpi and g.kpi not in kpis:
            problems.append(_at(doc, ("goals", i, "kpi"), f"no KPI has the id '{g.kpi}'",
                                did_you_mean(g.kpi, kpis) or "add it under 'kpis:'"))
        if g.owner not in roles:
            problems.append(_at(doc, ("goals", i, "owner"), f"no role has the id '{g.owner}'",
                                did_you_mean(g.owner, roles)))
        if g.parent and g.parent not in ids:
            problems.append(_at(doc, ("goals", i, "parent"), f"no goal has the id '{g.parent}'",
                                did_you_mean(g.parent, ids)))
    for j, d in enumerate(deliverables.values()):
        if d.owner not in roles:
            problems.append(_at(doc, ("deliverables", j, "owner"), f"no role has the id '{d.owner}'",
                                did_you_mean(d.owner, roles)))
    problems.extend(wheel.check_roles(roles))
    for ident, item in wheel.definitions().items():
        for name in item.deliverables:
            if name not in deliverables:
                problems.append(_at(doc, ("wheel",), f"the wheel event '{ident}' names the deliverable '{name}', "
                                    "which is not listed under 'deliverables'", did_you_mean(name, deliverables)))


def first_year(data: Mapping[str, Any]) -> int | None:
    """The file's year: `year`, or the year of `start`, when given."""
    year = data.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        return year
    start = data.get("start", data.get("from"))
    if isinstance(start, dt.date):
        return start.year
    return None
