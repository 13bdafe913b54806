"""A goal page's charts are drawn from the observations the run knew at the moment shown, rebuilt
from the stored rows (`govcore.access.goals.stored_observations`) instead of replaying the run:
they must be the charts a replay of the stored run gives (`report_as_of`), for every measured
goal of examples/vejle, before and after observations arrive through the API's path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govcore.access.live import LiveRuns
from govcore.access.principal import Principal
from govcore.config import Configuration
from govcore.forecast import forecast_goal
from govcore.goalchart import goal_charts
from govcore.report import known_at_year_end
from govcore.server.app import stored_loader
from govcore.store.db import open_database
from govcore.store.run import report_as_of, tick
from govcore.web.views.goals import ChartCache

ROOT = Path(__file__).resolve().parent.parent


def _replayed(live: LiveRuns, code: str, day: dt.date) -> dict[str, list[str]]:
    run = live.run(code)
    cfg = live.config(run)
    start = dt.date.fromisoformat(run.start)
    result = report_as_of(cfg, live.db, as_of=day, start=start)
    view, shown = known_at_year_end(result), result.config
    out = {}
    for g in shown.goals:
        kpi = shown.kpis.get(g.kpi) if g.kpi else None
        if kpi is not None:
            fc = forecast_goal(g, shown.kpis, view, code)
            out[g.id] = [c.svg for c in goal_charts(g, kpi, view, code, fc)]
    return out


@pytest.mark.parametrize("day", [dt.date(2021, 5, 15), dt.date(2021, 11, 30)])
def test_the_charts_equal_those_of_a_replay(tmp_path: Path, day: dt.date, vejle_config: Configuration) -> None:
    cfg = vejle_config
    url = str(tmp_path / "govcore.db")
    tick(cfg, url, now=day)
    db = open_database(url)
    try:
        now = dt.datetime.combine(day, dt.time(12, 0)).astimezone()
        live = LiveRuns(db, stored_loader(db), lambda: now)
        code = cfg.municipality.code
        run = live.run(code)
        shown = live.config(run)
        expected = _replayed(live, code, day)
        cache = ChartCache()
        got = {g.id: [c.svg for c in cache.charts(live, run, shown, g)] for g in shown.version_at(day).goals
               if g.id in expected}
        assert expected and got == expected

        admin = Principal("user", "x", code, frozenset(), True)
        kpi = next(g.kpi for g in shown.version_at(day).goals if g.kpi and expected.get(g.id))
        month = day.month - 2
        live.add_observations(admin, code, [{"kpi": kpi, "period": f"{day.year}-{month:02d}", "value": 1.0}])
        run = live.run(code)
        after = _replayed(live, code, day)
        assert after != expected  # the new figure is in the charts...
        got = {g.id: [c.svg for c in cache.charts(live, run, shown, g)] for g in shown.version_at(day).goals
               if g.id in after}
        assert got == after  # ...and the cache did not keep the old ones
    finally:
        db.close()
