"""Initiatives: loading, the follow-up against the case, the subject kind, and the Hillerød example
run as a year with its report."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from govcore_initiatives import initiatives
from govcore_initiatives.businesscase import figures
from govcore_initiatives.initiatives import load_initiatives, realised
from govcore_initiatives.settings import InitiativeSettings

from govcore import ConfigError, InputError, Municipality, Observation, ObservationStore, SourceContext, load_config
from govcore import simulate as run_year
from govcore.report import build_report, render_report

# These tests pin the messages by their English ids (Danish is the default; see the Danish test).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "hilleroed"
STRAKS = "straksaktivering-unge"


def obs(measure: str, period: str, value: float, known: dt.date | None = None) -> Observation:
    return Observation(kpi=f"initiative:{STRAKS}:{measure}", period=period, value=value, known_at=known)


def test_realised_effect_is_annualised_and_compared_with_the_years_case() -> None:
    item = load_initiatives(EXAMPLE, InitiativeSettings(file="initiatives.yaml"))[0]
    case = figures(item)
    store = ObservationStore([obs("participants", "2014-Q1", 90), obs("participants", "2014-04", 30),
                              obs("duration_weeks", "2014-Q1", 8.6), obs("cost", "2014-Q1", 150_000),
                              obs("outflow", "2014-Q1", 80), obs("participants", "2013-12", 99)])
    real = realised(item, case, store.as_of(dt.date(2014, 6, 1)), 2014)
    assert real.months == 4 and real.participants == pytest.approx(360)  # 120 in 4 months
    assert real.duration_weeks == 8.6
    assert real.cost == pytest.approx(600_000) and real.outflow == pytest.approx(320)
    expected = 360 * (17 - 8.6) / 52 * 72_000 * 0.5
    assert real.net_saving == pytest.approx(expected)
    assert real.pct_of_case == pytest.approx(expected / case.net_saving * 100)  # 2014: full effect
    first_year = realised(item, case, ObservationStore([obs("participants", "2013", 459),
                                                        obs("duration_weeks", "2013", 10.9)]).as_of(
        dt.date(2014, 1, 2)), 2013)
    assert first_year.pct_of_case == pytest.approx(100.0)  # half the effect is what 2013's case asks
    assert not real.evaluated


def test_figures_not_yet_known_are_not_used() -> None:
    item = load_initiatives(EXAMPLE, InitiativeSettings(file="initiatives.yaml"))[0]
    store = ObservationStore([obs("participants", "2014-Q1", 90, known=dt.date(2014, 4, 10)),
                              obs("duration_weeks", "2014-Q1", 8.6, known=dt.date(2014, 4, 10))])
    early = realised(item, figures(item), store.as_of(dt.date(2014, 4, 9)), 2014)
    assert early.participants is None and early.pct_of_case is None


def test_the_subject_fields_tell_phase_dates_and_case() -> None:
    item = load_initiatives(EXAMPLE, InitiativeSettings(file="initiatives.yaml"))[0]
    store = ObservationStore([obs("evaluated", "2014-08", 1, known=dt.date(2014, 8, 15))])
    f = initiatives.initiative_fields(item, figures(item), store.as_of(dt.date(2017, 1, 2)), dt.date(2017, 1, 2))
    assert (f["phase"], f["past_end"], f["evaluated"], f["in_case"]) == ("ended", True, True, False)
    assert f["days_to_end"] == -2 and f["case_net_saving"] is None and f["effect_known"] is False
    f = initiatives.initiative_fields(item, figures(item), store.as_of(dt.date(2013, 6, 1)), dt.date(2013, 6, 1))
    assert (f["phase"], f["evaluated"], f["evaluation_reached"]) == ("running", False, False)
    assert f["case_net_saving"] == 1_938_392 and f["case_net_cost"] == 583_500
    assert f["payback_years"] == pytest.approx(0.3, abs=0.01)
    assert set(f) == {s.name for s in initiatives.FIELDS}


def copy_example(tmp_path: Path) -> Path:
    folder = tmp_path / "hilleroed"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_a_bad_initiatives_file_is_a_located_configuration_error(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    path = folder / "initiatives.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("weeks_before: 17", "weeks_befor: 17"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    text = str(err.value)
    assert "initiatives.yaml:" in text and "weeks_befor" in text and "weeks_before" in text


def test_an_unknown_owner_or_kpi_is_refused_before_the_run(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    path = folder / "initiatives.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("owner: afdelingsleder-unge", "owner: afdelingsleder-ung")
                    .replace("    goals: [afgang-unge, bestand-unge]",
                             f"    goals: [afgang-unge, bestand-unge]\n    kpis: ['initiative:{STRAKS}:participant']"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    messages = [p.format() for p in err.value.problems]
    assert any(f"initiative '{STRAKS}': no role has the id 'afdelingsleder-ung'" in m for m in messages), messages
    assert any(f"initiative '{STRAKS}': no KPI has the id 'initiative:{STRAKS}:participant'" in m
               and f"did you mean 'initiative:{STRAKS}:participants'" in m for m in messages), messages


def test_bad_followup_rows_name_their_line_and_column(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    (folder / "data" / "initiatives-followup.csv").write_text(
        "initiative;period;measure;value;known\n"
        "straksaktivering;2014-01;participants;30;\n"
        f"{STRAKS};2014-01;deltagere;tredive;\n"
        f"{STRAKS};2014-01-05;participants;30;\n"
        f"{STRAKS};2014-01;weeks;3;\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(folder)
    text = str(err.value)
    for line, word in ((2, "unknown initiative"), (3, "'tredive' is not a number"), (4, "counted per month"),
                       (5, "unknown measure")):
        assert f"initiatives-followup.csv:{line}" in text and word in text


def test_an_initiatives_file_outside_the_configuration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="outside the configuration folder"):
        initiatives.SOURCE.load(SourceContext(municipality=Municipality(code="219", name="Hillerød"),
                                              base_dir=EXAMPLE, settings={"file": "../vejle/goals.yaml"}))


@pytest.fixture(scope="module")
def year() -> object:
    return run_year(load_config(EXAMPLE))


def test_the_hilleroed_year_flags_the_initiative_and_warns_early(year: object) -> None:
    events = year.events  # type: ignore[attr-defined]
    decided = [(e.at.date().isoformat(), e.type, e.subject, e.rule, e.owner) for e in events
               if e.type in ("deviation_flagged", "decision_requested", "notification")]
    rule = "indsats-under-businesscase"
    assert decided[:2] == [("2014-06-30", "deviation_flagged", STRAKS, rule, "afdelingsleder-unge"),
                           ("2014-06-30", "decision_requested", STRAKS, rule, "jobcenterchef")]
    warning = [d for d in decided if d[3] == "tidlig-varsling"]
    assert warning and warning[0][0] < "2014-12-01"  # months before the year ends
    decision = next(e for e in events if e.type == "decision_requested")
    assert decision.details["options"] == ["continue", "adjust", "close"]
    assert "54,7 %" in decision.details["question"]


def test_the_report_shows_the_business_cases_and_the_effektoekonomi_chart(year: object, danish: None) -> None:
    report = build_report(year)  # type: ignore[arg-type]
    titles = [s.title for s in report.sections]
    assert titles == ["Indsatser og businesscases", "Effektøkonomi: unge (2013)"]
    case_row = report.sections[0].rows[0]
    assert case_row[2] == "583.500 kr." and case_row[3] == "3.876.785 kr." and case_row[6] == "3,6 mdr."
    ranking = report.sections[1]
    assert [r[1] for r in ranking.rows] == ["Straksaktivering", "Virksomhedspraktik", "Vejledningsforløb",
                                            "Mentorforløb"]
    assert ranking.chart.startswith("<svg") and ranking.chart.count("<rect") == 4
    html = render_report(year, "html")  # type: ignore[arg-type]
    md = render_report(year, "md")  # type: ignore[arg-type]
    assert "Effektøkonomi: unge (2013)" in html and ranking.chart in html
    assert html.count('<figure class="chart" id="graf-') == 2  # two goals' charts, besides the ranking
    assert "| 1 | Straksaktivering | 230 | 2.537 kr. |" in md


def test_the_plugins_report_sections_are_english_when_the_reader_is(year: object) -> None:
    report = build_report(year)  # type: ignore[arg-type]
    assert [s.title for s in report.sections] == ["Initiatives and business cases", "Effect economics: unge (2013)"]
    assert report.sections[0].headers[-2:] == ("Payback time", "Evaluation")
    assert report.sections[0].rows[0][6:] == ("3,6 months", "done")


def test_the_hilleroed_year_is_deterministic(year: object) -> None:
    again = run_year(load_config(EXAMPLE))
    assert again.events_jsonl() == year.events_jsonl()  # type: ignore[attr-defined]
    assert render_report(again, "html") == render_report(year, "html")  # type: ignore[arg-type]
