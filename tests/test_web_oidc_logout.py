"""Logging out of single sign-on: a person who logged in through OpenID Connect is sent on to the
provider's end_session_endpoint (RP-initiated logout) after the session ends on the server — with
httpx and in Chromium, against a real govcore server process and the local test provider
(tests/oidc_provider.py); a person with a password, or a provider without the endpoint, goes to
the login form as before."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from live_server import LiveServer, stored_config
from oidc_provider import TestProvider, serve
from web_support import Site, add_people, assert_accessible

from govcore.config import load_config
from govcore.store.run import tick

if TYPE_CHECKING:
    from playwright.sync_api import Browser


class Stack:
    def __init__(self, provider: TestProvider, site: Site) -> None:
        self.provider, self.site = provider, site


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("oidc-logout")
    db_url = str(tmp / "govcore.db")
    tick(load_config(stored_config(tmp / "630", "630")), db_url, now=dt.date(2021, 3, 1))
    add_people(db_url)
    provider = TestProvider()
    provider.user = {**provider.user, "email": "u-center@example.org"}
    with serve(provider.app) as issuer:
        provider.issuer = issuer
        server = LiveServer(db_url, [], tmp / "clock.txt", tmp / "server.log", GOVCORE_SCHEDULER="off",
                            GOVCORE_LOGIN_BURST="1000", GOVCORE_OIDC_ISSUER=issuer, GOVCORE_OIDC_CLIENT_ID="govcore",
                            GOVCORE_OIDC_CLIENT_SECRET="s3cret", GOVCORE_OIDC_CLAIM="email",
                            GOVCORE_OIDC_MUNICIPALITY="630")
        server.env["GOVCORE_BASE_URL"] = server.url
        server.set_clock("2021-03-03T10:00:00+01:00")
        server.start()
        try:
            yield Stack(provider, Site(server, db_url, {}))
        finally:
            server.stop()


def sso_login(stack: Stack, browser: httpx.Client) -> None:
    """The authorization code flow, one redirect at a time, ending on /opgaver with a session."""
    start = browser.get(f"{stack.site.url}/auth/oidc/login", params={"next": "/opgaver"})
    assert start.status_code == 302, start.text
    back = browser.get(start.headers["location"])
    assert back.status_code == 302, back.text
    done = browser.get(back.headers["location"])
    assert done.status_code == 303 and done.headers["location"] == "/opgaver", done.text


def test_a_single_sign_on_person_is_sent_to_the_providers_logout(stack: Stack) -> None:
    stack.provider.offers_logout = True
    site = stack.site
    with httpx.Client(timeout=30, follow_redirects=False) as browser:
        sso_login(stack, browser)
        page = browser.get(f"{site.url}/opgaver")
        assert page.status_code == 200 and "Cecilie Center" in page.text
        token = browser.cookies["govcore_session"]
        out = browser.post(f"{site.url}/logout", data={"csrf": Site.csrf(page.text)}, headers={"Origin": site.url})
        assert out.status_code == 200 and "Du er logget ud" in out.text
        assert "govcore_session=" in out.headers["set-cookie"]  # the cookie is cleared
        refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', out.text)
        link = re.search(r'<a class="button" href="([^"]+)" id="idp-logout">', out.text)
        assert refresh and link and refresh.group(1) == link.group(1)
        target = link.group(1).replace("&amp;", "&")
        parts = urlsplit(target)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{stack.provider.issuer}/logout"
        assert parse_qs(parts.query) == {"client_id": ["govcore"], "post_logout_redirect_uri": [f"{site.url}/login"]}
        at_provider = browser.get(target)
        assert at_provider.status_code == 302 and at_provider.headers["location"] == f"{site.url}/login"
    with httpx.Client(base_url=site.url, cookies={"govcore_session": token}) as old:
        assert old.get("/opgaver").headers["location"].startswith("/login")  # the session ended first


def test_without_an_end_session_endpoint_logout_goes_to_the_login_form(stack: Stack) -> None:
    stack.provider.offers_logout = False
    site = stack.site
    with httpx.Client(timeout=30, follow_redirects=False) as browser:
        sso_login(stack, browser)
        page = browser.get(f"{site.url}/opgaver")
        out = browser.post(f"{site.url}/logout", data={"csrf": Site.csrf(page.text)}, headers={"Origin": site.url})
    assert out.status_code == 303 and out.headers["location"] == "/login"


def test_a_person_with_a_password_is_not_sent_to_the_provider(stack: Stack) -> None:
    stack.provider.offers_logout = True
    asked = len(stack.provider.logout_requests)
    with stack.site.client("u-chef") as c:  # never logged in through the provider: no oidc_issuer
        page = c.get("/opgaver")
        out = c.post("/logout", data={"csrf": Site.csrf(page.text)}, headers={"Origin": stack.site.url})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert len(stack.provider.logout_requests) == asked


def test_in_chromium_logging_out_of_single_sign_on_ends_at_the_login_form(stack: Stack, browser: Browser) -> None:
    """The pages forbid a form post to redirect to another site (CSP form-action 'self'), so the
    step to the provider must work in a real browser, not only in httpx."""
    stack.provider.offers_logout = True
    site = stack.site
    ctx = browser.new_context(base_url=site.url, locale="da-DK")
    page = ctx.new_page()
    try:
        page.goto("/auth/oidc/login?next=/opgaver")
        page.wait_for_url("**/opgaver")
        asked = len(stack.provider.logout_requests)
        page.get_by_role("button", name="Log ud").click()
        page.wait_for_url(f"{site.url}/login")
        assert page.get_by_role("heading", level=1).inner_text() == "Log ind"
        assert len(stack.provider.logout_requests) == asked + 1
        assert stack.provider.logout_requests[-1]["post_logout_redirect_uri"] == f"{site.url}/login"
        assert not [c for c in ctx.cookies() if c["name"] == "govcore_session"]
        assert_accessible(page)
    finally:
        ctx.close()


def test_the_logout_page_passes_axe(stack: Stack, browser: Browser) -> None:
    """The page between govcore and the provider, held still (its move on by meta refresh is
    what the journey above checks)."""
    stack.provider.offers_logout = True
    site = stack.site
    with httpx.Client(timeout=30, follow_redirects=False) as client:
        sso_login(stack, client)
        page_html = client.get(f"{site.url}/opgaver").text
        out = client.post(f"{site.url}/logout", data={"csrf": Site.csrf(page_html)}, headers={"Origin": site.url})
    assert out.status_code == 200
    ctx = browser.new_context(base_url=site.url, locale="da-DK")
    page = ctx.new_page()
    try:
        still = re.sub(r'<meta http-equiv="refresh"[^>]*>', "", out.text)
        assert still != out.text
        page.route(f"{site.url}/du-er-logget-ud", lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=still))
        page.goto("/du-er-logget-ud")  # served as the server's own page, with its stylesheets
        assert page.get_by_role("link", name="Log ud af kommunens login").is_visible()
        assert_accessible(page)
    finally:
        ctx.close()
