"""Hostile and careless input: bounded, confined, rejected with a located message, never an internal error."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcore.cli import main
from govcore.config import load_config
from govcore.errors import ConfigError, InputError
from govcore.sourcefile import parse_yaml

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parent.parent
SECRET = "root:x:0:0:SECRET-FIRST-LINE"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result.exit_code, result.output


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    return [p.format() for p in err.value.problems]


def _laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for prev, name in zip("abcdefghij", "bcdefghijk"[: levels - 1], strict=False):
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    return text


# ------------------------------------------------------------------------------- resource limits


@pytest.mark.parametrize("text", [
    _laughs(),
    "x: " + "[" * 20_000 + "]" * 20_000 + "\n",
    "x: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
    "".join("  " * i + f"k{i}:\n" for i in range(600)),
    "- " * 20_000 + "x\n",
], ids=["billion-laughs", "deep-flow-list", "deep-flow-map", "deep-block", "deep-dashes"])
def test_hostile_yaml_is_refused_with_a_line_in_bounded_memory(text: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as err:
            parse_yaml(text, "hostile.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (problem,) = err.value.problems
    assert problem.file == "hostile.yaml" and problem.line >= 1
    assert "nests deeper" in problem.message or "expands to more than" in problem.message
    assert peak < 100 * 1024 * 1024


def test_aliases_that_do_not_multiply_are_still_fine() -> None:
    doc = parse_yaml("base: &b {owner: chef}\nuse: *b\nalso: *b\n", "ok.yaml")
    assert doc.data["also"] == {"owner": "chef"}


def test_files_over_the_size_limits_are_refused(make_config: Callable[..., Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_config()
    original = (folder / "kpis.yaml").read_text(encoding="utf-8")
    (folder / "kpis.yaml").write_text(original + "# padding\n" * 30_000, encoding="utf-8")
    monkeypatch.setenv("GOVCORE_MAX_YAML_MB", "0.25")
    problems = _problems(folder)
    assert any("kpis.yaml:1:1" in p and "YAML file is larger than the limit of 0,25 MB" in p for p in problems)
    monkeypatch.delenv("GOVCORE_MAX_YAML_MB")  # the default, 1 MB, takes it
    assert load_config(folder).kpis
    monkeypatch.setenv("GOVCORE_MAX_FILE_MB", "0.5")
    with (folder / "observations.csv").open("a", encoding="utf-8") as f:
        f.write("# padding\n" * 60_000)
    problems = _problems(folder)
    assert any("observations.csv" in p and "larger than the limit of 0,5 MB" in p for p in problems), problems


def test_appending_a_bomb_to_any_configuration_file_is_a_located_error(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    for name in ("organisation.yaml", "kpis.yaml", "goals.yaml", "wheel.yaml", "municipality.yaml"):
        original = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_text(original + _laughs(), encoding="utf-8")
        problems = _problems(folder)
        assert any(name in p and "expands to more than" in p for p in problems), (name, problems)
        (folder / name).write_text(original, encoding="utf-8")


# ------------------------------------------------------------------------ files stay inside


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.csv"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("key", ["kpis", "goals", "wheel"])
def test_a_configuration_cannot_name_a_file_outside_its_folder(make_config: Callable[..., Path], secret: Path,
                                                               key: str) -> None:
    folder = make_config()
    cfg = folder / "municipality.yaml"
    for name in (str(secret), "../outside/secret.csv"):
        cfg.write_text(cfg.read_text(encoding="utf-8") + f"{key}: {name}\n", encoding="utf-8")
        problems = _problems(folder)
        assert any("municipality.yaml" in p and "outside the configuration folder" in p for p in problems)
        assert not any("SECRET" in p for p in problems)
        cfg.write_text("\n".join(cfg.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")


def test_observations_and_plugin_files_stay_inside(make_config: Callable[..., Path], secret: Path) -> None:
    folder = make_config()
    _edit(folder / "municipality.yaml", "observations: [observations.csv]", f"observations: [{secret}]")
    problems = _problems(folder)
    assert any("outside the configuration folder" in p for p in problems) and "SECRET" not in str(problems)
    folder = make_config()
    (folder / "link.csv").symlink_to(secret)
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("sources:\n  surveys: {file: link.csv, owner: udvalg}\n")
    problems = _problems(folder)
    assert any("municipality.yaml" in p and "sources.surveys.file" in p and "outside" in p for p in problems)
    assert "SECRET" not in str(problems)


def test_allow_paths_lets_a_configuration_read_a_named_folder(make_config: Callable[..., Path],
                                                              secret: Path) -> None:
    folder = make_config()
    (secret.parent / "obs.csv").write_text((folder / "observations.csv").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    _edit(folder / "municipality.yaml", "observations: [observations.csv]", "observations: [../outside/obs.csv]")
    _edit(folder / "municipality.yaml", "allow_paths:\n", "allow_paths:\n  - ../outside\n")
    assert len(load_config(folder).observations) == 5


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_devices_fifos_and_folders_are_refused(make_config: Callable[..., Path], kind: str) -> None:
    folder = make_config()
    target = folder / "data.csv"
    if kind == "device":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    _edit(folder / "municipality.yaml", "observations: [observations.csv]", "observations: [data.csv]")
    problems = _problems(folder)
    assert any("data.csv" in p and ("device" in p or "folder" in p or "outside" in p) for p in problems), problems


def test_an_error_echoes_no_more_than_a_short_cell(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    (folder / "observations.csv").write_text(SECRET * 20 + ",period,value\n", encoding="utf-8")
    problems = _problems(folder)
    assert all(len(p) < 400 for p in problems) and not any(SECRET * 3 in p for p in problems)


# --------------------------------------------------------------------- invalid means rejected


def test_a_duplicate_kpi_id_is_rejected_at_its_line(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    with (folder / "kpis.yaml").open("a", encoding="utf-8") as f:
        f.write("  - {id: jobrate, name: Igen}\n")
    (problem,) = _problems(folder)
    assert "kpis.yaml:5:" in problem and "KPI id 'jobrate' is used twice" in problem


def test_duplicate_roles_and_deliverables_are_rejected(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    with (folder / "organisation.yaml").open("a", encoding="utf-8") as f:
        f.write("  - {id: chef, title: Igen, kind: head, superior: udvalg}\n")
    with (folder / "goals.yaml").open("a", encoding="utf-8") as f:
        f.write("  - {id: plan, title: Igen, owner: chef}\n")
    problems = _problems(folder)
    assert any("organisation.yaml:7:" in p and "role id 'chef' is used twice" in p for p in problems), problems
    assert any("goals.yaml" in p and "deliverable id 'plan' is used twice" in p for p in problems), problems


def test_a_circle_of_superiors_is_located_at_the_role(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    _edit(folder / "organisation.yaml", "kind: committee}", "kind: committee, superior: center}")
    problems = _problems(folder)
    assert any("organisation.yaml:" in p and "roles[" in p and "goes round in a circle" in p and "udvalg" in p
               for p in problems), problems
    assert not any("pydantic" in p for p in problems)


def test_a_role_that_is_its_own_superior(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    _edit(folder / "organisation.yaml", "superior: chef}", "superior: center}")
    (problem,) = _problems(folder)
    assert "organisation.yaml:6:" in problem and "center → center" in problem


def test_two_tops_must_be_declared(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    org = folder / "organisation.yaml"
    with org.open("a", encoding="utf-8") as f:
        f.write("  - {id: udvalg2, title: Andet udvalg, kind: committee}\n")
    (problem,) = _problems(folder)
    assert "organisation.yaml:7:" in problem and "more than one top" in problem
    with org.open("a", encoding="utf-8") as f:
        f.write("tops: [udvalg, udvalg2]\n")
    assert load_config(folder).organisation.has("udvalg2")


def test_a_circle_of_goal_parents_is_rejected(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    _edit(folder / "goals.yaml", "    owner: center\n", "    owner: center\n    parent: g-ledige\n")
    _edit(folder / "goals.yaml", "    owner: chef\n", "    owner: chef\n    parent: g-job\n")
    problems = _problems(folder)
    assert any("goals.yaml" in p and "parents go round in a circle" in p for p in problems), problems


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e999"])
def test_targets_must_be_finite(make_config: Callable[..., Path], value: str) -> None:
    folder = make_config()
    _edit(folder / "goals.yaml", "value: 50,", f"value: {value},")
    (problem,) = _problems(folder)
    assert "goals.yaml:8:" in problem and "finite number" in problem and "pydantic" not in problem


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_observations_must_be_finite(make_config: Callable[..., Path], value: str) -> None:
    folder = make_config()
    _edit(folder / "observations.csv", "jobrate,2021-01,47,", f"jobrate,2021-01,{value},")
    (problem,) = _problems(folder)
    assert "observations.csv:3" in problem and "value" in problem


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_a_rule_cannot_compare_with_nan(make_config: Callable[..., Path], tmp_path: Path, value: str) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("tests"))
    _edit(rules / "goals.yaml", "status == off_track", f"value > {value}")
    folder = make_config(rules=[str(rules / "*.yaml")])
    problems = _problems(folder)
    assert any("goals.yaml" in p and "is not a number a figure can be compared with" in p for p in problems)


def test_a_year_outside_the_sane_range(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    for year in ("1", "99999", "-5"):
        code, out = run("simulate", str(folder), "--year", year, "--out", str(folder / "out"))
        assert code == 2 and "municipality.yaml" in out and "outside 2000–2100" in out


def test_an_empty_db_is_refused(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    code, out = run("simulate", str(folder), "--db", "", "--out", str(folder / "out"))
    assert code == 2 and "--db is empty" in out and not (folder / "out").exists()


# ------------------------------------------------------------- check passes ⇒ run does not fail


def test_a_wheel_event_naming_an_unknown_deliverable_fails_the_check(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    _edit(folder / "wheel.yaml", "deliverables: [plan]", "deliverables: [plan, budgetforslag]")
    (problem,) = _problems(folder)
    assert "wheel.yaml:10:" in problem and "no deliverable has the id 'budgetforslag'" in problem


def test_an_unknown_owner_in_plugin_settings_fails_the_check(tmp_path: Path) -> None:
    folder = tmp_path / "vejle"
    shutil.copytree(ROOT / "examples" / "vejle", folder)
    _edit(folder / "municipality.yaml", "../../rules", str(ROOT / "rules"))
    _edit(folder / "municipality.yaml", "../../rules", str(ROOT / "rules"))
    _edit(folder / "municipality.yaml", "owner: arbejdsmarkedschef, effort", "owner: arbejdsmarkedschf, effort")
    (problem,) = _problems(folder)
    line = next(i for i, t in enumerate((folder / "municipality.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if "arbejdsmarkedschf" in t)
    assert f"municipality.yaml:{line}:" in problem and "sources.budget.areas[1].owner" in problem
    assert "did you mean 'arbejdsmarkedschef'" in problem


# --------------------------------------------------------------------------- no internal errors


def test_a_configuration_without_rule_files_simply_runs(make_config: Callable[..., Path]) -> None:
    folder = make_config(rules=[])
    _edit(folder / "municipality.yaml", "rules:\n", "rules: []\n")
    code, out = run("simulate", str(folder), "--out", str(folder / "out"))
    assert code == 0, out
    assert (folder / "out" / "events.jsonl").is_file()


def test_writing_into_a_folder_that_does_not_exist(make_config: Callable[..., Path], tmp_path: Path) -> None:
    code, out = run("wheel", str(make_config()), "--format", "ics", "--out", str(tmp_path / "nope" / "w.ics"))
    assert code == 2 and "nope" in out


@pytest.mark.parametrize("url", ["postgresql+psycopg://u@h:notaport/db", "postgresql+psycopg://u:pw@[::1/db"])
def test_a_malformed_postgresql_url(url: str) -> None:
    code, out = run("db", "status", "--db", url)
    assert code == 2 and "is not a database URL" in out and ":pw@" not in out


def test_a_csv_field_over_the_csv_modules_limit(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    (folder / "observations.csv").write_text('kpi,period,value\njobrate,2021-01,"' + "9" * 200_000 + "\n",
                                             encoding="utf-8")
    (problem,) = _problems(folder)
    assert "observations.csv:2" in problem and "cannot be read as CSV" in problem


def test_nan_in_a_scenario_is_a_located_error(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "tests" / "goals.yaml").read_text(encoding="utf-8")
    text = text.replace("rules: [../goals.yaml]", f"rules: [{ROOT / 'rules' / 'goals.yaml'}]")
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("cv: {2020-12: 95,", "cv: {2020-12: .nan,", 1), encoding="utf-8")
    code, out = run("rules", "test", str(path))
    assert code == 2 and "s.yaml:" in out and "is not a finite number" in out


# ------------------------------------------------------------------------- one builder, one voice


def test_scenarios_and_configurations_give_the_same_message(make_config: Callable[..., Path],
                                                            tmp_path: Path) -> None:
    folder = make_config()
    _edit(folder / "goals.yaml", "kpi: jobrate", "kpi: jobrat")
    (from_config,) = _problems(folder)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"rules: [{ROOT / 'rules' / 'goals.yaml'}]\nyear: 2021\n"
                        "organisation: [{id: udvalg, title: U, kind: committee}]\n"
                        "kpis: [jobrate]\n"
                        "goals: [{id: g, title: G, level: team, owner: udvalg, kpi: jobrat}]\n"
                        "wheel: {}\nscenarios: [{name: x, expect: []}]\n", encoding="utf-8")
    code, out = run("rules", "test", str(scenario))
    message = from_config.split("goals[0].kpi: ", 1)[1]
    assert code == 2 and message in out, (message, out)


def test_an_engine_failing_early_reports_its_own_error(make_config: Callable[..., Path]) -> None:
    from govcore.engine import Engine

    class Early(Exception):
        pass

    cfg = load_config(make_config())
    with pytest.raises(Early), Engine(cfg) as engine:  # nothing matched yet: closing must not hide Early
        assert engine.pending() > 0
        raise Early


@pytest.mark.parametrize("command", [["db", "status"], ["audit", "verify"], ["observations"], ["explain", "ev-1"]])
def test_reading_a_database_that_does_not_exist_leaves_no_file_behind(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "::::"
    result = CliRunner().invoke(main, [*command, "--db", str(missing)])
    assert result.exit_code == 2 and "there is no database" in result.output and "Traceback" not in result.output
    assert not missing.exists()
