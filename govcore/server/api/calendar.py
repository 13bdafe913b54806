"""A person's calendar feed: an iCalendar URL with a secret token, for Outlook or a phone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from govcore.access.live import LiveRuns, NotFound
from govcore.i18n import _
from govcore.server.auth import database, live_runs
from govcore.store.db import Database

router = APIRouter(prefix="/api/v1", tags=["calendar"])


@router.get("/calendar/{token}.ics", summary="A person's deadlines and meetings as an iCalendar feed",
            response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
def calendar(request: Request, token: Annotated[str, Path(min_length=20, max_length=200)],
             db: Annotated[Database, Depends(database)], live: Annotated[LiveRuns, Depends(live_runs)]) -> Response:
    """The token in the URL is the credential (calendar programs cannot log in): only its hash is
    stored, `govcore users calendar-token` makes or replaces it, and an unknown one is 404."""
    from govcore.access.calendar_feed import calendar_of_token

    text = calendar_of_token(db, token, today=live.clock().date(), load=live.load)
    if text is None:
        raise NotFound(_("no such calendar"))
    return Response(text, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300"})
