"""Finding plugins and calling their hooks without letting one broken plugin take the rest down."""

from __future__ import annotations

import importlib.metadata as md
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from govcore import hookspecs
from govcore.errors import GovcoreError, PluginError
from govcore.extension import ActionSpec, KpiSource, ReportSectionSpec, SubjectKind
from govcore.i18n import N_, _
from govcore.model import NationalGoal, WheelEvent

ENTRY_POINT_GROUP = "govcore"


@dataclass
class Plugins:
    """The plugin manager plus what went wrong while loading or calling plugins."""

    pm: pluggy.PluginManager
    failures: list[PluginError] = field(default_factory=list)

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object or module in code (when embedding govcore)."""
        self.pm.register(plugin, name=name)

    def names(self) -> list[str]:
        return sorted(n for n, p in self.pm.list_name_plugin() if p is not None and n is not None)

    def call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook on every plugin separately; a plugin that raises is recorded, not fatal."""
        caller = getattr(self.pm.hook, hook)
        results: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):
            name = impl.plugin_name
            try:
                result = impl.function(**{a: kwargs[a] for a in impl.argnames})
            except Exception as err:  # a plugin's bug must not stop the others
                failure = PluginError(name, hook, err)
                if not any(str(f) == str(failure) for f in self.failures):
                    self.failures.append(failure)
                continue
            if result is not None:
                results.append((name, result))
        return results

    def collect(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Flatten list-returning hooks into (plugin, item) pairs."""
        return [(name, item) for name, items in self.call(hook, **kwargs) for item in items]

    def kpi_sources(self) -> dict[str, tuple[str, KpiSource]]:
        return _unique(self.collect("govcore_kpi_sources"), lambda s: s.name,
                       N_("the KPI source '{name}' is provided twice: by '{first}' and '{second}'"))

    def subject_kinds(self) -> dict[str, tuple[str, SubjectKind]]:
        return _unique(self.collect("govcore_subject_kinds"), lambda s: s.name,
                       N_("the subject kind '{name}' is provided twice: by '{first}' and '{second}'"))

    def actions(self) -> dict[str, tuple[str, ActionSpec]]:
        return _unique(self.collect("govcore_actions"), lambda s: s.name,
                       N_("the action '{name}' is provided twice: by '{first}' and '{second}'"))

    def report_sections(self) -> dict[str, tuple[str, ReportSectionSpec]]:
        return _unique(self.collect("govcore_report_sections"), lambda s: s.name,
                       N_("the report section '{name}' is provided twice: by '{first}' and '{second}'"))

    def national_goals(self, year: int) -> tuple[str, list[NationalGoal]] | None:
        answers = [(n, g) for n, g in self.call("govcore_national_goals", year=year) if g]
        if len(answers) > 1:
            raise GovcoreError(
                _("two plugins provide national goals for {year}: {plugins}").format(
                    year=year, plugins=", ".join(n for n, _answer in answers)))
        return answers[0] if answers else None

    def rule_files(self, plugin: str) -> list[Path]:
        impls = [i for i in self.pm.hook.govcore_rule_files.get_hookimpls() if i.plugin_name == plugin]
        if not impls and plugin not in self.names():
            raise GovcoreError(_("no plugin named '{plugin}' is installed (installed: {names})").format(
                plugin=plugin, names=", ".join(self.names())))
        return [Path(p) for n, files in self.call("govcore_rule_files") if n == plugin for p in files]

    def wheel_events(self, year: int) -> list[tuple[str, WheelEvent]]:
        return self.collect("govcore_wheel_events", year=year)

    def describe(self) -> list[dict[str, Any]]:
        """What each plugin contributes, for `govcore plugins`."""
        out = []
        for name in self.names():
            plugin = self.pm.get_plugin(name)
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            dist = _dist_of(plugin)
            item: dict[str, Any] = {"name": name, "distribution": dist, "hooks": hooks}
            if "govcore_kpi_sources" in hooks:
                item["kpi_sources"] = [s.name for n, s in self.collect("govcore_kpi_sources") if n == name]
            if "govcore_subject_kinds" in hooks:
                item["subject_kinds"] = [s.name for n, s in self.collect("govcore_subject_kinds") if n == name]
            if "govcore_actions" in hooks:
                item["actions"] = [s.name for n, s in self.collect("govcore_actions") if n == name]
            if "govcore_report_sections" in hooks:
                item["report_sections"] = [s.name for n, s in self.collect("govcore_report_sections") if n == name]
            if "govcore_rule_files" in hooks:
                item["rule_files"] = [Path(p).name for p in self.rule_files(name)]
            if "govcore_national_goals" in hooks:
                item["national_goal_years"] = [
                    y for y in range(2010, 2041)
                    if any(n == name and g for n, g in self.call("govcore_national_goals", year=y))
                ]
            out.append(item)
        return out


def _dist_of(plugin: object) -> str:
    module = getattr(plugin, "__name__", type(plugin).__module__).split(".")[0]
    for dist in md.packages_distributions().get(module, []):
        try:
            return f"{dist} {md.version(dist)}"
        except md.PackageNotFoundError:
            continue
    return _("(registered in code)")


def _unique(pairs: list[tuple[str, Any]], key: Callable[[Any], str], what: str) -> dict[str, tuple[str, Any]]:
    out: dict[str, tuple[str, Any]] = {}
    for plugin, item in pairs:
        name = key(item)
        if name in out:
            raise GovcoreError(_(what).format(name=name, first=out[name][0], second=plugin))
        out[name] = (plugin, item)
    return out


def load_plugins(entry_points: bool = True) -> Plugins:
    """A plugin manager with every installed plugin; import failures are recorded, not raised."""
    pm = pluggy.PluginManager("govcore")
    pm.add_hookspecs(hookspecs)
    plugins = Plugins(pm)
    if entry_points:
        for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if pm.get_plugin(ep.name) is not None:
                continue
            try:
                obj = ep.load()
            except Exception as err:  # an uninstallable plugin is reported, the rest keep working
                plugins.failures.append(PluginError(ep.name, "import", err))
                continue
            try:
                pm.register(obj, name=ep.name)
            except Exception as err:
                plugins.failures.append(PluginError(ep.name, "register", err))
    return plugins
