"""govcore: a rule-driven governance engine for Danish municipalities.

The public API is what this module exports; everything else is internal and may change.
"""

from govcore.calendar import DanishCalendar
from govcore.charts import Bar, Line, bar_chart, goal_chart, line_chart
from govcore.config import Configuration, Response, load_config
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
from govcore.hookspecs import hookimpl
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
from govcore.sourcefile import CsvRow, csv_header, load_yaml, read_csv, read_text, sniff_delimiter, validate_settings
from govcore.sourcefile import validate as validate_yaml
from govcore.text import danish_number, normalise_name, parse_number
from govcore.text import render as render_template
from govcore.wheel import Wheel

__version__ = "0.1.0"

__all__ = [
    "KPI",
    "ActionContext",
    "ActionSpec",
    "Bar",
    "ConfigError",
    "Configuration",
    "CorrectiveAction",
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
    "Wheel",
    "WheelEvent",
    "__version__",
    "bar_chart",
    "csv_header",
    "danish_number",
    "did_you_mean",
    "goal_chart",
    "hookimpl",
    "in_force",
    "line_chart",
    "load_config",
    "load_plugins",
    "load_yaml",
    "municipalities",
    "municipality",
    "normalise_name",
    "parse_number",
    "read_csv",
    "read_text",
    "render_template",
    "secret_from_env",
    "simulate",
    "sniff_delimiter",
    "validate_settings",
    "validate_yaml",
]
