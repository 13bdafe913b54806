"""A run's fingerprint hashes its observations from JSON text written directly
(`run._observations_json`), not from pydantic's dump through the canonical encoder: the text must
be the encoder's, byte for byte, for any observation, and the fingerprints of the examples must be
what the dump gives (a stored run compares them on every open)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcore.config import load_config
from govcore.model import Observation
from govcore.store import chain, run

ROOT = Path(__file__).resolve().parent.parent
TEXT = st.one_of(st.sampled_from(['"', "\\", "æøå", "\n", "\u2028", '","value":1', ""]), st.text(max_size=10))


def dumped(observations: list[Any]) -> str:
    return chain.canonical_json([o.model_dump(mode="json") for o in observations])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-9, 9)),
                          st.one_of(st.none(), TEXT), st.one_of(st.none(), st.dates()), st.booleans()), max_size=6))
def test_the_written_text_is_the_encoders(rows: list[tuple[str, str, float, str | None, dt.date | None, bool]]) -> None:
    # model_construct: any text (the validators would refuse most), an int as a value (pydantic
    # dumps it as a float), and a validated model beside it
    obs = [Observation.model_construct(kpi=f"k{i}", period=period, value=value, series=series, municipality=muni,
                                       source=source, known_at=known)
           for i, (period, series, value, muni, known, source_empty) in enumerate(rows)
           for source in (["" if source_empty else series])]
    obs.append(Observation(kpi="ledige", period="2021-03", value=1.5, municipality="630"))
    assert run._observations_json(obs) == dumped(obs)


@pytest.mark.parametrize("example", ["vejle", "hilleroed"])
def test_the_examples_fingerprint_as_before(example: str) -> None:
    cfg = load_config(ROOT / "examples" / example)
    assert cfg.observations
    parts = run.fingerprint_parts(cfg, dt.date(cfg.year, 1, 1))
    assert parts["observations"] == hashlib.sha256(dumped(list(cfg.observations)).encode()).hexdigest()
    assert list(parts)[:8] == ["files", "rules", "municipality", "start", "goals", "kpis", "organisation",
                               "deliverables"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ledige", "ydelse", '"x"']), st.sampled_from([None, "630", "461", ""]),
                          st.sampled_from(["local", "national", "æ"]), st.sampled_from(["", "csv", "api:x"]),
                          st.sampled_from([None, dt.date(2021, 3, 1), dt.date(2021, 4, 1)]),
                          st.floats(allow_nan=False, allow_infinity=False)), max_size=12))
def test_texts_made_once_per_kpi_series_and_date_are_the_encoders(
        rows: list[tuple[str, str | None, str, str, dt.date | None, float]]) -> None:
    """The texts around the period are made once per KPI and municipality, and once per series
    and source; a known date's once per date: observations that share some of these and differ
    in the others must each get their own."""
    obs = [Observation.model_construct(kpi=kpi, period=f"2021-{i % 12 + 1:02d}", value=value, series=series,
                                       municipality=muni, source=source, known_at=known)
           for i, (kpi, muni, series, source, known, value) in enumerate(rows)]
    assert run._observations_json(obs) == dumped(obs)
