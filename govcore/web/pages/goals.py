"""The goal pages: `/maal`, the goal cascade with each goal's status and filters by owner, level
and category (a GET form: works without JavaScript), and `/maal/{goal id}`, one goal in full — its
charts, its explanation, deviations, corrective actions and decision-log entries with why.

Both show the person's own municipality; `?kommune=` names another, which the permission check
refuses (403) alike whether the goal exists there or not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from govcore.access.live import InvalidInput
from govcore.i18n import _
from govcore.web.session import Person, WebSession
from govcore.web.templating import render
from govcore.web.views.goals import ChartCache, Filters, goal_cascade, goal_page

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Query(max_length=100)]


def chart_cache(request: Request) -> ChartCache:
    """The app's cache of replayed runs for the goal charts (made on first use)."""
    cache = getattr(request.app.state, "goal_charts", None)
    if not isinstance(cache, ChartCache):
        cache = ChartCache()
        request.app.state.goal_charts = cache
    return cache


def invalid(request: Request, who: WebSession, err: InvalidInput, hint: str) -> Response:
    """A bad query as a page (422) that says what to change; nothing else is shown."""
    problems = "; ".join(p.message for p in err.problems)
    return render(request, "error.html", who, status=422, title=_("Something in the address must be corrected"),
                  text=f"{problems[:300]}. {hint}")


@router.get("/maal")
def cascade_page(request: Request, who: Person, ansvarlig: Text = "", niveau: Text = "", kategori: Text = "",
                 kommune: Text = "") -> Response:
    filters = Filters(owner=ansvarlig.strip(), level=niveau.strip(), category=kategori.strip())
    try:
        tree = goal_cascade(request.app.state.live, who.principal, kommune or who.municipality, filters)
    except InvalidInput as err:
        return invalid(request, who, err, _("Choose a filter in the lists on the page Goals."))
    return render(request, "pages/goals.html", who, title=_("Goals"), tree=tree)


@router.get("/maal/{goal_id}")
def goal_detail(request: Request, who: Person, goal_id: str, kommune: Text = "") -> Response:
    page = goal_page(request.app.state.live, chart_cache(request), who.principal, kommune or who.municipality,
                     goal_id)
    return render(request, "pages/goals_detail.html", who, title=page.goal.title, page=page)
