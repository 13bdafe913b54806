"""Which validated `Observation` models the rows keep alive (perf-obs8).

A configuration's `Observations` hold rows only: a model added is read back as an equal model
made for the reader, and is not kept alive by the configuration (a kept model is about 1 kB and
two objects the cycle collector walks on every full collection). An observation handed to the
store or to an engine is still given back as the very object that came in
(tests/test_observation_rows.py)."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

from govcore.config import load_config
from govcore.engine import Engine
from govcore.model import Observation, ObservationRow, Observations

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"


def _models_alive() -> int:
    gc.collect()
    return sum(type(o) is Observation for o in gc.get_objects())


def _made(n: int) -> list[Observation]:
    return [Observation(kpi="k", period=f"{2000 + i // 12}-{i % 12 + 1:02d}", value=i + 0.25, series="national",
                        municipality="0630" if i % 2 else None, source="s",
                        known_at=dt.date(2030, 1, 1) if i % 3 else None)
            for i in range(n)]


def test_a_configurations_observations_keep_no_model_alive() -> None:
    before = _models_alive()
    models = _made(300)
    copies = [m.model_copy() for m in models]
    held = Observations(models)
    held.append(Observation(kpi="k", period="2031", value=1.0))
    del models
    assert _models_alive() == before + 300  # the copies only
    assert list(held)[:300] == copies and held[300] == Observation(kpi="k", period="2031", value=1.0)


def test_reading_gives_equal_models_with_the_same_fields() -> None:
    models = _made(40)
    held = Observations(models)
    for given, read in zip(models, held, strict=True):
        assert read == given and read is not given
        assert read.model_dump(mode="json") == given.model_dump(mode="json")
        assert type(read.value) is type(given.value) and read.known == given.known


def test_a_loaded_configuration_keeps_no_model_of_its_sources() -> None:
    before = _models_alive()
    cfg = load_config(VEJLE)
    assert _models_alive() == before  # the jobindsats source's 2 400 figures in each of five versions
    assert len(cfg.versions) == 5 and all(len(v.observations) == 3020 for v in cfg.versions)


def test_an_engine_still_gives_back_the_observation_it_was_fed() -> None:
    cfg = load_config(VEJLE)
    kpi = sorted(cfg.kpis)[0]
    fed = Observation(kpi=kpi, period="2021-01", value=7.5, series="benchmark", known_at=dt.date(2021, 2, 3))
    with Engine(cfg, start=dt.date(2021, 1, 1)) as e:
        e.observe(fed)
        e.advance_to(dt.date(2021, 3, 1))
        assert e.store.as_of(dt.date(2021, 3, 1)).latest(kpi, series="benchmark") is fed


def test_a_rows_model_is_what_model_construct_makes() -> None:
    rows = [ObservationRow("k", "2021-01", 1.5), ObservationRow("k-2", "2021-Q3", -0.0, "national", "0630", "s æ",
                                                                dt.date(2021, 11, 2)),
            ObservationRow("k", "2021", 7, "rank", "", "", None)]  # type: ignore[arg-type]
    for r in rows:
        built = r.build()
        made = Observation.model_construct(kpi=r.kpi, period=r.period, value=r.value, series=r.series,
                                           municipality=r.municipality, source=r.source, known_at=r.known_at)
        assert type(built) is Observation and built == made and repr(built) == repr(made)
        assert list(built.__dict__.items()) == list(made.__dict__.items())
        assert built.model_fields_set == made.model_fields_set
        assert (built.__pydantic_extra__, built.__pydantic_private__) == (made.__pydantic_extra__, None)
        assert built.model_dump_json() == made.model_dump_json() and built.known == made.known
        assert r.build() is not built and r.model() is r.model()
