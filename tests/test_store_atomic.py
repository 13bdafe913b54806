"""Failure is atomic: a `simulate --db`, `tick` or `observe` that fails leaves the database as it
was — no run row, no half-year of events, no observations of a rejected file.

A failure halfway through a run is injected by a fixture (the engine's item loop raises after N
items, as any engine or plugin error would); the database is compared row by row, every table,
before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import write_config
from test_store import cli, dump, small

from govcore.config import load_config
from govcore.engine import Engine
from govcore.errors import EngineError
from govcore.model import Observation
from govcore.simulate import simulate
from govcore.store.run import observe, simulate_persistent, tick

FailAfter = Callable[[int], None]


@pytest.fixture
def fail_after(monkeypatch: pytest.MonkeyPatch) -> FailAfter:
    """`fail_after(n)`: from now on, an engine raises when it processes its item n + 1 (replaying
    stored items up to n still works; what comes after fails)."""

    def arm(n: int) -> None:
        original = Engine.step

        def step(self: Engine, until: dt.datetime, most: int = 1) -> list[Any] | None:
            events = original(self, until, most)
            if events is not None and self.items_processed > n:
                raise EngineError("injected failure halfway through the run")
            return events

        monkeypatch.setattr(Engine, "step", step)

    return arm


def everything(url: str) -> dict[str, Any]:
    """Every row of the two municipalities the tests use, all tables."""
    return {"630": dump(url, "630"), "740": dump(url, "740")}


def test_a_failing_simulate_leaves_no_run(db_url: str, tmp_path: Path, fail_after: FailAfter) -> None:
    tick(small(tmp_path / "other"), db_url, now=dt.date(2021, 3, 1))  # another run, left as it is
    folder = write_config(tmp_path / "c")
    (folder / "municipality.yaml").write_text(
        (folder / "municipality.yaml").read_text(encoding="utf-8").replace("municipality: 630", "municipality: 740"),
        encoding="utf-8")
    cfg = load_config(folder)
    assert cfg.municipality.code == "740"
    before = everything(db_url)
    fail_after(10)
    with pytest.raises(EngineError, match="injected failure"):
        simulate_persistent(cfg, db_url)
    assert everything(db_url) == before


def test_a_failing_resume_takes_back_what_it_wrote(db_url: str, tmp_path: Path, fail_after: FailAfter) -> None:
    cfg = small(tmp_path / "c")
    stored = tick(cfg, db_url, now=dt.date(2021, 4, 15)).items
    before = everything(db_url)
    fail_after(stored + 5)
    with pytest.raises(EngineError, match="injected failure"):
        simulate_persistent(cfg, db_url, resume=True)
    assert everything(db_url) == before


def test_a_failing_tick_writes_nothing_and_the_next_one_is_as_if_it_never_ran(
        db_url: str, tmp_path: Path, fail_after: FailAfter, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = small(tmp_path / "c")
    stored = tick(cfg, db_url, now=dt.date(2021, 3, 1)).items
    before = everything(db_url)
    fail_after(stored + 6)
    out = cli("tick", str(tmp_path / "c"), "--db", db_url, "--now", "2021-11-30")
    assert out.exit_code == 2 and "injected failure" in out.output
    assert everything(db_url) == before
    monkeypatch.undo()
    tick(cfg, db_url, now=dt.date(2021, 12, 31))
    plain = simulate(cfg)
    stored = dump(db_url, "630")["govcore_event"]
    assert len(stored) == len(plain.events)


def test_a_failing_first_tick_leaves_no_run(db_url: str, tmp_path: Path, fail_after: FailAfter) -> None:
    cfg = small(tmp_path / "c")
    fail_after(3)
    with pytest.raises(EngineError, match="injected failure"):
        tick(cfg, db_url, now=dt.date(2021, 6, 1))
    assert all(not rows for rows in dump(db_url, "630").values())


def test_observe_of_a_rejected_file_adds_nothing(db_url: str, tmp_path: Path) -> None:
    cfg = small(tmp_path / "c")
    tick(cfg, db_url, now=dt.date(2021, 3, 1))
    good = tmp_path / "good.csv"
    good.write_text("kpi,period,value,known_at\njobrate,2021-02,49,2021-03-01\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("kpi,period,value,known_at\njobrate,2021-02,48,2021-03-01\nledige,2021-02,lots,2021-03-01\n",
                   encoding="utf-8")
    before = everything(db_url)
    out = cli("observe", str(tmp_path / "c"), str(good), str(bad), "--db", db_url)
    assert out.exit_code == 2 and "bad.csv" in out.output
    assert everything(db_url) == before
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("kpi,period,value,known_at\nnosuch,2021-02,1,2021-03-01\n", encoding="utf-8")
    out = cli("observe", str(tmp_path / "c"), str(good), str(unknown), "--db", db_url)
    assert out.exit_code == 2 and "nosuch" in out.output
    assert everything(db_url) == before


def test_observe_whose_processing_fails_takes_its_observations_back(
        db_url: str, tmp_path: Path, fail_after: FailAfter) -> None:
    cfg = small(tmp_path / "c")
    stored = tick(cfg, db_url, now=dt.date(2021, 3, 1)).items
    before = everything(db_url)
    fail_after(stored)
    with pytest.raises(EngineError, match="injected failure"):
        observe(cfg, db_url, [Observation(kpi="jobrate", period="2021-02", value=49.0, source="rettelse",
                                          known_at=dt.date(2021, 3, 1))])
    assert everything(db_url) == before


def test_a_command_that_lost_a_race_takes_back_nothing_of_the_winners_work(tmp_path: Path, english: None) -> None:
    from govcore.store.db import open_database
    from govcore.store.run import PersistentRun, RunError

    cfg = load_config(write_config(tmp_path / "config"))
    url = str(tmp_path / "govcore.db")
    tick(cfg, url, now=dt.date(2021, 2, 1))
    db = open_database(url)
    try:
        first = dt.date(2021, 1, 1)
        winner = PersistentRun.open(db, cfg, start=first, create=False)
        loser = PersistentRun.open(db, cfg, start=first, create=False)  # e.g. cron's tick beside the server
        until = winner.engine.calendar.local_datetime(dt.date(2021, 3, 5), 23, 59)
        with winner, winner.atomic():
            winner.advance(until)
        won = winner.state.events
        with pytest.raises(RunError, match="another process"), loser, loser.atomic():
            loser.advance(until)
        stored = db.read(lambda conn: conn.exec_driver_sql("SELECT count(*) FROM govcore_event").scalar())
        assert stored == won > 4
    finally:
        db.close()
    assert tick(cfg, url, now=dt.date(2021, 3, 6)).items > 0  # intact: it replays and goes on
