"""Logging in (`POST /api/v1/token`), who am I, and the health check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm

from govcore.access.accounts import authenticate
from govcore.access.sessions import create_session
from govcore.i18n import _
from govcore.server.auth import CurrentPrincipal, database
from govcore.store.db import Database

router = APIRouter(prefix="/api/v1", tags=["login"])


@router.post("/token", summary="Log in with username and password (OAuth2 password form)")
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
          db: Annotated[Database, Depends(database)]) -> dict[str, Any]:
    """A bearer token for the account; one answer for every failed login. Rate-limited per client
    address; an account locks for a while after repeated wrong passwords."""
    settings = request.app.state.settings
    address = request.client.host if request.client else "unknown"
    allowed, wait = request.app.state.logins.take(address)
    if not allowed:
        raise HTTPException(429, _("too many logins from this address; try again in {seconds} s").format(
            seconds=int(wait) + 1),
                            headers={"Retry-After": str(int(wait) + 1)})
    user = authenticate(db, form.username, form.password)
    access = create_session(db, user.username, user.municipality, kind="api", lifetime=settings.token_lifetime)
    return {"access_token": access, "token_type": "bearer",
            "expires_in": int(settings.token_lifetime.total_seconds())}


@router.get("/me", summary="Who the token belongs to")
def me(who: CurrentPrincipal) -> dict[str, Any]:
    return {"actor": who.actor, "kind": who.kind, "name": who.name, "municipality": who.municipality,
            "roles": sorted(who.roles), "admin": who.admin, "scopes": sorted(who.scopes)}


@router.get("/health", summary="The server answers and reaches its database")
def health(db: Annotated[Database, Depends(database)]) -> dict[str, str]:
    db.read(lambda conn: conn.exec_driver_sql("SELECT 1").scalar())
    return {"status": "ok"}
