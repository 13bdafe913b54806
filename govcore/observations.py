"""KPI observations over time, seen "as of" a date.

A source may revise a figure (a correction): the newer row wins from the day it is known, and the
older value stays in the history. Targets only ever see values known on the evaluation date, so a
year can be replayed exactly as it looked at the time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from govcore.model import Observation, Period

SeriesKey = tuple[str, str, str]  # kpi, series, municipality ("" = the configured one)


@dataclass(frozen=True)
class _Row:
    obs: Observation
    period: Period
    known: dt.date
    seq: int


class ObservationStore:
    """All observations received, including superseded ones."""

    def __init__(self, observations: Iterable[Observation] = ()) -> None:
        self._rows: dict[SeriesKey, list[_Row]] = defaultdict(list)
        self._seq = 0
        for o in observations:
            self.add(o)

    def add(self, obs: Observation) -> None:
        key = (obs.kpi, obs.series, obs.municipality or "")
        self._seq += 1
        self._rows[key].append(_Row(obs, obs.period_obj, obs.known, self._seq))

    def __len__(self) -> int:
        return sum(len(v) for v in self._rows.values())

    def all(self) -> list[Observation]:
        rows = [r for v in self._rows.values() for r in v]
        return [r.obs for r in sorted(rows, key=lambda r: r.seq)]

    def kpis(self) -> set[str]:
        return {k[0] for k in self._rows}

    def as_of(self, day: dt.date) -> ObservationView:
        return ObservationView(self, day)

    def rows(self, key: SeriesKey) -> list[_Row]:
        return self._rows.get(key, [])

    def keys(self) -> Iterable[SeriesKey]:
        return self._rows.keys()


class ObservationView:
    """The observations known on `day`; for each period the most recently known value."""

    def __init__(self, store: ObservationStore, day: dt.date, within: Period | None = None) -> None:
        self.store = store
        self.day = day
        # The latest figure is sought only among periods inside `within` (a target 'in 2022').
        self.within = within

    def _current(self, kpi: str, series: str, municipality: str | None) -> dict[str, _Row]:
        best: dict[str, _Row] = {}
        for r in self.store.rows((kpi, series, municipality or "")):
            if r.known > self.day:
                continue
            cur = best.get(r.period.text)
            if cur is None or (r.known, r.seq) >= (cur.known, cur.seq):
                best[r.period.text] = r
        return best

    def history(self, kpi: str, series: str = "local", municipality: str | None = None) -> list[Observation]:
        """Current value of every known period, oldest period first."""
        rows = self._current(kpi, series, municipality).values()
        return [r.obs for r in sorted(rows, key=lambda r: (r.period.end, r.period.start))]

    def observation(self, kpi: str, period: str | Period, series: str = "local",
                    municipality: str | None = None) -> Observation | None:
        """The current value of one period, with when it became known."""
        text = period.text if isinstance(period, Period) else Period.parse(period).text
        row = self._current(kpi, series, municipality).get(text)
        return row.obs if row else None

    def value(self, kpi: str, period: str | Period, series: str = "local",
              municipality: str | None = None) -> float | None:
        obs = self.observation(kpi, period, series, municipality)
        return obs.value if obs else None

    def latest(self, kpi: str, series: str = "local", municipality: str | None = None,
               grain: str | None = None) -> Observation | None:
        w = self.within
        hist = [o for o in self.history(kpi, series, municipality)
                if (grain is None or o.period_obj.grain == grain)
                and (w is None or (w.start <= o.period_obj.start and o.period_obj.end <= w.end))]
        return hist[-1] if hist else None

    def across_municipalities(self, kpi: str, period: str, series: str = "local") -> dict[str, float]:
        """Values of every municipality reported for one period (to compute a rank)."""
        out: dict[str, float] = {}
        for key in self.store.keys():  # noqa: SIM118 - store is not a dict
            if key[0] == kpi and key[1] == series and key[2]:
                v = self.value(kpi, period, series, key[2])
                if v is not None:
                    out[key[2]] = v
        return out
