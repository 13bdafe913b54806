"""Bad configuration input: every problem at once, each with file, line and field, no traceback."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcore.cli import main
from govcore.config import load_config
from govcore.errors import ConfigError

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def vejle(tmp_path: Path) -> Path:
    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    cfg = folder / "municipality.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("../../rules", str(ROOT / "rules")), encoding="utf-8")
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_the_example_is_valid(vejle: Path) -> None:
    cfg = load_config(vejle)
    assert cfg.municipality.name == "Vejle" and len(cfg.goals) == 17 and len(cfg.rules.rules) == 13
    assert [(v.effective.isoformat() if v.effective else None, len(v.goals)) for v in cfg.versions] == [
        (None, 17), ("2021-01-01", 21), ("2021-06-15", 22), ("2022-01-01", 22), ("2023-01-01", 22)]
    assert cfg.version_at(dt.date(2021, 7, 1)) is cfg.versions[2]


def test_a_version_fingerprint_does_not_change_when_a_later_version_is_added(vejle: Path) -> None:
    before = [v.fingerprint() for v in load_config(vejle).versions]
    with (vejle / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("  - from: 2024-01-01\n    goals: [goals.yaml]\n")
    after = [v.fingerprint() for v in load_config(vejle).versions]
    assert after[:-1] == before and len(after) == len(before) + 1 and len(set(after)) == len(after)


def test_a_remembered_fingerprint_follows_every_change_of_what_it_hashes(vejle: Path) -> None:
    cfg = load_config(vejle).versions[2]
    first = cfg.fingerprint()
    assert cfg.fingerprint() == first == cfg._fresh_fingerprint()
    original = cfg.goals[0]
    changed = original.model_copy(update={"title": original.title + " (ny)"})
    assert replace(cfg, goals=[changed, *cfg.goals[1:]]).fingerprint() != first  # replace: no memo copied
    cfg.goals[0] = changed  # in place, the same list
    assert cfg.fingerprint() == cfg._fresh_fingerprint() != first
    cfg.goals[0] = original.model_copy(deep=True)  # another object, equal to the first one
    assert cfg.goals[0] is not original and cfg.fingerprint() == first
    unchanged = cfg
    for change in ({"kpis": {**cfg.kpis, "x": next(iter(cfg.kpis.values()))}}, {"deliverables": {}},
                   {"effective": dt.date(2021, 6, 16)}, {"files": {**cfg.files, "extra.yaml": "0"}},
                   {"organisation": cfg.organisation.model_copy(update={"roles": cfg.organisation.roles[:-1]})}):
        cfg = replace(unchanged)  # a version as loaded, without the memo (one load: it costs seconds)
        assert cfg.fingerprint() == first
        for name, value in change.items():
            setattr(cfg, name, value)
        assert cfg.fingerprint() == cfg._fresh_fingerprint() != first, change


def test_versions_out_of_date_order_are_refused(vejle: Path) -> None:
    _edit(vejle / "municipality.yaml", "  - from: 2022-01-01", "  - from: 2021-03-01")
    with pytest.raises(ConfigError) as err:
        load_config(vejle)
    assert "versions must be in date order" in err.value.format()


def test_every_problem_is_reported_at_once_with_its_place(vejle: Path) -> None:
    goals, goals21 = vejle / "goals.yaml", vejle / "goals-2021.yaml"
    _edit(goals21, "target: {kind: benchmark, series: national, relation: better}", "target: {kind: benchmrk}")
    _edit(goals, "    valid_from: 2020-01-01", "    valid_from: 2021-02-30")
    _edit(goals21, "    owner: team-integration", "    owner: team-integraton")
    _edit(vejle / "data" / "observations.csv", "2021-Q1,57.9,", "2021-Q1,57.9x,")
    with pytest.raises(ConfigError) as err:
        load_config(vejle)
    found = {(Path(p.file).name, p.line, p.message, p.hint) for p in err.value.problems}
    assert (("goals-2021.yaml", _line_of(goals21, "kind: benchmrk"), "unknown kind 'benchmrk'",
             "did you mean 'benchmark'?") in found)
    assert ("goals.yaml", _line_of(goals, "2021-02-30"), "'2021-02-30' is not a date that exists", "") in found
    obs_line = _line_of(vejle / "data" / "observations.csv", "57.9x")
    assert ("observations.csv", obs_line, "'57.9x' is not a number", "write e.g. 42, 42,5 or 1.450,5") in found
    assert len(err.value.problems) == 3  # the owner is only checked once the goals file validates


def test_unknown_references_get_did_you_mean(vejle: Path) -> None:
    goals = vejle / "goals-2021.yaml"
    _edit(goals, "    owner: team-integration", "    owner: team-integraton")
    _edit(goals, "    kpi: stadfaestelsesprocent", "    kpi: stadfaestelsesprocnt")
    _edit(goals, "national_goal: mm2021-4", "national_goal: mm2021-9")
    with pytest.raises(ConfigError) as err:
        load_config(vejle)
    messages = {(p.message, p.hint) for p in err.value.problems}
    assert ("no role has the id 'team-integraton'", "did you mean 'team-integration'?") in messages
    assert ("no KPI has the id 'stadfaestelsesprocnt'", "did you mean 'stadfaestelsesprocent'?") in messages
    assert any(m.startswith("no ministermål 2021 has the id 'mm2021-9'") for m, _ in messages)


def test_rule_problems_in_a_configuration_point_at_the_rule(vejle: Path) -> None:
    (vejle / "extra.yaml").write_text(
        "rules:\n  - id: x\n    when: {wheel: budgetkontrol-3004}\n    for_each: goal\n    then: [notify]\n",
        encoding="utf-8")
    _edit(vejle / "municipality.yaml", "  - plugin:budget", "  - extra.yaml\n  - plugin:budget")
    with pytest.raises(ConfigError) as err:
        load_config(vejle)
    (p,) = err.value.problems
    assert (Path(p.file).name, p.line, p.rule) == ("extra.yaml", 3, "x")
    assert p.message == "no wheel event has the id 'budgetkontrol-3004'"
    assert p.hint == "did you mean 'budgetkontrol-30-04'?"


def test_plugin_settings_errors_are_located_in_municipality_yaml(vejle: Path) -> None:
    cfg = vejle / "municipality.yaml"
    _edit(cfg, "    tolerance_pct: 1.0", "    tolerance_pct: 1.0\n    tolerence: 2")
    with pytest.raises(ConfigError) as err:
        load_config(vejle)
    (p,) = err.value.problems
    assert Path(p.file).name == "municipality.yaml" and p.line == _line_of(cfg, "tolerence")
    assert p.message.startswith("unknown setting") and "tolerance_pct" in p.hint


def test_yaml_syntax_error_has_line_and_column(vejle: Path) -> None:
    (vejle / "kpis.yaml").write_text("kpis:\n  - id: a\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(vejle)
    (p,) = err.value.problems
    assert Path(p.file).name == "kpis.yaml" and p.line >= 3 and p.message.startswith("YAML syntax error")


def test_yaml_tags_cannot_build_objects(vejle: Path) -> None:
    (vejle / "kpis.yaml").write_text("kpis: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(vejle)
    assert "kpis.yaml" in err.value.format()


def test_check_command_prints_problems_without_traceback(vejle: Path, english: None) -> None:
    _edit(vejle / "goals.yaml", "    valid_from: 2020-01-01", "    valid_from: 2021-02-30")
    result = CliRunner().invoke(main, ["check", str(vejle)])
    assert result.exit_code == 2
    assert "goals.yaml:" in result.output and "'2021-02-30' is not a date that exists" in result.output
    assert "1 problem found." in result.output and "Traceback" not in result.output
    ok = CliRunner().invoke(main, ["check", str(ROOT / "examples" / "vejle")])
    assert ok.exit_code == 0 and "configuration OK" in ok.output


def test_the_rules_version_does_not_depend_on_where_the_rule_files_lie() -> None:
    """A plugin's rules installed from a wheel (site-packages) or a source tree sort differently
    against the configuration's own rule files; the version must be the same in both places."""
    from govcore.rules.loader import RuleSet

    source_tree = RuleSet(files={"/srv/govcore/plugins/budget/budget.yaml": "b", "/tmp/kommune/rules/goals.yaml": "g"})
    installed = RuleSet(files={"/tmp/venv/site-packages/budget/budget.yaml": "b", "/tmp/kommune/rules/goals.yaml": "g"})
    assert source_tree.version() == installed.version()
    assert RuleSet(files={"/a/goals.yaml": "other"}).version() != RuleSet(files={"/a/goals.yaml": "g"}).version()
