"""A plugin's subjects reused while its `unchanged_key` stays equal (SubjectKind.unchanged_key).

The budget and surveys kinds say through the key when their subjects would be the same as last
time; the engine then does not ask for them again. Checked on the Vejle example over ten years
(2015–2019 without figures, 2020–2023 with monthly budget figures and yearly surveys, 2024 with
figures going stale): equal keys give equal subjects, the events are those of a run that asks
every time, and a version of the configuration starts afresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pytest

from govcore import Configuration, Engine, GovcoreError, Subject, SubjectContext, SubjectKind, load_config

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("budget_area", "survey_area")


def _with_kind(cfg: Configuration, name: str, change: Callable[[SubjectKind], SubjectKind]) -> None:
    for version in cfg.versions:  # the first version is `cfg` itself
        version.subject_kinds = {**version.subject_kinds, name: change(version.subject_kinds[name])}


def _run(cfg: Configuration) -> list[str]:
    with Engine(cfg, start=dt.date(2015, 1, 1)) as engine:
        engine.advance_to(dt.date(2024, 12, 31))
        return [e.json_line for e in engine.events]


@pytest.fixture(scope="module")
def asked_every_time() -> list[str]:
    cfg = load_config(ROOT / "examples" / "vejle")
    for name in KINDS:
        _with_kind(cfg, name, lambda kind: dataclasses.replace(kind, unchanged_key=None))
    return _run(cfg)


@pytest.mark.parametrize("name", KINDS)
def test_equal_keys_give_equal_subjects_and_the_same_events(name: str, asked_every_time: list[str]) -> None:
    cfg = load_config(ROOT / "examples" / "vejle")
    seen: dict[Hashable, list[tuple[dt.date, list[Subject]]]] = defaultdict(list)
    calls: list[dt.date] = []

    def watched(kind: SubjectKind) -> SubjectKind:
        key_of = kind.unchanged_key
        assert key_of is not None

        def key(ctx: SubjectContext) -> Hashable:
            found = key_of(ctx)
            seen[found].append((ctx.day, kind.subjects(ctx)))  # what a fresh call would give
            return found

        def subjects(ctx: SubjectContext) -> list[Subject]:
            calls.append(ctx.day)
            return kind.subjects(ctx)
        return dataclasses.replace(kind, unchanged_key=key, subjects=subjects)

    _with_kind(cfg, name, watched)
    assert _run(cfg) == asked_every_time
    asked = sum(len(v) for v in seen.values())
    for found, made in seen.items():
        first_day, first = made[0]
        for day, subjects in made[1:]:
            assert subjects == first, (name, found, first_day, day)
    # the key changes with the figures (and the surveys' with the day once a result is known) ...
    assert len(seen) >= {"budget_area": 15, "survey_area": 8}[name]
    # ... and the subjects are asked for only when it does (or a new version starts)
    assert asked >= 20 and len(calls) < asked - 8


def test_a_version_of_the_configuration_starts_afresh() -> None:
    cfg = load_config(ROOT / "examples" / "vejle")
    calls: list[dt.date] = []

    def constant(kind: SubjectKind) -> SubjectKind:
        def subjects(ctx: SubjectContext) -> list[Subject]:
            calls.append(ctx.day)
            return kind.subjects(ctx)
        return dataclasses.replace(kind, unchanged_key=lambda ctx: "the same", subjects=subjects)

    _with_kind(cfg, "budget_area", constant)
    _run(cfg)
    effective = [v.effective for v in cfg.versions[1:]]
    assert effective == [dt.date(2021, 1, 1), dt.date(2021, 6, 15), dt.date(2022, 1, 1), dt.date(2023, 1, 1)]
    # once in each of the five versions (each has a budget follow-up before the next one starts)
    assert len(calls) == 5 and calls[0] < effective[0] and all(
        a <= c < b for c, a, b in zip(calls[1:], effective, [*effective[1:], dt.date(2025, 1, 1)], strict=True))


@pytest.mark.usefixtures("english")
def test_a_key_that_fails_is_reported_with_its_kind_and_day() -> None:
    cfg = load_config(ROOT / "examples" / "vejle")

    def broken(ctx: SubjectContext) -> Any:
        raise ValueError("no key today")

    _with_kind(cfg, "budget_area", lambda kind: dataclasses.replace(kind, unchanged_key=broken))
    with Engine(cfg, year=2021) as engine, pytest.raises(GovcoreError) as err:
        engine.run_year()
    assert str(err.value) == "the subject kind 'budget_area' failed on 2021-03-31: ValueError: no key today"
