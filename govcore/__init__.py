"""govcore: a rule-driven governance engine for Danish municipalities.

The public API is what this module exports; everything else is internal and may change.
"""

from govcore.calendar import DanishCalendar
from govcore.charts import Bar, Line, bar_chart, goal_chart, line_chart
from govcore.config import Configuration, Response, load_config
from govcore.engine import Engine, EngineEvent
from govcore.errors import ConfigError, GovcoreError, InputError, PluginError, Problem, RuleError
from govcore.extension import (
    ActionContext,
    ActionSpec,
    FieldSpec,
    KpiSource,
    ReportSection,
    ReportSectionSpec,
    SourceContext,
    Subject,
    SubjectContext,
    SubjectKind,
)
from govcore.hookspecs import hookimpl
from govcore.model import (
    KPI,
    CorrectiveAction,
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
from govcore.simulate import SimulationResult, simulate
from govcore.sourcefile import CsvRow, load_yaml, read_csv, read_text, validate_settings
from govcore.sourcefile import validate as validate_yaml
from govcore.text import danish_number
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
    "Deliverable",
    "Deviation",
    "Engine",
    "EngineEvent",
    "Escalation",
    "FieldSpec",
    "Frequency",
    "Goal",
    "GovcoreError",
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
    "danish_number",
    "goal_chart",
    "hookimpl",
    "line_chart",
    "load_config",
    "load_plugins",
    "load_yaml",
    "municipalities",
    "municipality",
    "read_csv",
    "read_text",
    "render_template",
    "simulate",
    "validate_settings",
    "validate_yaml",
]
