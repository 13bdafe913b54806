"""govcore: a rule-driven governance engine for Danish municipalities.

The public API is what this module exports; everything else is internal and may change.

Names load on first use (PEP 562): `govcore --help`, and a plugin importing one name, do not pay
for the engine, the calendar libraries and the models they do not use. Type checkers see the
imports below as usual.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govcore.calendar import DanishCalendar
    from govcore.charts import Bar, Line, bar_chart, goal_chart, line_chart
    from govcore.config import Configuration, Response, load_config, prepare
    from govcore.csvtext import CsvRecords, sniff_delimiter
    from govcore.engine import Engine, EngineEvent
    from govcore.errors import ConfigError, GovcoreError, InputError, PluginError, Problem, RuleError, did_you_mean
    from govcore.extension import (
        ActionContext,
        ActionSpec,
        FetchContext,
        FetchedTable,
        FieldSpec,
        KpiSource,
        ReportSection,
        ReportSectionSpec,
        SourceContext,
        Subject,
        SubjectContext,
        SubjectKind,
        in_force,
    )
    from govcore.formatting import danish_date, danish_number, percent
    from govcore.hookspecs import hookimpl
    from govcore.i18n import N_, Translations, language, translations, use_language
    from govcore.model import (
        KPI,
        CorrectiveAction,
        Decision,
        Deliverable,
        Deviation,
        Escalation,
        Frequency,
        Goal,
        Level,
        Municipality,
        NationalGoal,
        Observation,
        Organisation,
        Period,
        Role,
        Status,
        TargetResult,
        WheelEvent,
        municipalities,
        municipality,
    )
    from govcore.observations import ObservationStore, ObservationView
    from govcore.plugins import Plugins, load_plugins
    from govcore.remote import FetchError, Http, Reply, secret_from_env
    from govcore.simulate import SimulationResult, simulate
    from govcore.sourcefile import (
        CsvRow,
        csv_header,
        load_yaml,
        read_csv,
        read_text,
        validate_settings,
    )
    from govcore.sourcefile import validate as validate_yaml
    from govcore.text import normalise_name, parse_number
    from govcore.text import render as render_template
    from govcore.wheel import Wheel

__version__ = "0.1.0"

# public name -> (module, name in that module)
_LAZY: dict[str, tuple[str, str]] = {
    "DanishCalendar": ("govcore.calendar", "DanishCalendar"),
    "Bar": ("govcore.charts", "Bar"),
    "Line": ("govcore.charts", "Line"),
    "bar_chart": ("govcore.charts", "bar_chart"),
    "goal_chart": ("govcore.charts", "goal_chart"),
    "line_chart": ("govcore.charts", "line_chart"),
    "Configuration": ("govcore.config", "Configuration"),
    "Response": ("govcore.config", "Response"),
    "load_config": ("govcore.config", "load_config"),
    "prepare": ("govcore.config", "prepare"),
    "Engine": ("govcore.engine", "Engine"),
    "EngineEvent": ("govcore.engine", "EngineEvent"),
    "ConfigError": ("govcore.errors", "ConfigError"),
    "GovcoreError": ("govcore.errors", "GovcoreError"),
    "InputError": ("govcore.errors", "InputError"),
    "PluginError": ("govcore.errors", "PluginError"),
    "Problem": ("govcore.errors", "Problem"),
    "RuleError": ("govcore.errors", "RuleError"),
    "did_you_mean": ("govcore.errors", "did_you_mean"),
    "ActionContext": ("govcore.extension", "ActionContext"),
    "ActionSpec": ("govcore.extension", "ActionSpec"),
    "FetchContext": ("govcore.extension", "FetchContext"),
    "FetchedTable": ("govcore.extension", "FetchedTable"),
    "FieldSpec": ("govcore.extension", "FieldSpec"),
    "KpiSource": ("govcore.extension", "KpiSource"),
    "ReportSection": ("govcore.extension", "ReportSection"),
    "ReportSectionSpec": ("govcore.extension", "ReportSectionSpec"),
    "SourceContext": ("govcore.extension", "SourceContext"),
    "Subject": ("govcore.extension", "Subject"),
    "SubjectContext": ("govcore.extension", "SubjectContext"),
    "SubjectKind": ("govcore.extension", "SubjectKind"),
    "in_force": ("govcore.extension", "in_force"),
    "hookimpl": ("govcore.hookspecs", "hookimpl"),
    "N_": ("govcore.i18n", "N_"),
    "Translations": ("govcore.i18n", "Translations"),
    "language": ("govcore.i18n", "language"),
    "translations": ("govcore.i18n", "translations"),
    "use_language": ("govcore.i18n", "use_language"),
    "KPI": ("govcore.model", "KPI"),
    "CorrectiveAction": ("govcore.model", "CorrectiveAction"),
    "Decision": ("govcore.model", "Decision"),
    "Deliverable": ("govcore.model", "Deliverable"),
    "Deviation": ("govcore.model", "Deviation"),
    "Escalation": ("govcore.model", "Escalation"),
    "Frequency": ("govcore.model", "Frequency"),
    "Goal": ("govcore.model", "Goal"),
    "Level": ("govcore.model", "Level"),
    "Municipality": ("govcore.model", "Municipality"),
    "NationalGoal": ("govcore.model", "NationalGoal"),
    "Observation": ("govcore.model", "Observation"),
    "Organisation": ("govcore.model", "Organisation"),
    "Period": ("govcore.model", "Period"),
    "Role": ("govcore.model", "Role"),
    "Status": ("govcore.model", "Status"),
    "TargetResult": ("govcore.model", "TargetResult"),
    "WheelEvent": ("govcore.model", "WheelEvent"),
    "municipalities": ("govcore.model", "municipalities"),
    "municipality": ("govcore.model", "municipality"),
    "ObservationStore": ("govcore.observations", "ObservationStore"),
    "ObservationView": ("govcore.observations", "ObservationView"),
    "Plugins": ("govcore.plugins", "Plugins"),
    "load_plugins": ("govcore.plugins", "load_plugins"),
    "FetchError": ("govcore.remote", "FetchError"),
    "Http": ("govcore.remote", "Http"),
    "Reply": ("govcore.remote", "Reply"),
    "secret_from_env": ("govcore.remote", "secret_from_env"),
    "SimulationResult": ("govcore.simulate", "SimulationResult"),
    "simulate": ("govcore.simulate", "simulate"),
    "CsvRecords": ("govcore.csvtext", "CsvRecords"),
    "CsvRow": ("govcore.sourcefile", "CsvRow"),
    "csv_header": ("govcore.sourcefile", "csv_header"),
    "load_yaml": ("govcore.sourcefile", "load_yaml"),
    "read_csv": ("govcore.sourcefile", "read_csv"),
    "read_text": ("govcore.sourcefile", "read_text"),
    "sniff_delimiter": ("govcore.csvtext", "sniff_delimiter"),
    "validate_settings": ("govcore.sourcefile", "validate_settings"),
    "validate_yaml": ("govcore.sourcefile", "validate"),
    "danish_date": ("govcore.formatting", "danish_date"),
    "danish_number": ("govcore.formatting", "danish_number"),
    "percent": ("govcore.formatting", "percent"),
    "normalise_name": ("govcore.text", "normalise_name"),
    "parse_number": ("govcore.text", "parse_number"),
    "render_template": ("govcore.text", "render"),
    "Wheel": ("govcore.wheel", "Wheel"),
}


class _Package(types.ModuleType):
    """`simulate` is both a public function and the submodule holding it. Importing the submodule
    would set the package's attribute to the module; as when it was imported eagerly here, the
    name stays the function."""

    @property
    def simulate(self) -> Any:
        from govcore.simulate import simulate

        return simulate

    @simulate.setter
    def simulate(self, value: Any) -> None:
        """The import system setting the submodule: the function stays."""


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'govcore' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "KPI",
    "N_",
    "ActionContext",
    "ActionSpec",
    "Bar",
    "ConfigError",
    "Configuration",
    "CorrectiveAction",
    "CsvRecords",
    "CsvRow",
    "DanishCalendar",
    "Decision",
    "Deliverable",
    "Deviation",
    "Engine",
    "EngineEvent",
    "Escalation",
    "FetchContext",
    "FetchError",
    "FetchedTable",
    "FieldSpec",
    "Frequency",
    "Goal",
    "GovcoreError",
    "Http",
    "InputError",
    "KpiSource",
    "Level",
    "Line",
    "Municipality",
    "NationalGoal",
    "Observation",
    "ObservationStore",
    "ObservationView",
    "Organisation",
    "Period",
    "PluginError",
    "Plugins",
    "Problem",
    "Reply",
    "ReportSection",
    "ReportSectionSpec",
    "Response",
    "Role",
    "RuleError",
    "SimulationResult",
    "SourceContext",
    "Status",
    "Subject",
    "SubjectContext",
    "SubjectKind",
    "TargetResult",
    "Translations",
    "Wheel",
    "WheelEvent",
    "__version__",
    "bar_chart",
    "csv_header",
    "danish_date",
    "danish_number",
    "did_you_mean",
    "goal_chart",
    "hookimpl",
    "in_force",
    "language",
    "line_chart",
    "load_config",
    "load_plugins",
    "load_yaml",
    "municipalities",
    "municipality",
    "normalise_name",
    "parse_number",
    "percent",
    "prepare",
    "read_csv",
    "read_text",
    "render_template",
    "secret_from_env",
    "simulate",
    "sniff_delimiter",
    "translations",
    "use_language",
    "validate_settings",
    "validate_yaml",
]
