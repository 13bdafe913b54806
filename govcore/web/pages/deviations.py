"""`/afvigelser`: deviations (open and closed) and escalations of the person's municipality."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govcore.i18n import _
from govcore.web.errors import error_page
from govcore.web.session import Person
from govcore.web.templating import render
from govcore.web.views.deviations import deviation_lines, escalation_lines
from govcore.web.views.run import QueryProblem, choice, municipality_of, open_run

router = APIRouter(include_in_schema=False)

SHOW = {"alle": "all", "aabne": "open", "lukkede": "closed"}


@router.get("/afvigelser")
def deviations(request: Request, who: Person, vis: str = "alle", kommune: str = "") -> Response:
    try:
        code = municipality_of(who.principal, kommune)
        state = choice(vis, SHOW, "vis")
    except QueryProblem as problem:
        return error_page(request, 422, str(problem))
    view = open_run(request.app.state.live, who.principal, code)
    lines = deviation_lines(view, state)
    return render(request, "pages/deviations.html", who, title=_("Deviations and escalations"), deviations=lines,
                  escalations=escalation_lines(view), vis=vis, kommune=kommune, municipality=code,
                  open_count=sum(1 for d in lines if d.is_open))
