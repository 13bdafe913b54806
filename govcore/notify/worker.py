"""The delivery worker: claims one due notification at a time with a lease, sends it, records
the outcome; retries with exponential backoff.

How a notification is sent once:

1. Claim (one transaction, committed before anything is sent): a pending row whose time has
   come and that nobody holds — `claimed_until` empty or past — gets `claimed_by` (this worker)
   and `claimed_until` (now + the lease), one more attempt and its Message-ID. On PostgreSQL the
   row is read `FOR UPDATE SKIP LOCKED`, so two workers never claim the same row: the second
   skips a row the first has locked, and sees it claimed once the first commits. On SQLite the
   claim is one `BEGIN IMMEDIATE` transaction, which writers take in turn.
2. Send the message over SMTP (the connection times out well within the lease).
3. Record (one transaction): `sent` — or, on an error, pending again with the next attempt after
   the backoff, or `failed` when the error is permanent or the attempts are used up — but only
   while this worker still holds the claim.

A worker killed before the SMTP server has accepted the message leaves a claim that expires;
another worker then sends it — once. A worker killed after the server accepted the message but
before step 3 committed leaves the same expired claim, and the message is sent a second time,
with the same Message-ID (kept in the row since the first claim), so that mail programs and
archives can recognise the copy. That window is the time between the server's "250 OK" and one
short commit; no SMTP delivery can close it without the receiver's help. So: every notification
is delivered at least once; a duplicate is possible only after a crash in that window, and then
it carries the same Message-ID.

Time comes from a `clock` the caller passes (tests drive it; the worker never sleeps).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from types import SimpleNamespace
from typing import Any, Protocol

import sqlalchemy as sa

from govcore.i18n import N_, _, ngettext, use_language
from govcore.notify.mail import DeliveryError
from govcore.notify.recipients import recipients
from govcore.notify.text import link, render
from govcore.store.chain import canonical_json
from govcore.store.db import Database
from govcore.store.outbox import NOTIFICATION as N
from govcore.store.outbox import utc_text


class Sender(Protocol):
    """What sends a message (govcore.notify.mail.SmtpSender)."""

    def send(self, message: EmailMessage, to: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True)
class Policy:
    """How long a claim lasts and how often a notification is tried.

    The lease must be longer than one send can take (the SMTP timeout is 60 s); the n-th retry
    waits `backoff` · 2^(n-1), at most `max_backoff`."""

    lease: dt.timedelta = dt.timedelta(minutes=5)
    max_attempts: int = 8
    backoff: dt.timedelta = dt.timedelta(minutes=1)
    max_backoff: dt.timedelta = dt.timedelta(hours=6)

    def delay(self, attempts: int) -> dt.timedelta:
        wait: dt.timedelta = self.backoff * (2 ** max(attempts - 1, 0))
        return min(wait, self.max_backoff)


@dataclass(frozen=True)
class Outcome:
    """What one delivery did: `state` is sent, retry (pending again), failed, skipped (it was
    cancelled, or another worker took it over, while this one held it), digested (gathered into
    a digest) or digest (a digest written, to be sent next)."""

    ident: str
    kind: str
    state: str
    recipients: tuple[str, ...] = ()
    error: str | None = None


def ident(row: Any) -> str:
    """A notification's id as the CLI and the API show it: municipality:start:n."""
    return f"{row.municipality}:{row.start}:{row.n}"


def message_id(row: Any, domain: str) -> str:
    """Stable for the notification: a resent copy has the same Message-ID."""
    return f"<govcore.{row.municipality}.{row.start}.{row.n}@{domain}>"


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Worker:
    """Sends due notifications through `sender` (From: `sender_address`).

    `clock` gives the current time (aware); `municipality` limits the worker to one
    municipality's notifications; `base_url` is where the links in messages point."""

    def __init__(self, db: Database, sender: Sender, sender_address: str, *, worker_id: str | None = None,
                 clock: Callable[[], dt.datetime] = _utc_now, base_url: str | None = None,
                 policy: Policy | None = None, municipality: str | None = None) -> None:
        self.db, self.sender, self.sender_address = db, sender, sender_address
        self.worker_id = worker_id or default_worker_id()
        self.clock, self.base_url, self.policy = clock, base_url, policy or Policy()
        self.municipality = municipality
        self.domain = sender_address.rsplit("@", 1)[-1]

    # ------------------------------------------------------------------------------ one round

    def run_once(self, limit: int | None = None) -> list[Outcome]:
        """Send every notification due now (at most `limit`), one after another."""
        done: list[Outcome] = []
        while limit is None or len(done) < limit:
            claimed = self.claim()
            if claimed is None:
                break
            if '"digest":true' in str(claimed["payload"]):
                done.extend(self.gather(claimed))
            else:
                done.append(self.deliver(claimed))
        return done

    def claim(self) -> dict[str, Any] | None:
        """Claim the next due notification (committed before it is sent); None when none is due."""
        now = self.clock()
        now_text, until = utc_text(now), utc_text(now + self.policy.lease)
        due = sa.and_(N.c.state == "pending", N.c.not_before <= now_text,
                      sa.or_(N.c.next_attempt_at.is_(None), N.c.next_attempt_at <= now_text),
                      sa.or_(N.c.claimed_until.is_(None), N.c.claimed_until <= now_text))
        if self.municipality is not None:
            due = sa.and_(due, N.c.municipality == self.municipality)

        def work(conn: sa.Connection) -> dict[str, Any] | None:
            query = sa.select(N).where(due).order_by(N.c.not_before, N.c.municipality, N.c.start, N.c.n).limit(1)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = conn.execute(query).first()
            if row is None:
                return None
            note = row.last_error
            interrupted = (str(row.claimed_by), str(row.claimed_until)) \
                if row.claimed_by is not None and row.claimed_until is not None else None
            if interrupted:
                note = _recorded(_interrupted, *interrupted)
            values = {"claimed_by": self.worker_id, "claimed_until": until, "attempts": row.attempts + 1,
                      "message_id": row.message_id or message_id(row, self.domain), "last_error": note}
            conn.execute(sa.update(N).where(*_key(row)).values(**values))
            return {**dict(row._mapping), **values, "interrupted": interrupted}

        return self.db.write(work)

    def deliver(self, claimed: dict[str, Any]) -> Outcome:
        """Send a claimed notification and record what happened."""
        row = SimpleNamespace(**{k: v for k, v in claimed.items() if k != "interrupted"})

        current = self.db.read(lambda conn: conn.execute(sa.select(N).where(*_key(row))).first())
        if current is None or current.state != "pending" or current.claimed_by != self.worker_id:
            # cancelled (the action was submitted meanwhile) or taken over: nothing to send
            self._release(row)
            return Outcome(ident(row), row.kind, "skipped")
        people = recipients(self.db, row.municipality, row.role, row.address, row.username)
        if not people:
            return self._failed(row, _nobody(row))
        subject, body = render(claimed, self.base_url)
        msg = EmailMessage()
        msg["From"] = formataddr(("govcore", self.sender_address))
        msg["To"] = ", ".join(formataddr((p.name, p.address)) if p.name else p.address for p in people)
        msg["Subject"] = subject
        msg["Date"] = format_datetime(self.clock().astimezone(dt.UTC))
        msg["Message-ID"] = str(claimed["message_id"])
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Govcore-Notification"] = ident(row)
        msg.set_content(body)
        addresses = [p.address for p in people]
        try:
            refused = self.sender.send(msg, addresses)
        except DeliveryError as err:
            return self._failed(row, err)
        def sent_note() -> str | None:
            refusal = _("refused by the server: {addresses}").format(addresses=", ".join(refused)) if refused else None
            before = _interrupted(*claimed["interrupted"]) if claimed.get("interrupted") else None
            return "; ".join(filter(None, [before, refusal])) or None

        note = _recorded(sent_note)
        now = utc_text(self.clock())
        kept = self.db.write(lambda conn: conn.execute(sa.update(N).where(*_key(row), N.c.claimed_by == self.worker_id)
                                                       .values(state="sent", sent_at=now, claimed_until=None,
                                                               next_attempt_at=None, last_error=note)).rowcount)
        if not kept:
            return Outcome(ident(row), row.kind, "sent", tuple(addresses),
                           _("sent, but this worker's claim had run out: another worker may send it too"))
        return Outcome(ident(row), row.kind, "sent", tuple(a for a in addresses if a not in refused), sent_note())

    # ------------------------------------------------------------------------------ digests

    def gather(self, claimed: dict[str, Any]) -> list[Outcome]:
        """A municipality with a daily digest: gather its due notifications (the claimed one and
        every other one due that nobody holds) into one digest per person and mailbox.

        Writes the digests as new outbox rows (numbered below zero, so that they never meet the
        run's own numbers) and marks the gathered rows `digested`, in one transaction — no mail
        is sent here; the digests are then sent like any notification, with the same claim,
        retries and guarantee."""
        code = str(claimed["municipality"])
        now = self.clock()
        now_text = utc_text(now)
        mine = sa.and_(N.c.claimed_by == self.worker_id, N.c.claimed_until > now_text)
        due = sa.and_(N.c.municipality == code, N.c.state == "pending", N.c.not_before <= now_text,
                      N.c.payload.like('%"digest":true%'),
                      sa.or_(N.c.next_attempt_at.is_(None), N.c.next_attempt_at <= now_text),
                      sa.or_(N.c.claimed_until.is_(None), N.c.claimed_until <= now_text, mine))
        candidates = self.db.read(lambda conn: conn.execute(
            sa.select(N.c.role, N.c.address, N.c.username).where(due).distinct()).all())
        reach = {(r.role, r.address, r.username): recipients(self.db, code, r.role, r.address, r.username)
                 for r in candidates}

        def work(conn: sa.Connection) -> list[Outcome]:
            if conn.dialect.name == "postgresql":  # one digest writer per municipality at a time
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x676F76_000 + int(code)})
            query = sa.select(N).where(due).order_by(N.c.start, N.c.n)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = [r for r in conn.execute(query) if (r.role, r.address, r.username) in reach]
            by_person: dict[str, tuple[Any, list[Any]]] = {}
            for r in rows:
                for p in reach[(r.role, r.address, r.username)]:
                    by_person.setdefault(p.address.lower(), (p, []))[1].append(r)
            out: list[Outcome] = []
            lowest: dict[str, int] = {}
            for person, items in by_person.values():
                start = str(items[0].start)
                if start not in lowest:
                    lowest[start] = min(0, int(conn.execute(sa.select(sa.func.coalesce(sa.func.min(N.c.n), 0)).where(
                        N.c.municipality == code, N.c.start == start)).scalar_one()))
                lowest[start] -= 1
                listed = [{"id": ident(r), "subject": render(r._mapping, self.base_url)[0],
                           "due": json.loads(r.payload).get("due"), "link": link(self.base_url, code, r._mapping)}
                          for r in items]
                payload = {"municipality_name": json.loads(items[0].payload).get("municipality_name", ""),
                           "person": person.name or person.address, "day": now.date().isoformat(), "items": listed}
                conn.execute(sa.insert(N).values(
                    municipality=code, start=start, n=lowest[start], seq=None, kind="digest", role=None,
                    username=person.username, address=None if person.username else person.address,
                    subject_kind=None, subject=None, item=None, not_before=now_text, state="pending",
                    cancelled_by=None, attempts=0, payload=canonical_json(payload)))
                out.append(Outcome(f"{code}:{start}:{lowest[start]}", "digest", "digest", (person.address,),
                                   ngettext("{n} notification in the digest", "{n} notifications in the digest",
                                            len(items)).format(n=len(items))))
            for r in rows:
                state = "digested" if reach[(r.role, r.address, r.username)] else "failed"
                conn.execute(sa.update(N).where(*_key(r)).values(
                    state=state, claimed_until=None, claimed_by=self.worker_id,
                    last_error=_nobody(r).recorded() if state == "failed" else None))
                out.append(Outcome(ident(r), str(r.kind), state,
                                   error=str(_nobody(r)) if state == "failed" else None))
            return out

        return self.db.write(work)

    # ----------------------------------------------------------------------------- outcomes

    def _failed(self, row: Any, err: DeliveryError) -> Outcome:
        now = self.clock()
        final = err.permanent or row.attempts >= self.policy.max_attempts
        values: dict[str, Any] = {"claimed_until": None, "last_error": err.recorded()[:2000]}
        if final:
            values.update(state="failed", next_attempt_at=None)
        else:
            values.update(next_attempt_at=utc_text(now + self.policy.delay(row.attempts)))
        self.db.write(lambda conn: conn.execute(
            sa.update(N).where(*_key(row), N.c.claimed_by == self.worker_id, N.c.state == "pending").values(**values)))
        return Outcome(ident(row), row.kind, "failed" if final else "retry", error=str(err))

    def _release(self, row: Any) -> None:
        self.db.write(lambda conn: conn.execute(
            sa.update(N).where(*_key(row), N.c.claimed_by == self.worker_id).values(claimed_until=None)))


def serve_forever(worker: Worker, stop: threading.Event, interval: float = 60.0,
                  report: Callable[[list[Outcome]], None] | None = None) -> None:
    """Run rounds until `stop` is set, waiting `interval` seconds between them (the server runs
    this in a thread; `govcore notifications send --loop` in the foreground)."""
    while not stop.is_set():
        done = worker.run_once()
        if report is not None:
            report(done)
        stop.wait(interval)


def _nobody(row: Any) -> DeliveryError:
    """Nobody to send to: a permanent failure."""
    if row.username:
        return DeliveryError(N_("no one to send to: the person '{username}' has no enabled account with an e-mail "
                                "address"), username=row.username, permanent=True)
    return DeliveryError(N_("no one to send to: no enabled account of the role '{role}' has an e-mail address, and "
                            "the role names no mailbox"), role=row.role, permanent=True)


def _interrupted(worker: str, until: str) -> str:
    return _("the attempt by {worker} was interrupted (its claim ran out at {until}); sent again with the same "
             "Message-ID").format(worker=worker, until=until)


def _recorded(build: Callable[..., str | None], *args: Any) -> str | None:
    """A text the outbox keeps (its last error or note): Danish, whatever the reader's language."""
    with use_language("da"):
        return build(*args)


def _key(row: Any) -> tuple[sa.ColumnElement[bool], ...]:
    return N.c.municipality == row.municipality, N.c.start == row.start, N.c.n == row.n
