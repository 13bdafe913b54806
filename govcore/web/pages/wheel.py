"""The årshjul page, `/aarshjul`: the year as a circle (twelve months, milestones and follow-ups
on one ring per responsible role, today marked; each mark links to its item in the list below)
and the list of the year's items by month. `?aar=` chooses the year (default: this year by the
server's clock); anything but a year from 2000 to 2100 is a Danish 422 page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from govcore.i18n import _
from govcore.web.session import Person
from govcore.web.templating import render, today
from govcore.web.views.wheel import FIRST_YEAR, LAST_YEAR, parse_year, year_wheel

router = APIRouter(include_in_schema=False)


@router.get("/aarshjul")
def wheel_page(request: Request, who: Person, aar: Annotated[str, Query(max_length=100)] = "",
               kommune: Annotated[str, Query(max_length=100)] = "") -> Response:
    now = today(request)
    year = parse_year(aar) if aar.strip() else now.year
    if year is None:
        return render(request, "error.html", who, status=422, title=_("Something in the address must be corrected"),
                      text=_("The year must be a year from {first} to {last}, e.g. ?aar={example}. "
                             "“{value}” is not one of them.").format(first=FIRST_YEAR, last=LAST_YEAR,
                                                                     example=now.year, value=aar[:20]))
    page = year_wheel(request.app.state.live, who.principal, kommune or who.municipality, year, now)
    return render(request, "pages/wheel.html", who, title=_("Annual cycle {year}").format(year=year), page=page,
                  previous=year - 1 if year > FIRST_YEAR else None, following=year + 1 if year < LAST_YEAR else None)
