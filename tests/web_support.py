"""What the tests of the web pages share: a live run of two municipalities served by a real server
process, people of every role, logging in through the login form (with httpx or in Chromium), and
an accessibility check with axe-core in the browser.

Use the fixture by importing it into a test module: `from web_support import site_fixture  # noqa: F401`.
The run: Vejle (630) and Horsens (615) with the small test configuration, ticked to 1 March 2021,
when act-0001 is demanded of the role 'center'; udvalg > direktoer > chef > center.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from live_server import LiveServer, stored_config

from govcore.access.accounts import add_user
from govcore.config import load_config
from govcore.store.db import open_database
from govcore.store.run import tick

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "korrekt hest batteri"
# username → (municipality, roles, admin, name)
PEOPLE: dict[str, tuple[str, list[str], bool, str]] = {
    "u-udvalg": ("630", ["udvalg"], False, "Ulla Udvalg"),
    "u-direktoer": ("630", ["direktoer"], False, "Dorte Direktør"),
    "u-chef": ("630", ["chef"], False, "Carl Chef"),
    "u-center": ("630", ["center"], False, "Cecilie Center"),
    "u-admin": ("630", ["udvalg"], True, "Anders Admin"),
    "u-horsens": ("615", ["udvalg"], True, "Hanne Horsens"),
}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Site:
    """The server, its database and the people; `client(username)` is an httpx client logged in
    through the form, `page(browser, username)` a logged-in Chromium page."""

    def __init__(self, server: LiveServer, db_url: str, folders: dict[str, Path]) -> None:
        self.server, self.db_url, self.folders = server, db_url, folders
        self.url = server.url

    @contextmanager
    def client(self, username: str | None = None) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url, timeout=60.0, follow_redirects=False) as c:
            if username is not None:
                r = c.post("/login", data={"username": username, "password": PASSWORD, "next": "/"},
                           headers={"Origin": self.url})
                assert r.status_code == 303, r.text
            yield c

    @staticmethod
    def csrf(html: str) -> str:
        found = CSRF.search(html)
        assert found, "the page has no CSRF field"
        return found.group(1)

    def post_form(self, client: httpx.Client, page_path: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Open `page_path`, take its CSRF token and post `data` to `action` as the browser would."""
        page = client.get(page_path)
        assert page.status_code == 200, page.text
        return client.post(action, data={"csrf": self.csrf(page.text), **data}, headers={"Origin": self.url})

    def page(self, browser: Browser, username: str, **context: Any) -> Page:
        ctx = browser.new_context(base_url=self.url, locale="da-DK", **context)
        page = ctx.new_page()
        log_in(page, username)
        return page


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r".*/(?!login).*"))


WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page: Page) -> None:
    """axe-core (bundled by axe-playwright-python) finds no WCAG 2.1 A/AA violation on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    violations = results.response["violations"]
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations)


def add_people(db_url: str, people: dict[str, tuple[str, list[str], bool, str]] | None = None) -> None:
    """The people (PEOPLE unless given), with PASSWORD, into the database."""
    db = open_database(db_url)
    try:
        for username, (code, roles, admin, name) in (PEOPLE if people is None else people).items():
            add_user(db, username, code, roles, admin=admin, name=name, password=PASSWORD,
                     email=f"{username}@example.org")
    finally:
        db.close()


@contextmanager
def serve(tmp: Path, db_url: str, *, clock: str = "2021-03-03T10:00:00+01:00", **env: str) -> Iterator[LiveServer]:
    """A real server over `db_url` (configurations from the database) with its clock at `clock`,
    the scheduler off and logins not rate-limited (`env` adds GOVCORE_* settings); stopped after."""
    server = LiveServer(db_url, [], tmp / "clock.txt", tmp / "server.log",
                        **{"GOVCORE_SCHEDULER": "off", "GOVCORE_LOGIN_BURST": "1000", **env})
    server.set_clock(clock)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", name="site")
def site_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("web")
    db_url = str(tmp / "govcore.db")
    folders = {code: stored_config(tmp / code, code) for code in ("630", "615")}
    for folder in folders.values():
        tick(load_config(folder), db_url, now=dt.date(2021, 3, 1))
    add_people(db_url)
    with serve(tmp, db_url) as server:
        yield Site(server, db_url, folders)
