"""The engine's workflow, each branch from both sides: escalation up the line and at its top,
deliverables required, missed, delivered on time and late, responses that are transitions and
responses that are not, and what carries over when the year turns (the goals in effect, open work).

Each test pins what an administrator or auditor reads: the ids, the roles, the due dates, the
rendered texts and the inputs recorded with each event."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import GOALS, ROOT, WHEEL
from pydantic import BaseModel

from govcore import ActionContext, ActionSpec, KpiSource, SubjectKind, hookimpl
from govcore.config import load_config
from govcore.engine import Engine, EngineEvent, _covered, _period_key, check_fields
from govcore.errors import EngineError, GovcoreError
from govcore.extension import FieldSpec, Subject, SubjectContext
from govcore.model import Frequency
from govcore.plugins import load_plugins

SHIPPED = [str(ROOT / "rules" / "*.yaml")]


def _types(events: list[EngineEvent], kind: str) -> list[EngineEvent]:
    return [e for e in events if e.type == kind]


def _rules(tmp_path: Path, text: str, *, shipped_goal_rules: bool = True) -> list[str]:
    """One extra rule file (outside the configuration folder), after the shipped goal rules."""
    folder = tmp_path / "extra"
    folder.mkdir(exist_ok=True)
    (folder / "extra.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return [str(ROOT / "rules" / "goals.yaml")] * shipped_goal_rules + [str(folder / "extra.yaml")]


# ------------------------------------------------------------------------------- escalation


def test_each_escalation_is_recorded_with_its_ids_roles_due_date_and_inputs(
        make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        overdue = _types(engine.events, "action_overdue")
        escalated = _types(engine.events, "escalated")
        action = engine.actions["act-0001"]
    # Demanded 1 March, due 15 March; overdue on the 16th, escalated to the chef with 5 working days.
    assert [e.details["action"] for e in overdue[:2]] == ["act-0001", "act-0001"]
    assert [(e.at.date(), e.details["due"], e.details["escalation_level"]) for e in overdue[:2]] == [
        (dt.date(2021, 3, 16), "2021-03-15", 0), (dt.date(2021, 3, 24), "2021-03-23", 1)]
    first = escalated[0]
    assert first.rule == "eskaler-manglende-handling" and first.subject == "act-0001"
    assert first.subject_kind == "action" and first.goal == "g-job" and first.owner == "chef"
    assert first.details["action"] == "act-0001" and first.details["escalation"] == "esc-0001"
    assert (first.details["from"], first.details["to"], first.details["level"]) == ("center", "chef", 1)
    assert first.details["due"] == "2021-03-23"  # 5 working days after Tuesday 16 March
    assert first.details["inputs"]["at_top"] is False
    assert "jointly_with" not in first.details
    assert [e.details["escalation"] for e in escalated] == ["esc-0001", "esc-0002", "esc-0003"]
    assert sorted(engine.escalations) == ["esc-0001", "esc-0002", "esc-0003"]
    esc = engine.escalations["esc-0002"]
    assert (esc.from_role, esc.to_role, esc.level, esc.action, esc.rule) == (
        "chef", "direktoer", 2, "act-0001", "eskaler-manglende-handling")
    # The action now lies with the committee, escalated three times, due on the last escalation's date.
    assert (action.owner, action.escalation_level, action.state.value) == ("udvalg", 3, "escalated")
    assert action.due.isoformat() == escalated[-1].details["due"]


def test_at_the_top_the_committee_is_told_once_and_nothing_escalates_further(
        make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 12, 31))
        overdue = [e for e in engine.events if e.type == "action_overdue" and e.subject == "act-0001"]
        told = [e for e in engine.events if e.rule == "manglende-handling-i-udvalget" and e.subject == "act-0001"]
    # Overdue with the centre, the chef, the direktør and the committee: four deadlines, no fifth.
    assert [e.details["escalation_level"] for e in overdue] == [0, 1, 2, 3]
    assert [e.owner for e in overdue] == ["center", "chef", "direktoer", "udvalg"]
    (note,) = told
    assert note.type == "notification" and note.owner == "udvalg" and note.details["to"] == "udvalg"
    assert note.details["message"] == "Ingen korrigerende handling for Korrigerende handling: Mindst 50 % i job " \
                                      "trods eskalering (3 gange)"
    assert note.details["inputs"]["at_top"] is True


def test_a_submitted_action_is_not_overdue_and_does_not_escalate(make_config: Callable[..., Path]) -> None:
    responses = "responses:\n  - {date: 2021-03-12, submit: {subject: g-job, text: Plan}}\n"
    with Engine(load_config(make_config(responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        submitted = _types(engine.events, "action_submitted")
        assert not _types(engine.events, "action_overdue") and not _types(engine.events, "escalated")
    assert submitted[0].details["on_time"] is True and submitted[0].details["due"] == "2021-03-15"
    assert submitted[0].details["text"] == "Plan" and submitted[0].owner == "center"


def test_a_submission_after_the_due_date_is_marked_late(make_config: Callable[..., Path]) -> None:
    # At midnight after the due date (15 March) the response comes before the deadline is processed.
    responses = "responses:\n  - {date: 2021-03-16, time: '00:00', submit: {subject: g-job, text: Sent}}\n"
    with Engine(load_config(make_config(responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        (submitted,) = _types(engine.events, "action_submitted")
        assert not _types(engine.events, "action_overdue")
    assert submitted.owner == "center" and submitted.details["due"] == "2021-03-15"
    assert submitted.details["on_time"] is False


def _escalate_rules(tmp_path: Path, to: str) -> list[str]:
    return _rules(tmp_path, f"""
        rules:
          - id: altid-eskaler
            title: Eskaler altid
            when: {{deadline: corrective_action}}
            then:
              - escalate: {{to: {to}, within: 2 working days}}
        """)


def test_escalating_past_the_top_is_exhausted_with_the_reason(make_config: Callable[..., Path],
                                                             tmp_path: Path) -> None:
    with Engine(load_config(make_config(rules=_escalate_rules(tmp_path, "superior")))) as engine:
        engine.advance_to(dt.date(2021, 5, 31))
        exhausted = _types(engine.events, "escalation_exhausted")
        escalated = _types(engine.events, "escalated")
    assert [e.details["to"] for e in escalated if e.subject == "act-0001"] == ["chef", "direktoer", "udvalg"]
    assert all(e.details["due"] == "2021-03-18" for e in escalated[:1])  # 2 working days after 16 March
    first = next(e for e in exhausted if e.subject == "act-0001")
    assert first.owner == "udvalg" and first.rule == "altid-eskaler"
    assert first.details == {**first.details, "action": "act-0001", "reason": "'udvalg' has no superior"}
    assert "at_top" not in first.details["inputs"]  # the rule tests nothing: no field is an input


def test_escalating_to_a_named_role_goes_there_and_to_oneself_is_exhausted(make_config: Callable[..., Path],
                                                                          tmp_path: Path) -> None:
    with Engine(load_config(make_config(rules=_escalate_rules(tmp_path, "direktoer")))) as engine:
        engine.advance_to(dt.date(2021, 4, 15))
        escalated = [e for e in engine.events if e.type == "escalated" and e.subject == "act-0001"]
        exhausted = [e for e in engine.events if e.type == "escalation_exhausted" and e.subject == "act-0001"]
    assert [(e.details["from"], e.details["to"]) for e in escalated] == [("center", "direktoer")]
    # The second deadline finds the action with the direktør already: escalating to itself is no step.
    assert exhausted and exhausted[0].details["reason"] == "'direktoer' has no superior"


# ------------------------------------------------------------------------------ deliverables


def test_a_deliverable_delivered_on_time_is_not_missed(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config(responses="responses:\n  - {date: 2021-09-20, deliver: plan}\n"))) as engine:
        engine.run_year()
        plan = [e for e in engine.events if e.subject == "plan"]
        assert engine.delivered["plan"].date() == dt.date(2021, 9, 20)
    (delivered,) = plan
    assert delivered.type == "deliverable_delivered" and delivered.owner == "chef"
    assert delivered.details["due"] == "2021-09-30" and delivered.details["days_late"] == 0
    assert delivered.subject_kind == "deliverable" and delivered.details["subject_title"] == "Beskæftigelsesplan"


def test_a_late_delivery_closes_the_deviation_and_a_second_delivery_changes_nothing(
        make_config: Callable[..., Path]) -> None:
    responses = "responses:\n  - {date: 2021-10-04, deliver: plan}\n  - {date: 2021-10-06, deliver: plan}\n"
    with Engine(load_config(make_config(responses=responses))) as engine:
        engine.run_year()
        plan = [e for e in engine.events if e.subject == "plan"]
        dev = next(d for d in engine.deviations.values() if d.subject == "plan")
        assert dev.state.value == "closed" and dev.closed_at is not None
        assert dev.closed_at.date() == dt.date(2021, 10, 4)
        assert [engine.actions[a].state.value for a in dev.actions] == ["closed"]
    flagged = plan[0]
    assert flagged.type == "deviation_flagged" and flagged.rule == "leverance-mangler-ved-frist"
    assert flagged.details["reason"] == "Beskæftigelsesplan er ikke afleveret ved fristen 30.09.2021"
    assert flagged.details["inputs"]["delivered"] is False
    demanded = plan[1]
    assert demanded.details["title"] == "Aflever Beskæftigelsesplan" and demanded.owner == "chef"
    assert [e.type for e in plan].count("deliverable_delivered") == 1
    closed = plan[-1]
    assert closed.type == "deviation_closed" and closed.details["note"] == "delivered"
    assert closed.details["inputs"] == {"days_late": 4} and closed.rule is None
    assert closed.details["deviation"] == flagged.details["deviation"] == dev.id
    assert closed.details["actions"] == [demanded.details["action"]] and closed.owner == "chef"


def _require_rules(tmp_path: Path) -> list[str]:
    return _rules(tmp_path, """
        rules:
          - id: kraev-plan
            title: Planen kræves, når et mål er ude af kurs
            when: {followup: monthly}
            for_each: goal
            if: [status == off_track]
            then:
              - require_deliverable: {deliverable: plan, from: owner, within: 3 working days}
          - id: plan-ikke-modtaget
            title: Planen kom ikke
            when: {deadline: deliverable}
            then:
              - notify: {to: owner, message: "{title} mangler ({days_late} dage)"}
        """)


def test_a_required_deliverable_that_does_not_come_is_missed_at_its_deadline(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    with Engine(load_config(make_config(rules=_require_rules(tmp_path)))) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        required = _types(engine.events, "deliverable_required")
        missed = _types(engine.events, "deliverable_missed")
        told = [e for e in engine.events if e.rule == "plan-ikke-modtaget"]
        assert engine.required["plan"] == dt.date(2021, 3, 4)
    # g-job is off track at the March follow-up (1 March): the plan is required from its owner (the
    # deliverable's owner, the chef, not the goal's, the centre).
    (req,) = required
    assert req.at.date() == dt.date(2021, 3, 1) and req.owner == "chef" and req.subject == "plan"
    assert req.details["due"] == "2021-03-04" and req.details["inputs"]["status"] == "off_track"
    assert req.details["deliverable"] == "plan" and req.details["subject_title"] == "Beskæftigelsesplan"
    (miss,) = missed
    assert miss.at.date() == dt.date(2021, 3, 5) and miss.owner == "chef"
    assert miss.details == {**miss.details, "deliverable": "plan", "due": "2021-03-04"}
    (note,) = told
    assert note.details["message"] == "Beskæftigelsesplan mangler (1 dage)"


def test_a_required_deliverable_delivered_in_time_is_not_missed(make_config: Callable[..., Path],
                                                               tmp_path: Path) -> None:
    responses = "responses:\n  - {date: 2021-03-03, deliver: plan}\n"
    with Engine(load_config(make_config(rules=_require_rules(tmp_path), responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        assert not _types(engine.events, "deliverable_missed")
        (delivered,) = _types(engine.events, "deliverable_delivered")
        # Delivered, it is not required again at the April follow-up.
        assert len(_types(engine.events, "deliverable_required")) == 1
    assert delivered.details["due"] == "2021-03-04" and delivered.details["days_late"] == 0


def test_a_deliverable_delivered_for_this_year_starts_afresh_next_year(make_config: Callable[..., Path]) -> None:
    responses = "responses:\n  - {date: 2021-09-20, deliver: plan}\n"
    with Engine(load_config(make_config(responses=responses)), start=dt.date(2021, 9, 1)) as engine:
        engine.advance_to(dt.date(2021, 12, 31))
        assert "plan" in engine.delivered and engine.required["plan"] == dt.date(2021, 9, 30)
        engine.advance_to(dt.date(2022, 1, 3))
        (started,) = _types(engine.events, "year_started")
        # 2022's wheel: the plan is due again on 30 September 2022, not delivered for it yet.
        assert engine.required["plan"] == dt.date(2022, 9, 30) and "plan" not in engine.delivered
    assert started.details["required"] == {}  # delivered when the year turned


def test_a_deliverable_missing_at_new_year_keeps_its_old_due_date(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config()), start=dt.date(2021, 9, 1)) as engine:
        engine.advance_to(dt.date(2022, 1, 3))
        (started,) = _types(engine.events, "year_started")
        assert engine.required["plan"] == dt.date(2021, 9, 30)
        engine.deliver("plan")
        (delivered,) = _types(engine.events, "deliverable_delivered")
        assert engine.required["plan"] == dt.date(2022, 9, 30) and "plan" not in engine.delivered
    assert started.details["required"] == {"plan": "2021-09-30"}
    # the missed plan's deviation and its action carry over into 2022
    assert started.details["open_deviations"] == ["dev-0001"] and started.details["open_actions"] == ["act-0001"]
    assert delivered.details["due"] == "2021-09-30" and delivered.details["days_late"] == (
        dt.date(2022, 1, 3) - dt.date(2021, 9, 30)).days


# ---------------------------------------------------------------------------------- responses


def test_responses_that_are_no_transition_are_ignored_with_the_reason(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 2))
        (action,) = engine.open_actions()
        (no_accept,) = engine.accept_action(action.id)
        (no_reject,) = engine.reject_action(action.id)
        assert [e.type for e in engine.submit_action(action.id, "Plan A")] == ["action_submitted"]
        (no_resubmit,) = engine.submit_action(action.id, "Plan B")
        assert engine.actions[action.id].text == "Plan A"
    assert no_accept.type == no_reject.type == no_resubmit.type == "response_ignored"
    assert no_accept.details["reason"] == "only a submitted action can be accepted"
    assert no_reject.details["reason"] == "only a submitted action can be rejected"
    assert no_resubmit.details["reason"] == "the action is submitted"
    assert no_accept.details["action"] == action.id and no_accept.details["response"] == "accept"
    assert no_accept.subject == "g-job"


def test_a_rejected_action_is_demanded_again_and_may_be_submitted_anew(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 2))
        (action,) = engine.open_actions()
        engine.submit_action(action.id, "Plan A")
        (rejected,) = engine.reject_action(action.id, "For vag")
        assert engine.actions[action.id].state.value == "demanded"
        (again,) = engine.submit_action(action.id, "Plan B")
        engine.advance_to(dt.date(2021, 3, 31))
        assert not _types(engine.events, "action_overdue")  # submitted anew: the new deadline finds it so
    assert rejected.type == "action_rejected" and rejected.owner == "center"
    assert rejected.details["text"] == "For vag"
    assert rejected.details["new_due"] == "2021-03-09"  # 5 working days after Tuesday 2 March
    assert again.type == "action_submitted" and again.details["due"] == "2021-03-09"


def test_a_rejected_action_not_submitted_again_is_overdue_at_its_new_due_date(
        make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 2))
        (action,) = engine.open_actions()
        engine.submit_action(action.id)
        engine.reject_action(action.id)
        engine.advance_to(dt.date(2021, 3, 12))
        overdue = _types(engine.events, "action_overdue")
    # overdue the day after the new due date (9 March), not after the first one (15 March)
    assert [(e.at.date(), e.details["due"]) for e in overdue] == [(dt.date(2021, 3, 10), "2021-03-09")]


def test_a_deviation_closed_by_a_rule_names_the_rule_its_note_and_inputs(make_config: Callable[..., Path]) -> None:
    responses = """
    responses:
      - {date: 2021-03-05, submit: {subject: g-job, text: Ny indsats}}
      - {date: 2021-03-08, accept: {subject: g-job}}
    """
    with Engine(load_config(make_config(responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        (closed,) = _types(engine.events, "deviation_closed")
    assert closed.rule == "maal-tilbage-paa-sporet" and closed.owner == "center" and closed.subject == "g-job"
    assert closed.details["note"] == "Mindst 50 % i job er tilbage på sporet: 53 mod kravet 50"
    assert closed.details["inputs"]["action_state"] == "accepted" and closed.details["inputs"]["status"] == "on_track"
    assert closed.details["rule_title"] == "Mål tilbage på sporet – afvigelsen lukkes"


@pytest.mark.usefixtures("english")
def test_an_unknown_action_without_a_near_name_points_to_the_open_actions(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine, pytest.raises(
            EngineError, match=r"^unknown corrective action 'zzz' \(see engine\.open_actions\(\)\)$"):
        engine.submit_action("zzz")


def test_a_response_about_a_subject_without_an_action_is_ignored(make_config: Callable[..., Path]) -> None:
    responses = "responses:\n  - {date: 2021-02-10, submit: {subject: g-ledige, text: Hvad?}}\n"
    with Engine(load_config(make_config(responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 2, 28))
        (ignored,) = _types(engine.events, "response_ignored")
    assert ignored.details["reason"] == "no open corrective action matches"
    assert ignored.details["response"] == "submit" and ignored.details["subject"] == "g-ledige"
    assert ignored.details["text"] == "Hvad?" and ignored.subject is None


@pytest.mark.usefixtures("english")
def test_a_response_before_the_clock_is_refused(make_config: Callable[..., Path]) -> None:
    from govcore.config import Response

    with Engine(load_config(make_config())) as engine:
        engine.advance_to(dt.date(2021, 3, 2))
        with pytest.raises(EngineError, match=r"a response dated 2021-03-01T10:00:00\+01:00 is before the "
                                              r"engine's clock \(2021-03-02T23:59:00\+01:00\)"):
            engine.respond(Response(date=dt.date(2021, 3, 1), time="10:00", deliver="plan"))
        engine.respond(Response(date=dt.date(2021, 3, 3), time="10:30", deliver="plan"))
        (delivered,) = engine.advance_to(dt.date(2021, 3, 3))
    assert delivered.type == "deliverable_delivered" and delivered.at.hour == 10 and delivered.at.minute == 30


@pytest.mark.usefixtures("english")
def test_the_api_names_the_known_deliverables_when_one_is_unknown(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config())) as engine, pytest.raises(
            EngineError, match=r"^unknown deliverable 'budget' \(") as err:
        engine.deliver("budget")
    assert "plan" in str(err.value)


# --------------------------------------------------------------------------- the year turns


def test_the_new_year_says_which_goals_ended_which_are_in_effect_and_what_carries_over(
        make_config: Callable[..., Path]) -> None:
    goals = GOALS.replace("    followup: monthly\n  - id: g-ledige",
                          "    followup: monthly\n    valid_to: 2021-12-31\n  - id: g-ledige", 1)
    goals = goals.replace("deliverables:", "  - {id: g-ny, title: Mindst 60 % i job, level: administrative, "
                                           "owner: center, kpi: jobrate, target: {kind: at_least, value: 60}, "
                                           "followup: monthly, valid_from: 2022-01-01}\ndeliverables:")
    observations = "kpi,period,value,known_at\n" + "".join(
        f"jobrate,2021-{m:02d},40,2021-{m + 1:02d}-02\n" for m in range(1, 12))
    with Engine(load_config(make_config(goals=goals, observations=observations)),
                start=dt.date(2021, 11, 1)) as engine:
        engine.advance_to(dt.date(2021, 12, 31))
        open_before = [(d.id, d.subject) for d in engine.open_deviations()]
        engine.advance_to(dt.date(2022, 2, 28))
        (started,) = _types(engine.events, "year_started")
        closed = [e for e in engine.events if e.type == "deviation_closed" and e.subject == "g-job"]
        flagged_2022 = {e.subject for e in engine.events if e.type == "deviation_flagged" and e.at.year == 2022}
    assert open_before == [("dev-0001", "g-job")]
    assert started.at == engine.calendar.local_datetime(dt.date(2022, 1, 1), 0)
    assert started.details["year"] == 2022
    assert started.details["goals"] == ["g-ledige", "g-ny"] and started.details["goals_ended"] == ["g-job"]
    assert started.details["national_goals"] == []
    # g-job's deviation and its escalated action are still open when the year turns, and say so
    assert started.details["open_deviations"] == ["dev-0001"] and started.details["open_actions"] == ["act-0001"]
    assert started.details["required"] == {}  # the engine started after the plan's 2021 due date
    # g-job's open deviation is closed at the turn of the year, saying why; no rule closed it.
    (end,) = closed
    assert end.at == started.at and end.rule is None and end.details["inputs"] == {}
    assert (end.goal, end.subject_kind, end.owner) == ("g-job", "goal", "center")
    assert end.details["subject_title"] == "Mindst 50 % i job"
    assert end.details["actions"] == ["act-0001"] and end.details["deviation"] == "dev-0001"
    assert end.details["note"] == "Mindst 50 % i job: målet er ikke længere i kraft (målet gælder til 2021-12-31)"
    # The 2022 goal is followed up from 2022 on (40 % is off track against 60 %).
    assert "g-ny" in flagged_2022 and "g-job" not in flagged_2022


def test_a_goal_that_is_not_in_effect_yet_is_not_followed_up(make_config: Callable[..., Path]) -> None:
    goals = GOALS.replace("    followup: monthly\n  - id: g-ledige",
                          "    followup: monthly\n    valid_from: 2021-06-01\n  - id: g-ledige", 1)
    with Engine(load_config(make_config(goals=goals))) as engine:
        engine.advance_to(dt.date(2021, 5, 31))
        assert not [e for e in engine.events if e.subject == "g-job"]
        assert "g-job" not in engine.goal_statuses()
        engine.advance_to(dt.date(2021, 6, 30))
        assert "g-job" in engine.goal_statuses()


# ------------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(("freq", "day", "covered"), [
    (Frequency.monthly, dt.date(2021, 1, 4), "2020-12"),
    (Frequency.monthly, dt.date(2021, 3, 1), "2021-02"),
    (Frequency.every_2nd_month, dt.date(2021, 3, 1), "2021-01–2021-02"),
    (Frequency.quarterly, dt.date(2021, 4, 1), "2021-Q1"),
    (Frequency.quarterly, dt.date(2021, 1, 4), "2020-Q4"),
    (Frequency.half_yearly, dt.date(2021, 7, 1), "2021-H1"),
    (Frequency.half_yearly, dt.date(2021, 1, 4), "2020-H2"),
    (Frequency.yearly, dt.date(2021, 1, 4), "2020"),
    (Frequency.every_14_days, dt.date(2021, 3, 15), "2021-03-01/2021-03-14"),
])
def test_a_followup_covers_the_last_whole_period_before_it(freq: Frequency, day: dt.date, covered: str) -> None:
    assert _covered(freq, day) == covered


def test_a_followup_period_key_changes_exactly_at_the_period_boundary() -> None:
    assert _period_key(Frequency.monthly, dt.date(2021, 3, 31)) != _period_key(Frequency.monthly, dt.date(2021, 4, 1))
    assert _period_key(Frequency.quarterly, dt.date(2021, 4, 1)) == _period_key(Frequency.quarterly,
                                                                                dt.date(2021, 6, 30))
    assert _period_key(Frequency.quarterly, dt.date(2021, 6, 30)) != _period_key(Frequency.quarterly,
                                                                                 dt.date(2021, 7, 1))
    day = dt.date(2021, 3, 15)
    assert _period_key(Frequency.every_14_days, day) == (2021, day.toordinal() // 14)


@pytest.mark.usefixtures("english")
def test_a_plugin_subject_field_of_the_wrong_type_is_refused() -> None:
    specs = [FieldSpec(name="amount", type="number", description="Beløb"),
             FieldSpec(name="done", type="bool", description="Færdig")]
    ok = Subject(kind="budget", id="b1", owner="chef", fields={"amount": 1.5, "done": False})
    check_fields("budget", specs, ok)
    check_fields("budget", specs, Subject(kind="budget", id="b2", owner="chef", fields={"amount": None}))
    with pytest.raises(GovcoreError, match=r"the subject kind 'budget' gave 'b3' the field 'amount' as bool True; "
                                           r"it is declared as a number"):
        check_fields("budget", specs, Subject(kind="budget", id="b3", owner="chef", fields={"amount": True}))
    with pytest.raises(GovcoreError, match=r"field 'done' as str 'ja'; it is declared as true or false"):
        check_fields("budget", specs, Subject(kind="budget", id="b4", owner="chef", fields={"done": "ja"}))


# --------------------------------------------------------------------------------- decisions

LOW = "kpi,period,value,known_at\n" + "".join(f"jobrate,2021-{m:02d},40,2021-{m + 1:02d}-02\n" for m in range(1, 12))


def _decision_rules(tmp_path: Path) -> list[str]:
    """A goal off track gets a deviation and a decision asked of the owner's superior (the
    initiatives plugin's `demand_decision`); a goal adjusted by a decision is reported on."""
    return _rules(tmp_path, """
        rules:
          - id: efter-justering
            title: Et justeret mål
            when: {followup: monthly}
            for_each: goal
            if: [decision == adjust]
            then:
              - notify: {to: owner, message: "{title}: {decision} for {decision_age} dage siden"}
          - id: beslut-om-maal
            title: Chefen beslutter om et mål ude af kurs
            when: {followup: monthly}
            for_each: goal
            if: [status == off_track, open_deviation == false]
            then:
              - flag_deviation: {reason: "{title} er ude af kurs"}
              - demand_decision: {from: superior, question: "Skal {title} fortsætte?"}
        """, shipped_goal_rules=False)


def test_a_decision_is_requested_once_answered_and_a_later_one_asked_anew(make_config: Callable[..., Path],
                                                                         tmp_path: Path) -> None:
    cfg = load_config(make_config(rules=_decision_rules(tmp_path), observations=LOW))
    with Engine(cfg) as engine:
        engine.advance_to(dt.date(2021, 4, 6))
        requested = _types(engine.events, "decision_requested")
        (pending,) = engine.open_decisions()
        made, closed = engine.decide(pending.id, "adjust", text="Ny plan")
        assert not engine.open_decisions()
        engine.advance_to(dt.date(2021, 5, 31))
        later = [e for e in engine.events if e.at.date() == dt.date(2021, 5, 3)]
    # Asked on 1 March of the chef (the centre's superior); the April follow-up asks nothing new.
    (req,) = requested
    assert req.at.date() == dt.date(2021, 3, 1) and req.owner == "chef" and req.rule == "beslut-om-maal"
    assert req.details["decision"] == "dec-0001" and req.details["question"] == "Skal Mindst 50 % i job fortsætte?"
    assert req.details["options"] == ["continue", "adjust", "close"] and req.details["subject"] == "g-job"
    assert req.details["inputs"]["status"] == "off_track" and req.details["inputs"]["open_deviation"] is False
    assert (pending.subject, pending.role, pending.deviation, pending.goal) == ("g-job", "chef", "dev-0001", "g-job")
    # Answered: by the role when no one is named, the deviation closed with the decision as its note.
    assert made.type == "decision_made" and made.owner == "chef" and made.details["by"] == "chef"
    assert made.details["option"] == "adjust" and made.details["ends_followup"] is False
    assert made.details["requested_at"] == req.at.isoformat() and made.details["question"] == req.details["question"]
    assert closed.type == "deviation_closed" and closed.details["note"] == "besluttet: adjust – Ny plan"
    assert closed.details["inputs"] == {"decision": "dec-0001", "option": "adjust"}
    # Adjusted, the goal is still followed up: the May meeting reports the decision's age, flags the
    # goal again and asks a new decision.
    assert [e.type for e in later if e.subject == "g-job"] == [
        "notification", "deviation_flagged", "decision_requested"]
    note = next(e for e in later if e.type == "notification" and e.subject == "g-job")
    assert note.details["message"] == "Mindst 50 % i job: adjust for 27 dage siden"  # 6 April to 3 May
    assert next(e for e in later if e.type == "decision_requested").details["decision"] == "dec-0002"


def test_a_decision_asked_again_while_it_is_open_is_the_same_decision(make_config: Callable[..., Path],
                                                                     tmp_path: Path) -> None:
    rules = _rules(tmp_path, """
        rules:
          - id: spoerg
            title: Spørg hver måned
            when: {followup: monthly}
            for_each: goal
            if: [status == off_track]
            then:
              - demand_decision: {from: direktoer}
        """, shipped_goal_rules=False)
    with Engine(load_config(make_config(rules=rules, observations=LOW))) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        asked = [e for e in _types(engine.events, "decision_requested") if e.subject == "g-job"]
        assert [d.id for d in engine.open_decisions()] == ["dec-0001"]
        engine.decide("dec-0001", "continue")
        engine.advance_to(dt.date(2021, 5, 31))
        again = [e for e in _types(engine.events, "decision_requested") if e.subject == "g-job"]
    # asked in March; April's meeting finds it open and asks nothing new; decided, May asks anew
    assert [(e.at.date(), e.owner, e.details["decision"]) for e in asked] == [(dt.date(2021, 3, 1), "direktoer",
                                                                               "dec-0001")]
    assert [e.details["decision"] for e in again] == ["dec-0001", "dec-0002"]


@pytest.mark.usefixtures("english")
def test_a_decision_to_close_ends_the_follow_up_and_other_answers_are_ignored_with_the_reason(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    responses = """
    responses:
      - {date: 2021-03-02, decide: {subject: g-ledige, option: close}}
      - {date: 2021-03-04, decide: {subject: g-job, option: close, text: Opgivet, by: Udvalgsformand}}
      - {date: 2021-03-05, decide: {decision: dec-0001, option: continue}}
    """
    cfg = load_config(make_config(rules=_decision_rules(tmp_path), observations=LOW, responses=responses))
    with Engine(cfg) as engine:
        engine.advance_to(dt.date(2021, 6, 30))
        ignored = _types(engine.events, "response_ignored")
        (made,) = _types(engine.events, "decision_made")
        after = [e for e in engine.events if e.subject == "g-job" and e.at.date() > dt.date(2021, 3, 4)]
        with pytest.raises(EngineError, match=r"^decision 'dec-0001' was taken on 2021-03-04: close$"):
            engine.decide("dec-0001", "adjust")
    assert [e.details["reason"] for e in ignored] == [
        "no decision about 'g-ledige' is open", "decision 'dec-0001' was taken on 2021-03-04: close"]
    assert ignored[0].details["subject"] == "g-ledige" and ignored[0].details["option"] == "close"
    assert ignored[0].details["response"] == ignored[1].details["response"] == "decide"
    assert ignored[1].details["decision"] == "dec-0001" and ignored[1].details["option"] == "continue"
    assert made.details["by"] == "Udvalgsformand" and made.details["ends_followup"] is True
    assert made.details["text"] == "Opgivet"
    assert after == []  # closed by the decision: no later meeting follows g-job up


@pytest.mark.usefixtures("english")
def test_an_unknown_decision_is_refused_with_what_is_open(make_config: Callable[..., Path], tmp_path: Path) -> None:
    cfg = load_config(make_config(rules=_decision_rules(tmp_path), observations=LOW))
    with Engine(cfg) as engine:
        with pytest.raises(EngineError, match=r"^unknown decision 'dec-0001' \(no decision is open\)$"):
            engine.decide("dec-0001", "close")
        engine.advance_to(dt.date(2021, 3, 2))
        with pytest.raises(EngineError, match=r"^unknown decision 'xyz' \(open decisions: dec-0001\)$"):
            engine.decide("xyz", "close")
        with pytest.raises(EngineError, match=r"^'luk' is not an option of decision 'dec-0001'"):
            engine.decide("dec-0001", "luk")
        assert engine.check_decision("dec-0001", "continue").id == "dec-0001"
        assert [d.id for d in engine.open_decisions()] == ["dec-0001"]


# ------------------------------------------------------------------------------ versions


def test_a_version_logs_goal_by_goal_and_rule_by_rule_what_changed(make_config: Callable[..., Path]) -> None:
    from conftest import KPIS

    folder = make_config()
    (folder / "extra.yaml").write_text(textwrap.dedent("""
        rules:
          - id: ledige-i-risiko
            title: Ledige i risiko
            when: {followup: monthly}
            for_each: goal
            if: [status == at_risk]
            then:
              - notify: {to: owner, message: "{title} er i risiko"}
        """), encoding="utf-8")
    (folder / "goals-2.yaml").write_text(GOALS.replace("value: 1000}", "value: 900}"), encoding="utf-8")
    (folder / "kpis-2.yaml").write_text(
        KPIS + "  - {id: sygefravaer, name: Sygefravær, unit: '%', higher_is_better: false}\n", encoding="utf-8")
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("versions:\n  - from: 2021-03-10\n    description: Skærpet mål for ledige\n"
                "    goals: goals-2.yaml\n    kpis: kpis-2.yaml\n"
                f"    rules: [{ROOT / 'rules' / '*.yaml'}, extra.yaml]\n")
    cfg = load_config(folder)
    with Engine(cfg, year=2021) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        (changed,) = _types(engine.events, "configuration_changed")
        meetings = [e.at.date() for e in engine.events if e.type == "followup"]
        assert engine.config is cfg.versions[1]
    assert changed.at == engine.calendar.local_datetime(dt.date(2021, 3, 10), 0)
    assert changed.details == {
        "effective": "2021-03-10", "fingerprint": cfg.versions[1].fingerprint(),
        "description": "Skærpet mål for ledige", "goals_added": [], "goals_removed": [],
        "goals_changed": ["g-ledige"], "rules_added": ["ledige-i-risiko"], "rules_removed": [], "rules_changed": [],
        "kpis_added": ["sygefravaer"], "wheel_changed": False}
    # the wheel did not change: its meetings stay where they were, none twice
    assert meetings == [dt.date(2021, 1, 4), dt.date(2021, 2, 1), dt.date(2021, 3, 1), dt.date(2021, 4, 6)]


# ----------------------------------------------------------------------- what the log records

RICH_WHEEL = (WHEEL + """
  - id: kvartalsmoede
    title: Kvartalsmøde
    every: quarterly
    on: first_working_day
    responsible: direktoer
    participants: [chef, center]
    source: "Styringskoncept, tabel 2"
    responsible_basis: chosen
""").replace("""milestones:
""", """milestones:
  - id: lovfrist
    title: Lovbestemt frist
    date: "31.10"
    type: due
    roll: previous
    responsible: chef
    jointly_with: [direktoer]
    date_basis: law
    source: "Lov om en aktiv beskæftigelsesindsats § 1"
  - id: ministermaal
    title: Ministeren udmelder ministermål
    date: "15.12"
    type: as_of
    by_others: Ministeren
""")


def test_wheel_events_record_where_their_date_and_role_come_from(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(make_config(wheel=RICH_WHEEL))) as engine:
        engine.run_year()
        quarterly = [e for e in engine.events if e.type == "followup" and e.details["wheel"] == "kvartalsmoede"]
        (law,) = [e for e in engine.events if e.type == "milestone" and e.details["wheel"] == "lovfrist"]
        (minister,) = [e for e in engine.events if e.type == "milestone" and e.details["wheel"] == "ministermaal"]
        monthly = next(e for e in engine.events if e.type == "followup" and e.details["wheel"] == "maanedsmoede")
    assert [e.details["covers"] for e in quarterly] == ["2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3"]
    assert quarterly[1].at == engine.calendar.local_datetime(dt.date(2021, 4, 6), 9)
    assert quarterly[1].owner == "direktoer"
    assert quarterly[1].details == {
        "wheel": "kvartalsmoede", "title": "Kvartalsmøde", "kind": "followup", "date": "2021-04-06",
        "nominal_date": "2021-04-06", "participants": ["chef", "center"], "deliverables": [],
        "frequency": "quarterly", "covers": "2021-Q1", "date_basis": "chosen", "responsible_basis": "chosen",
        "source": "Styringskoncept, tabel 2"}
    # 31 October 2021 is a Sunday: the deadline rolls back to Friday the 29th, at 23:00.
    assert law.at == engine.calendar.local_datetime(dt.date(2021, 10, 29), 23) and law.owner == "chef"
    assert law.details == {
        "wheel": "lovfrist", "title": "Lovbestemt frist", "kind": "due", "date": "2021-10-29",
        "nominal_date": "2021-10-31", "participants": [], "deliverables": [], "frequency": "",
        "jointly_with": ["direktoer"], "date_basis": "law", "source": "Lov om en aktiv beskæftigelsesindsats § 1"}
    # what others do is known that day at 9:00, with no role of the municipality responsible
    assert (minister.at, minister.owner) == (engine.calendar.local_datetime(dt.date(2021, 12, 15), 9), None)
    assert minister.details["by_others"] == "Ministeren" and minister.details["kind"] == "as_of"
    assert monthly.at == engine.calendar.local_datetime(dt.date(2021, 1, 4), 9)
    assert "source" not in monthly.details and "responsible_basis" not in monthly.details


def test_an_observation_is_logged_when_it_becomes_known_with_where_it_came_from(
        make_config: Callable[..., Path]) -> None:
    observations = ("kpi,period,value,known_at,series,municipality\n"
                    "jobrate,2020-12,52,2021-01-02,local,\n"
                    "ledige,2021-01,1100,,benchmark,461\n")
    with Engine(load_config(make_config(observations=observations))) as engine:
        engine.advance_to(dt.date(2021, 2, 28))
        logged = _types(engine.events, "observation")
    assert [(e.at, e.subject) for e in logged] == [
        (engine.calendar.local_datetime(dt.date(2021, 1, 2), 6), None),
        (engine.calendar.local_datetime(dt.date(2021, 2, 1), 6), None)]  # known the day after January
    assert logged[1].details == {"kpi": "ledige", "period": "2021-01", "value": 1100.0, "series": "benchmark",
                                 "municipality": "461", "source": "observations.csv"}
    assert logged[0].details["municipality"] == ""


# ----------------------------------------------------------------- what a plugin action sees


class _Say(BaseModel):
    text: str = "{title}: {status}"


def _say(ctx: ActionContext, params: _Say) -> None:
    """Emit what the context tells: its clock, rule, subject, roles and the rendered text."""
    ctx.emit("said", owner=ctx.role("superior"), text=ctx.render(params.text), at=ctx.at.isoformat(),
             rule_seen=ctx.rule, subject_seen=ctx.subject.id, above_centre=ctx.superior_of("center"),
             above_committee=ctx.superior_of("udvalg"), above_nobody=ctx.superior_of("nobody"),
             named=ctx.role("direktoer"))


class _SayPlugin:
    @hookimpl
    def govcore_actions(self) -> list[ActionSpec]:
        return [ActionSpec(name="say", description="emit what the action context tells", params=_Say, run=_say,
                           events=("said",))]


def test_a_plugin_action_sees_the_clock_the_rule_the_subject_and_the_roles(make_config: Callable[..., Path],
                                                                         tmp_path: Path) -> None:
    plugins = load_plugins()
    plugins.register(_SayPlugin(), name="say-plugin")
    rules = _rules(tmp_path, """
        rules:
          - id: sig-det
            title: Sig det
            when: {followup: monthly}
            for_each: goal
            if: [status == off_track]
            then:
              - say: {text: "{title} er {status} ({value})"}
        """, shipped_goal_rules=False)
    with Engine(load_config(make_config(rules=rules), plugins=plugins)) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        (said,) = _types(engine.events, "said")
    assert said.at == engine.calendar.local_datetime(dt.date(2021, 3, 1), 9)
    assert (said.rule, said.subject, said.goal, said.owner) == ("sig-det", "g-job", "g-job", "chef")
    assert said.details["text"] == "Mindst 50 % i job er off_track (47)"
    assert said.details["at"] == said.at.isoformat()
    assert (said.details["rule_seen"], said.details["subject_seen"]) == ("sig-det", "g-job")
    assert (said.details["above_centre"], said.details["above_committee"], said.details["above_nobody"]) == (
        "chef", None, None)
    assert said.details["named"] == "direktoer"
    assert said.details["inputs"]["status"] == "off_track" and said.details["rule_title"] == "Sig det"


def _areas(ctx: SubjectContext) -> list[Subject]:
    """Subjects from the settings: one area, or a failure when the settings ask for one."""
    if ctx.settings.get("fail"):
        raise RuntimeError("no register")
    known = ctx.observations.latest("jobrate")
    return [Subject(kind="omraade", id="nord", owner="center", title="Nord", fields={
        "code": ctx.municipality.code, "limit": ctx.settings.get("limit", 0), "known": known.period if known else "",
        "day": ctx.day.isoformat(), "teams": ctx.settings.get("teams", 0) if ctx.base_dir.is_dir() else -1})]


class _AreaPlugin:
    """Areas as a subject kind, read from the `omraader` section (which a plugin's subject kind
    shares with its KPI source, here one without KPIs), and an action that fails."""

    @hookimpl
    def govcore_kpi_sources(self) -> list[KpiSource]:
        return [KpiSource(name="omraader", description="areas", kpis=lambda ctx: [], load=lambda ctx: [])]

    @hookimpl
    def govcore_subject_kinds(self) -> list[SubjectKind]:
        return [SubjectKind(name="omraade", description="areas", subjects=_areas, settings_key="omraader",
                            fields=(FieldSpec(name="limit", type="number", description="Grænse"),
                                    FieldSpec(name="code", type="text", description="Kommune"),
                                    FieldSpec(name="known", type="text", description="Seneste"),
                                    FieldSpec(name="day", type="text", description="Dag"),
                                    FieldSpec(name="teams", type="number", description="Teams")))]

    @hookimpl
    def govcore_actions(self) -> list[ActionSpec]:
        def boom(ctx: ActionContext, params: _Say) -> None:
            raise ValueError(ctx.render(params.text))
        return [ActionSpec(name="boom", description="fails", params=_Say, run=boom)]


def _area_engine(make_config: Callable[..., Path], tmp_path: Path, settings: str | None, then: str) -> Engine:
    plugins = load_plugins()
    plugins.register(_AreaPlugin(), name="area-plugin")
    rules = _rules(tmp_path, f"""
        rules:
          - id: omraade-over-graensen
            title: Et område over grænsen
            when: {{followup: monthly}}
            for_each: omraade
            if: [limit > 2]
            then:
              - {then}
        """, shipped_goal_rules=False)
    folder = make_config(rules=rules)
    if settings is not None:
        with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
            f.write(f"sources:\n  omraader: {settings}\n")
    return Engine(load_config(folder, plugins=plugins))


def test_a_plugin_subject_is_built_from_the_configuration_and_the_figures_known_that_day(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    then = 'notify: {to: owner, message: "{title} {code} {limit} {known} {day} {teams}"}'
    with _area_engine(make_config, tmp_path, "{limit: 3, teams: 4}", then) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        told = _types(engine.events, "notification")
    assert [e.details["message"] for e in told] == [
        "Nord 630 3 2020-12 04.01.2021 4", "Nord 630 3 2020-12 01.02.2021 4", "Nord 630 3 2021-01 01.03.2021 4"]
    # January's figure is known on 2 February: the February meeting (the 1st) does not see it yet
    assert told[0].subject_kind == "omraade" and told[0].owner == "center"


def test_a_plugin_subject_kind_without_its_section_gets_empty_settings(make_config: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    with _area_engine(make_config, tmp_path, None, "notify: {to: owner}") as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        assert not _types(engine.events, "notification")  # limit 0: the rule does not fire
        assert len(_types(engine.events, "followup")) == 3


@pytest.mark.usefixtures("english")
def test_a_failing_plugin_subject_kind_or_action_is_named_in_the_error(make_config: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    with _area_engine(make_config, tmp_path, "{limit: 3, fail: true}", "notify: {to: owner}") as engine, \
            pytest.raises(GovcoreError, match=r"^the subject kind 'omraade' failed on 2021-01-04: "
                                              r"RuntimeError: no register$"):
        engine.advance_to(dt.date(2021, 1, 31))
    with _area_engine(make_config, tmp_path, "{limit: 3}", 'boom: {text: "{title} ({limit})"}') as engine, \
            pytest.raises(GovcoreError, match=r"^the action 'boom' \(rule 'omraade-over-graensen'\) failed: "
                                              r"ValueError: Nord \(3\)$"):
        engine.advance_to(dt.date(2021, 1, 31))


@pytest.mark.usefixtures("english")
def test_a_plugin_subject_with_a_field_of_the_wrong_type_stops_the_run(make_config: Callable[..., Path],
                                                                       tmp_path: Path) -> None:
    with _area_engine(make_config, tmp_path, "{limit: 'tre'}", "notify: {to: owner}") as engine, \
            pytest.raises(GovcoreError, match=r"gave 'nord' the field 'limit' as str 'tre'; it is declared as a n"):
        engine.advance_to(dt.date(2021, 1, 31))


def test_event_details_become_plain_json_values() -> None:
    from govcore.engine import _jsonable
    from govcore.model import Period, Status

    class Row(dict[str, object]):
        """A mapping that is not exactly a dict."""

    value: dict[object, object] = {
        1: (0.1234567891, "a"), "d": [dt.date(2021, 3, 1), dt.datetime(2021, 3, 1, 9, 30)], "n": None,
             "p": Period.parse("2021-03"), "s": Status.off_track, "b": True, "i": 7, "row": Row(x=2.0000004),
             "set": frozenset()}
    assert _jsonable(value) == {
        "1": [0.123457, "a"], "d": ["2021-03-01", "2021-03-01T09:30:00"], "n": None, "p": "2021-03",
        "s": "off_track", "b": True, "i": 7, "row": {"x": 2.0}, "set": frozenset()}
    assert _jsonable((1.0000001, [2.5])) == [1.0, [2.5]] and _jsonable(3.14159265) == 3.141593
    assert type(_jsonable(True)) is bool and _jsonable(None) is None and _jsonable("x") == "x"


def test_a_goal_subject_carries_each_of_its_fields_under_its_own_name(make_config: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    rules = _rules(tmp_path, """
        rules:
          - id: fortael
            title: Fortæl om målet
            when: {followup: monthly}
            for_each: goal
            if: [goal == g-job]
            then:
              - notify: {to: owner, message: "{goal}|{level}|{category}|{kind}|{kpi}|{status}|{period}|{goal_followup}"}
        """, shipped_goal_rules=False)
    goals = GOALS.replace("    level: administrative\n", "    level: administrative\n    category: economy\n", 1)
    with Engine(load_config(make_config(rules=rules, goals=goals))) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        told = [e.details["message"] for e in _types(engine.events, "notification")]
    assert told[-1] == "g-job|administrative|economy||jobrate|off_track|2021-01|monthly"


def test_a_deliverable_due_twice_a_year_is_owed_again_after_the_first_due_date(
        make_config: Callable[..., Path]) -> None:
    wheel = WHEEL.replace("""milestones:
""", """milestones:
  - id: plan-udkast
    title: Udkast til beskæftigelsesplan
    date: "31.03"
    type: due
    deliverables: [plan]
    responsible: chef
""")
    responses = "responses:\n  - {date: 2021-03-20, deliver: plan}\n"
    with Engine(load_config(make_config(wheel=wheel, responses=responses))) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
        # delivered for 31 March: from then on the plan is owed for 30 September
        assert engine.required["plan"] == dt.date(2021, 9, 30) and "plan" not in engine.delivered
        engine.run_year()
        flagged = [e for e in _types(engine.events, "deviation_flagged") if e.subject == "plan"]
    assert [e.at.date() for e in flagged] == [dt.date(2021, 9, 30)]


def test_the_municipalitys_own_labelled_series_decides_over_the_unlabelled_one(
        make_config: Callable[..., Path]) -> None:
    observations = ("kpi,period,value,known_at,municipality\n"
                    "jobrate,2021-01,60,2021-02-02,\n"
                    "jobrate,2021-01,40,2021-02-02,630\n")
    with Engine(load_config(make_config(observations=observations))) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        flagged = _types(engine.events, "deviation_flagged")
    assert [(e.subject, e.details["inputs"]["value"]) for e in flagged] == [("g-job", 40.0)]


def test_a_traced_run_keeps_what_was_sent_to_the_rules_and_what_fired(make_config: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    rules = _rules(tmp_path, """
        rules:
          - id: chefens-maal
            title: Chefens mål
            when: {followup: monthly}
            for_each: goal
            if: [owner == chef]
            then:
              - notify: {to: owner, message: "{title}"}
          - id: lav-vaerdi
            title: Lav værdi
            when: {followup: monthly}
            for_each: goal
            if: [value < 45]
            then:
              - notify: {to: owner, message: "{title}: {value}"}
        """, shipped_goal_rules=False)
    with Engine(load_config(make_config(rules=rules, observations=LOW)), trace=True) as engine:
        engine.advance_to(dt.date(2021, 3, 2))
        trace = engine.trace
        told = [(e.rule, e.subject) for e in _types(engine.events, "notification")]
    assert trace is not None
    march = [p for p in trace if p.at.date() == dt.date(2021, 3, 1)]
    by_subject = {p.message["subject"]: p for p in march}
    assert by_subject["g-job"].fired == ("lav-vaerdi",) and by_subject["g-ledige"].fired == ("chefens-maal",)
    assert by_subject["g-job"].sent["value"] == 40.0 and by_subject["g-job"].sent["owner"] == "center"
    assert by_subject["g-ledige"].sent["value"] is None  # no data: sent as none, never left out
    # only what rules can test goes to durable-rules; the long texts stay in the message
    assert "explanation" not in by_subject["g-job"].sent and "explanation" in by_subject["g-job"].message
    assert told[-2:] == [("lav-vaerdi", "g-job"), ("chefens-maal", "g-ledige")]
    last_told = _types(engine.events, "notification")[-1].details
    assert last_told["rule_file"] == "extra.yaml" and len(last_told["rule_hash"]) == 12


def test_a_version_with_a_new_wheel_still_turns_the_year_once(make_config: Callable[..., Path]) -> None:
    folder = make_config()
    (folder / "wheel-2.yaml").write_text(WHEEL.replace("on: first_working_day", "on: {day: 15}"), encoding="utf-8")
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("versions:\n  - from: 2021-06-10\n    description: Møder den 15.\n    wheel: wheel-2.yaml\n")
    with Engine(load_config(folder), year=2021) as engine:
        engine.advance_to(dt.date(2022, 2, 28))
        started = _types(engine.events, "year_started")
        meetings = [e.at.date() for e in engine.events if e.type == "followup"]
    assert [e.details["year"] for e in started] == [2022]
    assert meetings[5:8] == [dt.date(2021, 6, 1), dt.date(2021, 6, 15), dt.date(2021, 7, 15)]
    assert meetings[-2:] == [dt.date(2022, 1, 17), dt.date(2022, 2, 15)]  # 15 January 2022 is a Saturday


def test_an_engine_started_at_a_time_of_day_takes_the_version_in_force_that_day(
        make_config: Callable[..., Path]) -> None:
    folder = make_config()
    (folder / "wheel-2.yaml").write_text(WHEEL.replace("on: first_working_day", "on: {day: 15}"), encoding="utf-8")
    with (folder / "municipality.yaml").open("a", encoding="utf-8") as f:
        f.write("versions:\n  - from: 2021-06-10\n    description: Møder den 15.\n    wheel: wheel-2.yaml\n")
    cfg = load_config(folder)
    zone = cfg.wheel.calendar.local_datetime(dt.date(2021, 7, 1), 0).tzinfo
    with Engine(cfg, start=dt.datetime(2021, 7, 1, 12, 30, tzinfo=zone)) as aware, \
            Engine(cfg, start=dt.datetime(2021, 7, 1, 12, 30)) as naive:
        assert aware.config is naive.config is cfg.versions[1] and aware.year == naive.year == 2021
        assert aware.start == naive.start == aware.calendar.local_datetime(dt.date(2021, 7, 1), 12, 30)
        meetings = [e.at.date() for e in aware.advance_to(dt.date(2021, 8, 31)) if e.type == "followup"]
    assert meetings == [dt.date(2021, 7, 15), dt.date(2021, 8, 16)]  # 15 August 2021 is a Sunday


def test_a_later_rule_records_the_inputs_it_was_matched_on_not_what_an_earlier_rule_did(
        make_config: Callable[..., Path], tmp_path: Path) -> None:
    # Both rules match g-job's first off-track follow-up with no open deviation; the shipped rule fires
    # first and opens one. The second rule's recorded inputs must still say what made it fire.
    rules = _rules(tmp_path, """
        rules:
          - id: ude-af-kurs-uden-afvigelse
            title: Ude af kurs uden åben afvigelse
            when: {followup: monthly}
            for_each: goal
            if:
              - status == off_track
              - open_deviation == false
            then:
              - notify: {to: owner, message: "{title} er ude af kurs"}
        """)
    with Engine(load_config(make_config(rules=rules))) as engine:
        engine.advance_to(dt.date(2021, 4, 30))
    flagged = next(e for e in engine.events if e.type == "deviation_flagged" and e.subject == "g-job")
    told = next(e for e in engine.events if e.rule == "ude-af-kurs-uden-afvigelse" and e.subject == "g-job")
    assert told.at == flagged.at and told.seq > flagged.seq
    assert told.details["inputs"]["open_deviation"] is False
    assert told.details["inputs"]["status"] == "off_track"
    assert flagged.details["inputs"]["open_deviation"] is False
