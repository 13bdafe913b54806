"""A configuration's observations are hashed for a run's fingerprint once while its rows stay
(`run._observations_hash`, kept in `Observations.derived`): a server opens a run at every request
and tick, and this hash was two thirds of the fingerprint. A row added must give a new hash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import write_config

from govcore.config import load_config
from govcore.model import Observation
from govcore.store import chain, run


def dumped_hash(observations: Iterable[Any]) -> str:
    rows = [o.model_dump(mode="json") for o in observations]
    return hashlib.sha256(chain.canonical_json(rows).encode()).hexdigest()


def test_the_observations_are_hashed_once_while_their_rows_stay(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(write_config(tmp_path / "c"))
    start = dt.date(cfg.year, 1, 1)
    written: list[int] = []
    real = run._observations_json
    monkeypatch.setattr(run, "_observations_json", lambda obs: written.append(1) or real(obs))
    first = run.fingerprint_parts(cfg, start)
    live = dataclasses.replace(cfg, responses=[])  # as every opening of a live run makes it
    assert run.fingerprint_parts(live, start)["observations"] == first["observations"] == dumped_hash(cfg.observations)
    assert run.fingerprint_parts(cfg, start) == first
    assert len(written) == 1  # seen to fail with 3 when nothing is kept

    late = Observation(kpi=next(iter(cfg.kpis)), period=f"{cfg.year}-11", value=42.0, known_at=start)
    cfg.observations.append(late)
    again = run.fingerprint_parts(cfg, start)
    assert again["observations"] != first["observations"]  # seen to fail when the kept hash outlives the rows
    assert again["observations"] == dumped_hash(cfg.observations)
    assert run.config_fingerprint(cfg, start, again) != run.config_fingerprint(cfg, start, first)


def test_observations_in_a_list_are_hashed_each_time(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path / "c"))
    observations = list(cfg.observations)
    plain = dataclasses.replace(cfg, observations=observations)
    start = dt.date(cfg.year, 1, 1)
    assert run.fingerprint_parts(plain, start) == run.fingerprint_parts(cfg, start)
    observations.append(Observation(kpi=next(iter(cfg.kpis)), period=f"{cfg.year}-11", value=42.0))
    assert run.fingerprint_parts(plain, start)["observations"] == dumped_hash(plain.observations)
