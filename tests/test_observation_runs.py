"""Observations that become known on one day are taken in as one run (`Engine._on_fed`).

`advance_to` takes the configuration's fed rows of one day in one go (one store call, then an
event each); `steps`, which a stored run commits after, still takes them one item at a time. Both
must give the same events, item counts, queue, store and rule messages at every point a caller
can look: here an engine advanced day by day is compared with one stepped item by item, with and
without a rule listening to one KPI (its rows must stay items of their own), and with an
`on_event` callback (which must see the engine as it is item by item).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from test_observation_sharing import OBSERVED

from govcore.config import Configuration, load_config
from govcore.engine import Engine, EngineEvent
from govcore.model import ObservationRow, Observations

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"
START, END = dt.date(2021, 1, 1), dt.date(2021, 12, 31)


@cache
def vejle() -> Configuration:
    return load_config(VEJLE)


def busiest_kpi(config: Configuration) -> str:
    """A KPI a goal reads, with a row in the middle of the day most rows of the year become known on."""
    assert isinstance(config.observations, Observations)
    year = [r for r in config.observations.rows() if r.known.year == START.year]
    read = {k for g in config.goals for k in g.kpis()}
    days = Counter(r.known for r in year)
    day = max({r.known for r in year if r.kpi in read}, key=days.__getitem__)
    rows = [r for r in year if r.known == day]
    middle = [i for i, r in enumerate(rows) if r.kpi in read and 0 < i < len(rows) - 1]
    return rows[middle[len(middle) // 2]].kpi


@cache
def listening(tmp: Path) -> Configuration:
    """Vejle with a rule on the observations of one KPI, whose rows arrive among others."""
    shutil.copytree(VEJLE, tmp / "examples" / "vejle")
    shutil.copytree(VEJLE.parents[1] / "rules", tmp / "rules")
    rule = OBSERVED.replace("observation: any", f"observation: {busiest_kpi(vejle())}")  # the same rule, on one KPI
    (tmp / "rules" / "listening.yaml").write_text(rule, encoding="utf-8")
    return load_config(tmp / "examples" / "vejle")


def lines(events: list[EngineEvent]) -> list[str]:
    return [e.json_line for e in events]


def state(engine: Engine) -> tuple[Any, ...]:
    return (engine.items_processed, engine.pending(), engine.next_time(), engine.now, len(engine.store),
            len(engine.events))


def runs_seen(monkeypatch: pytest.MonkeyPatch) -> dict[int, list[list[str]]]:
    """By engine (`id`), the KPIs of each run of rows `Engine._observed` takes in."""
    seen: dict[int, list[list[str]]] = {}
    observed = Engine._observed

    def record(self: Engine, rows: list[ObservationRow]) -> None:
        seen.setdefault(id(self), []).append([r.kpi for r in rows])
        observed(self, rows)

    monkeypatch.setattr(Engine, "_observed", record)
    return seen


@pytest.mark.parametrize("listened", [False, True], ids=["no rule on observations", "a rule on one KPI"])
def test_a_days_observations_taken_as_one_run_give_what_items_one_at_a_time_give(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listened: bool) -> None:
    config = listening(tmp_path) if listened else vejle()
    kpi = busiest_kpi(config)
    # a configuration made in code (its rows its own) for the stepped engine: nothing shared with
    # the other, so neither can lean on what the other worked out
    alone = dataclasses.replace(config, observations=Observations(config.observations))
    stepped = Engine(alone, start=START, trace=True)
    runs = runs_seen(monkeypatch)
    by_day = Engine(config, start=START, trace=True)
    assert state(by_day) == state(stepped)
    day = START
    while day <= END:
        until = by_day.calendar.local_datetime(day, 23, 59)
        before = len(by_day.events)
        got = by_day.advance_to(day)
        for _ in stepped.steps(until):
            pass
        stepped.now = max(stepped.now, until)  # as `advance_to` leaves it
        assert lines(got) == lines(stepped.events[before:]), day
        assert state(by_day) == state(stepped), day
        day += dt.timedelta(days=1)
    assert by_day.store.all() == stepped.store.all()
    assert by_day.goal_statuses() == stepped.goal_statuses()
    assert by_day.trace is not None and stepped.trace is not None
    assert [(p.at, p.message, p.fired, p.sent) for p in by_day.trace] == \
        [(p.at, p.message, p.fired, p.sent) for p in stepped.trace]
    # the runs were taken as runs, and a row a rule listens to as an item of its own
    seen = runs[id(by_day)]
    assert all(len(kpis) == 1 for kpis in runs[id(stepped)])
    taken = [kpis for kpis in seen if len(kpis) > 1]
    assert len(taken) > 10 and sum(map(len, seen)) == sum(e.type == "observation" for e in by_day.events)
    assert any(kpi in kpis for kpis in taken) != listened
    if listened:
        assert any(p.message["trigger"] == "observation" and p.message["observed_kpi"] == kpi
                   for p in by_day.trace)
    by_day.close()
    stepped.close()


def test_an_on_event_callback_sees_the_engine_as_items_one_at_a_time_leave_it() -> None:
    def watched(advance: bool) -> list[tuple[Any, ...]]:
        seen: list[tuple[Any, ...]] = []
        engine: Engine | None = None

        def look(ev: EngineEvent) -> None:
            assert engine is not None
            seen.append((ev.seq, ev.type, *state(engine), engine.store.kpi_state(ev.details.get("kpi", ""))))

        engine = Engine(vejle(), start=START, on_event=look)
        end = engine.calendar.local_datetime(dt.date(2021, 6, 30), 23, 59)
        if advance:
            engine.advance_to(end)
        else:
            for _ in engine.steps(end):
                pass
        engine.close()
        return seen

    by_day, stepped = watched(True), watched(False)
    assert sum(s[1] == "observation" for s in by_day) > 100
    assert by_day == stepped
