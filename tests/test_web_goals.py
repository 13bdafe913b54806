"""The goal pages (/maal, /maal/{id}) and the årshjul (/aarshjul) against a real server process:
the cascade and its filters, a goal's chart with its figures, deviations, actions and decision-log
entries with why, the year's wheel, bad input as Danish pages, another municipality refused; and
in Chromium, a committee member's journey with an accessibility check on every page and the
keyboard reaching every link.

The configuration is the small test configuration with a cascade of three goals (a fokusområde,
an administrative goal under it, a team goal under that) whose team goal's title holds `<script>`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from live_server import stored_config
from web_support import Site, add_people, assert_accessible, serve

from govcore.config import load_config
from govcore.store.run import tick

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCRIPT_TITLE = "<script>alert('mål')</script> Teamets mål"
GOALS = """
goals:
  - id: g-ledige
    title: Højst 1000 ledige
    level: political
    category: economy
    owner: chef
    kpi: ledige
    target: {kind: at_most, value: 1000}
    followup: monthly
  - id: g-job
    title: Mindst 50 % i job
    level: administrative
    parent: g-ledige
    owner: center
    kpi: jobrate
    target: {kind: at_least, value: 50, tolerance: 2}
    followup: monthly
  - id: g-team
    title: "<script>alert('mål')</script> Teamets mål"
    level: team
    category: service_quality
    parent: g-job
    owner: center
    kpi: jobrate
    target:
      kind: trajectory
      direction: at_least
      milestones:
        - {period: "2021-06", value: 48}
        - {period: "2021-12", value: 55}
    followup: monthly
deliverables:
  - {id: plan, title: Beskæftigelsesplan, owner: chef}
"""


@pytest.fixture(scope="module", name="site")
def goals_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """As web_support's site (Vejle 630 and Horsens 615 ticked to 1 March 2021, the same people),
    with the cascade above."""
    tmp = tmp_path_factory.mktemp("web-goals")
    db_url = str(tmp / "govcore.db")
    folders = {code: stored_config(tmp / code, code, goals=GOALS) for code in ("630", "615")}
    for folder in folders.values():
        tick(load_config(folder), db_url, now=dt.date(2021, 3, 1))
    add_people(db_url)
    with serve(tmp, db_url) as server:
        yield Site(server, db_url, folders)


def main(html: str) -> str:
    found = re.search(r"<main.*?</main>", html, re.S)
    assert found
    return found.group(0)


def goal_links(html: str) -> list[str]:
    return re.findall(r'<a href="/maal/([^"?]+)"', main(html))


# ------------------------------------------------------------------------------- the cascade


def test_the_cascade_nests_the_goals_with_status_words_and_counts(site: Site) -> None:
    with site.client("u-udvalg") as c:
        r = c.get("/maal")
    assert r.status_code == 200
    body = main(r.text)
    assert "<h1>Mål</h1>" in body
    # g-job sits in the list under g-ledige, g-team under g-job
    assert re.search(r'href="/maal/g-ledige".*?<ul class="cascade">.*?href="/maal/g-job".*?<ul class="cascade">'
                     r'.*?href="/maal/g-team"', body, re.S)
    assert goal_links(r.text) == ["g-ledige", "g-job", "g-team"]
    # the status as a word in the coloured badge: 950 ledige is on track, 47 % in job is off track
    assert re.search(r'href="/maal/g-ledige">.*?<span class="badge on_track">På sporet</span>', body, re.S)
    assert re.search(r'href="/maal/g-job">.*?<span class="badge off_track">Ude af kurs</span>', body, re.S)
    assert "3 af 3 mål vist." in body
    assert re.search(r'badge on_track">På sporet</span> <span class="count">1</span>', body)
    assert re.search(r'badge off_track">Ude af kurs</span> <span class="count">2</span>', body)  # g-job, g-team
    assert "Fokusområde · Økonomisk mål · Ansvarlig: Arbejdsmarkedschef" in body


@pytest.mark.parametrize("query,matching,context", [
    ("niveau=administrative", ["g-job"], ["g-ledige"]),
    ("ansvarlig=chef", ["g-ledige"], []),
    ("ansvarlig=center", ["g-job", "g-team"], ["g-ledige"]),
    ("kategori=service_quality", ["g-team"], ["g-ledige", "g-job"]),
    ("kategori=economy&niveau=team", [], []),
])
def test_filters_show_the_matching_goals_in_place_and_count_only_them(site: Site, query: str, matching: list[str],
                                                                        context: list[str]) -> None:
    with site.client("u-udvalg") as c:
        r = c.get(f"/maal?{query}")
    assert r.status_code == 200
    body = main(r.text)
    assert sorted(goal_links(r.text)) == sorted(matching + context)
    for gid in context:  # an ancestor is kept, marked, to show where a match sits
        assert re.search(rf'<li class="goal context">\s*<div class="goal-line">\s*<a href="/maal/{gid}">', body)
    for gid in matching:
        assert re.search(rf'<li class="goal">\s*<div class="goal-line">\s*<a href="/maal/{gid}">', body)
    assert f"{len(matching)} af 3 mål vist (filtreret)." in body
    for key, value in (p.split("=") for p in query.split("&")):  # the form shows the filter chosen
        assert re.search(rf'<select id="{key}" name="{key}">.*?<option value="{value}" selected>', body, re.S)
    if not matching:
        assert "Ingen mål passer til filtrene." in body


@pytest.mark.parametrize("query", ["niveau=kommune", "ansvarlig=ingen", "kategori=%3Cscript%3E"])
def test_an_unknown_filter_value_is_a_danish_422_page(site: Site, query: str) -> None:
    with site.client("u-udvalg") as c:
        r = c.get(f"/maal?{query}")
    assert r.status_code == 422
    assert "Noget i adressen skal rettes" in r.text and "Vælg et filter" in r.text
    assert "<script>" not in main(r.text) and "Traceback" not in r.text


def test_a_page_needs_a_login(site: Site) -> None:
    with site.client() as c:
        for path in ("/maal", "/maal/g-job", "/aarshjul?aar=2022"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/")


# -------------------------------------------------------------------------------- one goal


def test_a_goal_page_has_its_chart_figures_explanation_deviation_action_and_log_with_why(site: Site) -> None:
    with site.client("u-udvalg") as c:
        r = c.get("/maal/g-job")
    assert r.status_code == 200
    body = main(r.text)
    assert "<h1>Mindst 50 % i job</h1>" in body
    assert '<span class="badge off_track">Ude af kurs</span> pr. 01.03.2021' in body
    assert "<strong>Hvorfor:</strong> 47,0 % i 2021-01 er under kravet på mindst 50,0 %" in body
    assert '<a href="/maal/g-ledige">Højst 1000 ledige</a>' in body  # the goal above
    # the chart: an SVG with its title and description, and its figures as a table
    svg = re.search(r'<svg [^>]*role="img"[^>]*>\s*<title>Mindst 50 % i job</title>\s*<desc>([^<]+)</desc>', body)
    assert svg and "seneste værdi 47,0 % (2021-01)" in svg.group(1)
    assert '<th scope="col">Faktisk</th><th scope="col">Krav: mindst 50,0 %</th>' in body
    assert '<tr><th scope="row">2020-12</th><td class="num">52,0 %</td><td class="num">50,0 %</td></tr>' in body
    assert "2021-02" not in body  # known on 2 March, after the run's clock (1 March)
    # its deviation, its corrective action and the decision log with the rule and the explanation
    assert "<td>01.03.2021</td><td>Åben</td><td>Centerleder</td><td>Mindst 50 % i job: 47 mod kravet 50" in body
    assert "<td>Centerleder</td><td>15.03.2021</td><td>Afventer handling</td>" in body
    log = body[body.index("<h2>Beslutningslog</h2>"):]
    assert log.count("<tr><td>01.03.2021 09:00</td>") == 2
    assert "Afvigelse åbnet" in log and "Korrigerende handling krævet" in log
    assert "Mål ude af kurs ved den månedlige opfølgning (maal-ude-af-kurs)" in log


def test_a_trajectory_goal_charts_its_milestones(site: Site) -> None:
    with site.client("u-direktoer") as c:
        r = c.get("/maal/g-team")
    body = main(r.text)
    assert r.status_code == 200
    assert '<th scope="col">Forløb: mindst</th>' in body
    assert re.search(r'<tr><th scope="row">2021-06</th><td class="num">–</td><td class="num">48,0 %</td></tr>', body)
    assert "Teamets mål: 47 mod kravet 48 (2021-01)" in body  # under the trajectory's line in January: a deviation


def test_a_title_with_script_is_text_everywhere(site: Site) -> None:
    escaped = "&lt;script&gt;alert(&#39;mål&#39;)&lt;/script&gt; Teamets mål"
    with site.client("u-udvalg") as c:
        for path in ("/maal", "/maal/g-team", "/maal/g-job"):
            r = c.get(path)
            assert r.status_code == 200
            assert "<script" not in r.text, path
        assert escaped in c.get("/maal").text
        page = c.get("/maal/g-team").text
    assert f"<h1>{escaped}</h1>" in page
    assert "<title>&lt;script&gt;alert(&#x27;mål&#x27;)&lt;/script&gt; Teamets mål</title>" in page  # the chart's


def test_an_unknown_goal_is_a_danish_404_page(site: Site) -> None:
    with site.client("u-udvalg") as c:
        r = c.get("/maal/g-findes-ikke")
    assert r.status_code == 404 and "Siden findes ikke" in r.text and "g-findes-ikke" not in main(r.text)


@pytest.mark.parametrize("path", ["/maal/g-job?kommune=630", "/maal/g-findes-ikke?kommune=630", "/maal?kommune=630",
                                  "/aarshjul?kommune=630"])
def test_another_municipalitys_pages_are_refused_alike(site: Site, path: str) -> None:
    with site.client("u-horsens") as c:
        r = c.get(path)
        own = c.get(path.replace("630", "615"))
    assert r.status_code == 403 and "Ingen adgang" in r.text and "Mindst 50 % i job" not in r.text
    assert own.status_code == (404 if "findes-ikke" in path else 200)


# --------------------------------------------------------------------------------- årshjul


def test_the_wheel_of_this_year_marks_today_and_links_each_item_to_the_list(site: Site) -> None:
    with site.client("u-udvalg") as c:
        r = c.get("/aarshjul")
    assert r.status_code == 200
    body = main(r.text)
    assert "<h1>Årshjul 2021</h1>" in body
    assert "I dag 03.03.2021</text>" in body  # the server's clock, drawn in the circle
    marks = re.findall(r'<a href="#(hjul-\d+)"><title>([^<]+)</title>', body)
    anchors = re.findall(r'<li id="(hjul-\d+)"><strong>([0-9.]+)</strong> – ([^<]+) ', body)
    assert len(marks) == len(anchors) == 13  # twelve monthly follow-ups and the plan's deadline
    assert [m[0] for m in marks] == [a[0] for a in anchors]
    assert ("hjul-10", "30.09.2021: Beskæftigelsesplan (Milepæl (frist)) – Arbejdsmarkedschef") in marks
    assert ("hjul-10", "30.09.2021", "Beskæftigelsesplan") in anchors
    assert body.index("<h3>September</h3>") < body.index('id="hjul-10"') < body.index("<h3>Oktober</h3>")


def test_another_year_is_chosen_with_aar_and_has_no_today_mark(site: Site) -> None:
    with site.client("u-center") as c:
        r = c.get("/aarshjul?aar=2022")
    body = main(r.text)
    assert r.status_code == 200 and "<h1>Årshjul 2022</h1>" in body
    assert "I dag" not in body
    assert '<li id="hjul-1"><strong>03.01.2022</strong>' in body  # the first working day of 2022
    assert '<a href="/aarshjul?aar=2021">‹ 2021</a>' in body


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "20222", "-2022", "2022.5"])
def test_a_bad_year_is_a_danish_422_page(site: Site, year: str) -> None:
    with site.client("u-udvalg") as c:
        r = c.get("/aarshjul", params={"aar": year})
    assert r.status_code == 422
    assert "Året skal være et årstal fra 2000 til 2100" in r.text and "Traceback" not in r.text


# -------------------------------------------------------------------------------- Chromium


def every_link_by_keyboard(page: Page) -> None:
    """Tab from the top of the page round to the start again: every link was focused on the way."""
    page.goto(page.url)  # a fresh page: the keyboard starts at its top
    links = set(page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"))
    reached: set[str] = set()
    for _ in range(len(links) * 3 + 40):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement ? document.activeElement.getAttribute('href') : null")
        tag = page.evaluate("document.activeElement ? document.activeElement.tagName : ''")
        if tag in ("BODY", "") and reached:
            break
        if href:
            reached.add(href)
        if reached >= links:
            break
    assert links - reached == set(), f"links the keyboard never reached: {sorted(links - reached)}"


def test_in_chromium_a_committee_member_follows_the_goals_to_a_chart_and_the_wheel(site: Site,
                                                                                  browser: Browser) -> None:
    page = site.page(browser, "u-udvalg")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto("/maal")
        assert page.get_by_role("heading", level=1).inner_text() == "Mål"
        assert_accessible(page)
        every_link_by_keyboard(page)
        # filter by level with the form (no script on the page)
        page.get_by_label("Niveau").select_option("administrative")
        page.get_by_role("button", name="Vis mål").click()
        page.wait_for_url("**/maal?*niveau=administrative*")
        assert page.get_by_text("1 af 3 mål vist (filtreret).").is_visible()
        assert_accessible(page)
        page.get_by_role("link", name="Mindst 50 % i job").click()
        page.wait_for_url("**/maal/g-job")
        svg = page.locator("figure.chart svg").first
        assert svg.get_attribute("role") == "img"
        assert svg.locator("title").text_content() == "Mindst 50 % i job"
        assert "seneste værdi 47,0 %" in (svg.locator("desc").text_content() or "")
        page.get_by_text("Tal bag grafen").click()
        table = page.locator("figure.chart table").first
        assert table.is_visible() and "52,0 %" in table.inner_text()
        assert_accessible(page)
        every_link_by_keyboard(page)
        # the team goal's title with <script> is text: shown, never run
        page.goto("/maal/g-team")
        assert page.get_by_role("heading", level=1).inner_text() == SCRIPT_TITLE
        assert_accessible(page)
        page.get_by_role("link", name="Årshjul").click()
        page.wait_for_url("**/aarshjul")
        wheel = page.locator("figure.wheel svg")
        assert wheel.get_attribute("aria-label") == "Årshjul 2021"
        assert page.locator("figure.wheel svg a").count() == 13
        assert_accessible(page)
        every_link_by_keyboard(page)
        page.locator('figure.wheel svg a[href="#hjul-10"]').focus()  # 30.09 and 01.10 overlap for a mouse
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#hjul-10"
        assert "Beskæftigelsesplan" in page.locator("li:target").inner_text()
        assert dialogs == []
    finally:
        page.context.close()


def test_in_chromium_horsens_is_refused_vejles_goal_page(site: Site, browser: Browser) -> None:
    page = site.page(browser, "u-horsens")
    try:
        response = page.goto("/maal/g-job?kommune=630")
        assert response is not None and response.status == 403
        assert page.get_by_role("heading", level=1).inner_text() == "Ingen adgang"
        assert_accessible(page)
    finally:
        page.context.close()


def test_in_chromium_the_pages_fit_a_phone(site: Site, browser: Browser) -> None:
    """375 px wide, as a phone in a meeting: nothing is wider than the screen (tables scroll in their box)."""
    page = site.page(browser, "u-udvalg", viewport={"width": 375, "height": 800})
    try:
        for path in ("/maal", "/maal/g-job", "/maal/g-team", "/aarshjul"):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width} px wide"
    finally:
        page.context.close()
