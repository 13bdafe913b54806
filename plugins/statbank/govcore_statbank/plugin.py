"""The govcore hooks of govcore-statbank (registered through the entry point ``statbank``)."""

from __future__ import annotations

from govcore import KpiSource, hookimpl
from govcore_statbank.source import SOURCE_SPEC


@hookimpl
def govcore_kpi_sources() -> list[KpiSource]:
    return [SOURCE_SPEC]
