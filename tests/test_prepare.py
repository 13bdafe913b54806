"""`govcore.prepare`: what the engines of a configuration made in code share, worked out up front.

`load_config` works out, for 1 January of the configuration's year, the history every engine
starting that day lies over; a configuration made or changed in code has nothing worked out and
its first engine would do it. `prepare` does it when asked: the engine then does none of it (no
`shared_start` of its own), and the events are those of an engine that worked it out itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import govcore
from govcore import observations
from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.model import Observation, Observations

ROOT = Path(__file__).resolve().parents[1]
VEJLE = ROOT / "examples" / "vejle"


@cache
def vejle() -> Configuration:
    return load_config(VEJLE)


def made_in_code(observed: Any = None) -> Configuration:
    """Vejle as made in code: observations of its own (as rows, or as given), nothing worked out."""
    rows = Observations(vejle().observations) if observed is None else observed
    return dataclasses.replace(vejle(), observations=rows)


def history_work(monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    """The start days whose history is worked out (from all rows, or cut from an earlier day's)."""
    days: list[dt.date] = []

    def counted(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(obs: Observations, *args: Any) -> Any:
            days.append(args[-1])
            return fn(obs, *args)
        return wrapper

    monkeypatch.setattr(observations, "_start", counted(observations._start))
    monkeypatch.setattr(observations, "_cut_later", counted(observations._cut_later))
    return days


def events(config: Configuration, start: dt.date | dt.datetime | None = None, end: dt.date = dt.date(2021, 6, 30)
           ) -> list[str]:
    with Engine(config, start=start) as engine:
        engine.advance_to(end)
        return [e.json_line for e in engine.events]


def test_a_prepared_configuration_made_in_code_starts_its_first_engine_with_nothing_to_work_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    want = events(vejle())
    work = history_work(monkeypatch)
    unprepared = made_in_code()
    assert events(unprepared) == want and work == [dt.date(2021, 1, 1)]  # the engine worked it out
    work.clear()
    config = made_in_code()
    assert govcore.prepare(config) is None  # type: ignore[func-returns-value]
    assert work == [dt.date(2021, 1, 1)]  # 1 January of the configuration's year, by default
    work.clear()
    assert events(config) == want and events(config) == want
    assert work == []


@pytest.mark.parametrize("start", [dt.date(2021, 3, 15), dt.datetime(2021, 3, 15, 5, 59)])
def test_another_start_day_is_prepared_for_the_engines_of_that_day(
        monkeypatch: pytest.MonkeyPatch, start: dt.date) -> None:
    want = events(made_in_code(), start)
    work = history_work(monkeypatch)
    config = made_in_code()
    govcore.prepare(config, start=start)
    assert work == [dt.date(2021, 3, 15)]
    work.clear()
    assert events(config, start) == want
    assert work == []


def test_observations_in_a_plain_list_are_held_as_rows_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    models = list(vejle().observations)
    want = events(made_in_code(list(models)))  # the old path: a list is taken in by each engine
    config = made_in_code(list(models))
    govcore.prepare(config)
    assert isinstance(config.observations, Observations) and config.observations == models
    work = history_work(monkeypatch)
    assert events(config) == want
    assert work == []


def test_an_observation_added_after_preparing_is_seen_and_the_history_worked_out_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = made_in_code()
    govcore.prepare(config)
    before = events(config)
    assert isinstance(config.observations, Observations)
    late = Observation(kpi="jobaabninger-besat", period="2021-04", value=99.5, known_at=dt.date(2021, 5, 2),
                       source="test")
    config.observations.append(late)
    work = history_work(monkeypatch)
    after = events(config)
    assert work == [dt.date(2021, 1, 1)]
    assert not any('"value":99.5' in line for line in before) and any('"value":99.5' in line for line in after)
    assert after == events(made_in_code(list(config.observations)))


def test_prepare_is_public_and_documented() -> None:
    assert "prepare" in govcore.__all__ and govcore.prepare is govcore.config.prepare
    api = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    assert "\n| `prepare(config, *, start=None)` |" in api and "\n### `prepare`: a configuration made in code\n" in api
