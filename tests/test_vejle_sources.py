"""The Vejle example says what is the documents' and what is illustrative.

Every goal with a target either quotes the document it comes from (`source`) or is marked
`illustrative` (the documents give no figure); teams the styringskoncept does not name are
illustrative; the follow-up table's responsible are the 2020 table's; every årshjul item cites
the årshjul; what the minister and the city council do is no deadline for a municipal role.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govcore.config import Configuration, load_config
from govcore.report import render_report
from govcore.simulate import simulate

# How the Danish report marks a target whose figures are govcore's example, not the municipality's.
ILLUSTRATIVE = " (eksempel: tallet er ikke kommunens)"

VEJLE = Path(__file__).resolve().parent.parent / "examples" / "vejle"
YEARS = (2020, 2021, 2022, 2023)


@pytest.fixture(scope="module")
def configs() -> dict[int, Configuration]:
    base = load_config(VEJLE)
    return {y: base.for_year(y) for y in YEARS}


def test_every_target_is_the_documents_or_marked_illustrative(configs: dict[int, Configuration]) -> None:
    for year, cfg in configs.items():
        for g in cfg.goals:
            if g.target is not None:
                assert g.source or g.illustrative, f"{year} {g.id}: neither a source nor illustrative"
            if g.kind is not None and g.kind.value == "fokus" and g.level.value == "political":
                assert g.illustrative, f"{g.id}: the plan's focus areas carry no numbers"
            assert "25 % i 2020" not in g.title, "Silkeborg's wording is not Vejle's"


def test_the_resultatmaal_say_both_halves(configs: dict[int, Configuration]) -> None:
    goals = {g.id: g for g in configs[2021].goals}
    rise_top20 = goals["rm2-job-efter-uddannelse"].target
    assert rise_top20 is not None and rise_top20.kind == "all_of"
    assert "skal stige, og ambitionen er top 20 i landet" in goals["rm2-job-efter-uddannelse"].source
    until = goals["um1-resultater"].target
    assert until is not None and until.kind == "until"
    assert "kontinuerlig forbedring frem mod top 20" in goals["um1-resultater"].source
    for year in (2021, 2022, 2023):  # "andelen … på ledighedsydelse samt andelen … på jobafklaring … skal falde"
        both = {g.id: g for g in configs[year].goals}["rm4-handicap"]
        assert both.kpis() == ("andel-ledighedsydelse", "andel-jobafklaring-ressourceforloeb")
        assert "samt andelen af borgere i job og uddannelse på jobafklaring" in both.source
        assert "only the first share" not in both.source


def test_teams_are_illustrative_and_the_organisation_cites_the_document(configs: dict[int, Configuration]) -> None:
    org = configs[2021].organisation
    assert all(r.illustrative for r in org.roles if r.kind.value == "team")
    assert "Sundhedsdirektøren" in org.role("direktoer").source  # the document disagrees with itself
    assert org.role("center-unge-uddannelse").title.startswith("Center for Unge & Udvikling")
    staff = org.role("stab-digitalisering")  # the 2020 diagram's staff unit, by its own name
    assert staff.kind.value == "staff" and "Digitalisering, kvalitetssikring & Administration" in staff.source
    assert "ulæseligt" in org.role("center-sundhed-fastholdelse").source  # the OCR does not settle the name


def test_the_wheel_is_the_documents(configs: dict[int, Configuration]) -> None:
    wheel = configs[2021].wheel
    for m in wheel.milestones:
        assert m.source, f"{m.id} cites no source"
    follow = {f.id: f for f in wheel.followups}
    centres = {"center-job-erhverv", "center-unge-uddannelse", "center-support-ydelse", "center-sundhed-fastholdelse"}
    monthly = follow["opfoelgningsmoede"]
    assert {monthly.responsible, *monthly.jointly_with} == centres and "Centerledere" in monthly.source
    for fid in ("opfoelgning-oekonomi", "opfoelgning-politikere", "maalfastsaettelse"):
        assert (follow[fid].responsible, follow[fid].jointly_with) == ("direktoer", ("arbejdsmarkedschef",))
    milestones = {m.id: m for m in wheel.milestones}
    minister = milestones["ministermaal-udmeldes"]
    assert (minister.by_others, minister.responsible, minister.type) == ("Beskæftigelsesministeren", None, "as_of")
    budget = milestones["budgetvedtagelse"]
    assert (budget.date_basis, budget.date, budget.by_others) == ("law", "15.10", "Vejle Byråd")
    events = {e.definition: e for e in wheel.events(2021)}
    assert events["aarsregnskab"].date_basis == "chosen" and events["beskaeftigelsesplan-30-09"].date_basis == \
        "document"


def test_the_report_shows_which_targets_are_examples() -> None:
    md = render_report(simulate(load_config(VEJLE, year=2021)), "md")
    rows = [line for line in md.splitlines() if line.startswith("| Fokusområde")]
    assert rows and all(ILLUSTRATIVE in line for line in rows)
    stadfaest = [line for line in md.splitlines() if line.startswith("| Stadfæstelsesprocenten")]
    assert stadfaest and ILLUSTRATIVE not in stadfaest[0]
