"""The scheduler inside the server (govcore.server.scheduler): driven by a fake clock, and inside
real server processes with their test clock (a file) — no sleeps for timing, conditions waited
for with timeouts."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import threading
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, write_config
from live_server import LiveServer, stored_config
from test_notifications import SENDER, Inbox, smtp, smtp_env  # noqa: F401 (smtp: the aiosmtpd fixture)
from test_notifications import add_user as add_person
from test_notifications import rows as outbox
from test_store import dump

from govcore.config import Configuration, load_config
from govcore.model import Observation
from govcore.notify.mail import SmtpSettings
from govcore.server.scheduler import Outcome, Scheduler
from govcore.store.audit import verify
from govcore.store.db import open_database
from govcore.store.run import observe, tick

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
START = "2021-01-01"


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CPH)  # type: ignore[misc]


@pytest.fixture
def configs(tmp_path: Path) -> dict[str, Configuration]:
    out = {}
    for code in ("630", "740"):
        # the rule files inside the folder, so that the configuration can be stored with the run
        folder = write_config(tmp_path / f"c{code}", rules=["rules/*.yaml"])
        shutil.copytree(ROOT / "rules", folder / "rules")
        p = folder / "municipality.yaml"
        p.write_text(re.sub(r"(?m)^municipality: \d+", f"municipality: {code}", p.read_text()), encoding="utf-8")
        out[code] = load_config(folder)
    return out


def clocks(url: str) -> dict[str, str]:
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return {str(m): str(c) for m, c in conn.exec_driver_sql("SELECT municipality, clock FROM govcore_run")}
    finally:
        db.close()


def test_daily_round_and_data_arrival_advance_the_live_runs_and_one_failure_stops_no_other(
        configs: dict[str, Configuration], db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    def load(municipality: str, start: str) -> Configuration:
        if municipality == "851":
            raise RuntimeError("plugin 'govcore-broken' raised: boom")
        return configs[municipality]

    runs = [("630", START), ("740", START), ("851", START)]
    clock = FakeClock(local(2021, 3, 1, 10, 0))
    db = open_database(db_url)
    try:
        sched = Scheduler(db, load, lambda: runs, daily_at=dt.time(2, 0), clock=clock)
        assert sched.next_daily == local(2021, 3, 2, 2, 0)
        assert sched.step() == []  # nothing due, nothing arrived

        sched.data_arrived("630")
        done = sched.step()
        assert [(o.municipality, o.reason, o.ok) for o in done] == [("630", "data", True)]
        assert done[0].events > 0
        assert clocks(db_url) == {"630": "2021-03-01T10:00:00+01:00"}
        assert sched.step() == []  # the arrival was handled once

        clock.now = local(2021, 3, 2, 2, 0)
        with caplog.at_level(logging.INFO, logger="govcore.scheduler"):
            done = sched.step()
        assert [(o.municipality, o.reason, o.ok) for o in done] == [
            ("630", "daily", True), ("740", "daily", True), ("851", "daily", False)]
        assert clocks(db_url) == {"630": "2021-03-02T02:00:00+01:00", "740": "2021-03-02T02:00:00+01:00"}
        assert done[2].error == "plugin 'govcore-broken' raised: boom"
        assert [o.municipality for o in sched.failures()] == ["851"]
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert errors == ["could not advance municipality 851 run 2021-01-01 (daily): plugin 'govcore-broken' "
                          "raised: boom"]
        assert sched.next_daily == local(2021, 3, 3, 2, 0)
        assert sched.step() == []  # the round is done for today
    finally:
        db.close()
    # the runs the scheduler advanced are the runs a plain tick gives
    for code in ("630", "740"):
        assert [(r.municipality, r.problem) for r in verify(open_database(db_url)) if r.municipality == code] == [
            (code, None)]


def test_the_scheduler_advances_to_the_same_events_as_cron_ticks(
        configs: dict[str, Configuration], tmp_path: Path) -> None:
    ref, url = str(tmp_path / "ref.db"), str(tmp_path / "sched.db")
    tick(configs["630"], ref, now=local(2021, 1, 15, 2, 0))
    tick(configs["630"], ref, now=local(2021, 4, 2, 2, 0))
    clock = FakeClock(local(2021, 1, 15, 2, 0))
    db = open_database(url)
    try:
        sched = Scheduler(db, lambda m, s: configs[m], lambda: [("630", START)], clock=clock)
        assert sched.advance_all()[0].ok
        clock.now = local(2021, 4, 2, 2, 0)
        assert [o.ok for o in sched.step()] == [True]
    finally:
        db.close()
    assert dump(url, "630") == dump(ref, "630")


def test_daily_time_is_local_across_daylight_saving() -> None:
    sched = Scheduler(None, lambda m, s: None, lambda: [], daily_at=dt.time(2, 30),  # type: ignore[arg-type]
                      clock=FakeClock(local(2021, 3, 27, 12, 0)))
    # 28 March 2021: clocks go from 02:00 to 03:00, so 02:30 does not exist that day
    assert sched.next_daily.isoformat() == "2021-03-28T03:30:00+02:00"
    assert sched.daily_after(local(2021, 3, 28, 4, 0)).isoformat() == "2021-03-29T02:30:00+02:00"
    assert sched.daily_after(local(2021, 10, 30, 3, 0)).isoformat() == "2021-10-31T02:30:00+02:00"
    with pytest.raises(ValueError, match="aware"):
        Scheduler(None, lambda m, s: None, lambda: [], clock=lambda: dt.datetime(2021, 1, 1))  # type: ignore[arg-type]


def test_the_thread_wakes_when_data_arrives_and_stops_cleanly(
        configs: dict[str, Configuration], tmp_path: Path) -> None:
    seen: list[Outcome] = []
    arrived = threading.Event()

    def record(o: Outcome) -> None:
        seen.append(o)
        arrived.set()

    db = open_database(str(tmp_path / "t.db"))
    try:
        sched = Scheduler(db, lambda m, s: configs[m], lambda: [("630", START), ("740", START)],
                          clock=FakeClock(local(2021, 2, 10, 9, 0)), on_outcome=record)
        sched.start()
        try:
            sched.data_arrived("740", START)
            assert arrived.wait(timeout=300), "the scheduler thread did not advance the run"
        finally:
            sched.stop(timeout=300)
        assert [(o.municipality, o.reason, o.ok) for o in seen] == [("740", "data", True)]
        assert sched._thread is None
    finally:
        db.close()


def test_the_thread_outlives_a_clock_that_fails(configs: dict[str, Configuration], tmp_path: Path) -> None:
    """A clock that cannot be read for a moment (the test clock file being replaced, say) costs a
    round, not the scheduler."""
    seen: list[Outcome] = []
    arrived = threading.Event()
    fails = [3]

    def clock() -> dt.datetime:
        if fails[0] > 0 and threading.current_thread().name == "govcore-scheduler":
            fails[0] -= 1
            raise ValueError("Invalid isoformat string: ''")
        return local(2021, 2, 10, 9, 0)

    def record(o: Outcome) -> None:
        seen.append(o)
        arrived.set()

    db = open_database(str(tmp_path / "t.db"))
    try:
        sched = Scheduler(db, lambda m, s: configs[m], lambda: [("630", START)], clock=clock, on_outcome=record,
                          check_every=0.05)
        sched.start(catch_up=True)  # the round at start fails with the clock
        try:
            sched.data_arrived("630", START)
            assert arrived.wait(timeout=300), "the scheduler thread died"
        finally:
            sched.stop(timeout=300)
        assert fails == [0] and seen[0].ok and seen[0].municipality == "630"
    finally:
        db.close()


def test_by_default_the_scheduler_finds_the_live_runs_and_their_stored_configurations(
        configs: dict[str, Configuration], db_url: str) -> None:
    for code in ("630", "740"):
        tick(configs[code], db_url, now=local(2021, 1, 10, 2, 0))  # live runs, configuration stored with them
    clock = FakeClock(local(2021, 2, 2, 2, 0))
    db = open_database(db_url)
    try:
        sched = Scheduler(db, clock=clock)
        assert sched.step() == []
        clock.now = local(2021, 2, 3, 2, 0)
        done = sched.step()
        assert [(o.municipality, o.start, o.ok) for o in done] == [("630", START, True), ("740", START, True)], done
    finally:
        db.close()
    assert clocks(db_url) == {"630": "2021-02-03T02:00:00+01:00", "740": "2021-02-03T02:00:00+01:00"}


def test_data_stored_by_another_process_without_advancing_the_run_is_noticed_once(
        configs: dict[str, Configuration], db_url: str) -> None:
    tick(configs["630"], db_url, now=local(2021, 2, 10, 9, 0))
    tick(configs["740"], db_url, now=local(2021, 2, 10, 9, 0))
    clock = FakeClock(local(2021, 2, 10, 11, 0))
    db = open_database(db_url)
    try:
        sched = Scheduler(db, clock=clock)
        assert sched.step() == []  # the first check only looks
        observe(configs["740"], db_url, [Observation(kpi="jobrate", period="2021-01", value=40,
                                                     known_at=dt.date(2021, 2, 3), source="cli")])
        done = sched.step()
        assert [(o.municipality, o.reason, o.ok) for o in done] == [("740", "data", True)]
        assert clocks(db_url) == {"630": "2021-02-10T09:00:00+01:00", "740": "2021-02-10T11:00:00+01:00"}
        assert sched.step() == []  # its own advance is no new data
        tick(configs["630"], db, now=local(2021, 2, 10, 11, 30))  # cron: the clock moved, nothing to do
        observe(configs["630"], db, [Observation(kpi="ledige", period="2021-01", value=900,
                                                 known_at=dt.date(2021, 2, 3), source="cli")])
        clock.now = local(2021, 2, 10, 12, 0)
        assert [(o.municipality, o.reason) for o in sched.step()] == [("630", "data")]
    finally:
        db.close()


# ------------------------------------------------------------------ the scheduler in a real server


def run_clock(url: str, code: str = "630") -> str:
    return clocks(url).get(code, "")


def wait_for(condition: Callable[[], bool], what: str, server: LiveServer, timeout: float = 180.0) -> None:
    """Wait until `condition()` holds (polled every tenth of a second), failing after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s; server log:\n{server.output()}")
        time.sleep(0.1)  # polling interval while waiting for a condition, not a timing assumption


def events(url: str, code: str = "630") -> list[tuple[str, ...]]:
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return [tuple(str(x) for x in r) for r in conn.exec_driver_sql(
                f"SELECT seq, at, type, hash FROM govcore_event WHERE municipality = '{code}' ORDER BY seq")]
    finally:
        db.close()


SERVER_OBS = Observation(kpi="jobrate", period="2021-02", value=56, known_at=dt.date(2021, 3, 1), source="cli")
RECEIVED = local(2021, 3, 2, 1, 30)


def reference(tmp_path: Path, cfg: Configuration) -> str:
    """The same run advanced by cron ticks and `govcore observe` at the moments the server's
    scheduler should advance it."""
    url = str(tmp_path / "reference.db")
    tick(cfg, url, now=local(2021, 2, 26, 12, 0))
    tick(cfg, url, now=local(2021, 3, 1, 12, 0))
    observe(cfg, url, [SERVER_OBS], received_at=RECEIVED)  # taken in at the run's clock
    tick(cfg, url, now=local(2021, 3, 2, 1, 30))
    tick(cfg, url, now=local(2021, 3, 2, 2, 0))
    return url


def test_the_server_advances_its_runs_at_start_when_data_arrives_and_daily(tmp_path: Path, db_url: str) -> None:
    """A real server process with its test clock (a file): the run catches up at start, is
    advanced when `govcore observe` (another process) stores data, and at 02:00 local — and ends
    with the events that cron ticks at those moments give."""
    folder = stored_config(tmp_path / "config")
    cfg = load_config(folder)
    tick(cfg, db_url, now=local(2021, 2, 26, 12, 0))
    server = LiveServer(db_url, [], tmp_path / "clock.txt", tmp_path / "server.log",
                        GOVCORE_SCHEDULER_CHECK_SECONDS="0.2", GOVCORE_DAILY_AT="02:00")
    server.set_clock("2021-03-01T12:00:00+01:00")  # after the follow-up of 1 March, which no tick has run
    server.start()
    try:
        wait_for(lambda: run_clock(db_url) == "2021-03-01T12:00:00+01:00", "the catch-up at start", server)
        server.set_clock("2021-03-02T01:30:00+01:00")
        observe(cfg, db_url, [SERVER_OBS], received_at=RECEIVED)  # stored at the run's clock, not advanced
        wait_for(lambda: run_clock(db_url) == "2021-03-02T01:30:00+01:00", "the advance when data arrived", server)
        server.set_clock("2021-03-02T02:00:00+01:00")
        wait_for(lambda: run_clock(db_url) == "2021-03-02T02:00:00+01:00", "the daily round at 02:00", server)
    finally:
        server.stop()
    assert events(db_url) == events(reference(tmp_path, cfg))
    assert [r.problem for r in verify(open_database(db_url)) if r.municipality == "630"] == [None]


def due(url: str, now: str = "2021-03-02T01:00:00+00:00") -> list[dict[str, Any]]:
    """The outbox rows that may be sent at the test clock's last time (reminders wait longer)."""
    return [r for r in outbox(url) if r["not_before"] <= now]


@pytest.mark.postgres
def test_two_servers_on_one_postgresql_advance_each_run_once_and_send_each_notification_once(
        tmp_path: Path, pg_url: str, smtp: tuple[Inbox, SmtpSettings]) -> None:  # noqa: F811 (the fixture)
    """Two server processes, each with its scheduler and its notification worker, on one
    database: both catch up at start and both see 02:00 come; each run's log is what one process
    ticking alone writes, and intact; every notification those rounds caused reaches the SMTP
    server once."""
    inbox, mail = smtp
    folders = [stored_config(tmp_path / f"c{code}", code) for code in ("630", "740")]
    cfgs = [load_config(f) for f in folders]
    for cfg in cfgs:
        tick(cfg, pg_url, now=local(2021, 2, 26, 12, 0))
        for role in ("udvalg", "direktoer", "chef", "center"):
            add_person(pg_url, f"{role}{cfg.municipality.code}", [role], f"{role}{cfg.municipality.code}@kommune.dk",
                       municipality=cfg.municipality.code)
    clock = tmp_path / "clock.txt"
    servers = [LiveServer(pg_url, [], clock, tmp_path / f"server{i}.log", GOVCORE_SCHEDULER_CHECK_SECONDS="0.2",
                          GOVCORE_NOTIFY_SECONDS="0.2", **smtp_env(mail)) for i in (1, 2)]
    servers[0].set_clock("2021-03-01T12:00:00+01:00")
    try:
        for s in servers:
            s.start()
        both = {"630": "2021-03-01T12:00:00+01:00", "740": "2021-03-01T12:00:00+01:00"}
        wait_for(lambda: clocks(pg_url) == both, "the catch-up at start", servers[0])
        servers[0].set_clock("2021-03-02T02:00:00+01:00")
        both = {"630": "2021-03-02T02:00:00+01:00", "740": "2021-03-02T02:00:00+01:00"}
        wait_for(lambda: clocks(pg_url) == both, "the daily round", servers[0])
        wait_for(lambda: bool(due(pg_url)) and all(r["state"] in ("sent", "cancelled") for r in due(pg_url)),
                 "sending every notification due", servers[0])
    finally:
        for s in servers:
            s.stop()
    for s in servers:
        assert "Traceback" not in s.output() and "could not advance" not in s.output(), s.output()
    for cfg in cfgs:
        ref = str(tmp_path / f"ref{cfg.municipality.code}.db")
        for now in (local(2021, 2, 26, 12, 0), local(2021, 3, 1, 12, 0), local(2021, 3, 2, 2, 0)):
            tick(cfg, ref, now=now)
        assert events(pg_url, cfg.municipality.code) == events(ref, cfg.municipality.code)
    assert [r.problem for r in verify(open_database(pg_url))] == [None, None]
    sent = [r for r in outbox(pg_url) if r["state"] == "sent"]
    assert {r["municipality"] for r in sent} == {"630", "740"}  # each run's demanded action, at least
    assert len(sent) == len([r for r in due(pg_url) if r["state"] == "sent"])  # reminders wait for their day
    ids = inbox.ids()
    assert len(ids) == len(sent) and set(ids.values()) == {1}
