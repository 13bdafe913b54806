"""The pages' Jinja2 environment: the page templates (govcore/web/templates) beside the report's
components (govcore/templates/components), so a chart or a status badge looks the same in the
report and on a page. Autoescaping is on for everything: a title with `<script>` is text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from govcore.access.permissions import Operation, allowed
from govcore.i18n import N_, install_jinja, language
from govcore.text import danish_number, date_text, percent
from govcore.web.session import CSRF_FIELD, WebSession


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str


# The menu, in order; a page adds itself here when it is built. `admin` items only for administrators.
# The labels are message ids: base.html translates them in the reader's language.
NAV: list[tuple[NavItem, bool]] = [
    (NavItem("/opgaver", N_("My tasks")), False),
    (NavItem("/godkendelser", N_("Approvals")), False),
    (NavItem("/maal", N_("Goals")), False),
    (NavItem("/aarshjul", N_("Annual cycle")), False),
    (NavItem("/afvigelser", N_("Deviations")), False),
    (NavItem("/budget", N_("Budget")), False),
    (NavItem("/undersoegelser", N_("Surveys")), False),
    (NavItem("/observationer", N_("Observations")), False),
    (NavItem("/beslutningslog", N_("Decision log")), False),
    (NavItem("/admin", N_("Administration")), True),
]


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("govcore", "web/templates"),
                                    jinja2.PackageLoader("govcore", "templates")]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["dato"] = date_text
    env.filters["tal"] = danish_number
    env.filters["procent"] = percent
    install_jinja(env)
    return env


def today(request: Request) -> dt.date:
    """Today in Denmark by the server's clock (the live runs' clock: tests set their own)."""
    from zoneinfo import ZoneInfo

    now: dt.datetime = request.app.state.live.clock()
    return now.astimezone(ZoneInfo("Europe/Copenhagen")).date()


def nav_for(who: WebSession | None) -> list[NavItem]:
    if who is None:
        return []
    admin = allowed(who.principal, Operation.ADMINISTER, who.municipality)
    return [item for item, only_admin in NAV if admin or not only_admin]


def _back(request: Request, status: int) -> str:
    """Where the language link returns to: this page when it can be asked for again (a GET that
    worked, with its query), else the start page (an error, or the answer to a form post)."""
    if request.method != "GET" or status >= 400:
        return "/"
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def render(request: Request, template: str, who: WebSession | None, *, status: int = 200,
           title: str = "", **context: Any) -> HTMLResponse:
    """A page: `template` under govcore/web/templates, inside base.html. Every template gets `who`
    (the person, or None), `csrf` (the hidden form field's name and value), `nav`, `path` and `lang`
    (the request's language, govcore.web.language)."""
    html = environment().get_template(template).render(
        request=request, who=who, title=title, nav=nav_for(who), path=request.url.path,
        csrf_field=CSRF_FIELD, csrf=who.csrf if who else "", today=today(request), lang=language(),
        back=_back(request, status), **context)
    return HTMLResponse(html, status_code=status)
