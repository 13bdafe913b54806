"""Logging in and out of the pages, and `/`, which sends a person to their start page.

Local accounts log in with the form (the same rate limit and lockout as `POST /api/v1/token`);
when OpenID Connect is configured the page offers its button too (govcore.server.oidc sets the
same session cookie). Logging out ends the session on the server, not only the cookie.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from govcore.access.accounts import LoginFailed, authenticate
from govcore.access.sessions import create_session, end_session
from govcore.i18n import _
from govcore.web.session import (
    CheckedForm,
    Person,
    WebSession,
    clear_session_cookie,
    current,
    safe_next,
    same_origin,
    set_session_cookie,
)
from govcore.web.templating import render

router = APIRouter(include_in_schema=False)

START_PAGE = "/opgaver"


def _oidc_button() -> bool:
    from govcore.server.oidc import OidcSettings

    return OidcSettings.from_env() is not None


def _login_page(request: Request, next_path: str, *, status: int = 200, error: str = "",
                username: str = "") -> Response:
    return render(request, "pages/login.html", None, status=status, title=_("Log in"), next_path=safe_next(next_path),
                  error=error, username=username, oidc=_oidc_button())


@router.get("/")
def start(request: Request) -> Response:
    return RedirectResponse(START_PAGE if current(request) else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if current(request) is not None:
        return RedirectResponse(safe_next(next) if next != "/" else START_PAGE, status_code=303)
    return _login_page(request, next)


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1000)] = "", next: Annotated[str, Form(max_length=2000)] = "/"
          ) -> Response:
    """One answer for every failed login, as the API gives; a post from another site is refused
    (a forged login would put the victim in the attacker's account)."""
    if not same_origin(request):
        return _login_page(request, next, status=403, error=_("The form did not come from this page. Try again."))
    address = request.client.host if request.client else "unknown"
    permitted, wait = request.app.state.logins.take(address)
    if not permitted:
        return _login_page(request, next, status=429, username=username,
                           error=_("Too many attempts from this address. Try again in {seconds} seconds.").format(
                               seconds=int(wait) + 1))
    try:
        user = authenticate(request.app.state.db, username.strip(), password)
    except LoginFailed:
        return _login_page(request, next, status=401, username=username,
                           error=_("Wrong username or password (or the account is locked for a while)."))
    token = create_session(request.app.state.db, user.username, user.municipality, kind="web")
    target = safe_next(next)
    resp = RedirectResponse(START_PAGE if target == "/" else target, status_code=303)
    set_session_cookie(request, resp, token)
    return resp


def _provider_logout(request: Request, who: WebSession) -> str | None:
    """Where the person logs out at the identity provider, when their account came from the
    configured OpenID Connect provider and it offers RP-initiated logout; else None."""
    from govcore.server.oidc import OidcSettings, end_session_url

    if not who.user.oidc_issuer:
        return None
    settings = OidcSettings.from_env()
    if settings is None or settings.issuer != who.user.oidc_issuer:
        return None
    base: str = request.app.state.settings.base_url
    return end_session_url(settings, base.rstrip("/") + "/login")


@router.post("/logout")
def logout(request: Request, who: Person, _form: CheckedForm) -> Response:
    """The session ends on the server first. A person who came through single sign-on is then
    sent on to the provider's logout, or the next login would pass straight through it. That step
    is a page that moves on by itself (meta refresh, with a link), not a redirect: the pages'
    Content-Security-Policy (`form-action 'self'`) makes a browser refuse a form post that
    redirects to another site."""
    end_session(request.app.state.db, who.token)
    provider = _provider_logout(request, who)
    resp: Response
    if provider is None:
        resp = RedirectResponse("/login", status_code=303)
    else:
        resp = render(request, "pages/logged_out.html", None, title=_("You are logged out"), provider=provider)
    clear_session_cookie(request, resp)
    return resp
