"""A report takes in the run's observations once: the goals' rows and charts and the plugins'
sections read one view of what was known at the year's end (`known_at_year_end` rebuilds a store
from every observation of the run, about half of writing a report)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

import govcore.report as report
from govcore.config import load_config
from govcore.simulate import SimulationResult, simulate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return simulate(load_config(ROOT / "examples" / "hilleroed"), year=2014)  # has plugin sections


def test_a_report_makes_the_year_end_view_once(result: SimulationResult, monkeypatch: pytest.MonkeyPatch) -> None:
    made = []
    original = report.known_at_year_end

    def counting(r: SimulationResult) -> object:
        made.append(r.year)
        return original(r)

    monkeypatch.setattr(report, "known_at_year_end", counting)
    built = report.build_report(result)
    assert made == [result.year]
    assert built.goal_groups and built.sections  # both parts were made from it


def test_the_plugins_sections_on_the_shared_view_are_those_on_their_own_view(result: SimulationResult) -> None:
    built = report.build_report(result)  # the goals read the view first, then the plugins
    # as `build_report` takes the configuration: the version in effect at the end
    alone = report.plugin_sections(dataclasses.replace(result, config=result.config.version_at(dt.date(2021, 12, 31))))
    assert built.sections == alone
    assert any(s.rows or s.notes for s in alone)
