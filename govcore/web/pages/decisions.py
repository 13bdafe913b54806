"""`/beslutningslog`: the decision log with what happened, why (the rule and its reason) and who
answered; paged with `?efter=SEQ`, filtered by kind with `?slags=`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govcore.access.permissions import Operation
from govcore.i18n import _
from govcore.web.errors import error_page
from govcore.web.session import Person
from govcore.web.templating import render
from govcore.web.views.decisions import KINDS, log_page
from govcore.web.views.run import QueryProblem, choice, municipality_of, open_run

router = APIRouter(include_in_schema=False)


def _after(text: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise QueryProblem(_("'efter' must be an event number (a whole number, 0 or more), not '{value}'.").format(
            value=text[:20]))
    return int(text)


@router.get("/beslutningslog")
def decision_log(request: Request, who: Person, efter: str = "0", slags: str = "", kommune: str = "") -> Response:
    try:
        code = municipality_of(who.principal, kommune)
        after = _after(efter)
        kind = choice(slags, {k: k for k in KINDS}, "slags") if slags else None
    except QueryProblem as problem:
        return error_page(request, 422, str(problem))
    view = open_run(request.app.state.live, who.principal, code, Operation.READ_EVENTS)
    page = log_page(view, after, kind)
    return render(request, "pages/decisions.html", who, title=_("Decision log"), page=page, kinds=KINDS,
                  slags=slags, kommune=kommune, municipality=code)
