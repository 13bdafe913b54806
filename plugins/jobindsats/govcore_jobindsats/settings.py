"""The `sources: {jobindsats: ...}` section of a municipality configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govcore import validate_settings
from govcore_jobindsats.i18n import _

SECTION = "sources.jobindsats"
KPI_ID = r"^jobindsats:[a-z0-9][a-z0-9_.-]*$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
PeriodKind = Literal["month", "quarter", "rolling_year", "year"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class KpiSettings(_Model):
    """One KPI read from one Jobindsats table: a measurement under fixed dimension selections."""

    id: str = Field(pattern=KPI_ID, max_length=120)
    name: str = Field(min_length=1)
    table: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    measurement: str = Field(min_length=1)
    period: PeriodKind = "month"
    select: dict[str, str] = Field(default_factory=dict)
    unit: str = ""
    higher_is_better: bool = True


class RankingSettings(_Model):
    """The national benchmark ranking (Y30R21, "Placering på benchmarkranglisten") as the `rank`
    series of a KPI, which rank targets ("top 20 i landet") read."""

    kpi: str = Field(default="jobindsats:benchmark", pattern=KPI_ID)
    table: str = "Y30R21"
    measurement: str = "Placering på benchmarkranglisten"
    group_dimension: str = "_ygrp_y30r21"
    group: str = "Ydelsesgrupper i alt"
    period: PeriodKind = "rolling_year"


class MeasurementSettings(_Model):
    """How a ministermål measurement (MM17…) is read. Without `table`, the table is found in the
    Jobindsats table catalogue (the table whose measurements list the id); `table` (with
    `measurement`, the column's name) overrides that. Without `period`, the table's own period
    codes decide (months before quarters, rolling years and years); without `select`, each
    dimension's default value (its "i alt") is selected."""

    table: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]+$")
    measurement: str | None = Field(default=None, min_length=1)
    period: PeriodKind | None = None
    select: dict[str, str] = Field(default_factory=dict)
    unit: str = ""
    higher_is_better: bool = True

    @model_validator(mode="after")
    def _table_and_measurement(self) -> MeasurementSettings:
        if self.table is not None and self.measurement is None:
            raise ValueError(_("a measurement with a table also needs `measurement` (the column's name in the table)"))
        if self.table is None and self.measurement is not None:
            raise ValueError(_("`measurement` names a column of `table`: give both, or neither to find the table "
                               "in the Jobindsats catalogue"))
        return self


class JobindsatsSettings(_Model):
    api: Literal["v2", "v3"] = "v2"
    key_env: str = Field(default="JOBINDSATS_API_KEY", pattern=ENV_NAME)
    auth: Literal["raw", "bearer"] | None = None
    base_url: str = Field(default="https://api.jobindsats.dk", pattern=r"^https?://")
    first_year: int | None = Field(default=None, ge=2000, le=2100)
    benchmarks: list[Literal["national", "region"]] = Field(default_factory=list)
    kpis: list[KpiSettings] = Field(default_factory=list)
    ranking: RankingSettings | None = None
    ministermaal: bool = False
    measurements: dict[str, MeasurementSettings] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> JobindsatsSettings:
        seen: set[str] = set()
        for k in self.kpis:
            if k.id in seen:
                raise ValueError(_("two KPIs have the id '{id}'").format(id=k.id))
            seen.add(k.id)
        if not self.kpis and self.ranking is None and not self.ministermaal:
            raise ValueError(_("nothing to fetch: list kpis, a ranking, or set ministermaal: true"))
        return self

    @property
    def authorization(self) -> str:
        """How the key is sent: v3 wants `Bearer <key>`; v2 clients in use send the raw key."""
        return self.auth or ("bearer" if self.api == "v3" else "raw")


def parse_settings(settings: Mapping[str, Any]) -> JobindsatsSettings:
    return validate_settings(JobindsatsSettings, settings, SECTION)
