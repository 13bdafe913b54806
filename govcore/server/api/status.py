"""Reading a municipality's live run: goals, deviations, escalations, deliverables, the wheel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from govcore.server.api import MUNICIPALITY, Code
from govcore.server.auth import CurrentPrincipal, Live

router = APIRouter(prefix=MUNICIPALITY, tags=["status"])


@router.get("/goals", summary="Every goal with its status as of now and why")
def goals(code: Code, who: CurrentPrincipal, live: Live) -> dict[str, Any]:
    return live.goals(who, code)


@router.get("/deviations", summary="Deviations (afvigelser), all or by state")
def deviations(code: Code, who: CurrentPrincipal, live: Live,
               state: Annotated[str | None, Query(description="open, closed or all")] = None) -> list[dict[str, Any]]:
    return live.deviations(who, code, state)


@router.get("/escalations", summary="Escalations of corrective actions")
def escalations(code: Code, who: CurrentPrincipal, live: Live) -> list[dict[str, Any]]:
    return live.escalations(who, code)


@router.get("/deliverables", summary="Deliverables with due dates and deliveries")
def deliverables(code: Code, who: CurrentPrincipal, live: Live) -> list[dict[str, Any]]:
    return live.deliverables(who, code)


@router.get("/wheel", summary="The annual wheel (årshjul) of a year as JSON")
def wheel(code: Code, who: CurrentPrincipal, live: Live,
          year: Annotated[int | None, Query(description="default: the year of the run's clock")] = None
          ) -> dict[str, Any]:
    return live.wheel(who, code, year)
