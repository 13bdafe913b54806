"""The server's settings: where the database is, how the server is reached, limits.

Secrets (the database password, SMTP and OpenID Connect credentials) come from the environment
only, never from a file or a command-line argument that `ps` would show; `--db` may name a URL
without a password and PostgreSQL then reads `PGPASSWORD`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from govcore.errors import GovcoreError

ENV_PREFIX = "GOVCORE_"


class SettingsError(GovcoreError):
    """A setting from the environment cannot be used."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1_000_000  # a request body above this is refused (413) while it is read
    token_lifetime: dt.timedelta = dt.timedelta(hours=8)
    login_burst: int = 10  # logins one client address may try at once...
    login_per_minute: float = 6.0  # ...and then this many a minute
    advance_every: float = 3600.0  # seconds between advancing every live run to now (0: never; cron ticks)
    notify_every: float = 60.0  # seconds between rounds of the notification worker (with GOVCORE_SMTP_HOST)

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides: object) -> Settings:
        """Settings from GOVCORE_DB, GOVCORE_BASE_URL, GOVCORE_MAX_BODY_BYTES,
        GOVCORE_TOKEN_HOURS, GOVCORE_LOGIN_BURST, GOVCORE_LOGIN_PER_MINUTE, GOVCORE_ADVANCE_SECONDS and
        GOVCORE_NOTIFY_SECONDS."""
        env = os.environ
        url = database_url or env.get(f"{ENV_PREFIX}DB") or "govcore.db"
        values: dict[str, object] = {"database_url": url}
        try:
            if env.get(f"{ENV_PREFIX}BASE_URL"):
                values["base_url"] = env[f"{ENV_PREFIX}BASE_URL"].rstrip("/")
            if env.get(f"{ENV_PREFIX}MAX_BODY_BYTES"):
                values["max_body_bytes"] = int(env[f"{ENV_PREFIX}MAX_BODY_BYTES"])
            if env.get(f"{ENV_PREFIX}TOKEN_HOURS"):
                values["token_lifetime"] = dt.timedelta(hours=float(env[f"{ENV_PREFIX}TOKEN_HOURS"]))
            if env.get(f"{ENV_PREFIX}LOGIN_BURST"):
                values["login_burst"] = int(env[f"{ENV_PREFIX}LOGIN_BURST"])
            if env.get(f"{ENV_PREFIX}LOGIN_PER_MINUTE"):
                values["login_per_minute"] = float(env[f"{ENV_PREFIX}LOGIN_PER_MINUTE"])
            if env.get(f"{ENV_PREFIX}ADVANCE_SECONDS"):
                values["advance_every"] = float(env[f"{ENV_PREFIX}ADVANCE_SECONDS"])
            if env.get(f"{ENV_PREFIX}NOTIFY_SECONDS"):
                values["notify_every"] = float(env[f"{ENV_PREFIX}NOTIFY_SECONDS"])
        except ValueError as err:
            raise SettingsError(f"a GOVCORE_ setting is not a number: {err}") from None
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.max_body_bytes < 1024 or settings.login_burst < 1 or settings.login_per_minute <= 0 \
                or settings.token_lifetime <= dt.timedelta(0) or settings.advance_every < 0 \
                or settings.notify_every < 0:
            raise SettingsError("GOVCORE_MAX_BODY_BYTES must be at least 1024, GOVCORE_LOGIN_BURST at least 1, "
                                "GOVCORE_LOGIN_PER_MINUTE and GOVCORE_TOKEN_HOURS above 0, "
                                "GOVCORE_ADVANCE_SECONDS and GOVCORE_NOTIFY_SECONDS 0 or more")
        return settings
