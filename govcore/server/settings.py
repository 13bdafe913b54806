"""The server's settings: where the database is, how the server is reached, limits.

Secrets (the database password, SMTP and OpenID Connect credentials) come from the environment
only, never from a file or a command-line argument that `ps` would show; `--db` may name a URL
without a password and PostgreSQL then reads `PGPASSWORD`.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from govcore.errors import GovcoreError
from govcore.i18n import N_, _

ENV_PREFIX = "GOVCORE_"


class SettingsError(GovcoreError):
    """A setting from the environment cannot be used."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 4_000_000  # a request body above this is refused (413) while it is read (10,000
    # observations are about 1.3 MB)
    token_lifetime: dt.timedelta = dt.timedelta(hours=8)
    login_burst: int = 10  # logins one client address may try at once...
    login_per_minute: float = 6.0  # ...and then this many a minute
    scheduler: bool = True  # advance the live runs inside the server (off: `govcore tick --all` from cron)
    daily_at: dt.time = dt.time(2, 0)  # the daily round, local time in `scheduler_zone`
    scheduler_zone: str = "Europe/Copenhagen"
    scheduler_check_every: float = 60.0  # seconds between looks at the clock and for data stored elsewhere
    notify_every: float = 60.0  # seconds between rounds of the notification worker (with GOVCORE_SMTP_HOST)

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides: object) -> Settings:
        """Settings from GOVCORE_DB, GOVCORE_BASE_URL, GOVCORE_MAX_BODY_BYTES,
        GOVCORE_TOKEN_HOURS, GOVCORE_LOGIN_BURST, GOVCORE_LOGIN_PER_MINUTE, GOVCORE_SCHEDULER,
        GOVCORE_DAILY_AT, GOVCORE_SCHEDULER_TIMEZONE, GOVCORE_SCHEDULER_CHECK_SECONDS and
        GOVCORE_NOTIFY_SECONDS (docs/server.md)."""
        env = os.environ
        url = database_url or env.get(f"{ENV_PREFIX}DB") or "govcore.db"
        values: dict[str, object] = {"database_url": url}
        if env.get(f"{ENV_PREFIX}BASE_URL"):
            values["base_url"] = env[f"{ENV_PREFIX}BASE_URL"].rstrip("/")
        for name, key, read in _NUMBERS:
            text = env.get(ENV_PREFIX + name, "").strip()
            if text:
                try:
                    values[key] = read(text)
                except (ValueError, OverflowError):
                    raise SettingsError(_("{setting} is '{value}': give a number").format(
                        setting=ENV_PREFIX + name, value=text[:40])) from None
        values.update(_scheduler_settings(env))
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        limits = ((settings.max_body_bytes >= 1024, "MAX_BODY_BYTES", N_("at least 1024")),
                  (settings.token_lifetime > dt.timedelta(0), "TOKEN_HOURS", N_("above 0")),
                  (settings.login_burst >= 1, "LOGIN_BURST", N_("at least 1")),
                  (settings.login_per_minute > 0, "LOGIN_PER_MINUTE", N_("above 0")),
                  (settings.scheduler_check_every > 0, "SCHEDULER_CHECK_SECONDS", N_("above 0")),
                  (settings.notify_every >= 0, "NOTIFY_SECONDS", N_("0 or more")))
        for right, name, limit in limits:
            if not right:
                raise SettingsError(_("{setting} must be {limit}").format(setting=ENV_PREFIX + name, limit=_(limit)))
        return settings


def _hours(text: str) -> dt.timedelta:
    return dt.timedelta(hours=float(text))


# The numeric settings: the variable (after GOVCORE_), the field, how it is read.
_NUMBERS: tuple[tuple[str, str, Callable[[str], object]], ...] = (
    ("MAX_BODY_BYTES", "max_body_bytes", int), ("TOKEN_HOURS", "token_lifetime", _hours),
    ("LOGIN_BURST", "login_burst", int), ("LOGIN_PER_MINUTE", "login_per_minute", float),
    ("SCHEDULER_CHECK_SECONDS", "scheduler_check_every", float), ("NOTIFY_SECONDS", "notify_every", float))

_SWITCH = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}


def _scheduler_settings(env: Mapping[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    legacy = env.get(f"{ENV_PREFIX}ADVANCE_SECONDS", "").strip()
    if legacy:  # the hourly round of earlier versions: only its "never" still has a meaning
        try:
            never = float(legacy) == 0
        except ValueError:
            never = False
        if not never:
            raise SettingsError(_("GOVCORE_ADVANCE_SECONDS is no longer read: the server advances the live runs at "
                                  "start, daily at GOVCORE_DAILY_AT and when data arrives; GOVCORE_SCHEDULER=off "
                                  "turns that off (docs/server.md)"))
        values["scheduler"] = False
    switch = env.get(f"{ENV_PREFIX}SCHEDULER", "").strip().lower()
    if switch:
        if switch not in _SWITCH:
            raise SettingsError(_("GOVCORE_SCHEDULER is '{value}': give on or off").format(value=switch[:40]))
        values["scheduler"] = _SWITCH[switch]
    daily = env.get(f"{ENV_PREFIX}DAILY_AT", "").strip()
    if daily:
        try:
            at = dt.time.fromisoformat(daily)
        except ValueError:
            raise SettingsError(_("GOVCORE_DAILY_AT is '{value}': give a local time as HH:MM, such as 02:00").format(
                value=daily[:40])) from None
        if at.tzinfo is not None:
            raise SettingsError(_("GOVCORE_DAILY_AT is a local time without an offset (the zone is "
                                  "GOVCORE_SCHEDULER_TIMEZONE)"))
        values["daily_at"] = at
    zone = env.get(f"{ENV_PREFIX}SCHEDULER_TIMEZONE", "").strip()
    if zone:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise SettingsError(_("GOVCORE_SCHEDULER_TIMEZONE is '{value}': not a known time zone "
                                  "(such as Europe/Copenhagen)").format(value=zone[:60])) from None
        values["scheduler_zone"] = zone
    return values
