"""People who log in: local accounts with argon2-hashed passwords (the embedded default) or
accounts reached through OpenID Connect; each belongs to one municipality and holds roles of its
organisation.

A wrong password and an unknown username give the same answer and cost the same time (a dummy
hash is checked), so a login form does not tell which usernames exist. After `MAX_FAILURES`
wrong passwords in a row an account is locked for `LOCKOUT`, which limits guessing even when
the requests come from many addresses.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from govcore.access.principal import Principal
from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.store.db import Database
from govcore.store.tables import UserRow, table

if TYPE_CHECKING:
    from argon2 import PasswordHasher

USER = table(UserRow)
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CODE = re.compile(r"^\d{3}$")


class AccountError(GovcoreError):
    """An account cannot be created or changed as asked."""


class OwnAccount(AccountError):
    """An administrator may not lock themselves out: disable their own account or drop their own
    administrator flag (another administrator, or the CLI, must do it)."""


class LoginFailed(GovcoreError):
    """Wrong username or password, a disabled or locked account: one message for all of them."""

    def __init__(self) -> None:
        super().__init__(_("wrong username or password (or the account is disabled or locked for a while)"))


@dataclass(frozen=True)
class User:
    username: str
    municipality: str
    name: str
    email: str | None
    roles: tuple[str, ...]
    admin: bool
    disabled: bool
    oidc_issuer: str | None
    oidc_subject: str | None

    def principal(self) -> Principal:
        return Principal("user", self.username, self.municipality, frozenset(self.roles), self.admin)


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anybody")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _user(row: Any) -> User:
    return User(row.username, row.municipality, row.name, row.email, tuple(json.loads(row.roles)), bool(row.admin),
                bool(row.disabled), row.oidc_issuer, row.oidc_subject)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("the password must have at least {n} characters").format(n=MIN_PASSWORD))


def _check_roles(roles: Sequence[str], known_roles: Collection[str] | None) -> tuple[str, ...]:
    from govcore.errors import did_you_mean

    if not roles:
        raise AccountError(_("a person needs at least one role (--role)"))
    if known_roles is not None:
        for r in roles:
            if r not in known_roles:
                raise AccountError(_("unknown role {role} ({hint})").format(
                    role=repr(r), hint=did_you_mean(r, known_roles)))
    return tuple(dict.fromkeys(roles))


def add_user(db: Database, username: str, municipality: str, roles: Sequence[str], *, name: str = "",
             email: str | None = None, admin: bool = False, password: str | None = None,
             oidc_issuer: str | None = None, oidc_subject: str | None = None,
             known_roles: Collection[str] | None = None, single_sign_on: bool = False,
             now: dt.datetime | None = None) -> User:
    """Create an account. `known_roles` (the organisation's role ids) refuses a misspelt role.
    `single_sign_on` makes an account without a password that OpenID Connect binds at the person's
    first login (by e-mail or username, govcore.server.oidc.find_account)."""
    if not USERNAME.match(username):
        raise AccountError(_("invalid username {name}: 2–64 characters, lower-case letters, digits and . _ @ -").format(
            name=repr(username)))
    if not _CODE.match(municipality):
        raise AccountError(_("invalid municipality code {code}: three digits, e.g. 630").format(
            code=repr(municipality)))
    if email is not None and not EMAIL.match(email):
        raise AccountError(_("invalid e-mail address {email}").format(email=repr(email)))
    if password is None and oidc_subject is None and oidc_issuer is None and not single_sign_on:
        raise AccountError(_("give a password (--password-stdin), an OpenID Connect identity or --single-sign-on"))
    if password is not None:
        check_password(password)
    the_roles = _check_roles(roles, known_roles)
    row = {"username": username, "municipality": municipality, "name": name or username, "email": email,
           "password_hash": _hasher().hash(password) if password is not None else None,
           "roles": json.dumps(list(the_roles)), "admin": admin, "disabled": False, "oidc_issuer": oidc_issuer,
           "oidc_subject": oidc_subject, "calendar_token_hash": None, "failed_logins": 0, "locked_until": None,
           "created_at": (now or _now()).isoformat()}

    def work(conn: sa.Connection) -> None:
        if conn.execute(sa.select(USER.c.username).where(USER.c.username == username)).first() is not None:
            raise AccountError(_("the username {name} is taken").format(name=repr(username)))
        conn.execute(sa.insert(USER).values(**row))

    db.write(work)
    return get_user(db, username)


def _where(username: str, municipality: str | None) -> list[sa.ColumnElement[bool]]:
    return [USER.c.username == username] + ([USER.c.municipality == municipality] if municipality else [])


def get_user(db: Database, username: str, *, municipality: str | None = None) -> User:
    """The account; with `municipality`, only an account of that municipality (another's is "no
    account" alike, as if it did not exist)."""
    def work(conn: sa.Connection) -> Any:
        return conn.execute(sa.select(USER).where(*_where(username, municipality))).first()

    row = db.read(work)
    if row is None:
        raise AccountError(_("no account {name}").format(name=repr(username)))
    return _user(row)


def list_users(db: Database, municipality: str | None = None) -> list[User]:
    def work(conn: sa.Connection) -> list[Any]:
        q = sa.select(USER).order_by(USER.c.municipality, USER.c.username)
        if municipality is not None:
            q = q.where(USER.c.municipality == municipality)
        return list(conn.execute(q))

    return [_user(r) for r in db.read(work)]


def _change(db: Database, username: str, municipality: str | None, **values: Any) -> User:
    """Change one account (of `municipality`, when given: the pages change only their own)."""
    def work(conn: sa.Connection) -> int:
        return conn.execute(sa.update(USER).where(*_where(username, municipality)).values(**values)).rowcount

    if not db.write(work):
        raise AccountError(_("no account {name}").format(name=repr(username)))
    return get_user(db, username)


def set_roles(db: Database, username: str, roles: Sequence[str], *,
              known_roles: Collection[str] | None = None, municipality: str | None = None) -> User:
    return _change(db, username, municipality, roles=json.dumps(list(_check_roles(roles, known_roles))))


def set_disabled(db: Database, username: str, disabled: bool = True, *, municipality: str | None = None,
                 acting: str | None = None) -> User:
    """Disable (or enable again) an account; its sessions stop working at once (looked up per request).
    `acting` is who asks (a person on a page): nobody disables their own account."""
    if disabled and acting == username:
        raise OwnAccount(_("you cannot disable your own account"))
    return _change(db, username, municipality, disabled=disabled)


def set_admin(db: Database, username: str, admin: bool = True, *, municipality: str | None = None,
              acting: str | None = None) -> User:
    """Make an account an administrator of its municipality, or no longer one. `acting` is who
    asks: nobody removes their own administrator flag."""
    if not admin and acting == username:
        raise OwnAccount(_("you cannot remove your own administrator flag"))
    return _change(db, username, municipality, admin=admin)


def set_password(db: Database, username: str, password: str, *, municipality: str | None = None) -> User:
    check_password(password)
    return _change(db, username, municipality, password_hash=_hasher().hash(password), failed_logins=0,
                   locked_until=None)


def authenticate(db: Database, username: str, password: str, *, now: dt.datetime | None = None) -> User:
    """The account for a username and password, or `LoginFailed` (same for every reason)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    at = now or _now()

    def load(conn: sa.Connection) -> Any:
        return conn.execute(sa.select(USER).where(USER.c.username == username)).first()

    row = db.read(load)
    stored = row.password_hash if row is not None and row.password_hash else _dummy_hash()
    ok: bool
    try:
        ok = bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        ok = False
    if row is None or not row.password_hash:
        raise LoginFailed()
    locked = row.locked_until is not None and dt.datetime.fromisoformat(row.locked_until) > at
    if not ok or locked or row.disabled:
        if not ok:
            failures = row.failed_logins + 1
            until = (at + LOCKOUT).isoformat() if failures >= MAX_FAILURES else row.locked_until
            db.write(lambda conn: conn.execute(sa.update(USER).where(USER.c.username == username).values(
                failed_logins=0 if failures >= MAX_FAILURES else failures, locked_until=until)))
        raise LoginFailed()
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
    if _hasher().check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher().hash(password)
    if row.failed_logins or row.locked_until or "password_hash" in values:
        db.write(lambda conn: conn.execute(sa.update(USER).where(USER.c.username == username).values(**values)))
    return _user(row)


def principal_of_user(db: Database, username: str) -> Principal | None:
    """The principal of an enabled account (None for an unknown or disabled one)."""
    try:
        user = get_user(db, username)
    except AccountError:
        return None
    return None if user.disabled else user.principal()


def users_with_role(db: Database, municipality: str, role: str) -> list[User]:
    """The enabled people of a municipality who hold `role` (who a notification to the role reaches)."""
    return [u for u in list_users(db, municipality) if role in u.roles and not u.disabled]
