"""`/undersoegelser`: user satisfaction surveys per area — the baseline against the latest
result, and whether the change is significant."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govcore.i18n import _
from govcore.web.errors import error_page
from govcore.web.session import Person
from govcore.web.templating import render
from govcore.web.views.run import QueryProblem, municipality_of, open_run
from govcore.web.views.surveys import survey_areas

router = APIRouter(include_in_schema=False)


@router.get("/undersoegelser")
def surveys(request: Request, who: Person, kommune: str = "") -> Response:
    try:
        code = municipality_of(who.principal, kommune)
    except QueryProblem as problem:
        return error_page(request, 422, str(problem))
    view = open_run(request.app.state.live, who.principal, code)
    spec = view.cfg.sources.get("surveys", {})
    return render(request, "pages/surveys.html", who, title=_("User satisfaction"), areas=survey_areas(view),
                  as_of=view.day, municipality=code, z_critical=spec.get("z_critical", 1.96))
