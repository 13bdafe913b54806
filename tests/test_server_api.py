"""The HTTP API against a real server process: the permission matrix (every role and key × every
operation × own municipality, another municipality, a municipality with nothing), and bad
requests (malformed JSON, wrong types, unknown ids, oversize bodies, expired or garbage tokens, a
revoked key). Every answer is JSON; none carries a stack trace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from live_server import LiveServer, stored_config

from govcore.access.accounts import add_user, set_disabled
from govcore.access.keys import create_key, revoke_key
from govcore.access.permissions import SCOPES
from govcore.access.sessions import create_session
from govcore.config import load_config
from govcore.store.db import open_database
from govcore.store.run import tick

PASSWORD = "korrekt hest batteri"
LIMIT = 4096


class World:
    def __init__(self, server: LiveServer, tokens: dict[str, str], db_url: str) -> None:
        self.server, self.tokens, self.db_url = server, tokens, db_url

    def call(self, who: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self.server.client(self.tokens[who] if who else None) as c:
            return c.request(method, path, **kwargs)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("api")
    db_url = str(tmp / "govcore.db")
    vejle, horsens, silkeborg = (stored_config(tmp / c, c) for c in ("630", "615", "740"))
    for folder in (vejle, horsens, silkeborg):  # each: act-0001 demanded of 'center' on 1 March 2021
        tick(load_config(folder), db_url, now=dt.date(2021, 3, 1))
    db = open_database(db_url)
    tokens: dict[str, str] = {}
    try:
        for role in ("udvalg", "direktoer", "chef", "center"):
            add_user(db, f"u-{role}", "630", [role], password=PASSWORD)
            tokens[role] = create_session(db, f"u-{role}", "630")
        add_user(db, "u-admin", "630", ["udvalg"], admin=True, password=PASSWORD)
        tokens["admin"] = create_session(db, "u-admin", "630")
        for scope in SCOPES:
            tokens[f"key:{scope}"] = create_key(db, "630", scope, [scope])[1]
        tokens["key:all"] = create_key(db, "630", "alt", list(SCOPES))[1]
        add_user(db, "u-horsens", "615", ["udvalg"], admin=True, password=PASSWORD)
        tokens["horsens"] = create_session(db, "u-horsens", "615")
        # for the bad-request tests
        tokens["expired"] = create_session(db, "u-center", "630", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        key, tokens["revoked"] = create_key(db, "630", "gammel", ["status:read"])
        revoke_key(db, key.id)
        add_user(db, "u-gone", "630", ["center"], password=PASSWORD)
        tokens["disabled"] = create_session(db, "u-gone", "630")
        set_disabled(db, "u-gone")
    finally:
        db.close()
    server = LiveServer(db_url, [], tmp / "clock.txt", tmp / "server.log",  # configurations: stored
                        GOVCORE_MAX_BODY_BYTES=str(LIMIT), GOVCORE_SCHEDULER="off")
    server.set_clock("2021-03-03T10:00:00+01:00")
    server.start()
    try:
        yield World(server, tokens, db_url)
    finally:
        server.stop()


# ----------------------------------------------------------------------------- the matrix

M = "/api/v1/municipalities/{code}"
# Each operation as a request that, once allowed, fails or succeeds without depending on the order
# of the cases: an empty text (422), accepting an action nobody submitted (409), a batch with an
# unknown KPI (422). Only a refusal answers 403.
OPERATIONS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "goals": ("VIEW", "GET", M + "/goals", {}),
    "actions": ("VIEW", "GET", M + "/actions", {"params": {"state": "open"}}),
    "action": ("VIEW", "GET", M + "/actions/act-0001", {}),
    "deviations": ("VIEW", "GET", M + "/deviations", {}),
    "escalations": ("VIEW", "GET", M + "/escalations", {}),
    "deliverables": ("VIEW", "GET", M + "/deliverables", {}),
    "wheel": ("VIEW", "GET", M + "/wheel", {}),
    "events": ("EVENTS", "GET", M + "/events", {}),
    "observations": ("OBSERVE", "POST", M + "/observations",
                     {"json": {"observations": [{"kpi": "nope", "period": "2021-02", "value": 1}]}}),
    "submit": ("SUBMIT", "POST", M + "/actions/act-0001/submit", {"json": {"text": ""}}),
    "accept": ("DECIDE", "POST", M + "/actions/act-0001/accept", {"json": {}}),
    "reject": ("DECIDE", "POST", M + "/actions/act-0001/reject", {"json": {"text": ""}}),
    "deliver": ("DELIVER", "POST", M + "/deliverables/plan/deliver", {}),
    "notifications": ("NOTIFY", "GET", M + "/notifications", {}),
}
ALL = {"VIEW", "EVENTS", "OBSERVE", "SUBMIT", "DECIDE", "DELIVER", "NOTIFY"}
# Who may do what in 630, written out (permissions.py decides it; this is what it must decide).
# center owns act-0001; chef owns the deliverable 'plan'; udvalg > direktoer > chef > center.
ALLOWED = {
    "udvalg": {"VIEW", "EVENTS", "DECIDE"},
    "direktoer": {"VIEW", "EVENTS", "DECIDE"},
    "chef": {"VIEW", "EVENTS", "DECIDE", "DELIVER"},
    "center": {"VIEW", "EVENTS", "SUBMIT"},
    "admin": {"VIEW", "EVENTS", "OBSERVE", "DECIDE", "NOTIFY"},
    "key:status:read": {"VIEW"},
    "key:events:read": {"EVENTS"},
    "key:observations:write": {"OBSERVE"},
    "key:actions:submit": {"SUBMIT"},
    "key:actions:decide": {"DECIDE"},
    "key:deliverables:write": {"DELIVER"},
    "key:notifications:read": {"NOTIFY"},
    "key:all": ALL,
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_the_permission_matrix_in_the_own_municipality(world: World, who: str) -> None:
    for name, (kind, method, path, kwargs) in OPERATIONS.items():
        r = world.call(who, method, path.format(code="630"), **kwargs)
        assert r.headers["content-type"] == "application/json", (who, name)
        if kind in ALLOWED[who]:
            assert r.status_code in (200, 409, 422), (who, name, r.status_code, r.text)
            if r.status_code == 422:
                assert r.json()["errors"], (who, name)
        else:
            assert r.status_code == 403, (who, name, r.status_code, r.text)
            assert r.json()["error"] == "forbidden"


def _same(a: httpx.Response, b: httpx.Response) -> bool:
    def strip(r: httpx.Response) -> Any:
        body = r.json()
        body.pop("request_id", None)
        return r.status_code, body
    return bool(strip(a) == strip(b))


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_another_municipality_is_refused_alike_whether_the_thing_exists_or_not(world: World, who: str) -> None:
    for name, (_, method, path, kwargs) in OPERATIONS.items():
        there = world.call(who, method, path.format(code="615"), **kwargs)  # 615 has a live run and act-0001
        nowhere = world.call(who, method, path.format(code="851"), **kwargs)  # 851 holds nothing at all
        assert there.status_code == 403, (who, name, there.text)
        assert _same(there, nowhere), (who, name, there.text, nowhere.text)
        if "act-0001" in path:  # an id that exists there and one that exists nowhere
            missing = world.call(who, method, path.format(code="615").replace("act-0001", "act-9999"), **kwargs)
            assert _same(there, missing), (who, name)
    answer = world.call(who, "GET", "/api/v1/municipalities/615/actions/act-0001").json()
    answer.pop("request_id", None)  # random: it may contain any digits
    assert "630" not in str(answer)


def test_a_person_of_the_other_municipality_sees_its_own_and_not_ours(world: World) -> None:
    own = world.call("horsens", "GET", "/api/v1/municipalities/615/actions")
    assert own.status_code == 200 and [a["id"] for a in own.json()] == ["act-0001"]
    assert world.call("horsens", "GET", "/api/v1/municipalities/630/actions").status_code == 403


def test_unknown_ids_in_the_own_municipality_are_404(world: World) -> None:
    for method, path, ident, kwargs in (("GET", "/actions/act-9999", "act-9999", {}),
                                        ("POST", "/actions/act-9999/submit", "act-9999", {"json": {"text": "x"}}),
                                        ("POST", "/deliverables/nope/deliver", "nope", {})):
        r = world.call("key:all", method, "/api/v1/municipalities/630" + path, **kwargs)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"] == "not_found" and f"'{ident}'" in r.json()["message"]


def test_a_municipality_without_a_live_run_is_404_for_its_own_people(world: World) -> None:
    db = open_database(world.db_url)
    try:
        add_user(db, "u-aalborg", "851", ["udvalg"], password=PASSWORD)
        token = create_session(db, "u-aalborg", "851")
    finally:
        db.close()
    with world.server.client(token) as c:
        r = c.get("/api/v1/municipalities/851/goals")
    assert r.status_code == 404 and r.json()["message"] == "kommune 851 har ingen levende kørsel"


# --------------------------------------------------------------------------- bad requests


def test_malformed_json_is_422_with_where(world: World) -> None:
    r = world.call("center", "POST", "/api/v1/municipalities/630/actions/act-0001/submit",
                   content=b'{"text": "half', headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "ugyldig JSON" in r.json()["errors"][0]["message"]


def test_wrong_types_name_the_field(world: World) -> None:
    r = world.call("center", "POST", "/api/v1/municipalities/630/actions/act-0001/submit", json={"text": 5})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "text"
    r = world.call("center", "POST", "/api/v1/municipalities/630/actions/act-0001/submit",
                   json={"text": "x", "extra": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "extra"
    r = world.call("key:all", "GET", "/api/v1/municipalities/630/events", params={"after": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "after"
    r = world.call("key:all", "GET", "/api/v1/municipalities/630/actions", params={"state": "opne"})
    assert r.status_code == 422 and "open" in r.json()["errors"][0]["message"]
    r = world.call("key:all", "GET", "/api/v1/municipalities/63x/actions")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "code"


def test_an_observation_batch_is_all_or_nothing_with_row_and_field(world: World) -> None:
    rows = [{"kpi": "jobrate", "period": "2021-02", "value": 49},
            {"kpi": "jobrate", "period": "2021-13", "value": 50},
            {"kpi": "jobrat", "period": "2021-02", "value": 50},
            {"kpi": "ledige", "period": "2021-02", "value": "mange"},
            {"kpi": "ledige", "period": "2021-02", "value": 900, "colour": "red"},
            {"kpi": "jobrat", "period": "2021-13", "value": "49"}]
    before = world.call("key:all", "GET", "/api/v1/municipalities/630/events").json()["last"]
    r = world.call("key:all", "POST", "/api/v1/municipalities/630/observations", json={"observations": rows})
    assert r.status_code == 422, r.text
    where = [e["field"] for e in r.json()["errors"]]
    assert where == ["observations[1].period", "observations[2].kpi", "observations[3].value",
                     "observations[4].colour", "observations[5].value", "observations[5].period",
                     "observations[5].kpi"]
    assert "jobrate" in r.json()["errors"][1]["message"]  # did you mean
    assert world.call("key:all", "GET", "/api/v1/municipalities/630/events").json()["last"] == before
    r = world.call("key:all", "POST", "/api/v1/municipalities/630/observations", json={"observations": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "observations"


def test_an_oversize_body_is_413_while_it_is_read(world: World) -> None:
    big = {"observations": [{"kpi": "jobrate", "period": "2021-02", "value": 49}] * 200}
    r = world.call("key:all", "POST", "/api/v1/municipalities/630/observations", json=big)
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: cut off once the limit is passed
        yield b'{"observations": ['
        for _ in range(400):
            yield b'{"kpi": "jobrate", "period": "2021-02", "value": 49},'
        yield b'{}]}'

    r = world.call("key:all", "POST", "/api/v1/municipalities/630/observations", content=chunks(),
                   headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert world.call("key:all", "GET", "/api/v1/health").status_code == 200


@pytest.mark.parametrize("who,expect,english", [
    (None, "log ind: send Authorization: Bearer", "log in: send Authorization: Bearer"),
    ("expired", "ukendt eller udløbet token: log ind igen", "unknown or expired token: log in again"),
    ("revoked", "ukendt eller tilbagekaldt API-nøgle", "unknown or revoked API key"),
    ("disabled", "kontoen bag dette token er spærret eller slettet", "the account of this token is disabled")])
def test_missing_expired_revoked_and_disabled_credentials_are_401(world: World, who: str | None,
                                                                   expect: str, english: str) -> None:
    """The message follows Accept-Language (Danish without it); the error code never changes."""
    r = world.call(who, "GET", "/api/v1/municipalities/630/goals")
    assert r.status_code == 401 and r.json()["error"] == "unauthorized" and r.json()["message"].startswith(expect)
    assert r.headers["www-authenticate"] == "Bearer"
    r = world.call(who, "GET", "/api/v1/municipalities/630/goals", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized" and r.json()["message"].startswith(english)


def test_too_many_logins_and_an_unknown_calendar_in_both_languages(world: World) -> None:
    assert world.call(None, "GET", "/api/v1/calendar/" + "x" * 30 + ".ics").json()["message"] == \
        "kalenderen findes ikke"
    assert world.call(None, "GET", "/api/v1/calendar/" + "x" * 30 + ".ics", headers={"Accept-Language": "en"}
                      ).json()["message"] == "no such calendar"


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer gck_000000000000_" + "x" * 40, "Bearer",
                                    "Basic dXNlcjpwYXNzd29yZA==", "Bearer gck_"])
def test_garbage_tokens_are_401(world: World, header: str) -> None:
    with httpx.Client(base_url=world.server.url, headers={"Authorization": header}) as c:
        r = c.get("/api/v1/municipalities/630/goals")
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"


def test_login_answers_the_same_for_a_wrong_password_and_an_unknown_user(world: World) -> None:
    a = httpx.post(f"{world.server.url}/api/v1/token", data={"username": "u-chef", "password": "forkert"})
    b = httpx.post(f"{world.server.url}/api/v1/token", data={"username": "nobody", "password": "forkert"})
    assert a.status_code == b.status_code == 401 and a.json()["message"] == b.json()["message"]
    ok = httpx.post(f"{world.server.url}/api/v1/token", data={"username": "u-chef", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["token_type"] == "bearer"
    with world.server.client(ok.json()["access_token"]) as c:
        assert c.get("/api/v1/me").json()["actor"] == "user:u-chef"


def test_a_failure_inside_is_json_with_a_request_id_and_no_traceback(world: World) -> None:
    db = open_database(world.db_url)  # 740's stored configuration no longer matches its run: it cannot be rebuilt
    try:
        db.write(lambda conn: conn.exec_driver_sql(
            "UPDATE govcore_config_file SET content = CAST('goals: []' AS BLOB) "
            "WHERE municipality = '740' AND path = 'goals.yaml'"))
        add_user(db, "u-silkeborg", "740", ["udvalg"], password=PASSWORD)
        token = create_session(db, "u-silkeborg", "740")
    finally:
        db.close()
    with world.server.client(token) as c:
        r = c.get("/api/v1/municipalities/740/goals")
    assert r.status_code == 500
    body = r.json()
    assert body["request_id"] == r.headers["x-request-id"] and "Traceback" not in r.text
    assert body["request_id"] in world.server.output()


def test_the_openapi_document_is_served(world: World) -> None:
    doc = httpx.get(f"{world.server.url}/api/v1/openapi.json").json()
    assert "/api/v1/municipalities/{code}/actions/{action_id}/submit" in doc["paths"]
    assert "/api/v1/token" in doc["paths"]


def test_a_personal_calendar_feed_is_served_by_its_secret_token(world: World) -> None:
    from click.testing import CliRunner

    from govcore.cli import main

    out = CliRunner().invoke(main, ["users", "calendar-token", "u-center", "--base-url", world.server.url,
                                    "--db", world.db_url])
    assert out.exit_code == 0, out.output
    url = out.output.splitlines()[-1]
    assert url.startswith(world.server.url + "/api/v1/calendar/") and url.endswith(".ics")
    with httpx.Client() as c:
        r = c.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
        assert "BEGIN:VTIMEZONE" in r.text and "TZID:Europe/Copenhagen" in r.text and "act-0001" in r.text
        unknown = c.get(url.replace(".ics", "x.ics"))
        assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
        assert CliRunner().invoke(main, ["users", "calendar-token", "u-center", "--revoke",
                                         "--db", world.db_url]).exit_code == 0
        assert c.get(url).status_code == 404
