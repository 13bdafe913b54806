"""Where a wheel date comes from: the documents, the law, or the configuration's own choice.

Vejle's årshjul names quarters ("1. kvartal: Årsregnskab, Budgetkontrol, Ministermål til
beskæftigelsesplan udmeldes") and a few days ("30.09 Beskæftigelsesplan", "Budgetkontrol pr.
30.4"); the follow-up table names frequencies. A day govcore picks is marked as picked, a statutory
date carries its law, and what the minister does is no deadline for a municipal role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from govcore.config import load_config
from govcore.engine import Engine
from govcore.errors import ConfigError
from govcore.i18n import _
from govcore.wheel import CHOSEN_NOTE, CHOSEN_RESPONSIBLE_NOTE, Wheel, render_ics, render_text

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

WHEEL = """
milestones:
  - id: aarsregnskab
    title: Årsregnskab
    date: Q1
    responsible: chef
    responsible_basis: chosen
  - id: budgetkontrol-30-04
    title: Budgetkontrol pr. 30.4
    date: "30.04"
    type: as_of
    responsible: chef
  - id: budgetvedtagelse
    title: Budgetvedtagelse
    date: "15.10"
    date_basis: law
    source: "Lov om kommunernes styrelse; budget- og regnskabsbekendtgørelsen: senest 15. oktober"
    responsible: udvalg
  - id: ministermaal-udmeldes
    title: Ministermål til beskæftigelsesplanen udmeldes
    date: Q1
    type: as_of
    by_others: Beskæftigelsesministeren
    participants: [chef]
followups:
  - id: maanedsmoede
    title: Opfølgningsmøde
    every: monthly
    on: first_working_day
    responsible: chef
    source: "Hver måned – Opfølgningsmøde – Centerledere"
"""


def test_each_event_says_where_its_day_comes_from() -> None:
    events = {e.definition: e for e in Wheel.parse(WHEEL).events(2021)}
    assert events["aarsregnskab"].date_basis == "chosen"          # the document gives the quarter
    assert events["budgetkontrol-30-04"].date_basis == "document"  # the document gives 30.4
    assert (events["budgetvedtagelse"].date_basis, events["budgetvedtagelse"].date) == ("law", dt.date(2021, 10, 15))
    assert events["maanedsmoede"].date_basis == "chosen"           # the table gives "hver måned"
    assert events["ministermaal-udmeldes"].by_others == "Beskæftigelsesministeren"
    assert events["ministermaal-udmeldes"].responsible is None


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_the_text_and_calendar_say_it_too() -> None:
    wheel = Wheel.parse(WHEEL)
    text = render_text(wheel.events(2021), 2021, wheel.calendar)
    assert "Årsregnskab*" in text and "Budgetkontrol pr. 30.4*" not in text
    assert _(CHOSEN_NOTE) in text and _(CHOSEN_NOTE).startswith("* dagen er valgt")
    assert "fastsat ved lov: Lov om kommunernes styrelse; budget-" in text
    assert "gøres af Beskæftigelsesministeren; ingen frist for kommunen" in text
    ics = render_ics(wheel.events(2021), "Vejle").replace("\r\n ", "")
    assert "Gøres af Beskæftigelsesministeren" in ics and "Dagen er valgt i konfigurationen" in ics


def test_a_statutory_date_needs_its_law() -> None:
    text = "\n".join(line for line in WHEEL.splitlines() if "source: \"Lov om" not in line)
    with pytest.raises(ConfigError, match="a date set by law needs the law as its source") as info:
        Wheel.parse(text, "wheel.yaml")
    assert (info.value.problems[0].file, info.value.problems[0].line) == ("wheel.yaml", 13)  # the milestone


def test_what_others_do_is_no_municipal_deadline() -> None:
    with pytest.raises(ConfigError, match="not a municipal role"):
        Wheel.parse(WHEEL.replace("    by_others: Beskæftigelsesministeren\n",
                                  "    by_others: Beskæftigelsesministeren\n    responsible: chef\n"))
    with pytest.raises(ConfigError, match="no deadline for the municipality"):
        Wheel.parse(WHEEL.replace("    type: as_of\n    by_others", "    type: due\n    by_others"))


def test_the_engine_logs_the_basis(make_config: Callable[..., Path]) -> None:
    folder = make_config(wheel=WHEEL.replace("udvalg", "direktoer"))
    with Engine(load_config(folder)) as engine:
        engine.run_year()
        wheel = {e.details["wheel"]: e for e in engine.events if e.type in ("milestone", "followup")}
    assert wheel["budgetvedtagelse"].details["date_basis"] == "law"
    assert wheel["budgetvedtagelse"].details["source"].startswith("Lov om kommunernes styrelse")
    assert wheel["ministermaal-udmeldes"].details["by_others"] == "Beskæftigelsesministeren"
    assert wheel["ministermaal-udmeldes"].owner is None
    assert "date_basis" not in wheel["budgetkontrol-30-04"].details


@pytest.mark.usefixtures("danish")  # pins the Danish listing
def test_a_responsible_the_documents_do_not_give_is_marked_per_item(make_config: Callable[..., Path]) -> None:
    # Vejle's årshjul names no responsible for its items ("1. kvartal: Årsregnskab, Budgetkontrol");
    # the follow-up table does ("Hver måned – Opfølgningsmøde – Centerledere").
    wheel = Wheel.parse(WHEEL)
    events = {e.definition: e for e in wheel.events(2021)}
    assert events["aarsregnskab"].responsible_basis == "chosen"
    assert events["maanedsmoede"].responsible_basis == "document"
    text = render_text(wheel.events(2021), 2021, wheel.calendar)
    assert "ansvarlig: chef (valgt)" in text and _(CHOSEN_RESPONSIBLE_NOTE).startswith("(valgt) den ansvarlige")
    assert _(CHOSEN_RESPONSIBLE_NOTE) in text
    assert text.count("(valgt)") == 2  # Årsregnskab's line and the note
    ics = render_ics(wheel.events(2021), "Vejle").replace("\r\n ", "")
    assert "Ansvarlig: chef (valgt i konfigurationen\\; dokumenterne nævner ingen ansvarlig)" in ics
    with Engine(load_config(make_config(wheel=WHEEL.replace("udvalg", "direktoer")))) as engine:
        engine.run_year()
        logged = {e.details["wheel"]: e for e in engine.events if e.type in ("milestone", "followup")}
    assert logged["aarsregnskab"].details["responsible_basis"] == "chosen"
    assert "responsible_basis" not in logged["maanedsmoede"].details


def test_vejle_marks_every_responsible_the_aarshjul_does_not_give() -> None:
    root = Path(__file__).resolve().parents[1]
    wheel = Wheel.load(root / "examples" / "vejle" / "wheel.yaml")
    for m in wheel.milestones:
        if m.responsible:  # the årshjul gives no responsible for any of its items
            assert m.responsible_basis == "chosen", m.id
    table = {f.id: f.responsible_basis for f in wheel.followups}
    assert table["opfoelgningsmoede"] == "document" and table["kvartalsopfoelgning"] == "chosen"
