"""Everything the pages add to the application, in one call (`create_app` makes it)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from govcore.web.errors import install_error_pages
from govcore.web.language import RequestLanguage
from govcore.web.pages import PAGES
from govcore.web.security import SecurityHeaders


def install(app: FastAPI) -> None:
    from importlib.resources import files

    app.mount("/static", StaticFiles(directory=str(files("govcore") / "static")), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLanguage)
    install_error_pages(app)
    for router in PAGES:
        app.include_router(router)
