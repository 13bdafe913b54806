"""Loading survey results, and every way a survey file can be wrong."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from english_words import untranslated
from govcore_surveys.source import load_surveys, survey_kpis

from govcore import InputError, SourceContext, municipality, use_language

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

AREAS = {"modtagelse": {"title": "Modtagelse", "owner": "center-job"},
         "virksomhedsservice": {"title": "Virksomhedsservice"}}


def ctx(base: Path, text: str, **settings: Any) -> SourceContext:
    (base / "surveys.csv").write_text(text, encoding="utf-8")
    merged = {"file": "surveys.csv", "owner": "arbejdsmarkedsudvalget", "areas": AREAS, **settings}
    return SourceContext(municipality=municipality("630"), base_dir=base, settings=merged)


FILE = """\
respondent;area;question;year;score;n;published
borgere;modtagelse;Blev du taget godt imod?;2020;80;400;
borgere;modtagelse;Fik du svar på dine spørgsmål?;2020;70;300;
borgere;Modtagelse;Blev du taget godt imod?;2021;78,5;380;2021-11-15
borgere;modtagelse;Fik du svar på dine spørgsmål?;2021;72,5 %;320;2021-11-15
Virksomheder;virksomhedsservice;;2021;88;1.250;15.11.2021
"""


def test_results_per_respondent_and_area(tmp_path: Path) -> None:
    context = ctx(tmp_path, FILE)
    obs = load_surveys(context)
    got = {(o.kpi, o.period): (o.value, o.known_at) for o in obs}
    # the n-weighted mean of the questions; n is the largest n of a question
    # (80 * 400 + 70 * 300) / 700
    assert got[("survey:borgere:modtagelse", "2020")] == (75.71, dt.date(2021, 1, 1))
    assert got[("survey:borgere:modtagelse:n", "2020")] == (400.0, dt.date(2021, 1, 1))
    assert got[("survey:borgere:modtagelse", "2021")] == (75.76, dt.date(2021, 11, 15))
    assert got[("survey:virksomheder:virksomhedsservice", "2021")] == (88.0, dt.date(2021, 11, 15))
    assert got[("survey:virksomheder:virksomhedsservice:n", "2021")][0] == 1250.0
    assert {o.source for o in obs} == {"surveys:surveys.csv"}
    kpis = {k.id: k for k in survey_kpis(context)}
    assert list(kpis) == ["survey:borgere:modtagelse", "survey:borgere:modtagelse:n",
                          "survey:virksomheder:virksomhedsservice",
                          "survey:virksomheder:virksomhedsservice:n"]
    score = kpis["survey:borgere:modtagelse"]
    assert score.unit == "%" and score.higher_is_better
    assert all(re.match(r"^[a-z0-9][a-z0-9_.:-]*$", k) for k in kpis)
    assert {o.kpi for o in obs} <= set(kpis)


def test_a_corrected_result_is_a_new_observation(tmp_path: Path) -> None:
    obs = load_surveys(ctx(tmp_path, "respondent,area,year,score,n,published\n"
                                     "borgere,modtagelse,2021,70,200,2021-11-15\n"
                                     "borgere,modtagelse,2021,72,210,2021-12-01\n"))
    assert [(o.value, o.known_at) for o in obs if o.kpi == "survey:borgere:modtagelse"] == [
        (70.0, dt.date(2021, 11, 15)), (72.0, dt.date(2021, 12, 1))]


def test_areas_need_not_be_configured(tmp_path: Path) -> None:
    obs = load_surveys(ctx(tmp_path, "Respondent;Område;År;Andel tilfredse;Antal svar\n"
                                     "borger;Jobsamtaler;2021;81;120\n", areas={}))
    assert {o.kpi for o in obs} == {"survey:borgere:jobsamtaler", "survey:borgere:jobsamtaler:n"}
    with pytest.raises(InputError, match="'Første samtale' is not an area id"):
        load_surveys(ctx(tmp_path, "respondent;area;year;score;n\nborgere;Første samtale;2021;81;120\n",
                         areas={}))


def test_every_problem_of_a_file_is_reported_with_row_and_column(tmp_path: Path) -> None:
    text = ("respondent;area;question;year;score;n;published\n"
            "borgerne;modtagelse;q;2021;80;100;\n"  # 2: respondent
            "borgere;modtagelsen;q;2021;80;100;\n"  # 3: area
            "borgere;modtagelse;q;21;80;100;\n"  # 4: year
            "borgere;modtagelse;q;2021;180;100;\n"  # 5: score above 100
            "borgere;modtagelse;q;2021;høj;100;\n"  # 6: score text
            "borgere;modtagelse;q;2021;80;0;\n"  # 7: n 0
            "borgere;modtagelse;q;2021;80;12,5;\n"  # 8: n not whole
            "borgere;modtagelse;q;2021;80;100;32-11-2021\n"  # 9: date
            "borgere;modtagelse;q;2021;80;100;2020-12-01\n"  # 10: published before the year
            "borgere;modtagelse;q;2022;80;100;\n"
            "borgere;modtagelse;Q;2022;81;100;\n")  # 12: repeated question
    context = ctx(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_surveys(context)
    found = {(p.line, p.column, p.field): p for p in err.value.problems}
    assert set(found) == {(2, 1, "respondent"), (3, 2, "area"), (4, 4, "year"), (5, 5, "score"),
                          (6, 5, "score"), (7, 6, "n"), (8, 6, "n"), (9, 7, "published"),
                          (10, 7, "published"), (12, 3, "question")}
    path = str(tmp_path / "surveys.csv")
    assert all(p.file == path and p.hint for p in err.value.problems)
    assert "did you mean 'borgere'?" in found[(2, 1, "respondent")].hint
    assert "did you mean 'modtagelse'?" in found[(3, 2, "area")].hint
    assert "above 100" in found[(5, 5, "score")].message
    assert "from line 11" in found[(12, 3, "question")].message
    assert f"{path}:7:6: n: the number of responses must be at least 1" in err.value.format()


def test_an_administrator_reads_the_errors_of_a_survey_file_in_danish(tmp_path: Path, danish: None) -> None:
    """Danish by default (the module's other tests pin the English ids); English on request."""
    text = ("respondent;area;question;year;score;n;published\n"
            "borgerne;modtagelse;q;2021;180;0;2020-12-01\n")
    with pytest.raises(InputError) as err:
        load_surveys(ctx(tmp_path, text))
    message = err.value.format()
    assert "respondent: ukendt respondentgruppe 'borgerne'" in message and "mente du 'borgere'?" in message
    assert "andelen 180 er over 100 %" in message and "antallet af svar skal være mindst 1" in message
    assert untranslated(message) == []
    with use_language("en"), pytest.raises(InputError) as english:
        load_surveys(ctx(tmp_path, text))
    assert "respondent: unknown respondent group 'borgerne'" in english.value.format()


def test_header_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_surveys(ctx(tmp_path, "respondent;area;year;scor;antal\nborgere;modtagelse;2021;80;100\n"))
    found = {p.field: p for p in err.value.problems}
    assert set(found) == {"scor", "score"}
    assert (found["scor"].line, found["scor"].column) == (1, 4)
    assert "did you mean 'score'?" in found["scor"].hint
    assert found["score"].message == "missing column 'score'"


@pytest.mark.parametrize(("settings", "field"), [
    ({"threshold": 170}, "sources.surveys.threshold"),
    ({"owner": None}, "sources.surveys.owner"),
    ({"areas": {"Modtagelse": {}}}, "sources.surveys.areas"),
    ({"areas": {"modtagelse": {"titel": "x"}}}, "sources.surveys.areas.modtagelse.titel"),
    ({"z": 2}, "sources.surveys.z"),
])
def test_bad_settings(tmp_path: Path, settings: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as err:
        survey_kpis(ctx(tmp_path, FILE, **settings))
    assert [p.field for p in err.value.problems] == [field], err.value.format()
