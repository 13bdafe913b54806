"""A run's observation rows: those stored, and the configuration's own, derived from it.

A configuration's observations (its data files: 3,020 rows for examples/vejle) are part of the
configuration, which the database keeps byte for byte (govcore_config_file) under the run's
fingerprint — and the fingerprint covers their parsed values. Storing them once more as rows of
every run cost a new run about as much as a year of the engine in memory (building, digesting
and inserting them), so runs created from schema 7 on do not (`govcore_run.config_rows` false):
their `govcore_observation` rows are only the observations added later (`observe`, the
server, `fetch`). The configuration's rows are derived when they are read, numbered 1…N in
the configuration's order exactly as they used to be stored, so added rows keep their numbers
and `supersedes` may name a configuration row. Runs created before keep their stored rows
(`config_rows` true) and are read as before.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from govcore.calendar import DanishCalendar
from govcore.config import Configuration
from govcore.model import Observation, Observations
from govcore.model import ObservationRow as HeldObservation
from govcore.store.db import Database, row_dicts
from govcore.store.tables import ObservationRow, Run, table

OBS = table(ObservationRow)
RUN = table(Run)


class Superseded:
    """Which earlier row a new observation replaces: the latest known earlier row of the same
    series and period (ties: the later row). Rows are indexed by series and period as they are
    added, each key's rows sorted by (known_at, n), so a batch of many observations costs a
    binary search each, not a scan of every row before it (a KPI's cloned series can hold
    hundreds of rows under one key)."""

    def __init__(self, rows: Iterable[Mapping[str, Any]] = ()) -> None:
        self._by_key: dict[tuple[Any, ...], list[tuple[str, int]]] = {}
        for r in rows:
            self.add(r)

    def add(self, r: Mapping[str, Any]) -> None:
        key = (r["kpi"], r["series"], r["of_municipality"], r["period"])
        bisect.insort(self._by_key.setdefault(key, []), (str(r["known_at"]), int(r["n"])))

    def of(self, o: Observation | HeldObservation, known: str | None = None) -> int | None:
        """`known`: `o.known` as ISO text, when the caller has it already."""
        same = self._by_key.get((o.kpi, o.series, o.municipality, o.period))
        if not same:
            return None
        i = bisect.bisect_right(same, (known or o.known.isoformat(), math.inf))
        return same[i - 1][1] if i else None


def configuration_rows(code: str, start: str, observations: Sequence[Observation],
                       calendar: DanishCalendar) -> list[dict[str, Any]]:
    """The rows of a configuration's own observations, as runs before schema 7 stored them."""
    rows: list[dict[str, Any]] = []
    intake: dict[dt.date, str] = {}
    earlier = Superseded()
    items: Iterable[Observation | HeldObservation] = (
        observations.rows() if isinstance(observations, Observations) else observations)
    for i, o in enumerate(items, start=1):
        known = o.known
        if known not in intake:
            intake[known] = calendar.local_datetime(known, 6).isoformat()
        known_text = known.isoformat()
        rows.append({
            "municipality": code, "start": start, "n": i, "kpi": o.kpi, "period": o.period, "value": o.value,
            "series": o.series, "of_municipality": o.municipality, "source": o.source,
            "known_at": known_text,
            # the moment the engine takes it in (its 06:00 intake on the known day): deterministic,
            # so that an interrupted and an uninterrupted run give identical rows
            "received_at": intake[known],
            "origin": "configuration", "supersedes": earlier.of(o, known_text), "fed_order": None, "fed_items": None,
            "fed_clock": None})
        earlier.add(rows[-1])
    return rows


def of_run(cfg: Configuration, start: str) -> list[dict[str, Any]]:
    """The configuration rows of `cfg`'s run from `start`."""
    return configuration_rows(cfg.municipality.code, start, cfg.observations, cfg.wheel.calendar)


def run_rows(db: Database, code: str, start: str, configuration: Callable[[], Configuration],
             keep: Callable[[Mapping[str, Any]], bool] | None = None) -> list[dict[str, Any]]:
    """Every observation row of the run (municipality `code`, from `start`) that `keep` accepts,
    ordered by `n`: the stored ones and — for a run that does not store them — the
    configuration's own, derived from `configuration()` (called only then)."""

    def work(conn: sa.Connection) -> tuple[Any, list[dict[str, Any]]]:
        own = conn.execute(sa.select(RUN.c.config_rows).where(RUN.c.municipality == code,
                                                              RUN.c.start == start)).scalar()
        rows = row_dicts(conn.execute(sa.select(OBS).where(
            OBS.c.municipality == code, OBS.c.start == start).order_by(OBS.c.n)))
        return own, rows

    own, rows = db.read(work)
    if own is not None and not own:
        rows = of_run(configuration(), start) + rows
    return [r for r in rows if keep(r)] if keep is not None else rows
