"""`/observationer`: the figures the live run has received, with their corrections (the old
value, the new value, when and from which source or person); filtered by KPI and period."""

from __future__ import annotations

import difflib
import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from govcore.i18n import _
from govcore.web.errors import error_page
from govcore.web.session import Person
from govcore.web.templating import render
from govcore.web.views.observations import PAGE_SIZE, figures, stored_rows
from govcore.web.views.run import QueryProblem, municipality_of, open_run

router = APIRouter(include_in_schema=False)

PERIOD_START = re.compile(r"\d{4}(-(Q[1-4]?|H[12]?|W?\d{0,2}))?")


@router.get("/observationer")
def observations(request: Request, who: Person, kpi: str = "", periode: str = "", rettede: str = "",
                 side: str = "1", kommune: str = "") -> Response:
    try:
        code = municipality_of(who.principal, kommune)
        if periode and not PERIOD_START.fullmatch(periode):
            raise QueryProblem(_("The period '{value}' is not known: write a year (2021), a quarter (2021-Q1) "
                                 "or a month (2021-05).").format(value=periode[:20]))
        if not side.isdigit() or not 1 <= int(side) <= 100_000:
            raise QueryProblem(_("'side' must be a page number from 1, not '{value}'.").format(value=side[:20]))
    except QueryProblem as problem:
        return error_page(request, 422, str(problem))
    view = open_run(request.app.state.live, who.principal, code)
    kpis = sorted(view.cfg.kpis)
    if kpi and kpi not in view.cfg.kpis:
        close = difflib.get_close_matches(kpi, kpis, n=1)
        hint = _("Did you mean '{kpi}'?").format(kpi=close[0]) if close else _("Choose a KPI in the list.")
        return error_page(request, 422, _("The KPI '{kpi}' does not exist in the configuration.").format(kpi=kpi[:60])
                          + " " + hint)
    found = figures(stored_rows(view.live, who.principal, code, view.day, kpi or None), periode)
    if rettede:
        found = [f for f in found if f.corrected]
    page = int(side)
    shown = found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    options = sorted(((k, view.kpi(k)) for k in kpis), key=lambda p: (p[1].lower(), p[0]))
    return render(request, "pages/observations.html", who, title=_("Observations"), figures=shown, total=len(found),
                  page=page, pages=max(1, -(-len(found) // PAGE_SIZE)), kpi=kpi, periode=periode, rettede=rettede,
                  kpis=options, kommune=kommune, municipality=code, as_of=view.day, kpi_name=view.kpi)
