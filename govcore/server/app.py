"""The ASGI application: `create_app(settings)` builds it over one database."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
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


log = logging.getLogger("govcore.server")


async def _scheduler(live: LiveRuns, every: float) -> None:
    """Advance every live run to now at start and then every `every` seconds (in a worker thread:
    the store is synchronous). A run another process is advancing just waits for the next round."""
    while True:
        try:
            results = await asyncio.to_thread(live.advance_all)
            for code, result in sorted(results.items()):
                if isinstance(result, str):
                    log.warning("advancing the live run of %s failed: %s", code, result)
        except Exception:  # the scheduler must outlive a failing round (a database restart, say)
            log.exception("advancing the live runs failed")
        await asyncio.sleep(every)


def create_app(settings: Settings, *, load: Loader | None = None,
               clock: Callable[[], dt.datetime] = wall_clock, db: Database | None = None) -> FastAPI:
    """The API over `settings.database_url` (or an open `db`). `load` gives a run's configuration
    (default: the stored configuration); `clock` is now (tests pass their own)."""
    database = db or open_database(settings.database_url)
    ensure(database, create=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_scheduler(app.state.live, settings.advance_every)) \
            if settings.advance_every > 0 else None
        yield
        if task is not None:
            task.cancel()
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
