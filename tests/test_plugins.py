"""The plugin system: discovery, failures that stay contained, and a new year without core changes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import govcore
from govcore import hookimpl, load_plugins
from govcore.cli import main
from govcore.config import load_config
from govcore.errors import ConfigError

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parent.parent


def test_installed_plugins_are_found_through_entry_points() -> None:
    plugins = load_plugins()
    assert {"ministermaal", "budget", "surveys"} <= set(plugins.names())
    assert not plugins.failures
    assert set(plugins.kpi_sources()) >= {"budget", "surveys"}
    assert set(plugins.subject_kinds()) >= {"budget_area", "survey_area"}
    assert "request_decision" in plugins.actions()
    name, goals = plugins.national_goals(2021) or ("", [])
    assert name == "ministermaal" and len(goals) == 5


def test_plugins_command_lists_contributions(english: None) -> None:
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "budget" in result.output and "KPI sources: budget" in result.output
    assert "subject kinds: survey_area" in result.output
    assert "national goals for:" in result.output and "2021" in result.output


class Raising:
    """A plugin whose every hook raises."""

    @hookimpl
    def govcore_kpi_sources(self) -> list[govcore.KpiSource]:
        raise RuntimeError("database down")

    @hookimpl
    def govcore_national_goals(self, year: int) -> list[govcore.NationalGoal] | None:
        raise ValueError(f"no data for {year}")


def test_a_plugin_that_raises_is_reported_and_the_rest_keeps_working() -> None:
    plugins = load_plugins()
    plugins.register(Raising(), name="raising")
    sources = plugins.kpi_sources()
    assert set(sources) >= {"budget", "surveys"}  # the others still answer
    answer = plugins.national_goals(2021)
    assert answer is not None and answer[0] == "ministermaal"
    messages = [str(f) for f in plugins.failures]
    assert "plugin 'raising' failed in govcore_kpi_sources: RuntimeError: database down" in messages
    assert any("govcore_national_goals: ValueError: no data for 2021" in m for m in messages)


def test_a_plugin_that_fails_to_import_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   english: None) -> None:
    dist = tmp_path / "broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[govcore]\nbroken = broken_plugin_module_that_is_missing\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins = load_plugins()
    failures = [f for f in plugins.failures if f.plugin == "broken"]
    assert len(failures) == 1 and failures[0].hook == "import"
    assert "ModuleNotFoundError" in str(failures[0])
    assert "budget" in plugins.names()  # the installed plugins still load
    result = CliRunner().invoke(main, ["plugins"])
    assert "FAILED  plugin 'broken' failed in import" in result.output


class BrokenSource:
    """A KPI source whose loader has a bug."""

    @hookimpl
    def govcore_kpi_sources(self) -> list[govcore.KpiSource]:
        def load(ctx: govcore.SourceContext) -> list[govcore.Observation]:
            raise KeyError("column")

        return [govcore.KpiSource(name="fasit", description="broken", kpis=lambda ctx: [], load=load)]


def test_a_source_that_raises_while_loading_names_the_plugin_and_loads_nothing(
        make_config: Callable[..., Path]) -> None:
    folder = make_config()
    with (folder / "municipality.yaml").open("a") as f:
        f.write("sources:\n  fasit: {file: x.csv}\n")
    plugins = load_plugins()
    plugins.register(BrokenSource(), name="fasit-plugin")
    with pytest.raises(ConfigError) as err:
        load_config(folder, plugins=plugins)
    (problem,) = err.value.problems
    lines = (folder / "municipality.yaml").read_text(encoding="utf-8").splitlines()
    assert problem.file.endswith("municipality.yaml") and problem.line == lines.index("  fasit: {file: x.csv}") + 1
    assert "plugin 'fasit-plugin' failed to load source 'fasit': KeyError" in problem.message


def test_an_unknown_source_is_a_located_error(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    with (folder / "municipality.yaml").open("a") as f:
        f.write("sources:\n  budgett: {file: x.csv}\n")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    (problem,) = err.value.problems
    assert "no installed plugin provides the KPI source 'budgett'" in problem.message
    assert problem.hint == "did you mean 'budget'?"


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_goals_cascade_flags_national_goals_without_local_goals() -> None:
    result = CliRunner().invoke(main, ["goals", str(ROOT / "examples" / "vejle"), "--year", "2021"])
    assert result.exit_code == 0, result.output
    assert "1. Alle ledige skal have en værdig sagsbehandling (nyt)" in result.output
    assert "ansvarlig: Center for Job & Erhverv (centerleder)" in result.output
    assert "INGEN lokale mål" not in result.output  # Vejle answers all five
    as_json = CliRunner().invoke(main, ["goals", str(ROOT / "examples" / "vejle"), "--json"])
    assert '"unanswered": []' in as_json.output


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_goals_cascade_with_an_unanswered_national_goal(tmp_path: Path) -> None:
    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    goals = (folder / "goals-2021.yaml").read_text(encoding="utf-8")
    (folder / "goals-2021.yaml").write_text(goals.replace("    national_goal: mm2021-3\n", ""), encoding="utf-8")
    text = (folder / "municipality.yaml").read_text(encoding="utf-8")
    (folder / "municipality.yaml").write_text(text.replace("../../rules", str(ROOT / "rules")), encoding="utf-8")
    result = CliRunner().invoke(main, ["goals", str(folder), "--year", "2021"])
    assert result.exit_code == 0, result.output
    assert "3. Flere flygtninge og familiesammenførte skal være selvforsørgende (videreført)   <-- INGEN" \
        in result.output
    assert "1 ministermål uden lokale mål: mm2021-3" in result.output


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_goals_cascade_says_which_ministermaal_have_a_national_measurement() -> None:
    result = CliRunner().invoke(main, ["goals", str(ROOT / "examples" / "vejle"), "--year", "2021"])
    lines = result.output.splitlines()
    one = lines.index("1. Alle ledige skal have en værdig sagsbehandling (nyt)")
    assert lines[one + 1] == "   national måling uden kendt Jobindsats-id: Borgere spørges om deres erfaringer med " \
                             "jobcentret gennem brugeroplevelse; Stadfæstelsesprocenten"
    two = next(i for i, line in enumerate(lines) if line.startswith("2. "))
    assert lines[two + 1] == "   national måling: MM17"
    in_2024 = CliRunner().invoke(main, ["goals", str(ROOT / "examples" / "jobindsats")]).output.splitlines()
    four = next(i for i, line in enumerate(in_2024) if line.startswith("4. Flere personer med handicap"))
    assert in_2024[four + 1] == "   ingen national måling: kommunen vælger selv sine indikatorer"
    as_json = CliRunner().invoke(main, ["goals", str(ROOT / "examples" / "vejle"), "--json"])
    assert [n["measure_ids"] for n in json.loads(as_json.output)["national"]] == [[], ["MM17"], ["MM13"], [], []]


def _vejle_with_goal_kpi(tmp_path: Path, goal: str, kpi: str) -> Path:
    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    year_goals = folder / f"goals-{goal[2:6]}.yaml"  # the resultatmål answering that year's ministermål
    goals = year_goals.read_text(encoding="utf-8")
    i = goals.index(f"    national_goal: {goal}\n")
    j = goals.index("    kpi: ", i)
    k = goals.index("\n", j)
    year_goals.write_text(goals[:j] + f"    kpi: {kpi}" + goals[k:], encoding="utf-8")
    text = (folder / "municipality.yaml").read_text(encoding="utf-8")
    (folder / "municipality.yaml").write_text(text.replace("../../rules", str(ROOT / "rules")), encoding="utf-8")
    return folder


def test_check_says_a_ministermaal_has_no_national_measurement_when_a_goal_asks_for_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(_vejle_with_goal_kpi(tmp_path, "mm2021-1", "jobindsats:mm1"))])
    assert result.exit_code == 2
    assert "goals[0].kpi: no KPI has the id 'jobindsats:mm1' (hint: ministermål 1 (2021) has no Jobindsats " \
           "measurement id (its measurement: Borgere spørges om deres erfaringer med jobcentret gennem " \
           "brugeroplevelse; Stadfæstelsesprocenten) — use a KPI of your own for it)" in result.output


def test_check_says_when_a_ministermaal_has_no_measurement_at_all(tmp_path: Path) -> None:
    folder = tmp_path / "jobindsats"
    shutil.copytree(ROOT / "examples" / "jobindsats", folder)
    text = (folder / "municipality.yaml").read_text(encoding="utf-8")
    (folder / "municipality.yaml").write_text(text.replace("../../rules", str(ROOT / "rules")), encoding="utf-8")
    with (folder / "goals.yaml").open("a", encoding="utf-8") as f:
        f.write("  - {id: handicap, title: Flere med handicap i job, level: political, owner: direktoer, "
                "national_goal: mm2024-4, kpi: 'jobindsats:mm4', target: {kind: direction, must: rise}, "
                "followup: quarterly}\n")
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert result.exit_code == 2
    assert "no KPI has the id 'jobindsats:mm4' (hint: ministermål 4 (2024) has no national measurement (no " \
           "Jobindsats måling): the municipality chooses its own indicator — use a local KPI)" in result.output


def test_check_names_the_ministermaal_measurements_of_the_year(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(_vejle_with_goal_kpi(tmp_path, "mm2021-2", "jobindsats:mm99"))])
    assert result.exit_code == 2
    assert "no KPI has the id 'jobindsats:mm99' (hint: no ministermål 2021 has the measurement MM99 (measurements: " \
           "MM17 (ministermål 2), MM13 (ministermål 3); ministermål 1, 4, 5: none))" in result.output


# --------------------------------------------------------------------- a new year, no core change

PLUGIN_PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "govcore-ministermaal-2026"
version = "1.0"
dependencies = []

[project.entry-points.govcore]
ministermaal2026 = "ministermaal2026"
"""

PLUGIN_MODULE = '''
"""Ministermål 2026 (a throw-away plugin for a year govcore does not know)."""
import govcore


@govcore.hookimpl
def govcore_national_goals(year):
    if year != 2026:
        return None
    return [
        govcore.NationalGoal(id="mm2026-1", year=2026, number=1, status="new",
                             title="Flere unge skal i uddannelse eller job",
                             measures=["Andel unge i uddannelse eller job"], source="test"),
        govcore.NationalGoal(id="mm2026-2", year=2026, number=2, status="new",
                             title="Virksomhederne skal have den arbejdskraft, de har brug for",
                             measures=["Forgæves rekrutteringer"], source="test"),
    ]
'''


def _tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _site_packages(python: str) -> str:
    out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.slow
@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_a_new_years_goal_set_arrives_as_a_plugin_without_core_changes(tmp_path: Path) -> None:
    core_before = _tree_hash(ROOT / "govcore")
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (plugin / "ministermaal2026.py").write_text(PLUGIN_MODULE)

    # A fresh virtual environment that sees govcore and its dependencies but not the new plugin.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = str(env_dir / "bin" / "python")
    outer = _site_packages(sys.executable)
    Path(_site_packages(python), "outer.pth").write_text(f"import site; site.addsitedir({outer!r})\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
                              "--quiet", "--disable-pip-version-check", str(plugin)],
                             capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stderr

    # A configuration version from 2026 whose local goals answer the new national goals.
    config = tmp_path / "config"
    shutil.copytree(ROOT / "examples" / "vejle", config)
    text = (config / "municipality.yaml").read_text(encoding="utf-8").replace("../../rules", str(ROOT / "rules"))
    text += "  - from: 2026-01-01\n    goals: [goals.yaml, goals-2026.yaml]\n"
    (config / "municipality.yaml").write_text(text, encoding="utf-8")
    goals = (config / "goals-2023.yaml").read_text(encoding="utf-8")
    goals = goals.replace("national_goal: mm2023-2", "national_goal: mm2026-1")
    goals = goals.replace("national_goal: mm2023-5", "national_goal: mm2026-2")
    goals = "\n".join(line for line in goals.splitlines() if "national_goal: mm2023-" not in line)
    (config / "goals-2026.yaml").write_text(goals + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    cascade = subprocess.run([python, "-m", "govcore.cli", "goals", str(config), "--year", "2026"],
                             capture_output=True, text=True, check=False, env=env)
    assert cascade.returncode == 0, cascade.stderr
    assert "Ministermål 2026:" in cascade.stdout
    assert "1. Flere unge skal i uddannelse eller job (nyt)" in cascade.stdout
    assert "Andel i job 3 mdr. efter endt ordinær uddannelse" in cascade.stdout

    out = tmp_path / "out"
    run = subprocess.run([python, "-m", "govcore.cli", "simulate", str(config), "--year", "2026", "--out", str(out),
                          "--quiet"], capture_output=True, text=True, check=False, env=env)
    assert run.returncode == 0, run.stderr
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert '"year": 2026' in summary and '"mm2026-2"' in summary
    events = (out / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert events and all('"at":"2026-' in line for line in events)

    # Without the plugin (the test's own environment) govcore knows no goals for 2026.
    assert load_plugins().national_goals(2026) is None
    assert _tree_hash(ROOT / "govcore") == core_before
    assert textwrap.dedent(PLUGIN_MODULE).count("govcore.") >= 3  # the plugin uses only the public API
