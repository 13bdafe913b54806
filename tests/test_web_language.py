"""The pages' language: Danish by default, English for a browser that prefers English
(Accept-Language), and the person's own choice with the footer's language link (the `govcore_lang`
cookie), against a real server process. The Danish pages hold no untranslated English (the English
word scan of tests/english_words.py over each page's text), and a hostile Accept-Language header or
cookie can only ever choose Danish or English.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx
import pytest
from english_words import untranslated
from web_support import PASSWORD, Site, assert_accessible, site_fixture  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Every page a person of the test run can open with GET (the administrator's too).
PAGES = ["/opgaver", "/godkendelser", "/maal", "/maal/g-job", "/aarshjul", "/afvigelser", "/budget",
         "/undersoegelser", "/beslutningslog", "/observationer", "/admin", "/admin/personer",
         "/admin/personer/u-center", "/admin/noegler", "/admin/notifikationer"]
# Each page's heading in English.
ENGLISH_PAGES = {"/opgaver": "My tasks", "/godkendelser": "Approvals", "/maal": "Goals",
                 "/aarshjul": "Annual cycle 2021", "/afvigelser": "Deviations and escalations",
                 "/budget": "Budget control",
                 "/undersoegelser": "User satisfaction", "/beslutningslog": "Decision log",
                 "/observationer": "Observations", "/admin": "Administration", "/admin/personer": "People and roles",
                 "/admin/noegler": "API keys", "/admin/notifikationer": "Notifications"}
HTML_LANG = re.compile(r'<html lang="(\w+)">')


def text_of(html: str) -> str:
    """What a reader reads of a page: the text without tags, scripts and styles, and without
    `<code>` (identifiers a person types, such as an API scope `actions:submit`)."""
    body = re.sub(r"(?s)<(script|style|code)\b.*?</\1>", " ", html)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", body))


@contextmanager
def logged_in(site: Site, username: str, headers: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=60.0, follow_redirects=False, headers=headers) as c:
        r = c.post("/login", data={"username": username, "password": PASSWORD, "next": "/"},
                   headers={"Origin": site.url})
        assert r.status_code == 303, r.text
        yield c


@pytest.mark.parametrize("header", [None, "da-DK,da;q=0.9,en;q=0.8", "de-DE,de;q=0.9"])
def test_the_danish_pages_hold_no_untranslated_english(site: Site, header: str | None) -> None:
    """Without Accept-Language, with Danish first, and with a language govcore does not have: Danish."""
    headers = {"Accept-Language": header} if header else {}
    with logged_in(site, "u-admin", headers) as c:
        for path in [*PAGES, "/ingen-side"]:
            r = c.get(path)
            assert r.status_code == (404 if path == "/ingen-side" else 200), (path, r.text[:300])
            assert HTML_LANG.search(r.text).group(1) == "da", path  # type: ignore[union-attr]
            english = [line.strip() for line in text_of(r.text).splitlines() if untranslated(line)]
            assert english == [], path
    with httpx.Client(base_url=site.url, headers=headers) as anonymous:
        login = anonymous.get("/login")
        assert "Brugernavn" in login.text and untranslated(text_of(login.text)) == []


def test_an_english_browser_gets_english_pages_and_html_lang(site: Site) -> None:
    with logged_in(site, "u-admin", {"Accept-Language": "en-US,en;q=0.9"}) as c:
        for path, heading in ENGLISH_PAGES.items():
            r = c.get(path)
            assert r.status_code == 200
            assert HTML_LANG.search(r.text).group(1) == "en"  # type: ignore[union-attr]
            assert f"<h1>{heading}</h1>" in r.text, path
            assert ">Log out</button>" in r.text and ">Dansk</a>" in r.text
        missing = c.get("/ingen-side")
        assert missing.status_code == 404 and "The page does not exist" in missing.text
        wrong = c.get("/maal?niveau=halvt")
        assert wrong.status_code == 422 and "unknown level 'halvt'" in htmllib.unescape(wrong.text)
    # the same server answers the next Danish request in Danish: the language is per request
    with logged_in(site, "u-admin", {}) as c:
        assert "<h1>Mine opgaver</h1>" in c.get("/opgaver").text


def test_the_language_link_remembers_the_choice_over_the_browsers(site: Site) -> None:
    with logged_in(site, "u-center", {"Accept-Language": "en-US"}) as c:
        r = c.get("/sprog", params={"til": "da", "tilbage": "/maal?niveau=team"})
        assert r.status_code == 303 and r.headers["location"] == "/maal?niveau=team"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("govcore_lang=da;") and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "<h1>Mål</h1>" in c.get("/maal").text
        assert c.get("/sprog", params={"til": "english"}).status_code == 303
        assert "<h1>Goals</h1>" in c.get("/maal").text


@pytest.mark.parametrize("query", [{"til": "<script>alert(1)</script>"}, {"til": "klingon"}, {}])
def test_an_unknown_language_in_the_link_is_a_clear_page_and_changes_nothing(site: Site,
                                                                            query: dict[str, str]) -> None:
    with httpx.Client(base_url=site.url) as c:
        r = c.get("/sprog", params=query)
        assert r.status_code == 422 and "set-cookie" not in r.headers
        assert "Vælg sproget da eller en." in r.text and "<script>alert" not in r.text


def test_the_language_link_goes_back_only_to_this_server(site: Site) -> None:
    with httpx.Client(base_url=site.url) as c:
        for elsewhere in ("//angriber.example/", "https://angriber.example/", "/\\angriber.example"):
            r = c.get("/sprog", params={"til": "en", "tilbage": elsewhere})
            assert r.status_code == 303 and r.headers["location"] == "/", elsewhere


@pytest.mark.parametrize("header", [
    "<script>alert(1)</script>",
    "en;q=<script>, da;q=0.5",
    "en;q=nan, da",
    "\"><svg onload=alert(1)>",
    "x" * 4000,
    "en;q=0",
])
def test_a_hostile_accept_language_header_or_cookie_is_harmless(site: Site, header: str) -> None:
    """Anything unreadable picks Danish (the default); nothing of the header reaches the page."""
    with httpx.Client(base_url=site.url, headers={"Accept-Language": header}) as c:
        r = c.get("/login")
        assert r.status_code == 200
        assert HTML_LANG.search(r.text).group(1) == "da"  # type: ignore[union-attr]
        assert "<script>alert" not in r.text and "<svg" not in r.text
    with httpx.Client(base_url=site.url, headers={"Cookie": f'govcore_lang="{header[:100]}"; x=;;'}) as c:
        r = c.get("/login")
        assert r.status_code == 200 and HTML_LANG.search(r.text).group(1) == "da"  # type: ignore[union-attr]


def test_api_messages_follow_accept_language_and_the_error_code_stays(site: Site) -> None:
    """The API's `message` is in the request's language; `error`, which programs read, is not."""
    too_large = b"x" * 4_100_000  # above the server's 4 MB: refused by its declared length, before reading
    with httpx.Client(base_url=site.url) as c:
        da = c.post("/api/v1/token", content=too_large)
        en = c.post("/api/v1/token", content=too_large, headers={"Accept-Language": "en-GB"})
    assert da.status_code == en.status_code == 413
    assert da.json()["error"] == en.json()["error"] == "too_large"
    assert "forespørgslens indhold er større end" in da.json()["message"]
    assert "the request body is larger than" in en.json()["message"]


def test_the_web_catalog_agrees_with_the_others_on_shared_messages() -> None:
    """The domains are one catalog at run time, the first one holding a message wins: a message id
    in two catalogs must have the same Danish in both, or the pages would read another domain's."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "scripts"))
    try:
        import i18n  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    web = i18n.read("web")
    differ = []
    for po in sorted(i18n.CATALOGS.glob("*.po")):
        if po.stem == "web":
            continue
        other = i18n.read(po.stem)
        differ += [(po.stem, m.id, m.string, other[m.id].string) for m in web
                   if m.id and m.id in other and other[m.id].string != m.string]
    assert len(web) > 400 and differ == []


def test_in_chromium_an_english_browser_follows_the_main_journey_in_english(site: Site, browser: Browser) -> None:
    ctx = browser.new_context(base_url=site.url, locale="en-US")
    page = ctx.new_page()
    try:
        page.goto("/")
        assert page.evaluate("document.documentElement.lang") == "en"
        page.get_by_label("Username").fill("u-udvalg")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/opgaver")
        assert page.get_by_role("heading", level=1).inner_text() == "My tasks"
        assert_accessible(page)
        page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Goals").click()
        page.wait_for_url("**/maal")
        assert page.get_by_role("heading", level=1).inner_text() == "Goals"
        page.get_by_label("Level").select_option("administrative")
        page.get_by_role("button", name="Show goals").click()
        page.wait_for_url("**/maal?*niveau=administrative*")
        assert page.get_by_text(re.compile(r"^1 of 2 goals shown \(filtered\)\.$")).is_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Mindst 50 % i job").click()
        page.wait_for_url("**/maal/g-job")
        assert page.get_by_role("heading", name="Corrective actions").is_visible()
        assert page.get_by_role("row", name=re.compile("^Success criterion")).is_visible()
        assert_accessible(page)
        # the person switches to Danish: this page again, in Danish, and the next ones too
        page.get_by_role("link", name="Dansk").click()
        page.wait_for_url("**/maal/g-job")
        assert page.evaluate("document.documentElement.lang") == "da"
        assert page.get_by_role("heading", name="Korrigerende handlinger").is_visible()
        page.get_by_role("link", name="Mine opgaver").click()
        page.wait_for_url("**/opgaver")
        assert page.get_by_role("heading", level=1).inner_text() == "Mine opgaver"
        assert untranslated(page.locator("body").inner_text()) == []
        assert_accessible(page)
    finally:
        ctx.close()
