"""Who is looking at a page: the web session in the `govcore_session` cookie.

The cookie holds an opaque token (govcore.access.sessions, kind "web"); the server keeps only its
hash, the person's account is read on every request (a disabled person is out at once) and the
session expires after `WEB_SESSION_LIFETIME`. Every form of a logged-in page carries the
session's CSRF token; `CheckedForm` refuses a post without it, or from another origin.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from govcore.access.accounts import AccountError, User, get_user
from govcore.access.principal import Principal
from govcore.access.sessions import WEB_SESSION_LIFETIME, session_of
from govcore.errors import GovcoreError
from govcore.i18n import _
from govcore.store.db import Database

SESSION_COOKIE = "govcore_session"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class WebSession:
    """A logged-in person on a page: their account, what permissions see (`principal`) and the
    token every form of theirs must carry (`csrf`)."""

    token: str
    csrf: str
    user: User

    @property
    def principal(self) -> Principal:
        return self.user.principal()

    @property
    def municipality(self) -> str:
        return self.user.municipality

    @property
    def display_name(self) -> str:
        return self.user.name or self.user.username


class LoginRequired(GovcoreError):
    """No valid web session: the page sends the browser to /login and back to `next` afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(_("log in to see this page"))
        self.next_path = next_path


class CsrfRefused(GovcoreError):
    """A form post without this session's token or from another site (HTTP 403)."""


def _database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def current(request: Request) -> WebSession | None:
    """The web session of the request, or None (no cookie, unknown, expired, or a disabled person)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    db = _database(request)
    found = session_of(db, token)
    if found is None or found.get("kind") != "web" or not found.get("csrf"):
        return None
    try:
        user = get_user(db, str(found["username"]))
    except AccountError:
        return None
    if user.disabled or user.municipality != found.get("municipality"):
        return None
    return WebSession(token, str(found["csrf"]), user)


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a path on this server only (never `//other.site` or a URL)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return "/"
    return path


def _person(request: Request) -> WebSession:
    who = current(request)
    if who is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(safe_next(target))
    return who


Person = Annotated[WebSession, Depends(_person)]


def same_origin(request: Request) -> bool:
    """False when the browser says the post comes from another origin: the Origin header, else the
    Referer, must name this server (as the request reached it, or as GOVCORE_BASE_URL names it
    behind a reverse proxy). Without either header the CSRF token alone decides."""
    base: str = getattr(request.app.state.settings, "base_url", "")
    ours = {request.headers.get("host", ""), urlsplit(base).netloc} - {""}
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc in ours
    referer = request.headers.get("referer")
    return not referer or urlsplit(referer).netloc in ours


async def _checked_form(request: Request, who: Person) -> FormData:
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not same_origin(request) or not isinstance(sent, str) \
            or not hmac.compare_digest(sent.encode(), who.csrf.encode()):
        raise CsrfRefused(_("the form was not sent from this site's page (or the page is too old): reload and "
                            "try again"))
    return form


CheckedForm = Annotated[FormData, Depends(_checked_form)]


def secure_cookies(request: Request) -> bool:
    """Cookies are marked Secure when the site is reached over TLS (directly, or as the configured
    base URL says behind a reverse proxy)."""
    base: str = getattr(request.app.state.settings, "base_url", "")
    return request.url.scheme == "https" or base.startswith("https://")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(WEB_SESSION_LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=secure_cookies(request))


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(request))
