"""Loading finance exports (CSV and .xlsx) into observations, and every way a file can be wrong."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from english_words import untranslated
from govcore_budget.source import SOURCE, budget_kpis, load_budget

from govcore import KPI, InputError, Observation, ObservationStore, SourceContext, municipality, use_language

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

AREAS: list[dict[str, Any]] = [
    {"id": "sygedagpenge", "title": "Sygedagpenge", "owner": "center-sundhed",
     "effort_group": "sygedagpenge"},
    {"id": "kontanthjaelp", "title": "Kontanthjælp", "owner": "center-job"},
    {"id": "a-dagpenge", "title": "A-dagpenge", "owner": "center-job", "profile": [1] * 6 + [2] * 6},
]


def ctx(base: Path, file: str = "budget.csv", **extra: Any) -> SourceContext:
    settings = {"file": file, "areas": AREAS, "tolerance_pct": 1.0, **extra}
    return SourceContext(municipality=municipality("630"), base_dir=base, settings=settings, year=2021)


def write(base: Path, text: str, name: str = "budget.csv") -> Path:
    path = base / name
    path.write_text(text, encoding="utf-8")
    return path


def values(observations: list[Observation], period: str) -> dict[str, float]:
    return {o.kpi: o.value for o in observations if o.period == period}


DANISH = """\
omraade;indsatsgruppe;periode;budget;forbrug;disponeret;forventet_forbrug
Sygedagpenge;sygedagpenge;2021-03;120.000.000,00;31.000.000,00;1.500.000,00;
Sygedagpenge;sygedagpenge;2021-04;120.000.000,00;41.000.000,00;1.500.000,00;123.600.000,00
Kontanthjælp;;2021-04;80.000.000;25.000.000,50;;79.000.000
I alt;;2021-04;200.000.000;66.000.000;;
"""


def test_danish_csv(tmp_path: Path) -> None:
    write(tmp_path, DANISH)
    obs = load_budget(ctx(tmp_path))
    april = values(obs, "2021-04")
    assert april["budget:sygedagpenge:budget"] == 120_000_000.0
    assert april["budget:sygedagpenge:spent"] == 41_000_000.0
    assert april["budget:sygedagpenge:committed"] == 1_500_000.0
    assert april["budget:sygedagpenge:forecast"] == 123_600_000.0
    assert april["budget:sygedagpenge:expected_spent"] == 40_000_000.0
    assert april["budget:sygedagpenge:forecast_deviation"] == 3_600_000.0
    assert april["budget:sygedagpenge:forecast_deviation_pct"] == 3.0
    assert april["budget:kontanthjaelp:spent"] == 25_000_000.5
    assert april["budget:kontanthjaelp:committed"] == 0.0
    # no forecast in March: extrapolated from spending by the (flat) profile
    assert values(obs, "2021-03")["budget:sygedagpenge:forecast"] == 124_000_000.0
    assert {o.known_at for o in obs if o.period == "2021-04"} == {dt.date(2021, 5, 1)}
    assert {o.source for o in obs} == {"budget:budget.csv"}
    assert {o.series for o in obs} == {"local"}
    kpis = {k.id for k in budget_kpis(ctx(tmp_path))}
    assert {o.kpi for o in obs} <= kpis  # every observation has a KPI; the "I alt" line is skipped


def test_kpis_per_area_and_measure(tmp_path: Path) -> None:
    kpis = budget_kpis(ctx(tmp_path))
    assert len(kpis) == 9 * len(AREAS)
    assert all(isinstance(k, KPI) and re.match(r"^[a-z0-9][a-z0-9_.:-]*$", k.id) for k in kpis)
    by_id = {k.id: k for k in kpis}
    assert by_id["budget:sygedagpenge:forecast"].unit == "kr."
    assert by_id["budget:sygedagpenge:forecast_deviation_pct"].unit == "%"
    assert by_id["budget:a-dagpenge:budget"].higher_is_better
    assert not by_id["budget:a-dagpenge:spent"].higher_is_better
    assert SOURCE.name == "budget"


def test_comma_csv_with_english_headers_and_known_dates(tmp_path: Path) -> None:
    write(tmp_path, "Area,Period,Budget,Spent,Committed,Forecast,Known\n"
                    "a-dagpenge,2021-06,90000000.00,33000000.00,0,,2021-07-05\n"
                    "A-dagpenge,2021-06,90000000.00,36000000.00,0,,2021-07-20\n")
    obs = load_budget(ctx(tmp_path))
    # the profile weighs the second half year double: 6/18 of the budget is expected after June
    spent = [(o.known_at, o.value) for o in obs if o.kpi == "budget:a-dagpenge:spent"]
    assert spent == [(dt.date(2021, 7, 5), 33_000_000.0), (dt.date(2021, 7, 20), 36_000_000.0)]
    expected = {o.value for o in obs if o.kpi == "budget:a-dagpenge:expected_spent"}
    assert expected == {30_000_000.0}
    forecasts = [o.value for o in obs if o.kpi == "budget:a-dagpenge:forecast"]
    assert forecasts == [99_000_000.0, 108_000_000.0]
    # the later row is a correction: before it is known, the first value stands
    store = ObservationStore(obs)
    assert store.as_of(dt.date(2021, 7, 10)).value("budget:a-dagpenge:spent", "2021-06") == 33_000_000.0
    assert store.as_of(dt.date(2021, 7, 20)).value("budget:a-dagpenge:spent", "2021-06") == 36_000_000.0


def test_rows_per_effort_group_are_added_up(tmp_path: Path) -> None:
    write(tmp_path, "omraade;indsatsgruppe;periode;budget;forbrug\n"
                    "Kontanthjælp;jobparate;2021-04;50.000.000;17.000.000\n"
                    "Kontanthjælp;aktivitetsparate;2021-04;30.000.000;10.000.000\n"
                    # a parent area in omraade: the effort group decides
                    "Forsørgelse;Sygedagpenge;2021-04;120.000.000;40.000.000\n")
    april = values(load_budget(ctx(tmp_path)), "2021-04")
    assert april["budget:kontanthjaelp:budget"] == 80_000_000.0
    assert april["budget:kontanthjaelp:spent"] == 27_000_000.0
    assert april["budget:kontanthjaelp:forecast"] == 81_000_000.0
    assert april["budget:sygedagpenge:spent"] == 40_000_000.0


def test_a_whole_area_row_beside_effort_group_rows_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "omraade;indsatsgruppe;periode;budget;forbrug\n"
                           "Kontanthjælp;;2021-04;80.000.000;27.000.000\n"
                           "Kontanthjælp;jobparate;2021-04;50.000.000;17.000.000\n")
    with pytest.raises(InputError) as err:
        load_budget(ctx(tmp_path))
    (p,) = err.value.problems
    assert (p.file, p.line, p.field) == (str(path), 2, "indsatsgruppe")
    assert "counted twice" in p.message and "lines 3" in p.message


def make_workbook(path: Path, rows: list[list[Any]], sheet: str = "Budgetopfølgning") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_xlsx_with_title_rows_and_typed_cells(tmp_path: Path) -> None:
    make_workbook(tmp_path / "budget.xlsx", [
        ["Budgetopfølgning pr. 30.04.2021", None, None],
        [],
        ["Område", "Periode", "Korrigeret budget", "Forbrug år til dato", "Disponeret", "Forventet regnskab"],
        ["Sygedagpenge", dt.datetime(2021, 4, 30), 120_000_000, 41_000_000.5, 1_500_000, "123.600.000,00"],
        ["Kontanthjælp", "2021-04", "80.000.000", 25_000_000, None, None],
        [None, None, None, None, None, None],
        ["I alt", None, 200_000_000, 66_000_000.5, None, None],
    ])
    obs = load_budget(ctx(tmp_path, file="budget.xlsx"))
    april = values(obs, "2021-04")
    assert april["budget:sygedagpenge:spent"] == 41_000_000.5
    assert april["budget:sygedagpenge:forecast"] == 123_600_000.0
    assert april["budget:kontanthjaelp:budget"] == 80_000_000.0
    assert april["budget:kontanthjaelp:forecast"] == 75_000_000.0
    assert {o.source for o in obs} == {"budget:budget.xlsx"}


def test_xlsx_sheet_setting_and_cell_references(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Forside"
    ws = wb.create_sheet("Tal")
    ws.append(["omraade", "periode", "budget", "forbrug"])
    ws.append(["sygedagpenge", "2021-04", "mange", 1])
    wb.save(path)
    with pytest.raises(InputError) as err:
        load_budget(ctx(tmp_path, file="budget.xlsx", sheet="Tal"))
    (p,) = err.value.problems
    assert (p.file, p.line, p.column, p.field) == (str(path), 2, 3, "budget")
    assert p.message.startswith("cell C2: 'mange' is not an amount") and "1.234.567,89" in p.hint
    with pytest.raises(InputError, match=r"no sheet 'tal'.*did you mean 'Tal'"):
        load_budget(ctx(tmp_path, file="budget.xlsx", sheet="tal"))
    with pytest.raises(InputError, match="no header row"):
        load_budget(ctx(tmp_path, file="budget.xlsx"))  # the first sheet has no table


def test_an_administrator_reads_the_errors_of_a_finance_export_in_danish(tmp_path: Path, danish: None) -> None:
    """Danish by default (the module's other tests pin the English ids); English on request."""
    path = write(tmp_path, "omraade;periode;budget;forbrug\n"
                           "sygedagpengge;2021-13;-5;tolv millioner\n")
    with pytest.raises(InputError) as err:
        load_budget(ctx(tmp_path))
    text = err.value.format()
    assert f"{path}:2:1: omraade: ukendt område 'sygedagpengge'" in text
    assert "mente du 'sygedagpenge'?; områderne står under sources.budget.areas" in text
    assert "'2021-13' har ingen måned 13" in text and "skriv måneden som 2021-04" in text
    assert "budgettet '-5' er negativt" in text and "'tolv millioner' er ikke et beløb" in text
    assert untranslated(text) == []
    with use_language("en"), pytest.raises(InputError) as english:
        load_budget(ctx(tmp_path))
    assert "omraade: unknown area 'sygedagpengge'" in english.value.format()


def test_every_problem_of_a_file_is_reported_with_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "omraade;periode;budget;forbrug;disponeret;forventet_forbrug;kendt\n"
                           "sygedagpenge;2021-04;120.000.000;tolv millioner;;;\n"  # 2: text amount
                           "kontanthjaelp;2021-04;-80.000.000;25.000.000;;;\n"  # 3: negative budget
                           "sygedagpengge;2021-04;1;1;;;\n"  # 4: unknown area
                           "a-dagpenge;2021-13;1;1;;;\n"  # 5: bad period
                           "a-dagpenge;2021-05;1;1;;;en dag\n"  # 6: bad known date
                           "a-dagpenge;2021-06;1;;;;\n"  # 7: no spending
                           "a-dagpenge;2021-07;1;1;;;2021-06-30\n"  # 8: known before
                           "kontanthjaelp;2021-05;1;1;;1,2,3;\n"  # 9: bad forecast
                           ";2021-05;1;1;;;\n")  # 10: no area
    with pytest.raises(InputError) as err:
        load_budget(ctx(tmp_path))
    found = {(p.line, p.column, p.field): p for p in err.value.problems}
    assert set(found) == {(2, 4, "forbrug"), (3, 3, "budget"), (4, 1, "omraade"), (5, 2, "periode"),
                          (6, 7, "kendt"), (7, 4, "forbrug"), (8, 7, "kendt"), (9, 6, "forventet_forbrug"),
                          (10, 1, "omraade")}
    assert all(p.file == str(path) and p.hint for p in err.value.problems)
    assert "'tolv millioner' is not an amount" in found[(2, 4, "forbrug")].message
    assert "negative" in found[(3, 3, "budget")].message
    assert "did you mean 'sygedagpenge'?" in found[(4, 1, "omraade")].hint
    assert "no month 13" in found[(5, 2, "periode")].message and "2021-04" in found[(5, 2, "periode")].hint
    assert "no amount given" in found[(7, 4, "forbrug")].message
    text = err.value.format()
    assert f"{path}:4:1: omraade: unknown area 'sygedagpengge'" in text


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "omraade;periode;budgett;forventet_forbrug\nsygedagpenge;2021-04;1;1\n")
    with pytest.raises(InputError) as err:
        load_budget(ctx(tmp_path))
    found = {(p.line, p.field): p for p in err.value.problems}
    assert set(found) == {(1, "budgett"), (1, "budget"), (1, "forbrug")}
    assert all(p.file == str(path) for p in err.value.problems)
    assert found[(1, "budgett")].column == 3 and "did you mean 'budget'?" in found[(1, "budgett")].hint
    assert "missing column 'forbrug'" in found[(1, "forbrug")].message and found[(1, "forbrug")].hint
    write(tmp_path, "periode;budget;forbrug\n2021-04;1;1\n")
    with pytest.raises(InputError, match="needs 'omraade' or 'indsatsgruppe'"):
        load_budget(ctx(tmp_path))


def test_repeated_rows_and_zero_budgets(tmp_path: Path) -> None:
    path = write(tmp_path, "omraade;periode;budget;forbrug\n"
                           "sygedagpenge;2021-04;120.000.000;40.000.000\n"
                           "Sygedagpenge;04-2021;120.000.000;41.000.000\n"
                           "kontanthjaelp;2021-04;0;10\n")
    with pytest.raises(InputError) as err:
        load_budget(ctx(tmp_path))
    found = {(p.line, p.field): p for p in err.value.problems}
    assert "from line 2" in found[(3, "periode")].message and "kendt" in found[(3, "periode")].hint
    write(tmp_path, "omraade;periode;budget;forbrug\nkontanthjaelp;2021-04;0;10\n")
    with pytest.raises(InputError) as err:
        load_budget(ctx(tmp_path))
    (p,) = err.value.problems
    assert (p.file, p.line, p.column, p.field) == (str(path), 2, 3, "budget") and "no budget" in p.message


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"file not found.*relative to the configuration folder"):
        load_budget(ctx(tmp_path))
    (tmp_path / "budget.csv").write_bytes("omraade;periode;budget;forbrug\nKontanthjælp;2021-04;1;1\n"
                                          .encode("cp1252"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_budget(ctx(tmp_path))
    (tmp_path / "budget.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"\.xls\) cannot be read"):
        load_budget(ctx(tmp_path, file="budget.xls"))
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="cannot read the workbook"):
        load_budget(ctx(tmp_path, file="broken.xlsx"))


@pytest.mark.parametrize(("settings", "field", "message"), [
    ({"areas": AREAS}, "sources.budget.file", "missing setting"),
    ({"file": "b.csv", "areas": [{**AREAS[0], "profile": [1, 2]}]}, "sources.budget.areas[0].profile",
     "12 monthly weights"),
    ({"file": "b.csv", "areas": [{**AREAS[0], "colour": "red"}]}, "sources.budget.areas[0].colour",
     "unknown setting"),
    ({"file": "b.csv", "areas": [AREAS[0], AREAS[0]]}, "sources.budget", "two areas have the id"),
    ({"file": "b.csv", "areas": [{**AREAS[0], "id": "Syge Dagpenge"}]}, "sources.budget.areas[0].id",
     "is not a valid id"),
    ({"file": "b.csv", "areas": AREAS, "tolerance_pct": -1}, "sources.budget.tolerance_pct",
     "greater than or equal to 0"),
])
def test_bad_settings(tmp_path: Path, settings: dict[str, Any], field: str, message: str) -> None:
    context = SourceContext(municipality=municipality("630"), base_dir=tmp_path, settings=settings)
    with pytest.raises(InputError) as err:
        budget_kpis(context)
    assert any(p.field == field and message in p.message for p in err.value.problems), err.value.format()
