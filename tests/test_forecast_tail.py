"""A forecast reads only the latest points of its grain, and the count of a grain's periods is kept
as rows arrive: both must give what going through the whole history gives, however the history
is made (mixed grains, corrections, figures known later, a look-up into the past)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.forecast import (
    MIN_OBSERVATIONS,
    SEASON,
    SEASON_CORRELATION,
    WINDOW,
    Forecast,
    _linear,
    _seasonal,
    forecast_series,
    period_index,
    seasonal_strength,
)
from govcore.model import Observation, Period
from govcore.observations import ObservationStore


def reference(history: Sequence[Observation], target: Period) -> Forecast:
    """The forecast as it was made before: every point of the grain, from the start."""
    if not history:
        return Forecast("none", target.text, reason="ingen observationer")
    grain = history[-1].period_obj.grain
    series = [(period_index(o.period_obj), o.value) for o in history if o.period_obj.grain == grain]
    at = period_index(target)
    if at <= series[-1][0]:
        known = dict(series).get(at)
        if known is not None:
            return Forecast("observed", target.text, known, known, known, len(series))
    past = [p for p in series if p[0] < at]
    if len(past) < MIN_OBSERVATIONS:
        return Forecast("none", target.text, observations=len(past),
                        reason=f"{len(past)} observationer; der kræves mindst {MIN_OBSERVATIONS}")
    if grain == "month" and len(past) >= 2 * SEASON and \
            all(b[0] - a[0] == 1 for a, b in itertools.pairwise(past[-2 * SEASON:])) and \
            seasonal_strength([y for _, y in past[-2 * SEASON:]]) >= SEASON_CORRELATION:
        return _seasonal(past[-2 * SEASON:], at, target.text)
    return _linear(past[-WINDOW:], at, target.text)


def month(i: int) -> str:
    return f"{2010 + i // 12}-{i % 12 + 1:02d}"


@st.composite
def histories(draw: st.DrawFn) -> list[Observation]:
    """Monthly figures (seasonal or not, with gaps), some quarters and years, some corrected later."""
    n = draw(st.integers(0, 70))
    seasonal = draw(st.booleans())
    gaps = draw(st.sets(st.integers(0, 69), max_size=4))
    rows = []
    for i in range(n):
        if i in gaps:
            continue
        v = 50 + (10 * math.sin(i * math.pi / 6) if seasonal else 0) + draw(st.floats(-3, 3)) + 0.1 * i
        rows.append(Observation(kpi="k", period=month(i), value=round(v, 3)))
    for y in draw(st.sets(st.integers(2010, 2015), max_size=3)):
        rows.append(Observation(kpi="k", period=str(y), value=draw(st.floats(0, 100))))
    for q in draw(st.sets(st.integers(1, 4), max_size=2)):
        rows.append(Observation(kpi="k", period=f"2013-Q{q}", value=draw(st.floats(0, 100))))
    for i in draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=3)) if n else ():
        rows.append(Observation(kpi="k", period=month(i), value=draw(st.floats(0, 100)),
                                known_at=dt.date(2016, 1, 1) + dt.timedelta(days=i)))
    return rows


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(-3, 80), st.sampled_from([dt.date(2012, 6, 1), dt.date(2014, 3, 1),
                                                          dt.date(2016, 1, 20), dt.date(2030, 1, 1)]))
def test_the_latest_points_forecast_as_the_whole_history(rows: list[Observation], ahead: int,
                                                          day: dt.date) -> None:
    store = ObservationStore(rows)
    view = store.as_of(day)
    history = view.history("k")
    rows_history = view.rows("k")
    assert [r.model() for r in rows_history] == history
    for grain in ("month", "quarter", "year", "half"):
        assert view.count("k", grain) == sum(o.period_obj.grain == grain for o in history)
    target = Period.parse(month(ahead)) if not history or history[-1].period_obj.grain == "month" else \
        history[-1].period_obj
    expected = reference(history, target)
    assert forecast_series(history, target) == expected
    assert forecast_series(rows_history, target, lambda g: view.count("k", g)) == expected


def test_a_grains_count_follows_arriving_rows_and_corrections() -> None:
    store = ObservationStore()
    late = dt.date(2030, 1, 1)
    assert store.as_of(late).count("k", "month") == 0
    for i in range(30):
        store.add(Observation(kpi="k", period=month(i), value=float(i)))
        assert store.as_of(late).count("k", "month") == i + 1  # read after each row: never a stale count
    store.add(Observation(kpi="k", period=month(3), value=99.0, known_at=dt.date(2020, 1, 1)))  # a correction
    store.add(Observation(kpi="k", period=month(4), value=98.0, known_at=dt.date(2009, 1, 1)))  # an older one
    store.add(Observation(kpi="k", period="2011", value=7.0))
    view = store.as_of(late)
    assert (view.count("k", "month"), view.count("k", "year"), view.count("k", "quarter")) == (30, 1, 0)
    assert store.as_of(dt.date(2010, 6, 15)).count("k", "month") == 5  # figures known by then (Jan-May)
    assert store.as_of(dt.date(2009, 6, 1)).count("k", "month") == 1  # only the early-known row
    assert view.count("k", "month", municipality="999") == 0
