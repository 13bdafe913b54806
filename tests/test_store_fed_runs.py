"""A stored run takes a day's fed observations as one step (`Engine.step(until, most)`), as the
in-memory run does, and nothing stored depends on it.

Item by item, a stored 10-year run of examples/vejle took its 2 270 fed observations one at a time
(10-15 % more engine time than `advance_to` for the same events). Now a step may take a run of
them, at most as many items as the batch has room for, so batches are cut where they were, and
each event keeps the number of the item that made it. What must hold: every row of every table is
the same as when each step takes one item; a run whose batches ended inside runs of fed
observations resumes and continues to the same log; and the steps really take runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_store import dump

from govcore.config import Configuration
from govcore.engine import Engine
from govcore.store import run as store_run
from govcore.store.db import open_database
from govcore.store.run import simulate_persistent, tick
from govcore.store.tables import EventRow, Run, table


def _one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    step = Engine.step

    def single(self: Engine, until: dt.datetime, most: int = 1) -> Any:
        return step(self, until, 1)

    monkeypatch.setattr(Engine, "step", single)


def _steps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(items taken, most allowed) of each step."""
    seen: list[tuple[int, int]] = []
    step = Engine.step

    def counting(self: Engine, until: dt.datetime, most: int = 1) -> Any:
        done = self.items_processed
        events = step(self, until, most)
        if events is not None:
            seen.append((self.items_processed - done, most))
        return events

    monkeypatch.setattr(Engine, "step", counting)
    return seen


def _log(url: str, code: str) -> list[tuple[int, int, str, str, str]]:
    """The stored log: each event's number, item, type, time and hash."""
    events = table(EventRow)
    db = open_database(url)
    try:
        return db.read(lambda conn: [(int(r.seq), int(r.item), str(r.type), str(r.at), str(r.hash))
                                     for r in conn.execute(
            sa.select(events.c.seq, events.c.item, events.c.type, events.c.at, events.c.hash)
            .where(events.c.municipality == code).order_by(events.c.seq))])
    finally:
        db.close()


def _stored_items(url: str, code: str) -> int:
    run = table(Run)
    db = open_database(url)
    try:
        return db.read(lambda conn: int(conn.execute(sa.select(run.c["items"]).where(run.c.municipality == code))
                                        .scalar_one()))
    finally:
        db.close()


def test_every_stored_row_is_the_same_as_one_item_a_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          vejle_config: Configuration) -> None:
    cfg, code = vejle_config, vejle_config.municipality.code
    single, runs = f"sqlite:///{tmp_path / 'single.db'}", f"sqlite:///{tmp_path / 'runs.db'}"
    with monkeypatch.context() as m:
        _one_at_a_time(m)
        simulate_persistent(cfg, single, year=2021)
    with monkeypatch.context() as m:
        steps = _steps(m)
        simulate_persistent(cfg, runs, year=2021)
    assert max(took for took, _ in steps) > 10, "a day's fed observations are taken as one step"
    assert all(took <= most for took, most in steps)
    assert dump(runs, code) == dump(single, code)


class Killed(BaseException):
    """As a process killed there: not an error the command takes back (`PersistentRun.atomic`
    undoes what an `Exception` interrupted), so the committed batches stay."""


def test_a_run_killed_inside_a_run_of_fed_observations_resumes_to_the_same_log(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vejle_config: Configuration) -> None:
    """Batches of at most 7 items end inside the day's runs of fed observations; the run is killed
    on the step after such a batch, so what is stored ends inside a run; the next tick replays to
    exactly that item (a step stops there) and goes on."""
    cfg, code = vejle_config, vejle_config.municipality.code
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    with monkeypatch.context() as m:
        _one_at_a_time(m)
        tick(cfg, reference, now=dt.date(2021, 12, 31), year=2021)
    with monkeypatch.context() as m:
        m.setattr(store_run, "BATCH_ITEMS", 7)
        step = Engine.step
        full: list[int] = []

        def failing(self: Engine, until: dt.datetime, most: int = 1) -> Any:
            if full:
                raise Killed
            done = self.items_processed
            events = step(self, until, most)
            if self.items_processed - done == most > 1:
                full.append(self.items_processed)
            return events

        m.setattr(Engine, "step", failing)
        with pytest.raises(Killed):
            tick(cfg, db_url, now=dt.date(2021, 12, 31), year=2021)
    stored, log = _stored_items(db_url, code), _log(reference, code)
    assert stored == full[0]
    item = {i: (kind, at) for _, i, kind, at, _ in log}
    assert item[stored] == item[stored + 1] and item[stored][0] == "observation", "stopped inside a run"
    steps = _steps(monkeypatch)
    tick(cfg, db_url, now=dt.date(2021, 12, 31), year=2021)  # replays to the stored items, then goes on
    assert max(took for took, _ in steps) > 10
    assert _log(db_url, code) == log
