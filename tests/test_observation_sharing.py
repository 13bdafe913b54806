"""A configuration's history shared by the stores that start with it (`observations.shared_start`).

The history known before a start day is taken in once per configuration and day, into a frozen
store; each store lies over it and copies a series only when it adds to it. Here: stores over a
shared one answer as a store fed every row afresh, on random histories, and never see each other's
rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.model import ObservationRow, Observations
from govcore.observations import ObservationStore, shared_start

PERIODS = ["2020", "2021", "2021-H1", "2021-Q2", "2021-03", "2021-04", "2022-01", "2021-06-30"]
DAYS = st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2023, 3, 1))

row = st.builds(
    lambda kpi, period, value, series, muni, known: ObservationRow(kpi, period, value, series, muni, "", known),
    st.sampled_from(["a", "b", "c"]), st.sampled_from(PERIODS), st.integers(-5, 5).map(float),
    st.sampled_from(["local", "national"]), st.sampled_from([None, "101", "630", "751"]),
    st.one_of(st.none(), DAYS))


def assert_same_store(got: ObservationStore, want: ObservationStore, days: list[dt.date]) -> None:
    assert len(got) == len(want) and got.all() == want.all()
    assert list(got.keys()) == list(want.keys())
    for kpi in ("a", "b", "c"):
        assert got.kpi_state(kpi) == want.kpi_state(kpi)
        for series in ("local", "national"):
            assert got.codes(kpi, series) == want.codes(kpi, series)
    keys = list(want.keys())
    for d in [*days, dt.date(2099, 1, 1)]:
        g, w = got.as_of(d), want.as_of(d)
        for key in keys:
            args = (key[0], key[1], key[2] or None)
            assert got.rows(key) == want.rows(key)
            assert g.history(*args) == w.history(*args)
            assert g.latest(*args) == w.latest(*args)
            for grain in ("year", "month", "quarter"):
                assert g.count(key[0], grain, *args[1:]) == w.count(key[0], grain, *args[1:])
            for p in PERIODS:
                assert g.value(key[0], p, *args[1:]) == w.value(key[0], p, *args[1:])
        for kpi in ("a", "b", "c"):
            assert g.across_municipalities(kpi, "2021") == w.across_municipalities(kpi, "2021")
            assert g.revision([kpi]) == w.revision([kpi])


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(st.lists(row, max_size=40), DAYS, st.lists(row, max_size=15), st.lists(row, max_size=15),
       st.lists(DAYS, min_size=1, max_size=4))
def test_stores_over_a_shared_history_answer_as_a_store_fed_afresh(
        rows: list[ObservationRow], cut: dt.date, mine: list[ObservationRow], theirs: list[ObservationRow],
        days: list[dt.date]) -> None:
    observations = Observations(rows)
    start = shared_start(observations, cut)
    past = [r for r in rows if r.known < cut]
    later = [r for r in rows if r.known >= cut]
    # the rest: by the day each becomes known, ties in the configuration's order, with that order's place
    assert start.rows == sorted(later, key=lambda r: r.known)
    assert all(start.rows[i] is later[start.ranks[i]] for i in range(len(later)))
    assert sorted(start.ranks) == list(range(len(later)))
    assert shared_start(observations, cut) is start  # worked out once
    a, b = ObservationStore.over(start.base), ObservationStore.over(start.base)
    for d in days:  # read before either adds (a series' kept order is made on the shared one)
        a.as_of(d).history("a")
    # each takes in rows of its own: new periods, corrections of old ones, new series and municipalities
    for r in mine:
        a.add(r)
    b.extend(theirs)
    assert_same_store(a, ObservationStore([*past, *mine]), days)
    assert_same_store(b, ObservationStore([*past, *theirs]), days)
    assert_same_store(ObservationStore.over(start.base), ObservationStore(past), days)  # the shared one unchanged


def test_a_frozen_store_takes_no_rows_and_only_a_frozen_one_is_shared() -> None:
    base = ObservationStore([ObservationRow("a", "2021", 1.0)])
    with pytest.raises(ValueError, match="frozen"):
        ObservationStore.over(base)
    base.freeze()
    for new in (ObservationRow("a", "2022", 2.0), ObservationRow("z", "2022", 2.0)):
        with pytest.raises(ValueError, match="frozen"):
            base.add(new)
        with pytest.raises(ValueError, match="frozen"):
            base.extend([new])
    assert len(base) == 1
