"""Bearer tokens and web sessions: random secrets of which only the sha256 is stored.

A token is looked up by its hash; it carries no data of its own, so disabling a person or
logging out takes effect at once (unlike a signed token, which stays valid until it expires).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from govcore.store.db import Database
from govcore.store.tables import SessionRow, table

SESSION = table(SessionRow)
API_TOKEN_LIFETIME = dt.timedelta(hours=8)
WEB_SESSION_LIFETIME = dt.timedelta(hours=8)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_session(db: Database, username: str, municipality: str, *, kind: str = "api",
                   lifetime: dt.timedelta | None = None, now: dt.datetime | None = None) -> str:
    """Store a new session for `username` and return its secret token (shown only this once)."""
    if kind not in ("api", "web"):
        raise ValueError(f"unknown session kind {kind!r}")
    token = secrets.token_urlsafe(32)
    start = now or _now()
    life = lifetime or (API_TOKEN_LIFETIME if kind == "api" else WEB_SESSION_LIFETIME)
    row = {"token_hash": token_hash(token), "username": username, "municipality": municipality, "kind": kind,
           "created_at": start.isoformat(), "expires_at": (start + life).isoformat(),
           "csrf": secrets.token_urlsafe(32) if kind == "web" else None}
    db.write(lambda conn: conn.execute(sa.insert(SESSION).values(**row)))
    return token


def session_of(db: Database, token: str, *, now: dt.datetime | None = None) -> dict[str, str | None] | None:
    """The stored session a token names, or None when unknown or expired."""
    h = token_hash(token)

    def work(conn: sa.Connection) -> dict[str, str | None] | None:
        row = conn.execute(sa.select(SESSION).where(SESSION.c.token_hash == h)).mappings().first()
        return dict(row) if row is not None else None

    found = db.read(work)
    if found is None or dt.datetime.fromisoformat(str(found["expires_at"])) <= (now or _now()):
        return None
    return found


def end_session(db: Database, token: str) -> bool:
    """Log out: forget the session. True when there was one."""
    h = token_hash(token)
    return bool(db.write(lambda conn: conn.execute(sa.delete(SESSION).where(SESSION.c.token_hash == h)).rowcount))
