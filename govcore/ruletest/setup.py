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

from pydantic import RootModel

from govcore.config import Configuration, Located, Parts, build_configuration, decision_options, load_config
from govcore.errors import GovcoreError, InputError, Problem
from govcore.i18n import _
from govcore.model import KPI, Deliverable, Goal, Role, municipality
from govcore.plugins import Plugins
from govcore.rules.loader import RuleSet
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

    @property
    def decision_options(self) -> set[str]:
        """The options the rules' demanded decisions offer (what a `decide` response may choose)."""
        return decision_options(self.config.rules, self.config.actions)


def _at(doc: YamlDoc, loc: Key, message: str, hint: str = "") -> Problem:
    return doc.problem(loc, message, hint=hint)


def _validated(model: type[RootModel[Any]], data: Any, doc: YamlDoc, loc: Key,
               problems: list[Problem]) -> list[Any] | None:
    if not isinstance(data, list):
        problems.append(_at(doc, loc, _("'{loc}' must be a list, each item starting with '- '").format(loc=loc[-1])))
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
    """Build the scenario file's configuration; problems go to `problems`, None when any.

    The parts are read here (inline or from the reused configuration); checking and assembling
    them is `build_configuration`'s, the same code `govcore check` runs on a configuration folder.
    """
    before = len(problems)
    base: Configuration | None = None
    if "config" in data:
        base = _load_base(doc, data["config"], base_dir, plugins, year, problems)
        if base is None:
            return None
        year = year or base.year
    elif "rules" not in data:
        problems.append(_at(doc, (), _("the scenario file does not say which rules it tests"),
                            _("add 'rules: [../goals.yaml]' (paths are relative to the scenario file), or "
                              "'config: <configuration folder>' to test that configuration's rules")))
    if year is None and base is None:
        problems.append(_at(doc, (), _("the scenario file does not say which year it starts in"),
                            _("add e.g. 'year: 2021' at the top")))
    rules = data.get("rules")
    if rules is not None and (not isinstance(rules, list | str) or not rules
                              or not all(isinstance(r, str) for r in ([rules] if isinstance(rules, str) else rules))):
        problems.append(_at(doc, ("rules",), _("'rules' lists the rule files under test"),
                            _("e.g. 'rules: [../goals.yaml]'; paths and patterns are relative to the scenario "
                              "file")))

    missing = [key for key in ("organisation", "goals", "wheel") if base is None and key not in data]
    for key in missing:
        problems.append(_at(doc, (), _("the scenario file has no '{key}'").format(key=key),
                            _("write the {key} here as in {key}.yaml, or reuse a configuration with 'config: "
                              "<folder>'").format(key=key)))
    if missing or year is None:
        return None

    code = data.get("municipality", DEFAULT_MUNICIPALITY)
    try:
        muni = base.municipality if base is not None and "municipality" not in data else municipality(code)
    except ValueError as err:
        problems.append(_at(doc, ("municipality",), str(err)))
        return None

    def part(key: str, model: type[RootModel[Any]], inherited: list[Any], shape: Any = None) -> Located[Any]:
        if key not in data:
            return Located(list(inherited))
        raw = data[key] if shape is None else shape(data[key])
        return Located(_validated(model, raw, doc, (key,), problems) or [], doc, (key,))

    roles = part("organisation", _Roles, base.organisation.roles if base is not None else [])
    kpis = part("kpis", _Kpis, list(base.kpis.values()) if base is not None else [], _kpi_items)
    deliverables = part("deliverables", _Deliverables, list(base.deliverables.values()) if base is not None else [])
    goals = part("goals", _Goals, list(base.goals) if base is not None else [])
    wheel = base.wheel if base is not None else None
    if "wheel" in data:
        wheel = _wheel(doc, data["wheel"], base_dir, problems)

    own_sources = "sources" in data
    sources: dict[str, Any] = dict(base.sources) if base is not None else {}
    if own_sources:
        sources = data["sources"] if isinstance(data["sources"], dict) else {}
        if not isinstance(data["sources"], dict):
            problems.append(_at(doc, ("sources",), _("'sources' is a mapping of plugin settings, as in "
                                                     "municipality.yaml"),
                                _("e.g. 'sources: {budget: {file: budget.csv, areas: […]}}'")))
    keep_data = base is not None and not own_sources and data.get("use_config_data") is True
    if wheel is None or len(problems) > before:
        return None

    parts = Parts(
        doc=doc, base_dir=base_dir, municipality=muni, year=year, roles=roles, kpis=kpis, goals=[goals],
        deliverables=[deliverables], wheel=wheel, fallback=("config",),
        rules=Located([rules] if isinstance(rules, str) else list(rules or []), doc,
                      ("rules",) if isinstance(rules, list) else ()),
        rule_paths=None if rules is not None or base is None
        else list(dict.fromkeys(Path(r.file) for r in base.rules.rules)),
        sources=sources, load_sources=own_sources,
        observations=list(base.observations) if keep_data and base is not None else [],
        national_goals=list(base.national_goals) if base is not None else [], problems=problems,
        confine_rules=False,
    )
    if isinstance(rules, str):
        parts.rules = Located([], doc, ())
        parts.extra_rules = [rules]
    try:
        config = build_configuration(parts, plugins)
    except InputError as err:
        problems.extend(p for p in err.problems if p not in problems)
        return None
    config.files = {}
    rule_files = list(dict.fromkeys(Path(f) for f in config.rules.files))
    events = frozenset(t for a in config.actions.values() for t in a.events)
    return Setup(config=config, rule_files=rule_files, event_types=events)


def _load_base(doc: YamlDoc, value: Any, base_dir: Path, plugins: Plugins, year: int | None,
               problems: list[Problem]) -> Configuration | None:
    if not isinstance(value, str):
        problems.append(_at(doc, ("config",), _("'config' is the path of a configuration folder"),
                            _("e.g. 'config: ../../examples/vejle'")))
        return None
    path = (base_dir / value) if not Path(value).is_absolute() else Path(value)
    if not path.exists():
        problems.append(_at(doc, ("config",), _("the configuration '{value}' does not exist ({path})").format(
            value=value, path=path),
                            _("the path is relative to the scenario file")))
        return None
    try:
        return load_config(path, plugins=plugins, year=year)
    except InputError as err:
        problems.append(_at(doc, ("config",), _("the configuration '{value}' has problems (listed below)").format(
            value=value)))
        problems.extend(err.problems)
    except GovcoreError as err:
        problems.append(_at(doc, ("config",), _("the configuration '{value}' cannot be loaded: {err}").format(
            value=value, err=err)))
    return None


def _wheel(doc: YamlDoc, value: Any, base_dir: Path, problems: list[Problem]) -> Wheel | None:
    try:
        if isinstance(value, str):
            path = base_dir / value
            if not path.exists():
                problems.append(_at(doc, ("wheel",), _("the wheel file '{value}' does not exist").format(value=value),
                                    _("the path is relative to the scenario file")))
                return None
            return Wheel.load(path)
        if not isinstance(value, dict):
            problems.append(_at(doc, ("wheel",), _("'wheel' is a wheel (milestones, followups) or the path of "
                                                   "a wheel file"), _("see docs/wheel.md")))
            return None
        return validate(Wheel, value, doc, ("wheel",))
    except InputError as err:
        problems.extend(err.problems)
    return None


def first_year(data: Mapping[str, Any]) -> int | None:
    """The file's year: `year`, or the year of `start`, when given."""
    year = data.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        return year
    start = data.get("start", data.get("from"))
    if isinstance(start, dt.date):
        return start.year
    return None
