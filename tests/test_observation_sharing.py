"""Engines starting with one configuration share its history (`observations.shared_start`).

The history known before a start day is taken in once per configuration and day, into a frozen
store; each engine lies its own store over it and copies a series only when it adds to it, and
takes the rest of the configuration's observations from one shared list. Here: stores over a
shared one answer as a store fed every row afresh, on random histories; two engines sharing a
configuration never see each other's rows, corrections or supersessions, and each gives the events
of an engine that shares nothing; adding a row to the configuration's observations is seen by the
next engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from observation_support import DAYS, assert_same_lookups, rows

from govcore.config import Configuration, load_config
from govcore.engine import Engine, EngineEvent
from govcore.errors import EngineError
from govcore.model import Observation, ObservationRow, Observations
from govcore.observations import ObservationStore, SharedStart, prepare, shared_start

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"
row = rows([None, "101", "630", "751"])


def assert_same_store(got: ObservationStore, want: ObservationStore, days: list[dt.date]) -> None:
    assert len(got) == len(want) and got.all() == want.all()
    assert list(got.keys()) == list(want.keys())
    keys = list(want.keys())
    for key in keys:
        assert got.rows(key) == want.rows(key)
    assert_same_lookups(got, want, keys, days)


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(st.lists(row, max_size=40), DAYS, st.lists(row, max_size=15), st.lists(row, max_size=15),
       st.lists(DAYS, min_size=1, max_size=4))
def test_stores_over_a_shared_history_answer_as_a_store_fed_afresh(
        rows: list[ObservationRow], cut: dt.date, mine: list[ObservationRow], theirs: list[ObservationRow],
        days: list[dt.date]) -> None:
    observations = Observations(rows)
    start = shared_start(observations, cut)
    past = [r for r in rows if r.known < cut]
    later = [r for r in rows if r.known >= cut]
    # the rest: by the day each becomes known, ties in the configuration's order, with that order's place
    assert start.rows == sorted(later, key=lambda r: r.known)
    assert all(start.rows[i] is later[start.ranks[i]] for i in range(len(later)))
    assert sorted(start.ranks) == list(range(len(later)))
    assert shared_start(observations, cut) is start  # worked out once
    a, b = ObservationStore.over(start.base), ObservationStore.over(start.base)
    for d in days:  # read before either adds (a series' kept order is made on the shared one)
        a.as_of(d).history("a")
    # each takes in rows of its own: new periods, corrections of old ones, new series and municipalities
    for r in mine:
        a.add(r)
    b.extend(theirs)
    assert_same_store(a, ObservationStore([*past, *mine]), days)
    assert_same_store(b, ObservationStore([*past, *theirs]), days)
    assert_same_store(ObservationStore.over(start.base), ObservationStore(past), days)  # the shared one unchanged


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.lists(row, max_size=30), DAYS, st.lists(row, min_size=1, max_size=10), st.booleans(),
       st.lists(DAYS, min_size=1, max_size=3))
def test_a_prepared_start_follows_rows_added_after_it(
        rows: list[ObservationRow], cut: dt.date, added: list[ObservationRow], one_by_one: bool,
        days: list[dt.date]) -> None:
    """What loading works out (`prepare`) is the share of a fresh list of the same rows, also
    after rows are added to the observations (the share is worked out again)."""
    observations = Observations(rows)
    prepare(observations, cut)
    before = shared_start(observations, cut)
    assert_same_start(before, shared_start(Observations(rows), cut), days)
    if one_by_one:
        for r in added:
            observations.append(r)
    else:
        observations.extend(added)
    after = shared_start(observations, cut)
    assert_same_start(after, shared_start(Observations([*rows, *added]), cut), days)
    # the share worked out before the rows came is left as it was (engines may lie over it)
    assert_same_start(before, shared_start(Observations(rows), cut), days)


def assert_same_start(got: SharedStart, want: SharedStart, days: list[dt.date]) -> None:
    assert got.rows == want.rows and list(got.ranks) == list(want.ranks)
    for s in (got, want):  # the periods' order is worked out with the rest, on the shared series
        shared = s.base
        for series in map(shared.series, list(shared.keys())):
            assert series.ordered == sorted(series.best.values(), key=lambda r: (r.span.end, r.span.start))
    assert_same_store(ObservationStore.over(got.base), ObservationStore.over(want.base), days)


def test_a_frozen_store_takes_no_rows_and_only_a_frozen_one_is_shared() -> None:
    base = ObservationStore([ObservationRow("a", "2021", 1.0)])
    with pytest.raises(ValueError, match="frozen"):
        ObservationStore.over(base)
    base.freeze()
    for new in (ObservationRow("a", "2022", 2.0), ObservationRow("z", "2022", 2.0)):
        with pytest.raises(ValueError, match="frozen"):
            base.add(new)
        with pytest.raises(ValueError, match="frozen"):
            base.extend([new])
    assert len(base) == 1


@cache
def vejle() -> Configuration:
    return load_config(VEJLE)


def history(config: Configuration, years: int) -> Configuration:
    """`config` with its observations repeated `years` years earlier (held as rows)."""
    rows = Observations()
    for r in config.observations.rows():
        if "-02-29" in r.period or (r.known.month, r.known.day) == (2, 29) or r.span.start.year != r.span.end.year:
            continue
        y = r.span.start.year
        known = r.known_at.replace(year=r.known_at.year - years) if r.known_at else None
        rows.append(ObservationRow(r.kpi, r.period.replace(str(y), str(y - years), 1), r.value, r.series,
                                   r.municipality, r.source, known))
    rows.extend(config.observations)
    return dataclasses.replace(config, observations=rows)


def unshared(config: Configuration) -> Configuration:
    """The same configuration with its observations in a plain list: every engine takes them in afresh."""
    return dataclasses.replace(config, observations=list(config.observations))


def lines(events: list[EngineEvent]) -> list[str]:
    return [e.json_line for e in events]


def fed(config: Configuration, start: dt.date | dt.datetime, extra: dict[dt.date, list[Observation]],
        end: dt.date) -> Engine:
    """An engine from `start` to `end`, given `extra` observations on those days."""
    engine = Engine(config, start=start)
    for day in sorted(extra):
        engine.advance_to(day)
        engine.observe(extra[day])
    engine.advance_to(end)
    return engine


@pytest.mark.parametrize("start", [dt.date(2021, 1, 1), dt.datetime(2021, 3, 10, 7, 30), dt.date(2021, 6, 15)])
def test_two_engines_sharing_a_configuration_never_see_each_others_rows(start: dt.date | dt.datetime) -> None:
    config = history(vejle(), 4)
    models = [o for o in vejle().observations if o.municipality is None][:300]
    first = start.date() if isinstance(start, dt.datetime) else start
    # one engine corrects old figures (known later, so they supersede) and adds periods; the other
    # supersedes the current figures and adds a municipality's series
    theirs = {first + dt.timedelta(days=20): [o.model_copy(update={"value": o.value * 2, "known_at": None})
                                              for o in models[::4]],
              first + dt.timedelta(days=45): [o.model_copy(update={"value": o.value + 7, "period": "2024-01"})
                                              for o in models[1:40:3]]}
    mine = {first + dt.timedelta(days=30): [o.model_copy(update={"value": -o.value,
                                                                  "known_at": first + dt.timedelta(days=31)})
                                             for o in models[::5]],
            first + dt.timedelta(days=60): [o.model_copy(update={"municipality": "999"}) for o in models[:60]]}
    end = first + dt.timedelta(days=120)
    a = Engine(config, start=start)
    b = Engine(config, start=start)
    assert a.store is not b.store and len(a.store) == len(b.store) > 0
    # interleaved: each advances past the other's additions before its own
    for day in sorted({*theirs, *mine}):
        a.advance_to(day)
        b.advance_to(day)
        if day in theirs:
            a.observe(theirs[day])
        if day in mine:
            b.observe(mine[day])
    a.advance_to(end)
    b.advance_to(end)
    alone_a, alone_b = fed(unshared(config), start, theirs, end), fed(unshared(config), start, mine, end)
    for engine, alone in ((a, alone_a), (b, alone_b)):
        assert lines(engine.events) == lines(alone.events)
        assert engine.store.all() == alone.store.all()
        assert engine.pending() == alone.pending() and engine.next_time() == alone.next_time()
    assert lines(a.events) != lines(b.events)
    # a third engine of the same configuration starts from the shared history, untouched by both
    c = fed(config, start, {}, end)
    assert lines(c.events) == lines(fed(unshared(config), start, {}, end).events)
    for e in (a, b, c, alone_a, alone_b):
        e.close()


OBSERVED = """description: Ny figur
rules:
  - id: ny-figur
    title: Ny figur for et mål ude af kurs
    description: Hver ny figur for et mål ude af kurs giver en varsling.
    when:
      observation: any
    for_each: goal
    if:
      - status == off_track
    then:
      - notify:
          to: owner
          message: "{title}: {value}"
"""


def test_a_shared_start_processes_the_items_of_one_that_shares_nothing_one_by_one(tmp_path: Path) -> None:
    # the configuration's rows last known first: each fed row keeps the sequence number its place
    # in the configuration gave it (seen in the ids of the messages a rule on observations gets),
    # not its place in the feed
    shutil.copytree(VEJLE, tmp_path / "examples" / "vejle")
    shutil.copytree(VEJLE.parents[1] / "rules", tmp_path / "rules")
    (tmp_path / "rules" / "observed.yaml").write_text(OBSERVED, encoding="utf-8")
    config = history(load_config(tmp_path / "examples" / "vejle"), 2)
    config = dataclasses.replace(config, observations=Observations(reversed(list(config.observations.rows()))))
    shared, alone = Engine(config, trace=True), Engine(unshared(config), trace=True)
    until = shared.calendar.local_datetime(dt.date(2022, 3, 31), 23, 59)
    assert shared.pending() == alone.pending()
    for got, want in zip(shared.steps(until), alone.steps(until), strict=True):
        assert lines(got) == lines(want)
        assert shared.pending() == alone.pending() and shared.now == alone.now
    assert shared.next_time() == alone.next_time() and shared.items_processed == alone.items_processed
    assert shared.trace is not None and alone.trace is not None and len(shared.trace) > 100
    assert [(p.message, p.sent) for p in shared.trace] == [(p.message, p.sent) for p in alone.trace]
    assert any(p.message["trigger"] == "observation" and p.fired for p in shared.trace)
    shared.close()
    alone.close()


@pytest.mark.parametrize("how", ["append", "extend"])
def test_a_row_added_to_the_configuration_is_seen_by_the_next_engine(how: str) -> None:
    config = dataclasses.replace(vejle(), observations=Observations(vejle().observations))
    assert isinstance(config.observations, Observations)
    before = Engine(config)
    kpi = next(iter(config.kpis))
    new = [Observation(kpi=kpi, period="2019-07", value=123.0, municipality="555", known_at=dt.date(2020, 2, 1)),
           Observation(kpi=kpi, period="2021-07", value=321.0, municipality="555", known_at=dt.date(2021, 8, 1))]
    if how == "append":
        for o in new:
            config.observations.append(o)
    else:
        config.observations.extend(new)
    after = Engine(config)
    assert len(after.store) == len(before.store) + 1
    assert after.store.as_of(dt.date(2020, 3, 1)).value(kpi, "2019-07", municipality="555") == 123.0
    assert before.store.as_of(dt.date(2020, 3, 1)).value(kpi, "2019-07", municipality="555") is None
    assert after.pending() == before.pending() + 1
    end = dt.date(2021, 12, 31)
    before.advance_to(end)
    after.advance_to(end)
    assert lines(after.events) == lines(fed(unshared(config), dt.date(2021, 1, 1), {}, end).events)
    assert lines(after.events) != lines(before.events)
    before.close()
    after.close()


def test_a_configuration_keeps_the_shares_of_a_few_start_days() -> None:
    config = dataclasses.replace(vejle(), observations=Observations(vejle().observations))
    assert isinstance(config.observations, Observations)
    days = [dt.date(2021, m, 1) for m in range(1, 8)]
    for day in days:
        Engine(config, start=day).close()
    kept = [k for k in config.observations.derived() if isinstance(k, tuple) and k[0] == "start"]
    assert kept == [("start", d) for d in days[-4:]]
    end = dt.date(2021, 9, 30)
    for day in (days[0], days[-1]):  # one worked out again, one kept
        assert lines(fed(config, day, {}, end).events) == lines(fed(unshared(config), day, {}, end).events)


def test_an_observation_of_an_unknown_kpi_is_refused_as_before() -> None:
    config = vejle()
    bad = Observations([*list(config.observations)[:10], Observation(kpi="no-such-kpi", period="2020", value=1.0)])
    with pytest.raises(EngineError, match="no-such-kpi"):
        Engine(dataclasses.replace(config, observations=bad))
    assert not bad.derived().get(("start", dt.date(2021, 1, 1)))
