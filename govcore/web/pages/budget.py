"""`/budget`: budget control per area — forbrug, disponering and forventet forbrug against the
budget, with a chart per area — as the live run knows it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govcore.i18n import _
from govcore.web.errors import error_page
from govcore.web.session import Person
from govcore.web.templating import render
from govcore.web.views.budget import budget_control
from govcore.web.views.run import QueryProblem, municipality_of, open_run

router = APIRouter(include_in_schema=False)


@router.get("/budget")
def budget(request: Request, who: Person, kommune: str = "") -> Response:
    try:
        code = municipality_of(who.principal, kommune)
    except QueryProblem as problem:
        return error_page(request, 422, str(problem))
    view = open_run(request.app.state.live, who.principal, code)
    return render(request, "pages/budget.html", who, title=_("Budget control"), control=budget_control(view),
                  as_of=view.day, municipality=code)
