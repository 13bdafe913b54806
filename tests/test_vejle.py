"""The Vejle 2021 example, a whole simulated year: the specific events on their dates."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from govcore import SimulationResult, load_config, simulate
from govcore.engine import EngineEvent

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def year() -> SimulationResult:
    return simulate(load_config(ROOT / "examples" / "vejle"))


def decisions(result: SimulationResult) -> list[tuple[str, str, str | None, str | None, str | None]]:
    skip = {"observation", "followup", "milestone"}
    return [(e.at.date().isoformat(), e.type, e.rule, e.subject, e.owner) for e in result.events
            if e.type not in skip]


def find(result: SimulationResult, kind: str, subject: str) -> list[EngineEvent]:
    return [e for e in result.events if e.type == kind and e.subject == subject]


def test_budget_overrun_caught_at_the_30_04_control(year: SimulationResult) -> None:
    flagged = [e for e in year.events if e.type == "deviation_flagged" and e.rule == "budgetkontrol-30-04"]
    assert [(e.subject, e.at.date(), e.owner) for e in flagged] == [
        ("sygedagpenge", dt.date(2021, 4, 30), "center-sundhed-fastholdelse"),
        ("kontanthjaelp", dt.date(2021, 4, 30), "arbejdsmarkedschef"),
    ]
    # 30.04.2021 is Store Bededag: the as-of control stays on its date; the due date counts
    # 10 working days, skipping Kristi Himmelfartsdag (13.05).
    demanded = find(year, "action_demanded", "sygedagpenge")
    assert [e.details["due"] for e in demanded] == ["2021-05-17"]
    assert flagged[0].details["inputs"]["forecast_deviation_pct"] == pytest.approx(4.0)


def test_a_corrective_action_that_works(year: SimulationResult) -> None:
    kinds = [(e.at.date().isoformat(), e.type) for e in year.events
             if e.subject == "sygedagpenge" and e.type not in ("observation", "notification")]
    assert kinds == [
        ("2021-04-30", "deviation_flagged"), ("2021-04-30", "action_demanded"),
        ("2021-05-10", "action_submitted"), ("2021-05-12", "action_accepted"),
        ("2021-09-30", "deviation_closed"),
    ]
    rank = [(e.at.date().isoformat(), e.type) for e in year.events
            if e.subject == "rm2-job-efter-uddannelse" and e.type != "observation"]
    assert rank == [
        ("2021-05-03", "deviation_flagged"), ("2021-05-03", "action_demanded"),
        ("2021-05-12", "action_submitted"), ("2021-05-19", "action_accepted"),
        ("2021-11-01", "deviation_closed"),
    ]


def test_an_action_never_delivered_escalates_twice_to_the_committee(year: SimulationResult) -> None:
    action = find(year, "action_demanded", "kontanthjaelp")[0].details["action"]
    esc = [e for e in year.events if e.type == "escalated" and e.subject == action]
    assert [(e.at.date().isoformat(), e.details["from"], e.details["to"], e.details["due"]) for e in esc] == [
        ("2021-05-18", "arbejdsmarkedschef", "direktoer", "2021-05-26"),
        ("2021-05-27", "direktoer", "arbejdsmarkedsudvalget", "2021-06-03"),
    ]
    top = [e for e in year.events if e.subject == action and e.rule == "manglende-handling-i-udvalget"]
    assert [(e.at.date().isoformat(), e.owner) for e in top] == [("2021-06-04", "arbejdsmarkedsudvalget")]
    assert any(a["id"] == action and a["state"] == "escalated" for a in year.summary["open_actions"])


def test_a_missed_30_09_deliverable(year: SimulationResult) -> None:
    plans = [(e.at.date().isoformat(), e.type) for e in year.events if e.subject == "virksomhedsplaner"]
    assert plans == [("2021-09-30", "deviation_flagged"), ("2021-09-30", "action_demanded"),
                     ("2021-10-06", "deliverable_delivered"), ("2021-10-06", "deviation_closed")]
    assert [e.at.date() for e in find(year, "deliverable_delivered", "beskaeftigelsesplan")] == [
        dt.date(2021, 9, 28)]
    assert not [e for e in year.events if e.type == "deviation_flagged" and e.subject == "beskaeftigelsesplan"]
    assert year.summary["deliverables"]["virksomhedsplaner"]["due"] == "2021-09-30"


def test_surveys_bring_lift_areas_to_the_committee(year: SimulationResult) -> None:
    asked = [(e.at.date().isoformat(), e.subject, e.owner) for e in year.events if e.type == "decision_requested"]
    assert asked == [
        ("2021-03-09", "virksomheder:rekruttering", "arbejdsmarkedsudvalget"),
        ("2021-09-14", "borgere:vaerdig-sagsbehandling", "arbejdsmarkedsudvalget"),
        ("2021-09-14", "virksomheder:rekruttering", "arbejdsmarkedsudvalget"),
    ]
    flagged = find(year, "deviation_flagged", "rm1-vaerdig-brugeroplevelse")
    assert [(e.at.date(), e.owner, e.details["inputs"]["value"]) for e in flagged] == [
        (dt.date(2021, 7, 1), "direktoer", 70.5)]


def test_goals_end_the_year_on_track_except_the_survey_goal(year: SimulationResult) -> None:
    statuses = {g: s["status"] for g, s in year.summary["goals"].items()}
    assert statuses.pop("rm1-vaerdig-brugeroplevelse") == "off_track"
    assert set(statuses.values()) == {"on_track"} and len(statuses) == 19
    open_subjects = sorted(d["subject"] for d in year.summary["open_deviations"])
    assert open_subjects == ["kontanthjaelp", "rm1-vaerdig-brugeroplevelse"]


def test_at_risk_goals_are_notified_not_flagged(year: SimulationResult) -> None:
    risk = [(e.at.date().isoformat(), e.subject) for e in year.events if e.rule == "maal-i-risiko"]
    assert risk == [("2021-02-01", "team-virksomhedsbesoeg"), ("2021-05-03", "rm5-jobaabninger"),
                    ("2021-10-01", "um2-faerre-paa-forsoergelse"), ("2021-10-01", "um4-virksomhedsrettet")]


def test_every_decision_names_its_rule_and_inputs(year: SimulationResult) -> None:
    ruled = [e for e in year.events if e.type in ("deviation_flagged", "action_demanded", "escalated", "notification")]
    assert ruled and all(e.rule and e.details.get("rule_hash") and "inputs" in e.details for e in ruled)
    assert all(e.at.year == 2021 for e in year.events)
    assert year.summary["counts"]["deviation_flagged"] == 5


def test_the_cli_writes_identical_outputs_twice(tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        proc = subprocess.run([sys.executable, "-m", "govcore.cli", "simulate", str(ROOT / "examples" / "vejle"),
                               "--year", "2021", "--out", str(out), "--quiet"],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        outs.append(out)
    for f in ("events.jsonl", "summary.json", "report.md", "report.html"):
        assert (outs[0] / f).read_bytes() == (outs[1] / f).read_bytes(), f
    lines = (outs[0] / "events.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert {"at", "type", "rule", "goal", "owner", "details"} <= set(first)


def test_embed_example_runs() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "embed.py")], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Open corrective actions:" in proc.stdout
    assert "action_submitted: act-0002" in proc.stdout
