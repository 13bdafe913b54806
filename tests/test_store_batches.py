"""Where a stored run cuts its items into transactions (`PersistentRun._advance`): a batch ends at
the end of a simulated day once it holds the least items or spans the days, and at the most items
at the latest, never earlier — for a live run (tick) and a simulation (simulate_persistent)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest

from govcore.config import Configuration
from govcore.store import run as store_run
from govcore.store.run import PersistentRun, simulate_persistent, tick

ROOT = Path(__file__).resolve().parent.parent


def _batches(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[int, dt.date]]]:
    """Each committed batch as its items' (number, local day)."""
    seen: list[list[tuple[int, dt.date]]] = []
    commit = PersistentRun._commit_batch

    def record(self: PersistentRun, batch: Any) -> None:
        done = self.__dict__.get("_committed", 0)  # the items processed since the last commit, as `dated` saw them
        seen.append(self._days[done:])  # type: ignore[attr-defined]
        self._committed = len(self._days)  # type: ignore[attr-defined]
        commit(self, batch)

    step = store_run.Engine.step

    def dated(engine: Any, until: dt.datetime, most: int = 1) -> Any:
        done = engine.items_processed
        events = step(engine, until, most)
        owner = engine.__dict__.get("_run_under_test")
        if owner is not None:  # every item the step took (a run of fed observations is several)
            owner._days.extend((n, engine.now.date()) for n in range(done + 1, engine.items_processed + 1))
        return events

    init = PersistentRun.__init__

    def keep(self: PersistentRun, *a: Any, **k: Any) -> None:
        init(self, *a, **k)
        self._days = []  # type: ignore[attr-defined]
        self.engine.__dict__["_run_under_test"] = self

    monkeypatch.setattr(PersistentRun, "_commit_batch", record)
    monkeypatch.setattr(store_run.Engine, "step", dated)
    monkeypatch.setattr(PersistentRun, "__init__", keep)
    return seen


def _check(batches: list[list[tuple[int, dt.date]]], least: int, days: int) -> None:
    assert len(batches) > 2
    flat = [x for b in batches for x in b]
    assert [n for n, _ in flat] == list(range(flat[0][0], flat[0][0] + len(flat)))  # every item, once, in order
    for b, after in itertools.pairwise(batches):
        first, nxt = b[0][1], after[0][1]
        assert len(b) <= store_run.BATCH_ITEMS
        cut_due = len(b) == store_run.BATCH_ITEMS or (
            nxt != b[-1][1] and (len(b) >= least or (nxt - first).days >= days))
        assert cut_due, (b[0], b[-1], nxt)
        for i in range(1, len(b)):  # and not due before
            day, prev = b[i][1], b[i - 1][1]
            assert not (i >= store_run.BATCH_ITEMS or (day != prev and (i >= least or (day - first).days >= days)))


def test_a_live_run_commits_whole_days_in_batches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  vejle_config: Configuration) -> None:
    cfg = vejle_config
    batches = _batches(monkeypatch)
    tick(cfg, str(tmp_path / "live.db"), now=dt.date(2021, 12, 31), year=2021)
    _check(batches, store_run.BATCH_MIN, store_run.BATCH_DAYS)


def test_a_simulation_commits_longer_batches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                             vejle_config: Configuration) -> None:
    cfg = vejle_config
    batches = _batches(monkeypatch)
    simulate_persistent(cfg, str(tmp_path / "sim.db"), start=dt.date(2020, 1, 1), until=dt.date(2021, 12, 31))
    _check(batches, store_run.SIMULATION_BATCH_MIN, store_run.SIMULATION_BATCH_DAYS)
