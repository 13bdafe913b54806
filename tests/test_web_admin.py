"""The administration pages (`/admin`) against a real server process: an administrator's journey in
Chromium with an accessibility check on every page; a person who is not an administrator is
refused every page and post; an administrator of Horsens (615) can neither see nor change
Vejle's (630) people, keys or notifications; forged posts change nothing; bad input gives the
form again with a located Danish error and stores nothing; nobody locks themselves out."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from live_server import free_port
from web_support import PASSWORD, Site, assert_accessible, site_fixture  # noqa: F401

from govcore.access import accounts
from govcore.access import keys as api_keys
from govcore.notify.state import notification_state
from govcore.store.db import Database, open_database
from govcore.web.pages.admin import router

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def db(site: Site) -> Iterator[Database]:
    database = open_database(site.db_url)
    try:
        yield database
    finally:
        database.close()


def _csrf(c: httpx.Client) -> str:
    """The session's token from any page of a logged-in person (the menu's logout form carries it)."""
    return Site.csrf(c.get("/ingen-side").text)


def _post(site: Site, c: httpx.Client, path: str, data: dict[str, Any]) -> httpx.Response:
    return c.post(path, data={"csrf": _csrf(c), **data}, headers={"Origin": site.url})


def _fail_notifications(db: Database) -> list[str]:
    """Deliver Vejle's due notifications to a real SMTP server (aiosmtpd on 127.0.0.1) that refuses
    every message for good: they end `failed`, with the server's answer as their error."""
    from aiosmtpd.controller import Controller

    from govcore.notify.mail import SmtpSender, SmtpSettings
    from govcore.notify.worker import Worker

    class Refuse:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            await asyncio.sleep(0)
            return "550 5.7.1 Mailbox unavailable"

    controller = Controller(Refuse(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = SmtpSettings(host="127.0.0.1", sender="govcore@vejle.example", port=controller.port,
                                starttls=False, timeout=10)
        worker = Worker(db, SmtpSender(settings), settings.sender, municipality="630",
                        clock=lambda: dt.datetime(2021, 3, 3, 10, 0, tzinfo=dt.UTC))
        outcomes = worker.run_once()
    finally:
        controller.stop()
    return [o.ident for o in outcomes if o.state == "failed"]


def _routes() -> list[tuple[str, str]]:
    return [(method, route.path) for route in router.routes for method in sorted(route.methods)]  # type: ignore[attr-defined]


def _concrete(path: str, key_id: str, notification: str) -> str:
    return (path.replace("{username}", "u-center").replace("{key_id}", key_id)
            .replace("{ident}", notification))


# -------------------------------------------------------------------------------- journeys


def test_in_chromium_an_administrator_adds_a_person_gives_roles_makes_and_revokes_a_key_and_sees_notifications(
        site: Site, browser: Browser, db: Database) -> None:
    failed = _fail_notifications(db)
    assert failed, "the refusing SMTP server made no notification fail"
    page = site.page(browser, "u-admin")
    try:
        page.get_by_role("link", name="Administration").click()
        page.wait_for_url("**/admin")
        assert page.get_by_role("heading", level=1).inner_text() == "Administration"
        assert_accessible(page)

        page.get_by_role("link", name="Personer og roller").first.click()
        page.wait_for_url("**/admin/personer")
        assert_accessible(page)
        page.get_by_role("textbox", name="Brugernavn").fill("jette.jensen")
        page.get_by_label("Navn", exact=True).fill("Jette Jensen")
        page.get_by_label("E-mail").fill("jette@vejle.example")
        page.get_by_label("Centerleder").check()  # roles are chosen by their titles
        page.get_by_label("Første adgangskode").fill("en lang nok adgangskode")
        page.get_by_role("button", name="Opret person").click()
        page.wait_for_url("**/admin/personer/jette.jensen?besked=tilfoejet")
        assert "Personen er oprettet." in page.locator("main").inner_text()
        assert_accessible(page)

        page.get_by_label("Arbejdsmarkedschef").check()
        page.get_by_label("Centerleder").uncheck()
        page.get_by_role("button", name="Gem roller").click()
        page.wait_for_url("**/admin/personer/jette.jensen?besked=roller")
        assert accounts.get_user(db, "jette.jensen").roles == ("chef",)
        assert accounts.authenticate(db, "jette.jensen", "en lang nok adgangskode").municipality == "630"

        page.get_by_role("link", name="API-nøgler").first.click()
        page.wait_for_url("**/admin/noegler")
        assert_accessible(page)
        page.get_by_label("Hvad bruger nøglen").fill("økonomisystem")
        page.get_by_label(re.compile("Indberette observationer")).check()
        page.get_by_role("button", name="Opret nøgle").click()
        token = page.get_by_label("Nøglen").input_value()
        assert token.startswith("gck_")
        assert "vises kun denne ene gang" in page.locator("main").inner_text()
        assert_accessible(page)
        principal = api_keys.principal_of_key(db, token)
        assert principal is not None and principal.scopes == frozenset({"observations:write"})

        page.goto("/admin/noegler")
        assert token not in page.content()  # the secret is never shown again
        key_id = token.split("_")[1]
        assert key_id in page.content()
        page.get_by_role("button", name=re.compile(f"Tilbagekald nøglen økonomisystem \\({key_id}\\)")).click()
        page.wait_for_url("**/admin/noegler?besked=tilbagekaldt")
        assert "Tilbagekaldt" in page.locator("tbody").inner_text()
        assert api_keys.principal_of_key(db, token) is None

        page.get_by_role("link", name="Notifikationer").first.click()
        page.wait_for_url("**/admin/notifikationer")
        assert_accessible(page)
        page.get_by_label("Tilstand").select_option("failed")
        page.get_by_role("button", name="Vis").click()
        page.wait_for_url("**/admin/notifikationer?tilstand=failed")
        body = page.locator("tbody").inner_text()
        assert "Fejlet" in body and "Mailbox unavailable" in body and "Venter" not in body
        assert_accessible(page)
        page.get_by_role("button", name=f"Send notifikation {failed[0]} igen").click()
        page.wait_for_url("**/admin/notifikationer?besked=igen")
        again = {r["id"]: r for r in notification_state(db, "630")}[failed[0]]
        assert again["state"] == "pending" and again["attempts"] == 0
    finally:
        page.context.close()


def test_the_phone_width_page_of_people_passes_axe(site: Site, browser: Browser) -> None:
    page = site.page(browser, "u-admin", viewport={"width": 375, "height": 800})
    try:
        page.goto("/admin/personer")
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width} px wide on a 375 px phone"
    finally:
        page.context.close()


def test_a_new_person_logs_in_and_a_disabled_one_no_longer_does(site: Site) -> None:
    with site.client("u-admin") as c:
        r = _post(site, c, "/admin/personer", {"username": "ole.olsen", "name": "Ole Olsen", "rolle": "direktoer",
                                                "login": "adgangskode", "password": "ole har en lang kode"})
        assert r.status_code == 303 and r.headers["location"] == "/admin/personer/ole.olsen?besked=tilfoejet"
    with httpx.Client(base_url=site.url) as ole:
        assert ole.post("/login", data={"username": "ole.olsen", "password": "ole har en lang kode"},
                        headers={"Origin": site.url}).status_code == 303
        assert ole.get("/").headers["location"] == "/opgaver"
        with site.client("u-admin") as c:
            r = _post(site, c, "/admin/personer/ole.olsen/spaerring", {"spaerret": "ja"})
            assert r.status_code == 303
            assert "Spærret" in c.get("/admin/personer").text
        assert ole.get("/").headers["location"] == "/login"  # the open session stopped at once
        with site.client("u-admin") as c:
            assert _post(site, c, "/admin/personer/ole.olsen/spaerring", {"spaerret": "nej"}).status_code == 303
            assert _post(site, c, "/admin/personer/ole.olsen/adgangskode",
                         {"password": "en helt ny adgangskode"}).status_code == 303
        assert ole.post("/login", data={"username": "ole.olsen", "password": "en helt ny adgangskode"},
                        headers={"Origin": site.url}).status_code == 303


def test_a_person_for_single_sign_on_only_gets_no_password(site: Site, db: Database) -> None:
    with site.client("u-admin") as c:
        r = _post(site, c, "/admin/personer", {"username": "sso.person", "email": "sso@vejle.example",
                                                "rolle": "udvalg", "login": "sso"})
    assert r.status_code == 303
    assert accounts.get_user(db, "sso.person").email == "sso@vejle.example"
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, "sso.person", "")


def test_an_administrator_cannot_disable_themselves_or_drop_their_own_admin_flag(site: Site, db: Database) -> None:
    with site.client("u-admin") as c:
        r = _post(site, c, "/admin/personer/u-admin/spaerring", {"spaerret": "ja"})
        assert r.status_code == 409 and "Du kan ikke spærre dig selv" in r.text
        r = _post(site, c, "/admin/personer/u-admin/administrator", {"administrator": "nej"})
        assert r.status_code == 409 and "Du kan ikke fjerne din egen administratorrolle" in r.text
    me = accounts.get_user(db, "u-admin")
    assert me.admin and not me.disabled


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("data,field,message", [
    ({"username": "kort.kode", "rolle": "center", "password": "kort"}, "password",
     "Adgangskoden skal have mindst 10 tegn."),
    ({"username": "ukendt.rolle", "rolle": "borgmester", "password": "lang nok adgangskode"}, "roller",
     "Ukendt rolle: borgmester."),
    ({"username": "ingen.rolle", "password": "lang nok adgangskode"}, "roller", "Vælg mindst én rolle."),
    ({"username": "u-center", "rolle": "center", "password": "lang nok adgangskode"}, "username",
     "Brugernavnet u-center er optaget."),
    ({"username": "Store Bogstaver", "rolle": "center", "password": "lang nok adgangskode"}, "username",
     "Brugernavnet skal have 2–64 tegn"),
    ({"username": "forkert.mail", "email": "ikke-en-adresse", "rolle": "center", "password": "lang nok adgangskode"},
     "email", "E-mailadressen er ikke gyldig"),
])
def test_bad_input_gives_the_form_again_with_a_located_danish_error_and_stores_nothing(
        site: Site, db: Database, data: dict[str, str], field: str, message: str) -> None:
    before = accounts.list_users(db)
    with site.client("u-admin") as c:
        r = _post(site, c, "/admin/personer", {"login": "adgangskode", **data})
    assert r.status_code == 422
    located = re.search(f'id="{field}-fejl">([^<]*)<', r.text)
    assert located and message in located.group(1), r.text
    assert f'href="#{field}"' in r.text  # the summary links to the field
    assert "lang nok adgangskode" not in r.text  # a password is never sent back
    assert accounts.list_users(db) == before


def test_changing_to_an_unknown_role_or_a_short_password_changes_nothing(site: Site, db: Database) -> None:
    before = accounts.get_user(db, "u-center")
    with site.client("u-admin") as c:
        r = _post(site, c, "/admin/personer/u-center/roller", {"rolle": ["center", "borgmester"]})
        assert r.status_code == 422 and "Ukendt rolle: borgmester." in r.text
        r = _post(site, c, "/admin/personer/u-center/adgangskode", {"password": "kort"})
        assert r.status_code == 422 and 'id="password-fejl">Adgangskoden skal have mindst 10 tegn.' in r.text
    assert accounts.get_user(db, "u-center") == before
    assert accounts.authenticate(db, "u-center", PASSWORD).username == "u-center"


def test_a_key_needs_a_name_and_a_known_scope(site: Site, db: Database) -> None:
    before = api_keys.list_keys(db)
    with site.client("u-admin") as c:
        r = _post(site, c, "/admin/noegler", {"name": "", "scope": "admin"})
    assert r.status_code == 422
    assert 'id="name-fejl">Skriv, hvad nøglen bruges til' in r.text
    assert 'id="scopes-fejl">Ukendt adgang.' in r.text
    assert api_keys.list_keys(db) == before


# ---------------------------------------------------------------------------- refusals


def test_a_person_who_is_not_an_administrator_is_refused_every_admin_page_and_post(site: Site, db: Database) -> None:
    key, _ = api_keys.create_key(db, "630", "bi", ["status:read"], created_by="test")
    ident = notification_state(db, "630")[0]["id"]
    users_before, keys_before = accounts.list_users(db), api_keys.list_keys(db)
    outbox_before = notification_state(db, "630")
    routes = _routes()
    assert len(routes) >= 12
    with site.client("u-chef") as c:
        token = _csrf(c)
        assert "/admin" not in c.get("/ingen-side").text  # no menu item either
        for method, path in routes:
            url = _concrete(path, key.id, ident)
            if method == "GET":
                r = c.get(url)
            else:
                r = c.post(url, data={"csrf": token, "username": "x.y", "rolle": "chef", "password": "x" * 20,
                                      "spaerret": "ja", "administrator": "ja", "name": "n", "scope": "status:read"},
                           headers={"Origin": site.url})
            assert r.status_code == 403, (method, url, r.status_code)
            assert "Ingen adgang" in r.text
    assert accounts.list_users(db) == users_before and api_keys.list_keys(db) == keys_before
    assert notification_state(db, "630") == outbox_before


def test_horsens_administrator_neither_sees_nor_changes_vejle(site: Site, db: Database) -> None:
    key, token = api_keys.create_key(db, "630", "sagssystem", ["status:read"], created_by="test")
    ident = notification_state(db, "630")[0]["id"]
    center = accounts.get_user(db, "u-center")
    with site.client("u-horsens") as c:
        listing = c.get("/admin/personer")
        assert listing.status_code == 200 and "u-horsens" in listing.text and "u-center" not in listing.text
        assert key.id not in c.get("/admin/noegler").text
        assert "630:" not in c.get("/admin/notifikationer").text
        assert c.get("/admin/personer/u-center").status_code == 404
        assert c.get("/admin/personer/ingen.saadan").status_code == 404  # alike: nothing told
        for path, data in [("/admin/personer/u-center/roller", {"rolle": "udvalg"}),
                           ("/admin/personer/u-center/spaerring", {"spaerret": "ja"}),
                           ("/admin/personer/u-center/administrator", {"administrator": "ja"}),
                           ("/admin/personer/u-center/adgangskode", {"password": "overtaget konto 123"}),
                           (f"/admin/noegler/{key.id}/tilbagekald", {})]:
            r = _post(site, c, path, data)
            assert r.status_code == 404, path
        assert _post(site, c, f"/admin/notifikationer/{ident}/igen", {}).status_code == 403
    assert accounts.get_user(db, "u-center") == center
    assert accounts.authenticate(db, "u-center", PASSWORD).username == "u-center"
    assert api_keys.principal_of_key(db, token) is not None  # not revoked


def test_a_refusal_is_a_page_in_the_persons_language(site: Site) -> None:
    with site.client("u-horsens") as c:
        danish = c.get("/admin/personer/u-center")
        english = c.get("/admin/personer/u-center", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert danish.status_code == english.status_code == 404
    assert "<h1>Siden findes ikke</h1>" in danish.text and "<h1>The page does not exist</h1>" in english.text


def test_the_last_error_of_a_notification_is_recorded_in_danish_for_every_reader(site: Site, db: Database) -> None:
    """The outbox keeps the SMTP server's refusal as a recorded text: Danish, on an English page too."""
    assert _fail_notifications(db)
    errors = {n["error"] for n in notification_state(db, "630", state="failed")}
    assert errors == {"SMTP-serveren svarede 550 5.7.1 Mailbox unavailable"}
    with site.client("u-admin") as c:
        english = c.get("/admin/notifikationer", headers={"Accept-Language": "en"}).text
    assert "SMTP-serveren svarede 550 5.7.1 Mailbox unavailable" in english


def test_a_forged_post_changes_nothing(site: Site, db: Database) -> None:
    users_before, keys_before = accounts.list_users(db), api_keys.list_keys(db)
    new_person = {"username": "falsk.person", "rolle": "center", "login": "adgangskode",
                  "password": "lang nok adgangskode"}
    with site.client("u-admin") as c:
        token = _csrf(c)
        attempts = [({**new_person}, {"Origin": site.url}),  # no token
                    ({**new_person, "csrf": "gæt"}, {"Origin": site.url}),  # a wrong token
                    ({**new_person, "csrf": token}, {"Origin": "https://angriber.example"}),  # another site
                    ({**new_person, "csrf": token}, {"Referer": "https://angriber.example/side"})]
        for data, headers in attempts:
            r = c.post("/admin/personer", data=data, headers=headers)
            assert r.status_code == 403, (data.get("csrf"), headers)
        for path, data in [("/admin/personer/u-center/spaerring", {"spaerret": "ja"}),
                           ("/admin/noegler", {"name": "falsk", "scope": "status:read"})]:
            assert c.post(path, data={**data, "csrf": token},
                          headers={"Origin": "https://angriber.example"}).status_code == 403
            assert c.post(path, data=data, headers={"Origin": site.url}).status_code == 403
    assert accounts.list_users(db) == users_before and api_keys.list_keys(db) == keys_before


def test_a_stranger_is_sent_to_the_login_form(site: Site) -> None:
    with site.client() as c:
        r = c.get("/admin/noegler")
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin/noegler"
        r = c.post("/admin/noegler", data={"name": "x", "scope": "status:read"})
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
