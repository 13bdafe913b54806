"""The decision an under-delivering initiative demands (continue, adjust, close) is answered,
checked, recorded with who and when, and acted on: through the engine, responses.yaml and
`govcore respond decide` on a stored run."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from govcore import ConfigError, Engine, load_config
from govcore.cli import main
from govcore.errors import DecisionError
from govcore.store.db import open_database
from govcore.store.run import tick

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "hilleroed"
STRAKS = "straksaktivering-unge"


def cli(*args: str) -> object:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_decide_through_the_engine_closes_the_deviation_and_ends_the_follow_up() -> None:
    with Engine(load_config(EXAMPLE)) as engine:
        engine.advance_to(dt.date(2014, 7, 1))
        [open_dec] = engine.open_decisions()
        assert (open_dec.id, open_dec.subject, open_dec.role) == ("dec-0001", STRAKS, "jobcenterchef")
        assert open_dec.options == ("continue", "adjust", "close")
        with pytest.raises(DecisionError, match=r"unknown decision 'dec-0010' \(did you mean 'dec-0001'\?\)") as e:
            engine.decide("dec-0010", "close")
        assert e.value.field == "decision"
        with pytest.raises(DecisionError, match=r"'luk' is not an option of decision 'dec-0001'") as e:
            engine.decide("dec-0001", "luk")
        assert e.value.field == "option"
        assert engine.open_decisions() == [open_dec]  # a refused answer changes nothing
        events = engine.decide("dec-0001", "close", text="Leverer ikke", by="Jobcenterchef Hansen")
        made, closed = events
        assert made.type == "decision_made" and made.owner == "jobcenterchef"
        assert made.details["option"] == "close" and made.details["by"] == "Jobcenterchef Hansen"
        assert made.at.date() == dt.date(2014, 7, 1) and made.details["ends_followup"] is True
        assert closed.type == "deviation_closed" and closed.details["note"] == "besluttet: close – Leverer ikke"
        assert not engine.open_deviations() and not engine.open_decisions()
        with pytest.raises(DecisionError, match="was taken on 2014-07-01: close"):
            engine.decide("dec-0001", "continue")
        before = len(engine.events)
        engine.advance_to(dt.date(2017, 6, 30))
        assert not [e for e in engine.events[before:] if e.subject == STRAKS]
        assert [e.subject for e in engine.events[before:] if e.type == "followup"]  # meetings go on


def test_adjust_keeps_following_up_with_the_note() -> None:
    with Engine(load_config(EXAMPLE)) as engine:
        engine.advance_to(dt.date(2014, 7, 1))
        engine.decide("dec-0001", "adjust", text="Målgruppen indsnævres")
        subject = next(s for s in engine._subjects("initiative") if s.id == STRAKS)
        fields = engine._state_fields(subject)
        assert fields["decision"] == "adjust" and fields["decision_age"] == 0 and not fields["open_deviation"]
        engine.advance_to(dt.date(2014, 12, 31))
        again = [e for e in engine.events if e.type == "decision_requested" and e.subject == STRAKS]
        assert [e.rule for e in again] == ["indsats-under-businesscase", "indsats-justeret-under-businesscase"]
        assert again[1].details["inputs"]["decision_age"] >= 182 and again[1].details["decision"] == "dec-0002"
        assert engine._state_fields(subject)["decision"] == "pending"


def test_responses_yaml_answers_are_checked_against_the_options_rules_offer(tmp_path: Path) -> None:
    folder = tmp_path / "h"
    shutil.copytree(EXAMPLE, folder)
    (folder / "municipality.yaml").write_text(
        (EXAMPLE / "municipality.yaml").read_text(encoding="utf-8") + "responses: responses.yaml\n", encoding="utf-8")
    (folder / "responses.yaml").write_text(
        "responses:\n"
        "  - {date: 2014-07-01, decide: {decision: d1, option: close}}\n"
        "  - {date: 2014-07-02, decide: {option: close, who: x}}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    text = err.value.format()
    assert "responses.yaml:2" in text and "'d1' is not a decision id" in text
    assert "responses.yaml:3" in text and "'who' is not a field" in text and "say which decision" in text
    (folder / "responses.yaml").write_text(
        "responses:\n  - {date: 2014-07-02, decide: {decision: dec-0001, option: clse}}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    [problem] = err.value.problems
    assert problem.file.endswith("responses.yaml") and problem.line == 2
    assert problem.field == "responses[0].decide.option" and problem.hint == "did you mean 'close'?"
    assert "no rule demands a decision with the option 'clse'" in problem.message
    (folder / "responses.yaml").write_text(
        "responses:\n  - {date: 2014-07-02, time: '10:00', decide: {decision: dec-0001, option: adjust, "
        "text: Ny målgruppe, by: Chef}}\n", encoding="utf-8")
    with Engine(load_config(folder)) as engine:
        engine.advance_to(dt.date(2014, 7, 3))
        made = next(e for e in engine.events if e.type == "decision_made")
        assert made.at.isoformat() == "2014-07-02T10:00:00+02:00" and made.details["by"] == "Chef"
        assert engine.decisions["dec-0001"].text == "Ny målgruppe"


def test_respond_decide_on_a_stored_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVCORE_LANG", "en")  # the messages are pinned by their English ids
    db = str(tmp_path / "live.db")
    folder = str(EXAMPLE)
    first = tick(load_config(EXAMPLE), db, now=dt.date(2014, 7, 1))
    asked = next(e for e in first.events if e.type == "decision_requested")
    assert asked.details["decision"] == "dec-0001"
    wrong_id = cli("respond", "decide", folder, "dec-0002", "close", "--at", "2014-07-02T09:00", "--db", db)
    assert wrong_id.exit_code == 2 and "Invalid value for DECISION" in wrong_id.output  # type: ignore[attr-defined]
    assert "unknown decision 'dec-0002' (did you mean 'dec-0001'?)" in wrong_id.output  # type: ignore[attr-defined]
    wrong_option = cli("respond", "decide", folder, "dec-0001", "stop", "--at", "2014-07-02T09:00", "--db", db)
    assert wrong_option.exit_code == 2 and "Invalid value for OPTION" in wrong_option.output  # type: ignore[attr-defined]
    assert "expected one of: adjust, close, continue" in wrong_option.output  # type: ignore[attr-defined]
    ok = cli("respond", "decide", folder, "dec-0001", "close", "--text", "Leverer ikke", "--by", "Jobcenterchef Hansen",
             "--at", "2014-07-02T09:00", "--db", db)
    assert ok.exit_code == 0, ok.output  # type: ignore[attr-defined]
    later = cli("tick", folder, "--db", db, "--now", "2014-07-03")
    assert "decision_made" in later.output and "taken by Jobcenterchef Hansen: close" in later.output  # type: ignore[attr-defined]
    database = open_database(db)
    try:
        with database.engine.connect() as conn:
            rows = conn.execute(sa.text("select kind, data, actor from govcore_response")).all()
    finally:
        database.close()
    assert [(r[0], r[2]) for r in rows] == [("decide", "Jobcenterchef Hansen")]  # refused answers stored nothing
    assert json.loads(rows[0][1])["decide"]["option"] == "close"
    again = cli("respond", "decide", folder, "dec-0001", "adjust", "--at", "2014-07-04T09:00", "--db", db)
    assert again.exit_code == 2 and "was taken on 2014-07-02: close" in again.output  # type: ignore[attr-defined]


def test_the_report_counts_decisions_taken_and_keeps_them_apart_from_the_meeting(
        tmp_path: Path, danish: None) -> None:
    """The Danish report (the module's other messages are pinned in English)."""
    from govcore import simulate
    from govcore.report import build_report, render_report

    folder = tmp_path / "h"
    shutil.copytree(EXAMPLE, folder)
    (folder / "municipality.yaml").write_text(
        (EXAMPLE / "municipality.yaml").read_text(encoding="utf-8") + "responses: responses.yaml\n", encoding="utf-8")
    (folder / "responses.yaml").write_text(
        "responses:\n  - {date: 2014-06-30, time: '10:00', decide: {decision: dec-0001, option: close}}\n",
        encoding="utf-8")
    result = simulate(load_config(folder))
    assert "Beslutninger truffet" in render_report(result, "md")
    meeting = next(e for m in build_report(result).wheel for e in m.entries if e.date.startswith("30.06"))
    # The meeting opened the deviation; the decision an hour later closed it, not the meeting.
    assert "afvigelse åbnet" in meeting.caused and "lukket" not in meeting.caused
