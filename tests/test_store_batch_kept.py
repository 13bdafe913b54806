"""What a stored run keeps of a batch until its commit (`PersistentRun._advance`, `_Batch`): every
event once, in order, and per item only what a live run's notifications need — the items that
caused events, each with its events, in the same order. A simulation keeps nothing per item (a
tuple and a list per item were thousands of live objects for the cycle collector to count)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from govcore.config import Configuration, load_config
from govcore.store.run import PersistentRun, simulate_persistent, tick

ROOT = Path(__file__).resolve().parent.parent


def _committed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each batch as `_commit_batch` receives it, with copies of what it holds."""
    seen: list[Any] = []
    commit = PersistentRun._commit_batch

    def record(self: PersistentRun, batch: Any) -> None:
        seen.append((list(batch.events), None if batch.items is None else [(it.config, list(it.events))
                                                                            for it in batch.items]))
        commit(self, batch)

    monkeypatch.setattr(PersistentRun, "_commit_batch", record)
    return seen


def test_a_simulation_commits_every_event_once_and_keeps_nothing_per_item(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = load_config(ROOT / "examples" / "vejle")
    seen = _committed(monkeypatch)
    result = simulate_persistent(cfg, str(tmp_path / "sim.db"), start=dt.date(2020, 1, 1), until=dt.date(2021, 12, 31))
    assert len(seen) > 2
    assert all(items is None for _, items in seen)
    assert [ev for events, _ in seen for ev in events] == result.events


def test_a_live_run_hands_each_item_with_events_to_its_notifications(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = load_config(ROOT / "examples" / "vejle")
    seen = _committed(monkeypatch)
    done = tick(cfg, str(tmp_path / "live.db"), now=dt.date(2021, 12, 31), year=2021)
    assert len(seen) > 2
    committed = [ev for events, _ in seen for ev in events]
    assert committed == done.events
    for events, items in seen:
        assert items is not None
        assert all(isinstance(config, Configuration) for config, _ in items)
        assert [ev for _, item_events in items for ev in item_events] == events
    assert any(len(items) > 1 for _, items in seen)
