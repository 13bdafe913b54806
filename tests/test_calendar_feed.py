"""A person's calendar feed (iCalendar, timed in Europe/Copenhagen), its secret token, and the wheel
as JSON (govcore.access.calendar_feed), over a real stored run."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from pathlib import Path
from typing import Any

import icalendar
import pytest
import sqlalchemy as sa
from conftest import write_config

from govcore.access.accounts import AccountError, User
from govcore.access.calendar_feed import (
    calendar_of_token,
    new_calendar_token,
    person_of_calendar_token,
    personal_calendar,
    revoke_calendar_token,
    wheel_json,
)
from govcore.config import Configuration, load_config
from govcore.store.db import Database, open_database
from govcore.store.run import tick
from govcore.store.tables import UserRow, table

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
START = "2021-01-01"


def add_user(db: Database, username: str, roles: list[str], *, disabled: bool = False) -> None:
    db.write(lambda conn: conn.execute(sa.insert(table(UserRow)).values(
        username=username, municipality="630", name=username.capitalize(), roles=json.dumps(roles),
        admin=False, disabled=disabled, failed_logins=0, created_at="2021-01-01T00:00:00+00:00")))


@pytest.fixture
def setup(tmp_path: Path, db_url: str) -> Any:
    cfg = load_config(write_config(tmp_path / "c"))
    tick(cfg, db_url, now=dt.date(2021, 3, 5))  # the goal is off track: an action is demanded of 'center'
    db = open_database(db_url)
    add_user(db, "jens", ["center"])
    add_user(db, "hanne", ["chef"])
    add_user(db, "ole", ["direktoer"], disabled=True)
    yield cfg, db, db_url
    db.close()


def events(text: str) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(text)
    return [c for c in cal.walk("VEVENT")]


def feed(db: Database, cfg: Configuration, username: str, today: dt.date = dt.date(2021, 3, 5)) -> str:
    person = person_of_calendar_token(db, new_calendar_token(db, username))
    assert person is not None
    return personal_calendar(db, cfg, START, person, today=today)


def test_a_token_finds_its_person_only_its_hash_is_stored_and_rotating_retires_the_old_one(setup: Any) -> None:
    _, db, _ = setup
    first = new_calendar_token(db, "jens")
    found = person_of_calendar_token(db, first)
    assert found is not None and (found.username, found.name, found.municipality, found.roles) == (
        "jens", "Jens", "630", ("center",))
    stored = db.read(lambda conn: conn.execute(sa.text(
        "SELECT calendar_token_hash FROM govcore_user WHERE username = 'jens'")).scalar_one())
    assert stored == hashlib.sha256(first.encode()).hexdigest() and first not in stored
    second = new_calendar_token(db, "jens")
    assert second != first
    assert person_of_calendar_token(db, first) is None
    assert person_of_calendar_token(db, second) is not None
    assert revoke_calendar_token(db, "jens") and not revoke_calendar_token(db, "jens")
    assert person_of_calendar_token(db, second) is None
    assert person_of_calendar_token(db, new_calendar_token(db, "ole")) is None  # disabled
    assert person_of_calendar_token(db, "") is None
    assert person_of_calendar_token(db, "x" * 5000) is None
    with pytest.raises(AccountError):
        new_calendar_token(db, "nobody")


def test_the_owner_sees_the_action_due_timed_in_copenhagen_with_a_vtimezone(setup: Any) -> None:
    cfg, db, _ = setup
    text = feed(db, cfg, "jens")
    cal = icalendar.Calendar.from_ical(text)
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Copenhagen"]
    assert {c.name for c in zones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}
    evs = events(text)
    assert [str(e["SUMMARY"]) for e in evs] == ["Frist: Korrigerende handling: Mindst 50 % i job"]
    start = evs[0].decoded("DTSTART")
    assert isinstance(start, dt.datetime) and start.tzinfo is not None
    assert start == dt.datetime(2021, 3, 15, 9, 0, tzinfo=CPH)
    assert "DTSTART;TZID=Europe/Copenhagen:20210315T090000" in text
    assert "VALUE=DATE" not in text  # no all-day events
    assert str(evs[0]["UID"]) == "action-act-0001-630-2021-01-01@govcore"
    assert "Fristen løber til udgangen af 15.03.2021" in str(evs[0]["DESCRIPTION"])


def test_the_superior_sees_meetings_milestones_and_deliverables_of_their_roles(setup: Any) -> None:
    cfg, db, _ = setup
    evs = events(feed(db, cfg, "hanne"))
    by_kind: dict[str, list[icalendar.Event]] = {}
    for e in evs:
        by_kind.setdefault(str(e["CATEGORIES"].cats[0]), []).append(e)
    assert sorted(by_kind) == ["deliverable_due", "meeting", "milestone_due"]
    meetings = by_kind["meeting"]
    assert len(meetings) == 24  # the monthly follow-up, this year and next
    june = next(e for e in meetings if e.decoded("DTSTART").date() == dt.date(2021, 6, 1))
    assert june.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)  # summer time
    assert june.decoded("DTEND") - june.decoded("DTSTART") == dt.timedelta(hours=1)
    assert june.decoded("DTSTART").hour == 9
    plan = by_kind["deliverable_due"]
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in plan] == [
        ("Frist: Beskæftigelsesplan", dt.datetime(2021, 9, 30, 9, 0, tzinfo=CPH))]
    # the action is center's, not the chef's (yet)
    assert not any(str(e["UID"]).startswith("action-") for e in evs)


def test_after_an_escalation_the_deadline_moves_to_the_superior_under_the_same_uid(setup: Any) -> None:
    cfg, db, url = setup
    before = {str(e["UID"]) for e in events(feed(db, cfg, "jens"))}
    tick(cfg, url, now=dt.date(2021, 3, 20))
    assert not any(u.startswith("action-") for u in (str(e["UID"]) for e in events(feed(db, cfg, "jens"))))
    chef = [e for e in events(feed(db, cfg, "hanne")) if str(e["UID"]).startswith("action-")]
    assert [str(e["UID"]) for e in chef] == sorted(u for u in before if u.startswith("action-"))
    assert str(chef[0]["SUMMARY"]).startswith("Eskaleret: ")
    assert chef[0].decoded("DTSTART") == dt.datetime(2021, 3, 23, 9, 0, tzinfo=CPH)


def test_the_feed_is_deterministic(setup: Any) -> None:
    cfg, db, _ = setup
    person = person_of_calendar_token(db, new_calendar_token(db, "hanne"))
    assert person is not None
    a = personal_calendar(db, cfg, START, person, today=dt.date(2021, 3, 5))
    b = personal_calendar(db, cfg, START, person, today=dt.date(2021, 3, 5))
    assert a == b
    assert "DTSTAMP:20210305T225900Z" in a  # the run's clock, not the time of the request


def test_a_person_of_another_municipality_gets_no_feed_of_this_one(setup: Any) -> None:
    cfg, db, _ = setup
    with pytest.raises(ValueError):
        other = User("x", "740", "X", None, ("center",), False, False, None, None)
        personal_calendar(db, cfg, START, other, today=dt.date(2021, 3, 5))


def test_the_wheel_as_json_has_dates_times_and_roles(setup: Any) -> None:
    cfg, _, _ = setup
    items = wheel_json(cfg, 2021)
    assert len(items) == 13
    plan = next(i for i in items if i["definition"] == "plan-frist")
    assert plan == {
        "uid": "wheel-plan-frist@2021-09-30-630@govcore", "kind": "milestone_due", "title": "Beskæftigelsesplan",
        "date": "2021-09-30", "start": "2021-09-30T09:00:00+02:00", "end": "2021-09-30T09:15:00+02:00",
        "roles": ["chef"], "description": "Type: frist\nAnsvarlig: chef\nLeverancer: plan\n"
                                          "Fristen løber til udgangen af 30.09.2021",
        "wheel_event": "plan-frist@2021-09-30", "definition": "plan-frist"}
    first = items[0]
    assert (first["kind"], first["start"], first["end"]) == (
        "meeting", "2021-01-04T09:00:00+01:00", "2021-01-04T10:00:00+01:00")
    assert json.loads(json.dumps(items)) == items


def test_a_token_alone_gives_the_feed_from_the_live_runs_of_the_persons_municipality(setup: Any) -> None:
    cfg, db, _ = setup
    token = new_calendar_token(db, "jens")
    text = calendar_of_token(db, token, today=dt.date(2021, 3, 5), load=lambda m, s: cfg)
    assert text is not None and text == feed(db, cfg, "jens")
    assert calendar_of_token(db, "not-a-token", today=dt.date(2021, 3, 5)) is None
