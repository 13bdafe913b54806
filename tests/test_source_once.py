"""A KPI source that declares what of a configuration version it depends on (`KpiSource.depends_on`)
is called once per load for every version that agrees on it; one that declares nothing is called
for every version, as before; one that reads more than it declares fails the load, loudly."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import govcore
from govcore import KPI, ConfigError, InputError, KpiSource, Observation, Problem, SourceContext, hookimpl
from govcore.config import load_config
from govcore.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[1]


class Counting:
    """A plugin with one source `tal`, whose calls are recorded: the year of each (None: hidden)."""

    def __init__(self, depends_on: frozenset[str] | None, load: Callable[[SourceContext], list[Observation]]
                 | None = None) -> None:
        self.kpi_calls: list[object] = []
        self.load_calls: list[object] = []
        self.depends_on = depends_on
        self.load = load

    def _kpis(self, ctx: SourceContext) -> list[KPI]:
        self.kpi_calls.append(ctx.year if self.depends_on is None or "year" in self.depends_on else None)
        return [KPI(id="tal", name="Tal", source="tal")]

    def _load(self, ctx: SourceContext) -> list[Observation]:
        self.load_calls.append(ctx.year if self.depends_on is None or "year" in self.depends_on else None)
        if self.load is not None:
            return self.load(ctx)
        value = float(ctx.year) if self.depends_on is None or "year" in self.depends_on else 1.0
        return [Observation(kpi="tal", period="2020", value=value, source="tal")]

    @hookimpl
    def govcore_kpi_sources(self) -> list[KpiSource]:
        return [KpiSource(name="tal", description="counted", kpis=self._kpis, load=self._load,
                          depends_on=self.depends_on)]  # type: ignore[arg-type]


@pytest.fixture
def three_versions(make_config: Callable[..., Path]) -> Path:
    """A configuration with versions from 2021-03-10 and 2022-01-01 and the source `tal`."""
    folder = make_config()
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("sources:\n  tal: {file: observations.csv}\n"
                "versions:\n  - from: 2021-03-10\n    description: Marts\n"
                "  - from: 2022-01-01\n    description: Nyt år\n")
    return folder


def _load(folder: Path, plugin: Counting) -> govcore.Configuration:
    plugins = load_plugins()
    plugins.register(plugin, name="tal-plugin")
    return load_config(folder, plugins=plugins)


def _values(config: govcore.Configuration) -> list[list[float]]:
    return [[o.value for o in v.observations if o.kpi == "tal"] for v in config.versions]


def test_a_source_that_depends_on_nothing_is_called_once_per_load(three_versions: Path) -> None:
    plugin = Counting(frozenset())
    config = _load(three_versions, plugin)
    assert plugin.kpi_calls == plugin.load_calls == [None]
    assert _values(config) == [[1.0], [1.0], [1.0]]  # every version has its KPI and observation
    assert all("tal" in v.kpis for v in config.versions)
    assert all(v.files["observations.csv"] == config.files["observations.csv"] for v in config.versions)
    _load(three_versions, plugin)
    assert plugin.load_calls == [None, None]  # once per load, not once per process


def test_a_source_that_declares_nothing_is_called_for_every_version(three_versions: Path) -> None:
    plugin = Counting(None)
    config = _load(three_versions, plugin)
    assert plugin.kpi_calls == plugin.load_calls == [2021, 2021, 2022]
    assert _values(config) == [[2021.0], [2021.0], [2022.0]]


def test_a_source_that_depends_on_the_year_is_called_once_per_year(three_versions: Path) -> None:
    plugin = Counting(frozenset({"year"}))
    config = _load(three_versions, plugin)
    assert plugin.load_calls == [2021, 2022]
    assert _values(config) == [[2021.0], [2021.0], [2022.0]]


def _line_of(folder: Path, text: str) -> int:
    return (folder / "municipality.yaml").read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize("read", [lambda ctx: ctx.year, lambda ctx: getattr(ctx, "year", None),
                                  lambda ctx: ctx.national_goals])
def test_a_source_that_reads_what_it_does_not_declare_fails_the_load_once(
        three_versions: Path, read: Callable[[SourceContext], object], english: None) -> None:
    def reads_the_version(ctx: SourceContext) -> list[Observation]:
        read(ctx)
        return []

    plugin = Counting(frozenset(), load=reads_the_version)
    with pytest.raises(ConfigError) as err:
        _load(three_versions, plugin)
    (problem,) = err.value.problems  # one problem, though three versions name the source
    assert problem.file.endswith("municipality.yaml")
    assert problem.line == _line_of(three_versions, "  tal: {file: observations.csv}")
    assert "plugin 'tal-plugin' failed to load source 'tal': UndeclaredSourceInput: the KPI source 'tal' " \
           "read ctx." in problem.message
    assert "does not declare it in depends_on" in problem.message
    assert plugin.load_calls == [None]


def test_a_declaring_sources_located_error_is_reported_once_with_its_place(three_versions: Path) -> None:
    def bad_row(ctx: SourceContext) -> list[Observation]:
        raise InputError(Problem(str(ctx.path("observations.csv")), 3, 7, "'x' is not a number", field="value"))

    plugin = Counting(frozenset(), load=bad_row)
    with pytest.raises(ConfigError) as err:
        _load(three_versions, plugin)
    (problem,) = err.value.problems
    assert (Path(problem.file).name, problem.line, problem.column, problem.message) == (
        "observations.csv", 3, 7, "'x' is not a number")
    assert plugin.load_calls == [None]


def test_depends_on_names_only_what_a_version_has() -> None:
    with pytest.raises(ValueError, match="depends_on names 'years'"):
        KpiSource(name="x", description="", kpis=lambda ctx: [], load=lambda ctx: [],
                  depends_on=frozenset({"years"}))  # type: ignore[arg-type]


# ------------------------------------------------------------------ the bundled sources


@pytest.fixture
def every_version_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The bundled sources as if they declared nothing: called for every version, as before."""
    import govcore_budget.plugin
    import govcore_initiatives.plugin
    import govcore_surveys.plugin

    monkeypatch.setattr(govcore_budget.plugin, "SOURCE",
                        dataclasses.replace(govcore_budget.plugin.SOURCE, depends_on=None))
    monkeypatch.setattr(govcore_surveys.plugin, "SOURCE",
                        dataclasses.replace(govcore_surveys.plugin.SOURCE, depends_on=None))
    for module in (govcore_initiatives.plugin.initiatives, govcore_initiatives.plugin.offers,
                   govcore_initiatives.plugin.flows):
        monkeypatch.setattr(module, "SOURCE", dataclasses.replace(module.SOURCE, depends_on=None))
    yield


def _plain(config: govcore.Configuration) -> list[tuple[object, ...]]:
    return [(v.fingerprint(), v.version(), [k.model_dump() for k in v.kpis.values()],
             [(r.kpi, r.period, r.value, r.series, r.municipality, r.source, r.known_at)
              for r in v.observations.rows()]) for v in config.versions]


@pytest.mark.parametrize("example", ["vejle", "hilleroed"])
def test_the_bundled_sources_read_once_give_every_version_what_it_got_before(
        example: str, request: pytest.FixtureRequest) -> None:
    once = request.getfixturevalue("vejle_config") if example == "vejle" else load_config(ROOT / "examples" / example)
    sources = set(once.sources)
    assert sources and all(load_plugins().kpi_sources()[s][1].depends_on == frozenset() for s in sources)
    request.getfixturevalue("every_version_calls")
    assert all(load_plugins().kpi_sources()[s][1].depends_on is None for s in sources)
    assert _plain(once) == _plain(load_config(ROOT / "examples" / example))
