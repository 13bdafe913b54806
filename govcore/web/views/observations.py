"""The observations a live run has stored, with their corrections.

A stored observation is never changed: a correction is a newer row for the same KPI, series and
period (govcore.store.tables.ObservationRow.supersedes), so the old figure, the new one, when each
became known and where it came from can all be shown. Only rows known on the run's day count:
a configuration may hold figures published later, which the run has not seen yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from govcore.access.live import LiveRuns
from govcore.access.permissions import Operation, authorize
from govcore.access.principal import Principal
from govcore.model import Observation
from govcore.observations import ObservationStore
from govcore.store.config_observations import run_rows
from govcore.text import danish_number

PAGE_SIZE = 100


def stored_rows(live: LiveRuns, principal: Principal, municipality: str, day: dt.date,
                kpi: str | None = None) -> list[dict[str, Any]]:
    """The run's stored observation rows known on `day`, in the order they were received."""
    authorize(principal, Operation.VIEW, municipality)
    run = live.run(municipality)

    known = day.isoformat()
    return run_rows(live.db, run.municipality, run.start, lambda: live.config(run),
                    lambda r: r["known_at"] <= known and (kpi is None or r["kpi"] == kpi))


def to_observation(r: dict[str, Any]) -> Observation:
    return Observation(kpi=r["kpi"], period=r["period"], value=r["value"], series=r["series"],
                       municipality=r["of_municipality"], source=r["source"],
                       known_at=dt.date.fromisoformat(r["known_at"]))


def observation_store(live: LiveRuns, principal: Principal, municipality: str, day: dt.date) -> ObservationStore:
    """What the rules see: every stored observation known on `day`, corrections after what they correct."""
    return ObservationStore(to_observation(r) for r in stored_rows(live, principal, municipality, day))


@dataclass(frozen=True)
class Version:
    """One received value of a figure."""

    value: float
    known_at: str
    received_at: str
    source: str
    origin: str

    @property
    def text(self) -> str:
        """The value as received, to øre: 92,8 stays 92,8 and 1.234,56 keeps its øre."""
        return danish_number(self.value, 2 if round(self.value, 1) != round(self.value, 2) else 1)


@dataclass(frozen=True)
class Figure:
    """A KPI's figure for one period and series: the value that counts now, and the values it
    replaced (oldest first)."""

    kpi: str
    period: str
    series: str
    of_municipality: str | None
    current: Version
    replaced: tuple[Version, ...]

    @property
    def corrected(self) -> bool:
        return bool(self.replaced)


def figures(rows: list[dict[str, Any]], period: str = "") -> list[Figure]:
    """Rows grouped into figures (one per KPI, series, municipality and period), newest period first;
    `period` keeps those whose period starts with it ("2021" keeps 2021, 2021-Q1 and 2021-05)."""
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["period"].startswith(period):
            groups[(r["kpi"], r["series"], r["of_municipality"] or "", r["period"])].append(r)
    out = []
    for (kpi, series, of, per), found in groups.items():
        found.sort(key=lambda r: (r["known_at"], r["n"]))
        versions = [Version(float(r["value"]), r["known_at"], r["received_at"], r["source"], r["origin"])
                    for r in found]
        out.append(Figure(kpi, per, series, of or None, versions[-1], tuple(versions[:-1])))
    out.sort(key=lambda f: (f.kpi, f.series, f.of_municipality or "", f.period))
    out.sort(key=lambda f: f.period, reverse=True)
    return out
