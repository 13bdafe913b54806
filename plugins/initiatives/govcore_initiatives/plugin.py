"""The govcore hooks of govcore-initiatives (registered through the entry point ``initiatives``)."""

from __future__ import annotations

from pathlib import Path

from govcore import ActionSpec, KpiSource, ReportSectionSpec, SubjectKind, hookimpl
from govcore_initiatives import flows, initiatives, offers
from govcore_initiatives.actions import ACTION
from govcore_initiatives.sections import SECTIONS

RULES_DIR = Path(__file__).resolve().parent / "rules"


@hookimpl
def govcore_kpi_sources() -> list[KpiSource]:
    return [initiatives.SOURCE, offers.SOURCE, flows.SOURCE]


@hookimpl
def govcore_subject_kinds() -> list[SubjectKind]:
    return [initiatives.KIND, offers.KIND]


@hookimpl
def govcore_actions() -> list[ActionSpec]:
    return [ACTION]


@hookimpl
def govcore_rule_files() -> list[Path]:
    return [RULES_DIR / "initiatives.yaml"]


@hookimpl
def govcore_report_sections() -> list[ReportSectionSpec]:
    return list(SECTIONS)
