"""What the property tests of shared observation stores share: random rows, and the check that two
stores answer every look-up alike on given days.

Used by tests/test_observation_sharing.py (stores over a shared history against a store fed
afresh) and tests/test_observation_later_start.py (a later start cut from an earlier share against
one worked out from all rows); each keeps its own checks of the stores' structure, which differ on
purpose (a cut share may hold series and rows in another order no look-up reads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from hypothesis import strategies as st

from govcore.model import ObservationRow
from govcore.observations import ObservationStore

KPIS = ("a", "b", "c")
SERIES = ("local", "national")
PERIODS = ["2020", "2021", "2021-H1", "2021-Q2", "2021-03", "2021-04", "2022-01", "2021-06-30"]
DAYS = st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2023, 3, 1))


def rows(municipalities: Sequence[str | None]) -> st.SearchStrategy[ObservationRow]:
    """Random observation rows of the KPIs, periods and series above (`municipalities` weighted as
    listed: repeat None to make unlabelled rows commoner)."""
    return st.builds(
        lambda kpi, period, value, series, muni, known: ObservationRow(kpi, period, value, series, muni, "", known),
        st.sampled_from(KPIS), st.sampled_from(PERIODS), st.integers(-5, 5).map(float),
        st.sampled_from(SERIES), st.sampled_from(list(municipalities)), st.one_of(st.none(), DAYS))


def assert_same_lookups(got: ObservationStore, want: ObservationStore, keys: Iterable[Any],
                        days: Iterable[dt.date]) -> None:
    """Every look-up of a view on each of `days` (and far after them) answers alike, for every
    series `keys` names, and each KPI's state, codes, figures across municipalities and revision."""
    keys = list(keys)
    for kpi in KPIS:
        assert got.kpi_state(kpi) == want.kpi_state(kpi)
        for series in SERIES:
            assert got.codes(kpi, series) == want.codes(kpi, series)
    for d in [*days, dt.date(2099, 1, 1)]:
        g, w = got.as_of(d), want.as_of(d)
        for key in keys:
            args = (key[0], key[1], key[2] or None)
            assert g.history(*args) == w.history(*args)
            assert g.latest(*args) == w.latest(*args)
            for grain in ("year", "month", "quarter", "day"):
                assert g.count(key[0], grain, *args[1:]) == w.count(key[0], grain, *args[1:])
            for p in PERIODS:
                assert g.value(key[0], p, *args[1:]) == w.value(key[0], p, *args[1:])
                assert g.observation(key[0], p, *args[1:]) == w.observation(key[0], p, *args[1:])
        for kpi in KPIS:
            assert g.across_municipalities(kpi, "2021") == w.across_municipalities(kpi, "2021")
            assert g.revision([kpi]) == w.revision([kpi])
