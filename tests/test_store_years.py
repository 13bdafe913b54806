"""A stored run goes on from year to year: tick crosses the new year, observe, explain and audit
verify work across years, and the stored run takes configuration versions dated after its clock
while refusing ones that would rewrite the past."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import GOALS, write_config
from test_store import cli, dump

from govcore.config import load_config
from govcore.model import Observation
from govcore.store.audit import verify
from govcore.store.db import open_database
from govcore.store.run import RunError, observe, tick

EXTRA_GOAL = """
goals:
  - id: g-ledige-2022
    title: Højst 900 ledige
    level: political
    owner: chef
    kpi: ledige
    target: {kind: at_most, value: 900}
    followup: monthly
"""


def with_version(folder: Path, effective: str) -> Path:
    """Add a dated configuration version that adds a goal from `effective`."""
    (folder / "goals-extra.yaml").write_text(EXTRA_GOAL, encoding="utf-8")
    text = (folder / "municipality.yaml").read_text(encoding="utf-8")
    (folder / "municipality.yaml").write_text(
        text + f"versions:\n  - from: {effective}\n    description: Nyt mål\n"
               "    goals: [goals.yaml, goals-extra.yaml]\n", encoding="utf-8")
    return folder


def test_observe_explain_and_verify_across_the_new_year(db_url: str, tmp_path: Path, english: None) -> None:
    folder = write_config(tmp_path / "c", goals=GOALS)
    cfg = load_config(folder)
    tick(cfg, db_url, now=dt.date(2021, 12, 20))
    crossed = tick(cfg, db_url, now=dt.date(2022, 3, 31))
    assert crossed.events[0].type == "year_started"
    assert [e.details["covers"] for e in crossed.events if e.type == "followup"] == ["2021-12", "2022-01", "2022-02"]
    added = observe(cfg, db_url, [Observation(kpi="jobrate", period="2022-03", value=40.0, source="jobindsats",
                                              known_at=dt.date(2022, 3, 31))])
    assert added.added and added.clock.startswith("2022-03-31")
    assert [e.type for e in added.events] == ["observation"]
    later = tick(cfg, db_url, now=dt.date(2022, 10, 5))
    # The deviations of 2021 (the goal in March, the plan in September), never answered, carry
    # over: open, so neither is flagged again in 2022; 2022's milestone happens on its date.
    assert not [e for e in later.events if e.type == "deviation_flagged"]
    milestone = next(e for e in later.events if e.type == "milestone")
    assert milestone.at.date() == dt.date(2022, 9, 30)
    why = cli("explain", f"630/2021/{milestone.id}", "--db", db_url)
    assert why.exit_code == 0 and "2022-09-30" in why.output and "milestone of the annual wheel" in why.output
    why = cli("explain", added.events[0].id, "--db", db_url)
    assert why.exit_code == 0 and "a KPI value arrived" in why.output and "2022-03-31" in why.output
    history = cli("observations", "--db", db_url, "--kpi", "jobrate", "--period", "2022-03")
    assert "jobindsats" in history.output
    database = open_database(db_url)
    try:
        assert [r.problem for r in verify(database)] == [None]
    finally:
        database.close()


def test_a_stored_run_takes_a_version_dated_after_its_clock(db_url: str, tmp_path: Path) -> None:
    folder = write_config(tmp_path / "c")
    tick(load_config(folder), db_url, now=dt.date(2021, 5, 31))
    cfg = load_config(with_version(folder, "2021-07-01"))
    result = tick(cfg, db_url, now=dt.date(2021, 8, 15))
    changed = [e for e in result.events if e.type == "configuration_changed"]
    assert len(changed) == 1 and changed[0].at.isoformat() == "2021-07-01T00:00:00+02:00"
    assert any(e.goal == "g-ledige-2022" for e in result.events if e.type == "followup" or e.goal)
    # and it goes on from there with the new version as its configuration
    assert tick(cfg, db_url, now=dt.date(2021, 8, 15)).events == []


def test_a_version_that_would_rewrite_the_past_is_refused(db_url: str, tmp_path: Path, english: None) -> None:
    folder = write_config(tmp_path / "c")
    tick(load_config(folder), db_url, now=dt.date(2021, 5, 31))
    before = dump(db_url, "630")
    cfg = load_config(with_version(folder, "2021-03-01"))
    with pytest.raises(RunError, match=r"version effective 2021-03-01 was added, but the run of Vejle \(630\) "
                                       r"2021 is already at 2021-05-31T23:59.*rewrite the past.*2021-06-01 or later"):
        tick(cfg, db_url, now=dt.date(2021, 8, 15))
    assert dump(db_url, "630") == before
    out = cli("tick", str(folder), "--db", db_url, "--now", "2021-08-15")
    assert out.exit_code == 2 and "rewrite the past" in out.output


def test_a_live_run_takes_responses_from_the_respond_command(tmp_path: Path, english: None) -> None:
    folder = write_config(tmp_path / "c", responses="""
        responses:
          - {date: 2021-03-03, submit: {subject: g-job, text: Fra responses.yaml}}
    """)
    db = str(tmp_path / "live.db")
    first = tick(load_config(folder), db, now=dt.date(2021, 3, 5))
    assert "action_demanded" in [e.type for e in first.events]
    assert "action_submitted" not in [e.type for e in first.events]  # responses.yaml is not replayed
    early = cli("respond", "submit", str(folder), "act-0001", "--text", "x", "--at", "2021-03-01T10:00", "--db", db)
    assert early.exit_code == 2 and "before the run's clock" in early.output
    out = cli("respond", "submit", str(folder), "act-0001", "--text", "Flere virksomhedsbesøg",
              "--at", "2021-03-06T10:00", "--db", db)
    assert out.exit_code == 0 and "submit act-0001 stored for 2021-03-06 10:00, 0 new events" in out.output, out.output
    later = cli("tick", str(folder), "--db", db, "--now", "2021-03-07")
    assert "action_submitted" in later.output and "Flere virksomhedsbesøg" in later.output
    accepted = cli("respond", "accept", str(folder), "act-0001", "--at", "2021-03-08T09:00", "--db", db)
    assert accepted.exit_code == 0
    assert "action_accepted" in cli("tick", str(folder), "--db", db, "--now", "2021-03-08").output
    rows = dump(db, "630")["govcore_response"]
    assert [r[5] for r in rows] == ["submit", "accept"]  # kind; nothing from responses.yaml


def test_report_of_a_stored_run_as_of_a_date(tmp_path: Path, english: None) -> None:
    folder = write_config(tmp_path / "c")
    db = str(tmp_path / "live.db")
    cfg = load_config(folder)
    events = tick(cfg, db, now=dt.date(2021, 12, 31)).events + tick(cfg, db, now=dt.date(2022, 2, 10)).events
    stream = [e.to_json() + "\n" for e in events]

    out = cli("report", "--db", db, "-m", "630", "--config", str(folder), "--as-of", "2021-06-30",
              "--out", str(tmp_path / "june"), "--format", "md")
    assert out.exit_code == 0, out.output
    june = [e for e in events if e.at.date() <= dt.date(2021, 6, 30)]
    assert (tmp_path / "june" / "events.jsonl").read_text(encoding="utf-8") == "".join(stream[:len(june)])
    summary = json.loads((tmp_path / "june" / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == "2021-06-30T23:59:00+02:00" and summary["events"] == len(june)
    assert (tmp_path / "june" / "report.md").read_text(encoding="utf-8").strip()

    now = cli("report", "--db", db, "-m", "630", "--config", str(folder), "--out", str(tmp_path / "now"))
    assert now.exit_code == 0, now.output
    assert (tmp_path / "now" / "events.jsonl").read_text(encoding="utf-8") == "".join(stream)
    summary = json.loads((tmp_path / "now" / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == "2022-02-10T23:59:00+01:00" and summary["years"] == [2021, 2022]
    other = cli("report", "--db", db, "-m", "740", "--config", str(folder), "--out", str(tmp_path / "x"))
    assert other.exit_code == 2 and "not of 740" in other.output
