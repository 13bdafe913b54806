"""The govcore hooks of govcore-jobindsats (registered through the entry point ``jobindsats``)."""

from __future__ import annotations

from govcore import KpiSource, hookimpl
from govcore_jobindsats.source import SOURCE_SPEC


@hookimpl
def govcore_kpi_sources() -> list[KpiSource]:
    return [SOURCE_SPEC]
