"""The Jobindsats and Statbank sources declare what of a configuration version they read
(`KpiSource.depends_on`): Statbank's KPIs come from its settings alone, Jobindsats' also from the
year's ministermål. So a load calls each once for the versions of a year — and the versions get
exactly the KPIs they got when each source was called per version."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from fake_jobindsats import copy_example
from govcore_jobindsats.source import SOURCE_SPEC as JOBINDSATS
from govcore_statbank.source import SOURCE_SPEC as STATBANK

import govcore
from govcore import KpiSource, hookimpl
from govcore.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    """examples/jobindsats with three versions in 2024 (the ministermål data ends with 2024)."""
    dest = copy_example(tmp_path / "cfg", ministermaal=True)
    with (dest / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("versions:\n  - from: 2024-03-01\n    description: Marts\n"
                "  - from: 2024-06-01\n    description: Juni\n")
    return dest


class Sources:
    """The two real sources, each `kpis` call recorded with the ministermål the context holds."""

    def __init__(self, declared: bool) -> None:
        self.calls: dict[str, list[tuple[str, ...]]] = {"jobindsats": [], "statbank": []}
        self.declared = declared

    def _counted(self, spec: KpiSource) -> KpiSource:
        def kpis(ctx: Any) -> Any:
            reads = not self.declared or "national_goals" in (spec.depends_on or ())
            self.calls[spec.name].append(tuple(g.id for g in ctx.national_goals) if reads else ())
            return spec.kpis(ctx)
        return dataclasses.replace(spec, kpis=kpis, depends_on=spec.depends_on if self.declared else None)

    @hookimpl
    def govcore_kpi_sources(self) -> list[KpiSource]:
        return [self._counted(JOBINDSATS), self._counted(STATBANK)]


def _load(folder: Path, sources: Sources) -> govcore.Configuration:
    plugins = load_plugins()
    for name in ("jobindsats", "statbank"):
        plugins.pm.unregister(name=name)
    plugins.register(sources, name="sources")
    return govcore.load_config(folder, plugins=plugins)


def _kpis(config: govcore.Configuration) -> list[dict[str, Any]]:
    return [{k: v.model_dump() for k, v in sorted(version.kpis.items())} for version in config.versions]


def test_each_source_is_called_once_a_load_for_the_versions_of_a_year(versions: Path) -> None:
    sources = Sources(declared=True)
    config = _load(versions, sources)
    assert len(config.versions) == 3
    assert [len(c) for c in sources.calls.values()] == [1, 1]
    assert sources.calls["statbank"] == [()]  # its context holds no ministermål
    assert sources.calls["jobindsats"][0] and all(g.startswith("mm2024-") for g in sources.calls["jobindsats"][0])


def test_the_versions_get_the_kpis_they_got_per_version(versions: Path) -> None:
    per_version, once = Sources(declared=False), Sources(declared=True)
    before, after = _load(versions, per_version), _load(versions, once)
    assert [len(c) for c in per_version.calls.values()] == [3, 3]
    assert _kpis(after) == _kpis(before)
    assert [v.fingerprint() for v in after.versions] == [v.fingerprint() for v in before.versions]
    assert any(k.startswith("jobindsats:mm") for k in after.versions[-1].kpis)
