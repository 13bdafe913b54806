"""Every goal's status of a live run as of a moment, read from the stored observations.

A goal's status and forecast depend only on the configuration and the observations the engine
had taken in by then (`Engine.goal_result` evaluates `targets.goal_result` on its observation
store). So instead of replaying the run (0.4–2 s for a year of a large municipality) this module
rebuilds that observation store from the stored rows — the configuration's observations and the
added ones, in the order and at the moment the engine takes each in — and evaluates the same
functions on it: milliseconds, and the same answer as `govcore report --db` (which replays;
`tests/test_server_goals.py` compares the two across a run).

An observation is taken in at 06:00 local on the day it becomes known, or when it was fed if
that is later; the engine's own store keeps the order in which they were taken in, which
decides between two values of one period known on the same day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from govcore.config import Configuration
from govcore.forecast import forecast_goal
from govcore.model import Observation
from govcore.observations import ObservationStore
from govcore.store.db import Database
from govcore.store.tables import ObservationRow, table
from govcore.targets import goal_result

OBS = table(ObservationRow)
INTAKE_HOUR = 6  # the engine takes an observation in at 06:00 local on its known day


def moment_of(cfg: Configuration, start: str, run_clock: str, now: dt.datetime) -> dt.datetime:
    """The moment a goal status is shown for: now, but not after the run's clock (the run has
    not decided anything later) and not before its start; local time."""
    zone = ZoneInfo(cfg.wheel.timezone)
    clock = dt.datetime.fromisoformat(run_clock).astimezone(zone)
    day = max(min(now.astimezone(zone).date(), clock.date()), dt.date.fromisoformat(start))
    return min(cfg.wheel.calendar.local_datetime(day, 23, 59), clock)


def _taken_in(cfg: Configuration, known: dt.date, fed: dt.datetime) -> dt.datetime:
    return max(cfg.wheel.calendar.local_datetime(known, INTAKE_HOUR), fed)


def stored_observations(db: Database, cfg: Configuration, municipality: str, start: str,
                        moment: dt.datetime) -> ObservationStore:
    """The observation store the run's engine holds at `moment`: the configuration's observations
    first (the engine takes them at its start), then the added ones in the order they were fed."""
    first = cfg.wheel.calendar.local_datetime(dt.date.fromisoformat(start), 0)
    store = ObservationStore()
    for o in cfg.observations:
        if _taken_in(cfg, o.known, first) <= moment:
            store.add(o)

    def work(conn: sa.Connection) -> list[Any]:
        return list(conn.execute(sa.select(
            OBS.c.kpi, OBS.c.period, OBS.c.value, OBS.c.series, OBS.c.of_municipality, OBS.c.source,
            OBS.c.known_at, OBS.c.fed_clock).where(
            OBS.c.municipality == municipality, OBS.c.start == start, OBS.c.origin == "added").order_by(
            OBS.c.fed_order)))

    # Of two values of one period known on the same day the one fed later is taken in later
    # (the store's order matters only then), so feeding order is the engine's order. The rows
    # were checked by the Observation model when they were stored: built here without checking
    # again (a tenth of the time, which counts after a batch of 10,000).
    for r in db.read(work):
        known = dt.date.fromisoformat(r.known_at)
        if _taken_in(cfg, known, dt.datetime.fromisoformat(r.fed_clock)) <= moment:
            store.add(Observation.model_construct(kpi=r.kpi, period=r.period, value=float(r.value), series=r.series,
                                                  municipality=r.of_municipality, source=r.source, known_at=known))
    return store


def goal_status(db: Database, cfg: Configuration, municipality: str, start: str,
                moment: dt.datetime) -> dict[str, Any]:
    """Every goal of the configuration version in effect at `moment` with its status, figures,
    explanation and forecast, as the report's summary gives them (`simulate.summarize`)."""
    day = moment.date()
    shown = cfg.version_at(day)
    view = stored_observations(db, cfg, municipality, start, moment).as_of(day)
    goals = []
    for g in shown.goals:
        r = goal_result(g, shown.kpis, view, shown.municipality.code)
        fc = forecast_goal(g, shown.kpis, view, shown.municipality.code)
        goals.append({"id": g.id, "title": g.title, "level": g.level.value, "owner": g.owner,
                      "owners": list(g.owners), "kpi": g.kpi, "status": r.status.value, "actual": r.actual,
                      "expected": r.expected, "period": r.period, "explanation": r.explanation,
                      "in_effect": shown.goal_active(g, day),
                      "forecast": {**fc.fields(), "horizon": fc.horizon.isoformat()}})
    return {"municipality": municipality, "run": start, "as_of": moment.isoformat(), "goals": goals}
