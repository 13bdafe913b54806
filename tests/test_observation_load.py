"""Loading a configuration works out its history once (`observations.prepare` in `load_config`).

The rows known before 1 January of the configuration's year are taken into a frozen store when
the configuration is loaded, not by its first engine: every engine of that start day, the first
included, lies its own store over it. Here: loading leaves that start worked out and the engines
use it; an engine of another start day works its own out; a row added to the loaded
configuration is seen by the next engine, exactly as by one that shares nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.model import Observation, Observations

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"


def starts(config: Configuration) -> list[object]:
    assert isinstance(config.observations, Observations)
    return [k for k in config.observations.derived() if isinstance(k, tuple) and k[0] == "start"]


def run(config: Configuration, end: dt.date) -> list[str]:
    with Engine(config) as engine:
        engine.advance_to(end)
        return [e.json_line for e in engine.events]


def test_loading_works_out_the_start_of_the_configurations_year_and_engines_use_it() -> None:
    config = load_config(VEJLE, year=2022)
    assert isinstance(config.observations, Observations)
    assert starts(config) == [("start", dt.date(2022, 1, 1))]
    worked_out = config.observations.derived()[("start", dt.date(2022, 1, 1))]
    assert "kpis" in config.observations.derived()
    with Engine(config) as first, Engine(config) as second:
        assert first._feed is worked_out and second._feed is worked_out
        assert first.store is not second.store
    with Engine(config, start=dt.date(2022, 3, 1)) as other:  # another start day: its own
        assert other._feed is not worked_out
    assert starts(config) == [("start", dt.date(2022, 1, 1)), ("start", dt.date(2022, 3, 1))]


def test_a_row_added_to_a_loaded_configuration_is_seen_by_the_next_engine() -> None:
    config = load_config(VEJLE)
    assert isinstance(config.observations, Observations)
    kpi = next(iter(config.kpis))
    end = dt.date(config.year, 12, 31)
    before = run(config, end)
    # known before the start (in the history worked out at loading) and during the year
    config.observations.append(Observation(kpi=kpi, period=f"{config.year - 2}-07", value=123.0,
                                           known_at=dt.date(config.year - 1, 2, 1)))
    config.observations.extend([Observation(kpi=kpi, period=f"{config.year}-07", value=321.0,
                                            known_at=dt.date(config.year, 8, 1))])
    assert starts(config) == []
    after = run(config, end)
    assert after != before
    assert after == run(dataclasses.replace(config, observations=list(config.observations)), end)
    with Engine(config) as engine:
        view = engine.store.as_of(dt.date(config.year, 1, 1))
        assert view.value(kpi, f"{config.year - 2}-07") == 123.0
