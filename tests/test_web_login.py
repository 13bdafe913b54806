"""Logging in and out of the pages against a real server process: the form, one answer for every
failure, the session cookie's flags, a forged post refused, logout ending the session on the
server, the security headers on every response, errors as Danish pages; and in Chromium, with an
accessibility check."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from web_support import PASSWORD, Site, assert_accessible, site_fixture  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def test_the_front_page_sends_a_stranger_to_the_login_form(site: Site) -> None:
    with site.client() as c:
        r = c.get("/")
        assert r.status_code == 303 and r.headers["location"] == "/login"
        form = c.get("/login")
    assert form.status_code == 200
    assert '<html lang="da">' in form.text
    assert '<label for="username">Brugernavn</label>' in form.text
    assert '<label for="password">Adgangskode</label>' in form.text
    assert "single sign-on" not in form.text  # no OpenID Connect configured


def test_a_login_sets_an_httponly_samesite_session_cookie_and_goes_to_the_start_page(site: Site) -> None:
    with site.client() as c:
        r = c.post("/login", data={"username": "u-center", "password": PASSWORD}, headers={"Origin": site.url})
        assert r.status_code == 303 and r.headers["location"] == "/opgaver"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("govcore_session=")
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
        assert "secure" not in flags  # plain http on 127.0.0.1; behind TLS the flag is set
        assert c.get("/").headers["location"] == "/opgaver"


@pytest.mark.parametrize("username,password", [("u-center", "forkert adgangskode"), ("ingen-saadan", PASSWORD)])
def test_a_failed_login_gives_one_danish_answer_and_no_cookie(site: Site, username: str, password: str) -> None:
    with site.client() as c:
        r = c.post("/login", data={"username": username, "password": password}, headers={"Origin": site.url})
    assert r.status_code == 401
    assert "Forkert brugernavn eller adgangskode" in r.text
    assert "set-cookie" not in r.headers
    assert password not in r.text


def test_a_login_posted_from_another_site_is_refused(site: Site) -> None:
    with site.client() as c:
        r = c.post("/login", data={"username": "u-center", "password": PASSWORD},
                   headers={"Origin": "https://angriber.example"})
    assert r.status_code == 403 and "set-cookie" not in r.headers


@pytest.mark.parametrize("next_path,expected", [("/maal?niveau=team", "/maal?niveau=team"),
                                                ("//angriber.example/x", "/opgaver"),
                                                ("https://angriber.example/", "/opgaver"),
                                                ("/\\angriber.example", "/opgaver")])
def test_after_login_only_a_path_on_this_server_is_followed(site: Site, next_path: str, expected: str) -> None:
    with site.client() as c:
        r = c.post("/login", data={"username": "u-center", "password": PASSWORD, "next": next_path},
                   headers={"Origin": site.url})
    assert r.status_code == 303 and r.headers["location"] == expected


def test_logout_without_the_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    with site.client("u-chef") as c:
        forged = c.post("/logout", data={"csrf": "gæt"}, headers={"Origin": site.url})
        assert forged.status_code == 403 and "Ingen adgang" in forged.text
        missing = c.post("/logout", data={}, headers={"Origin": site.url})
        assert missing.status_code == 403
        assert c.get("/").headers["location"] == "/opgaver"  # still logged in


def test_logout_with_the_page_token_ends_the_session(site: Site) -> None:
    with site.client("u-chef") as c:
        token = c.cookies["govcore_session"]
        page = c.get("/ingen-side")  # any page of a logged-in person carries the logout form
        assert page.status_code == 404
        r = c.post("/logout", data={"csrf": Site.csrf(page.text)}, headers={"Origin": site.url})
        assert r.status_code == 303 and r.headers["location"] == "/login"
    with httpx.Client(base_url=site.url, cookies={"govcore_session": token}) as old:
        assert old.get("/").headers["location"] == "/login"  # the old cookie opens nothing


def test_every_response_carries_the_security_headers(site: Site) -> None:
    with site.client() as c:
        for path in ("/login", "/api/v1/health", "/static/web.css", "/ingen-side"):
            r = c.get(path)
            csp = r.headers.get("content-security-policy", "")
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, path
            assert r.headers.get("x-content-type-options") == "nosniff", path
            assert r.headers.get("x-frame-options") == "DENY", path
        assert c.get("/login").headers.get("cache-control") == "no-store"


def test_errors_are_danish_pages_outside_the_api_and_json_inside(site: Site) -> None:
    with site.client() as c:
        page = c.get("/ingen-side")
        api = c.get("/api/v1/ingen-side")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Siden findes ikke" in page.text and "Traceback" not in page.text
    assert api.status_code == 404 and api.json()["error"] == "not_found"


def test_in_chromium_a_person_logs_in_with_the_keyboard_and_the_pages_pass_axe(site: Site, browser: Browser) -> None:
    ctx = browser.new_context(base_url=site.url, locale="da-DK")
    page = ctx.new_page()
    try:
        page.goto("/")
        assert page.url.endswith("/login")
        assert_accessible(page)
        assert page.evaluate("document.activeElement.id") == "username"  # the form has the focus at once
        page.keyboard.type("u-center")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/opgaver")
        cookie = next(c for c in ctx.cookies() if c["name"] == "govcore_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert page.evaluate("document.cookie") == ""  # no script can read the session
        assert page.get_by_role("button", name="Log ud").is_visible()
        assert_accessible(page)
    finally:
        ctx.close()
