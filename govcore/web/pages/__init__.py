"""Every router of the web pages, in one list (docs/web.md lists the pages; a guard test checks
each is documented and tested). A page module holds its routes and names its templates under
govcore/web/templates/pages/."""

from __future__ import annotations

from fastapi import APIRouter

from govcore.web.pages import admin, afvigelser, beslutningslog, budget, login, observationer, undersoegelser

PAGES: list[APIRouter] = [login.router, admin.router, afvigelser.router, budget.router, undersoegelser.router,
                          observationer.router, beslutningslog.router]
