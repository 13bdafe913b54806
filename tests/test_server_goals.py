"""The goal status the API serves (`govcore.access.goals`, read from the stored observations) is
the one `govcore report --db` computes by replaying the run — at every moment of a live run,
with corrections, values known later, an intake still ahead the same day, and configuration
versions — and the cached answer follows the run whichever process advanced it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from conftest import write_config

from govcore.access.goals import goal_status, moment_of
from govcore.access.live import LiveRuns
from govcore.access.principal import Principal
from govcore.config import Configuration, load_config
from govcore.model import Observation
from govcore.store.db import Database, open_database
from govcore.store.run import observe, report_as_of, tick

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
START = "2021-01-01"


def replayed(cfg: Configuration, db: Database, moment: dt.datetime) -> dict[str, Any]:
    """The goals as the report gives them (a replay of the stored run to `moment`'s day), in the
    API's shape: what the API answered before it read the stored observations."""
    day = moment.date()
    result = report_as_of(cfg, db, as_of=day, start=dt.date.fromisoformat(START))
    goals = []
    for g in result.config.version_at(day).goals:
        st = result.summary["goals"][g.id]
        goals.append({"id": g.id, "title": g.title, "level": g.level.value, "owner": g.owner,
                      "owners": list(g.owners), "kpi": g.kpi, "status": st["status"], "actual": st["actual"],
                      "expected": st["expected"], "period": st["period"], "explanation": st["explanation"],
                      "in_effect": st["in_effect"], "forecast": st["forecast"]})
    return {"municipality": cfg.municipality.code, "run": START, "as_of": result.summary["as_of"], "goals": goals}


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CPH)  # type: ignore[misc]


def obs(kpi: str, period: str, value: float, known: str) -> Observation:
    return Observation(kpi=kpi, period=period, value=value, known_at=dt.date.fromisoformat(known), source="test")


def check(cfg: Configuration, db: Database, now: dt.datetime) -> dict[str, Any]:
    clock = db.read(lambda conn: conn.exec_driver_sql(
        f"SELECT clock FROM govcore_run WHERE municipality = '{cfg.municipality.code}'").scalar_one())
    moment = moment_of(cfg, START, str(clock), now)
    got = goal_status(db, cfg, cfg.municipality.code, START, moment)
    assert got == replayed(cfg, db, moment), moment
    return got


def test_the_goal_status_read_from_stored_observations_is_the_replayed_one(tmp_path: Path, db_url: str) -> None:
    cfg = load_config(write_config(tmp_path / "c"))
    db = open_database(db_url)
    try:
        tick(cfg, db, now=at(2021, 2, 1, 10, 0))
        first = check(cfg, db, at(2021, 2, 1, 12, 0))
        # on 1 February only December's figures are known (52 %, 950)
        assert {g["id"]: g["status"] for g in first["goals"]} == {"g-job": "on_track", "g-ledige": "on_track"}
        # at 02:00 the 2021-03-02 figure (known that day) is not taken in yet: it comes at 06:00
        tick(cfg, db, now=at(2021, 3, 2, 2, 0))
        early = check(cfg, db, at(2021, 3, 2, 2, 30))
        assert early["goals"][0]["period"] == "2021-01"
        tick(cfg, db, now=at(2021, 3, 2, 7, 0))
        assert check(cfg, db, at(2021, 3, 2, 8, 0))["goals"][0]["period"] == "2021-02"
        # added: a correction of February known the same day as the configuration's value (fed
        # later, so it wins), a value known in the future, and another municipality's figure
        observe(cfg, db, [obs("jobrate", "2021-02", 55, "2021-03-02"), obs("jobrate", "2021-04", 60, "2021-05-03"),
                          obs("ledige", "2021-01", 1200, "2021-02-15")])
        fixed = check(cfg, db, at(2021, 3, 2, 9, 0))
        assert fixed["goals"][0]["actual"] == 55 and fixed["goals"][1]["status"] == "off_track"
        observe(cfg, db, [obs("jobrate", "2021-02", 40, "2021-03-02"), obs("jobrate", "2021-02", 41, "2021-03-02")])
        assert check(cfg, db, at(2021, 3, 2, 9, 30))["goals"][0]["actual"] == 41
        tick(cfg, db, now=at(2021, 5, 3, 5, 0))
        check(cfg, db, at(2021, 5, 3, 5, 30))  # the April figure not yet (06:00)
        tick(cfg, db, now=at(2021, 5, 3, 23, 59))
        assert check(cfg, db, at(2021, 5, 4, 9, 0))["goals"][0]["actual"] == 60  # the run's clock is the limit
        # the wall clock behind the run's clock: the status as of today's end
        assert check(cfg, db, at(2021, 3, 15, 12, 0))["as_of"] == "2021-03-15T23:59:00+01:00"
    finally:
        db.close()


def test_the_goal_status_follows_configuration_versions_as_the_replay_does(tmp_path: Path,
                                                                         vejle_config: Configuration) -> None:
    cfg = vejle_config
    db = open_database(str(tmp_path / "vejle.db"))
    try:
        for now in (at(2021, 3, 1, 12, 0), at(2021, 6, 16, 12, 0), at(2022, 1, 3, 12, 0)):
            tick(cfg, db, now=now)
            got = check(cfg, db, now)
            assert len(got["goals"]) == len(cfg.version_at(now.date()).goals)
        assert any(g["status"] != "no_data" for g in got["goals"])
    finally:
        db.close()


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_the_served_status_is_the_new_one_after_observations_and_an_advance_by_another_process(
        tmp_path: Path, db_url: str) -> None:
    """Two LiveRuns over one database stand for two server processes: what one writes, the other
    serves at once, though it cached the status before."""
    cfg = load_config(write_config(tmp_path / "c"))
    db = open_database(db_url)
    try:
        tick(cfg, db, now=at(2021, 3, 3, 10, 0))
        clock = Clock(at(2021, 3, 3, 10, 0))
        one, two = (LiveRuns(db, lambda m, s: cfg, clock) for _ in range(2))
        viewer = Principal("key", "k1", "630", scopes=frozenset({"status:read", "observations:write"}))
        before = one.goals(viewer, "630")
        assert one.goals(viewer, "630") is before  # cached while nothing changed
        assert before["goals"][0]["actual"] == 46

        two.add_observations(viewer, "630", [{"kpi": "jobrate", "period": "2021-02", "value": 58,
                                              "known_at": "2021-03-02"}])
        after = one.goals(viewer, "630")
        assert after["goals"][0]["actual"] == 58 and after["goals"][0]["status"] == "on_track"

        clock.now = at(2021, 4, 6, 10, 0)  # the March figure (53) comes on 2 April
        assert one.goals(viewer, "630")["goals"][0]["actual"] == 58  # the run was not advanced yet
        tick(cfg, db, now=clock.now)  # `govcore tick` from cron, say
        moved = one.goals(viewer, "630")
        assert moved["goals"][0]["period"] == "2021-03" and moved["goals"][0]["actual"] == 53
        assert moved["as_of"] == "2021-04-06T10:00:00+02:00"
    finally:
        db.close()


@pytest.mark.parametrize("scope", ["status:read"])
def test_the_status_needs_the_scope(tmp_path: Path, scope: str) -> None:
    from govcore.access.permissions import Forbidden

    cfg = load_config(write_config(tmp_path / "c"))
    db = open_database(str(tmp_path / "g.db"))
    try:
        tick(cfg, db, now=at(2021, 3, 3, 10, 0))
        live = LiveRuns(db, lambda m, s: cfg, Clock(at(2021, 3, 3, 10, 0)))
        assert live.goals(Principal("key", "k", "630", scopes=frozenset({scope})), "630")["goals"]
        with pytest.raises(Forbidden):
            live.goals(Principal("key", "k", "630", scopes=frozenset({"events:read"})), "630")
    finally:
        db.close()
