"""The pages of what the live run knows — /afvigelser, /budget, /undersoegelser, /beslutningslog,
/observationer — against a real server process: Vejle's example configuration (with the budget
and surveys plugins and a corrected figure) ticked to 1 December 2021, Horsens (615) with the
small test configuration (no budget, no surveys). Content with httpx, every page in Chromium with
the axe-core check, another municipality's pages refused, a bad query parameter a Danish 422 page."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from live_server import ROOT, LiveServer, stored_config
from web_support import PASSWORD, Site, add_people, assert_accessible, serve

from govcore.access.keys import create_key
from govcore.config import load_config
from govcore.store.db import open_database
from govcore.store.run import tick

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PAGES = ("/afvigelser", "/budget", "/undersoegelser", "/beslutningslog", "/observationer")
PEOPLE = {"v-udvalg": ("630", ["arbejdsmarkedsudvalget"], False, "Ulla Udvalg"),
          "v-chef": ("630", ["arbejdsmarkedschef"], False, "Carl Chef"),
          "v-admin": ("630", ["direktoer"], True, "Anders Admin"),
          "u-horsens": ("615", ["udvalg"], True, "Hanne Horsens")}


def vejle_config(folder: Path) -> Path:
    """examples/vejle with the rule library copied in (a stored run is rebuilt from the database
    alone) and without its scripted responses: in a live run people answer."""
    shutil.copytree(ROOT / "examples" / "vejle", folder, ignore=shutil.ignore_patterns("tools", "responses.yaml"))
    shutil.copytree(ROOT / "rules", folder / "rules", ignore=shutil.ignore_patterns("tests"))
    f = folder / "municipality.yaml"
    text = f.read_text(encoding="utf-8").replace("allow_paths:\n  - ../../rules\n", "").replace("../../rules", "rules")
    f.write_text(text.replace("responses: responses.yaml\n", ""), encoding="utf-8")
    return folder


class VejleSite(Site):
    """The site, and the id of the case system's API key (its answers are logged as `key:<id>`)."""

    def __init__(self, server: LiveServer, db_url: str, folders: dict[str, Path], key_id: str) -> None:
        super().__init__(server, db_url, folders)
        self.key_id = key_id


@pytest.fixture(scope="module", name="site")
def vejle_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VejleSite]:
    tmp = tmp_path_factory.mktemp("web-data")
    db_url = str(tmp / "govcore.db")
    folders = {"630": vejle_config(tmp / "630"), "615": stored_config(tmp / "615", "615")}
    for folder in folders.values():
        tick(load_config(folder), db_url, now=dt.date(2021, 12, 1))
    add_people(db_url, PEOPLE)
    db = open_database(db_url)
    try:
        key, secret = create_key(db, "630", "sagssystem", ["actions:decide"])
    finally:
        db.close()
    with serve(tmp, db_url, clock="2021-12-02T10:00:00+01:00") as server:
        site = VejleSite(server, db_url, folders, key.id)
        answered(site, secret)
        yield site


def answered(site: Site, key_secret: str) -> None:
    """What people and systems do through the API before the pages are read: the committee submits
    the escalated act-0002 and the case system (an API key) accepts it — responses that name who
    gave them — and the administrator corrects a figure."""
    token = site.server.login("v-udvalg", PASSWORD)
    with site.server.client(token) as c:
        r = c.post("/api/v1/municipalities/630/actions/act-0002/submit",
                   json={"text": "Udvalget har vedtaget en <handleplan> for kontanthjælp"})
        assert r.status_code == 200, r.text
    with site.server.client(key_secret) as c:
        r = c.post("/api/v1/municipalities/630/actions/act-0002/accept", json={"text": "Godkendt i sagssystemet"})
        assert r.status_code == 200, r.text
    token = site.server.login("v-admin", PASSWORD)
    with site.server.client(token) as c:
        r = c.post("/api/v1/municipalities/630/observations", json={"observations": [
            {"kpi": "aarspersoner-sygedagpenge", "period": "2021-10", "value": 1399.0}]})
        assert r.status_code == 200, r.text


def cells(html: str) -> str:
    """The page's text without tags (and with single spaces), to assert on what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_deviations_show_goal_period_owner_action_and_escalations_by_role_title(site: Site) -> None:
    with site.client("v-chef") as c:
        page = c.get("/afvigelser")
        opened = c.get("/afvigelser", params={"vis": "aabne"})
        closed = c.get("/afvigelser", params={"vis": "lukkede"})
    assert page.status_code == 200, page.text
    text = cells(page.text)
    # dev-0003: a goal off track in 2021-Q1, flagged 03.05.2021, owned by a centre, its action escalated
    assert "dev-0003" in text and "2021-Q1" in text and "03.05.2021" in text
    assert "Center for Job &amp; Erhverv (centerleder)" in text
    assert "Andel i job 3 mdr. efter endt ordinær uddannelse" in text
    # the budget deviation that closed, with its closing date and its action's state
    assert "Lukket 30.09.2021" in text and "Handleplan for Sygedagpenge (act-0001)" in text
    assert "Godkendt" in text  # act-0002 after the committee's answer and the key's acceptance
    # escalations name roles by title, with when and why
    assert "Økonomi- og Arbejdsmarkedsdirektør" in text and "center-sundhed-fastholdelse" not in text
    assert "Manglende korrigerende handling eskaleres til nærmeste leder" in text and "18.05.2021" in text
    assert "dev-0001" not in cells(opened.text) and "dev-0002" in cells(opened.text)
    assert "dev-0001" in cells(closed.text) and "dev-0002" not in cells(closed.text)


def test_budget_shows_each_area_with_a_chart_and_its_figures_as_a_table(site: Site) -> None:
    with site.client("v-udvalg") as c:
        page = c.get("/budget")
    assert page.status_code == 200, page.text
    html = page.text
    text = cells(html)
    areas = {"sygedagpenge": "Sygedagpenge", "kontanthjaelp": "Kontanthjælp", "a-dagpenge": "A-dagpenge",
             "uddannelseshjaelp": "Uddannelseshjælp", "ledighedsydelse": "Ledighedsydelse",
             "ressourceforloeb": "Ressourceforløb"}
    for area, title in areas.items():
        assert f'<figure class="chart" id="budget-{area}">' in html and f'<a href="#budget-{area}">{title}</a>' in html
    # Kontanthjælp's forecast 466 mio. against a budget of 450 mio. (3,6 %): over budget, beyond the tolerance
    row = re.search(r'<a href="#budget-kontanthjaelp">.*?</tr>', html, re.S)
    assert row and "450.000.000" in row.group(0) and "466.000.000" in row.group(0)
    assert "16.000.000 (3,6 %)" in row.group(0) and "Over budget<" in row.group(0)
    # the figures the run knows on 2 December (November's, known 5 December, are not yet)
    assert "2021-10" in text and "2021-11" not in text
    assert "Sygedagpenge: forbrug og forventet forbrug mod budget 2021" in html
    assert html.count("<svg") == 7  # one overview and one chart per area
    assert html.count("Tal bag grafen") == 7 and 'role="img"' in html
    assert "Forbrug + disponeret" in text and "Forventet forbrug for året" in text
    assert "Inden for budget" in text


def test_surveys_compare_the_baseline_with_the_latest_result_and_say_if_it_is_significant(site: Site) -> None:
    with site.client("v-udvalg") as c:
        page = c.get("/undersoegelser")
    assert page.status_code == 200, page.text
    text = cells(page.text)
    # værdig sagsbehandling (borgere): 78,0 % in 2019 (420 svar) to 70,5 % in 2021 (450 svar)
    row = re.search(r"Værdig sagsbehandling \(borgere\).*?</tr>", page.text, re.S)
    assert row, text
    r = cells(row.group(0))
    assert "78,0 %" in r and "70,5 %" in r and "-7,5 point" in r.replace("−", "-") and "Signifikant fald" in r
    assert "z = -2,5" in r.replace("−", "-")
    assert "Løft indsatsen" in r
    assert "Ikke signifikant" in text  # another area whose change is noise


def test_decision_log_explains_why_and_names_who_answered(site: VejleSite) -> None:
    with site.client("v-chef") as c:
        first = c.get("/beslutningslog")
        demanded = c.get("/beslutningslog", params={"slags": "action_demanded"})
        submitted = c.get("/beslutningslog", params={"slags": "action_submitted"})
        accepted = c.get("/beslutningslog", params={"slags": "action_accepted"})
        nxt = re.search(r'efter=(\d+)" rel="next"', first.text)
        assert nxt
        second = c.get("/beslutningslog", params={"efter": nxt.group(1)})
    assert first.status_code == 200 and first.text.count('<tr id="h') == 50
    assert 'id="h1"' in first.text and 'id="h51"' not in first.text
    assert 'id="h51"' in second.text and 'id="h50"' not in second.text
    d = cells(demanded.text)
    assert demanded.text.count('<tr id="h') == 7
    assert "Regel «Budgetkontrol pr. 30.4 – forventet forbrug over budget»" in d
    assert "Forventet forbrug 322.400.000 kr. overstiger budgettet 310.000.000 kr. med 4,0 %" in d
    assert "krævet af Center for Sundhed &amp; Fastholdelse (centerleder), frist 17.05.2021" in d
    s = cells(submitted.text)
    assert "user:v-udvalg" in s and "&lt;handleplan&gt;" in s and "<handleplan>" not in submitted.text
    a = cells(accepted.text)
    assert f"key:{site.key_id}" in a and "Handling act-0002 «Handleplan for Kontanthjælp» godkendt" in a
    assert "En leder over den ansvarlige har godkendt handlingen." in a


def test_observations_show_a_correction_with_old_and_new_value_when_and_from_whom(site: Site) -> None:
    with site.client("v-chef") as c:
        page = c.get("/observationer", params={"kpi": "cv-inden-24-timer", "periode": "2021"})
        ours = c.get("/observationer", params={"kpi": "aarspersoner-sygedagpenge", "periode": "2021-10"})
        only = c.get("/observationer", params={"rettede": "ja"})
    assert page.status_code == 200, page.text
    text = cells(page.text)
    assert "Før: 92,8 (kendt 10.06.2021, Virksomhedsservice)" in text
    assert "Nu: 92,1 (kendt 24.06.2021, Virksomhedsservice (rettelse)" in text
    assert "2020-12" not in text  # the period filter
    o = cells(ours.text)
    assert "Nu: 1.399 (kendt 02.12.2021, api:user:v-admin)" in o and "api:user:v-admin" in o and "Før:" in o
    assert "Rettet" in cells(only.text) and only.text.count("<tr>") - 1 == 2


def test_a_municipality_without_budget_or_surveys_gets_a_danish_sentence_not_an_empty_table(site: Site) -> None:
    with site.client("u-horsens") as c:
        budget = c.get("/budget")
        surveys = c.get("/undersoegelser")
    assert budget.status_code == 200 and "har ingen budgettal" in budget.text and "<table" not in budget.text
    assert surveys.status_code == 200 and "ingen brugertilfredshedsundersøgelser" in surveys.text
    assert "<table" not in surveys.text


@pytest.mark.parametrize("path", PAGES)
def test_another_municipality_s_pages_are_refused(site: Site, path: str) -> None:
    with site.client("u-horsens") as c:
        theirs = c.get(path, params={"kommune": "630"})
        nobody = c.get(path, params={"kommune": "999"})
        own = c.get(path, params={"kommune": "615"})
    assert theirs.status_code == 403 and "Ingen adgang" in theirs.text and "Vejle" not in theirs.text
    assert nobody.status_code == 403 and cells(nobody.text) == cells(theirs.text)
    assert own.status_code == 200


@pytest.mark.parametrize("path,params,says", [
    ("/afvigelser", {"vis": "halvåbne"}, "er ikke en mulig værdi for vis"),
    ("/beslutningslog", {"efter": "-1"}, "skal være et hændelsesnummer"),
    ("/beslutningslog", {"slags": "eksplosion"}, "er ikke en mulig værdi for slags"),
    ("/observationer", {"kpi": "cv-inden-24-time"}, "Mente du 'cv-inden-24-timer'?"),
    ("/observationer", {"periode": "sidste år"}, "Perioden 'sidste år' kendes ikke"),
    ("/budget", {"kommune": "vejle"}, "er ikke tre cifre"),
])
def test_a_bad_query_parameter_gives_a_danish_422_page(site: Site, path: str, params: dict[str, str],
                                                       says: str) -> None:
    with site.client("v-chef") as c:
        r = c.get(path, params=params)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert says in html.unescape(r.text) and "Noget i formularen skal rettes" in r.text
    assert "Traceback" not in r.text


def test_the_pages_need_a_login(site: Site) -> None:
    with httpx.Client(base_url=site.url) as c:
        for path in PAGES:
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"


def test_in_chromium_every_page_passes_axe_and_the_filters_work_without_script(site: Site, browser: Browser) -> None:
    page = site.page(browser, "v-chef", java_script_enabled=True)
    try:
        for path in PAGES:
            page.goto(path)
            assert page.locator("h1").count() == 1
            assert_accessible(page)
        page.goto("/afvigelser")
        page.get_by_label("Vis afvigelser").select_option("lukkede")
        page.get_by_role("button", name="Vis").click()
        page.wait_for_url("**/afvigelser?vis=lukkede")
        assert page.get_by_role("heading", name=re.compile("Afvigelser \\(1")).is_visible()
        page.goto("/observationer")
        page.get_by_label("Kun rettede tal").check()
        page.get_by_label("Periode").fill("2021")
        page.get_by_role("button", name="Vis").click()
        page.wait_for_url(re.compile(r".*rettede=ja.*"))
        assert page.get_by_text("Rettet", exact=True).count() == 2
        assert_accessible(page)
    finally:
        page.context.close()


def test_on_a_phone_the_pages_do_not_scroll_sideways(site: Site, browser: Browser) -> None:
    page = site.page(browser, "v-udvalg", viewport={"width": 375, "height": 800})
    try:
        for path in PAGES:
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width} px wide"
    finally:
        page.context.close()


# ------------------------------------------------------------ the views as a library, on both databases


def test_the_views_read_corrections_and_refuse_another_municipality_on_sqlite_and_postgresql(
        tmp_path: Path, db_url: str) -> None:
    """The page data (govcore.web.views) on a stored run in SQLite and PostgreSQL: a figure sent
    twice for a period is one figure with its old value; a figure known only later is not shown;
    another municipality is refused before anything is read."""
    from conftest import write_config

    from govcore.access.live import LiveRuns
    from govcore.access.permissions import Forbidden
    from govcore.access.principal import Principal
    from govcore.web.views.observations import figures, stored_rows
    from govcore.web.views.run import open_run

    later = "kpi,period,value,known_at\njobrate,2021-02,48,2021-03-10\n"
    cfg = load_config(write_config(tmp_path / "config", observations=later))
    tick(cfg, db_url, now=dt.date(2021, 3, 1))
    admin = Principal("user", "a", "630", frozenset({"udvalg"}), admin=True)
    db = open_database(db_url)
    try:
        live = LiveRuns(db, lambda m, s: cfg, clock=lambda: dt.datetime(2021, 3, 2, 9, 0, tzinfo=dt.UTC))
        live.add_observations(admin, "630", [{"kpi": "jobrate", "period": "2021-01", "value": 47}])
        live.add_observations(admin, "630", [{"kpi": "jobrate", "period": "2021-01", "value": 46.5}])
        view = open_run(live, admin, "630")
        assert view.day == dt.date(2021, 3, 2)
        found = figures(stored_rows(live, admin, "630", view.day, "jobrate"))
        assert [(f.period, f.current.value, [v.value for v in f.replaced]) for f in found] == \
            [("2021-01", 46.5, [47.0])]  # 2021-02 becomes known on 10 March
        assert found[0].current.source == "api:user:a" and found[0].current.text == "46,5"
        assert view.store().as_of(view.day).value("jobrate", "2021-01") == 46.5
        with pytest.raises(Forbidden):
            open_run(live, Principal("user", "h", "615", frozenset({"udvalg"}), admin=True), "630")
        with pytest.raises(Forbidden):
            stored_rows(live, Principal("user", "h", "615", frozenset({"udvalg"})), "630", view.day)
    finally:
        db.close()
