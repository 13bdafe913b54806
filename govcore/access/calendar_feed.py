"""A person's calendar feed and the wheel as JSON: deadlines and meetings, timed in local time.

Staff live in Outlook, which subscribes to an iCalendar URL. The feed of a person holds
- the corrective actions demanded of their roles and not yet submitted (after an escalation the
  action is the superior's, with the escalation's deadline),
- the deliverables of their roles not yet delivered,
- the årshjul's meetings and milestones in which one of their roles takes part (responsible,
  jointly responsible or participant), this year and next,
each a timed event in the wheel's time zone (Europe/Copenhagen) with a VTIMEZONE, unlike the
`.ics` export of `govcore wheel`, which has all-day events. A meeting or a data cut-off starts
when the engine holds it (09:00). A deadline lasts the whole due day — the engine finds an action
overdue at 00:00 the next day — but sits in the feed at 09:00 on that day, so that it is seen in
the morning, not at midnight.

The feed URL carries a secret token, since calendar clients cannot log in. Only the token's
sha256 is stored (govcore_user.calendar_token_hash); a new token replaces the old one at once.

Output is deterministic: the same database state and day give the same bytes (sorted events,
stable UIDs, DTSTAMP the run's clock rather than 'now').
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import icalendar
import sqlalchemy as sa

from govcore.access.accounts import AccountError, User, get_user
from govcore.config import Configuration
from govcore.engine import WHEEL_HOUR
from govcore.formatting import danish_date
from govcore.i18n import N_, _
from govcore.model import WheelEvent
from govcore.store.configs import live_runs, stored_configuration
from govcore.store.db import Database
from govcore.store.tables import ActionRow, DeliverableRow, Run, UserRow, table
from govcore.wheel import KIND_WORDS

USER = table(UserRow)
ACTION = table(ActionRow)
DELIVERABLE = table(DeliverableRow)
RUN = table(Run)

DEADLINE_AT = dt.time(9, 0)
DEADLINE_LENGTH = dt.timedelta(minutes=15)
MEETING_LENGTH = dt.timedelta(hours=1)
OPEN_ACTION_STATES = ("demanded", "escalated", "rejected")
RUNS_UNTIL = N_("The deadline runs to the end of {day}")


@dataclass(frozen=True)
class FeedItem:
    """One timed entry of a feed or of the wheel as JSON (the one way both are built)."""

    uid: str
    kind: str  # meeting, as_of, milestone_due, action_due, deliverable_due
    title: str
    start: dt.datetime
    end: dt.datetime
    roles: tuple[str, ...]
    description: str = ""
    ref: dict[str, str] = field(default_factory=dict)  # what it is about: wheel event, action, deliverable

    def as_json(self) -> dict[str, Any]:
        return {"uid": self.uid, "kind": self.kind, "title": self.title, "date": self.start.date().isoformat(),
                "start": self.start.isoformat(), "end": self.end.isoformat(), "roles": list(self.roles),
                "description": self.description, **self.ref}


# ------------------------------------------------------------------------------------ tokens


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_token(db: Database, username: str) -> str:
    """Create or rotate the person's calendar token and return it (shown only this once).

    The previous token stops working at once. Raises AccountError for an unknown username."""
    token = secrets.token_urlsafe(32)

    def work(conn: sa.Connection) -> int:
        return conn.execute(sa.update(USER).where(USER.c.username == username).values(
            calendar_token_hash=_hash(token))).rowcount

    if db.write(work) != 1:
        raise AccountError(_("no account {name}").format(name=repr(username)))
    return token


def revoke_calendar_token(db: Database, username: str) -> bool:
    """The person's feed URL stops working. True when there was a token."""
    def work(conn: sa.Connection) -> int:
        return conn.execute(sa.update(USER).where(
            USER.c.username == username, USER.c.calendar_token_hash.is_not(None)).values(
            calendar_token_hash=None)).rowcount

    return bool(db.write(work))


def person_of_calendar_token(db: Database, token: str) -> User | None:
    """The enabled person a feed token belongs to, or None (unknown token, disabled person)."""
    if not token or len(token) > 200:
        return None
    h = _hash(token)

    def work(conn: sa.Connection) -> str | None:
        found = conn.execute(sa.select(USER.c.username).where(USER.c.calendar_token_hash == h)).scalar_one_or_none()
        return None if found is None else str(found)

    username = db.read(work)
    if username is None:
        return None
    try:
        person = get_user(db, username)
    except AccountError:  # deleted meanwhile
        return None
    return None if person.disabled else person


# ------------------------------------------------------------------------------------- items


def _at(cfg: Configuration, day: dt.date, time: dt.time) -> dt.datetime:
    return cfg.wheel.calendar.local_datetime(day, time.hour, time.minute)


def _wheel_roles(e: WheelEvent) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for r in (e.responsible, *e.jointly_with, *e.participants) if r))


def _wheel_item(cfg: Configuration, e: WheelEvent) -> FeedItem:
    code = cfg.municipality.code
    if e.kind == "due":
        start, kind = _at(cfg, e.date, DEADLINE_AT), "milestone_due"
        end = start + DEADLINE_LENGTH
    else:
        start = cfg.wheel.calendar.local_datetime(e.date, WHEEL_HOUR[e.kind])
        kind = "as_of" if e.kind == "as_of" else "meeting"
        end = start + (DEADLINE_LENGTH if e.kind == "as_of" else MEETING_LENGTH)
    lines = [_("Type: {kind}").format(kind=KIND_WORDS[e.kind])]
    if e.responsible:
        lines.append(_("Responsible: {who}").format(who=" / ".join(r for r in (e.responsible, *e.jointly_with) if r)))
    if e.participants:
        lines.append(_("Participants: {names}").format(names=", ".join(e.participants)))
    if e.deliverables:
        lines.append(_("Deliverables: {names}").format(names=", ".join(e.deliverables)))
    if e.kind == "due":
        lines.append(_(RUNS_UNTIL).format(day=danish_date(e.date)))
    if e.description:
        lines.append(e.description)
    return FeedItem(uid=f"wheel-{e.id}-{code}@govcore", kind=kind, title=e.title, start=start, end=end,
                    roles=_wheel_roles(e), description="\n".join(lines),
                    ref={"wheel_event": e.id, "definition": e.definition})


def wheel_items(cfg: Configuration, year: int, roles: Iterable[str] | None = None) -> list[FeedItem]:
    """The year's årshjul as timed items (all of them, or those where one of `roles` takes part)."""
    wanted = None if roles is None else set(roles)
    items = [_wheel_item(cfg, e) for e in cfg.wheel_events(year)]
    if wanted is not None:
        items = [i for i in items if wanted & set(i.roles)]
    return sorted(items, key=lambda i: (i.start, i.uid))


def wheel_json(cfg: Configuration, year: int) -> list[dict[str, Any]]:
    """The wheel as JSON for the API: every item of the year with its date, times and roles."""
    return [i.as_json() for i in wheel_items(cfg, year)]


def _deadlines(db: Database, cfg: Configuration, start: str, roles: set[str]) -> tuple[list[FeedItem], str | None]:
    code = cfg.municipality.code

    def work(conn: sa.Connection) -> tuple[list[Any], list[Any], str | None]:
        actions = list(conn.execute(sa.select(ACTION).where(
            ACTION.c.municipality == code, ACTION.c.start == start, ACTION.c.state.in_(OPEN_ACTION_STATES),
            ACTION.c.owner.in_(sorted(roles))).order_by(ACTION.c.id)).mappings())
        deliverables = list(conn.execute(sa.select(DELIVERABLE).where(
            DELIVERABLE.c.municipality == code, DELIVERABLE.c.start == start,
            DELIVERABLE.c.delivered_at.is_(None), DELIVERABLE.c.due.is_not(None)).order_by(DELIVERABLE.c.id)
        ).mappings())
        clock = conn.execute(sa.select(RUN.c.clock).where(RUN.c.municipality == code, RUN.c.start == start)
                             ).scalar_one_or_none()
        return actions, deliverables, clock

    actions, deliverables, clock = db.read(work)
    items = []
    for a in actions:
        due = dt.date.fromisoformat(str(a["due"])[:10])
        escalated = int(a["escalation_level"]) > 0
        lines = [_("Corrective action {action} ({subject})").format(action=a["id"], subject=a["subject"]),
                 _("Responsible: {who}").format(who=a["owner"]), _(RUNS_UNTIL).format(day=danish_date(due))]
        if escalated:
            lines.append(_("Escalated (level {level})").format(level=a["escalation_level"]))
        items.append(FeedItem(
            uid=f"action-{a['id']}-{code}-{start}@govcore", kind="action_due",
            title=(_("Escalated: {title}") if escalated else _("Deadline: {title}")).format(title=a["title"]),
            start=_at(cfg, due, DEADLINE_AT), end=_at(cfg, due, DEADLINE_AT) + DEADLINE_LENGTH,
            roles=(str(a["owner"]),), description="\n".join(lines), ref={"action": str(a["id"])}))
    for d in deliverables:
        spec = cfg.deliverables.get(str(d["id"]))
        owners = (spec.owner, *spec.jointly_with) if spec is not None else ()
        if not roles & set(owners):
            continue
        due = dt.date.fromisoformat(str(d["due"])[:10])
        title = spec.title if spec is not None else str(d["id"])
        items.append(FeedItem(
            uid=f"deliverable-{d['id']}-{due.isoformat()}-{code}-{start}@govcore", kind="deliverable_due",
            title=_("Deadline: {title}").format(title=title), start=_at(cfg, due, DEADLINE_AT),
            end=_at(cfg, due, DEADLINE_AT) + DEADLINE_LENGTH,
            roles=tuple(owners), description="\n".join((
                _("Deliverable: {title}").format(title=title), _("Responsible: {who}").format(who=" / ".join(owners)),
                _(RUNS_UNTIL).format(day=danish_date(due)))),
            ref={"deliverable": str(d["id"])}))
    return items, clock


def personal_items(db: Database, cfg: Configuration, start: str, roles: Sequence[str], *,
                   today: dt.date) -> tuple[list[FeedItem], str | None]:
    """A person's items from the run of `cfg` from `start`: open deadlines of their roles and the
    wheel of this year and next where they take part. Also returns the run's clock (None when the
    run is not stored)."""
    wanted = set(roles)
    deadlines, clock = _deadlines(db, cfg, start, wanted)
    wheel = [i for y in (today.year, today.year + 1) for i in wheel_items(cfg, y, wanted)]
    return sorted(deadlines + wheel, key=lambda i: (i.start, i.uid)), clock


def render_feed(items: Sequence[FeedItem], *, name: str, zone: str, stamp: dt.datetime) -> str:
    """Items as an iCalendar document: timed events in `zone` with its VTIMEZONE."""
    tz = zoneinfo.ZoneInfo(zone)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//govcore//Personlig kalender//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone)
    if items:
        first = min(i.start for i in items).date().replace(month=1, day=1)
        last = max(i.end for i in items).date().replace(month=12, day=31)
        cal.add_component(icalendar.Timezone.from_tzinfo(tz, first_date=first, last_date=last))
    for i in sorted(items, key=lambda i: (i.start, i.uid)):
        ev = icalendar.Event()
        ev.add("uid", i.uid)
        ev.add("dtstamp", stamp.astimezone(dt.UTC))
        ev.add("dtstart", i.start.astimezone(tz))
        ev.add("dtend", i.end.astimezone(tz))
        ev.add("summary", i.title)
        if i.description:
            ev.add("description", i.description)
        ev.add("categories", [i.kind])
        ev.add("transp", "TRANSPARENT" if i.kind != "meeting" else "OPAQUE")
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data.decode("utf-8")


def personal_calendar(db: Database, cfg: Configuration, start: str, person: User, *,
                      today: dt.date) -> str:
    """The person's feed (iCalendar) from the live run of `cfg` that started on `start`."""
    if person.municipality != cfg.municipality.code:
        raise ValueError("the configuration is not of the person's municipality")
    items, clock = personal_items(db, cfg, start, person.roles, today=today)
    stamp = dt.datetime.fromisoformat(clock) if clock else dt.datetime(today.year, 1, 1, tzinfo=dt.UTC)
    return render_feed(items, name=f"govcore – {person.name} ({cfg.municipality.name})",
                       zone=cfg.wheel.calendar.timezone, stamp=stamp)


def calendar_of_token(db: Database, token: str, *, today: dt.date,
                      load: Callable[[str, str], Configuration] | None = None) -> str | None:
    """The feed a calendar URL's token stands for, or None (unknown token, disabled person): the
    person's items from every live run of their municipality, each with its stored configuration
    (or `load(municipality, start)`). A municipality without a live run gives an empty calendar."""
    person = person_of_calendar_token(db, token)
    if person is None:
        return None
    loader = load or (lambda municipality, start: stored_configuration(db, municipality, start))
    items: list[FeedItem] = []
    clocks: list[str] = []
    name, zone = person.municipality, "Europe/Copenhagen"
    for municipality, start in live_runs(db):
        if municipality != person.municipality:
            continue
        cfg = loader(municipality, start)
        found, clock = personal_items(db, cfg, start, person.roles, today=today)
        items += found
        clocks += [clock] if clock else []
        name, zone = cfg.municipality.name, cfg.wheel.calendar.timezone
    stamp = max((dt.datetime.fromisoformat(c) for c in clocks), default=dt.datetime(today.year, 1, 1, tzinfo=dt.UTC))
    return render_feed(items, name=f"govcore – {person.name} ({name})", zone=zone, stamp=stamp)


__all__ = ["FeedItem", "calendar_of_token", "new_calendar_token", "person_of_calendar_token", "personal_calendar",
           "personal_items", "render_feed", "revoke_calendar_token", "wheel_items", "wheel_json"]
