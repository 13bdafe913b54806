"""`Engine.steps`, a caller's way to commit between items: each yielded
slice is exactly the events of one processed item, as popping the queue and calling `_process`
once per item gives them, the clock moves to each item's time, the queue a new wheel replaces is
followed, and a closed engine stops."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_support import add_version_with_new_wheel, assert_stopped_at_year_turn, closing_at_year_turn

from govcore.config import Configuration, load_config
from govcore.engine import Engine, event_line
from govcore.errors import EngineError

ROOT = Path(__file__).resolve().parent.parent


def _one_by_one(engine: Engine, until: dt.datetime) -> list[tuple[str, list[str]]]:
    """The reference: each due item popped and handed to `_process`, its events sliced off."""
    out = []
    while engine._queue and engine._queue[0].at <= until:
        item = heapq.heappop(engine._queue)
        before = len(engine.events)
        engine.now = max(engine.now, item.at)
        engine._process(item)
        engine.items_processed += 1
        out.append((engine.now.isoformat(), [event_line(e) for e in engine.events[before:]]))
    return out


def test_each_step_is_one_items_events_and_clock(vejle_config: Configuration) -> None:
    cfg = vejle_config
    first, last = dt.date(2020, 11, 1), dt.date(2021, 12, 31)  # a new year and a configuration version
    with Engine(cfg, start=first) as ref, Engine(cfg, start=first) as stepped:
        until = ref.calendar.local_datetime(last, 23, 59)
        want = _one_by_one(ref, until)
        got = [(stepped.now.isoformat(), [event_line(e) for e in events]) for events in stepped.steps(until)]
        assert {e.type for e in stepped.events} >= {"observation", "followup", "year_started",
                                                      "configuration_changed"}
        assert got == want
        assert stepped.items_processed == ref.items_processed == len(got)
        assert sum(1 for _, lines in got if not lines) < len(got)


def test_steps_follow_the_queue_a_new_wheel_replaces(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    add_version_with_new_wheel(folder, "Nyt hjul")
    cfg = load_config(folder)
    with Engine(cfg, year=2021) as ref, Engine(cfg, year=2021) as stepped:
        until = ref.calendar.local_datetime(dt.date(2021, 6, 30), 23, 59)
        want = _one_by_one(ref, until)
        got = [(stepped.now.isoformat(), [event_line(e) for e in events]) for events in stepped.steps(until)]
        (changed,) = [e for e in stepped.events if e.type == "configuration_changed"]
        assert changed.details["wheel_changed"] is True
        later = [e.at.date() for e in stepped.events if e.type == "followup" and e.at.date() > dt.date(2021, 3, 10)]
        assert len(later) == 4 and all(15 <= d.day <= 17 for d in later)  # the new wheel's meetings only
        assert got == want


def test_steps_stop_at_a_closed_engine(vejle_config: Configuration) -> None:
    engine, seen = closing_at_year_turn(vejle_config)
    steps = engine.steps(engine.calendar.local_datetime(dt.date(2021, 12, 31), 23, 59))
    with pytest.raises(EngineError):
        for _events in steps:
            pass
    assert_stopped_at_year_turn(engine, seen)
