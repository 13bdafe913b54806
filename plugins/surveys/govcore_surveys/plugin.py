"""The govcore hooks of govcore-surveys (registered through the entry point ``surveys``)."""

from __future__ import annotations

from pathlib import Path

from govcore import ActionSpec, KpiSource, SubjectKind, hookimpl
from govcore_surveys.actions import ACTION
from govcore_surveys.source import SOURCE
from govcore_surveys.subjects import KIND

RULES_DIR = Path(__file__).resolve().parent / "rules"


@hookimpl
def govcore_kpi_sources() -> list[KpiSource]:
    return [SOURCE]


@hookimpl
def govcore_subject_kinds() -> list[SubjectKind]:
    return [KIND]


@hookimpl
def govcore_actions() -> list[ActionSpec]:
    return [ACTION]


@hookimpl
def govcore_rule_files() -> list[Path]:
    return [RULES_DIR / "surveys.yaml"]
