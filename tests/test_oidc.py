"""OpenID Connect login (govcore.server.oidc) against a local test provider (tests/oidc_provider.py):
both run on real uvicorn servers on 127.0.0.1; the browser is an httpx client that follows the
redirects one by one, keeping cookies."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, Request
from oidc_provider import TestProvider, serve

from govcore.access.sessions import session_of
from govcore.server.oidc import SESSION_COOKIE, OidcSettings, OidcSettingsError, find_account, oidc_router
from govcore.store.db import Database, open_database
from govcore.store.schema import ensure
from govcore.store.tables import UserRow, table
from govcore.web.language import RequestLanguage

USER = table(UserRow)


def add_user(db: Database, username: str, *, municipality: str = "630", email: str | None = None,
             issuer: str | None = None, subject: str | None = None, disabled: bool = False) -> None:
    db.write(lambda conn: conn.execute(sa.insert(USER).values(
        username=username, municipality=municipality, name=username.capitalize(), email=email,
        roles=json.dumps(["center"]), admin=False, disabled=disabled, oidc_issuer=issuer, oidc_subject=subject,
        failed_logins=0, created_at="2026-01-01T00:00:00+00:00")))


def user(db: Database, username: str) -> dict[str, Any] | None:
    row = db.read(lambda conn: conn.execute(sa.select(USER).where(USER.c.username == username)).mappings().first())
    return dict(row) if row is not None else None


class Stack:
    def __init__(self, provider: TestProvider, db: Database, rp: str, settings: OidcSettings,
                 accept_language: str | None = None) -> None:
        self.provider, self.db, self.rp, self.settings = provider, db, rp, settings
        headers = {"Accept-Language": accept_language} if accept_language else {}
        self.browser = httpx.Client(follow_redirects=False, timeout=30, headers=headers)

    def login(self, next_path: str = "/me") -> httpx.Response:
        """Start at the login URL and follow the redirects to the callback's answer."""
        to_provider = self.browser.get(f"{self.rp}/auth/oidc/login", params={"next": next_path})
        assert to_provider.status_code == 302, to_provider.text
        to_callback = self.browser.get(to_provider.headers["location"])
        assert to_callback.status_code == 302, to_callback.text
        assert to_callback.headers["location"].startswith(f"{self.rp}/auth/oidc/callback?")
        return self.browser.get(to_callback.headers["location"])


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    provider = TestProvider()
    db = open_database(str(tmp_path / "oidc.db"))
    ensure(db, create=True)
    with ExitStack() as stack:
        provider.issuer = stack.enter_context(serve(provider.app))

        def make(accept_language: str | None = None, **given: Any) -> Stack:
            settings = OidcSettings(issuer=provider.issuer, client_id="govcore", client_secret="s3cret",
                                    **{"claim": "email", "municipality": "630", **given})
            app = FastAPI()
            app.include_router(oidc_router(db, settings))
            app.add_middleware(RequestLanguage)  # as in the server: the browser's language per request

            @app.get("/me")
            def me(request: Request) -> dict[str, Any]:
                found = session_of(db, request.cookies.get(SESSION_COOKIE, ""))
                if found is None:
                    raise HTTPException(401, "not logged in")
                return {"username": found["username"], "kind": found["kind"]}

            s = Stack(provider, db, stack.enter_context(serve(app)), settings, accept_language)
            stack.callback(s.browser.close)
            return s

        yield make
    db.close()


def test_a_good_login_creates_a_web_session_and_binds_the_account(stack: Callable[..., Stack]) -> None:
    s = stack()
    add_user(s.db, "jens", email="Jens@Vejle.dk")
    done = s.login("/me")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/me"
    cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1
    me = s.browser.get(f"{s.rp}/me")
    assert me.json() == {"username": "jens", "kind": "web"}
    bound = user(s.db, "jens")
    assert bound is not None and (bound["oidc_issuer"], bound["oidc_subject"]) == (s.provider.issuer, "abc-123")
    # the authorization request used PKCE (S256), a nonce and a state
    q = s.provider.authorize_requests[-1]
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert q["nonce"] and q["state"] and q["nonce"] != q["state"]
    # next time the subject finds the account, whatever the e-mail claim says
    s.provider.user = {**s.provider.user, "email": "renamed@vejle.dk"}
    s.browser.cookies.clear()
    assert s.login().status_code == 303


@pytest.mark.parametrize(("tamper", "message"), [
    ({"nonce": "not-the-nonce"}, "ID-tokenet er ikke gyldigt: 'nonce'-claim er forkert"),
    ({"iss": "https://evil.example"}, "ID-tokenet er ikke gyldigt: 'iss'-claim er forkert"),
    ({"aud": "another-client"}, "ID-tokenet er ikke gyldigt: det er udstedt til en anden klient (aud)"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "ID-tokenet er ikke gyldigt: det er udløbet"),
    ({"sign_with_other_key": True}, "ID-tokenets signatur er ikke gyldig"),
], ids=["nonce", "issuer", "audience", "expired", "signature"])
def test_a_bad_id_token_is_refused(stack: Callable[..., Stack], tamper: dict[str, Any], message: str) -> None:
    s = stack()
    add_user(s.db, "jens", email="jens@vejle.dk")
    if tamper.pop("sign_with_other_key", False):
        s.provider.sign_with_other_key = True
    s.provider.tamper = tamper
    done = s.login()
    assert done.status_code == 401, done.text
    assert message in done.json()["detail"]
    assert not any(k == "set-cookie" and v.startswith(SESSION_COOKIE) for k, v in done.headers.multi_items())
    assert s.browser.get(f"{s.rp}/me").status_code == 401
    assert user(s.db, "jens")["oidc_subject"] is None  # type: ignore[index]


def test_a_login_refused_is_told_in_the_browsers_language(stack: Callable[..., Stack]) -> None:
    """What a person reads at a refused login follows Accept-Language (Danish without one)."""
    english = stack(accept_language="en-US,en;q=0.9")
    add_user(english.db, "jens", email="jens@vejle.dk")
    english.provider.tamper = {"aud": "another-client"}
    done = english.login()
    assert done.status_code == 401
    assert done.json()["detail"] == "the ID token is not valid: it was issued for another client (aud)"
    english.provider.tamper = {"nonce": "not-the-nonce"}
    assert english.login().json()["detail"] == "the ID token is not valid: the claim 'nonce' is wrong"
    danish = stack(accept_language="da-DK,da;q=0.9,en;q=0.5")
    english.provider.tamper = {}
    english.provider.user = {**english.provider.user, "email": "nobody@vejle.dk", "sub": "n-1"}
    assert danish.login().json()["detail"].startswith("der er ingen konto til denne person")
    assert english.login().json()["detail"] == (
        "no account belongs to this person; ask your municipality's administrator for one")


def test_settings_errors_name_the_variable_in_english_on_request(english: None) -> None:
    with pytest.raises(OidcSettingsError, match=r"^GOVCORE_OIDC_ISSUER: the OpenID Connect issuer must be an https"):
        OidcSettings.from_env({"GOVCORE_OIDC_ISSUER": "http://login.vejle.dk", "GOVCORE_OIDC_CLIENT_ID": "c"})
    with pytest.raises(OidcSettingsError, match=r"^GOVCORE_OIDC_SCOPES: the scopes must include 'openid'"):
        OidcSettings.from_env({"GOVCORE_OIDC_ISSUER": "https://login.vejle.dk", "GOVCORE_OIDC_CLIENT_ID": "c",
                               "GOVCORE_OIDC_SCOPES": "email"})


def test_an_unknown_person_is_refused_unless_provisioning_is_configured(stack: Callable[..., Stack]) -> None:
    s = stack()
    add_user(s.db, "jens", email="jens@silkeborg.dk")
    add_user(s.db, "jens740", municipality="740", email="jens@vejle.dk")  # same address, other municipality
    done = s.login()
    assert done.status_code == 403
    assert done.json()["detail"] == ("der er ingen konto til denne person; bed din kommunes administrator "
                                     "om en")
    assert user(s.db, "jens740")["oidc_subject"] is None  # type: ignore[index]

    # provisioning would take the username 'jens', which belongs to someone else: refused
    p = stack(provision_roles=("center",))
    done = p.login()
    assert done.status_code == 403
    assert done.json()["detail"].startswith("der kunne ikke oprettes en konto til denne person: ")
    assert "brugernavnet 'jens' er optaget" in done.json()["detail"]
    assert user(p.db, "jens")["oidc_subject"] is None  # type: ignore[index]


def test_provisioning_creates_an_account_with_the_configured_roles(stack: Callable[..., Stack]) -> None:
    s = stack(provision_roles=("center",))
    s.provider.user = {**s.provider.user, "preferred_username": "mette", "name": "Mette Ny", "sub": "m-1"}
    done = s.login()
    assert done.status_code == 303, done.text
    created = user(s.db, "mette")
    assert created is not None
    assert (created["municipality"], json.loads(created["roles"]), created["oidc_subject"]) == (
        "630", ["center"], "m-1")
    assert s.browser.get(f"{s.rp}/me").json()["username"] == "mette"


def test_disabled_unverified_and_ambiguous_accounts_are_refused(stack: Callable[..., Stack]) -> None:
    s = stack()
    add_user(s.db, "jens", email="jens@vejle.dk", disabled=True)
    assert s.login().status_code == 403
    assert user(s.db, "jens")["oidc_subject"] is None  # type: ignore[index]  # a refused login binds nothing
    s2 = stack()
    s2.provider.user = {**s2.provider.user, "email": "ib@vejle.dk", "email_verified": False, "sub": "ib"}
    add_user(s2.db, "ib", email="ib@vejle.dk")
    refused = s2.login()
    assert refused.status_code == 403
    assert refused.json()["detail"] == "udbyderen oplyser, at e-mailadressen ikke er bekræftet"
    s2.provider.user = {**s2.provider.user, "email": "to@vejle.dk", "email_verified": True, "sub": "to"}
    add_user(s2.db, "to1", email="to@vejle.dk")
    add_user(s2.db, "to2", email="TO@vejle.dk")
    assert "flere konti passer på denne person" in s2.login().json()["detail"]


def test_a_forged_or_missing_state_is_refused(stack: Callable[..., Stack]) -> None:
    s = stack()
    add_user(s.db, "jens", email="jens@vejle.dk")
    to_provider = s.browser.get(f"{s.rp}/auth/oidc/login")
    to_callback = s.browser.get(to_provider.headers["location"])
    url = urlsplit(to_callback.headers["location"])
    code = parse_qs(url.query)["code"][0]
    wrong = s.browser.get(f"{s.rp}/auth/oidc/callback", params={"code": code, "state": "forged"})
    assert wrong.status_code == 400 and wrong.json()["detail"] == "loginets state passer ikke; start det igen"
    fresh = httpx.Client(follow_redirects=False)  # a browser that never started the login
    try:
        other = fresh.get(to_callback.headers["location"])
    finally:
        fresh.close()
    assert other.status_code == 400 and "blev ikke startet her" in other.json()["detail"]


def test_next_is_only_a_local_path(stack: Callable[..., Stack]) -> None:
    s = stack()
    add_user(s.db, "jens", email="jens@vejle.dk")
    done = s.login("https://evil.example/steal")
    assert done.status_code == 303 and done.headers["location"] == "/"
    s.browser.cookies.clear()
    assert s.login("//evil.example").headers["location"] == "/"


def test_cookies_are_secure_when_configured_or_behind_tls(stack: Callable[..., Stack]) -> None:
    for given in ({"secure_cookies": True}, {"redirect_url": "https://govcore.vejle.dk/auth/oidc/callback"}):
        s = stack(**given)
        start = s.browser.get(f"{s.rp}/auth/oidc/login")
        cookie = start.headers["set-cookie"]
        assert cookie.startswith("govcore_oidc_oidc=") and "Secure" in cookie and "HttpOnly" in cookie, cookie
        assert "Path=/auth/oidc" in cookie


def test_settings_read_the_secret_only_from_the_environment() -> None:
    env = {"GOVCORE_OIDC_ISSUER": "https://login.vejle.dk/realms/govcore", "GOVCORE_OIDC_CLIENT_ID": "govcore",
           "GOVCORE_OIDC_CLIENT_SECRET": "hemmelig", "GOVCORE_OIDC_CLAIM": "email", "GOVCORE_OIDC_MUNICIPALITY": "630"}
    s = OidcSettings.from_env(env)
    assert s is not None
    assert (s.issuer, s.client_id, s.client_secret, s.claim, s.municipality) == (
        "https://login.vejle.dk/realms/govcore", "govcore", "hemmelig", "email", "630")
    assert "hemmelig" not in repr(s)
    assert OidcSettings.from_env(env, client_id="other").client_id == "other"  # type: ignore[union-attr]
    assert OidcSettings.from_env({}) is None
    assert OidcSettings.from_env(env, scopes=("openid", "email")).scopes == ("openid", "email")  # type: ignore[union-attr]
    assert OidcSettings.from_env({**env, "GOVCORE_OIDC_SCOPES": "openid upn"}).scopes == (  # type: ignore[union-attr]
        "openid", "upn")
    with pytest.raises(OidcSettingsError, match=r"læses kun fra \$GOVCORE_OIDC_CLIENT_SECRET"):
        OidcSettings.from_env(env, client_secret="in-a-file")
    with pytest.raises(OidcSettingsError, match=r"^GOVCORE_OIDC_ISSUER: OpenID Connect-udstederen skal være en https"):
        OidcSettings(issuer="http://login.vejle.dk", client_id="govcore")
    with pytest.raises(ValueError, match=r"^GOVCORE_OIDC_PROVISION_ROLES: .*GOVCORE_OIDC_MUNICIPALITY"):
        OidcSettings(issuer="https://login.vejle.dk", client_id="govcore", provision_roles=("center",))
    with pytest.raises(ValueError, match=r"^GOVCORE_OIDC_CLIENT_ID: "):
        OidcSettings.from_env({"GOVCORE_OIDC_ISSUER": "https://login.vejle.dk"})
    roles = OidcSettings.from_env({**env, "GOVCORE_OIDC_PROVISION_ROLES": "center chef"})
    assert roles is not None and roles.provision_roles == ("center", "chef")


def test_find_account_refuses_an_account_bound_to_another_identity(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "a.db"))
    try:
        ensure(db, create=True)
        add_user(db, "jens", email="jens@vejle.dk", issuer="https://idp.vejle.dk", subject="old")
        settings = OidcSettings(issuer="https://idp.vejle.dk", client_id="c", claim="email")
        with pytest.raises(Exception, match="knyttet til en anden single sign-on-identitet"):
            find_account(db, settings, {"iss": "https://idp.vejle.dk", "sub": "new", "email": "jens@vejle.dk"})
        assert find_account(db, settings, {"iss": "https://idp.vejle.dk", "sub": "old"}).username == "jens"
    finally:
        db.close()
