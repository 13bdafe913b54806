"""The ASGI application: `create_app(settings)` builds it over one database."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from govcore.access.live import LiveRuns, Loader, wall_clock
from govcore.config import Configuration
from govcore.errors import GovcoreError
from govcore.server import errors
from govcore.server.ratelimit import TokenBucket
from govcore.server.routers import ROUTERS
from govcore.server.settings import Settings
from govcore.store.db import Database, open_database
from govcore.store.schema import ensure


def stored_loader(db: Database) -> Loader:
    """Configurations rebuilt from the database alone (`govcore.store.configs`), once that module
    is installed; until then every run needs a configuration folder (`govcore serve --config`)."""
    try:
        configs = importlib.import_module("govcore.store.configs")
    except ImportError:
        def missing(municipality: str, start: str) -> Configuration:
            raise GovcoreError(f"no configuration for the run of {municipality} from {start}: this govcore cannot "
                               "rebuild configurations from the database; give the folder with --config")
        return missing

    def load(municipality: str, start: str) -> Configuration:
        cfg: Configuration = configs.stored_configuration(db, municipality, dt.date.fromisoformat(start))
        return cfg

    return load


def create_app(settings: Settings, *, load: Loader | None = None,
               clock: Callable[[], dt.datetime] = wall_clock, db: Database | None = None) -> FastAPI:
    """The API over `settings.database_url` (or an open `db`). `load` gives a run's configuration
    (default: the stored configuration); `clock` is now (tests pass their own)."""
    database = db or open_database(settings.database_url)
    ensure(database, create=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if db is None:
            database.close()

    app = FastAPI(title="govcore", version="1", summary="Governance of a municipality's employment effort: "
                  "goals, deviations, corrective actions and the decision log of live runs.",
                  openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs", redoc_url=None, lifespan=lifespan,
                  swagger_ui_oauth2_redirect_url="/api/v1/docs/oauth2-redirect")
    app.state.settings = settings
    app.state.db = database
    app.state.live = LiveRuns(database, load or stored_loader(database), clock)
    app.state.logins = TokenBucket(settings.login_burst, settings.login_per_minute)
    errors.install(app)
    app.add_middleware(errors.RequestLimits, max_body_bytes=settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    return app
