"""The language link in every page's footer: `GET /sprog?til=en&tilbage=/maal` remembers the
choice in the `govcore_lang` cookie (it then outranks the browser's Accept-Language) and goes back
to the page, which now reads in the chosen language. No login is needed: the login form has the
link too."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from govcore.i18n import LANGUAGES, _, parse_language
from govcore.web.errors import error_page
from govcore.web.language import COOKIE, COOKIE_MAX_AGE
from govcore.web.session import safe_next, secure_cookies

router = APIRouter(include_in_schema=False)


@router.get("/sprog")
def choose_language(request: Request, til: str = Query("", max_length=100),
                    tilbage: str = Query("/", max_length=2000)) -> Response:
    lang = parse_language(til)
    if lang is None:
        return error_page(request, 422, _("Choose the language {choices}.").format(
            choices=_(" or ").join(LANGUAGES)))
    resp = RedirectResponse(safe_next(tilbage), status_code=303)
    resp.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, path="/", httponly=True, samesite="lax",
                    secure=secure_cookies(request))
    return resp
