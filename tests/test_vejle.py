"""The Vejle example over Beskæftigelsesplan 2020-23, one continuous run: the specific events on their
dates, within 2021 and across the new years."""

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
def plan() -> SimulationResult:
    return simulate(load_config(ROOT / "examples" / "vejle"), start=dt.date(2020, 1, 1), until=dt.date(2023, 12, 31))


@pytest.fixture(scope="module")
def year(plan: SimulationResult) -> SimulationResult:
    """2021 inside the four-year run (it carries what 2020 left open)."""
    assert [y.year for y in plan.years] == [2020, 2021, 2022, 2023]
    return plan.years[1]


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
    statuses = {g: s["status"] for g, s in year.summary["goals"].items() if s["in_effect"]}
    assert statuses.pop("rm1-vaerdig-brugeroplevelse") == "off_track"
    assert set(statuses.values()) == {"on_track"} and len(statuses) == 20
    # ok2 starts in 2022: listed with the configuration, but not in effect at the end of 2021.
    assert year.summary["goals"]["ok2-aarspersoner-sygedagpenge"]["in_effect"] is False
    open_subjects = sorted(d["subject"] for d in year.summary["open_deviations"])
    assert open_subjects == ["kontanthjaelp", "rm1-vaerdig-brugeroplevelse"]


def test_at_risk_goals_are_notified_not_flagged(year: SimulationResult) -> None:
    risk = [(e.at.date().isoformat(), e.subject) for e in year.events if e.rule == "maal-i-risiko"]
    # In January the latest education-choice figure is 2019's (24,8 % against the path's 25 %).
    assert risk == [("2021-01-04", "fo2-unge-erhvervsuddannelse"), ("2021-02-01", "team-virksomhedsbesoeg"),
                    ("2021-05-03", "rm5-jobaabninger"),
                    ("2021-10-01", "um2-faerre-paa-forsoergelse"), ("2021-10-01", "um4-virksomhedsrettet")]


def test_every_decision_names_its_rule_and_inputs(year: SimulationResult) -> None:
    ruled = [e for e in year.events if e.type in ("deviation_flagged", "action_demanded", "escalated", "notification")]
    assert ruled and all(e.rule and e.details.get("rule_hash") and "inputs" in e.details for e in ruled)
    assert all(e.at.year == 2021 for e in year.events)
    assert year.summary["counts"]["deviation_flagged"] == 6


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


# ------------------------------------------------------------------------------ across the years

def test_the_new_years_goals_take_over_on_1_january(plan: SimulationResult) -> None:
    turns = [(e.at.isoformat(), e.type) for e in plan.events if e.type in ("year_started", "configuration_changed")
             and e.at.month == 1]
    assert turns == [(f"{y}-01-01T00:00:00+01:00", kind) for y in (2021, 2022, 2023)
                     for kind in ("configuration_changed", "year_started")]
    started = {e.details["year"]: e.details for e in plan.events if e.type == "year_started"}
    assert started[2021]["national_goals"] == [f"mm2021-{n}" for n in range(1, 6)]
    assert started[2022]["goals_ended"] == ["ok1-aarspersoner-sygedagpenge"]
    changed = next(e for e in plan.events if e.type == "configuration_changed")
    assert changed.details["goals_added"] == ["rm1-stadfaestelse", "rm1-vaerdig-brugeroplevelse",
                                              "rm2-job-efter-uddannelse", "rm2-opkvalificering"]
    # A goal answering a ministermål keeps its id and history: rm3 answered mm2020-2, now mm2021-3.
    assert "rm3-flygtninge" in changed.details["goals_changed"]
    summaries = {y.year: y.summary for y in plan.years}
    assert [n["id"] for n in summaries[2020]["national_goals"]] == ["mm2020-1", "mm2020-2", "mm2020-3"]
    assert "rm1-stadfaestelse" not in summaries[2020]["goals"]
    assert summaries[2021]["goals"]["rm1-stadfaestelse"]["in_effect"] is True


def test_a_goal_added_in_june_by_a_configuration_version(plan: SimulationResult) -> None:
    june = [e for e in plan.events if e.type == "configuration_changed" and e.at.month == 6]
    assert [(e.at.date(), e.details["goals_added"]) for e in june] == [(dt.date(2021, 6, 15), ["fo6-seniorer"])]
    senior = [(e.at.date().isoformat(), e.type) for e in plan.events if e.subject == "fo6-seniorer"]
    assert senior == [("2021-09-01", "deviation_flagged"), ("2021-09-01", "action_demanded"),
                      ("2021-09-10", "action_submitted"), ("2021-09-14", "action_accepted"),
                      ("2021-10-01", "deviation_closed")]


def test_an_action_demanded_in_december_is_escalated_in_january(plan: SimulationResult) -> None:
    demanded = find(plan, "action_demanded", "a-dagpenge")
    assert [(e.at.date(), e.rule, e.details["due"]) for e in demanded] == [
        (dt.date(2022, 12, 30), "budget-kvartal-over-budget", "2023-01-13")]
    action = demanded[0].details["action"]
    started = next(e for e in plan.events if e.type == "year_started" and e.details["year"] == 2023)
    assert action in started.details["open_actions"]
    story = [(e.at.date().isoformat(), e.type, e.owner) for e in plan.events
             if action in (e.subject, e.details.get("action")) and e.type != "notification"]
    assert story == [("2022-12-30", "action_demanded", "center-job-erhverv"),
                     ("2023-01-14", "action_overdue", "center-job-erhverv"),
                     ("2023-01-14", "escalated", "arbejdsmarkedschef"),
                     ("2023-01-20", "action_submitted", "arbejdsmarkedschef"),
                     ("2023-01-25", "action_accepted", "arbejdsmarkedschef")]
    closed = find(plan, "deviation_closed", "a-dagpenge")
    assert [e.at.date() for e in closed] == [dt.date(2023, 3, 31)]
    # The kontanthjælp overrun of 2021 was never answered: its deviation stays open over the new
    # year and closes when the 2022 figures are back inside the budget.
    assert [e.at.date() for e in find(plan, "deviation_closed", "kontanthjaelp")] == [dt.date(2022, 3, 31)]


def test_a_trajectory_is_followed_across_years(plan: SimulationResult) -> None:
    path = {y.year: y.summary["goals"]["fo2-unge-erhvervsuddannelse"] for y in plan.years}
    assert {y: (g["actual"], round(g["expected"], 2), g["status"]) for y, g in path.items()} == {
        2020: (24.8, 25.0, "at_risk"), 2021: (26.4, 26.0, "on_track"), 2022: (27.2, 27.0, "on_track"),
        2023: (27.6, 28.0, "at_risk")}
    risk = [e.at.date() for e in plan.events
            if e.rule == "maal-i-risiko" and e.subject == "fo2-unge-erhvervsuddannelse"]
    assert risk[-1] == dt.date(2023, 7, 3)
    # ok2: down 100 from December 2021 to December 2023, a baseline two years back.
    ok2 = plan.summary["goals"]["ok2-aarspersoner-sygedagpenge"]
    assert ok2["period"] == "2023-11" and ok2["status"] in ("on_track", "at_risk")


def test_a_milestone_moved_in_one_year(plan: SimulationResult) -> None:
    due = [(e.at.date().isoformat()) for e in plan.events if e.type == "milestone"
           and e.details["wheel"] == "beskaeftigelsesplan-30-09"]
    assert due == ["2020-09-30", "2021-09-30", "2022-10-14", "2023-09-29"]
    delivered = [(e.at.date().isoformat(), e.details["due"], e.details["days_late"])
                 for e in find(plan, "deliverable_delivered", "beskaeftigelsesplan")]
    assert delivered == [("2020-09-24", "2020-09-30", 0), ("2021-09-28", "2021-09-30", 0),
                         ("2022-10-10", "2022-10-14", 0), ("2023-09-26", "2023-09-29", 0)]
    assert not find(plan, "deviation_flagged", "beskaeftigelsesplan")


def test_every_year_had_observations_and_events_are_in_time_order(plan: SimulationResult) -> None:
    assert plan.summary["years_without_observations"] == []
    assert [e.at for e in plan.events] == sorted(e.at for e in plan.events)
    assert [e.seq for e in plan.events] == list(range(1, len(plan.events) + 1))


def test_a_year_far_beyond_the_data_is_never_judged_on_old_figures(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "govcore.cli", "simulate", str(ROOT / "examples" / "vejle"),
                           "--year", "2030", "--out", str(tmp_path), "--quiet"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "advarsel: der kom slet ingen observationer i 2030" in proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["years_without_observations"] == [2030]
    judged = {g: s for g, s in summary["goals"].items() if s["in_effect"] and s["status"] != "no_data"}
    assert judged == {}
    stale = summary["goals"]["fo3-rekruttering"]
    assert "er fra 2023-11, og tal må højst være 2 måneder gamle" in stale["explanation"]
