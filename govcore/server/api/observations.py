"""Posting figures: a batch of observations, all or nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from govcore.server.api import MUNICIPALITY, Code
from govcore.server.auth import CurrentPrincipal, Live

router = APIRouter(prefix=MUNICIPALITY, tags=["observations"])


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    observations: list[dict[str, Any]] = Field(
        description="Rows of kpi, period, value and optionally series, municipality, source, known_at (as in an "
                    "observations CSV file).",
        examples=[[{"kpi": "jobrate", "period": "2021-04", "value": 51.5}]])


@router.post("/observations", summary="Add a batch of observations (all or nothing)")
def observations(code: Code, body: Batch, who: CurrentPrincipal, live: Live) -> dict[str, Any]:
    return live.add_observations(who, code, body.observations)
