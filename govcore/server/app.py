"""The ASGI application: `create_app(settings)` builds it over one database."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from govcore import web
from govcore.access.live import LiveRuns, Loader, wall_clock
from govcore.config import Configuration
from govcore.server import errors
from govcore.server.ratelimit import TokenBucket
from govcore.server.routers import ROUTERS
from govcore.server.scheduler import Scheduler
from govcore.server.settings import Settings
from govcore.store.db import Database, open_database
from govcore.store.schema import ensure


def stored_loader(db: Database) -> Loader:
    """Each run's configuration rebuilt from the database alone (`govcore.store.configs`)."""
    from govcore.store.configs import stored_configuration

    def load(municipality: str, start: str) -> Configuration:
        return stored_configuration(db, municipality, start)

    return load


log = logging.getLogger("govcore.server")


def _scheduler(live: LiveRuns, settings: Settings, clock: Callable[[], dt.datetime]) -> Scheduler | None:
    """The one scheduler of the server (`govcore.server.scheduler`): every live run advanced to
    now at start, daily at GOVCORE_DAILY_AT and when data arrives; None with GOVCORE_SCHEDULER=off
    (then `govcore tick --all` from cron keeps the runs going). It takes the runs' configurations
    from the requests' cache, so that its round at start has loaded them before people ask."""
    if not settings.scheduler:
        log.info("live runs are not advanced by this server (GOVCORE_SCHEDULER=off)")
        return None

    def load(municipality: str, start: str) -> Configuration:
        return live.config(live.run(municipality, start))

    scheduler = Scheduler(live.db, load, daily_at=settings.daily_at, zone=settings.scheduler_zone, clock=clock,
                          check_every=settings.scheduler_check_every)
    live.on_written = scheduler.written
    return scheduler


def _notifier(db: Database, settings: Settings, clock: Callable[[], dt.datetime],
              stop: threading.Event) -> threading.Thread | None:
    """The notification worker in a thread of the server, when SMTP is configured (GOVCORE_SMTP_HOST):
    it sends what the runs' outbox holds, every `settings.notify_every` seconds. Without SMTP the
    outbox only fills, and `govcore notifications send` (or another server) delivers it."""
    import os

    from govcore.notify.mail import ENV_HOST, SmtpSender, SmtpSettings, base_url
    from govcore.notify.worker import Outcome, Worker, serve_forever

    if not os.environ.get(ENV_HOST, "").strip() or settings.notify_every <= 0:
        log.info("notifications are not sent by this server: %s is not set", ENV_HOST)
        return None
    smtp = SmtpSettings.from_env()
    worker = Worker(db, SmtpSender(smtp), smtp.sender, clock=clock, base_url=base_url() or settings.base_url)

    def report(outcomes: list[Outcome]) -> None:
        for o in outcomes:
            if o.error:
                log.warning("notification %s (%s): %s", o.ident, o.state, o.error)

    thread = threading.Thread(target=serve_forever, args=(worker, stop, settings.notify_every, report),
                              name="govcore-notifications", daemon=True)
    thread.start()
    return thread


def create_app(settings: Settings, *, folders: Sequence[str | Path] = (), load: Loader | None = None,
               clock: Callable[[], dt.datetime] = wall_clock, db: Database | None = None) -> FastAPI:
    """The API over `settings.database_url` (or an open `db`). A run's configuration comes from
    `load`, else from the database (stored with the run), or from `folders` for the municipalities
    they are of (runs stored before configurations were kept); `clock` is now (tests pass their own)."""
    from govcore.server.run import folder_loader

    database = db or open_database(settings.database_url)
    ensure(database, create=True)
    if load is None:
        load = folder_loader(folders, fallback=stored_loader(database)) if folders else stored_loader(database)

    live = LiveRuns(database, load, clock)
    scheduler = _scheduler(live, settings, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if scheduler is not None:
            scheduler.start(catch_up=True)
        stop = threading.Event()
        notifier = _notifier(database, settings, clock, stop)
        yield
        stop.set()
        if scheduler is not None:
            scheduler.stop(timeout=120)
        if notifier is not None:
            notifier.join(timeout=120)
        if db is None:
            database.close()

    app = FastAPI(title="govcore", version="1", summary="Governance of a municipality's employment effort: "
                  "goals, deviations, corrective actions and the decision log of live runs.",
                  openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs", redoc_url=None, lifespan=lifespan,
                  swagger_ui_oauth2_redirect_url="/api/v1/docs/oauth2-redirect")
    app.state.settings = settings
    app.state.db = database
    app.state.live = live
    app.state.scheduler = scheduler
    app.state.logins = TokenBucket(settings.login_burst, settings.login_per_minute)
    errors.install(app)
    app.add_middleware(errors.RequestLimits, max_body_bytes=settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    _login_providers(app, database)
    web.install(app)
    return app


def _login_providers(app: FastAPI, db: Database) -> None:
    """OpenID Connect (municipal single sign-on) when GOVCORE_OIDC_ISSUER is set: its login and
    callback routes under /auth/oidc, which end in a web session (docs/server.md)."""
    from govcore.server.oidc import OidcSettings, oidc_router

    settings = OidcSettings.from_env()
    if settings is not None:
        app.include_router(oidc_router(db, settings))
