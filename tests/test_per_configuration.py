"""What is worked out once per configuration (version) and shared by its engines: the place for it
(`govcore.per_configuration`, `SubjectContext.once`), the rules' plan and the goals' index an engine
start reads, and the budget and surveys plugins' settings parsed once, never another
configuration's (a memo of "the last settings seen" can hand one thread another municipality's)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import govcore_budget.subjects as budget_subjects
import pytest
from govcore_budget.settings import BudgetSettings

from govcore import InputError, SubjectContext
from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.extension import _PLACES, PerConfiguration, per_configuration
from govcore.rules.compiler import compile_ruleset

VEJLE = Path(__file__).resolve().parents[1] / "examples" / "vejle"


@pytest.fixture(scope="module")
def vejle() -> Configuration:
    return load_config(VEJLE)


class _Owner:
    """A stand-in for a configuration: equal to every other one, as two loads of a folder are."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Owner)

    __hash__ = None  # type: ignore[assignment]


def test_a_place_belongs_to_its_object_alone_and_leaves_with_it() -> None:
    a, b = _Owner(), _Owner()
    assert a == b
    place = per_configuration(a)
    assert isinstance(place, PerConfiguration)
    assert per_configuration(a) is place
    assert per_configuration(b) is not place  # equal is not the same configuration
    assert place.get("k", lambda: 1) == 1
    assert place.get("k", lambda: 2) == 1  # made once
    assert per_configuration(b).get("k", lambda: 2) == 2
    gone, kept = id(a), id(b)
    assert gone in _PLACES and kept in _PLACES
    del a, place
    gc.collect()
    # this entry alone: other tests' configurations may leave in the same collection
    assert gone not in _PLACES and kept in _PLACES


def test_an_error_is_raised_every_time_and_nothing_kept() -> None:
    owner = _Owner()
    place = per_configuration(owner)
    calls: list[int] = []

    def bad() -> int:
        calls.append(1)
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            place.get("k", bad)
    assert len(calls) == 2
    assert place.get("k", lambda: 3) == 3


def _context(cfg: Configuration, settings: Mapping[str, Any], cache: PerConfiguration | None) -> SubjectContext:
    return SubjectContext(municipality=cfg.municipality, day=dt.date(2021, 6, 1),
                          observations=Engine(cfg).store.as_of(dt.date(2021, 6, 1)), organisation=cfg.organisation,
                          kpis=cfg.kpis, settings=settings, base_dir=cfg.base_dir, cache=cache)


def test_once_is_per_settings_object_and_without_a_cache_every_time(vejle: Configuration) -> None:
    calls: list[Mapping[str, Any]] = []

    def parse(settings: Mapping[str, Any]) -> float:
        calls.append(settings)
        return float(settings["tolerance_pct"])

    cache = per_configuration(vejle)
    one, other = {"tolerance_pct": 1.0}, {"tolerance_pct": 2.0}
    assert [_context(vejle, one, cache).once(parse) for _ in range(3)] == [1.0] * 3
    assert _context(vejle, other, cache).once(parse) == 2.0  # other settings, even in the same place
    assert len(calls) == 2
    assert _context(vejle, one, None).once(parse) == 1.0
    assert len(calls) == 3


def test_bad_settings_fail_at_every_follow_up_the_same_way(vejle: Configuration) -> None:
    ctx = _context(vejle, {"file": "x.csv"}, per_configuration(vejle))  # no areas
    errors = []
    for _ in range(2):
        with pytest.raises(InputError) as err:
            budget_subjects.budget_subjects(ctx)
        errors.append(str(err.value))
    assert errors[0] == errors[1] and "areas" in errors[0]


def test_the_budget_settings_are_parsed_once_per_configuration(vejle: Configuration,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    real = budget_subjects.parse_settings

    def counting(settings: Mapping[str, Any]) -> BudgetSettings:
        parsed.append(id(settings))
        return real(settings)

    monkeypatch.setattr(budget_subjects, "parse_settings", counting)
    cfg = dataclasses.replace(vejle)  # a configuration object no other test has used
    counts = []
    for _ in range(2):  # two engines of one configuration, a year each: the areas asked at every follow-up
        with Engine(cfg, start=dt.date(2021, 1, 1)) as engine:
            engine.advance_to(dt.date(2021, 12, 31))
        counts.append(len(parsed))
    # once for each version of the configuration the year runs through, by the first engine only
    versions = {id(cfg.version_at(dt.date(2021, 1, 1)))} | {
        id(v) for v in cfg.versions if v.effective is not None and v.effective.year == 2021}
    assert counts == [len(versions), len(versions)]


def test_two_municipalities_in_threads_never_see_each_others_settings(vejle: Configuration) -> None:
    """Two configurations whose budget settings differ (the tolerance), each asked for its areas
    in its own thread many times at once: each sees its own tolerance every time."""
    def with_tolerance(pct: float) -> Configuration:
        sources = {**vejle.sources, "budget": {**vejle.sources["budget"], "tolerance_pct": pct}}
        return dataclasses.replace(vejle, sources=sources)

    configs = {pct: with_tolerance(pct) for pct in (1.0, 7.0)}
    contexts = {pct: _context(cfg, cfg.sources["budget"], per_configuration(cfg)) for pct, cfg in configs.items()}
    seen: dict[float, set[float]] = {pct: set() for pct in configs}
    start = threading.Barrier(len(configs))

    def ask(pct: float) -> None:
        start.wait()
        for _ in range(300):
            for subject in budget_subjects.budget_subjects(contexts[pct]):
                if subject.id == "sygedagpenge":  # no tolerance of its own in the example
                    seen[pct].add(subject.fields["tolerance_pct"])

    threads = [threading.Thread(target=ask, args=(pct,)) for pct in configs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {1.0: {1.0}, 7.0: {7.0}}


def test_engines_of_one_configuration_share_its_rules_plan(vejle: Configuration,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[int] = []
    real = compile_ruleset

    def counting(rules: Any) -> Any:
        compiled.append(id(rules))
        return real(rules)

    monkeypatch.setattr("govcore.engine.compile_ruleset", counting)
    base = vejle.version_at(dt.date(2021, 1, 1))
    # one version each (its rules for the whole run), with equal rules in two objects no other
    # engine has used: each is planned on its own
    cfg = dataclasses.replace(base, versions=[], rules=dataclasses.replace(base.rules))
    other = dataclasses.replace(base, versions=[], rules=dataclasses.replace(base.rules))
    engines = [Engine(cfg), Engine(cfg), Engine(other)]
    try:
        for e in engines:
            e.advance_to(dt.date(2021, 3, 31))
        assert engines[0]._listeners is engines[1]._listeners
        assert engines[0]._listeners is not engines[2]._listeners
        assert engines[0]._goals_by_kpi is engines[1]._goals_by_kpi
        assert engines[0]._listeners == engines[2]._listeners  # the same answers, worked out apart
        assert len(compiled) == 2
    finally:
        for e in engines:
            e.close()
