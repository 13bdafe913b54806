"""The live-run operations as a library (`govcore.access.live`), without a server: what the API
and the command line share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import write_config

from govcore.access.live import Conflict, InvalidInput, LiveRuns, NotFound
from govcore.access.permissions import Forbidden
from govcore.access.principal import Principal
from govcore.config import Configuration, load_config
from govcore.store.db import open_database
from govcore.store.run import tick

KEY = Principal("key", "k1", "630", scopes=frozenset({"status:read", "events:read", "observations:write",
                                                      "actions:submit", "actions:decide"}))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Configuration, str]:
    cfg = load_config(write_config(tmp_path / "config"))
    db = str(tmp_path / "govcore.db")
    tick(cfg, db, now=dt.date(2021, 3, 1))  # act-0001 demanded of center
    return cfg, db


def test_a_wall_clock_in_utc_gives_a_run_that_replays(setup: tuple[Configuration, str]) -> None:
    cfg, url = setup
    db = open_database(url)
    try:
        live = LiveRuns(db, lambda m, s: cfg, clock=lambda: dt.datetime(2021, 3, 2, 9, 0, tzinfo=dt.UTC))
        answer = live.submit(KEY, "630", "act-0001", "Plan")
        assert [e["at"] for e in answer["events"] if e["type"] == "action_submitted"] == \
            ["2021-03-02T10:00:00+01:00"]  # local time, as every event of the run
        live.add_observations(KEY, "630", [{"kpi": "jobrate", "period": "2021-02", "value": 49}])
    finally:
        db.close()
    assert tick(cfg, url, now=dt.date(2021, 3, 3)).items > 0  # the stored run replays and goes on


def test_a_tick_to_a_time_in_another_offset_is_taken_to_local_time(setup: tuple[Configuration, str]) -> None:
    cfg, url = setup
    first = tick(cfg, url, now=dt.datetime(2021, 3, 2, 8, 30, tzinfo=dt.UTC))
    assert first.clock == "2021-03-02T09:30:00+01:00"
    assert tick(cfg, url, now=dt.date(2021, 3, 3)).clock.startswith("2021-03-03T23:59")


def test_the_municipality_is_checked_before_anything_is_looked_up(setup: tuple[Configuration, str]) -> None:
    cfg, url = setup
    looked_up: list[str] = []

    def load(m: str, s: str) -> Configuration:
        looked_up.append(m)
        return cfg

    db = open_database(url)
    try:
        live = LiveRuns(db, load)
        other = Principal("user", "x", "615", frozenset({"center"}))
        for call in (lambda: live.goals(other, "630"), lambda: live.submit(other, "630", "act-0001", "x"),
                     lambda: live.deliver(other, "630", "plan"), lambda: live.events(other, "630")):
            with pytest.raises(Forbidden):
                call()
        assert looked_up == []
        center = Principal("user", "c", "630", frozenset({"center"}))
        with pytest.raises(NotFound):
            live.submit(center, "630", "act-0099", "x")
        with pytest.raises(InvalidInput):
            live.submit(center, "630", "act-0001", "  ")
        with pytest.raises(Conflict):
            live.accept(Principal("user", "b", "630", frozenset({"chef"})), "630", "act-0001")
        with pytest.raises(NotFound):
            live.goals(Principal("user", "a", "851", frozenset({"udvalg"})), "851")
    finally:
        db.close()
