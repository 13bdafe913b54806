"""Observations held as compact rows: the same values as the models, models at the public edge,
one copy of a file's rows for every dated version, and the same located errors as before."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from govcore.config import Configuration, observation_rows
from govcore.errors import ConfigError
from govcore.model import Observation, ObservationRow, Observations
from govcore.observations import ObservationStore
from govcore.simulate import simulate

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"


def _csv(tmp_path: Path, *lines: str) -> Path:
    p = tmp_path / "obs.csv"
    p.write_text("kpi,period,value,series,municipality,source,known_at\n" + "".join(f"{x}\n" for x in lines),
                 encoding="utf-8")
    return p


def test_rows_read_from_csv_equal_the_models_the_reader_made_before(tmp_path: Path) -> None:
    p = _csv(tmp_path, "jobandel,2021-01,41.5,,,,", "jobandel,2021-02,39,national,630,STAR,2021-03-10",
             "ledige,2021,7.25,local,,,2022-01-31", "jobandel,2021-03,38,,,,")
    got = [(r.model(), line) for r, line in observation_rows(p)]
    assert got == [
        (Observation(kpi="jobandel", period="2021-01", value=41.5, source="obs.csv"), 2),
        (Observation(kpi="jobandel", period="2021-02", value=39, series="national", municipality="630",
                     source="STAR", known_at=dt.date(2021, 3, 10)), 3),
        (Observation(kpi="ledige", period="2021", value=7.25, source="obs.csv", known_at=dt.date(2022, 1, 31)), 4),
        (Observation(kpi="jobandel", period="2021-03", value=38, source="obs.csv"), 5),
    ]
    rows = [r for r, _ in observation_rows(p)]
    assert rows[0].kpi is rows[3].kpi and rows[0].source is rows[3].source  # repeated texts held once
    assert rows[0].known == dt.date(2021, 2, 1) and rows[0].span.grain == "month"


def test_a_bad_row_is_located_as_before(tmp_path: Path) -> None:
    p = _csv(tmp_path, "jobandel,2021-01,41,,,,", "Job Andel,2021-02,39,,,,", "jobandel,2021-13,40,,,,")
    with pytest.raises(ConfigError) as err:
        list(observation_rows(p))
    (kpi, period) = err.value.problems
    assert (kpi.line, kpi.column, kpi.field) == (3, 1, "kpi") and "'Job Andel' er ikke et gyldigt id" in kpi.message
    assert (period.line, period.column, period.field) == (4, 2, "period")
    assert "'2021-13' er ikke en periode" in period.message


def test_an_ambiguous_value_waits_for_the_files_decimal_mark(tmp_path: Path) -> None:
    p = _csv(tmp_path, "a,2021-01,7,,,,", "a,2021-02,1.450,,,,", "a,2021-03,8,,,,", "a,2021-04,12.5,,,,")
    assert [(r.value, line) for r, line in observation_rows(p)] == [(7.0, 2), (1.45, 3), (8.0, 4), (12.5, 5)]


def test_a_loaded_configuration_holds_rows_and_gives_models(vejle_config: Configuration) -> None:
    cfg = vejle_config
    assert isinstance(cfg.observations, Observations)
    first = cfg.observations[0]
    assert isinstance(first, Observation) and Observation.model_validate(first.model_dump()) == first
    assert all(isinstance(o, Observation) for o in cfg.observations)
    assert len(list(cfg.observations)) == len(cfg.observations) == sum(1 for _ in cfg.observations.rows())
    assert cfg.observations[-1] == list(cfg.observations)[-1]
    # every dated version holds the same rows of the file it names, not a copy read again
    file_rows = [r for r in cfg.observations.rows() if r.source != "budget:budget.csv"][:50]
    assert len(cfg.versions) > 1
    for v in cfg.versions[1:]:
        assert isinstance(v.observations, Observations)
        assert [r for r in v.observations.rows() if r.source != "budget:budget.csv"][:50] == file_rows
        assert all(a is b for a, b in zip(v.observations.rows(), cfg.observations.rows(), strict=False)
                   if a.source == "FASIT Jobcenter")


def test_a_shared_run_is_never_added_to() -> None:
    a = Observations([Observation(kpi="k", period="2021", value=1.0)])
    b = Observations(a)
    b.append(Observation(kpi="k", period="2022", value=2.0))
    a.append(Observation(kpi="k", period="2023", value=3.0))
    assert [o.period for o in a] == ["2021", "2023"] and [o.period for o in b] == ["2021", "2022"]
    assert b[1].value == 2.0 and b[-2].value == 1.0 and list(b[1:]) == [b[1]]
    with pytest.raises(IndexError):
        b[2]


def test_the_store_gives_back_the_observation_it_was_given_and_models_for_rows() -> None:
    given = Observation(kpi="k", period="2021-01", value=1.0)
    row = ObservationRow("k", "2021-02", 2.0)
    store = ObservationStore([given, row])
    history = store.as_of(dt.date(2030, 1, 1)).history("k")
    assert history[0] is given
    assert isinstance(history[1], Observation) and history[1] == Observation(kpi="k", period="2021-02", value=2.0)
    assert store.as_of(dt.date(2030, 1, 1)).history("k")[1] is history[1]  # made once
    assert store.all() == [given, history[1]] and len(store) == 2


def test_the_summary_digests_are_the_event_lines_hashes(vejle_config: Configuration) -> None:
    cfg = vejle_config
    result = simulate(cfg, start=dt.date(2020, 1, 1), until=dt.date(2021, 12, 31))
    assert result.summary["events_sha256"] == hashlib.sha256(result.events_jsonl().encode()).hexdigest()
    assert [y.summary["events_sha256"] for y in result.years] == [
        hashlib.sha256(y.events_jsonl().encode()).hexdigest() for y in result.years]
    assert sum(len(y.events) for y in result.years) == len(result.events)
