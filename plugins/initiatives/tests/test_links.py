"""An initiative's goals and KPIs are checked against the configuration before the run: an
unknown one is a located error with a suggestion, and a goal counts if a configuration version in
force while the initiative runs holds it (`versions:` in municipality.yaml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govcore import ConfigError, load_config

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "hilleroed"
LATER_GOAL = """goals:
  - id: job-unge
    title: Flere unge i job
    level: administrative
    owner: afdelingsleder-unge
    kpi: "flow:unge-kontanthjaelp:outflow_rate"
    target: {kind: at_least, value: 14}
"""


def copy(tmp_path: Path, goals: str, versions: str = "") -> Path:
    folder = tmp_path / "h"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "initiatives.yaml").read_text(encoding="utf-8")
    (folder / "initiatives.yaml").write_text(text.replace("goals: [afgang-unge, bestand-unge]", f"goals: {goals}"),
                                             encoding="utf-8")
    (folder / "goals-later.yaml").write_text(LATER_GOAL, encoding="utf-8")
    if versions:
        (folder / "municipality.yaml").write_text(
            (folder / "municipality.yaml").read_text(encoding="utf-8") + versions, encoding="utf-8")
    return folder


def test_an_unknown_goal_or_kpi_is_a_located_error_with_a_suggestion(tmp_path: Path) -> None:
    folder = copy(tmp_path, "[afgang-unge, afgang-ung]")
    text = (folder / "initiatives.yaml").read_text(encoding="utf-8")
    (folder / "initiatives.yaml").write_text(
        text.replace("    goals: [afgang-unge, afgang-ung]", "    goals: [afgang-unge, afgang-ung]\n"
                     '    kpis: ["flow:unge-kontanthjaelp:outflow_rat"]'), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    goal, kpi = err.value.problems
    assert goal.file.endswith("initiatives.yaml") and goal.line == 12 and goal.field == "initiatives[0].goals[1]"
    assert "no goal has the id 'afgang-ung'" in goal.message and goal.hint == "did you mean 'afgang-unge'?"
    assert kpi.line == 13 and kpi.field == "initiatives[0].kpis[0]"
    assert kpi.hint == "did you mean 'flow:unge-kontanthjaelp:outflow_rate'?"


def test_a_goal_of_a_later_version_counts_while_the_initiative_runs(tmp_path: Path) -> None:
    # Straksaktivering runs 2013-01-01 to 2016-12-31; job-unge exists from 1 June 2016 on.
    during = copy(tmp_path / "a", "[afgang-unge, job-unge]", "versions:\n  - from: 2016-06-01\n"
                  "    goals: [goals.yaml, goals-later.yaml]\n")
    assert load_config(during).versions[1].effective is not None
    # ... from 2017 on, after it ended: not in force while it runs.
    after = copy(tmp_path / "b", "[afgang-unge, job-unge]", "versions:\n  - from: 2017-01-01\n"
                 "    goals: [goals.yaml, goals-later.yaml]\n")
    with pytest.raises(ConfigError) as err:
        load_config(after)
    problems = {(p.field, p.message) for p in err.value.problems}
    assert ("initiatives[0].goals[1]", "initiative 'straksaktivering-unge' runs 2013-01-01 to 2016-12-31, but goal "
            "'job-unge' is not in force then (it is from 2017-01-01 to the end)") in problems


def test_a_goal_removed_before_the_initiative_starts_does_not_count(tmp_path: Path) -> None:
    folder = copy(tmp_path, "[afgang-unge]")
    text = (folder / "initiatives.yaml").read_text(encoding="utf-8")
    later = text.replace("start: 2013-01-01", "start: 2015-01-01")
    (folder / "initiatives.yaml").write_text(later.replace("evaluation: 2014-06-30", "evaluation: 2016-06-30"),
                                             encoding="utf-8")
    (folder / "goals-without.yaml").write_text(
        (folder / "goals.yaml").read_text(encoding="utf-8").split("  - id: bestand-unge")[0].replace(
            "id: afgang-unge", "id: afgang-unge-gammel"), encoding="utf-8")
    (folder / "municipality.yaml").write_text(
        (folder / "municipality.yaml").read_text(encoding="utf-8")
        + "versions:\n  - from: 2014-07-01\n    goals: [goals-without.yaml]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    messages = [p.message for p in err.value.problems]
    assert any("goal 'afgang-unge' is not in force then (it is from the start to 2014-06-30)" in m
               for m in messages), messages
