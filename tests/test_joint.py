"""Joint responsibility through a whole workflow.

Vejle's 2013 follow-up table gives a row to "Arbejdsmarkedschef og Stab" jointly; the 2020 table
gives rows to "Økonomi- og Arbejdsmarkedsdirektør / Arbejdsmarkedschef". Here a goal, a deliverable
and a follow-up are held jointly, and the test follows them from the follow-up through the
deviation, the corrective action, the notifications and the escalation (docs/configuration.md,
"Joint responsibility").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from govcore.config import load_config
from govcore.engine import Engine, EngineEvent
from govcore.errors import GovcoreError
from govcore.i18n import use_language
from govcore.model import Goal
from govcore.report import render_report
from govcore.simulate import simulate
from govcore.wheel import Wheel, render_text

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

# How the Danish report marks a target whose figures are govcore's example, not the municipality's.
ILLUSTRATIVE = " (eksempel: tallet er ikke kommunens)"

ORGANISATION = """
roles:
  - {id: udvalg, title: Arbejdsmarkedsudvalget, kind: committee}
  - {id: direktoer, title: Økonomi- og Arbejdsmarkedsdirektør, kind: director, superior: udvalg}
  - {id: chef, title: Arbejdsmarkedschef, kind: head, superior: direktoer}
  - {id: stab, title: Stab, kind: staff, superior: chef}
  - {id: center, title: Centerleder, kind: centre, superior: chef}
"""

GOALS = """
goals:
  - id: g-job
    title: Mindst 50 % i job
    level: administrative
    owner: [chef, stab]
    kpi: jobrate
    target: {kind: at_least, value: 50, tolerance: 2}
    followup: monthly
  - id: g-ledige
    title: Højst 1000 ledige
    level: political
    owner: center
    kpi: ledige
    target: {kind: at_most, value: 1000, tolerance: 100}
    followup: monthly
deliverables:
  - {id: plan, title: Oplæg til årlige mål, owner: [direktoer, chef]}
"""

WHEEL = """
timezone: Europe/Copenhagen
roll: next
milestones:
  - id: plan-frist
    title: Oplæg til årlige mål
    date: "30.09"
    type: due
    roll: previous
    deliverables: [plan]
    responsible: [direktoer, chef]
followups:
  - id: maanedsmoede
    title: Opfølgningsmøde og økonomi
    every: monthly
    on: first_working_day
    responsible: [direktoer, chef]
"""

OBSERVATIONS = """kpi,period,value,known_at
jobrate,2020-12,52,2021-01-02
jobrate,2021-01,47,2021-02-02
ledige,2020-12,1050,2021-01-02
"""


def _config(make_config: Callable[..., Path], responses: str | None = None) -> Path:
    folder = make_config(goals=GOALS, wheel=WHEEL, observations=OBSERVATIONS, responses=responses)
    (folder / "organisation.yaml").write_text(ORGANISATION, encoding="utf-8")
    return folder


def _of(events: list[EngineEvent], kind: str, subject: str | None = None) -> list[EngineEvent]:
    return [e for e in events if e.type == kind and (subject is None or e.subject == subject)]


@pytest.mark.parametrize(("lead", "other"), [("chef", "stab"), ("stab", "chef")])
def test_a_jointly_held_goal_through_deviation_action_and_escalation(
        make_config: Callable[..., Path], lead: str, other: str) -> None:
    folder = _config(make_config)
    (folder / "goals.yaml").write_text(GOALS.replace("[chef, stab]", f"[{lead}, {other}]"), encoding="utf-8")
    with Engine(load_config(folder)) as engine:
        engine.advance_to(dt.date(2021, 6, 30))
        events = list(engine.events)
    flagged = _of(events, "deviation_flagged", "g-job")
    demanded = _of(events, "action_demanded", "g-job")
    escalated = _of(events, "escalated")
    assert flagged[0].owner == lead and flagged[0].details["jointly_with"] == [other]
    # One action, held jointly (not one per role).
    assert len(demanded) == 1
    assert (demanded[0].owner, demanded[0].details["jointly_with"]) == (lead, [other])
    # Above the arbejdsmarkedschef and the Stab together is the direktør — whichever is named first;
    # the Stab's own superior, the chef, is one of the two and cannot be escalated to.
    assert [(e.details["from"], e.details["to"]) for e in escalated] == [(lead, "direktoer"),
                                                                         ("direktoer", "udvalg")]
    assert escalated[0].details["jointly_with"] == [other] and "jointly_with" not in escalated[1].details
    # The follow-up itself names both responsible roles.
    followups = _of(events, "followup")
    assert followups and all(e.owner == "direktoer" and e.details["jointly_with"] == ["chef"] for e in followups)


def test_each_jointly_responsible_role_is_notified(make_config: Callable[..., Path]) -> None:
    goals = GOALS.replace("owner: center", "owner: [center, stab]")
    folder = make_config(goals=goals, wheel=WHEEL, observations=OBSERVATIONS)
    (folder / "organisation.yaml").write_text(ORGANISATION, encoding="utf-8")
    with Engine(load_config(folder)) as engine:
        engine.advance_to(dt.date(2021, 2, 28))
        at_risk = _of(list(engine.events), "notification", "g-ledige")
    # 1050 ledige against at most 1000 (tolerance 100): at risk, so "maal-i-risiko" notifies the owner —
    # here both owners, the first named first, with the same message.
    first = [e for e in at_risk if e.at.date() == at_risk[0].at.date()]
    assert [e.details["to"] for e in first] == ["center", "stab"]
    assert first[0].details["message"] == first[1].details["message"]


def test_either_jointly_responsible_role_may_answer(make_config: Callable[..., Path]) -> None:
    responses = """
    responses:
      - {date: 2021-03-05, submit: {subject: g-job, text: Fælles indsats fra chef og stab}}
      - {date: 2021-03-08, accept: {subject: g-job}}
    """
    with Engine(load_config(_config(make_config, responses))) as engine:
        engine.advance_to(dt.date(2021, 3, 31))
        events = list(engine.events)
        action = engine.actions["act-0001"]
    assert _of(events, "action_submitted", "g-job") and not _of(events, "escalated")
    assert action.jointly_with == ("stab",) and action.state.value == "accepted"


def test_a_joint_deliverable_that_is_missed_escalates_above_both(make_config: Callable[..., Path]) -> None:
    with Engine(load_config(_config(make_config))) as engine:
        engine.run_year()
        plan = [e for e in engine.events if e.subject == "plan"]
    demanded = next(e for e in plan if e.type == "action_demanded")
    assert (demanded.owner, demanded.details["jointly_with"]) == ("direktoer", ["chef"])
    escalated = next(e for e in engine.events if e.type == "escalated" and e.details["action"] ==
                     demanded.details["action"])
    assert escalated.details["to"] == "udvalg"


def test_joint_roles_in_the_wheel_are_checked_and_shown() -> None:
    wheel = Wheel.model_validate({"followups": [
        {"id": "m", "title": "Opfølgningsmøde", "every": "monthly", "responsible": ["direktoer", "chef"]}]})
    assert [p.message for p in wheel.check_roles(["direktoer"])] == ["unknown role 'chef'"]
    with use_language("da"):  # the Danish listing
        text = render_text(wheel.events(2021), 2021, wheel.calendar)
    assert "ansvarlig: direktoer / chef" in text


def test_joint_responsibility_is_written_as_a_list_once() -> None:
    base = {"id": "g", "title": "t", "level": "political", "kpi": "k"}
    goal = Goal.model_validate({**base, "owner": ["chef", "stab"]})
    assert goal.owners == ("chef", "stab")
    with pytest.raises(ValidationError, match="names a role twice"):
        Goal.model_validate({**base, "owner": ["chef", "chef"]})
    with pytest.raises(ValidationError, match="not both"):
        Goal.model_validate({**base, "owner": ["chef", "stab"], "jointly_with": ["center"]})


def test_an_unknown_joint_owner_is_a_located_error(make_config: Callable[..., Path]) -> None:
    folder = _config(make_config)
    (folder / "goals.yaml").write_text(GOALS.replace("[chef, stab]", "[chef, staab]"), encoding="utf-8")
    with pytest.raises(GovcoreError, match="staab"):
        load_config(folder)


def test_the_report_names_every_responsible_role_and_marks_example_figures(
        make_config: Callable[..., Path]) -> None:
    goals = GOALS.replace("    followup: monthly\n  - id: g-ledige", "    followup: monthly\n    illustrative: true\n"
                          "  - id: g-ledige")
    folder = make_config(goals=goals, wheel=WHEEL, observations=OBSERVATIONS)
    (folder / "organisation.yaml").write_text(ORGANISATION, encoding="utf-8")
    with use_language("da"):  # the Danish report, whatever the module's english fixture says
        md = render_report(simulate(load_config(folder)), "md")
    rows = {line.split(" | ")[0].strip("| "): line for line in md.splitlines() if line.startswith("| Højst 1000")
            or line.startswith("| Mindst 50 %")}
    assert "| Arbejdsmarkedschef / Stab |" in rows["Mindst 50 % i job"]
    assert f"mindst 50,0 %{ILLUSTRATIVE}" in rows["Mindst 50 % i job"]
    assert ILLUSTRATIVE not in rows["Højst 1000 ledige"]


def test_the_stored_action_table_says_who_holds_an_action_jointly(make_config: Callable[..., Path],
                                                                   db_url: str) -> None:
    """govcore_action keeps every holder (schema 0006): "which actions does the Stab hold?" is a query."""
    import json

    import sqlalchemy as sa

    from govcore.store.audit import verify
    from govcore.store.db import open_database
    from govcore.store.run import tick

    cfg = load_config(_config(make_config))
    demanded = next(e for e in tick(cfg, db_url, now=dt.date(2021, 3, 1)).events if e.type == "action_demanded")
    database = open_database(db_url)
    try:
        def held_by(role: str) -> list[tuple[str, str, str]]:
            query = sa.text("SELECT id, owner, jointly_with FROM govcore_action WHERE owner = :r OR jointly_with "
                            "LIKE :like ORDER BY id")
            return database.read(lambda c: [tuple(r) for r in c.execute(query, {"r": role, "like": f'%"{role}"%'})])

        action = demanded.details["action"]
        assert held_by("stab") == [(action, "chef", '["stab"]')] == held_by("chef")
        assert json.loads(held_by("stab")[0][2]) == list(demanded.details["jointly_with"])
        assert [r.problem for r in verify(database)] == [None]
    finally:
        database.close()
    # Escalated to the direktør, the action is that role's alone: the column says so.
    tick(cfg, db_url, now=dt.date(2021, 6, 30))
    database = open_database(db_url)
    try:
        assert held_by("stab") == [] and held_by("udvalg") == [(action, "udvalg", "")]
        assert [r.problem for r in verify(database)] == [None]
    finally:
        database.close()


def test_rows_stored_before_the_joint_owner_column_keep_their_digests() -> None:
    from govcore.store.facts import row_digest

    before = {"municipality": "630", "start": "2021-01-01", "id": "act-0001", "owner": "chef", "state": "demanded"}
    assert row_digest({**before, "jointly_with": ""}) == row_digest(before)  # what migration 0006 leaves
    assert row_digest({**before, "jointly_with": '["stab"]'}) != row_digest(before)
