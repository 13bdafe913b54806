"""The end-to-end live loop against a real server process (uvicorn on 127.0.0.1), on SQLite and
PostgreSQL, its scheduler advancing the run as the test clock moves: figures posted through the
API → the monthly follow-up flags a deviation → the owner
finds the demanded action in the task list and submits it → the superior accepts → better figures
→ the deviation closes at the next follow-up; the decision log names who answered."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from live_server import LiveServer, free_port, stored_config

from govcore.access.accounts import add_user
from govcore.access.keys import create_key
from govcore.config import load_config
from govcore.store.db import open_database
from govcore.store.run import tick

START_OBSERVATIONS = """kpi,period,value,known_at
jobrate,2020-12,52,2021-01-02
ledige,2020-12,950,2021-01-02
"""
PASSWORD = "korrekt hest batteri"
OWNER_MAIL = "centerleder@vejle.example"


class Inbox:
    """A real SMTP server's handler (aiosmtpd): keeps every message and says when one arrives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def loop_server(db_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[tuple[LiveServer, Path, str]]:
    folder = stored_config(tmp_path / "config", observations=START_OBSERVATIONS)
    tick(load_config(folder), db_url, now=dt.date(2021, 1, 31))
    db = open_database(db_url)
    try:
        add_user(db, "centerleder", "630", ["center"], email=OWNER_MAIL, password=PASSWORD)
        add_user(db, "chefen", "630", ["chef"], password=PASSWORD)
        _, key = create_key(db, "630", "økonomisystem", ["observations:write", "events:read"])
    finally:
        db.close()
    server = LiveServer(db_url, [], tmp_path / "clock.txt", tmp_path / "server.log",  # configuration: stored
                        GOVCORE_SCHEDULER_CHECK_SECONDS="0.2",  # the server's scheduler advances the run
                        GOVCORE_SMTP_HOST="127.0.0.1", GOVCORE_SMTP_PORT=str(inbox[1]), GOVCORE_SMTP_STARTTLS="false",
                        GOVCORE_SMTP_FROM="govcore@vejle.example", GOVCORE_NOTIFY_SECONDS="0.2",
                        GOVCORE_BASE_URL="https://govcore.vejle.example")
    server.set_clock("2021-02-05T09:00:00+01:00")
    server.start()
    try:
        yield server, folder, key
    finally:
        server.stop()


def test_the_live_loop_through_the_api(loop_server: tuple[LiveServer, Path, str], db_url: str,
                                      inbox: tuple[Inbox, int]) -> None:
    server, _folder, key = loop_server
    mail = inbox[0]
    with server.client(key) as system:
        r = system.post("/api/v1/municipalities/630/observations",
                        json={"observations": [{"kpi": "jobrate", "period": "2021-01", "value": 47}]})
        assert r.status_code == 200, r.text
        assert r.json()["added"] == 1 and r.json()["rows"][0]["known_at"] == "2021-02-05"

    # The night's round of the server's scheduler takes the run past the monthly follow-up of
    # 1 March, which sees 47 % < 48 %; the server's notification worker tells the owner by e-mail
    # (a real SMTP server receives it).
    server.set_clock("2021-03-02T08:00:00+01:00")
    assert mail.arrived.wait(180), "no e-mail reached the SMTP server; server log:\n" + server.log.read_text()
    to, message = mail.messages[0]
    assert to == [OWNER_MAIL] and "<govcore@vejle.example>" in str(message["From"])
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "act-0001" in body.get_content()
    assert "https://govcore.vejle.example/" in body.get_content()

    owner = server.login("centerleder", PASSWORD)
    boss = server.login("chefen", PASSWORD)
    with server.client(owner) as o, server.client(boss) as b:
        goals = {g["id"]: g for g in o.get("/api/v1/municipalities/630/goals").json()["goals"]}
        assert goals["g-job"]["status"] == "off_track"
        assert "47" in goals["g-job"]["explanation"]
        devs = o.get("/api/v1/municipalities/630/deviations", params={"state": "open"}).json()
        assert [(d["subject"], d["owner"]) for d in devs] == [("g-job", "center")]
        open_actions = o.get("/api/v1/municipalities/630/actions", params={"state": "open"}).json()
        assert len(open_actions) == 1
        act = open_actions[0]
        assert (act["subject"], act["owner"], act["state"], act["escalation_level"]) == \
            ("g-job", "center", "demanded", 0)
        assert act["due"] > "2021-03-01"

        server.set_clock("2021-03-03T10:15:00+01:00")
        r = b.post(f"/api/v1/municipalities/630/actions/{act['id']}/accept", json={})
        assert r.status_code == 409 and "kun en indsendt handling kan godkendes" in r.json()["message"]
        r = o.post(f"/api/v1/municipalities/630/actions/{act['id']}/submit",
                   json={"text": "Ekstra virksomhedskonsulenter i april"})
        assert r.status_code == 200, r.text
        assert r.json()["action"]["state"] == "submitted"
        assert [e["type"] for e in r.json()["events"]] == ["action_submitted"]
        assert o.post(f"/api/v1/municipalities/630/actions/{act['id']}/accept", json={}).status_code == 403

        server.set_clock("2021-03-04T08:30:00+01:00")
        r = b.post(f"/api/v1/municipalities/630/actions/{act['id']}/accept", json={"text": "God plan"})
        assert r.status_code == 200, r.text
        assert r.json()["action"]["state"] == "accepted"

        server.set_clock("2021-04-06T09:00:00+02:00")
        with server.client(key) as system:
            r = system.post("/api/v1/municipalities/630/observations",
                            json={"observations": [{"kpi": "jobrate", "period": "2021-03", "value": 53}]})
            assert r.status_code == 200, r.text
        assert o.get("/api/v1/municipalities/630/deviations", params={"state": "open"}).json() != []

        server.set_clock("2021-05-04T08:00:00+02:00")  # the scheduler's round: the follow-up of 3 May
        closed = wait_for(lambda: o.get("/api/v1/municipalities/630/deviations", params={"state": "closed"}).json(),
                          "the deviation closing at the follow-up of 3 May", server)
        assert [(d["subject"], d["state"]) for d in closed] == [("g-job", "closed")]
        assert o.get("/api/v1/municipalities/630/actions", params={"state": "open"}).json() == []
        goals = {g["id"]: g for g in o.get("/api/v1/municipalities/630/goals").json()["goals"]}
        assert goals["g-job"]["status"] == "on_track"

    admin_key = _notifications_key(db_url)
    with server.client(admin_key) as admin:
        sent = admin.get("/api/v1/municipalities/630/notifications", params={"state": "sent"}).json()
    assert (sent[0]["kind"], sent[0]["item"]) == ("action_demanded", "act-0001")
    assert all(n["message_id"] and n["sent_at"] for n in sent)
    with server.client(key) as system:
        feed = system.get("/api/v1/municipalities/630/events", params={"after": 0, "limit": 1000}).json()
    by_type = {e["type"]: e for e in feed["events"]}
    assert by_type["action_submitted"]["actor"] == "user:centerleder"
    assert by_type["action_accepted"]["actor"] == "user:chefen"
    assert by_type["deviation_closed"]["actor"] is None
    assert feed["next_after"] == feed["events"][-1]["seq"] == feed["last"]
    assert [e["seq"] for e in feed["events"]] == list(range(1, len(feed["events"]) + 1))


def wait_for(get: Callable[[], Any], what: str, server: LiveServer, timeout: float = 180.0) -> Any:
    """`get()` once it gives something (polled every tenth of a second), failing after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (found := get()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s; server log:\n{server.output()}")
        time.sleep(0.1)  # polling interval while waiting for a condition, not a timing assumption
    return found


def _notifications_key(db_url: str) -> str:
    db = open_database(db_url)
    try:
        return create_key(db, "630", "drift", ["notifications:read"])[1]
    finally:
        db.close()
