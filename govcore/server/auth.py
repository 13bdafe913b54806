"""Who makes a request: a bearer token that is either a session (from `POST /api/v1/token`) or an
API key (`gck_…`). Looked up on every request, so a disabled person, a revoked key or an expired
token stops working at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from govcore.access.accounts import principal_of_user
from govcore.access.keys import is_key, principal_of_key
from govcore.access.live import LiveRuns
from govcore.access.principal import Principal
from govcore.access.sessions import session_of
from govcore.i18n import _
from govcore.store.db import Database

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/token", auto_error=False,
                              description="A token from POST /api/v1/token, or an API key (gck_…).")


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def live_runs(request: Request) -> LiveRuns:
    live: LiveRuns = request.app.state.live
    return live


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def principal(token: Annotated[str | None, Depends(bearer)],
              db: Annotated[Database, Depends(database)]) -> Principal:
    if not token:
        raise _unauthorized(_("log in: send Authorization: Bearer <token from POST /api/v1/token, or an API key>"))
    if is_key(token):
        found = principal_of_key(db, token)
        if found is None:
            raise _unauthorized(_("unknown or revoked API key"))
        return found
    session = session_of(db, token)
    if session is None or session.get("kind") != "api":
        raise _unauthorized(_("unknown or expired token: log in again (POST /api/v1/token)"))
    user = principal_of_user(db, str(session["username"]))
    if user is None:
        raise _unauthorized(_("the account of this token is disabled or removed"))
    return user


CurrentPrincipal = Annotated[Principal, Depends(principal)]
Live = Annotated[LiveRuns, Depends(live_runs)]
