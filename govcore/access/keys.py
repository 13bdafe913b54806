"""API keys for other systems (finance, case management, BI): bound to one municipality, allowed
only their scopes, sent as bearer tokens.

A key reads `gck_<id>_<secret>`: the id is public (listed, revoked by it), the secret is shown
once when the key is created and only the sha256 of the whole key is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from govcore.access.permissions import SCOPES
from govcore.access.principal import Principal
from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.store.db import Database
from govcore.store.tables import ApiKeyRow, table

KEY = table(ApiKeyRow)
PREFIX = "gck_"
_FORM = re.compile(r"^gck_([a-z0-9]{12})_([A-Za-z0-9_-]{20,100})$")


class ApiKeyError(GovcoreError):
    """A key cannot be created or changed as asked."""


@dataclass(frozen=True)
class ApiKey:
    id: str
    municipality: str
    name: str
    scopes: tuple[str, ...]
    created_at: str
    created_by: str | None
    revoked_at: str | None
    last_used_at: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key(row: Any) -> ApiKey:
    return ApiKey(row.id, row.municipality, row.name, tuple(json.loads(row.scopes)), row.created_at, row.created_by,
                  row.revoked_at, row.last_used_at)


def is_key(token: str) -> bool:
    return token.startswith(PREFIX)


def create_key(db: Database, municipality: str, name: str, scopes: Sequence[str], *, created_by: str | None = None,
               now: dt.datetime | None = None) -> tuple[ApiKey, str]:
    """A new key and its secret token (shown only now)."""
    from govcore.errors import did_you_mean

    if not re.match(r"^\d{3}$", municipality):
        raise ApiKeyError(_("invalid municipality code {code}: three digits, e.g. 630").format(
            code=repr(municipality)))
    if not scopes:
        raise ApiKeyError(_("a key needs at least one scope (--scope); scopes: {scopes}").format(
            scopes=", ".join(SCOPES)))
    for s in scopes:
        if s not in SCOPES:
            raise ApiKeyError(_("unknown scope {scope} ({hint}); scopes: {scopes}").format(
                scope=repr(s), hint=did_you_mean(s, SCOPES), scopes=", ".join(SCOPES)))
    key_id = secrets.token_hex(6)
    token = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    row = {"id": key_id, "municipality": municipality, "name": name, "scopes": json.dumps(list(dict.fromkeys(scopes))),
           "secret_hash": _hash(token), "created_at": (now or dt.datetime.now(dt.UTC)).isoformat(),
           "created_by": created_by, "revoked_at": None, "last_used_at": None}
    db.write(lambda conn: conn.execute(sa.insert(KEY).values(**row)))
    return _key(type("Row", (), row)), token


def principal_of_key(db: Database, token: str) -> Principal | None:
    """The principal of a valid, unrevoked key (None otherwise)."""
    m = _FORM.match(token)
    if m is None:
        return None

    def work(conn: sa.Connection) -> Any:
        return conn.execute(sa.select(KEY).where(KEY.c.id == m.group(1))).first()

    row = db.read(work)
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.secret_hash, _hash(token)):
        return None
    return Principal("key", row.id, row.municipality, scopes=frozenset(json.loads(row.scopes)))


def list_keys(db: Database, municipality: str | None = None) -> list[ApiKey]:
    def work(conn: sa.Connection) -> list[Any]:
        q = sa.select(KEY).order_by(KEY.c.municipality, KEY.c.created_at, KEY.c.id)
        if municipality is not None:
            q = q.where(KEY.c.municipality == municipality)
        return list(conn.execute(q))

    return [_key(r) for r in db.read(work)]


def revoke_key(db: Database, key_id: str, *, municipality: str | None = None,
               now: dt.datetime | None = None) -> ApiKey:
    """Revoke a key at once; it stays listed (with when it was revoked) for the audit trail."""
    at = (now or dt.datetime.now(dt.UTC)).isoformat()

    def work(conn: sa.Connection) -> Any:
        where = [KEY.c.id == key_id] + ([KEY.c.municipality == municipality] if municipality else [])
        conn.execute(sa.update(KEY).where(*where, KEY.c.revoked_at.is_(None)).values(revoked_at=at))
        return conn.execute(sa.select(KEY).where(*where)).first()

    row = db.write(work)
    if row is None:
        raise ApiKeyError(_("no key {key}").format(key=repr(key_id)))
    return _key(row)
