"""The decision log as a feed other systems follow."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from govcore.server.api import MUNICIPALITY, Code
from govcore.server.auth import CurrentPrincipal, Live

router = APIRouter(prefix=MUNICIPALITY, tags=["events"])


@router.get("/events", summary="The decision log after a sequence number")
def events(code: Code, who: CurrentPrincipal, live: Live,
           after: Annotated[int, Query(description="the last seq already read (0: from the start)")] = 0,
           limit: Annotated[int, Query(description="at most this many (1–1000)")] = 100) -> dict[str, Any]:
    return live.events(who, code, after, limit)
