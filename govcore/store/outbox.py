"""The notification outbox: which notifications a live run's events cause, written in the same
transaction as the events (the stored run calls `record` for every item of each committed batch).

Because the rows are committed with the events that cause them, a notification is never lost
(the event is there, so is its row) and never invented (an item that is rolled back takes its
rows with it). The delivery worker (govcore.notify) sends them later.

The rows follow from the events and the configuration alone — the run's configuration version
(organisation, calendar, `notifications:` settings) — so the same run writes the same rows, in
the same order: one row per event and recipient role, numbered `n` within the run.

| event | kind | to |
|---|---|---|
| action_demanded | `action_demanded`, and one `reminder` per configured day | the owner (joint owners too) |
| action_rejected | `rejected`, and reminders for the new due date | the owner (joint owners too) |
| action_overdue | `overdue` | the owner (joint owners too) and the superior |
| escalated | `escalated`, and reminders for the new due date | the former owner and the superior who takes over |
| deviation_flagged | `deviation` | the owner (joint owners too) |
| notification (the rules' `notify`) | `notify` | its target |

Fewer mails for one thing (Alertmanager's inhibition): an item whose events demand an action for
the deviation they flag writes only the `action_demanded` rows (they carry the deviation's
reason), and one whose events escalate an overdue action writes only the `escalated` rows.

With `notifications: {digest: true}` every row waits for the next daily digest time (07:00 by
default, local) and says so in its payload (`digest`); the worker then gathers each person's
rows into one message (govcore.notify.worker). Reminders are dated to the digest time.

Reminders are written ahead, with `not_before` = 08:00 on the N-th working day before the due
date (only when that lies after the event). A reminder still pending when the action is
submitted, accepted, closed, overdue or escalated is cancelled by that event (`cancelled_by`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from govcore.config import Configuration
from govcore.engine import EngineEvent
from govcore.model import Organisation
from govcore.store import chain
from govcore.store.tables import NotificationRow, table

NOTIFICATION = table(NotificationRow)
REMINDER_HOUR = 8  # reminders go out at 08:00 local time on their day
# Events that write rows or cancel reminders; every other event is passed over without a query.
CAUSES = frozenset({"action_demanded", "action_rejected", "action_overdue", "escalated", "deviation_flagged",
                    "notification", "action_submitted", "action_accepted", "deviation_closed"})
_CANCELLING = frozenset({"action_submitted", "action_accepted", "action_overdue", "escalated", "action_rejected"})


def utc_text(t: dt.datetime) -> str:
    """The outbox's time format: UTC, whole seconds, so that times compare as text in SQL."""
    return t.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def record(conn: sa.Connection, cfg: Configuration, code: str, start: str, events: Sequence[EngineEvent]) -> int:
    """Write the notifications `events` cause and cancel the reminders they make unnecessary, on
    `conn` (the transaction that commits the events). Returns the number of rows written.

    `cfg` is the configuration version the events were decided under (the engine's)."""
    if not any(ev.type in CAUSES for ev in events):
        return 0
    writer = _Writer(conn, cfg, code, start)
    writer.demanded = {str(ev.details.get("deviation")) for ev in events if ev.type == "action_demanded"}
    writer.escalated = {str(ev.details.get("action")) for ev in events if ev.type == "escalated"}
    for ev in events:
        if ev.type in CAUSES:
            writer.event(ev)
    return writer.written


def take_back(conn: sa.Connection, code: str, start: str, events: int) -> None:
    """The run goes back to its `events`-th event (a failed command is undone): rows caused by
    later events are removed unless already sent, and reminders they cancelled are pending again."""
    key = sa.and_(NOTIFICATION.c.municipality == code, NOTIFICATION.c.start == start)
    conn.execute(sa.update(NOTIFICATION).where(key, NOTIFICATION.c.state == "cancelled",
                                               NOTIFICATION.c.cancelled_by > events)
                 .values(state="pending", cancelled_by=None))
    conn.execute(sa.delete(NOTIFICATION).where(key, NOTIFICATION.c.seq > events, NOTIFICATION.c.state != "sent"))


def superior(org: Organisation, owners: Sequence[str]) -> str | None:
    """The role above the owners, as the engine escalates: above one role its superior; above
    several jointly responsible roles the nearest role above every one of them."""
    known = [r for r in owners if org.has(r)]
    if not known:
        return None
    if len(known) == 1:
        return org.superior_of(known[0])
    chains = [org.chain(r) for r in known]
    return next((r for r in chains[0][1:] if r not in known and all(r in c for c in chains)), None)


class _Writer:
    def __init__(self, conn: sa.Connection, cfg: Configuration, code: str, start: str) -> None:
        self.conn, self.cfg, self.code, self.start = conn, cfg, code, start
        self.key = sa.and_(NOTIFICATION.c.municipality == code, NOTIFICATION.c.start == start)
        # Digests the worker writes are numbered below zero (see govcore.notify.worker): never counted here.
        self.n = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(NOTIFICATION.c.n), 0))
                                  .where(self.key, NOTIFICATION.c.n > 0)).scalar_one())
        self.written = 0
        self.demanded: set[str] = set()  # deviations these events demand an action for
        self.escalated: set[str] = set()  # actions these events escalate
        self.reasons: dict[str, Any] = {}  # deviation → reason, for the action demanded with it

    def event(self, ev: EngineEvent) -> None:
        d = ev.details
        action = str(d.get("action", "")) or None
        if ev.type in _CANCELLING and action is not None:
            self._cancel(ev, [action])
        elif ev.type == "deviation_closed":
            self._cancel(ev, [str(a) for a in d.get("actions", [])])
        joint = [str(r) for r in d.get("jointly_with", [])]
        if ev.type == "action_demanded":
            owners = _unique([ev.owner or "", *joint])
            self._write(ev, "action_demanded", owners, action,
                        {"owners": owners, "reason": self.reasons.get(str(d.get("deviation")))})
            self._reminders(ev, owners, action, str(d["due"]))
        elif ev.type == "action_rejected":
            owners = self._owners(action, ev.owner)
            self._write(ev, "rejected", owners, action, {"owners": owners, "due": d.get("new_due")})
            self._reminders(ev, owners, action, str(d["new_due"]))
        elif ev.type == "action_overdue" and action not in self.escalated:
            owners = self._owners(action, ev.owner)
            sup = superior(self.cfg.organisation, owners)
            self._write(ev, "overdue", _unique([*owners, sup or ""]), action, {"owners": owners, "superior": sup})
        elif ev.type == "escalated":
            former = _unique([str(d.get("from", "")), *joint])
            owners = _unique([ev.owner or ""])
            self._write(ev, "escalated", _unique([*former, *owners]), action, {"owners": owners, "former": former})
            self._reminders(ev, owners, action, str(d["due"]))
        elif ev.type == "deviation_flagged" and str(d.get("deviation")) in self.demanded:
            self.reasons[str(d.get("deviation"))] = d.get("reason")
        elif ev.type == "deviation_flagged":
            owners = _unique([ev.owner or "", *joint])
            self._write(ev, "deviation", owners, str(d.get("deviation", "")) or None, {"owners": owners})
        elif ev.type == "notification":
            self._write(ev, "notify", _unique([str(d.get("to") or ev.owner or "")]), action or ev.subject,
                        {"message": d.get("message", "")})

    def _owners(self, action: str | None, owner: str | None) -> list[str]:
        """Who holds `action` now: its owner, with the joint owners it was demanded of unless it
        has been escalated since (an escalation hands it to one role)."""
        if action is None:
            return _unique([owner or ""])
        rows = self.conn.execute(sa.select(NOTIFICATION.c.payload).where(
            self.key, NOTIFICATION.c.item == action,
            NOTIFICATION.c.kind.in_(("action_demanded", "escalated"))).order_by(NOTIFICATION.c.n.desc()).limit(1))
        found = rows.first()
        held: list[str] = list(_loads(found.payload).get("owners", [])) if found is not None else []
        return _unique([owner or "", *held]) if owner in held or not held else _unique([owner or ""])

    def _reminders(self, ev: EngineEvent, owners: list[str], action: str | None, due_text: str) -> None:
        calendar = self.cfg.wheel.calendar
        due = dt.date.fromisoformat(due_text)
        for days in self.cfg.notifications.reminders:
            settings = self.cfg.notifications
            hour, minute = (int(x) for x in settings.digest_time.split(":")) if settings.digest else (REMINDER_HOUR, 0)
            at = calendar.local_datetime(calendar.add_working_days(due, -days), hour, minute)
            if at > ev.at:
                self._write(ev, "reminder", owners, action, {"owners": owners, "due": due_text, "days_before": days},
                            not_before=at)

    def _digest_time(self, at: dt.datetime) -> dt.datetime:
        """The first daily digest time at or after `at` (local time)."""
        calendar = self.cfg.wheel.calendar
        hour, minute = (int(x) for x in self.cfg.notifications.digest_time.split(":"))
        day = at.date()  # the engine's times are local
        found = calendar.local_datetime(day, hour, minute)
        return found if found >= at else calendar.local_datetime(day + dt.timedelta(days=1), hour, minute)

    def _cancel(self, ev: EngineEvent, actions: list[str]) -> None:
        if actions:
            self.conn.execute(sa.update(NOTIFICATION).where(
                self.key, NOTIFICATION.c.kind == "reminder", NOTIFICATION.c.state == "pending",
                NOTIFICATION.c.item.in_(actions)).values(state="cancelled", cancelled_by=ev.seq))

    def _write(self, ev: EngineEvent, kind: str, roles: list[str], item: str | None, extra: dict[str, Any],
               not_before: dt.datetime | None = None) -> None:
        org = self.cfg.organisation
        d = ev.details
        payload = {k: v for k, v in {
            "event": ev.id, "type": ev.type, "at": ev.at.isoformat(), "municipality_name": self.cfg.municipality.name,
            "title": d.get("subject_title"), "action_title": d.get("title") if ev.type == "action_demanded" else None,
            "goal": ev.goal, "action": d.get("action"),
            "deviation": d.get("deviation"), "due": d.get("due"), "reason": d.get("reason"),
            "text": d.get("text"), "level": d.get("level"), **extra}.items() if v not in (None, "")}
        title = {r.id: r.title for r in org.roles}
        for k in ("owners", "former"):  # the titles as they were; joined in the reader's words when read
            if k in payload:
                payload[f"{k}_titles"] = [title.get(r, r) for r in payload[k]]
        if "superior" in payload:
            payload["superior_title"] = title.get(payload["superior"], payload["superior"])
        settings = self.cfg.notifications
        when = not_before or ev.at
        if settings.digest:
            when = self._digest_time(when)
            payload["digest"] = True
        rows = []
        for role in roles:
            self.n += 1
            rows.append({
                "municipality": self.code, "start": self.start, "n": self.n, "seq": ev.seq, "kind": kind,
                "role": role, "username": None, "address": org.role(role).mailbox if role in title else None,
                "subject_kind": ev.subject_kind, "subject": ev.subject, "item": item,
                "not_before": utc_text(when), "state": "pending", "cancelled_by": None,
                "attempts": 0, "next_attempt_at": None, "last_error": None, "sent_at": None, "claimed_by": None,
                "claimed_until": None, "message_id": None,
                "payload": chain.canonical_json({**payload, "role_title": title.get(role, role)}),
            })
        if rows:
            self.conn.execute(sa.insert(NOTIFICATION), rows)
            self.written += len(rows)


def _unique(roles: Sequence[str]) -> list[str]:
    out: list[str] = []
    for r in roles:
        if r and r not in out:
            out.append(r)
    return out


def _loads(text: str) -> dict[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}
