"""The observation store's index answers as a plain scan of every row would, on any day.

The store keeps each series' current figure per period up to date as rows arrive (so look-ups do
not grow with history); here a naive scan of all rows is the reference, on random streams of
observations with corrections, several series and municipalities, and days before, between and
after the rows became known.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.model import Observation, ObservationRow
from govcore.observations import ObservationStore

PERIODS = ["2020", "2021", "2021-H1", "2021-Q2", "2021-03", "2021-04", "2022-01", "2021-06-30"]
DAYS = st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2023, 3, 1))

observation = st.builds(
    lambda kpi, period, value, series, muni, known: Observation(
        kpi=kpi, period=period, value=value, series=series, municipality=muni, known_at=known),
    st.sampled_from(["a", "b"]), st.sampled_from(PERIODS), st.integers(-5, 5).map(float),
    st.sampled_from(["local", "national"]), st.sampled_from([None, "101", "630"]),
    st.one_of(st.none(), DAYS))


def naive_history(rows: list[Observation], day: dt.date, key: tuple[str, str, str]) -> list[Observation]:
    best: dict[str, tuple[dt.date, int, Observation]] = {}
    for seq, o in enumerate(rows):
        if (o.kpi, o.series, o.municipality or "") != key or o.known > day:
            continue
        cur = best.get(o.period)
        if cur is None or (o.known, seq) >= cur[:2]:
            best[o.period] = (o.known, seq, o)
    return [o for _, _, o in sorted(best.values(), key=lambda b: (b[2].period_obj.end, b[2].period_obj.start))]


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.lists(observation, max_size=40),
       st.lists(st.one_of(DAYS, st.just(dt.date(2099, 1, 1))), min_size=1, max_size=6), st.integers(0, 40))
def test_the_index_answers_as_a_scan_of_every_row(rows: list[Observation], days: list[dt.date], split: int) -> None:
    given = [o if i % 2 else ObservationRow(o.kpi, o.period, o.value, o.series, o.municipality, o.source, o.known_at)
             for i, o in enumerate(rows)]  # models and compact rows (as read from a CSV file) alike
    store = ObservationStore(given[:split])
    keys = {(o.kpi, o.series, o.municipality or "") for o in rows}
    for d in [*days, dt.date(2099, 1, 1)]:  # look-ups before more rows arrive: the kept order must follow
        for key in keys:
            store.as_of(d).history(key[0], key[1], key[2] or None)
    for g in given[split:]:
        store.add(g)
    for d in days:
        view = store.as_of(d)
        for key in keys:
            expected = naive_history(rows, d, key)
            assert view.history(key[0], key[1], key[2] or None) == expected
            last = view.latest(key[0], key[1], key[2] or None)
            assert last == (expected[-1] if expected else None)
            for p in PERIODS:
                want = next((o.value for o in expected if o.period == p), None)
                assert view.value(key[0], p, key[1], key[2] or None) == want
        for kpi in ("a", "b"):
            for series in ("local", "national"):
                got = view.across_municipalities(kpi, "2021", series)
                codes = [c for c in ("101", "630") if any(o.municipality == c for o in rows)]
                want_across = {c: v for c in codes
                               if (v := next((o.value for o in naive_history(rows, d, (kpi, series, c))
                                              if o.period == "2021"), None)) is not None}
                assert got == want_across


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(st.lists(observation, max_size=40), st.integers(0, 40), st.lists(DAYS, min_size=1, max_size=4))
def test_rows_taken_in_at_once_give_the_store_of_rows_added_one_by_one(
        rows: list[Observation], split: int, days: list[dt.date]) -> None:
    one_by_one, at_once = ObservationStore(), ObservationStore()
    for o in rows:
        one_by_one.add(o)
    at_once.extend(ObservationRow.of(o) for o in rows[:split])
    at_once.extend(ObservationRow.of(o) for o in rows[split:])
    keys = list(one_by_one.keys())
    assert at_once.all() == one_by_one.all() and list(at_once.keys()) == keys
    for kpi in ("a", "b"):
        assert at_once.kpi_state(kpi) == one_by_one.kpi_state(kpi)
        for series in ("local", "national"):
            assert at_once.codes(kpi, series) == one_by_one.codes(kpi, series)
    for key in keys:
        for d in [*days, dt.date(2099, 1, 1)]:
            assert at_once.as_of(d).rows(*key) == one_by_one.as_of(d).rows(*key)
            assert at_once.as_of(d).count(key[0], "month", *key[1:]) == one_by_one.as_of(d).count(
                key[0], "month", *key[1:])
