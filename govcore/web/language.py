"""Which language a request is answered in: the person's own choice (the `govcore_lang` cookie,
set by the language link in every page's footer), else the browser's preferred language
(`Accept-Language`), else the server's language (`GOVCORE_LANG`, Danish when unset).

The choice holds for the whole request (pages, error pages and the API's messages) through
`govcore.i18n.use_language`, so two requests in different languages never see each other's words.
Anything unreadable in a header or the cookie is ignored: it can only ever pick 'da' or 'en'."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from starlette.types import ASGIApp, Receive, Scope, Send

from govcore.i18n import from_accept_language, language, parse_language, use_language

COOKIE = "govcore_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def chosen(scope: Scope) -> str | None:
    """The language the person chose with the link (the cookie), or None."""
    raw = _header(scope, b"cookie")
    if COOKIE not in raw:
        return None
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return parse_language(morsel.value) if morsel is not None else None


def request_language(scope: Scope) -> str:
    """The cookie, else Accept-Language, else the server's own language."""
    return chosen(scope) or from_accept_language(_header(scope, b"accept-language"), default=language())


def language_of(state: object) -> str:
    """The language the middleware chose for a request (its `request.state`); the server's
    language when none was chosen (the error page of a failure outside the middleware)."""
    found = getattr(state, "language", None)
    return found if isinstance(found, str) else language()


class RequestLanguage:
    """Sets the language of each HTTP request for everything that runs inside it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = request_language(scope)
        scope.setdefault("state", {})["language"] = lang
        with use_language(lang):
            await self.app(scope, receive, send)
