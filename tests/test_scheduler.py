"""The scheduler inside the server (govcore.server.scheduler), driven by a fake clock: no sleeps."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import threading
import zoneinfo
from pathlib import Path

import pytest
from conftest import ROOT, write_config
from test_store import dump

from govcore.config import Configuration, load_config
from govcore.server.scheduler import Outcome, Scheduler
from govcore.store.audit import verify
from govcore.store.db import open_database
from govcore.store.run import tick

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
