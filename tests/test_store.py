"""Persistence and audit (govcore.store): runs in SQLite and PostgreSQL, in one process.

Every test that takes `db_url` runs against a SQLite file and against PostgreSQL. The PostgreSQL
variant needs GOVCORE_TEST_PG_URL (see docs/persistence.md; `.ci/postgres.sh` prints it); without
it the variant is skipped, except under CI, where it fails: CI must never go green by skipping.
Crashes and concurrent processes are tested in test_store_processes.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import re
import shutil
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import write_config

from govcore.cli import main
from govcore.config import Configuration, load_config
from govcore.engine import Engine
from govcore.model import Observation
from govcore.simulate import SimulationResult, simulate
from govcore.store import chain
from govcore.store.audit import verify
from govcore.store.config_observations import run_rows
from govcore.store.db import Database, open_database
from govcore.store.run import (
    COPY_ROWS,
    PersistentRun,
    RunError,
    config_fingerprint,
    observe,
    opened,
    simulate_persistent,
    tick,
)
from govcore.store.schema import SCHEMA_VERSION
from govcore.store.tables import TABLES

ROOT = Path(__file__).resolve().parent.parent
VEJLE = ROOT / "examples" / "vejle"
END = dt.date(2021, 12, 31)


# ------------------------------------------------------------------------------------ helpers


def copy_example(dest: Path, *, code: str | None = None, responses: bool = True) -> Path:
    """A copy of examples/vejle (another municipality code; without the human responses)."""
    shutil.copytree(VEJLE, dest, ignore=shutil.ignore_patterns("tools"))
    p = dest / "municipality.yaml"
    text = p.read_text(encoding="utf-8").replace("../../rules", str(ROOT / "rules"))
    if code:
        text = re.sub(r"(?m)^municipality: \d+", f"municipality: {code}", text)
    if not responses:
        text = re.sub(r"(?m)^responses: .*\n", "", text)
    p.write_text(text, encoding="utf-8")
    return dest


def dump(url: str, code: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of one municipality, table by table, in key order."""
    database = open_database(url)
    try:
        with database.engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(
                sa.select(t).where(t.c.municipality == code).order_by(*t.primary_key.columns))]
                for t in TABLES if "municipality" in t.c}
    finally:
        database.close()


def table_dicts(url: str, name: str, code: str) -> list[dict[str, Any]]:
    database = open_database(url)
    try:
        return database.read(lambda conn: [dict(r._mapping) for r in conn.execute(
            sa.text(f"SELECT * FROM {name} WHERE municipality = :m ORDER BY 1, 2, 3"), {"m": code})])
    finally:
        database.close()


def execute(url: str, sql: str, **params: Any) -> int:
    database = open_database(url)
    try:
        return database.write(lambda conn: conn.execute(sa.text(sql), params).rowcount)
    finally:
        database.close()


def cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def vejle() -> Configuration:
    return load_config(VEJLE, year=2021)


@pytest.fixture(scope="module")
def vejle_plain(vejle: Configuration) -> SimulationResult:
    return simulate(vejle)


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Configuration:
    """Silkeborg (740) on Vejle's data but without responses: more escalations, another log."""
    return load_config(copy_example(tmp_path_factory.mktemp("silkeborg") / "cfg", code="740", responses=False),
                       year=2021)


@pytest.fixture(scope="module")
def other_plain(other: Configuration) -> SimulationResult:
    return simulate(other)


def small(folder: Path, **kwargs: Any) -> Configuration:
    return load_config(write_config(folder, **kwargs))


def same_result(a: SimulationResult, b: SimulationResult) -> None:
    assert a.events_jsonl() == b.events_jsonl()
    assert json.dumps(a.summary, sort_keys=True) == json.dumps(b.summary, sort_keys=True)


# ------------------------------------------------------------------------------ a stored year


def test_a_stored_year_is_the_simulated_year(db_url: str, vejle: Configuration,
                                             vejle_plain: SimulationResult) -> None:
    result = simulate_persistent(vejle, db_url)
    same_result(result, vejle_plain)
    rows = dump(db_url, "630")
    assert [r[2] for r in rows["govcore_event"]] == list(range(1, len(vejle_plain.events) + 1))
    # The configuration's observations are not stored per run (schema 7): they are derived from
    # the stored configuration, numbered 1…N as they used to be stored.
    assert rows["govcore_observation"] == []
    with opened(db_url) as database:
        derived = run_rows(database, "630", "2021-01-01", lambda: vejle)
    assert [r["n"] for r in derived] == list(range(1, len(vejle.observations) + 1))
    assert {r["origin"] for r in derived} == {"configuration"}
    stored = {name: table_dicts(db_url, name, "630") for name in (
        "govcore_deviation", "govcore_action", "govcore_escalation", "govcore_run")}
    with Engine(vejle) as engine:
        engine.run_year()
        assert {r["id"]: r["state"] for r in stored["govcore_deviation"]} == {
            d.id: d.state.value for d in engine.deviations.values()}
        assert {r["id"]: (r["owner"], r["state"], r["escalation_level"]) for r in stored["govcore_action"]} == {
            a.id: (a.owner, a.state.value, a.escalation_level) for a in engine.actions.values()}
        assert sorted(r["id"] for r in stored["govcore_escalation"]) == sorted(engine.escalations)
        (run,) = stored["govcore_run"]
        assert (run["items"], run["events"], run["inputs"]) == (engine.items_processed, len(engine.events), 0)
        assert run["complete"] and run["clock"] == "2021-12-31T23:59:00+01:00"
    reports = verify(open_database(db_url))
    assert [(r.municipality, r.problem) for r in reports] == [("630", None)]


def test_every_event_is_a_decision_record(db_url: str, vejle: Configuration) -> None:
    simulate_persistent(vejle, db_url)
    database = open_database(db_url)
    rules = database.read(lambda c: {(r.rule_id, r.rule_hash) for r in c.execute(sa.text(
        "SELECT rule_id, rule_hash FROM govcore_rule WHERE municipality = '630'"))})
    events = database.read(lambda c: [dict(r._mapping) for r in c.execute(sa.text(
        "SELECT * FROM govcore_event WHERE municipality = '630' ORDER BY seq"))])
    database.close()
    ruled = [e for e in events if e["rule"]]
    assert ruled
    for e in ruled:
        d = json.loads(e["details"])
        assert (e["rule"], d["rule_hash"]) in rules  # the rule's version is stored
        assert isinstance(d["inputs"], dict) and d["inputs"]
        assert e["at"].startswith("2021-")
    assert all(e["prev_hash"] == p["hash"] for p, e in itertools.pairwise(events))


def test_a_stored_run_is_not_started_twice(db_url: str, tmp_path: Path, english: None) -> None:
    cfg = small(tmp_path / "c")
    simulate_persistent(cfg, db_url)
    with pytest.raises(RunError, match=r"already holds a run of .* add --resume"):
        simulate_persistent(cfg, db_url)
    again = simulate_persistent(cfg, db_url, resume=True)
    same_result(again, simulate(cfg))


def test_resume_continues_a_partly_stored_run(db_url: str, vejle: Configuration,
                                              vejle_plain: SimulationResult) -> None:
    database = open_database(db_url)
    try:  # a simulation stored up to 14 June, then interrupted
        with PersistentRun.open(database, vejle, fresh=True) as run:
            run.advance(run.engine.calendar.local_datetime(dt.date(2021, 6, 14), 23, 59))
    finally:
        database.close()
    before = dump(db_url, "630")
    assert 0 < len(before["govcore_event"]) < len(vejle_plain.events)
    same_result(simulate_persistent(vejle, db_url, resume=True), vejle_plain)
    after = dump(db_url, "630")
    assert after["govcore_event"][:len(before["govcore_event"])] == before["govcore_event"]  # append-only


# ------------------------------------------------------------------------------------ tick


def test_tick_is_idempotent_per_day_and_crosses_the_new_year(db_url: str, tmp_path: Path) -> None:
    cfg = small(tmp_path / "c", responses="""
        responses:
          - {date: 2021-02-10, submit: {subject: g-job, text: Flere virksomhedsbesøg}}
    """)
    first = tick(cfg, db_url, now=dt.date(2021, 3, 15))
    assert first.events and first.clock == "2021-03-15T23:59:00+01:00"
    snapshot = dump(db_url, "630")
    assert tick(cfg, db_url, now=dt.date(2021, 3, 15)).events == []
    assert tick(cfg, db_url, now=dt.date(2021, 3, 1)).events == []  # the past: nothing to do
    assert dump(db_url, "630") == snapshot
    events = list(first.events)
    for day in (dt.date(2021, 3, 16), dt.date(2021, 7, 1), dt.date(2021, 7, 1), dt.date(2021, 12, 31)):
        events += tick(cfg, db_url, now=day).events
    # A live run: responses.yaml is simulation input, not what people answered — not replayed.
    assert not any(e.type == "action_submitted" for e in events)
    plain = simulate(dataclasses.replace(cfg, responses=[]))
    assert "".join(e.to_json() + "\n" for e in events) == plain.events_jsonl()
    # The run goes on into the new year with no intervention.
    later = tick(cfg, db_url, now=dt.date(2022, 3, 2))
    assert not later.complete and later.clock == "2022-03-02T23:59:00+01:00"
    assert later.events[0].type == "year_started" and later.events[0].at.isoformat() == "2022-01-01T00:00:00+01:00"
    assert {e.at.year for e in later.events} == {2022}
    assert any(e.type == "followup" and e.at.date() == dt.date(2022, 3, 1) for e in later.events)
    assert [r.problem for r in verify(open_database(db_url))] == [None]


def test_tick_from_the_command_line(tmp_path: Path, english: None) -> None:
    folder = write_config(tmp_path / "c")
    db = str(tmp_path / "live.db")
    out = cli("tick", str(folder), "--db", db, "--now", "2021-02-01")
    assert out.exit_code == 0, out.output
    assert re.search(r"Vejle 2021: \d+ new events \(clock 2021-02-01T23:59:00\+01:00", out.output)
    again = cli("tick", str(folder), "--db", db, "--now", "2021-02-01")
    assert "0 new events" in again.output
    bad = cli("tick", str(folder), "--db", db, "--now", "1 February")
    assert bad.exit_code == 2 and "not an ISO date" in bad.output


# ----------------------------------------------------------------------------- corrections


CORRECTABLE = """kpi,period,value,known_at
jobrate,2020-12,52,2021-01-02
jobrate,2021-01,51,2021-02-02
jobrate,2021-02,52,2021-03-02
jobrate,2021-03,53,2021-04-02
ledige,2020-12,950,2021-01-02
"""


def test_a_correction_is_a_new_row_and_goals_are_evaluated_again(db_url: str, tmp_path: Path, english: None) -> None:
    cfg = small(tmp_path / "c", observations=CORRECTABLE)
    tick(cfg, db_url, now=dt.date(2021, 4, 20))
    fix = Observation(kpi="jobrate", period="2021-03", value=41.0, source="Jobindsats, rettet")
    result = observe(cfg, db_url, [fix], received_at=dt.datetime(2021, 4, 20, 14, 5, tzinfo=dt.UTC))
    (row,) = result.added
    assert row["supersedes"] == 4 and row["known_at"] == "2021-04-20" and row["origin"] == "added"
    assert row["received_at"] == "2021-04-20T14:05:00+00:00"
    assert [e.type for e in result.events] == ["observation"]

    database = open_database(db_url)
    with PersistentRun.open(database, cfg, create=False) as run:
        goal = cfg.goal("g-job")
        assert run.engine.goal_result(goal).actual == 41.0  # the corrected value counts from now
        assert run.engine.goal_result(goal, dt.date(2021, 4, 19)).actual == 53.0  # and not before
        run.advance(run.engine.calendar.local_datetime(dt.date(2021, 5, 31), 23, 59))
        flagged = [e for e in run.engine.events if e.type == "deviation_flagged" and e.subject == "g-job"]
        assert flagged and flagged[-1].details["inputs"]["value"] == 41.0
    database.close()

    history = cli("observations", "--db", db_url, "--kpi", "jobrate", "--period", "2021-03")
    assert history.exit_code == 0, history.output
    lines = [ln for ln in history.output.splitlines() if ln.startswith("  #")]
    assert len(lines) == 2
    assert "= 53" in lines[0] and "replaced by #6" in lines[0]
    assert "= 41" in lines[1] and "Jobindsats, rettet" in lines[1] and "added" in lines[1] and "✓" in lines[1]

    # The same steps on an engine in memory give the same events: the store changes nothing.
    with Engine(cfg) as engine:
        engine.advance_to(dt.date(2021, 4, 20))
        engine.observe(fix.model_copy(update={"known_at": dt.date(2021, 4, 20)}))
        engine.advance_to(dt.date(2021, 12, 31))
        expected = [e.to_json() for e in engine.events]
    final = simulate_persistent(cfg, db_url, resume=True)
    assert [e.to_json() for e in final.events] == expected


def test_observe_from_the_command_line(tmp_path: Path, english: None) -> None:
    folder = write_config(tmp_path / "c", observations=CORRECTABLE)
    db = str(tmp_path / "g.db")
    assert cli("tick", str(folder), "--db", db, "--now", "2021-04-20").exit_code == 0
    csv = tmp_path / "rettelse.csv"
    csv.write_text("kpi,period,value,source\njobrate,2021-03,41,Jobindsats (rettet)\n", encoding="utf-8")
    out = cli("observe", str(folder), str(csv), "--db", db)
    assert out.exit_code == 0, out.output
    assert "1 observation added" in out.output and "(corrects #4)" in out.output
    assert "figure jobrate 2021-03 = 41" in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("kpi,period,value\nukendt,2021-03,1\n", encoding="utf-8")
    out = cli("observe", str(folder), str(bad), "--db", db)
    assert out.exit_code == 2 and "unknown KPI 'ukendt'" in out.output


def test_responses_can_be_added_to_a_stored_run(db_url: str, tmp_path: Path, english: None) -> None:
    from govcore.config import Response
    from govcore.store.run import respond

    cfg = small(tmp_path / "c")
    tick(cfg, db_url, now=dt.date(2021, 3, 2))
    database = open_database(db_url)
    with PersistentRun.open(database, cfg, create=False) as run:
        action = next(a for a in run.engine.actions.values() if a.subject == "g-job")
    database.close()
    respond(cfg, db_url, [Response(date=dt.date(2021, 3, 3), submit={"action": action.id, "text": "Plan"})])
    events = tick(cfg, db_url, now=dt.date(2021, 3, 3)).events
    assert [e.type for e in events] == ["action_submitted"]
    rows = table_dicts(db_url, "govcore_response", "630")
    assert [(r["kind"], r["origin"], r["fed_items"]) for r in rows] == [("submit", "added", run.items)]
    with pytest.raises(RunError, match="before the run's clock"):
        respond(cfg, db_url, [Response(date=dt.date(2021, 1, 4), deliver="plan")])


# ------------------------------------------------------------------- changed configurations


def test_resume_refuses_a_changed_configuration(db_url: str, tmp_path: Path, english: None) -> None:
    folder = write_config(tmp_path / "c")
    tick(load_config(folder), db_url, now=dt.date(2021, 3, 1))
    goals = folder / "goals.yaml"
    goals.write_text(goals.read_text(encoding="utf-8").replace("value: 50", "value: 45"), encoding="utf-8")
    changed = load_config(folder)
    with pytest.raises(RunError, match=r"the configuration changed .* \(changed: goals\b.*\).* delete-run"):
        simulate_persistent(changed, db_url, resume=True)
    with pytest.raises(RunError, match="configuration changed"):
        tick(changed, db_url, now=dt.date(2021, 3, 2))


def test_resume_refuses_a_changed_rule_file(db_url: str, tmp_path: Path, english: None) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    folder = write_config(tmp_path / "c", rules=[str(rules / "*.yaml")])
    tick(load_config(folder), db_url, now=dt.date(2021, 3, 1))
    f = rules / "goals.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("10 working days", "8 working days"), encoding="utf-8")
    with pytest.raises(RunError, match=r"configuration changed .*\(changed: rules, rules:rules/goals.yaml\)"):
        simulate_persistent(load_config(folder), db_url, resume=True)


def test_the_fingerprint_ignores_where_the_configuration_lives(tmp_path: Path) -> None:
    a = small(tmp_path / "a")
    b = small(tmp_path / "b")
    jan = dt.date(2021, 1, 1)
    assert config_fingerprint(a, jan) == config_fingerprint(b, jan) != config_fingerprint(a, dt.date(2022, 1, 1))


def test_resume_refuses_a_log_that_does_not_replay(db_url: str, tmp_path: Path, english: None) -> None:
    cfg = small(tmp_path / "c")
    tick(cfg, db_url, now=dt.date(2021, 3, 1))
    execute(db_url, "UPDATE govcore_event SET details = :d WHERE municipality = '630' AND seq = 3",
            d='{"forged":true}')
    with pytest.raises(RunError, match="not intact: entry e000003 was changed"):
        simulate_persistent(cfg, db_url, resume=True)
    # A forged entry with a consistent chain (hashes recomputed) is caught by the replay.
    rows = table_dicts(db_url, "govcore_event", "630")
    head = chain.genesis("630", dt.date(2021, 1, 1))
    for r in rows:
        r["hash"] = chain.link(head, chain.row_json(r))
        execute(db_url, "UPDATE govcore_event SET prev_hash = :p, hash = :h WHERE municipality = '630' AND seq = :s",
                p=head, h=r["hash"], s=r["seq"])
        head = r["hash"]
    execute(db_url, "UPDATE govcore_run SET head_hash = :h WHERE municipality = '630'", h=head)
    assert cli("audit", "verify", "--db", db_url).exit_code == 0
    with pytest.raises(RunError, match="does not reproduce its event e000003"):
        simulate_persistent(cfg, db_url, resume=True)


# ------------------------------------------------------------------------------ audit, explain


def test_audit_verify_reports_the_first_changed_or_removed_entry(db_url: str, vejle: Configuration,
                                                                 english: None) -> None:
    simulate_persistent(vejle, db_url)
    ok = cli("audit", "verify", "--db", db_url)
    assert ok.exit_code == 0 and re.search(r"OK +630 2021: \d+ events, chain intact", ok.output)

    original = dump(db_url, "630")["govcore_event"][41]
    execute(db_url, "UPDATE govcore_event SET owner = 'someone-else' WHERE municipality = '630' AND seq = 42")
    out = cli("audit", "verify", "--db", db_url)
    assert out.exit_code == 1 and "entry e000042 was changed" in out.output
    execute(db_url, "UPDATE govcore_event SET owner = :o WHERE municipality = '630' AND seq = 42", o=original[8])
    assert cli("audit", "verify", "--db", db_url).exit_code == 0

    execute(db_url, "DELETE FROM govcore_event WHERE municipality = '630' AND seq = 100")
    out = cli("audit", "verify", "--db", db_url)
    assert out.exit_code == 1 and "entry e000100 was removed" in out.output

    execute(db_url, "DELETE FROM govcore_event WHERE municipality = '630' AND seq >= 99")
    out = cli("audit", "verify", "--db", db_url)
    assert out.exit_code == 1 and re.search(r"entry e000099…e\d+ was removed \(the run records", out.output)


def test_a_rehashed_change_is_caught_at_the_next_link(tmp_path: Path, english: None) -> None:
    db = str(tmp_path / "g.db")
    simulate_persistent(small(tmp_path / "c"), db)
    with sqlite3.connect(db) as conn:
        (prev,) = conn.execute("SELECT prev_hash FROM govcore_event WHERE seq = 5").fetchone()
        row = dict(zip(["seq", "item", "at", "type", "rule", "goal", "owner", "subject", "subject_kind", "details"],
                       conn.execute("SELECT seq, item, at, type, rule, goal, owner, subject, subject_kind, details "
                                    "FROM govcore_event WHERE seq = 5").fetchone(), strict=True))
        row["owner"] = "forged"
        conn.execute("UPDATE govcore_event SET owner = 'forged', hash = ? WHERE seq = 5",
                     (chain.link(prev, chain.row_json(row)),))
    out = cli("audit", "verify", "--db", db)
    assert out.exit_code == 1 and "entry e000005 was changed and its hash recomputed" in out.output


def test_explain_says_why_in_plain_words(db_url: str, vejle: Configuration, vejle_plain: SimulationResult,
                                         english: None) -> None:
    simulate_persistent(vejle, db_url)
    flagged = next(e for e in vejle_plain.events if e.type == "deviation_flagged" and e.subject_kind == "goal")
    demanded = next(e for e in vejle_plain.events if e.type == "action_demanded"
                    and e.details["deviation"] == flagged.details["deviation"])
    out = cli("explain", flagged.id, "--db", db_url)
    assert out.exit_code == 0, out.output
    text = out.output
    assert f"{flagged.id}  {flagged.at:%Y-%m-%d %H:%M}  Vejle (630) 2021  deviation_flagged" in text
    assert f"Why: rule '{flagged.rule}' — {flagged.details['rule_title']}" in text
    assert f"file {flagged.details['rule_file']}, line " in text and flagged.details["rule_hash"] in text
    assert "✓ status == off_track   (status was off_track)" in text
    assert "✓ open_deviation == false   (open_deviation was false)" in text
    assert f"deviation {flagged.details['deviation']} opened for {flagged.subject}: {flagged.details['reason']}" in text
    assert "What it led to:" in text and f"{demanded.id}" in text and demanded.details["action"] in text
    # the occasion: the follow-up at which the rule was tested
    assert re.search(r"It was tested at: e\d{6} followup", text)

    first = cli("explain", "e000001", "--db", db_url)
    assert "Why: no rule" in first.output
    missing = cli("explain", "e999999", "--db", db_url)
    assert missing.exit_code == 2 and "has no event e999999" in missing.output
    assert cli("explain", "nonsense", "--db", db_url).exit_code == 2


def test_explain_works_after_the_rule_file_changed(tmp_path: Path, english: None) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    folder = write_config(tmp_path / "c", rules=[str(rules / "*.yaml")])
    db = str(tmp_path / "g.db")
    result = simulate_persistent(load_config(folder), db)
    flagged = next(e for e in result.events if e.type == "deviation_flagged")
    (rules / "goals.yaml").write_text("rules: []\n", encoding="utf-8")  # gone from disk
    out = cli("explain", flagged.id, "--db", db)
    assert out.exit_code == 0 and "Conditions, with the values they were tested on:" in out.output


# --------------------------------------------------------------------- several municipalities


TENANT_TABLES = {t.name for t in TABLES if "municipality" in t.c}


def test_municipalities_share_a_database_without_touching_each_other(
        db_url: str, vejle: Configuration, vejle_plain: SimulationResult, other: Configuration,
        other_plain: SimulationResult, monkeypatch: pytest.MonkeyPatch, english: None) -> None:
    simulate_persistent(vejle, db_url)
    vejle_rows = dump(db_url, "630")

    database = open_database(db_url)
    statements: list[tuple[str, Any]] = []
    sa.event.listen(database.engine, "before_cursor_execute",
                    lambda conn, cursor, stmt, params, context, many: statements.append((stmt, params)))
    copied: list[tuple[Any, ...]] = []  # rows PostgreSQL takes through COPY bypass the listener
    if database.dialect == "postgresql":
        import psycopg

        write_row = psycopg.Copy.write_row

        def spy(self: psycopg.Copy, row: Any) -> None:
            copied.append(tuple(row))
            write_row(self, row)

        monkeypatch.setattr(psycopg.Copy, "write_row", spy)
    commits: list[int] = []
    with PersistentRun.open(database, other) as run:
        run.advance(run.end, commits.append)
        result = SimulationResult(other, 2021, list(run.engine.events), {})
    database.close()
    assert result.events_jsonl() == other_plain.events_jsonl()
    touched = 0
    for stmt, params in statements:
        names = set(re.findall(r"govcore_[a-z_]+", stmt)) & TENANT_TABLES
        if not names:
            continue
        touched += 1
        assert "municipality" in stmt, stmt
        flat = json.dumps(params, default=str)
        assert '"740"' in flat and '"630"' not in flat, (stmt, params)
    for row in copied:
        assert "740" in row and "630" not in row, row
    assert len(commits) >= 2 and touched > len(commits)  # every batch's writes were seen (a simulation: 500 items each)
    if database.dialect == "postgresql":
        assert len(copied) >= len(result.events) > COPY_ROWS  # the batches' events, every one

    assert dump(db_url, "630") == vejle_rows  # Silkeborg's run left Vejle's rows alone
    same_result(simulate_persistent(vejle, db_url, resume=True), vejle_plain)
    runs = cli("db", "status", "--db", db_url)
    assert "630 Vejle" in runs.output and "740 Silkeborg" in runs.output

    execute(db_url, "UPDATE govcore_event SET type = 'forged' WHERE municipality = '740' AND seq = 7")
    out = cli("audit", "verify", "--db", db_url)
    assert out.exit_code == 1
    assert re.search(r"OK +630 2021", out.output) and "TAMPERED  740 2021: entry e000007 was changed" in out.output
    ambiguous = cli("explain", "e000007", "--db", db_url)
    assert ambiguous.exit_code == 2 and "choose one with --municipality and --year" in ambiguous.output
    assert "Silkeborg (740) 2021" in cli("explain", "740/2021/e000007", "--db", db_url).output

    assert cli("db", "delete-run", "--db", db_url, "-m", "740", "--year", "2021", "--yes").exit_code == 0
    assert all(not rows for name, rows in dump(db_url, "740").items()
               if name not in ("govcore_config_version", "govcore_config_file", "govcore_rule"))
    assert dump(db_url, "630") == vejle_rows


# ---------------------------------------------------------------------------- schema, errors


def test_schema_init_status_and_upgrade(db_url: str, english: None) -> None:
    out = cli("db", "init", "--db", db_url)
    assert out.exit_code == 0 and f"created the govcore schema (version {SCHEMA_VERSION})" in out.output
    assert "already has the govcore schema" in cli("db", "init", "--db", db_url).output
    assert "is up to date" in cli("db", "upgrade", "--db", db_url).output
    assert "no runs stored" in cli("db", "status", "--db", db_url).output

    execute(db_url, "UPDATE alembic_version SET version_num = '9999'")
    out = cli("audit", "verify", "--db", db_url)
    assert out.exit_code == 2 and "schema version 9999, newer than this govcore understands" in out.output


def test_the_default_database_is_a_wal_sqlite_file_in_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVCORE_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli("db", "init").exit_code == 0
    with sqlite3.connect(tmp_path / "govcore.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "govcore.db" in cli("db", "status").output


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://u@h/db", "govcore cannot store in 'mysql' databases"),
    ("not a url://x", "is not a database URL"),
    ("sqlite://", "names no file"),
    ("postgresql+psycopg2://u@localhost/db", "use the psycopg driver"),
    ("postgresql+psycopg://u:secret@127.0.0.1:1/db", "cannot connect to the database postgresql+psycopg://u:***@"),
    ("{tmp}/no/such/folder/g.db", "the folder"),
    ("{tmp}", "is a folder"),
])
def test_database_errors_are_one_clear_line(url: str, message: str, tmp_path: Path, english: None) -> None:
    out = cli("db", "status", "--db", url.replace("{tmp}", str(tmp_path)))
    assert out.exit_code == 2
    assert message in out.output and "secret" not in out.output
    assert out.output.count("\n") == 1


def test_commands_on_an_empty_database_say_what_to_do(tmp_path: Path, english: None) -> None:
    db = str(tmp_path / "empty.db")
    out = cli("audit", "verify", "--db", db)
    assert out.exit_code == 2 and "there is no database" in out.output and "govcore db init" in out.output
    sqlite3.connect(db).close()
    out = cli("audit", "verify", "--db", db)
    assert out.exit_code == 2 and "holds no govcore data" in out.output and "govcore db init" in out.output
    cli("db", "init", "--db", db)
    out = cli("explain", "e000001", "--db", db)
    assert out.exit_code == 2 and "holds no run" in out.output


def test_two_writers_of_one_run_cannot_fork_its_log(db_url: str, tmp_path: Path, english: None) -> None:
    cfg = small(tmp_path / "c")
    tick(cfg, db_url, now=dt.date(2021, 2, 1))
    database = open_database(db_url)
    first, second = (PersistentRun.open(database, cfg, create=False) for _ in range(2))
    first.advance(first.engine.calendar.local_datetime(dt.date(2021, 3, 1), 23, 59))
    with pytest.raises(RunError, match="was changed by another process"):
        second.advance(second.engine.calendar.local_datetime(dt.date(2021, 3, 1), 23, 59))
    first.close()
    second.close()
    database.close()
    assert cli("audit", "verify", "--db", db_url).exit_code == 0


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("not a database at all, just some text that is long enough " * 20, encoding="utf-8")
    out = cli("db", "status", "--db", str(f))
    assert out.exit_code == 2 and "file is not a database" in out.output


def test_a_database_object_is_reused_not_closed(tmp_path: Path) -> None:
    database: Database = open_database(str(tmp_path / "g.db"))
    cfg = small(tmp_path / "c")
    tick(cfg, database, now=dt.date(2021, 2, 1))
    tick(cfg, database, now=dt.date(2021, 3, 1))
    assert database.read(lambda c: c.execute(sa.text("SELECT count(*) FROM govcore_run")).scalar_one()) == 1
    database.close()


def test_docs_describe_every_store_command() -> None:
    text = (ROOT / "docs" / "persistence.md").read_text(encoding="utf-8")
    for command in ("govcore db init", "govcore db upgrade", "govcore db status", "govcore db delete-run",
                    "govcore audit verify", "govcore audit checkpoint",
                    "govcore explain", "govcore tick", "govcore observe",
                    "govcore observations", "--resume", "GOVCORE_TEST_PG_URL", ".ci/postgres.sh",
                    "tests/crash.py"):
        assert command in text, command
    assert textwrap.dedent(text)
