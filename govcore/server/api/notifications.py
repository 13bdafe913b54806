"""The notification outbox of a municipality: what was sent, what waits, what failed and why."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from govcore.access.permissions import Operation, authorize
from govcore.server.api import MUNICIPALITY, Code
from govcore.server.auth import CurrentPrincipal, database
from govcore.store.db import Database

router = APIRouter(prefix=MUNICIPALITY, tags=["notifications"])

State = Literal["pending", "sent", "failed", "cancelled", "digested"]


@router.get("/notifications", summary="The notification outbox and its delivery state")
def notifications(code: Code, who: CurrentPrincipal, db: Annotated[Database, Depends(database)],
                  state: Annotated[State | None, Query(description="only this state")] = None,
                  limit: Annotated[int, Query(ge=1, le=10_000, description="at most this many")] = 1000,
                  ) -> list[dict[str, Any]]:
    from govcore.notify.state import notification_state

    authorize(who, Operation.READ_NOTIFICATIONS, code)
    return notification_state(db, code, state=state, limit=limit)
