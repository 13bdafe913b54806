"""Every router of the web pages, in one list (docs/web.md lists the pages; a guard test checks
each is documented and tested). A page module holds its routes and names its templates under
govcore/web/templates/pages/."""

from __future__ import annotations

from fastapi import APIRouter

from govcore.web.pages import (
    admin,
    budget,
    decisions,
    deviations,
    goals,
    language,
    login,
    observations,
    surveys,
    tasks,
    wheel,
)

PAGES: list[APIRouter] = [login.router, tasks.router, admin.router, goals.router, wheel.router, deviations.router,
                          budget.router, surveys.router, observations.router, decisions.router, language.router]
