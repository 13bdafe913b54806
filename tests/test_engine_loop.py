"""`Engine.advance_to` hands each item straight to its handler (bound once for the run): the same
events, in the same order, and the same count of items as one `_process` call per item (`steps`);
a closed engine, even one closed while it runs, processes nothing more."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from engine_support import assert_stopped_at_year_turn, closing_at_year_turn

from govcore.config import Configuration
from govcore.engine import Engine, event_line
from govcore.errors import EngineError

ROOT = Path(__file__).resolve().parent.parent


def test_advance_to_gives_what_processing_item_by_item_gives(vejle_config: Configuration) -> None:
    cfg = vejle_config
    first, middle, last = dt.date(2020, 11, 1), dt.date(2021, 2, 14), dt.date(2021, 12, 31)
    with Engine(cfg, start=first) as whole:
        whole.advance_to(middle)
        whole.advance_to(last)  # a new year and a new configuration version on the way
    with Engine(cfg, start=first) as stepped:
        one_by_one = 0
        for _events in stepped.steps(stepped.calendar.local_datetime(last, 23, 59)):
            one_by_one += 1
    assert {e.type for e in whole.events} >= {"observation", "followup", "year_started", "configuration_changed"}
    assert [event_line(e) for e in whole.events] == [event_line(e) for e in stepped.events]
    assert whole.items_processed == stepped.items_processed == one_by_one > len(whole.events) // 2


def test_a_closed_engine_processes_nothing(vejle_config: Configuration) -> None:
    cfg = vejle_config
    engine = Engine(cfg, start=dt.date(2021, 1, 1))
    engine.close()
    with pytest.raises(EngineError):
        engine.advance_to(dt.date(2021, 3, 31))
    assert engine.events == [] and engine.items_processed == 0


def test_an_engine_closed_while_it_runs_stops_at_the_next_item(vejle_config: Configuration) -> None:
    engine, seen = closing_at_year_turn(vejle_config)
    with pytest.raises(EngineError):
        engine.advance_to(dt.date(2021, 12, 31))
    assert_stopped_at_year_turn(engine, seen)
    processed = engine.items_processed
    with pytest.raises(EngineError):
        engine.advance_to(dt.date(2021, 12, 31))
    assert engine.events == seen and engine.items_processed == processed > 0
