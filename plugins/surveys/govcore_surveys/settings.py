"""The `sources: {surveys: ...}` section of a municipality configuration."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govcore import SourceContext, validate_settings
from govcore_surveys.i18n import _
from govcore_surveys.stats import Z_CRITICAL

SECTION = "sources.surveys"
AREA_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AreaSettings(_Model):
    title: str = ""
    owner: str | None = Field(default=None, min_length=1)
    threshold: float | None = Field(default=None, ge=0, le=100)


class SurveySettings(_Model):
    file: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    threshold: float = Field(default=70.0, ge=0, le=100)
    z_critical: float = Field(default=Z_CRITICAL, gt=0)
    areas: dict[str, AreaSettings] = Field(default_factory=dict)

    @field_validator("areas", mode="before")
    @classmethod
    def _areas(cls, v: Any) -> Any:
        if not isinstance(v, Mapping):
            return v
        for key in v:
            if not AREA_ID.match(str(key)):
                raise ValueError(_("'{key}' is not an area id: use lower-case letters, digits, '-' and '_'").format(
                    key=key))
        return {k: ({} if a is None else a) for k, a in v.items()}

    def path(self, ctx: SourceContext) -> Path:
        """The data file, which must lie inside the configuration folder."""
        return ctx.path(self.file, f"{SECTION}.file")

    def title(self, area: str) -> str:
        a = self.areas.get(area)
        return a.title if a and a.title else area

    def owner_of(self, area: str) -> str:
        a = self.areas.get(area)
        return a.owner if a and a.owner else self.owner

    def threshold_of(self, area: str) -> float:
        a = self.areas.get(area)
        return a.threshold if a and a.threshold is not None else self.threshold


def parse_settings(settings: Mapping[str, Any]) -> SurveySettings:
    """Validate the settings; every problem is reported with its place under `sources.surveys`."""
    return validate_settings(SurveySettings, settings, SECTION)
