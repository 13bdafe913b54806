"""The stored observation a new one supersedes is found through an index, as a scan would find it:
the latest known earlier row of the same series and period (ties: the later row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.model import Observation
from govcore.store.config_observations import Superseded as _Superseded

obs = st.builds(lambda kpi, period, series, muni, known: Observation(
    kpi=kpi, period=period, value=1.0, series=series, municipality=muni, known_at=known),
    st.sampled_from(["a", "b"]), st.sampled_from(["2021", "2021-03", "2021-04"]),
    st.sampled_from(["local", "national"]), st.sampled_from([None, "101"]),
    st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2021, 12, 31)))


def scan(rows: list[dict[str, Any]], o: Observation) -> int | None:
    known = o.known.isoformat()
    same = [r for r in rows if (r["kpi"], r["series"], r["of_municipality"], r["period"]) ==
            (o.kpi, o.series, o.municipality, o.period) and r["known_at"] <= known]
    return int(max(same, key=lambda r: (r["known_at"], r["n"]))["n"]) if same else None


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(obs, max_size=30))
def test_the_index_finds_what_a_scan_finds(observations: list[Observation]) -> None:
    rows: list[dict[str, Any]] = []
    index = _Superseded()
    for n, o in enumerate(observations, start=1):
        assert index.of(o) == scan(rows, o)
        rows.append({"kpi": o.kpi, "series": o.series, "of_municipality": o.municipality, "period": o.period,
                     "known_at": o.known.isoformat(), "n": n})
        index.add(rows[-1])
    rebuilt = _Superseded(rows)
    for o in observations:
        assert rebuilt.of(o) == scan(rows, o)
