"""`simulate` counts each event once: a span's summary adds up its years' tallies (counts per type,
years with an observation) instead of counting the whole stream again. The sums must be the counts
of the events themselves, for the span and for each year, whatever day the span starts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from govcore.config import Configuration
from govcore.simulate import SimulationResult, Tally, simulate

ROOT = Path(__file__).resolve().parent.parent


def counted(result: SimulationResult) -> tuple[dict[str, int], list[int]]:
    counts = dict(sorted(Counter(e.type for e in result.events).items()))
    observed = {e.at.year for e in result.events if e.type == "observation"}
    return counts, [y for y in result.summary["years"] if y not in observed]


@pytest.mark.parametrize(("first", "last"), [
    (dt.date(2017, 6, 15), dt.date(2020, 3, 31)),  # starts mid-year, years with and without observations
    (dt.date(2021, 1, 1), dt.date(2021, 12, 31)),  # one year: no year parts
    (dt.date(2018, 12, 31), dt.date(2019, 1, 1)),  # two days over a new year
])
def test_a_span_counts_what_its_events_hold(first: dt.date, last: dt.date, vejle_config: Configuration) -> None:
    result = simulate(vejle_config, start=first, until=last)
    assert len(result.years) == (last.year - first.year + 1 if last.year > first.year else 0)
    for part in (result, *result.years):
        counts, quiet = counted(part)
        assert part.summary["counts"] == counts and part.summary["events"] == len(part.events)
        assert part.summary["years_without_observations"] == quiet
    assert sum(len(y.events) for y in result.years) in (0, len(result.events))
    if first.year == 2017:
        assert result.summary["years_without_observations"] == [2017, 2018]


def test_tallies_add_up() -> None:
    a, b = Tally(Counter({"x": 2, "y": 1}), {2020}), Tally(Counter({"y": 3, "z": 1}), {2021})
    a.add(b)
    assert a.counts == Counter({"x": 2, "y": 4, "z": 1}) and a.observed == {2020, 2021}
    assert b.counts == Counter({"y": 3, "z": 1}) and b.observed == {2021}
