"""Every error as JSON, never a stack trace: `{"error": code, "message": text, "request_id": id}`,
with `errors: [{"loc", "field", "message"}]` for invalid input (422).

`error` is the code a program reads (the same in every language); `message` is for the developer
reading it, in the request's language (Accept-Language, else the server's, Danish by default:
govcore.web.language). pydantic's own field messages stay English.

Each request gets an id (the `X-Request-ID` response header); an unexpected error is logged on
the server with its traceback and that id, and the client sees only the id.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govcore.access.accounts import LoginFailed
from govcore.access.live import Conflict, FieldProblem, InvalidInput, NotFound
from govcore.access.permissions import Forbidden
from govcore.errors import GovcoreError
from govcore.i18n import _, ngettext

log = logging.getLogger("govcore.server")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
         429: "too_many_requests", 500: "internal_error", 503: "unavailable"}


def request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", "") or ""
    return rid


def problem(request: Request | None, status: int, message: str, *, errors: Sequence[FieldProblem] = (),
            headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": CODES.get(status, "error"), "message": message}
    if errors:
        body["errors"] = [{"loc": list(e.loc), "field": field_path(e.loc), "message": e.message} for e in errors]
    if request is not None:
        body["request_id"] = request_id(request)
    return JSONResponse(body, status_code=status, headers=headers)


def field_path(loc: Sequence[str | int]) -> str:
    """("body", "observations", 3, "value") → "observations[3].value" (where the problem is)."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header")] or list(loc)
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for e in exc.errors():
            loc = tuple(x if isinstance(x, int) else str(x) for x in e.get("loc", ()))
            msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
            if e.get("type") == "json_invalid":
                msg = _("malformed JSON: {error}").format(error=e.get("ctx", {}).get("error", msg))
            errors.append(FieldProblem(loc, msg))
        n = len(errors)
        message = ngettext("{n} problem in the request", "{n} problems in the request", n).format(n=n)
        return problem(request, 422, message, errors=errors)

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, exc: InvalidInput) -> JSONResponse:
        return problem(request, 422, str(exc), errors=exc.problems)

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        return problem(request, exc.status_code, message, headers=dict(exc.headers or {}))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return problem(request, 403, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem(request, 404, str(exc))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem(request, 409, str(exc))

    @app.exception_handler(LoginFailed)
    async def login_failed(request: Request, exc: LoginFailed) -> JSONResponse:
        return problem(request, 401, str(exc), headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(GovcoreError)
    async def govcore_error(request: Request, exc: GovcoreError) -> JSONResponse:
        log.error("request %s failed: %s", request_id(request), exc)
        return problem(request, 500, _("the request could not be completed: {error}").format(error=exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("request %s failed with an unexpected error", request_id(request), exc_info=exc)
        return problem(request, 500, _("internal error; the server logged it with this request id"))


class TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, _("the request body is larger than {limit} bytes").format(limit=limit))


class RequestLimits:
    """An id for every request, and the body size limit, enforced while the body is read: a
    declared Content-Length above the limit is refused before anything is read, and a body sent
    in chunks is cut off as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.limit = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _send_json(send_with_id, 413 if declared.isdigit() else 400, rid,
                             _("the request body is larger than {limit} bytes").format(limit=self.limit)
                             if declared.isdigit() else _("invalid Content-Length"))
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge(self.limit)
            return message

        try:
            await self.app(scope, limited, send_with_id)
        except TooLarge as exc:
            if not started:
                await _send_json(send_with_id, 413, rid, str(exc.detail))


async def _send_json(send: Callable[[Message], Awaitable[None]], status: int, rid: str, message: str) -> None:
    body = json.dumps({"error": CODES.get(status, "error"), "message": message, "request_id": rid}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
