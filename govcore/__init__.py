"""govcore: a rule-driven governance engine for Danish municipalities.

The public API is what this module exports; everything else is internal and may change.
"""

from govcore.errors import ConfigError, GovcoreError, InputError, PluginError, Problem, RuleError
from govcore.extension import (
    ActionContext,
    ActionSpec,
    FieldSpec,
    KpiSource,
    SourceContext,
    Subject,
    SubjectContext,
    SubjectKind,
)
from govcore.hookspecs import hookimpl
from govcore.model import (
    KPI,
    Frequency,
    Goal,
    Level,
    NationalGoal,
    Observation,
    Organisation,
    Period,
    Role,
    Status,
    WheelEvent,
)
from govcore.observations import ObservationStore, ObservationView
from govcore.sourcefile import CsvRow, load_yaml, read_csv
from govcore.sourcefile import validate as validate_yaml

__version__ = "0.1.0"

__all__ = [
    "KPI",
    "ActionContext",
    "ActionSpec",
    "ConfigError",
    "CsvRow",
    "FieldSpec",
    "Frequency",
    "Goal",
    "GovcoreError",
    "InputError",
    "KpiSource",
    "Level",
    "NationalGoal",
    "Observation",
    "ObservationStore",
    "ObservationView",
    "Organisation",
    "Period",
    "PluginError",
    "Problem",
    "Role",
    "RuleError",
    "SourceContext",
    "Status",
    "Subject",
    "SubjectContext",
    "SubjectKind",
    "WheelEvent",
    "__version__",
    "hookimpl",
    "load_yaml",
    "read_csv",
    "validate_yaml",
]
