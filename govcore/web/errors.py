"""Errors on pages are pages: the same exceptions the API answers with JSON (govcore.server.errors)
are shown as an HTML page with the status code, in the request's language (Danish by default), for
every path outside /api and /auth.
A page that needs a login sends the browser to /login and back afterwards."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from govcore.access.live import Conflict, InvalidInput, NotFound
from govcore.access.permissions import Forbidden
from govcore.errors import GovcoreError
from govcore.i18n import N_, _, use_language
from govcore.web.language import language_of
from govcore.web.session import CsrfRefused, LoginRequired, current

log = logging.getLogger("govcore.web")

JSON_PREFIXES = ("/api/", "/auth/")

TITLES = {400: N_("Bad request"), 403: N_("No access"), 404: N_("The page does not exist"),
          405: N_("Not allowed"), 409: N_("Cannot be done right now"), 413: N_("Too large"),
          422: N_("Something in the form must be corrected"), 429: N_("Too many attempts"),
          500: N_("Something went wrong")}
# What the person reads; the exception's own message goes to the API's JSON (in the request's language).
TEXTS = {403: N_("You do not have access to this page or action. It belongs to another role or municipality, "
                 "or it does not exist."),
         404: N_("The page, or what it shows, does not exist."),
         409: N_("The action does not fit the state of the thing (it may already have been answered)."),
         429: N_("Wait a little, and try again."),
         500: N_("The page could not be shown. The error is written in the server's log.")}
ERROR = N_("Error")
INVALID_FORM = N_("A field in the form is missing or wrong.")

Handler = Callable[[Request, Any], Awaitable[Response]]


def error_page(request: Request, status: int, detail: str = "") -> Response:
    from govcore.web.templating import render

    with use_language(language_of(request.state)):
        who = current(request) if status != 500 else None
        title = _(TITLES.get(status, ERROR))
        text = _(TEXTS[status]) if status in TEXTS else detail or title
        reason = detail if status == 409 and detail != text else ""  # why it cannot be done now
        return render(request, "error.html", who, status=status, title=title, text=text, reason=reason)


def install_error_pages(app: FastAPI) -> None:
    def wrap(exc_class: type[Exception], status: Callable[[Any], int],
             detail: Callable[[Any], str] = lambda exc: "") -> None:
        previous: Handler | None = app.exception_handlers.get(exc_class)  # type: ignore[assignment]

        async def handler(request: Request, exc: Any) -> Response:
            if previous is not None and request.url.path.startswith(JSON_PREFIXES):
                return await previous(request, exc)
            code = status(exc)
            if code >= 500:
                log.error("page %s failed", request.url.path, exc_info=exc)
            return error_page(request, code, detail(exc))

        app.add_exception_handler(exc_class, handler)

    async def login(request: Request, exc: Exception) -> Response:
        target = exc.next_path if isinstance(exc, LoginRequired) else "/"
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    async def csrf(request: Request, exc: Exception) -> Response:
        return error_page(request, 403, str(exc))

    app.add_exception_handler(LoginRequired, login)
    app.add_exception_handler(CsrfRefused, csrf)
    wrap(HTTPException, lambda exc: int(exc.status_code))
    wrap(RequestValidationError, lambda exc: 422, lambda exc: _(INVALID_FORM))
    wrap(InvalidInput, lambda exc: 422, str)
    wrap(Forbidden, lambda exc: 403)
    wrap(NotFound, lambda exc: 404)
    wrap(Conflict, lambda exc: 409, str)
    wrap(GovcoreError, lambda exc: 500)
    wrap(Exception, lambda exc: 500)
