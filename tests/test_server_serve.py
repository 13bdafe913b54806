"""`govcore serve` as an administrator starts it, and the login rate limit."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import httpx
import pytest
from conftest import write_config
from live_server import LiveServer

from govcore.access.accounts import add_user
from govcore.config import load_config
from govcore.server.ratelimit import TokenBucket
from govcore.store.db import open_database
from govcore.store.run import tick

PASSWORD = "korrekt hest batteri"


def _govcore() -> list[str]:
    exe = Path(sys.executable).parent / "govcore"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "govcore.cli"]


def test_the_token_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(3, 6.0, clock=lambda: now[0])  # 3 at once, then one every 10 s
    assert [bucket.take("a")[0] for _ in range(4)] == [True, True, True, False]
    assert bucket.take("b")[0]  # per address
    allowed, wait = bucket.take("a")
    assert not allowed and 9.9 < wait <= 10.0
    now[0] = 10.0
    assert bucket.take("a")[0] and not bucket.take("a")[0]


def test_govcore_serve_serves_a_live_run_and_limits_logins(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "config")
    db_url = str(tmp_path / "govcore.db")
    tick(load_config(folder), db_url, now=dt.date(2021, 3, 1))
    db = open_database(db_url)
    try:
        add_user(db, "chefen", "630", ["chef"], password=PASSWORD)
    finally:
        db.close()
    server = LiveServer(db_url, [], tmp_path / "unused", tmp_path / "serve.log", GOVCORE_LOGIN_BURST="3",
                        GOVCORE_SCHEDULER="off",
                        command=[*_govcore(), "serve", "--db", db_url, "--config", str(folder), "--port", "{port}"])
    server.start()
    try:
        token = server.login("chefen", PASSWORD)
        with server.client(token) as c:
            goals = c.get("/api/v1/municipalities/630/goals").json()
            assert {g["id"]: g["status"] for g in goals["goals"]} == {"g-job": "off_track", "g-ledige": "on_track"}
            assert goals["as_of"].startswith("2021-03-01")
        answers = [httpx.post(f"{server.url}/api/v1/token", data={"username": "chefen", "password": PASSWORD})
                   for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]  # the first login took one of three
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert answers[-1].json()["error"] == "too_many_requests"
    finally:
        server.stop()


def test_the_command_line_does_not_import_the_web_stack() -> None:
    import subprocess

    code = "import sys, govcore.cli; print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_scheduler_settings_come_from_the_environment_and_bad_ones_are_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from govcore.server.settings import Settings, SettingsError

    for name in ("GOVCORE_SCHEDULER", "GOVCORE_DAILY_AT", "GOVCORE_SCHEDULER_TIMEZONE",
                 "GOVCORE_SCHEDULER_CHECK_SECONDS", "GOVCORE_ADVANCE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    s = Settings.from_env("x.db")
    assert (s.scheduler, s.daily_at, s.scheduler_zone, s.scheduler_check_every) == (
        True, dt.time(2, 0), "Europe/Copenhagen", 60.0)
    monkeypatch.setenv("GOVCORE_SCHEDULER", "off")
    monkeypatch.setenv("GOVCORE_DAILY_AT", "03:30")
    monkeypatch.setenv("GOVCORE_SCHEDULER_TIMEZONE", "Europe/Oslo")
    monkeypatch.setenv("GOVCORE_SCHEDULER_CHECK_SECONDS", "5")
    s = Settings.from_env("x.db")
    assert (s.scheduler, s.daily_at, s.scheduler_zone, s.scheduler_check_every) == (
        False, dt.time(3, 30), "Europe/Oslo", 5.0)
    for name, value, message in (("GOVCORE_SCHEDULER", "maybe", "GOVCORE_SCHEDULER er 'maybe': angiv on eller off"),
                                 ("GOVCORE_DAILY_AT", "2 am", "GOVCORE_DAILY_AT er '2 am': angiv et lokalt klokkeslæt"),
                                 ("GOVCORE_SCHEDULER_TIMEZONE", "Europe/Vejle",
                                  "GOVCORE_SCHEDULER_TIMEZONE er 'Europe/Vejle': ikke en kendt tidszone"),
                                 ("GOVCORE_SCHEDULER_CHECK_SECONDS", "0",
                                  "GOVCORE_SCHEDULER_CHECK_SECONDS skal være over 0"),
                                 ("GOVCORE_SCHEDULER_CHECK_SECONDS", "ofte",
                                  "GOVCORE_SCHEDULER_CHECK_SECONDS er 'ofte': angiv et tal"),
                                 ("GOVCORE_TOKEN_HOURS", "1e400", "GOVCORE_TOKEN_HOURS er '1e400': angiv et tal"),
                                 ("GOVCORE_MAX_BODY_BYTES", "100", "GOVCORE_MAX_BODY_BYTES skal være mindst 1024"),
                                 ("GOVCORE_ADVANCE_SECONDS", "3600", "GOVCORE_ADVANCE_SECONDS læses ikke længere")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            with pytest.raises(SettingsError, match=f"^{message}"):
                Settings.from_env("x.db")
    monkeypatch.delenv("GOVCORE_SCHEDULER")
    monkeypatch.setenv("GOVCORE_ADVANCE_SECONDS", "0")  # the old way to say "never"
    assert Settings.from_env("x.db").scheduler is False


def test_settings_errors_are_english_on_request(monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    """Each names its GOVCORE_* variable, in English with GOVCORE_LANG=en."""
    from govcore.server.settings import Settings, SettingsError

    for name, value, message in (("GOVCORE_SCHEDULER", "maybe", "GOVCORE_SCHEDULER is 'maybe': give on or off"),
                                 ("GOVCORE_LOGIN_BURST", "mange", "GOVCORE_LOGIN_BURST is 'mange': give a number"),
                                 ("GOVCORE_LOGIN_PER_MINUTE", "0", "GOVCORE_LOGIN_PER_MINUTE must be above 0"),
                                 ("GOVCORE_NOTIFY_SECONDS", "-1", "GOVCORE_NOTIFY_SECONDS must be 0 or more")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            with pytest.raises(SettingsError, match=f"^{message}$"):
                Settings.from_env("x.db")
