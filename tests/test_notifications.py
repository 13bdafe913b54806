"""Notifications: the outbox rows a live run writes with its events (govcore.store.outbox) and
their delivery over a real SMTP server (aiosmtpd on 127.0.0.1) by the worker (govcore.notify).

Crashes and concurrent workers use real processes: a worker killed with SIGKILL while the SMTP
server holds its message, and two workers against one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from conftest import ORGANISATION, write_config

from govcore.access import accounts
from govcore.cli import main
from govcore.config import Response, load_config
from govcore.errors import ConfigError
from govcore.i18n import use_language
from govcore.notify.mail import DeliveryError, NotifyError, SmtpSender, SmtpSettings
from govcore.notify.state import notification_state, retry
from govcore.notify.text import render
from govcore.notify.worker import Policy, Worker
from govcore.store.db import Database, open_database
from govcore.store.run import respond, simulate_persistent, tick

SENDER = "govcore@vejle.dk"
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # the worker's clock in most tests
GOVCORE = Path(sys.executable).with_name("govcore")


# ------------------------------------------------------------------------------------ SMTP


class Inbox:
    """An aiosmtpd handler that keeps what it accepts; it can answer with queued replies, and
    hold a session at RCPT or DATA until the test releases it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.replies: list[str] = []  # answers to DATA before accepting (e.g. "451 busy")
        self.hold: str | None = None  # "RCPT" or "DATA": hold the first session there
        self.arrived = threading.Event()
        self.released = threading.Event()
        self.pair: int = 0  # with > 0: the first DATA waits until this many sessions are in DATA at once
        self.together = threading.Event()
        self._in_data = 0

    async def _wait(self, event: threading.Event) -> None:
        await asyncio.get_running_loop().run_in_executor(None, event.wait, 60)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.hold == "RCPT":
            self.hold = None
            self.arrived.set()
            await self._wait(self.released)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.replies:
            return self.replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        # Like a real mail server, the message is kept before the reply goes out: a client that
        # dies now never hears the "250", but the message has arrived.
        self.messages.append(message)
        self.envelopes.append(list(envelope.rcpt_tos))
        if self.hold == "DATA":
            self.hold = None
            self.arrived.set()
            await self._wait(self.released)
        if self.pair and not self.together.is_set():
            self._in_data += 1
            if self._in_data >= self.pair:
                self.together.set()
            await self._wait(self.together)
        return "250 OK"

    def ids(self) -> collections.Counter[str]:
        return collections.Counter(str(m["Message-ID"]) for m in self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpSettings]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, SmtpSettings(host="127.0.0.1", port=controller.port, starttls=False, sender=SENDER, timeout=30)
    finally:
        inbox.released.set()
        inbox.together.set()
        controller.stop()


def smtp_env(settings: SmtpSettings) -> dict[str, str]:
    return {"GOVCORE_SMTP_HOST": settings.host, "GOVCORE_SMTP_PORT": str(settings.port),
            "GOVCORE_SMTP_STARTTLS": "false", "GOVCORE_SMTP_FROM": settings.sender}


# ---------------------------------------------------------------------------------- a live run


def live_config(folder: Path, *, reminders: str = "[7, 3]", mailbox: bool = True) -> Path:
    write_config(folder)
    cfg = folder / "municipality.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + f"notifications: {{reminders: {reminders}}}\n", encoding="utf-8")
    if mailbox:
        org = ORGANISATION.replace("kind: committee}", "kind: committee, mailbox: udvalg@vejle.dk}")
        (folder / "organisation.yaml").write_text(org, encoding="utf-8")
    return folder


def add_user(url: str, username: str, roles: list[str], email_address: str | None, *, disabled: bool = False,
             municipality: str = "630") -> None:
    database = open_database(url)
    try:
        accounts.add_user(database, username, municipality, roles, name=username.title(), email=email_address,
                          password="et langt kodeord")
        if disabled:
            accounts.set_disabled(database, username)
    finally:
        database.close()


def rows(url: str) -> list[dict[str, Any]]:
    database = open_database(url)
    try:
        return database.read(lambda conn: [dict(r._mapping) for r in conn.execute(
            sa.text("SELECT * FROM govcore_notification ORDER BY municipality, start, n"))])
    finally:
        database.close()


def people(url: str) -> None:
    add_user(url, "carl", ["center"], "carl@vejle.dk")
    add_user(url, "clara", ["center", "chef"], "clara@vejle.dk")
    add_user(url, "dorte", ["direktoer"], "dorte@vejle.dk")
    add_user(url, "gone", ["center"], "gone@vejle.dk", disabled=True)


def _ticked(folder: Path, url: str) -> str:
    """A live run ticked to 30 April 2021: an action demanded, escalated three times, a notify."""
    cfg = load_config(live_config(folder / "config"))
    tick(cfg, url, now=dt.date(2021, 4, 30))
    people(url)
    return url


@pytest.fixture(scope="module")
def live_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`_ticked` on SQLite once for the module (a tick and four argon2 hashes: over a second of CPU);
    `live` gives each test a copy of the file."""
    folder = tmp_path_factory.mktemp("live")
    return Path(_ticked(folder, str(folder / "live.db")))


@pytest.fixture
def live(tmp_path: Path, db_url: str, request: pytest.FixtureRequest) -> str:
    """`_ticked`, in the test's own database: on SQLite a copy of the module's file (a tick of its
    own would differ only in the password hashes' random salts), on PostgreSQL ticked anew."""
    if "://" in db_url:
        return _ticked(tmp_path, db_url)
    made: Path = request.getfixturevalue("live_sqlite")
    for suffix in ("", "-wal"):
        if Path(f"{made}{suffix}").exists():
            shutil.copyfile(f"{made}{suffix}", f"{db_url}{suffix}")
    return db_url


def worker(url: str, settings: SmtpSettings, clock: list[dt.datetime], **kw: Any) -> tuple[Worker, Database]:
    database = open_database(url)
    return Worker(database, SmtpSender(settings), settings.sender, clock=lambda: clock[0],
                  base_url="https://govcore.vejle.dk", worker_id="test", **kw), database


# --------------------------------------------------------------------------------- the outbox


def test_a_live_run_writes_rows_in_the_events_transaction(tmp_path: Path) -> None:
    url = str(tmp_path / "g.db")
    cfg = load_config(live_config(tmp_path / "config"))
    tick(cfg, url, now=dt.date(2021, 4, 30))
    got = [(r["seq"], r["kind"], r["role"], r["item"], r["state"], r["cancelled_by"]) for r in rows(url)]
    # e8 demands act-0001 of 'center' (the deviation it flags is told in the same mail); the
    # reminders 7 and 3 working days before 15 March are cancelled by the overdue escalation (e10);
    # each escalation tells the former owner and the one who takes over, with a new reminder.
    assert got == [
        (8, "action_demanded", "center", "act-0001", "pending", None),
        (8, "reminder", "center", "act-0001", "cancelled", 10),
        (8, "reminder", "center", "act-0001", "cancelled", 10),
        (11, "escalated", "center", "act-0001", "pending", None),
        (11, "escalated", "chef", "act-0001", "pending", None),
        (11, "reminder", "chef", "act-0001", "cancelled", 12),
        (13, "escalated", "chef", "act-0001", "pending", None),
        (13, "escalated", "direktoer", "act-0001", "pending", None),
        (13, "reminder", "direktoer", "act-0001", "cancelled", 14),
        (15, "escalated", "direktoer", "act-0001", "pending", None),
        (15, "escalated", "udvalg", "act-0001", "pending", None),
        (15, "reminder", "udvalg", "act-0001", "cancelled", 18),
        (18, "overdue", "udvalg", "act-0001", "pending", None),
        (19, "notify", "udvalg", "act-0001", "pending", None),
    ]
    first = rows(url)
    reminders = [r["not_before"] for r in first if r["kind"] == "reminder"][:2]
    # 08:00 Copenhagen (07:00 UTC) on the 7th and 3rd working day before Monday 15 March
    assert reminders == ["2021-03-04T07:00:00+00:00", "2021-03-10T07:00:00+00:00"]
    assert first[0]["not_before"] == "2021-03-01T08:00:00+00:00"  # the event's time, in UTC
    demanded = json.loads(first[0]["payload"])
    assert demanded["reason"].startswith("Mindst 50 % i job: 47 mod kravet 50")
    assert demanded["due"] == "2021-03-15" and demanded["owners"] == ["center"]
    assert [r["address"] for r in first if r["role"] == "udvalg"] == ["udvalg@vejle.dk"] * 4
    events = open_database(url).read(lambda conn: conn.execute(sa.text(
        "SELECT seq, type FROM govcore_event WHERE seq IN (8, 10, 19)")).all())
    assert [tuple(e) for e in events] == [(8, "action_demanded"), (10, "action_overdue"), (19, "notification")]


def test_a_submitted_action_cancels_its_pending_reminders(tmp_path: Path) -> None:
    url = str(tmp_path / "g.db")
    cfg = load_config(live_config(tmp_path / "config", reminders="[7, 3]"))
    tick(cfg, url, now=dt.date(2021, 3, 5))
    assert [r["state"] for r in rows(url) if r["kind"] == "reminder"] == ["pending", "pending"]
    respond(cfg, url, [Response(date=dt.date(2021, 3, 5), time="23:59",
                                submit={"action": "act-0001", "text": "Ekstra virksomhedsbesøg"})],
            received_at=dt.datetime(2021, 3, 5, 12, tzinfo=dt.UTC))
    tick(cfg, url, now=dt.date(2021, 3, 31))
    got = {(r["kind"], r["not_before"]): (r["state"], r["cancelled_by"]) for r in rows(url)}
    submitted = open_database(url).read(lambda conn: conn.execute(sa.text(
        "SELECT seq FROM govcore_event WHERE type = 'action_submitted'")).scalar_one())
    assert got == {("action_demanded", "2021-03-01T08:00:00+00:00"): ("pending", None),
                   # the first one's time had come, but no worker had sent it yet: not needed any more either
                   ("reminder", "2021-03-04T07:00:00+00:00"): ("cancelled", submitted),
                   ("reminder", "2021-03-10T07:00:00+00:00"): ("cancelled", submitted)}


def test_simulations_write_no_notifications(tmp_path: Path) -> None:
    url = str(tmp_path / "g.db")
    cfg = load_config(live_config(tmp_path / "config"))
    result = simulate_persistent(cfg, url, year=2021)
    assert any(e.type == "action_demanded" for e in result.events)
    assert rows(url) == []


def test_the_same_run_writes_the_same_rows(tmp_path: Path) -> None:
    cfg = load_config(live_config(tmp_path / "config"))
    urls = [str(tmp_path / "a.db"), str(tmp_path / "b.db")]
    tick(cfg, urls[0], now=dt.date(2021, 6, 30))
    for day in (dt.date(2021, 3, 1), dt.date(2021, 3, 20), dt.date(2021, 6, 30)):  # in steps: the same rows
        tick(cfg, urls[1], now=day)
    assert rows(urls[0]) == rows(urls[1]) and len(rows(urls[0])) == 14


def test_a_failed_command_takes_its_rows_back(tmp_path: Path) -> None:
    from govcore.store.run import PersistentRun

    url = str(tmp_path / "g.db")
    cfg = load_config(live_config(tmp_path / "config"))
    tick(cfg, url, now=dt.date(2021, 3, 5))
    before = rows(url)
    database = open_database(url)
    with pytest.raises(RuntimeError), PersistentRun.open(database, cfg) as run, run.atomic():
        run.advance(run.engine.calendar.local_datetime(dt.date(2021, 4, 30), 23, 59))
        assert len(rows(url)) > len(before)
        raise RuntimeError("the command fails after committing items")
    database.close()
    assert rows(url) == before  # new rows gone, cancelled reminders pending again


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_notification_settings_and_mailboxes_are_checked(tmp_path: Path) -> None:
    folder = live_config(tmp_path / "config", reminders="[7, 0]")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    assert "municipality.yaml" in str(err.value) and "notifications" in str(err.value)
    assert "1 to 250 working days" in str(err.value)
    folder = live_config(tmp_path / "other", reminders="[7]")
    org = ORGANISATION.replace("kind: committee}", "kind: committee, mailbox: 'a@b.dk, c@d.dk'}")
    (folder / "organisation.yaml").write_text(org, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    assert "organisation.yaml" in str(err.value) and "mailbox" in str(err.value)
    assert "is not one e-mail address" in str(err.value)


# -------------------------------------------------------------------------------- delivery


def test_the_worker_sends_danish_mail_to_the_people_of_each_role(live: str, smtp: tuple[Inbox, SmtpSettings]) -> None:
    inbox, settings = smtp
    w, database = worker(live, settings, [T0])
    try:
        outcomes = w.run_once()
    finally:
        database.close()
    pending = [r for r in rows(live) if r["state"] != "cancelled"]
    assert [o.state for o in outcomes] == ["sent"] * len(pending) == ["sent"] * 9
    assert all(r["state"] == "sent" and r["sent_at"] == "2026-01-05T09:00:00+00:00" for r in pending)
    assert len(inbox.messages) == 9 and max(inbox.ids().values()) == 1
    first = inbox.messages[0]
    assert first["Subject"] == "Korrigerende handling krævet: Korrigerende handling: Mindst 50 % i job"
    assert first["To"] == "Carl <carl@vejle.dk>, Clara <clara@vejle.dk>"  # not the disabled account
    assert first["Message-ID"] == "<govcore.630.2021-01-01.1@vejle.dk>"
    body = first.get_content()
    assert "Frist: 15.03.2021" in body and "Afvigelse: Mindst 50 % i job: 47 mod kravet 50" in body
    assert "https://govcore.vejle.dk/municipalities/630/actions/act-0001" in body
    to_udvalg = [m for m, rcpt in zip(inbox.messages, inbox.envelopes, strict=True) if rcpt == ["udvalg@vejle.dk"]]
    assert [m["Subject"] for m in to_udvalg] == ["Eskaleret: Korrigerende handling: Mindst 50 % i job",
                                                 "Frist overskredet: Korrigerende handling: Mindst 50 % i job",
                                                 "Korrigerende handling: Mindst 50 % i job"]
    assert "Ingen korrigerende handling for" in to_udvalg[2].get_content()


def test_a_failing_server_is_retried_with_backoff(live: str, smtp: tuple[Inbox, SmtpSettings]) -> None:
    inbox, settings = smtp
    inbox.replies = ["451 4.3.0 try again later"] * 2
    clock = [T0]
    w, database = worker(live, settings, clock, policy=Policy(backoff=dt.timedelta(minutes=1)))
    try:
        first = w.run_once(limit=1)
        assert first[0].state == "retry" and "451 4.3.0 try again later" in (first[0].error or "")
        row = rows(live)[0]
        assert (row["state"], row["attempts"], row["next_attempt_at"]) == ("pending", 1, "2026-01-05T09:01:00+00:00")
        assert w.claim() is not None  # another row is due; this one waits
        clock[0] = T0 + dt.timedelta(minutes=1)
        assert [o.state for o in w.run_once(limit=1)] == ["retry"]
        row = rows(live)[0]
        assert (row["attempts"], row["next_attempt_at"]) == (2, "2026-01-05T09:03:00+00:00")  # then 2 minutes
        clock[0] = T0 + dt.timedelta(minutes=3)
        assert all(o.state == "sent" for o in w.run_once())
    finally:
        database.close()
    assert rows(live)[0]["state"] == "sent" and rows(live)[0]["attempts"] == 3
    assert inbox.ids()["<govcore.630.2021-01-01.1@vejle.dk>"] == 1


def test_a_refused_notification_fails_and_can_be_retried(live: str, smtp: tuple[Inbox, SmtpSettings]) -> None:
    inbox, settings = smtp
    inbox.replies = ["550 5.7.1 not allowed"]
    w, database = worker(live, settings, [T0])
    try:
        outcomes = w.run_once()
        assert outcomes[0].state == "failed" and all(o.state == "sent" for o in outcomes[1:])
        failed = notification_state(database, "630", state="failed")
        assert [(f["id"], f["error"]) for f in failed] == [
            ("630:2021-01-01:1", "SMTP-serveren svarede 550 5.7.1 not allowed")]
        assert retry(database, "630:2021-01-01:1")["state"] == "pending"
        assert [o.state for o in w.run_once()] == ["sent"]
        with pytest.raises(NotifyError, match="blev sendt"):
            retry(database, "630:2021-01-01:1")
        with pytest.raises(NotifyError, match="ingen varsling"):
            retry(database, "630:2021-01-01:999")
    finally:
        database.close()
    assert inbox.ids()["<govcore.630.2021-01-01.1@vejle.dk>"] == 1


def test_a_role_nobody_holds_fails_with_the_reason(tmp_path: Path, smtp: tuple[Inbox, SmtpSettings]) -> None:
    url = str(tmp_path / "g.db")
    tick(load_config(live_config(tmp_path / "config", mailbox=False)), url, now=dt.date(2021, 3, 2))
    w, database = worker(url, smtp[1], [T0])
    try:
        outcomes = w.run_once()
    finally:
        database.close()
    assert [(o.kind, o.state) for o in outcomes] == [("action_demanded", "failed"), ("reminder", "failed"),
                                                     ("reminder", "failed")]  # its reminders are due by the clock
    assert outcomes[0].error == ("ingen at sende til: ingen aktiv konto i rollen 'center' har en e-mailadresse, og "
                                 "rollen angiver ingen postkasse")
    assert smtp[0].messages == []


def test_smtp_settings_come_from_the_environment_and_hide_the_password() -> None:
    env = {"GOVCORE_SMTP_HOST": "smtp.vejle.dk", "GOVCORE_SMTP_FROM": SENDER, "GOVCORE_SMTP_USER": "govcore",
           "GOVCORE_SMTP_PASSWORD": "hemmeligt-kodeord"}
    s = SmtpSettings.from_env(env)
    assert (s.host, s.port, s.starttls, s.user) == ("smtp.vejle.dk", 587, True, "govcore")
    assert "hemmeligt" not in repr(s)
    assert SmtpSettings.from_env({**env, "GOVCORE_SMTP_STARTTLS": "false"}).port == 25
    for broken, words in (({"GOVCORE_SMTP_HOST": ""}, "sæt GOVCORE_SMTP_HOST"),
                          ({"GOVCORE_SMTP_FROM": "govcore"}, "GOVCORE_SMTP_FROM skal være afsenderens"),
                          ({"GOVCORE_SMTP_PORT": "smtp"}, "GOVCORE_SMTP_PORT skal være et portnummer"),
                          ({"GOVCORE_SMTP_STARTTLS": "maybe"}, "GOVCORE_SMTP_STARTTLS skal være true eller false"),
                          ({"GOVCORE_SMTP_PASSWORD": ""}, "sæt både GOVCORE_SMTP_USER og GOVCORE_SMTP_PASSWORD")):
        with pytest.raises(NotifyError, match=words) as err:
            SmtpSettings.from_env({**env, **broken})
        assert "hemmeligt" not in str(err.value)


def test_a_server_without_starttls_is_refused_when_starttls_is_on(smtp: tuple[Inbox, SmtpSettings]) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp[1].port, starttls=True, sender=SENDER,
                            user="govcore", password="hemmeligt-kodeord", timeout=30)
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = "x", SENDER, "a@vejle.dk"
    with pytest.raises(DeliveryError, match=f"SMTP-serveren 127.0.0.1:{settings.port} tilbyder ikke STARTTLS") as err:
        SmtpSender(settings).send(msg, ["a@vejle.dk"])
    assert "hemmeligt" not in str(err.value) and smtp[0].messages == []
    with use_language("en"):  # the same error read in English: the text is put together when it is read
        assert str(err.value).startswith(f"the SMTP server 127.0.0.1:{settings.port} does not offer STARTTLS (set "
                                          "GOVCORE_SMTP_STARTTLS=false")
    assert err.value.recorded().startswith("SMTP-serveren")


def test_the_text_has_no_link_without_a_base_url(live: str) -> None:
    first = rows(live)[0]
    subject, body = render(first, None)
    assert subject.startswith("Korrigerende handling krævet") and "http" not in body
    assert "Til Centerleder" in body and "Vejle Kommune" in body


# ----------------------------------------------------------------------- crashes, processes


def _send_process(url: str, settings: SmtpSettings) -> subprocess.Popen[bytes]:
    env = {**os.environ, **smtp_env(settings)}
    return subprocess.Popen([str(GOVCORE), "notifications", "send", "--db", url], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("where", ["RCPT", "DATA"])
def test_a_worker_killed_mid_send_loses_nothing(live: str, smtp: tuple[Inbox, SmtpSettings], where: str) -> None:
    """Killed before the server has the message (RCPT): it is sent once, later. Killed after the
    server has it but before the worker heard "250" (DATA): it is sent again after the claim runs
    out — with the same Message-ID, the documented guarantee. Nothing else is sent twice."""
    inbox, settings = smtp
    inbox.hold = where
    proc = _send_process(live, settings)
    try:
        assert inbox.arrived.wait(60), proc.stderr.read().decode() if proc.stderr else ""
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    inbox.released.set()
    claimed = rows(live)[0]
    assert (claimed["state"], claimed["attempts"]) == ("pending", 1) and claimed["claimed_by"].endswith(f":{proc.pid}")
    now = dt.datetime.now(dt.UTC)
    w, database = worker(live, settings, [now])
    try:
        others = w.run_once()  # the claim still holds: everything else is sent, not this one
        assert len(others) == 8 and "630:2021-01-01:1" not in {o.ident for o in others}
        w.clock = lambda: now + dt.timedelta(minutes=6)  # the claim has run out
        again = w.run_once()
    finally:
        database.close()
    assert [(o.ident, o.state) for o in again] == [("630:2021-01-01:1", "sent")]
    assert "blev afbrudt (reservationen udløb" in (again[0].error or "")
    assert "sendt igen med samme Message-ID" in (rows(live)[0]["last_error"] or "")
    assert all(r["state"] in ("sent", "cancelled") for r in rows(live))
    ids = inbox.ids()
    assert len(ids) == 9 and rows(live)[0]["attempts"] == 2
    assert ids["<govcore.630.2021-01-01.1@vejle.dk>"] == (1 if where == "RCPT" else 2)
    assert all(count == 1 for mid, count in ids.items() if mid != "<govcore.630.2021-01-01.1@vejle.dk>")


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_send_one_notification_twice(
        tmp_path: Path, pg_url: str, smtp: tuple[Inbox, SmtpSettings]) -> None:
    inbox, settings = smtp
    for code in ("630", "657", "101"):  # three municipalities' runs: 27 notifications
        folder = live_config(tmp_path / code)
        cfg = folder / "municipality.yaml"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("municipality: 630", f"municipality: {code}"),
                       encoding="utf-8")
        tick(load_config(folder), pg_url, now=dt.date(2021, 4, 30))
        for name, roles in (("c", ["center", "chef"]), ("d", ["direktoer"])):
            add_user(pg_url, f"{name}{code}", roles, f"{name}{code}@kommune.dk", municipality=code)
    inbox.pair = 2  # the first messages wait until both workers are sending at once
    procs = [_send_process(pg_url, settings) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert inbox.together.is_set()
    sent = [r for r in rows(pg_url) if r["state"] == "sent"]
    assert len(sent) == 27 and all(r["state"] in ("sent", "cancelled") for r in rows(pg_url))
    ids = inbox.ids()
    assert len(ids) == 27 and set(ids.values()) == {1}
    assert len({r["claimed_by"] for r in sent}) == 2  # both workers sent some


# ------------------------------------------------------------------------------------- CLI


def test_the_commands_list_send_and_retry(live: str, smtp: tuple[Inbox, SmtpSettings],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, settings = smtp
    runner = CliRunner()
    listed = runner.invoke(main, ["notifications", "list", "--db", live, "--state", "pending", "-m", "630"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines()[0].startswith("630:2021-01-01:1  pending   action_demanded → center  act-0001")
    assert len(listed.output.splitlines()) == 9
    missing = runner.invoke(main, ["notifications", "send", "--db", live])
    assert missing.exit_code == 2 and "sæt GOVCORE_SMTP_HOST" in missing.output
    for k, v in smtp_env(settings).items():
        monkeypatch.setenv(k, v)
    inbox.replies = ["550 5.1.1 no such user"]
    sent = runner.invoke(main, ["--lang", "en", "notifications", "send", "--db", live])
    assert sent.exit_code == 0, sent.output
    assert "630:2021-01-01:1  failed  action_demanded  (the SMTP server answered 550 5.1.1 no such user)" in sent.output
    assert sent.output.count("  sent ") == 8
    # what the outbox recorded is Danish whatever the sender's language, and whatever the reader's
    for lang in ("da", "en"):
        failed = runner.invoke(main, ["--lang", lang, "notifications", "list", "--db", live, "--state", "failed",
                                      "--json"])
        assert json.loads(failed.output)["error"] == "SMTP-serveren svarede 550 5.1.1 no such user"
    again = runner.invoke(main, ["notifications", "retry", "630:2021-01-01:1", "--db", live])
    assert again.exit_code == 0 and "630:2021-01-01:1  pending" in again.output
    assert "sent" in runner.invoke(main, ["notifications", "send", "--db", live]).output
    bad = runner.invoke(main, ["notifications", "retry", "17", "--db", live])
    assert bad.exit_code == 2 and "er ikke et varslings-id" in bad.output
    assert len(inbox.messages) == 9


# ---------------------------------------------------------------------------- daily digest


def test_a_daily_digest_gathers_each_persons_notifications(tmp_path: Path, db_url: str,
                                                           smtp: tuple[Inbox, SmtpSettings]) -> None:
    inbox, settings = smtp
    folder = live_config(tmp_path / "config", reminders="[7, 3]")
    cfg_file = folder / "municipality.yaml"
    cfg_file.write_text(cfg_file.read_text(encoding="utf-8").replace(
        "notifications: {reminders: [7, 3]}", "notifications: {reminders: [7, 3], digest: true, digest_time: '07:30'}"),
        encoding="utf-8")
    tick(load_config(folder), db_url, now=dt.date(2021, 4, 30))
    people(db_url)
    written = rows(db_url)
    # every row waits for the next 07:30 (Copenhagen): the action demanded at 09:00 on 1 March goes
    # out in the digest of 2 March; reminders are dated to 07:30 on their day
    assert written[0]["not_before"] == "2021-03-02T06:30:00+00:00"
    assert [r["not_before"] for r in written if r["kind"] == "reminder"][:2] == [
        "2021-03-04T06:30:00+00:00", "2021-03-10T06:30:00+00:00"]
    w, database = worker(db_url, settings, [T0])
    try:
        outcomes = w.run_once()
    finally:
        database.close()
    after = rows(db_url)
    gathered = [r for r in after if r["n"] > 0 and r["state"] != "cancelled"]
    assert len(gathered) == 9 and {r["state"] for r in gathered} == {"digested"}
    digests = [r for r in after if r["kind"] == "digest"]
    assert [(r["n"], r["username"], r["address"], r["state"]) for r in digests] == [
        (-4, None, "udvalg@vejle.dk", "sent"), (-3, "dorte", None, "sent"), (-2, "clara", None, "sent"),
        (-1, "carl", None, "sent")]
    assert [o.state for o in outcomes].count("sent") == 4
    by_address = {rcpt[0]: m for m, rcpt in zip(inbox.messages, inbox.envelopes, strict=True)}
    assert sorted(by_address) == ["carl@vejle.dk", "clara@vejle.dk", "dorte@vejle.dk", "udvalg@vejle.dk"]
    carl, clara = by_address["carl@vejle.dk"], by_address["clara@vejle.dk"]
    assert carl["Subject"] == "Daglig oversigt fra govcore: 2 beskeder (05.01.2026)"  # center's two rows
    assert clara["Subject"] == "Daglig oversigt fra govcore: 4 beskeder (05.01.2026)"  # center's and chef's
    body = carl.get_content()
    assert "1. Korrigerende handling krævet: Korrigerende handling: Mindst 50 % i job" in body
    assert "https://govcore.vejle.dk/municipalities/630/actions/act-0001" in body and "Til Carl" in body
    assert carl["Message-ID"] == "<govcore.630.2021-01-01.-1@vejle.dk>"
    assert len(inbox.messages) == 4


@pytest.mark.usefixtures("english")  # pins the message by its English id
def test_digest_settings_are_checked(tmp_path: Path) -> None:
    folder = live_config(tmp_path / "config")
    cfg_file = folder / "municipality.yaml"
    cfg_file.write_text(cfg_file.read_text(encoding="utf-8").replace(
        "notifications: {reminders: [7, 3]}", "notifications: {digest: true, digest_time: '25:00'}"), encoding="utf-8")
    with pytest.raises(ConfigError, match="'25:00' is not a time of day"):
        load_config(folder)


def test_serve_forever_sends_in_rounds_until_stopped(live: str, smtp: tuple[Inbox, SmtpSettings]) -> None:
    from govcore.notify.worker import serve_forever

    inbox, settings = smtp
    w, database = worker(live, settings, [T0])
    stop = threading.Event()
    rounds: list[int] = []

    def report(outcomes: list[Any]) -> None:
        rounds.append(len(outcomes))
        if len(rounds) == 2:
            stop.set()

    try:
        serve_forever(w, stop, interval=0, report=report)
    finally:
        database.close()
    assert rounds == [9, 0] and len(inbox.messages) == 9
