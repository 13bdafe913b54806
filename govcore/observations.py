"""KPI observations over time, seen "as of" a date.

A source may revise a figure (a correction): the newer row wins from the day it is known, and the
older value stays in the history. Targets only ever see values known on the evaluation date, so a
year can be replayed exactly as it looked at the time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, chain, islice
from typing import NamedTuple, overload

from govcore.model import Observation, ObservationRow, Observations, Period

SeriesKey = tuple[str, str, str]  # kpi, series, municipality ("" = the configured one)


# a row's place in a history: by the end of its period, then its start (a C function, not a lambda:
# the order is kept by bisection as rows arrive)
_by_period: Callable[[ObservationRow], tuple[dt.date, dt.date]] = operator.attrgetter("span.end", "span.start")


class _Series:
    """One series' rows in the order they arrived, and its current figure per period (the most
    recently known row), kept up to date as rows arrive: a look-up on or after the last known day
    costs the same however long the history is. Only a look-up into the past scans the rows.

    A `shared` series belongs to a frozen store that several stores lie over: it is never changed,
    a store copies it before adding to it."""

    __slots__ = ("best", "grains", "last_known", "ordered", "rows", "shared")

    def __init__(self) -> None:
        self.rows: list[ObservationRow] = []
        self.best: dict[str, ObservationRow] = {}
        self.grains: dict[str, int] = {}  # how many periods of each grain `best` holds
        self.last_known: dt.date | None = None
        self.ordered: list[ObservationRow] | None = None
        self.shared = False

    def copy(self) -> _Series:
        """An unshared copy (lists and dicts of references, copied at C speed). The periods' order
        is worked out on the shared series first (once for every store that copies it)."""
        if self.ordered is None:
            self.ordered = sorted(self.best.values(), key=_by_period)
        new = _Series.__new__(_Series)
        new.rows, new.best, new.grains = self.rows.copy(), self.best.copy(), self.grains.copy()
        new.last_known, new.shared = self.last_known, False
        new.ordered = self.ordered.copy()
        return new

    def add(self, row: ObservationRow) -> None:
        self.rows.append(row)
        span = row.span
        text = span.text
        best = self.best
        cur = best.get(text)
        known = row.known
        if cur is None or known >= cur.known:  # a tie goes to the row that arrived later
            best[text] = row
            if cur is None:
                grain = span.grain
                grains = self.grains
                grains[grain] = grains.get(grain, 0) + 1
            ordered = self.ordered
            if ordered is not None:  # kept in order as rows arrive, not sorted again
                last = ordered[-1] if ordered else None
                if cur is None:
                    if last is None:
                        ordered.append(row)
                    else:  # the commonest: a new latest period (compared as `_by_period` does, without its tuples)
                        end, before = span.end, last.span
                        if before.end < end or (before.end == end and before.start <= span.start):
                            ordered.append(row)
                        else:
                            bisect.insort_right(ordered, row, key=_by_period)
                elif last is cur:
                    ordered[-1] = row
                else:
                    i = bisect.bisect_left(ordered, _by_period(row), key=_by_period)
                    while ordered[i] is not cur:
                        i += 1
                    ordered[i] = row
        last_known = self.last_known
        if last_known is None or known > last_known:
            self.last_known = known

    def current(self, day: dt.date) -> dict[str, ObservationRow]:
        if self.last_known is not None and day >= self.last_known:
            return self.best
        best: dict[str, ObservationRow] = {}
        for r in self.rows:  # in the order they arrived: a tie goes to the later
            if r.known > day:
                continue
            cur = best.get(r.span.text)
            if cur is None or r.known >= cur.known:
                best[r.span.text] = r
        return best

    def history(self, day: dt.date) -> list[ObservationRow]:
        """The current rows, oldest period first (the order is kept while no row arrives)."""
        if self.last_known is not None and day >= self.last_known:
            if self.ordered is None:
                self.ordered = sorted(self.best.values(), key=_by_period)
            return self.ordered
        return sorted(self.current(day).values(), key=_by_period)

    def count(self, day: dt.date, grain: str) -> int:
        """How many periods of `grain` have a figure known on `day` (kept up to date as rows arrive)."""
        if self.last_known is not None and day >= self.last_known:
            return self.grains.get(grain, 0)
        return sum(r.span.grain == grain for r in self.current(day).values())


_EMPTY = _Series()


def rows_of(observations: Observation | ObservationRow | Iterable[Observation | ObservationRow]
            ) -> Iterable[ObservationRow]:
    """Observations as rows: a configuration's `Observations` give theirs without making a model
    each, so a million are taken in without a million pydantic objects."""
    if isinstance(observations, Observations):
        return observations.rows()
    if isinstance(observations, Observation | ObservationRow):
        return (ObservationRow.of(observations),)
    return map(ObservationRow.of, observations)


class ObservationStore:
    """All observations received, including superseded ones.

    A store may lie over a frozen one (`over`): it starts with the frozen store's rows without
    taking them in again, shares its series until it adds to one (then copies that one), and never
    changes it. Engines starting on one day share the configuration's history this way
    (`shared_start`)."""

    def __init__(self, observations: Iterable[Observation | ObservationRow] = ()) -> None:
        self._series: dict[SeriesKey, _Series] = {}
        # municipality codes with a series, per (kpi, series), in the order they first arrived
        self._codes: dict[tuple[str, str], list[str]] = defaultdict(list)
        # per KPI: how many rows arrived, and the latest day one of them became known
        self._kpi_state: dict[str, tuple[int, dt.date]] = {}
        # every row, in the order it arrived: the frozen stores' under this one's, then its own
        self._before: tuple[Sequence[ObservationRow], ...] = ()
        self._past = 0  # how many rows `_before` holds (its sequences never change: `__len__` counts them once)
        self._order: list[ObservationRow] = []
        self._frozen = False
        for o in rows_of(observations):
            self.add(o)

    def freeze(self) -> ObservationStore:
        """Make this store unchangeable, so that other stores may lie over it."""
        self._frozen = True
        for series in self._series.values():
            series.shared = True
        return self

    @classmethod
    def over(cls, base: ObservationStore) -> ObservationStore:
        """A store holding `base`'s rows, sharing them (`base` must be frozen): O(series), not O(rows)."""
        if not base._frozen:
            raise ValueError("a store lies only over a frozen store")
        store = cls()
        store._series = base._series.copy()
        store._codes.update((k, v.copy()) for k, v in base._codes.items())
        store._kpi_state = base._kpi_state.copy()
        store._before = (*base._before, base._order)
        store._past = base._past + len(base._order)
        return store

    def _mine(self, key: SeriesKey) -> _Series:
        """The series of `key` for adding to: made if new, copied if shared."""
        series = self._series.get(key)
        if series is None:
            if self._frozen:
                raise ValueError("a frozen observation store takes no rows")
            series = self._series[key] = _Series()
            if key[2]:
                self._codes[key[0], key[1]].append(key[2])
        elif series.shared:
            if self._frozen:
                raise ValueError("a frozen observation store takes no rows")
            series = self._series[key] = series.copy()
        return series

    def add(self, observation: Observation | ObservationRow) -> None:
        self.add_rows((observation if type(observation) is ObservationRow else ObservationRow.of(observation),))

    def add_rows(self, rows: Sequence[ObservationRow]) -> None:
        """`add` of each row, in their order, in one call: an engine takes in the rows that become
        known at one instant this way."""
        if self._frozen:  # before any row is taken in
            raise ValueError("a frozen observation store takes no rows")
        self._order.extend(rows)
        series_of, states = self._series, self._kpi_state
        for obs in rows:
            kpi = obs.kpi
            key = (kpi, obs.series, obs.municipality or "")
            series = series_of.get(key)
            if series is None or series.shared:
                series = self._mine(key)
            series.add(obs)
            known = obs.known
            state = states.get(kpi)
            if state is None:
                states[kpi] = (1, known)
            else:
                last = state[1]
                states[kpi] = (state[0] + 1, known if known > last else last)

    def extend(self, rows: Iterable[ObservationRow]) -> None:
        """`add` of many rows, in their order, to the same effect: the per-row work is done series
        by series (an engine takes in the history before its start this way)."""
        rows = list(rows)
        groups: dict[SeriesKey, list[ObservationRow]] = {}
        for r in rows:
            key = (r.kpi, r.series, r.municipality or "")
            group = groups.get(key)
            if group is None:
                groups[key] = [r]
            else:
                group.append(r)
        for key in groups:  # checked before any row is taken in
            series = self._series.get(key)
            if series is None or series.shared:
                self._mine(key)
        self._order.extend(rows)
        for key, group in groups.items():
            add = self._series[key].add
            last = group[0].known
            for r in group:
                add(r)
                if r.known > last:
                    last = r.known
            state = self._kpi_state.get(key[0])
            self._kpi_state[key[0]] = (len(group), last) if state is None else \
                (state[0] + len(group), last if last > state[1] else state[1])

    def kpi_state(self, kpi: str) -> tuple[int, dt.date | None]:
        """How many rows of `kpi` arrived, and the latest day one became known: on any day from
        then on, while the count stays, every look-up of the KPI gives the same answer."""
        return self._kpi_state.get(kpi, (0, None))

    def kpis_state(self, kpis: Iterable[str]) -> tuple[int, dt.date | None]:
        """`kpi_state` of several KPIs at once: rows of all of them, and the latest day one became
        known (counts only grow, so the sum changes whenever one of them does)."""
        count, last = 0, None
        for kpi in kpis:
            state = self._kpi_state.get(kpi)
            if state is not None:
                count += state[0]
                if last is None or state[1] > last:
                    last = state[1]
        return count, last

    def __len__(self) -> int:
        return self._past + len(self._order)

    def all(self) -> list[Observation]:
        return [r.model() for r in chain(*self._before, self._order)]

    def kpis(self) -> set[str]:
        return {k[0] for k in self._series}

    def as_of(self, day: dt.date) -> ObservationView:
        return ObservationView(self, day)

    def rows(self, key: SeriesKey) -> list[ObservationRow]:
        series = self._series.get(key)
        return series.rows if series is not None else []

    def series(self, key: SeriesKey) -> _Series:
        return self._series.get(key, _EMPTY)

    def codes(self, kpi: str, series: str) -> list[str]:
        """The municipality codes with a labelled series of `kpi`."""
        return self._codes.get((kpi, series), [])

    def keys(self) -> Iterable[SeriesKey]:
        return self._series.keys()


class SharedStart(NamedTuple):
    """What every engine that starts with a configuration's observations on one day shares, worked
    out once (`shared_start`)."""

    base: ObservationStore  # the rows known before the day, taken in (frozen): each engine lies over it
    rows: list[ObservationRow]  # the rows known from the day on, by the day they become known, then in order
    ranks: array[int]  # each of `rows`' place among them in the configuration's order


# start days whose shares a configuration keeps (each holds an index of the history before it)
_STARTS_KEPT = 4


def kpis_of(observations: Observations) -> frozenset[str]:
    """The KPIs `observations` has rows of (worked out once while the rows stay)."""
    derived = observations.derived()
    kpis: frozenset[str] | None = derived.get("kpis")
    if kpis is None:
        kpis = derived["kpis"] = frozenset(r.kpi for r in observations.rows())
    return kpis


class _Past(Sequence[ObservationRow]):
    """The first `count` rows of a configuration's observations that were known before a day, in
    the configuration's order, gone through only when asked for (a store's `all()`): a start cut
    from an earlier one holds no list of its history. `Observations` only ever grows at its end,
    so its first `size` rows stay as they were."""

    __slots__ = ("_count", "_cut", "_observations", "_size")

    def __init__(self, observations: Observations, size: int, cut: dt.date, count: int) -> None:
        self._observations, self._size, self._cut, self._count = observations, size, cut, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ObservationRow]:
        cut = self._cut
        return (r for r in islice(self._observations.rows(), self._size) if r.known < cut)

    @overload
    def __getitem__(self, index: int) -> ObservationRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[ObservationRow]: ...

    def __getitem__(self, index: int | slice) -> ObservationRow | list[ObservationRow]:
        return list(self)[index]


_known: Callable[[ObservationRow], dt.date] = operator.attrgetter("known")


def _cut_later(observations: Observations, earlier: SharedStart, cut: dt.date) -> SharedStart | None:
    """`shared_start` of `cut` made from the share of an earlier day: a store over its frozen one
    taking in the rows that became known in between (the first of its list), and the rest of its
    list, renumbered. O(series + rows in between + rows after), not O(history).

    The same answers as taking in every row known before `cut` in the configuration's order: a
    period's figure is its most recently known row (a tie: the later in that order), and the rows in
    between are all known later than the earlier share's, taken in by that day, ties in that order.
    What differs is only the order of things no look-up reads in order (a series' rows, its
    periods before they are sorted by their unique spans, the series). The municipality codes of a
    KPI are read in order (`across_municipalities`): a new labelled series in between gives None
    (the caller works the day out from all rows)."""
    base = earlier.base
    k = bisect.bisect_left(earlier.rows, cut, key=_known)
    between = earlier.rows[:k]
    known_series = base._series
    for r in between:
        if r.municipality and (r.kpi, r.series, r.municipality) not in known_series:
            return None
    store = ObservationStore.over(base)
    store.extend(between)
    for series in store._series.values():  # a series new in between: sorted here, as `_start` does
        if series.ordered is None:
            series.ordered = sorted(series.best.values(), key=_by_period)
    store._before, store._order = (), _Past(observations, len(observations), cut, len(base) + k)  # type: ignore[assignment]
    store._past = 0
    ranks = earlier.ranks
    if k:  # each later row's place among those left: less the rows in between before it
        gone = bytearray(len(ranks))
        for i in islice(ranks, k):
            gone[i] = 1
        before = list(accumulate(gone))
        ranks = array("q", map(operator.sub, islice(ranks, k, None), map(before.__getitem__, islice(ranks, k, None))))
    return SharedStart(store.freeze(), earlier.rows[k:], ranks)


def shared_start(observations: Observations, cut: dt.date) -> SharedStart:
    """The rows of `observations` known before `cut` as a frozen store (taken in in their order,
    as `ObservationStore.extend` takes them), and the rest by the day they become known, each with
    its place in the configuration's order: an engine starting with them lies its own store over
    the frozen one and takes the rest from the list as they become known, so its start costs
    O(series), not O(rows), however long the history. Kept on `observations` (a few start days)
    until a row is added to it; a day after one kept is cut from it (`_cut_later`), so after
    `load_config` (1 January of the configuration's year) a later start day costs the rows in
    between, not the history."""
    derived = observations.derived()
    key = ("start", cut)
    start: SharedStart | None = derived.get(key)
    if start is not None:
        return start
    starts = [k for k in list(derived) if isinstance(k, tuple) and k[0] == "start"]  # list(): at once
    earlier = max((k for k in starts if k[1] < cut), default=None, key=operator.itemgetter(1))
    kept = derived.get(earlier) if earlier is not None else None  # get: another thread may drop it
    if kept is not None:
        start = _cut_later(observations, kept, cut)
    if start is None:
        start = _start(observations, cut)
    for old in starts[:max(len(starts) + 1 - _STARTS_KEPT, 0)]:
        derived.pop(old, None)
    derived[key] = start
    return start


def _start(observations: Observations, cut: dt.date) -> SharedStart:
    past: list[ObservationRow] = []
    later: list[ObservationRow] = []
    for r in observations.rows():
        (past if r.known < cut else later).append(r)
    base = ObservationStore()
    base.extend(past)
    del past
    for series in base._series.values():  # sorted here, with the rest of the history's work
        series.ordered = sorted(series.best.values(), key=_by_period)
    order = sorted(range(len(later)), key=[r.known for r in later].__getitem__)  # stable: ties in order
    return SharedStart(base.freeze(), list(map(later.__getitem__, order)), array("q", order))


def prepare(observations: Observations, start: dt.date) -> None:
    """Work out, where a configuration is loaded, what its engines starting on `start` share of
    its observations (`kpis_of`, `shared_start`), so that no engine pays for the history behind
    it: `load_config` does it for 1 January of the configuration's year, the start an engine
    takes by default. Other start days are worked out by their first engine, as before."""
    kpis_of(observations)
    shared_start(observations, start)


class ObservationView:
    """The observations known on `day`; for each period the most recently known value."""

    def __init__(self, store: ObservationStore, day: dt.date, within: Period | None = None) -> None:
        self.store = store
        self.day = day
        # The latest figure is sought only among periods inside `within` (a target 'in 2022').
        self.within = within

    def _current(self, kpi: str, series: str, municipality: str | None) -> dict[str, ObservationRow]:
        return self.store.series((kpi, series, municipality or "")).current(self.day)

    def history(self, kpi: str, series: str = "local", municipality: str | None = None) -> list[Observation]:
        """Current value of every known period, oldest period first."""
        return [r.model() for r in self.store.series((kpi, series, municipality or "")).history(self.day)]

    def rows(self, kpi: str, series: str = "local", municipality: str | None = None) -> list[ObservationRow]:
        """`history` as rows, no model made (the list is the store's own: do not change it)."""
        return self.store.series((kpi, series, municipality or "")).history(self.day)

    def _own(self, kpi: str, series: str, municipality: str | None) -> _Series:
        """The series a municipality's figures are read from: its code's when the store holds rows of
        that code, else the unlabelled one (a store of one municipality's figures, unlabelled). The
        choice depends on the store only, never on the day (`targets`)."""
        series_of = self.store._series
        own = series_of.get((kpi, series, municipality)) if municipality else None
        if own is None or not own.rows:
            return series_of.get((kpi, series, ""), _EMPTY)
        return own

    def own_rows(self, kpi: str, series: str = "local", municipality: str | None = None) -> list[ObservationRow]:
        """`rows` of the municipality's own series (`_own`), in one call: every goal evaluation asks."""
        own = self._own(kpi, series, municipality)
        ordered, last, day = own.ordered, own.last_known, self.day
        if ordered is not None and last is not None and day >= last:  # `history`'s commonest case
            return ordered
        return own.history(day)

    def own_value(self, kpi: str, period: Period, series: str = "local", municipality: str | None = None
                  ) -> float | None:
        """`value` of the municipality's own series (`_own`)."""
        row = self._own(kpi, series, municipality).current(self.day).get(period.text)
        return row.value if row else None

    def count(self, kpi: str, grain: str, series: str = "local", municipality: str | None = None) -> int:
        """How many periods of `grain` `history` holds, without going through it."""
        return self.store.series((kpi, series, municipality or "")).count(self.day, grain)

    def observation(self, kpi: str, period: str | Period, series: str = "local",
                    municipality: str | None = None) -> Observation | None:
        """The current value of one period, with when it became known."""
        text = period.text if isinstance(period, Period) else Period.parse(period).text
        row = self._current(kpi, series, municipality).get(text)
        return row.model() if row else None

    def value(self, kpi: str, period: str | Period, series: str = "local",
              municipality: str | None = None) -> float | None:
        text = period.text if isinstance(period, Period) else Period.parse(period).text
        row = self._current(kpi, series, municipality).get(text)
        return row.value if row else None

    def latest(self, kpi: str, series: str = "local", municipality: str | None = None,
               grain: str | None = None) -> Observation | None:
        w = self.within
        for r in reversed(self.store.series((kpi, series, municipality or "")).history(self.day)):
            p = r.span
            if (grain is None or p.grain == grain) and (w is None or (w.start <= p.start and p.end <= w.end)):
                return r.model()
        return None

    def revision(self, kpis: Iterable[str]) -> tuple[int | dt.date | None, ...]:
        """A key of what this view knows of `kpis`: two views of one store (neither limited by
        `within`) with equal revisions give the same answer to every look-up of those KPIs, in
        every series and municipality. Cheap (no rows are read): for a subject kind's
        `unchanged_key`."""
        count, last = self.store.kpis_state(kpis)
        # rows known after the view's day are not seen by it, so the day counts until the last one
        return (count, last) if last is None or self.day >= last else (count, last, self.day)

    def across_municipalities(self, kpi: str, period: str, series: str = "local") -> dict[str, float]:
        """Values of every municipality reported for one period (to compute a rank)."""
        out: dict[str, float] = {}
        for code in self.store.codes(kpi, series):
            v = self.value(kpi, period, series, code)
            if v is not None:
                out[code] = v
        return out
