"""The plugin's sections of municipality.yaml: `sources.initiatives`, `sources.offers`, `sources.flows`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govcore import validate_settings
from govcore_initiatives.i18n import _


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class InitiativeSettings(_Model):
    file: str = Field(min_length=1)
    followup: str | None = Field(default=None, min_length=1)


class Weights(_Model):
    """How much each effect counts in an offer's score (normalised to sum 1)."""

    employment: float = Field(default=0.5, ge=0)
    progression: float = Field(default=0.3, ge=0)
    satisfaction: float = Field(default=0.2, ge=0)

    @model_validator(mode="after")
    def _some(self) -> Weights:
        if self.employment + self.progression + self.satisfaction <= 0:
            raise ValueError(_("at least one weight must be above 0"))
        return self

    def normalised(self) -> tuple[float, float, float]:
        total = self.employment + self.progression + self.satisfaction
        return self.employment / total, self.progression / total, self.satisfaction / total


class OfferSettings(_Model):
    file: str = Field(min_length=1)
    weights: Weights = Field(default_factory=Weights)
    owner: str | None = Field(default=None, min_length=1)
    months: int = Field(default=6, ge=1, le=36)
    per_kroner: float = Field(default=10_000.0, gt=0)


class FlowSettings(_Model):
    file: str = Field(min_length=1)
    groups: dict[str, str] = Field(default_factory=dict)


def initiative_settings(settings: Mapping[str, Any]) -> InitiativeSettings:
    return validate_settings(InitiativeSettings, settings, "sources.initiatives")


def offer_settings(settings: Mapping[str, Any]) -> OfferSettings:
    return validate_settings(OfferSettings, settings, "sources.offers")


def flow_settings(settings: Mapping[str, Any]) -> FlowSettings:
    return validate_settings(FlowSettings, settings, "sources.flows")
