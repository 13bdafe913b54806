"""Goals measured by the same KPI read one forecast of its series on a view (the summary forecasts
every goal): the same forecast a view of their own gives, and a figure added to the store after
the view was made is in the next forecast read from it."""

from __future__ import annotations

import datetime as dt

from pydantic import TypeAdapter

from govcore.forecast import forecast_goal
from govcore.model import KPI, Goal, Observation, Target
from govcore.observations import ObservationStore

TARGET = TypeAdapter(Target)
SHARE = KPI(id="share", name="andel i job", unit="%")
KPIS = {"share": SHARE}


def goal(ident: str, spec: dict[str, object]) -> Goal:
    return Goal(id=ident, title=ident, level="political", owner="chef", kpi="share",
                target=TARGET.validate_python(spec))


def test_goals_on_one_kpi_share_its_series_forecast_and_see_figures_added_later() -> None:
    rows = [Observation(kpi="share", period=f"2021-{m:02d}", value=40 + m, known_at=dt.date(2021, m, 28))
            for m in range(1, 8)]
    store = ObservationStore(rows)
    day = dt.date(2021, 8, 15)
    first, second = goal("a", {"kind": "at_least", "value": 50}), goal("b", {"kind": "at_most", "value": 45})
    view = store.as_of(day)
    a, b = forecast_goal(first, KPIS, view), forecast_goal(second, KPIS, view)
    assert a.forecast is b.forecast  # one forecast of the series, read by both goals
    assert a == forecast_goal(first, KPIS, store.as_of(day)) and b == forecast_goal(second, KPIS, store.as_of(day))
    assert a.forecast.method == "linear_trend" and a.forecast.observations == 7
    assert a.status != b.status  # each goal compares it with its own requirement
    store.add(Observation(kpi="share", period="2021-08", value=10, known_at=day))
    again = forecast_goal(first, KPIS, view)
    assert again.forecast.observations == 8 and again.forecast is not a.forecast
    assert again == forecast_goal(first, KPIS, store.as_of(day))
    later = forecast_goal(first, KPIS, store.as_of(dt.date(2021, 3, 1)))  # another view: its own day
    assert later.forecast.observations == 2 and later.forecast.method == "none"
