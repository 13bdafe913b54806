"""The outbox as people see it: what is pending, sent or failed, and why (the CLI's
`govcore notifications list|retry` and the HTTP API read it through here)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from govcore.i18n import _
from govcore.notify.mail import NotifyError
from govcore.store.db import Database
from govcore.store.outbox import NOTIFICATION as N


class UnknownNotification(NotifyError):
    """No notification has the id (of that municipality)."""


STATES = ("pending", "sent", "failed", "cancelled", "digested")


def notification_state(db: Database, municipality: str | None = None, *, state: str | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]:
    """Every notification (of one municipality, in one state), oldest first, as plain JSON-able
    dicts: id, kind, role, item, not_before, state, attempts, next_attempt_at, error, sent_at,
    message_id, title. The HTTP API returns these for `GET …/notifications`."""
    if state is not None and state not in STATES:
        raise NotifyError(_("unknown state '{state}'; use one of {states}").format(state=state,
                                                                                  states=", ".join(STATES)))

    def work(conn: sa.Connection) -> list[dict[str, Any]]:
        query = sa.select(N)
        if municipality is not None:
            query = query.where(N.c.municipality == municipality)
        if state is not None:
            query = query.where(N.c.state == state)
        query = query.order_by(N.c.municipality, N.c.start, N.c.n)
        if limit is not None:
            query = query.limit(limit)
        return [_public(r._mapping) for r in conn.execute(query)]

    return db.read(work)


def _public(r: Any) -> dict[str, Any]:
    payload = json.loads(r["payload"])
    return {
        "id": f"{r['municipality']}:{r['start']}:{r['n']}", "municipality": r["municipality"], "run": r["start"],
        "event": payload.get("event"), "kind": r["kind"], "role": r["role"], "username": r["username"],
        "mailbox": r["address"], "item": r["item"], "title": payload.get("action_title") or payload.get("title"),
        "not_before": r["not_before"], "state": r["state"], "attempts": r["attempts"],
        "next_attempt_at": r["next_attempt_at"], "error": r["last_error"], "sent_at": r["sent_at"],
        "sent_by": r["claimed_by"] if r["state"] == "sent" else None, "message_id": r["message_id"],
        "cancelled_by": f"e{r['cancelled_by']:06d}" if r["cancelled_by"] is not None else None,
    }


def parse_id(text: str) -> tuple[str, str, int]:
    """'630:2021-01-01:17' → ('630', '2021-01-01', 17)."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not parts[2].isdigit():
        raise NotifyError(_("'{text}' is not a notification id; ids look like 630:2021-01-01:17 "
                            "(see `govcore notifications list`)").format(text=text))
    return parts[0], parts[1], int(parts[2])


def retry(db: Database, ident: str) -> dict[str, Any]:
    """Send a failed (or cancelled) notification again: pending from now, attempts counted anew.
    Its Message-ID stays. A pending one is left as it is; a sent one is refused."""
    code, start, n = parse_id(ident)
    key = (N.c.municipality == code, N.c.start == start, N.c.n == n)

    def work(conn: sa.Connection) -> dict[str, Any]:
        row = conn.execute(sa.select(N).where(*key)).first()
        if row is None:
            raise UnknownNotification(_("no notification {ident}").format(ident=ident))
        if row.state == "sent":
            raise NotifyError(_("notification {ident} was sent at {sent}; it is not sent again").format(
                ident=ident, sent=row.sent_at))
        if row.state != "pending":
            conn.execute(sa.update(N).where(*key).values(state="pending", attempts=0, next_attempt_at=None,
                                                         claimed_until=None, cancelled_by=None))
        return _public(conn.execute(sa.select(N).where(*key)).one()._mapping)

    return db.write(work)
