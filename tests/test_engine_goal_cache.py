"""The engine keeps goal results and forecasts by goal id, for speed; a goal object the configuration
does not hold — a caller's copy with a stricter target under the same id, say, to ask "what if" —
must be judged on its own target, not answered with the held goal's kept result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from govcore import Engine, Goal, load_config


def _stricter(engine: Engine) -> tuple[Goal, Goal]:
    job = engine.config.goal("g-job")
    assert job.target is not None
    return job, job.model_copy(update={"target": job.target.model_copy(update={"value": 60})})


def test_a_copy_under_a_held_goals_id_is_judged_on_its_own_target(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        job, stricter = _stricter(engine)
        held = engine.goal_result(job)  # kept by id from here on
        results = [engine.goal_result(stricter), engine.reused_goal_result(stricter),
                   engine.reused_lazy_result(stricter).result()]
        again = engine.reused_goal_result(job)
    assert (held.expected, held.status.value) == (50, "on_track")
    assert [(r.actual, r.expected, r.status.value) for r in results] == [(53, 60, "off_track")] * 3
    assert (again.expected, again.status.value) == (50, "on_track")


def test_a_copys_forecast_is_its_own(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 6, 30))
        job, stricter = _stricter(engine)
        held = engine.goal_forecast(job)
        copy = engine.goal_forecast(stricter)
    assert held.status != copy.status, (held, copy)
