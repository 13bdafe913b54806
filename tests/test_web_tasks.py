"""The pages where people answer the live run, against a real server process: "Mine opgaver"
(/opgaver) and "Godkendelser" (/godkendelser) — with httpx for content, permissions and every
error path, and in Chromium for the journeys (an owner submits, the superior accepts, the owner
sees it; the keyboard alone; a forged post from a page on another origin), each page checked with
axe-core.

Two servers of their own (module scope): `site` on 3 March 2021, where six corrective actions are
demanded at once so that each test that changes something has its own action and the tests do
not depend on their order; and `later`, on 25 March 2021, a run walked through answers and an
escalation beforehand, for what earlier answers look like (read only).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import sqlalchemy as sa
from live_server import stored_config
from web_support import Site, add_people, assert_accessible, serve

from govcore.access.live import LiveRuns
from govcore.access.principal import Principal
from govcore.config import load_config
from govcore.server.app import stored_loader
from govcore.store.db import open_database
from govcore.store.run import tick
from govcore.store.tables import ActionRow, DeliverableRow, ResponseRow, table

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ACTION, DELIVERABLE, RESPONSE = table(ActionRow), table(DeliverableRow), table(ResponseRow)


def _goal(ident: str, title: str, owner: str, *, kpi: str = "jobrate", target: str = "at_least",
          value: int = 50) -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        - id: {ident}
          title: {json.dumps(title, ensure_ascii=False)}
          level: administrative
          owner: {owner}
          kpi: {kpi}
          target: {{kind: {target}, value: {value}}}
          followup: monthly
        """), "  ")


def _goals(*goals: str) -> str:
    return "goals:\n" + "".join(goals) + "deliverables:\n  - {id: plan, title: Beskæftigelsesplan, owner: chef}\n"


# Every goal below is off track at the follow-up of 1 March 2021 (jobrate for January is 47), so
# each demands a corrective action then, in this order: act-0001 … act-0006.
SITE_GOALS = _goals(
    _goal("g-job", "Mindst 50 % i job", "center"),  # act-0001: the journey (submit, accept)
    _goal("g-tast", "Flere unge i praktik", "center"),  # act-0002: submitted with the keyboard
    _goal("g-fejl", "Unge <script>alert(1)</script> i job", "center"),  # act-0003: error paths, never answered
    _goal("g-afvis", "Flere virksomhedsbesøg", "center"),  # act-0004: submitted, then rejected
    _goal("g-falsk", "Færre på ydelse", "center"),  # act-0005: forged posts (nothing may change it)
    _goal("g-faelles", "Fælles indsats for ledige", "[chef, center]"),  # act-0006: held jointly
    _goal("g-ledige", "Højst 1000 ledige", "chef", kpi="ledige", target="at_most", value=1000),  # on track
)
HORSENS_GOALS = _goals(_goal("g-horsens", "Horsens-målet for job", "center"))  # its own act-0001


def prepare(tmp: Path) -> str:
    """Vejle (630) and Horsens (615) ticked to 1 March 2021, with the people of web_support."""
    db_url = str(tmp / "govcore.db")
    for code, goals in (("630", SITE_GOALS), ("615", HORSENS_GOALS)):
        tick(load_config(stored_config(tmp / code, code, goals=goals)), db_url, now=dt.date(2021, 3, 1))
    add_people(db_url)
    return db_url


def prepare_later(tmp: Path) -> str:
    """Vejle with two actions demanded on 1 March: act-0002 is submitted, rejected with a comment,
    submitted again and accepted (each answer by a person, through the same operations the pages
    use); act-0001 is not answered and is escalated to the chef at its deadline."""
    db_url = str(tmp / "govcore.db")
    folder = stored_config(tmp / "630", "630", goals=_goals(_goal("g-job", "Mindst 50 % i job", "center"),
                                                            _goal("g-svar", "Flere i fleksjob", "center")))
    tick(load_config(folder), db_url, now=dt.date(2021, 3, 1))
    add_people(db_url)
    db = open_database(db_url)
    now = [dt.datetime(2021, 3, 1, 12, tzinfo=dt.UTC)]
    live = LiveRuns(db, stored_loader(db), lambda: now[0])
    center = Principal("user", "u-center", "630", frozenset({"center"}))
    chef = Principal("user", "u-chef", "630", frozenset({"chef"}))
    steps: list[tuple[int, Callable[[], Any]]] = [
        (5, lambda: live.submit(center, "630", "act-0002", "Første udkast")),
        (8, lambda: live.reject(chef, "630", "act-0002", "Mangler tal for effekten")),
        (9, lambda: live.submit(center, "630", "act-0002", "Nu med tal: 40 flere i fleksjob")),
        (10, lambda: live.accept(chef, "630", "act-0002", "Fint, tak")),
        (16, lambda: tick(live.config(live.run("630")), db, now=now[0])),  # as the scheduler would
    ]
    try:
        for day, step in steps:
            now[0] = dt.datetime(2021, 3, day, 11, tzinfo=dt.UTC)
            step()
    finally:
        db.close()
    return db_url


@contextmanager
def _serve(tmp: Path, db_url: str, clock: str) -> Iterator[Site]:
    with serve(tmp, db_url, clock=clock) as server:
        yield Site(server, db_url, {})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("tasks")
    with _serve(tmp, prepare(tmp), "2021-03-03T10:00:00+01:00") as s:
        yield s


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("tasks-later")
    with _serve(tmp, prepare_later(tmp), "2021-03-25T10:00:00+01:00") as s:
        yield s


def stored(site: Site, action_id: str, municipality: str = "630") -> dict[str, Any]:
    """The action as the database holds it (to see that a refused post changed nothing)."""
    db = open_database(site.db_url)
    try:
        row = db.read(lambda conn: conn.execute(sa.select(ACTION).where(
            ACTION.c.municipality == municipality, ACTION.c.id == action_id)).mappings().one())
        responses = db.read(lambda conn: conn.execute(sa.select(sa.func.count()).select_from(RESPONSE).where(
            RESPONSE.c.municipality == municipality)).scalar_one())
    finally:
        db.close()
    return {**dict(row), "responses_in_run": responses}


def article(html: str, action_id: str, prefix: str = "titel") -> str:
    """The card of one action on a page."""
    found = re.search(rf'<article[^>]*aria-labelledby="{prefix}-{action_id}">(.*?)</article>', html, re.S)
    assert found, f"no card for {action_id}"
    return found.group(1)


# ------------------------------------------------------------------------------- Mine opgaver


def test_mine_opgaver_lists_the_actions_demanded_of_the_persons_roles_with_days_left(site: Site) -> None:
    with site.client("u-center") as c:
        page = c.get("/opgaver")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Mine opgaver</h1>" in html and "Centerleder" in html
    card = article(html, "act-0003")  # never answered by any test
    assert "Afventer handling" in card and "15.03.2021" in card and "12 dage tilbage" in card
    assert 'name="text"' in card and 'action="/opgaver/act-0003/indsend"' in card
    assert re.search(r'<label for="felt-act-0003">', card)
    assert '<a href="/maal/g-fejl">Unge &lt;script&gt;alert(1)&lt;/script&gt; i job</a>' in card  # the goal, by title
    # the held-jointly action (lead owner chef) is the centre's too, and says with whom
    joint = article(html, "act-0006")
    assert "Fælles ansvar med" in joint and "Arbejdsmarkedschef" in joint
    # a title is text, never markup
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the chef's own deliverable is not the centre's
    assert "Beskæftigelsesplan" not in html.split('id="leverancer"')[1].split("</section>")[0]


def test_the_chef_sees_the_joint_action_and_the_deliverable_but_not_the_centres_own(site: Site) -> None:
    with site.client("u-chef") as c:
        html = c.get("/opgaver").text
    assert 'aria-labelledby="titel-act-0006"' in html
    assert 'aria-labelledby="titel-act-0003"' not in html
    deliverables = html.split('id="leverancer"')[1].split("</section>")[0]
    assert "Beskæftigelsesplan" in deliverables and "30.09.2021" in deliverables


def test_submitting_empty_text_shows_the_page_again_with_a_located_error_and_stores_nothing(site: Site) -> None:
    before = stored(site, "act-0003")
    with site.client("u-center") as c:
        for text in ("", "   \n  "):
            r = site.post_form(c, "/opgaver", "/opgaver/act-0003/indsend", {"text": text})
            assert r.status_code == 422
            assert 'role="alert"' in r.text and 'href="#felt-act-0003"' in r.text
            card = article(r.text, "act-0003")
            assert 'aria-invalid="true"' in card and 'aria-describedby="fejl-act-0003"' in card
            assert "Skriv, hvad der er gjort" in card
            assert 'aria-invalid' not in article(r.text, "act-0005")  # only the field that was wrong
        too_long = site.post_form(c, "/opgaver", "/opgaver/act-0003/indsend", {"text": "x" * 5001})
        assert too_long.status_code == 422 and "Teksten er for lang" in too_long.text
        assert "x" * 5001 in too_long.text  # what was written is kept
    assert stored(site, "act-0003") == before


def test_a_submitted_action_waits_for_approval_and_cannot_be_submitted_twice(site: Site) -> None:
    """The reject path: the centre submits act-0004, the chef rejects it with a comment, the
    centre sees the comment and who gave it, and the action is open for a new answer."""
    with site.client("u-center") as owner, site.client("u-chef") as chef:
        r = site.post_form(owner, "/opgaver", "/opgaver/act-0004/indsend", {"text": "Vi ringer til 40 virksomheder"})
        assert r.status_code == 303 and r.headers["location"] == "/opgaver?ok=indsendt&id=act-0004"
        shown = owner.get(r.headers["location"]).text
        assert "Handlingen act-0004 er indsendt" in shown
        waiting = shown.split('id="afventer"')[1].split("</section>")[0]
        assert "act-0004" in waiting and "Indsendt – afventer godkendelse" in waiting
        again = owner.post("/opgaver/act-0004/indsend", data={"csrf": Site.csrf(shown), "text": "igen"},
                           headers={"Origin": site.url})
        assert again.status_code == 409 and "allerede besvaret" in again.text  # a double post does nothing
        assert "den korrigerende handling act-0004 har status indsendt: den kan ikke indsendes nu" in again.text

        no_comment = site.post_form(chef, "/godkendelser", "/godkendelser/act-0004", {"decision": "reject",
                                                                                     "comment": "  "})
        assert no_comment.status_code == 422 and "hvorfor handlingen afvises" in no_comment.text
        assert 'aria-invalid="true"' in article(no_comment.text, "act-0004")
        assert stored(site, "act-0004")["state"] == "submitted"
        rejected = site.post_form(chef, "/godkendelser", "/godkendelser/act-0004",
                                  {"decision": "reject", "comment": "Hvor mange er ringet op indtil nu?"})
        assert rejected.status_code == 303 and rejected.headers["location"] == "/godkendelser?ok=afvist&id=act-0004"
        assert "Handlingen act-0004 er afvist" in chef.get(rejected.headers["location"]).text

        back = owner.get("/opgaver").text
    card = article(back, "act-0004")
    assert "Afvist" in card and "Hvor mange er ringet op indtil nu?" in card and "Carl Chef (u-chef)" in card
    assert 'action="/opgaver/act-0004/indsend"' in card  # to be submitted again
    trail = article(back, "act-0004", "hist")
    assert trail.index("Indsendt") < trail.index("Afvist") and "Vi ringer til 40 virksomheder" in trail
    assert "Cecilie Center (u-center)" in trail


def test_delivering_a_deliverable_is_for_its_owner_and_only_once(site: Site) -> None:
    with site.client("u-center") as c:
        refused = site.post_form(c, "/opgaver", "/opgaver/leverancer/plan/aflever", {})
        assert refused.status_code == 403
    with site.client("u-chef") as c:
        page = c.get("/opgaver").text
        assert 'action="/opgaver/leverancer/plan/aflever"' in page
        done = c.post("/opgaver/leverancer/plan/aflever", data={"csrf": Site.csrf(page)}, headers={"Origin": site.url})
        assert done.status_code == 303 and done.headers["location"] == "/opgaver?ok=afleveret&id=plan"
        after = c.get(done.headers["location"]).text
        assert "Leverancen plan er meldt afleveret" in after and "Afleveret 03.03.2021" in after
        assert 'action="/opgaver/leverancer/plan/aflever"' not in after
        twice = c.post("/opgaver/leverancer/plan/aflever", data={"csrf": Site.csrf(after)},
                       headers={"Origin": site.url})
        assert twice.status_code == 409 and "allerede besvaret" in twice.text
        assert "leverancen plan er allerede leveret (03.03.2021)" in twice.text  # why, with the day as people read it
    db = open_database(site.db_url)
    try:
        rows = db.read(lambda conn: conn.execute(sa.select(DELIVERABLE.c.delivered_at).where(
            DELIVERABLE.c.municipality == "630", DELIVERABLE.c.id == "plan")).scalars().all())
    finally:
        db.close()
    assert len(rows) == 1 and rows[0] is not None and rows[0].startswith("2021-03-03")


@pytest.mark.parametrize("flash", ["<script>x</script>", "indsendt&id=<b>x</b>", "ukendt"])
def test_the_confirmation_shows_only_known_words(site: Site, flash: str) -> None:
    with site.client("u-center") as c:
        html = c.get(f"/opgaver?ok={flash}").text
    assert "<script>x</script>" not in html and "<b>x</b>" not in html
    if flash.startswith("indsendt"):
        assert "Handlingen er indsendt" in html  # the id did not look like an id: left out
    else:
        assert 'id="bekraeftelse"' not in html


# ------------------------------------------------------------------------------ Godkendelser


def test_godkendelser_shows_only_what_the_person_may_decide(site: Site) -> None:
    with site.client("u-center") as owner:
        site.post_form(owner, "/opgaver", "/opgaver/act-0006/indsend", {"text": "Fælles plan for unge ledige"})
    with site.client("u-chef") as chef, site.client("u-direktoer") as director, \
            site.client("u-center") as owner:
        chef_page, director_page, owner_page = (x.get("/godkendelser").text for x in (chef, director, owner))
        # act-0006 is the chef's own (jointly held): the director decides it, never the chef
        assert 'titel-act-0006' not in chef_page and 'titel-act-0006' in director_page
        assert "Fælles plan for unge ledige" in director_page
        assert "<h1>Godkendelser</h1>" in owner_page and "titel-act-" not in owner_page
        forbidden = owner.post("/godkendelser/act-0006", data={"csrf": Site.csrf(owner_page), "decision": "accept"},
                               headers={"Origin": site.url})
        chef_own = chef.post("/godkendelser/act-0006", data={"csrf": Site.csrf(chef_page), "decision": "accept"},
                             headers={"Origin": site.url})
    assert forbidden.status_code == 403 and chef_own.status_code == 403
    assert stored(site, "act-0006")["state"] == "submitted"


def test_deciding_needs_a_known_decision_and_a_submitted_action(site: Site) -> None:
    before = stored(site, "act-0003")
    with site.client("u-chef") as chef:
        page = chef.get("/godkendelser").text
        token = Site.csrf(page)

        def post(action: str, **data: str) -> httpx.Response:
            return chef.post(f"/godkendelser/{action}", data={"csrf": token, **data}, headers={"Origin": site.url})

        not_submitted = post("act-0003", decision="accept")
        assert not_submitted.status_code == 409 and "allerede besvaret" in not_submitted.text
        assert "har status krævet: kun en indsendt handling kan godkendes" in not_submitted.text
        unknown = post("act-0003", decision="slet")
        assert unknown.status_code == 422 and "Vælg Godkend eller Afvis" in unknown.text
    assert stored(site, "act-0003") == before


# ------------------------------------------------------------------- forged posts, other towns


def test_a_forged_post_is_refused_and_changes_nothing(site: Site) -> None:
    before = stored(site, "act-0005")
    with site.client("u-center") as c:
        token = Site.csrf(c.get("/opgaver").text)
        attempts = [
            ({"csrf": token, "text": "x"}, {"Origin": "http://angriber.example"}),  # the right token, another site
            ({"csrf": token, "text": "x"}, {"Origin": "null"}),
            ({"csrf": token, "text": "x"}, {"Referer": "http://angriber.example/side"}),
            ({"csrf": "gæt", "text": "x"}, {"Origin": site.url}),  # this site, a wrong token
            ({"text": "x"}, {"Origin": site.url}),  # no token
        ]
        for data, headers in attempts:
            r = c.post("/opgaver/act-0005/indsend", data=data, headers=headers)
            assert r.status_code == 403 and "Ingen adgang" in r.text, (data, headers)
        for path, data in (("/godkendelser/act-0005", {"decision": "accept"}),
                           ("/opgaver/leverancer/plan/aflever", {})):
            r = c.post(path, data={"csrf": token, **data}, headers={"Origin": "http://angriber.example"})
            assert r.status_code == 403
    with site.client() as stranger:  # no session: to the login form, nothing done
        r = stranger.post("/opgaver/act-0005/indsend", data={"text": "x"}, headers={"Origin": site.url})
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert stored(site, "act-0005") == before


def test_another_municipality_can_neither_see_nor_answer_vejles_actions(site: Site) -> None:
    with site.client("u-horsens") as c:
        tasks, approvals = c.get("/opgaver"), c.get("/godkendelser")
        assert tasks.status_code == approvals.status_code == 200
        for html in (tasks.text, approvals.text):
            for title in ("Mindst 50 % i job", "Flere unge i praktik", "Fælles indsats for ledige",
                          "Højst 1000 ledige"):
                assert title not in html
        token = Site.csrf(tasks.text)
        answers: dict[str, set[tuple[int, str]]] = {}
        for path, data in (("/opgaver/{}/indsend", {"text": "x"}), ("/godkendelser/{}", {"decision": "accept"})):
            for ident in ("act-0003", "act-0006", "act-9999"):  # Vejle's (Horsens has only act-0001), and none
                r = c.post(path.format(ident), data={"csrf": token, **data}, headers={"Origin": site.url})
                answers.setdefault(path, set()).add((r.status_code, r.text))
    # the same answer, 403, whether the id exists in Vejle or nowhere
    for path, seen in answers.items():
        assert len(seen) == 1 and next(iter(seen))[0] == 403, path
    with site.client("u-horsens") as c:  # Horsens' own act-0001 is its centre's, not the committee's to submit
        own = site.post_form(c, "/opgaver", "/opgaver/act-0001/indsend", {"text": "x"})
    assert own.status_code == 403
    assert stored(site, "act-0001", "615")["state"] == "demanded"


def test_the_pages_need_a_login(site: Site) -> None:
    with site.client() as c:
        for path in ("/opgaver", "/godkendelser"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"


# ------------------------------------------------------------------- earlier answers (read only)


def test_earlier_answers_show_the_comment_who_gave_it_and_no_lateness_once_accepted(later: Site) -> None:
    with later.client("u-center") as c:
        html = c.get("/opgaver").text
    trail = article(html, "act-0002", "hist")
    assert "Godkendt" in trail and "Fint, tak" in trail and "Mangler tal for effekten" in trail
    assert "Carl Chef (u-chef)" in trail and "Cecilie Center (u-center)" in trail
    assert [k for k in ("Indsendt", "Afvist", "Indsendt", "Godkendt") if k in trail]
    assert re.findall(r'trail-kind \w+">(\w+)<', trail) == ["Indsendt", "Afvist", "Indsendt", "Godkendt"]
    # accepted on 10 March, due 15 March, seen on 25 March: answered, so never late
    assert "over fristen" not in trail and "Status nu: <strong>Godkendt</strong>" in trail
    # act-0001 went up to the chef: listed as escalated, not as the centre's to submit
    gone = html.split('id="eskaleret"')[1].split("</section>")[0]
    assert "act-0001" in gone and "Arbejdsmarkedschef" in gone
    assert 'aria-labelledby="titel-act-0001"' not in html


def test_an_escalated_action_is_the_superiors_and_shows_how_late_it_is(later: Site) -> None:
    with later.client("u-chef") as c:
        html = c.get("/opgaver").text
    card = article(html, "act-0001")
    assert "Eskaleret" in card and "Fra Centerleder (niveau 1)" in card
    due = re.search(r"(\d\d\.\d\d\.2021)<br>", card)
    assert due is not None
    late = (dt.date(2021, 3, 25) - dt.datetime.strptime(due.group(1), "%d.%m.%Y").date()).days
    assert late > 0 and f"{late} dage over fristen" in card and "⚠" in card


def test_a_municipality_without_a_live_run_gets_a_page_that_says_so(later: Site) -> None:
    with later.client("u-horsens") as c:  # only Vejle runs on this server
        for path, heading in (("/opgaver", "Mine opgaver"), ("/godkendelser", "Godkendelser")):
            r = c.get(path)
            assert r.status_code == 200 and f"<h1>{heading}</h1>" in r.text
            assert "ingen løbende styring" in r.text and "act-000" not in r.text


def test_days_left_words() -> None:
    from govcore.web.pages.tasks import days_left

    day = dt.date(2021, 3, 10)
    assert days_left("demanded", "2021-03-15", day) == ("5 dage tilbage", False)
    assert days_left("rejected", "2021-03-11", day) == ("1 dag tilbage", False)
    assert days_left("escalated", "2021-03-10", day) == ("Fristen er i dag", False)
    assert days_left("demanded", "2021-03-09", day) == ("1 dag over fristen", True)
    assert days_left("escalated", "2021-02-28", day) == ("10 dage over fristen", True)
    for answered in ("submitted", "accepted", "closed"):
        assert days_left(answered, "2021-02-28", day) == ("", False)


# ------------------------------------------------------------------------- Chromium journeys


def test_journey_the_owner_submits_the_superior_accepts_and_the_owner_sees_it(site: Site, browser: Browser) -> None:
    owner = site.page(browser, "u-center")
    chef = site.page(browser, "u-chef")
    try:
        owner.goto("/opgaver")
        assert_accessible(owner)
        card = owner.locator("article", has=owner.locator("#titel-act-0001"))
        assert "Afventer handling" in card.inner_text()
        card.get_by_label(re.compile("Hvad er gjort")).fill("Ekstra jobkonsulent på de unge fra 1. april")
        card.get_by_role("button", name="Indsend handling act-0001").click()
        owner.wait_for_url("**/opgaver?ok=indsendt&id=act-0001")
        assert "Handlingen act-0001 er indsendt" in owner.get_by_role("status").inner_text()
        assert_accessible(owner)

        chef.goto("/godkendelser")
        assert_accessible(chef)
        decision = chef.locator("article", has=chef.locator("#titel-act-0001"))
        assert "Ekstra jobkonsulent på de unge fra 1. april" in decision.inner_text()
        decision.get_by_label(re.compile("Kommentar til act-0001")).fill("God plan")
        decision.get_by_role("button", name="Godkend act-0001").click()
        chef.wait_for_url("**/godkendelser?ok=godkendt&id=act-0001")
        assert "Handlingen act-0001 er godkendt" in chef.get_by_role("status").inner_text()
        assert chef.locator("#titel-act-0001").count() == 0
        assert_accessible(chef)

        owner.goto("/opgaver")
        history = owner.locator("article", has=owner.locator("#hist-act-0001")).inner_text()
        assert "Status nu: Godkendt" in history and "God plan" in history and "Carl Chef (u-chef)" in history
        assert "over fristen" not in history
        assert owner.locator("#titel-act-0001").count() == 0  # no longer to submit
        assert_accessible(owner)
    finally:
        owner.context.close()
        chef.context.close()
    assert stored(site, "act-0001")["state"] == "accepted"


def test_journey_the_owner_submits_with_the_keyboard_only(site: Site, browser: Browser) -> None:
    page = site.page(browser, "u-center")
    try:
        page.goto("/opgaver")
        for _ in range(200):  # Tab through the page to the action's text field
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "felt-act-0002":
                break
        else:
            pytest.fail("the text field of act-0002 cannot be reached with Tab")
        page.keyboard.type("Praktikaftaler med 12 virksomheder")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "indsend-act-0002"
        page.keyboard.press("Enter")
        page.wait_for_url("**/opgaver?ok=indsendt&id=act-0002")
        assert "Handlingen act-0002 er indsendt" in page.get_by_role("status").inner_text()
        assert_accessible(page)
    finally:
        page.context.close()
    row = stored(site, "act-0002")
    assert row["state"] == "submitted" and row["text"] == "Praktikaftaler med 12 virksomheder"


def test_journey_a_form_posted_from_a_page_on_another_origin_is_refused(site: Site, browser: Browser) -> None:
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse, PlainTextResponse
    from oidc_provider import serve

    evil = FastAPI()
    target = f"{site.url}/opgaver/act-0005/indsend"

    @evil.get("/")
    def lure() -> HTMLResponse:
        return HTMLResponse(f"""<!DOCTYPE html><html lang="da"><body>
            <form id="f" method="post" action="{target}">
              <input name="csrf" value="gættet"><input name="text" value="Forfalsket">
            </form><script src="/go.js"></script></body></html>""")

    @evil.get("/go.js")
    def go() -> PlainTextResponse:
        return PlainTextResponse("document.getElementById('f').submit();", media_type="text/javascript")

    before = stored(site, "act-0005")
    page = site.page(browser, "u-center")  # logged in: the browser sends the session cookie along
    try:
        with serve(evil) as other_origin:
            assert other_origin != site.url
            with page.expect_response(target) as answer:
                page.goto(other_origin)
            assert answer.value.status == 403
            page.wait_for_url(target)
            assert page.get_by_role("heading", level=1).inner_text() == "Ingen adgang"
    finally:
        page.context.close()
    assert stored(site, "act-0005") == before


def test_journey_earlier_answers_pass_axe(later: Site, browser: Browser) -> None:
    for who in ("u-center", "u-chef"):
        page = later.page(browser, who)
        try:
            for path in ("/opgaver", "/godkendelser"):
                page.goto(path)
                assert_accessible(page)
            page.set_viewport_size({"width": 375, "height": 800})
            page.goto("/opgaver")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 375, f"the page is {wide} px wide on a 375-px phone"
        finally:
            page.context.close()
