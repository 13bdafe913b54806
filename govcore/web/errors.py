"""Errors on pages are pages: the same exceptions the API answers with JSON (govcore.server.errors)
are shown as a Danish HTML page with the status code, for every path outside /api and /auth.
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
from govcore.web.session import CsrfRefused, LoginRequired, current

log = logging.getLogger("govcore.web")

JSON_PREFIXES = ("/api/", "/auth/")

TITLES = {400: "Forkert forespørgsel", 403: "Ingen adgang", 404: "Siden findes ikke", 405: "Ikke tilladt",
          409: "Kan ikke lade sig gøre lige nu", 413: "For stor", 422: "Noget i formularen skal rettes",
          429: "For mange forsøg", 500: "Der skete en fejl"}
# What the person reads; the API's English message is for developers and the log.
TEXTS = {403: "Du har ikke adgang til denne side eller handling. Den hører til en anden rolle eller kommune, "
              "eller den findes ikke.",
         404: "Siden eller det, den viser, findes ikke.",
         409: "Handlingen passer ikke til tingens tilstand (den er måske allerede besvaret).",
         429: "Vent lidt, og prøv igen.",
         500: "Siden kunne ikke vises. Fejlen er skrevet i serverens log."}

Handler = Callable[[Request, Any], Awaitable[Response]]


def error_page(request: Request, status: int, detail: str = "") -> Response:
    from govcore.web.templating import render

    who = current(request) if status != 500 else None
    text = TEXTS.get(status) or detail or TITLES.get(status, "Fejl")
    return render(request, "error.html", who, status=status, title=TITLES.get(status, "Fejl"), text=text)


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
    wrap(RequestValidationError, lambda exc: 422, lambda exc: "Et felt i formularen mangler eller er forkert.")
    wrap(InvalidInput, lambda exc: 422, str)
    wrap(Forbidden, lambda exc: 403)
    wrap(NotFound, lambda exc: 404)
    wrap(Conflict, lambda exc: 409)
    wrap(GovcoreError, lambda exc: 500)
    wrap(Exception, lambda exc: 500)
