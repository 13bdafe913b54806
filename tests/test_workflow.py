"""The deviation workflow (govcore/workflow.py) on a tiny configuration, in milliseconds a test.

One configuration (the shared organisation, two goals, one deliverable, a monthly follow-up and a
handful of rules of this file's own) is loaded once per module; each test runs its own engine on it
for a few weeks and drives the workflow through the engine's public methods, pinning what an
administrator or auditor reads: the events, states, owners, due dates, escalation targets, inputs
and Danish texts, each branch from both sides. Fast enough for the mutation run of the module
(scripts/mutation.sh workflow); the whole-year runs are in tests/test_engine_workflow.py."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import GOALS, WHEEL, write_config

from govcore.config import Configuration, Response, load_config
from govcore.engine import Engine, EngineEvent
from govcore.errors import DecisionError, EngineError
from govcore.plugins import load_plugins

RULES = """
rules:
  - id: afvigelse
    title: Mål ude af kurs
    when: {followup: monthly}
    for_each: goal
    if: [status == off_track, open_deviation == false]
    then:
      - flag_deviation: {reason: "{title}: {value} mod kravet {expected}"}
      - demand_action: {from: owner, within: 3 working days, title: "Handling: {title}"}
  - id: tilbage
    title: Tilbage på sporet
    when: {followup: monthly}
    for_each: goal
    if: [open_deviation == true, action_state == accepted]
    then:
      - close_deviation: {note: "{title} lukket ({action_state})"}
  - id: eskaler
    title: Eskaler
    when: {deadline: corrective_action}
    if: [at_top == false]
    then:
      - escalate: {to: superior, within: 2 working days}
  - id: toppen
    title: Øverst
    when: {deadline: corrective_action}
    if: [at_top == true]
    then:
      - notify: {to: owner, message: "{title} er forsinket {days_overdue} dage"}
  - id: spor
    title: Hvad en frist viser
    when: {deadline: corrective_action}
    if: [days_overdue > 0]
    then:
      - notify:
          to: direktoer
          message: "{action} {state} {superior} {at_top} {escalation_level} {days_overdue} {subject_kind} {goal}"
"""

# jobrate 40 against at least 50 (tolerance 2): off track from the February meeting on
OBSERVATIONS = """kpi,period,value,known_at
jobrate,2020-12,40,2021-01-02
ledige,2020-12,950,2021-01-02
"""


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Configuration]:
    """Configurations by their rules and observations, each loaded once for the module."""
    loaded: dict[tuple[str, ...], Configuration] = {}

    def make(rules: str = RULES, observations: str = OBSERVATIONS, goals: str = GOALS,
             wheel: str = WHEEL) -> Configuration:
        key = (rules, observations, goals, wheel)
        if key not in loaded:
            folder = tmp_path_factory.mktemp("workflow")
            (folder / "rules.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
            loaded[key] = load_config(write_config(folder / "config", observations=observations,
                                                   rules=[str(folder / "rules.yaml")], goals=goals, wheel=wheel))
        return loaded[key]
    return make


@pytest.fixture
def engine(configs: Callable[..., Configuration]) -> Iterator[Engine]:
    with Engine(configs()) as e:
        yield e


def _of(events: list[EngineEvent], kind: str) -> list[EngineEvent]:
    return [e for e in events if e.type == kind]


def _at(engine: Engine, day: dt.date, hour: int = 0) -> dt.datetime:
    return engine.calendar.local_datetime(day, hour)


JAN = {d: dt.date(2021, 1, d) for d in range(1, 32)}  # JAN[4] is 4 January 2021


# ------------------------------------------------------------------------- deviation and action


def test_an_off_track_goal_gets_a_deviation_and_an_action_of_its_owner(engine: Engine) -> None:
    events = engine.advance_to(JAN[4])
    (flagged,) = _of(events, "deviation_flagged")
    (demanded,) = _of(events, "action_demanded")
    assert (flagged.subject, flagged.owner, flagged.rule, flagged.goal) == ("g-job", "center", "afvigelse", "g-job")
    assert flagged.details["deviation"] == "dev-0001" and "jointly_with" not in flagged.details
    assert flagged.details["reason"] == "Mindst 50 % i job: 40 mod kravet 50"
    assert flagged.details["inputs"]["status"] == "off_track"
    assert (demanded.owner, demanded.details["action"], demanded.details["deviation"]) == (
        "center", "act-0001", "dev-0001")
    assert demanded.details["due"] == "2021-01-07" and demanded.details["title"] == "Handling: Mindst 50 % i job"
    assert demanded.details["within"] == "3 working days" and "jointly_with" not in demanded.details
    assert demanded.details["inputs"] == flagged.details["inputs"] and demanded.rule == "afvigelse"
    (dev,) = engine.open_deviations()
    assert (dev.goal, dev.inputs) == ("g-job", flagged.details["inputs"])
    (act,) = engine.open_actions()
    assert (dev.id, dev.owner, dev.rule, dev.opened_at, dev.actions) == (
        "dev-0001", "center", "afvigelse", _at(engine, JAN[4], 9), ["act-0001"])
    assert (act.id, act.owner, act.state.value, act.due, act.deviation, act.demanded_by_rule) == (
        "act-0001", "center", "demanded", JAN[7], "dev-0001", "afvigelse")
    assert (act.subject, act.subject_kind, act.goal, act.demanded_at) == (
        "g-job", "goal", "g-job", _at(engine, JAN[4], 9))


def test_an_unanswered_action_climbs_the_line_and_the_top_is_told(engine: Engine) -> None:
    events = engine.advance_to(JAN[31])
    overdue = _of(events, "action_overdue")
    escalated = _of(events, "escalated")
    # the deadline is midnight after the due date; each step adds 2 working days
    assert [(e.at, e.owner, e.details["due"], e.details["escalation_level"]) for e in overdue] == [
        (_at(engine, JAN[8]), "center", "2021-01-07", 0), (_at(engine, JAN[13]), "chef", "2021-01-12", 1),
        (_at(engine, JAN[16]), "direktoer", "2021-01-15", 2), (_at(engine, JAN[20]), "udvalg", "2021-01-19", 3)]
    assert all(e.subject == "act-0001" and e.subject_kind == "action" and e.goal == "g-job" for e in overdue)
    assert [(e.details["from"], e.details["to"], e.owner, e.details["due"], e.details["level"],
             e.details["escalation"]) for e in escalated] == [
        ("center", "chef", "chef", "2021-01-12", 1, "esc-0001"),
        ("chef", "direktoer", "direktoer", "2021-01-15", 2, "esc-0002"),
        ("direktoer", "udvalg", "udvalg", "2021-01-19", 3, "esc-0003")]
    assert escalated[0].details["inputs"] == {"at_top": False} and "jointly_with" not in escalated[0].details
    # what the deadline's subject carries, as a rule reads it
    traced = [e.details["message"] for e in _of(events, "notification") if e.rule == "spor"]
    assert traced == ["act-0001 demanded chef nej 0 1 goal g-job",
                      "act-0001 escalated direktoer nej 1 1 goal g-job",
                      "act-0001 escalated udvalg nej 2 1 goal g-job",
                      "act-0001 escalated  ja 3 1 goal g-job"]
    (top,) = [e for e in _of(events, "notification") if e.rule == "toppen"]
    assert (top.owner, top.details["to"]) == ("udvalg", "udvalg")
    assert top.details["message"] == "Handling: Mindst 50 % i job er forsinket 1 dage"
    esc = engine.escalations["esc-0002"]
    assert (esc.action, esc.from_role, esc.to_role, esc.level, esc.rule, esc.at, esc.due) == (
        "act-0001", "chef", "direktoer", 2, "eskaler", _at(engine, JAN[13]), JAN[15])
    act = engine.actions["act-0001"]
    assert (act.owner, act.state.value, act.escalation_level, act.due) == ("udvalg", "escalated", 3, JAN[19])
    assert [a.id for a in engine.open_actions()] == ["act-0001"]


def test_an_action_submitted_on_its_due_date_is_on_time_and_never_overdue(engine: Engine) -> None:
    engine.advance_to(JAN[7])
    (submitted,) = engine.submit_action("act-0001", "Plan")
    assert (submitted.type, submitted.owner, submitted.subject) == ("action_submitted", "center", "g-job")
    assert submitted.details == {**submitted.details, "action": "act-0001", "text": "Plan", "due": "2021-01-07",
                                 "on_time": True}
    act = engine.actions["act-0001"]
    assert (act.state.value, act.submitted_at, act.text) == ("submitted", engine.now, "Plan")
    later = engine.advance_to(JAN[31])
    assert not _of(later, "action_overdue") and not _of(later, "escalated")


def test_an_action_submitted_after_its_due_date_is_late_and_not_escalated(engine: Engine) -> None:
    # at midnight after the due date the response comes before the deadline
    engine.respond(Response(date=JAN[8], time="00:00", submit={"action": "act-0001", "text": "Sent"}))
    events = engine.advance_to(JAN[31])
    (submitted,) = _of(events, "action_submitted")
    assert submitted.at == _at(engine, JAN[8]) and submitted.details["on_time"] is False
    assert not _of(events, "action_overdue") and not _of(events, "escalated")


def test_an_accepted_action_lets_the_next_meeting_close_the_deviation_and_a_new_one_gets_new_ids(
        engine: Engine) -> None:
    engine.advance_to(JAN[5])
    engine.submit_action("act-0001")
    (accepted,) = engine.accept_action("act-0001", "Godkendt")
    assert (accepted.type, accepted.owner, accepted.details["text"]) == ("action_accepted", "center", "Godkendt")
    assert accepted.details["action"] == "act-0001" and engine.actions["act-0001"].state.value == "accepted"
    events = engine.advance_to(dt.date(2021, 2, 1))
    (closed,) = _of(events, "deviation_closed")
    assert (closed.rule, closed.owner, closed.subject) == ("tilbage", "center", "g-job")
    assert closed.details["note"] == "Mindst 50 % i job lukket (accepted)"
    assert closed.details["actions"] == ["act-0001"] and closed.details["deviation"] == "dev-0001"
    assert closed.details["inputs"] == {"open_deviation": True, "action_state": "accepted", "status": "off_track",
                                        "value": 40.0, "expected": 50.0, "period": "2020-12",
                                        "explanation": closed.details["inputs"]["explanation"]}
    dev = engine.deviations["dev-0001"]
    assert (dev.state.value, dev.closed_at) == ("closed", closed.at)
    assert engine.actions["act-0001"].state.value == "closed"
    assert not engine.open_deviations() and not engine.open_actions()
    # still off track: the March meeting opens the next deviation and action
    events = engine.advance_to(dt.date(2021, 3, 1))
    assert [e.details.get("deviation") for e in _of(events, "deviation_flagged")] == ["dev-0002"]
    assert [e.details["action"] for e in _of(events, "action_demanded")] == ["act-0002"]
    assert [d.id for d in engine.open_deviations()] == ["dev-0002"]


def test_a_rejected_action_is_due_again_in_five_working_days_and_its_old_deadline_passes(engine: Engine) -> None:
    engine.advance_to(JAN[5])
    engine.submit_action("act-0001", "Udkast")
    (rejected,) = engine.reject_action("act-0001", "For tyndt")
    assert (rejected.type, rejected.owner, rejected.subject) == ("action_rejected", "center", "g-job")
    assert rejected.details == {**rejected.details, "action": "act-0001", "text": "For tyndt",
                                "new_due": "2021-01-12"}
    act = engine.actions["act-0001"]
    assert (act.state.value, act.due) == ("demanded", JAN[12])
    events = engine.advance_to(JAN[13])
    # nothing at midnight after the old due date (7 January); overdue after the new one
    assert [(e.at, e.details["due"]) for e in _of(events, "action_overdue")] == [(_at(engine, JAN[13]), "2021-01-12")]
    # and the owner may submit it again, and have it rejected without a word
    engine.advance_to(JAN[14])
    engine.submit_action("act-0001")
    assert engine.reject_action("act-0001")[0].details["text"] == ""
    assert [e.type for e in engine.submit_action("act-0001", "Bedre")] == ["action_submitted"]


def test_responses_that_are_no_transition_are_ignored_with_their_reason(engine: Engine) -> None:
    engine.advance_to(JAN[5])
    (e1,) = engine.accept_action("act-0001")
    (e2,) = engine.reject_action("act-0001", "nej")
    assert (e1.type, e1.subject, e1.details["action"], e1.details["response"]) == (
        "response_ignored", "g-job", "act-0001", "accept")
    assert e1.details["reason"] == "only a submitted action can be accepted"
    assert (e2.details["response"], e2.details["reason"]) == ("reject", "only a submitted action can be rejected")
    assert (e2.subject, e2.details["action"]) == ("g-job", "act-0001")
    assert engine.actions["act-0001"].state.value == "demanded"
    (submitted,) = engine.submit_action("act-0001")
    (accepted,) = engine.accept_action("act-0001")
    assert submitted.details["text"] == accepted.details["text"] == "" == engine.actions["act-0001"].text
    (e3,) = engine.submit_action("act-0001", "igen")
    assert (e3.type, e3.details["response"], e3.details["reason"]) == ("response_ignored", "submit",
                                                                       "the action is accepted")
    assert (e3.subject, e3.details["action"]) == ("g-job", "act-0001")
    (e4,) = engine.accept_action("act-0001")
    assert e4.details["reason"] == "only a submitted action can be accepted"
    assert engine.actions["act-0001"].state.value == "accepted"


def test_a_response_naming_a_subject_answers_its_open_action_and_one_without_an_action_is_ignored(
        engine: Engine) -> None:
    engine.respond(Response(date=JAN[5], submit={"subject": "g-job", "text": "Via målet"}))
    engine.respond(Response(date=JAN[5], time="13:00", submit={"subject": "g-ledige", "text": "?"}))
    events = engine.advance_to(JAN[5])
    (submitted,) = _of(events, "action_submitted")
    assert submitted.details["action"] == "act-0001" and submitted.details["text"] == "Via målet"
    assert submitted.at == _at(engine, JAN[5], 12)
    (ignored,) = _of(events, "response_ignored")
    assert ignored.subject is None and ignored.at == _at(engine, JAN[5], 13)
    assert ignored.details == {"response": "submit", "subject": "g-ledige", "text": "?",
                               "reason": "no open corrective action matches"}


def test_a_subject_answers_through_its_newest_action_not_a_closed_one(engine: Engine) -> None:
    engine.advance_to(JAN[5])
    engine.submit_action("act-0001")
    engine.accept_action("act-0001")
    engine.advance_to(dt.date(2021, 3, 1))  # act-0001 closed in February, act-0002 demanded in March
    engine.respond(Response(date=dt.date(2021, 3, 2), submit={"subject": "g-job"}))
    (submitted,) = _of(engine.advance_to(_at(engine, dt.date(2021, 3, 2), 13)), "action_submitted")
    assert submitted.details["action"] == "act-0002" and submitted.details["text"] == ""
    # a response's events are about the action's subject, the goal
    assert (submitted.subject, submitted.subject_kind, submitted.goal) == ("g-job", "goal", "g-job")
    assert submitted.details["subject_title"] == "Handling: Mindst 50 % i job"  # the action's title
    # with only closed actions, a subject has none to answer
    engine.respond(Response(date=dt.date(2021, 3, 2), time="14:00", accept={"subject": "g-ledige"}))
    (ignored,) = _of(engine.advance_to(dt.date(2021, 3, 2)), "response_ignored")
    assert ignored.details["reason"] == "no open corrective action matches"


@pytest.mark.usefixtures("english")
def test_the_api_names_what_it_does_not_know_with_a_hint(engine: Engine) -> None:
    with pytest.raises(EngineError, match=r"^unknown corrective action 'act-0001' \(see engine.open_actions\(\)\)$"):
        engine.submit_action("act-0001")
    engine.advance_to(JAN[4])
    for call in (engine.submit_action, engine.accept_action, engine.reject_action):
        with pytest.raises(EngineError, match=r"^unknown corrective action 'act-001' \(did you mean 'act-0001'\?\)$"):
            call("act-001")
    with pytest.raises(EngineError, match=r"^unknown deliverable 'plan2' \(did you mean 'plan'\?\)$"):
        engine.deliver("plan2")
    with pytest.raises(EngineError, match=r"^a response dated 2021-01-03T12:00:00\+01:00 is before the engine's "
                                          r"clock \(2021-01-04T23:59:00\+01:00\)$"):
        engine.respond(Response(date=JAN[3], submit={"action": "act-0001"}))
    # nothing happened
    assert engine.actions["act-0001"].state.value == "demanded" and engine.pending() >= 1


# --------------------------------------------------------------------------------- deliverables

REQUIRE = """
rules:
  - id: kraev-plan
    title: Kræv planen
    when: {followup: monthly}
    for_each: goal
    if: [status == off_track]
    then:
      - require_deliverable: {deliverable: plan, from: owner, within: 2 working days}
      - require_deliverable: {deliverable: plan, from: responsible, within: 4 working days}
  - id: plan-for-sent
    title: Planen for sent
    when: {deadline: deliverable}
    then:
      - notify: {to: owner, message: "{title} {delivered} {days_late} dage efter {due}"}
"""


def test_a_required_deliverable_is_due_from_the_role_asked_and_only_its_last_due_date_is_missed(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(REQUIRE)) as engine:
        events = engine.advance_to(JAN[11])
    required = _of(events, "deliverable_required")
    # 'owner' is the deliverable's owner (the chef), 'responsible' the goal's (the centre)
    assert [(e.owner, e.subject, e.subject_kind, e.details["due"], e.rule) for e in required] == [
        ("chef", "plan", "deliverable", "2021-01-06", "kraev-plan"),
        ("center", "plan", "deliverable", "2021-01-08", "kraev-plan")]
    assert required[0].details["deliverable"] == "plan" and required[0].details["inputs"]["status"] == "off_track"
    assert required[0].details["subject_title"] == "Beskæftigelsesplan"
    assert engine.required["plan"] == JAN[8]
    (missed,) = _of(events, "deliverable_missed")
    assert (missed.at, missed.owner, missed.subject) == (_at(engine, JAN[9]), "chef", "plan")
    assert missed.details == {**missed.details, "deliverable": "plan", "due": "2021-01-08"}
    (told,) = _of(events, "notification")
    assert told.details["message"] == "Beskæftigelsesplan nej 1 dage efter 08.01.2021" and told.owner == "chef"


def test_a_deliverable_delivered_in_time_is_neither_missed_nor_required_again(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(REQUIRE)) as engine:
        engine.advance_to(JAN[5])
        (delivered,) = engine.deliver("plan")
        later = engine.advance_to(dt.date(2021, 2, 28))
        assert engine.deliver("plan") == []  # delivered already: nothing happens
    assert (delivered.type, delivered.owner, delivered.subject) == ("deliverable_delivered", "chef", "plan")
    assert delivered.details == {**delivered.details, "deliverable": "plan", "due": "2021-01-08", "days_late": 0}
    assert engine.delivered["plan"] == delivered.at
    assert not _of(later, "deliverable_missed") and not _of(later, "deliverable_required")


@pytest.mark.parametrize("in_the_wheel", [True, False])
def test_a_deliverable_delivered_late_says_how_late(configs: Callable[..., Configuration],
                                                    in_the_wheel: bool) -> None:
    wheel = WHEEL if in_the_wheel else WHEEL.replace("    deliverables: [plan]\n", "")
    with Engine(configs(REQUIRE, wheel=wheel)) as engine:
        engine.advance_to(JAN[11])
        (delivered,) = engine.deliver("plan")
        # with a later due date in the wheel, the next cycle starts: the plan is due again then
        next_due, delivered_now = (dt.date(2021, 9, 30), False) if in_the_wheel else (JAN[8], True)
        assert engine.required["plan"] == next_due and ("plan" in engine.delivered) is delivered_now
    assert delivered.details["days_late"] == 3 and delivered.details["due"] == "2021-01-08"


PLAN = """
rules:
  - id: plan-mangler
    title: Planen mangler ved fristen
    when: {wheel: any}
    for_each: deliverable
    if: [delivered == false]
    then:
      - flag_deviation: {reason: "{title} mangler ({due})"}
"""


def test_a_deliverable_missing_at_its_wheel_date_is_a_deviation_that_delivery_closes(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(PLAN)) as engine:
        events = engine.advance_to(dt.date(2021, 10, 4))
        (flagged,) = _of(events, "deviation_flagged")
        assert (flagged.subject, flagged.owner, flagged.details["reason"]) == (
            "plan", "chef", "Beskæftigelsesplan mangler (30.09.2021)")
        delivered, closed = engine.deliver("plan")
    assert delivered.details["days_late"] == 4 and delivered.details["due"] == "2021-09-30"
    assert (closed.type, closed.rule, closed.subject, closed.owner) == ("deviation_closed", None, "plan", "chef")
    assert closed.details["note"] == "delivered" and closed.details["inputs"] == {"days_late": 4}
    assert closed.details["deviation"] == flagged.details["deviation"] and not engine.open_deviations()


# ------------------------------------------------------------------------------ roles asked


ROLES = """
rules:
  - id: fortael
    title: Fortæl
    when: {followup: monthly}
    for_each: goal
    then:
      - notify: {to: owner, message: "ejer af {title}"}
      - notify: {to: responsible}
      - notify: {to: superior, message: "over {owner}"}
      - notify: {to: udvalg, message: "til udvalget"}
"""


def test_a_notification_goes_to_the_owner_the_superior_or_the_role_named(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(ROLES)) as engine:
        told = _of(engine.advance_to(JAN[4]), "notification")
    assert [(e.subject, e.owner, e.details["to"], e.details["message"]) for e in told] == [
        ("g-job", "center", "center", "ejer af Mindst 50 % i job"), ("g-job", "center", "center", "Mindst 50 % i job"),
        ("g-job", "chef", "chef", "over center"), ("g-job", "udvalg", "udvalg", "til udvalget"),
        ("g-ledige", "chef", "chef", "ejer af Højst 1000 ledige"), ("g-ledige", "chef", "chef", "Højst 1000 ledige"),
        ("g-ledige", "direktoer", "direktoer", "over chef"), ("g-ledige", "udvalg", "udvalg", "til udvalget")]
    assert all(e.rule == "fortael" and e.details["inputs"]["status"] in ("off_track", "on_track") for e in told)


DEMAND = """
rules:
  - id: kraev
    title: Kræv af chefen
    when: {followup: monthly}
    for_each: goal
    if: [status == off_track]
    then:
      - demand_action: {from: superior, within: 1 working day, title: "Til {owner}s chef"}
"""


def test_a_demand_without_a_deviation_flags_one_and_waits_while_an_action_is_open_or_submitted(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(DEMAND)) as engine:
        first = engine.advance_to(JAN[4])
        (flagged,) = _of(first, "deviation_flagged")
        (demanded,) = _of(first, "action_demanded")
        assert flagged.rule == "kraev" and flagged.details["reason"] == "Mindst 50 % i job: status off_track"
        assert flagged.owner == "center"  # the deviation is the goal owner's, the action the chef's
        assert (demanded.owner, demanded.details["due"], demanded.details["title"]) == (
            "chef", "2021-01-05", "Til centers chef")
        assert "jointly_with" not in demanded.details and engine.actions["act-0001"].jointly_with == ()
        assert not _of(engine.advance_to(dt.date(2021, 2, 1)), "action_demanded")  # still demanded
        engine.submit_action("act-0001")
        assert not _of(engine.advance_to(dt.date(2021, 3, 1)), "action_demanded")  # submitted
        engine.accept_action("act-0001")
        (again,) = _of(engine.advance_to(dt.date(2021, 4, 6)), "action_demanded")  # after Easter
        assert again.details["action"] == "act-0002" and again.details["deviation"] == "dev-0001"
        assert engine.deviations["dev-0001"].actions == ["act-0001", "act-0002"]
        assert [d.id for d in engine.open_deviations()] == ["dev-0001"]
        # the accepted action stays open beside the new one: a response naming the goal answers the newest
        assert [a.id for a in engine.open_actions()] == ["act-0001", "act-0002"]
        engine.respond(Response(date=dt.date(2021, 4, 7), submit={"subject": "g-job", "text": "Ny"}))
        (submitted,) = engine.advance_to(dt.date(2021, 4, 7))
        assert (submitted.type, submitted.details["action"]) == ("action_submitted", "act-0002")


ESCALATE = """
rules:
  - id: afvigelse
    title: Mål ude af kurs
    when: {followup: monthly}
    for_each: goal
    if: [status == off_track, open_deviation == false]
    then:
      - demand_action: {from: owner, within: 3 working days}
  - id: eskaler
    title: Eskaler
    when: {deadline: corrective_action}
    then:
      - escalate: {to: TO, within: 2 working days}
"""


@pytest.mark.parametrize(("to", "climb", "exhausted_with"), [
    ("superior", [("center", "chef"), ("chef", "direktoer"), ("direktoer", "udvalg")], "udvalg"),
    ("direktoer", [("center", "direktoer")], "direktoer"),
    ("owner", [], "center"),
])
def test_escalating_past_the_top_or_to_the_holder_is_exhausted_with_the_reason(
        configs: Callable[..., Configuration], to: str, climb: list[tuple[str, str]], exhausted_with: str) -> None:
    with Engine(configs(ESCALATE.replace("TO", to))) as engine:
        events = engine.advance_to(JAN[31])
        act = engine.actions["act-0001"]
    assert [(e.details["from"], e.details["to"]) for e in _of(events, "escalated")] == climb
    exhausted = _of(events, "escalation_exhausted")
    assert exhausted and all(e.owner == exhausted_with and e.rule == "eskaler" for e in exhausted)
    assert exhausted[0].details == {**exhausted[0].details, "action": "act-0001",
                                    "reason": f"'{exhausted_with}' has no superior", "inputs": {}}
    assert (act.owner, act.escalation_level, act.state.value) == (exhausted_with, len(climb),
                                                              "escalated" if climb else "demanded")
    assert len(engine.escalations) == len(climb)


def test_a_response_at_the_clocks_own_time_is_taken(engine: Engine) -> None:
    noon = _at(engine, JAN[5], 12)
    engine.advance_to(noon)
    engine.respond(Response(date=JAN[5], time="12:00", submit={"action": "act-0001", "text": "Nu"}))
    assert engine.next_time() == noon
    (submitted,) = engine.advance_to(noon)
    assert (submitted.type, submitted.at, submitted.details["text"]) == ("action_submitted", noon, "Nu")



# ---------------------------------------------------------------------------------- decisions

DECIDE = """
rules:
  - id: beslut
    title: Beslut om målet
    when: {followup: monthly}
    for_each: goal
    if: [status == off_track, open_deviation == false, decision != close]
    then:
      - flag_deviation: {reason: "{title} er ude af kurs"}
      - demand_decision: {from: superior, question: "Fortsætte {title}?"}
"""


def test_a_decision_taken_through_the_api_is_the_roles_and_closes_the_deviation(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(DECIDE)) as engine:
        engine.advance_to(JAN[4])
        (dec,) = engine.open_decisions()
        made, closed = engine.decide(dec.id, "continue")
        assert not engine.open_decisions() and not engine.open_deviations()
    assert (made.type, made.subject, made.subject_kind, made.goal, made.owner) == (
        "decision_made", "g-job", "goal", "g-job", "chef")
    assert made.details == {**made.details, "decision": "dec-0001", "option": "continue", "text": "", "by": "chef",
                            "question": "Fortsætte Mindst 50 % i job?", "ends_followup": False,
                            "subject_title": "Mindst 50 % i job"}
    assert (closed.type, closed.subject, closed.details["note"]) == ("deviation_closed", "g-job", "besluttet: continue")
    assert (dec.option, dec.text, dec.by, dec.decided_at) == ("continue", "", "chef", made.at)


def test_a_decision_says_who_took_it_and_why(configs: Callable[..., Configuration]) -> None:
    with Engine(configs(DECIDE)) as engine:
        engine.advance_to(JAN[4])
        made, closed = engine.decide("dec-0001", "adjust", text="Ny kurs", by="Formand")
    assert (made.details["by"], made.details["text"], made.owner) == ("Formand", "Ny kurs", "chef")
    assert closed.details["note"] == "besluttet: adjust – Ny kurs"


@pytest.mark.usefixtures("english")
def test_a_decision_answered_by_a_response_names_its_decision_or_its_subject(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(DECIDE)) as engine:
        engine.advance_to(JAN[4])
        # the decision named wins over a subject named beside it
        engine.respond(Response(date=JAN[5], decide={"decision": "dec-0001", "subject": "g-ledige",
                                                      "option": "close"}))
        # without text and by; without an option; without a decision or subject
        engine.respond(Response(date=JAN[5], time="13:00", decide={"subject": "g-job"}))
        engine.respond(Response(date=JAN[5], time="14:00", decide={"option": "close"}))
        events = engine.advance_to(JAN[5])
    made = _of(events, "decision_made")
    assert [(e.details["decision"], e.details["option"], e.details["text"], e.details["by"]) for e in made] == [
        ("dec-0001", "close", "", "chef")]
    assert made[0].details["ends_followup"] is True
    ignored = _of(events, "response_ignored")
    assert [e.details["reason"] for e in ignored] == ["no decision about 'g-job' is open",
                                                      "unknown decision '' (no decision is open)"]
    assert ignored[1].details == {"response": "decide", "decision": "", "option": "close",
                                  "reason": "unknown decision '' (no decision is open)"}


@pytest.mark.usefixtures("english")
def test_an_answer_without_an_option_is_ignored_with_the_reason(configs: Callable[..., Configuration]) -> None:
    with Engine(configs(DECIDE)) as engine:
        engine.advance_to(JAN[4])
        engine.respond(Response(date=JAN[5], decide={"subject": "g-job"}))
        (ignored,) = engine.advance_to(JAN[5])
    assert ignored.details == {"response": "decide", "decision": "dec-0001", "option": "",
                               "reason": "'' is not an option of decision 'dec-0001' (expected one of: "
                                         "adjust, close, continue)"}


@pytest.mark.usefixtures("english")
def test_delivering_where_no_deliverable_is_defined_says_so(configs: Callable[..., Configuration]) -> None:
    goals, wheel = GOALS.split("deliverables:")[0], WHEEL.replace("    deliverables: [plan]\n", "")
    with Engine(configs(RULES, goals=goals, wheel=wheel)) as engine, \
            pytest.raises(EngineError, match=r"^unknown deliverable 'plan' \(none defined\)$"):
        engine.deliver("plan")


ASK_ALL = """
rules:
  - id: spoerg
    title: Spørg om alle mål
    when: {followup: monthly}
    for_each: goal
    then:
      - demand_decision: {from: direktoer}
"""


@pytest.mark.usefixtures("english")
def test_a_wrong_answer_to_a_decision_says_which_field_is_wrong(configs: Callable[..., Configuration]) -> None:
    with Engine(configs(ASK_ALL)) as engine:
        engine.advance_to(JAN[4])
        with pytest.raises(DecisionError, match=r"^unknown decision 'xyz' \(open decisions: dec-0001, dec-0002\)$") \
                as unknown:
            engine.decide("xyz", "close")
        with pytest.raises(DecisionError, match=r"^'luk' is not an option of decision 'dec-0002' \(expected one of: "
                                                r"adjust, close, continue\)$") as option:
            engine.decide("dec-0002", "luk")
        engine.decide("dec-0001", "close")
        with pytest.raises(DecisionError, match=r"^decision 'dec-0001' was taken on 2021-01-04: close$") as taken:
            engine.check_decision("dec-0001", "close")
        assert engine.check_decision("dec-0002", "adjust").subject == "g-ledige"
    assert (unknown.value.field, option.value.field, taken.value.field) == ("decision", "option", "decision")


def test_a_plugin_action_renders_the_subject_its_owner_and_fields(tmp_path: Path) -> None:
    from test_engine_workflow import _SayPlugin

    plugins = load_plugins()
    plugins.register(_SayPlugin(), name="say-plugin")
    (tmp_path / "rules.yaml").write_text(textwrap.dedent("""
        rules:
          - id: sig
            title: Sig
            when: {followup: monthly}
            for_each: goal
            if: [status == off_track]
            then:
              - say: {text: "{subject} {owner} {title} {status}"}
        """), encoding="utf-8")
    folder = write_config(tmp_path / "config", observations=OBSERVATIONS, rules=[str(tmp_path / "rules.yaml")])
    cfg = load_config(folder, plugins=plugins)
    with Engine(cfg) as engine:
        (said,) = _of(engine.advance_to(JAN[4]), "said")
    assert said.details["text"] == "g-job center Mindst 50 % i job off_track"


def test_a_deliverable_never_required_is_delivered_without_a_due_date(configs: Callable[..., Configuration]) -> None:
    with Engine(configs(RULES, wheel=WHEEL.replace("    deliverables: [plan]\n", ""))) as engine:
        engine.advance_to(JAN[5])
        (delivered,) = engine.deliver("plan")
    assert (delivered.subject, delivered.owner) == ("plan", "chef")
    assert delivered.details == {**delivered.details, "deliverable": "plan", "due": "", "days_late": 0}


# ------------------------------------------------------------------------------ joint owners

# g-job held by the centre and the chef together, g-ledige by the direktør and the committee (the top)
JOINT_GOALS = GOALS.replace("owner: center", "owner: [center, chef]").replace(
    "    owner: chef\n", "    owner: [direktoer, udvalg]\n")

JOINT = """
rules:
  - id: afvigelse
    title: Mål ude af kurs
    when: {followup: monthly}
    for_each: goal
    if: [status == off_track, open_deviation == false]
    then:
      - flag_deviation: {reason: "{title}"}
      - demand_action: {from: responsible, within: 3 working days}
  - id: fortael
    title: Fortæl
    when: {followup: monthly}
    for_each: goal
    then:
      - notify: {to: responsible, message: "ansvarlig"}
      - notify: {to: superior, message: "over"}
      - notify: {to: udvalg, message: "udvalget"}
  - id: frist
    title: Frist
    when: {deadline: corrective_action}
    if: [action_state == demanded]
    then:
      - notify: {to: owner, message: "{superior} {goal}"}
      - escalate: {to: chef, within: 2 working days}
"""


def test_a_jointly_held_goal_tells_every_holder_and_its_common_superior(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(JOINT, goals=JOINT_GOALS)) as engine:
        events = engine.advance_to(JAN[11])
    (demanded,) = _of(events, "action_demanded")
    # 'responsible' is every holder: one action, held jointly
    assert (demanded.owner, demanded.details["jointly_with"]) == ("center", ["chef"])
    told = [(e.subject, e.owner, e.details["message"]) for e in _of(events, "notification")]
    # above the centre and the chef together is the direktør; above the direktør and the committee, nobody
    assert told == [
        ("g-job", "center", "ansvarlig"), ("g-job", "chef", "ansvarlig"), ("g-job", "direktoer", "over"),
        ("g-job", "udvalg", "udvalget"),
        ("g-ledige", "direktoer", "ansvarlig"), ("g-ledige", "udvalg", "ansvarlig"),
        ("g-ledige", "direktoer", "over"), ("g-ledige", "udvalg", "udvalget"),
        # the missed deadline of the joint action: both holders told, its superior the common one
        ("act-0001", "center", "direktoer g-job"), ("act-0001", "chef", "direktoer g-job")]
    # escalating to one of the holders goes nowhere, and says who holds it
    (exhausted,) = _of(events, "escalation_exhausted")
    assert (exhausted.owner, exhausted.details["reason"]) == ("center", "'center / chef' has no superior")
    assert not _of(events, "escalated") and engine.actions["act-0001"].state.value == "demanded"


def test_an_action_demanded_from_the_superior_of_joint_holders_is_the_superiors_alone(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(DEMAND, goals=JOINT_GOALS)) as engine:
        (demanded,) = _of(engine.advance_to(JAN[4]), "action_demanded")
        assert engine.actions["act-0001"].jointly_with == ()
    assert demanded.owner == "direktoer" and "jointly_with" not in demanded.details


NO_GOAL = """
rules:
  - id: kraev-plan
    title: Kræv planen
    when: {followup: monthly}
    for_each: goal
    if: [status == off_track]
    then:
      - require_deliverable: {deliverable: plan, from: owner, within: 2 working days}
  - id: plan-mangler
    title: Planen mangler
    when: {deadline: deliverable}
    then:
      - demand_action: {from: owner, within: 1 working day, title: "Aflever {title}"}
  - id: frist
    title: Frist
    when: {deadline: corrective_action}
    then:
      - notify: {to: owner, message: "[{goal}] [{wheel}] [{frequency}]"}
"""


def test_the_missed_deadline_of_an_action_without_a_goal_has_an_empty_goal(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(NO_GOAL)) as engine:
        events = engine.advance_to(JAN[11])
    (demanded,) = _of(events, "action_demanded")
    assert (demanded.subject, demanded.goal, demanded.rule) == ("plan", None, "plan-mangler")
    (told,) = _of(events, "notification")
    assert (told.subject, told.owner, told.details["message"]) == ("act-0001", "chef", "[] [] []")


def test_the_trace_of_a_missed_deadline_shows_the_actions_deviation(configs: Callable[..., Configuration]) -> None:
    with Engine(configs(), trace=True) as engine:
        engine.advance_to(JAN[8])
        assert engine.trace is not None
        (posted,) = [p for p in engine.trace if p.message["trigger"] == "deadline"]
    assert (posted.at, posted.fired) == (_at(engine, JAN[8]), ("eskaler", "spor"))
    assert {k: posted.message[k] for k in ("deadline", "subject", "deviation", "wheel", "frequency")} == {
        "deadline": "corrective_action", "subject": "act-0001", "deviation": "dev-0001", "wheel": "", "frequency": ""}


# Two escalations at one deadline: the rules of ESCALATE, then a second escalation to `TO`.
SECOND = """  - id: eskaler-igen
    title: Eskaler igen
    when: {deadline: corrective_action}
    then:
      - escalate: {to: TO, within: 2 working days}
"""
TWICE = ESCALATE.replace("TO", "superior") + SECOND.replace("TO", "superior")


def test_a_second_escalation_at_the_same_deadline_starts_from_the_actions_new_holder(
        configs: Callable[..., Configuration]) -> None:
    with Engine(configs(TWICE)) as engine:
        events = engine.advance_to(JAN[8])
        act = engine.actions["act-0001"]
    # the superior is the one above whoever holds the action now, not above the holder the deadline found
    assert [(e.rule, e.details["from"], e.details["to"]) for e in _of(events, "escalated")] == [
        ("eskaler", "center", "chef"), ("eskaler-igen", "chef", "direktoer")]
    assert not _of(events, "escalation_exhausted") and (act.owner, act.escalation_level) == ("direktoer", 2)


BACK = ESCALATE.replace("TO", "superior") + SECOND.replace("TO", "owner")


@pytest.mark.parametrize("word", ["owner", "responsible"])
def test_a_second_escalation_to_the_owner_at_the_same_deadline_never_moves_the_action_back_down(
        configs: Callable[..., Configuration], word: str) -> None:
    """`to: owner` names whoever holds the action when the rule acts: after the first escalation that
    is the new holder, so the second is exhausted (it used to read the holder the deadline found and
    send the action back from chef to center)."""
    rules = BACK.replace("to: owner", f"to: {word}")
    assert f"to: {word}" in rules
    with Engine(configs(rules)) as engine:
        events = engine.advance_to(JAN[8])
        act = engine.actions["act-0001"]
    assert [(e.rule, e.details["from"], e.details["to"]) for e in _of(events, "escalated")] == [
        ("eskaler", "center", "chef")]
    assert [(e.rule, e.owner) for e in _of(events, "escalation_exhausted")] == [("eskaler-igen", "chef")]
    assert (act.owner, act.escalation_level) == ("chef", 1)
