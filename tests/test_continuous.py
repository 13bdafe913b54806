"""One run across years: however the clock is advanced, the same events in the same order, and
nothing open is lost when the year turns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_support import add_version_with_new_wheel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcore.config import Configuration, load_config
from govcore.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
START, END = dt.date(2021, 10, 1), dt.date(2023, 2, 28)


@pytest.fixture(scope="module")
def vejle() -> Configuration:
    return load_config(ROOT / "examples" / "vejle")


@pytest.fixture(scope="module")
def at_once(vejle: Configuration) -> list[str]:
    with Engine(vejle, start=START) as engine:
        engine.advance_to(END)
        return [e.json_line for e in engine.events]


def test_the_reference_run_crosses_two_new_years_with_work_open(at_once: list[str]) -> None:
    assert sum('"type":"year_started"' in line for line in at_once) == 2
    assert any('"type":"escalated"' in line and '"at":"2023-01' in line for line in at_once)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=(END - START).days), max_size=12),
       st.lists(st.integers(min_value=0, max_value=23), min_size=12, max_size=12))
def test_any_steps_give_the_same_events_as_advancing_at_once(vejle: Configuration, at_once: list[str],
                                                             days: list[int], hours: list[int]) -> None:
    with Engine(vejle, start=START) as engine:
        for i, d in enumerate(sorted(set(days))):
            when = engine.calendar.local_datetime(START + dt.timedelta(days=d), hours[i % len(hours)])
            if when >= engine.now:
                engine.advance_to(when)
        engine.advance_to(END)
        lines = [e.json_line for e in engine.events]
        times = [e.at for e in engine.events]
    assert lines == at_once  # byte for byte, whatever the steps
    assert times == sorted(times)


def test_a_second_engine_on_a_fresh_load_gives_a_byte_identical_stream(at_once: list[str]) -> None:
    with Engine(load_config(ROOT / "examples" / "vejle"), start=START) as engine:
        engine.advance_to(END)
        assert [e.json_line for e in engine.events] == at_once


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([2020, 2021, 2022]), st.integers(min_value=0, max_value=300))
def test_an_open_action_is_never_lost_at_new_year(vejle: Configuration, year: int, offset: int) -> None:
    with Engine(vejle, start=dt.date(year, 1, 1) + dt.timedelta(days=offset)) as engine:
        engine.advance_to(dt.date(year, 12, 31))
        open_before = {a.id: a.model_copy() for a in engine.open_actions()}
        turn = engine.advance_to(engine.calendar.local_datetime(dt.date(year + 1, 1, 1), 0))
        started = [e for e in turn if e.type == "year_started"]
        assert len(started) == 1 and started[0].details["open_actions"] == sorted(open_before)
        closed_at_turn = {a for e in turn if e.type == "deviation_closed" for a in e.details["actions"]}
        for ident, before in open_before.items():
            after = engine.actions[ident]
            if ident in closed_at_turn:
                continue
            assert (after.state, after.due, after.owner) == (before.state, before.due, before.owner)
        engine.advance_to(dt.date(year + 1, 1, 31))
        for ident, before in open_before.items():  # a January deadline of a December action still fires
            waiting = before.state.value in ("demanded", "escalated")
            if waiting and year < before.due.year and before.due < dt.date(year + 1, 1, 31) \
                    and ident not in closed_at_turn:
                assert any(e.at.year > year and ident in (e.subject, e.details.get("action")) for e in engine.events)


def test_the_year_shorthand_is_a_start_on_1_january(vejle: Configuration) -> None:
    with Engine(vejle, year=2022) as a, Engine(vejle, start=dt.date(2022, 1, 1)) as b:
        a.advance_to(dt.date(2022, 3, 31))
        b.advance_to(dt.date(2022, 3, 31))
        assert a.start == b.start and [e.json_line for e in a.events] == [e.json_line for e in b.events]
        assert a.config is vejle.versions[3] and a.config.effective == dt.date(2022, 1, 1)


def test_a_version_that_changes_goals_wheel_and_rules_takes_over_on_its_date(
        make_config: Callable[..., Path]) -> None:
    folder = make_config()
    add_version_with_new_wheel(folder, "Nyt mål- og mødesæt")
    cfg = load_config(folder)
    with Engine(cfg, year=2021) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        events = engine.events
    flagged = [(e.at.date(), e.subject) for e in events if e.type == "deviation_flagged"]
    assert flagged == [(dt.date(2021, 3, 1), "g-job")]
    (changed,) = [e for e in events if e.type == "configuration_changed"]
    assert changed.at.date() == dt.date(2021, 3, 10)
    assert changed.details["goals_removed"] == ["g-job"] and changed.details["goals_added"] == []
    assert changed.details["wheel_changed"] is True and changed.details["fingerprint"] == cfg.versions[1].fingerprint()
    assert "eskaler-manglende-handling" in changed.details["rules_removed"]
    # The removed goal's deviation is closed with the reason; its action is not chased afterwards.
    closed = [e for e in events if e.type == "deviation_closed"]
    assert [(e.at.date(), e.subject) for e in closed] == [(dt.date(2021, 3, 10), "g-job")]
    assert "indgår ikke i konfigurationen fra 2021-03-10" in closed[0].details["note"]
    assert not [e for e in events if e.type in ("action_overdue", "escalated")]
    # The rest of March is laid out by the new wheel: meetings on the 15th from then on.
    meetings = [e.at.date() for e in events if e.type == "followup"]
    assert meetings == [dt.date(2021, 1, 4), dt.date(2021, 2, 1), dt.date(2021, 3, 1), dt.date(2021, 3, 15),
                        dt.date(2021, 4, 15)]
