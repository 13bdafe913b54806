"""The year report and the e-mails in the reader's language: Danish by default, with no English left
in them, and English when the reader asks for it (govcore.i18n.language())."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from english_words import untranslated

from govcore.charts import MONTH_SHORT
from govcore.config import load_config
from govcore.i18n import use_language
from govcore.labels import MONTHS
from govcore.notify.text import KINDS, render
from govcore.report import STATUS_LABELS, render_report
from govcore.simulate import SimulationResult, simulate

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"


@pytest.fixture(scope="module")
def vejle() -> SimulationResult:
    """The Vejle example over four years, as `govcore simulate examples/vejle --from 2020-01-01
    --to 2023-12-31` runs it."""
    return simulate(load_config(VEJLE), start=dt.date(2020, 1, 1), until=dt.date(2023, 12, 31))


def _html_text(html: str) -> str:
    """What a reader of the HTML report reads: no stylesheet, no tags; `<code>` holds identifiers
    (event types) a person may look up, as backticks do in Markdown."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"<code>[^<]*</code>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_danish_report_has_no_english_left(vejle: SimulationResult) -> None:
    md = render_report(vejle, "md")
    html = render_report(vejle, "html")
    assert "## Mål og status" in md and "## Afvigelser" in md and "## Bilag: hændelser pr. type" in md
    assert '<html lang="da">' in html and "<h2>Mål og status</h2>" in html
    assert untranslated(md) == []
    assert untranslated(_html_text(html)) == []


def test_every_event_type_of_the_report_has_danish_words(vejle: SimulationResult) -> None:
    """An event type is shown by its label; the raw identifier only in its own code column."""
    md = render_report(vejle, "md")
    assert "| `year_started` | Nyt år |" in md
    assert "| `configuration_changed` | Konfiguration ændret |" in md
    assert "× year\\_started" not in md and "× konfiguration ændret" in md


def test_the_report_is_english_when_the_reader_is(vejle: SimulationResult) -> None:
    with use_language("en"):
        md = render_report(vejle, "md")
        html = render_report(vejle, "html")
    for heading in ("# Report for the period 2020–2023 – Vejle", "## Overview at the end of the period",
                    "### National goals", "## Goals and status", "## Deviations", "## Escalations",
                    "## Deliverables", "## Annual wheel (årshjul)", "## Appendix: events by type"):
        assert heading in md, heading
    assert "| Municipality | Vejle (630) |" in md
    assert "| On track |" in md and "| `year_started` | New year |" in md
    assert '<html lang="en">' in html and "<h2>Goals and status</h2>" in html
    assert "<summary>Figures behind the chart</summary>" in html
    for danish in ("Mål og status", "Afvigelser", "Årsrapport", "På sporet", "Tal bag grafen", "Ringe indefra og ud"):
        assert danish not in md and danish not in html, danish


def test_the_language_is_chosen_per_rendering(vejle: SimulationResult) -> None:
    """The templates and label tables are built once: English for one reader never sticks to the next."""
    danish = render_report(vejle, "md")
    with use_language("en"):
        english = render_report(vejle, "md")
    assert english != danish
    assert render_report(vejle, "md") == danish


def test_shared_label_tables_follow_the_reader() -> None:
    assert (STATUS_LABELS["on_track"], MONTHS[0], MONTH_SHORT[9]) == ("På sporet", "januar", "okt")
    with use_language("en"):
        assert (STATUS_LABELS["on_track"], MONTHS[0], MONTH_SHORT[9]) == ("On track", "january", "oct")
        assert list(STATUS_LABELS.values())[-1] == "No data"


PAYLOAD = {"action_title": "Plan for flere i job", "title": "Andel i job", "role_title": "Jobcenterchef",
           "reason": "Andelen faldt", "due": "2021-05-03", "level": 2, "former_titles": "Teamleder",
           "owners_titles": "Arbejdsmarkedschef", "superior_title": "Direktør", "text": "For uklar",
           "days_before": 3, "message": "Se tallene", "municipality_name": "Vejle", "person": "Anna Hansen",
           "day": "2021-05-01", "items": [{"subject": "Afvigelse: Andel i job", "due": "2021-05-03",
                                           "link": "https://govcore.example/a/1"}, {"subject": "Husk tallene"}]}


def _mail(kind: str, **changes: object) -> tuple[str, str]:
    payload = {**PAYLOAD, **changes}
    row = {"payload": json.dumps(payload), "kind": kind, "municipality": "630", "subject_kind": "action",
           "subject": "a-1"}
    return render(row, "https://govcore.example")


@pytest.mark.parametrize("kind", KINDS)
def test_every_danish_email_has_no_english_left(kind: str) -> None:
    subject, body = _mail(kind)
    assert untranslated(subject + "\n" + body) == []
    assert "Denne besked er sendt automatisk af govcore for Vejle Kommune" in body
    if kind == "digest":
        assert subject == "Daglig oversigt fra govcore: 2 beskeder (01.05.2021)"
        assert _mail(kind, items=PAYLOAD["items"][:1])[0] == "Daglig oversigt fra govcore: 1 besked (01.05.2021)"
    else:
        assert body.startswith("Til Jobcenterchef\n")
        assert "Åbn i govcore: https://govcore.example/municipalities/630/actions/a-1" in body


ENGLISH_SUBJECTS = {
    "action_demanded": "Corrective action demanded: Plan for flere i job",
    "reminder": "Reminder: deadline 03.05.2021 for Andel i job",
    "rejected": "Action rejected: Andel i job",
    "overdue": "Deadline missed: Andel i job",
    "escalated": "Escalated: Andel i job",
    "deviation": "Deviation: Andel i job",
    "notify": "Andel i job",
    "digest": "Daily overview from govcore: 2 messages (01.05.2021)",
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_email_is_english_when_the_sender_is(kind: str, english: None) -> None:
    subject, body = _mail(kind)
    assert subject == ENGLISH_SUBJECTS[kind]
    assert "This message was sent automatically by govcore for Vejle Municipality" in body
    assert not re.search(r"\b(Til|Frist|Denne besked|Påmindelse|beskeder)\b", body)
    if kind != "digest":
        assert body.startswith("To Jobcenterchef\n")
        assert "Open in govcore: https://govcore.example/municipalities/630/actions/a-1" in body


def test_the_danish_emails_read_as_before() -> None:
    """The Danish wording of the e-mails is the one they had before they went through the catalog."""
    assert _mail("rejected")[1].startswith(
        'Til Jobcenterchef\n\nDen indsendte korrigerende handling "Andel i job" er afvist med begrundelsen: '
        "For uklar\nIndsend en ny handling senest 03.05.2021.\n")
    assert ('Påmindelse: den korrigerende handling "Andel i job" skal indsendes senest 03.05.2021 '
            "(3 arbejdsdage fra i dag).") in _mail("reminder")[1]
    assert "Der er registreret en afvigelse, og der kræves en korrigerende handling." in \
        _mail("action_demanded", title="")[1]
    assert _mail("notify", title="")[0] == "Besked"


def test_joint_role_titles_are_joined_in_the_readers_words() -> None:
    """The outbox keeps the titles of joint owners as a list; the mail joins them when it is written,
    so an English reader gets "and". Rows stored before kept them joined in Danish: read as they are."""
    titles = {"owners_titles": ["Teamleder", "Jobcenterchef"], "former_titles": ["Teamleder"]}
    assert "fra Teamleder til Teamleder og Jobcenterchef" in _mail("escalated", **titles)[1]
    with use_language("en"):
        assert "from Teamleder to Teamleder and Jobcenterchef" in _mail("escalated", **titles)[1]
        assert "to Teamleder og Jobcenterchef" in _mail("escalated", owners_titles="Teamleder og Jobcenterchef")[1]


def test_no_two_catalogs_give_a_message_different_danish() -> None:
    """At run time the domains are one catalog, searched in file order: a message id that two
    domains translate differently would take the first catalog's words wherever it is read."""
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parent.parent / "govcore" / "locale" / "da" / "LC_MESSAGES"

    def singular(po: Path) -> dict[str, str]:
        with po.open("rb") as handle:
            return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id and m.string}

    catalogs = {po.stem: singular(po) for po in sorted(folder.glob("*.po"))}
    assert {"report", "messages", "cli", "web", "store"} <= set(catalogs)
    clashes = [(a, b, ident, text, catalogs[b][ident]) for a in catalogs for b in catalogs if a < b
               for ident, text in catalogs[a].items() if ident in catalogs[b] and catalogs[b][ident] != text]
    assert clashes == []
