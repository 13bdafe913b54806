"""The govcore hooks of govcore-budget (registered through the entry point ``budget``)."""

from __future__ import annotations

from pathlib import Path

from govcore import KpiSource, SubjectKind, hookimpl
from govcore_budget.source import SOURCE
from govcore_budget.subjects import KIND

RULES_DIR = Path(__file__).resolve().parent / "rules"


@hookimpl
def govcore_kpi_sources() -> list[KpiSource]:
    return [SOURCE]


@hookimpl
def govcore_subject_kinds() -> list[SubjectKind]:
    return [KIND]


@hookimpl
def govcore_rule_files() -> list[Path]:
    return [RULES_DIR / "budget-controls.yaml"]
