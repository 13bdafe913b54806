"""A start day after one a configuration's observations already share is cut from that share.

`observations.shared_start` of a later day takes the earlier day's frozen store, lays a store over
it holding the rows that became known in between, and renumbers the rest: the history behind both
days is not taken in again (after `load_config`, an engine starting on 15 March costs the rows of
two and a half months, not twenty years). Here: on random histories, the share cut so answers
every look-up as the share worked out from all rows; the earlier share is used when it can be and
not when it cannot (an earlier day, a new labelled series in between); a row added to the
observations afterwards is seen; and engines starting on later days give the events of engines
whose configuration shares nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from observation_support import DAYS, assert_same_lookups, rows

from govcore import observations as obs_module
from govcore.config import load_config
from govcore.engine import Engine
from govcore.model import ObservationRow, Observations
from govcore.observations import ObservationStore, SharedStart, prepare, shared_start

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"
row = rows([None, None, "101", "630"])


@contextmanager
def counted_starts() -> Iterator[list[dt.date]]:
    """The days worked out from all rows (`_start`) while inside."""
    calls: list[dt.date] = []
    real = obs_module._start

    def counting(observations: Observations, cut: dt.date) -> SharedStart:
        calls.append(cut)
        return real(observations, cut)

    obs_module._start = counting  # type: ignore[assignment]
    try:
        yield calls
    finally:
        obs_module._start = real  # type: ignore[assignment]


def assert_same_answers(got: SharedStart, want: SharedStart, days: list[dt.date]) -> None:
    """Every look-up answers alike; the rows of all() in the configuration's order. (Orders no
    look-up reads in order may differ: the series' and a series' rows'.)"""
    assert got.rows == want.rows and list(got.ranks) == list(want.ranks)
    g_store, w_store = ObservationStore.over(got.base), ObservationStore.over(want.base)
    assert len(g_store) == len(w_store) and g_store.all() == w_store.all()
    keys = list(w_store.keys())  # a store, not a dict
    assert set(g_store.keys()) == set(keys)
    for key in keys:
        assert sorted(g_store.rows(key), key=id) == sorted(w_store.rows(key), key=id)
        assert got.base.series(key).ordered == want.base.series(key).ordered  # sorted up front, as `_start` does
    assert_same_lookups(g_store, w_store, keys, days)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.lists(row, max_size=40), DAYS, DAYS, st.lists(DAYS, min_size=1, max_size=3))
def test_a_later_day_cut_from_an_earlier_share_answers_as_one_from_all_rows(
        rows: list[ObservationRow], first: dt.date, second: dt.date, days: list[dt.date]) -> None:
    observations = Observations(rows)
    prepare(observations, first)
    with counted_starts() as worked_out:
        got = shared_start(observations, second)
    fresh = Observations(rows)
    with counted_starts() as alone:
        want = shared_start(fresh, second)
    assert alone == [second]
    assert_same_answers(got, want, days)
    earlier = shared_start(observations, first)
    between = [r for r in earlier.rows if r.known < second]
    known_keys = set(earlier.base.keys())
    new_labelled = any(r.municipality and (r.kpi, r.series, r.municipality) not in known_keys for r in between)
    if second <= first or new_labelled:  # worked out from all rows
        assert worked_out == ([] if second == first else [second])
    else:  # cut from the earlier share (fails if it is never used)
        assert worked_out == []
    assert_same_answers(earlier, shared_start(Observations(rows), first), days)  # left as it was


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(row, max_size=30), DAYS, st.integers(1, 400), st.lists(row, min_size=1, max_size=8))
def test_a_row_added_after_the_earlier_share_is_seen_by_a_later_day(
        rows: list[ObservationRow], first: dt.date, later_by: int, added: list[ObservationRow]) -> None:
    """Adding rows drops every share (`Observations.derived`): a later day is then worked out with
    them, not cut from the share made before them (fails without that invalidation)."""
    observations = Observations(rows)
    prepare(observations, first)
    second = first + dt.timedelta(days=later_by)
    shared_start(observations, second)
    observations.extend(added)
    want = shared_start(Observations([*rows, *added]), second)
    assert_same_answers(shared_start(observations, second), want, [first, second])


def test_engines_starting_later_than_the_prepared_day_give_the_events_of_unshared_engines() -> None:
    """After `load_config` (1 January prepared), engines starting on later days, at several times
    of day, with 4 years of history, give the events of engines whose observations share nothing."""
    config = load_config(VEJLE)
    rows = Observations()
    for r in config.observations.rows():
        if "-02-29" in r.period or (r.known.month, r.known.day) == (2, 29) or r.span.start.year != r.span.end.year:
            continue
        y = r.span.start.year
        known = r.known_at.replace(year=r.known_at.year - 4) if r.known_at else None
        rows.append(ObservationRow(r.kpi, r.period.replace(str(y), str(y - 4), 1), r.value, r.series,
                                   r.municipality, r.source, known))
    rows.extend(config.observations)
    deep = dataclasses.replace(config, observations=rows)
    prepare(rows, dt.date(config.year, 1, 1))
    tz = Engine(config).calendar.local_datetime(dt.date(config.year, 1, 1), 0).tzinfo
    starts: list[dt.date | dt.datetime] = [dt.date(2021, 3, 15), dt.datetime(2021, 6, 10, 5, 59, tzinfo=tz),
                                           dt.datetime(2021, 6, 10, 6, 0, tzinfo=tz), dt.date(2022, 2, 1)]
    with counted_starts() as worked_out:
        for start in starts:
            day = start.date() if isinstance(start, dt.datetime) else start
            with Engine(deep, start=start) as shared, \
                    Engine(dataclasses.replace(deep, observations=list(deep.observations)), start=start) as alone:
                end = dt.date(day.year, 12, 31)
                assert [e.json_line for e in shared.advance_to(end)] == [e.json_line for e in alone.advance_to(end)]
                assert shared.store.all() == alone.store.all()
    assert worked_out == []  # every day cut from an earlier share


@pytest.mark.parametrize("day", [dt.date(2021, 1, 1), dt.date(2021, 3, 15)])
def test_the_cut_share_holds_no_list_of_the_history(day: dt.date) -> None:
    """`all()` of a cut share goes through the observations when asked (in their order), so a
    start holds no copy of its history's rows."""
    rows = [ObservationRow("a", f"2020-{m:02d}", float(m), known_at=dt.date(2020, m, 20)) for m in range(1, 13)]
    rows += [ObservationRow("a", f"2021-{m:02d}", float(m), known_at=dt.date(2021, m, 20)) for m in range(1, 13)]
    observations = Observations(rows[::-1])
    prepare(observations, dt.date(2020, 6, 1))
    start = shared_start(observations, day)
    assert [r.period for r in start.base.all()] == [r.period for r in rows[::-1] if r.known < day]
    observations.append(ObservationRow("a", "2019", 1.0, known_at=dt.date(2019, 12, 1)))
    assert [r.period for r in start.base.all()] == [r.period for r in rows[::-1] if r.known < day]
