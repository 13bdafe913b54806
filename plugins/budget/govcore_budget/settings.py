"""The `sources: {budget: ...}` section of a municipality configuration."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from govcore import SourceContext, normalise_name, validate_settings
from govcore_budget.figures import FLAT, normalise_profile
from govcore_budget.i18n import _

SECTION = "sources.budget"
FLAT_SHARES = normalise_profile(FLAT)  # an area without a profile: asked for at every follow-up
AREA_ID = r"^[a-z0-9][a-z0-9_-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AreaSettings(_Model):
    """One budget area: who owns it and how its budget is expected to be spent over the year."""

    id: str = Field(pattern=AREA_ID, max_length=60)
    title: str = ""
    owner: str = Field(min_length=1)
    effort_group: str = ""
    profile: tuple[float, ...] | None = None
    tolerance_pct: float | None = Field(default=None, ge=0)

    @field_validator("profile")
    @classmethod
    def _profile(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        return None if v is None else normalise_profile(v)

    @property
    def label(self) -> str:
        return self.title or self.id

    @property
    def shares(self) -> tuple[float, ...]:
        return self.profile or FLAT_SHARES


class BudgetSettings(_Model):
    file: str = Field(min_length=1)
    sheet: str | None = None
    areas: list[AreaSettings] = Field(min_length=1)
    tolerance_pct: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _unique(self) -> BudgetSettings:
        for attr, what in (("id", "id"), ("effort_group", "effort_group")):
            seen: dict[str, str] = {}
            for a in self.areas:
                value = getattr(a, attr)
                if not value:
                    continue
                key = normalise_name(value)
                if key in seen:
                    raise ValueError(_("two areas have the {setting} '{value}' ('{first}' and '{second}')").format(
                        setting=what, value=value, first=seen[key], second=a.id))
                seen[key] = a.id
        return self

    def tolerance(self, area: AreaSettings) -> float:
        return self.tolerance_pct if area.tolerance_pct is None else area.tolerance_pct

    def path(self, ctx: SourceContext) -> Path:
        """The data file, which must lie inside the configuration folder."""
        return ctx.path(self.file, f"{SECTION}.file")


def parse_settings(settings: Mapping[str, Any]) -> BudgetSettings:
    """Validate the settings; every problem is reported with its place under `sources.budget`."""
    return validate_settings(BudgetSettings, settings, SECTION)
