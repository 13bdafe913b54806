"""`govcore rules test`: scenario files that run rules over simulated time and check what follows.

An administrator writes what happens (figures on dates, deliveries, responses) and what must or
must not follow (a deviation on a date, a corrective action demanded of an owner with a due date,
an escalation to a superior). The engine runs the scenario on its own clock, and every difference
is reported with the field that differs, why an expected event did not happen, and what happened
around it. The format is documented in docs/rule-testing.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govcore.ruletest.runner import CaseResult, Coverage, Failure, FileResult, Report, run_file, run_files
    from govcore.ruletest.scenario import Case, Expectation, ScenarioFile, load_scenario_file

# Loaded on first use, so that registering the `rules test` command does not load the engine.
_LAZY = {**dict.fromkeys(["CaseResult", "Coverage", "Failure", "FileResult", "Report", "run_file", "run_files"],
                         "govcore.ruletest.runner"),
         **dict.fromkeys(["Case", "Expectation", "ScenarioFile", "load_scenario_file"], "govcore.ruletest.scenario")}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'govcore.ruletest' has no attribute '{name}'")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value

__all__ = [
    "Case",
    "CaseResult",
    "Coverage",
    "Expectation",
    "Failure",
    "FileResult",
    "Report",
    "ScenarioFile",
    "load_scenario_file",
    "run_file",
    "run_files",
]
