"""Success criteria as the documents phrase them: compound, strict and end-point criteria.

Every case quotes the document it comes from (the seeds: Vejle's Beskæftigelsesplan 2020-23 and
Silkeborg's 2017 agreement), including the boundaries the wording decides: equal to the national
figure is not "bedre end", the top 20 includes number 20, "mindst" includes the figure itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from govcore.model import KPI, Goal, Observation, Status, Target, TargetResult
from govcore.observations import ObservationStore
from govcore.targets import combine, evaluate, goal_result

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

TARGET = TypeAdapter(Target)
D = dt.date
VEJLE = "630"

SHARE = KPI(id="share", name="andel i job", unit="%")
STADFAEST = KPI(id="stadfaest", name="stadfæstelsesprocent", unit="%")
VAIN = KPI(id="vain", name="forgæves rekrutteringer", unit="%", higher_is_better=False)
PERSONS = KPI(id="uddhj", name="årspersoner på uddannelseshjælp", unit="persons", higher_is_better=False)


def obs(kpi: KPI, period: str, value: float, series: str = "local",
        municipality: str | None = None) -> Observation:
    return Observation(kpi=kpi.id, period=period, value=value, series=series, municipality=municipality)


def run(spec: dict[str, Any], kpi: KPI, day: dt.date, *rows: Observation) -> TargetResult:
    return evaluate(TARGET.validate_python(spec), kpi, ObservationStore(rows).as_of(day), VEJLE)


# ------------------------------------------------------------------------------ strict comparisons

# Vejle 2021, ministermål 1: "Stadfæstelsesprocenten, hvor ambitionen er, at den er højere end
# landsgennemsnittet."
HIGHER_THAN_NATIONAL = {"kind": "benchmark", "series": "national", "relation": "better"}


@pytest.mark.parametrize(("own", "status"), [
    (84.1, Status.on_track), (84.0, Status.off_track), (83.9, Status.off_track)])
def test_hoejere_end_landsgennemsnittet_is_strict(own: float, status: Status) -> None:
    r = run(HIGHER_THAN_NATIONAL, STADFAEST, D(2021, 3, 1),
            obs(STADFAEST, "2020", own), obs(STADFAEST, "2020", 84.0, series="national"))
    assert r.status is status
    assert r.inputs["comparison"] == "strict"


def test_equal_to_the_national_figure_says_so() -> None:
    r = run(HIGHER_THAN_NATIONAL, STADFAEST, D(2021, 3, 1),
            obs(STADFAEST, "2020", 84.0), obs(STADFAEST, "2020", 84.0, series="national"))
    assert r.explanation == "84,0 % i 2020 er lig med national (84,0 %) og altså ikke bedre"


# Vejle 2021, ministermål 5: "Ambitionen er at andelen for RAR–Sydjylland skal være lavere end
# landsplan" (forgæves rekrutteringer; lower is better).
@pytest.mark.parametrize(("own", "status"), [
    (21.9, Status.on_track), (22.0, Status.at_risk), (22.5, Status.at_risk), (22.6, Status.off_track)])
def test_lavere_end_landsplan_is_strict_with_a_tolerance(own: float, status: Status) -> None:
    spec = {"kind": "benchmark", "series": "national", "tolerance": 0.5}
    r = run(spec, VAIN, D(2021, 3, 1), obs(VAIN, "2020-H2", own), obs(VAIN, "2020-H2", 22.0, series="national"))
    assert r.status is status


# Silkeborg 2017: "Ved udgangen af 2017 skal Silkeborg Kommune være bedre end landsgennemsnittet til
# at hjælpe nyankomne flygtninge ... i job indenfor et år."
def test_bedre_end_landsgennemsnittet_equal_is_not_better() -> None:
    rows = (obs(SHARE, "2017", 38.0), obs(SHARE, "2017", 38.0, series="national"))
    assert run(HIGHER_THAN_NATIONAL, SHARE, D(2018, 3, 1), *rows).status is Status.off_track


def test_a_margin_is_inclusive_because_it_reads_mindst() -> None:
    spec = {"kind": "benchmark", "series": "national", "margin": 2}
    rows = (obs(SHARE, "2017", 40.0), obs(SHARE, "2017", 38.0, series="national"))
    r = run(spec, SHARE, D(2018, 3, 1), *rows)
    assert (r.status, r.expected, r.inputs["comparison"]) == (Status.on_track, 40.0, "inclusive")
    assert "mindst 2,0 % bedre end national" in r.explanation


# Silkeborg 2017: "Mindst 25 pct. skal vælge en erhvervsuddannelse ... i 2020"; "højst" mirrors it.
@pytest.mark.parametrize(("spec", "value", "status"), [
    ({"kind": "at_least", "value": 25}, 25.0, Status.on_track),
    ({"kind": "at_least", "value": 25}, 24.99, Status.off_track),
    ({"kind": "at_most", "value": 400}, 400.0, Status.on_track),
    ({"kind": "at_most", "value": 400}, 400.5, Status.off_track)])
def test_mindst_and_hoejst_are_inclusive(spec: dict[str, Any], value: float, status: Status) -> None:
    assert run(spec, SHARE, D(2021, 3, 1), obs(SHARE, "2020", value)).status is status


# ------------------------------------------------------------------------- change from a baseline

# Silkeborg 2017: "Antal årspersoner på uddannelseshjælp er reduceret med 60 i perioden fra december
# 2015 til december 2017."
SILKEBORG_60 = {"kind": "change", "baseline": "2015-12", "by": -60, "by_period": "2017-12"}
BASE = obs(PERSONS, "2015-12", 500)


def test_the_document_states_only_the_end_point_so_the_path_says_it_is_govcores() -> None:
    r = run(SILKEBORG_60, PERSONS, D(2017, 1, 15), BASE, obs(PERSONS, "2016-12", 465))
    assert r.status is Status.on_track and r.inputs["path"] == "linear"
    assert "som govcore har lagt ind; dokumentet fastsætter kun slutpunktet" in r.explanation


def test_without_a_path_nothing_is_judged_before_the_end_period() -> None:
    spec = {**SILKEBORG_60, "path": "none"}
    before = run(spec, PERSONS, D(2017, 1, 15), BASE, obs(PERSONS, "2016-12", 499))
    assert before.status is Status.no_data
    assert "dokumentet fastsætter kun slutpunktet" in before.explanation
    at_end = run(spec, PERSONS, D(2018, 1, 15), BASE, obs(PERSONS, "2017-12", 440))
    assert (at_end.status, at_end.expected, at_end.period) == (Status.on_track, 440, "2017-12")
    assert "af vejen" not in at_end.explanation


@pytest.mark.parametrize(("end", "status"), [(440.0, Status.on_track), (441.0, Status.off_track)])
def test_the_end_period_decides_even_when_later_months_are_known(end: float, status: Status) -> None:
    later = obs(PERSONS, "2018-03", 300 if status is Status.off_track else 600)
    r = run(SILKEBORG_60, PERSONS, D(2018, 5, 1), BASE, obs(PERSONS, "2017-12", end), later)
    assert (r.status, r.period) == (status, "2017-12")


# ------------------------------------------------------------------------------------ compounds

# Vejle 2021, ministermål 2: "Andel ledige, der er i beskæftigelse 3 mdr. efter endt ordinær
# uddannelse skal stige, og ambitionen er top 20 i landet."
RISE_AND_TOP_20 = {"kind": "all_of", "criteria": [
    {"kind": "direction", "must": "rise", "compare": "previous_year"},
    {"kind": "rank", "top": 20}]}


def ranked(period: str, rank: float) -> Observation:
    return obs(SHARE, period, rank, series="rank", municipality=VEJLE)


@pytest.mark.parametrize(("now", "rank", "status"), [
    (31.0, 15, Status.on_track),      # rose and in the top 20
    (31.0, 20, Status.on_track),      # number 20 is in the top 20
    (31.0, 21, Status.off_track),     # rose, but outside the top 20
    (30.0, 10, Status.off_track),     # in the top 20, but did not rise
    (29.0, 25, Status.off_track)])
def test_skal_stige_og_ambitionen_er_top_20(now: float, rank: float, status: Status) -> None:
    r = run(RISE_AND_TOP_20, SHARE, D(2021, 3, 1), obs(SHARE, "2019", 30.0, municipality=VEJLE),
            obs(SHARE, "2020", now, municipality=VEJLE), ranked("2020", rank))
    assert r.status is status
    assert [p.inputs["kind"] for p in r.parts] == ["direction", "rank"]
    assert r.inputs["1.status"] == r.parts[0].status.value and r.inputs["2.status"] == r.parts[1].status.value
    assert r.explanation.startswith("alle af 2 kriterier skal være opfyldt: [1: ")


# Vejle 2021: "målsætningen er, at der skal være en kontinuerlig forbedring frem mod top 20 blandt
# alle landets kommuner."
TOWARDS_TOP_20 = {"kind": "until", "improve": {"kind": "direction", "must": "improve", "compare": "previous_year"},
                  "reached": {"kind": "rank", "top": 20}}


@pytest.mark.parametrize(("before", "now", "status"), [
    (18, 18, Status.on_track),   # already in the top 20 and holding: not failing
    (25, 20, Status.on_track),   # improved into the top 20 (20 included)
    (30, 24, Status.on_track),   # improving, not there yet
    (30, 30, Status.off_track),  # not there and not improving
    (19, 22, Status.off_track)])  # fell out of the top 20
def test_kontinuerlig_forbedring_frem_mod_top_20(before: float, now: float, status: Status) -> None:
    rank_kpi = KPI(id="share", name="placering", higher_is_better=False)
    rows = (obs(rank_kpi, "2019", before, municipality=VEJLE), obs(rank_kpi, "2020", now, municipality=VEJLE),
            ranked("2020", now))
    r = evaluate(TARGET.validate_python(TOWARDS_TOP_20), rank_kpi, ObservationStore(rows).as_of(D(2021, 3, 1)),
                 VEJLE)
    assert r.status is status
    assert "forbedring.status" in r.inputs and "mål.status" in r.inputs
    if now <= 20:
        assert r.explanation.startswith("målet er nået og holdes")


def test_all_of_and_any_of_with_a_missing_figure_decide_only_when_it_cannot_matter() -> None:
    rows = (obs(SHARE, "2020", 31.0), obs(SHARE, "2019", 30.0))
    off_and_missing = {"kind": "all_of", "criteria": [{"kind": "at_least", "value": 40}, HIGHER_THAN_NATIONAL]}
    on_and_missing = {"kind": "all_of", "criteria": [{"kind": "at_least", "value": 20}, HIGHER_THAN_NATIONAL]}
    any_on = {"kind": "any_of", "criteria": [{"kind": "at_least", "value": 20}, HIGHER_THAN_NATIONAL]}
    any_off = {"kind": "any_of", "criteria": [{"kind": "at_least", "value": 40}, HIGHER_THAN_NATIONAL]}
    day = D(2021, 3, 1)
    assert run(off_and_missing, SHARE, day, *rows).status is Status.off_track
    assert run(on_and_missing, SHARE, day, *rows).status is Status.no_data
    assert run(any_on, SHARE, day, *rows).status is Status.on_track
    assert run(any_off, SHARE, day, *rows).status is Status.no_data


def test_compounds_nest_and_are_validated() -> None:
    spec = {"kind": "any_of", "criteria": [RISE_AND_TOP_20, {"kind": "at_least", "value": 50}]}
    r = run(spec, SHARE, D(2021, 3, 1), obs(SHARE, "2019", 30.0, municipality=VEJLE),
            obs(SHARE, "2020", 31.0, municipality=VEJLE), ranked("2020", 15))
    assert r.status is Status.on_track and r.parts[0].parts[1].inputs["kind"] == "rank"
    with pytest.raises(ValidationError, match="at least 2"):
        TARGET.validate_python({"kind": "all_of", "criteria": [{"kind": "rank", "top": 20}]})
    with pytest.raises(ValidationError, match="tolerance"):
        TARGET.validate_python({**RISE_AND_TOP_20, "tolerance": 1})


def test_a_goal_with_a_compound_target() -> None:
    goal = Goal(id="opkval", title="Flere ledige skal opkvalificeres", level="political", owner="udvalg",
                kpi="share", target=TARGET.validate_python(RISE_AND_TOP_20))
    rows = (obs(SHARE, "2019", 30.0, municipality=VEJLE), obs(SHARE, "2020", 31.0, municipality=VEJLE),
            ranked("2020", 12))
    r = goal_result(goal, {"share": SHARE}, ObservationStore(rows).as_of(D(2021, 3, 1)), VEJLE)
    assert r.status is Status.on_track and r.inputs["goal"] == "opkval"
    assert (r.actual, r.period) == (r.parts[0].actual, r.parts[0].period)


# ------------------------------------------------------------------------------- the combining rule

ALL = (Status.on_track, Status.at_risk, Status.off_track)
ORDER = {s: i for i, s in enumerate(ALL)}


@given(st.sampled_from(["all_of", "any_of", "until"]),
       st.lists(st.sampled_from([*ALL, Status.no_data]), min_size=1, max_size=5))
def test_combine_is_given_only_when_every_outcome_of_the_missing_agrees(
        rule: str, statuses: list[Status]) -> None:
    pick = max if rule == "all_of" else min
    missing = [i for i, s in enumerate(statuses) if s is Status.no_data]
    outcomes = set()
    for guess in itertools.product(ALL, repeat=len(missing)):
        filled = list(statuses)
        for i, g in zip(missing, guess, strict=True):
            filled[i] = g
        outcomes.add(pick(filled, key=ORDER.__getitem__))
    expected = outcomes.pop() if len(outcomes) == 1 else Status.no_data
    assert combine(rule, statuses) is expected


# ------------------------------------------------------------------ criteria on several KPIs

# Vejle 2021, ministermål 4: "Andelen af borgere på ledighedsydelse samt andelen af borgere i job
# og uddannelse på jobafklaring og ressourceforløbsydelse skal falde. Ambitionen er top 20 i landet."
LEDIGHEDSYDELSE = KPI(id="ledighedsydelse", name="andel på ledighedsydelse", unit="%", higher_is_better=False)
JOBAFKLARING = KPI(id="jobafklaring", name="andel på jobafklaring og ressourceforløbsydelse", unit="%",
                   higher_is_better=False)
BOTH_FALL = {"kind": "all_of", "criteria": [
    {"kind": "direction", "must": "fall", "compare": "previous_year"},
    {"kind": "direction", "must": "fall", "compare": "previous_year", "kpi": "jobafklaring"},
    {"kind": "rank", "top": 20}]}


@pytest.mark.parametrize(("second_now", "status"), [(2.9, Status.on_track), (3.1, Status.off_track)])
def test_ledighedsydelse_samt_jobafklaring_skal_falde(second_now: float, status: Status) -> None:
    goal = Goal(id="rm4", title="Andelene på ledighedsydelse og jobafklaring skal falde", level="national",
                owner="chef", kpi="ledighedsydelse", target=TARGET.validate_python(BOTH_FALL))
    assert goal.kpis() == ("ledighedsydelse", "jobafklaring")
    rows = (obs(LEDIGHEDSYDELSE, "2020", 1.5, municipality=VEJLE),
            obs(LEDIGHEDSYDELSE, "2021", 1.4, municipality=VEJLE),
            obs(JOBAFKLARING, "2020", 3.0, municipality=VEJLE),
            obs(JOBAFKLARING, "2021", second_now, municipality=VEJLE),
            Observation(kpi="ledighedsydelse", period="2021", value=12, series="rank"))
    kpis = {"ledighedsydelse": LEDIGHEDSYDELSE, "jobafklaring": JOBAFKLARING}
    r = goal_result(goal, kpis, ObservationStore(rows).as_of(D(2022, 3, 1)), VEJLE)
    assert r.status is status and r.parts[0].status is Status.on_track
    assert r.parts[1].inputs["kpi"] == "jobafklaring" and r.inputs["2.kpi"] == "jobafklaring"
    assert r.parts[1].actual == second_now  # measured on its own KPI, not the goal's
    assert "[2: " in r.explanation and "] andel på jobafklaring og ressourceforløbsydelse: " in r.explanation
    assert "1.kpi" not in r.inputs  # the goal's own KPI is not repeated


def test_a_criterion_kpi_is_validated() -> None:
    with pytest.raises(ValidationError, match="'kpi:' on a criterion is for criteria inside all_of"):
        Goal(id="x", title="x", level="national", owner="chef", kpi="ledighedsydelse",
             target=TARGET.validate_python({"kind": "at_most", "value": 2, "kpi": "jobafklaring"}))
    missing = Goal(id="x", title="x", level="national", owner="chef", kpi="ledighedsydelse",
                   target=TARGET.validate_python(BOTH_FALL))
    r = goal_result(missing, {"ledighedsydelse": LEDIGHEDSYDELSE}, ObservationStore([]).as_of(D(2022, 3, 1)), VEJLE)
    assert r.parts[1].status is Status.no_data and "'jobafklaring' er ikke defineret" in r.parts[1].explanation


def test_an_unknown_criterion_kpi_is_a_located_configuration_error(tmp_path: Any) -> None:
    from conftest import write_config

    from govcore.config import load_config
    from govcore.errors import ConfigError

    goals = """
    goals:
      - id: g-job
        title: Flere i job og færre ledige
        level: administrative
        owner: center
        kpi: jobrate
        target:
          kind: all_of
          criteria:
            - {kind: at_least, value: 50}
            - {kind: at_most, value: 1000, kpi: ledig}
    deliverables:
      - {id: plan, title: Beskæftigelsesplan, owner: chef}
    """
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path / "c", goals=goals))
    [problem] = err.value.problems
    assert problem.file.endswith("goals.yaml") and problem.line == 12
    assert problem.field == "goals[0].target.criteria[1].kpi" and problem.hint == "did you mean 'ledige'?"
    cfg = load_config(write_config(tmp_path / "ok", goals=goals.replace("kpi: ledig}", "kpi: ledige}")))
    from govcore.engine import Engine
    from govcore.i18n import use_language
    from govcore.report import describe_target

    with Engine(cfg) as engine:
        assert engine._goals_by_kpi["ledige"] == ["g-job"]  # an observation of either KPI re-judges the goal
    with use_language("da"):  # the Danish description, whatever the module's english fixture says
        assert describe_target(cfg.goals[0].target, cfg.kpis["jobrate"], cfg.kpis) == \
            "mindst 50,0 % og højst 1.000 personer (Antal ledige)"


# ------------------------------------------------------------------ what a compound records and says

OTHER = KPI(id="other", name="andel på ydelse", unit="%", higher_is_better=False)
BOTH_KPIS = {"share": SHARE, "other": OTHER}


def compound(spec: dict[str, Any], *rows: Observation) -> TargetResult:
    return evaluate(TARGET.validate_python(spec), SHARE, ObservationStore(rows).as_of(D(2022, 3, 1)), VEJLE, BOTH_KPIS)


def test_any_of_records_every_criterion_s_inputs_under_its_number_and_says_which_holds() -> None:
    r = compound({"kind": "any_of", "criteria": [{"kind": "at_least", "value": 50},
                                                 {"kind": "at_most", "value": 2, "kpi": "other"}]},
                 obs(SHARE, "2022-01", 45), obs(OTHER, "2022-01", 1.5))
    assert r.status is Status.on_track
    assert r.explanation == (
        "mindst ét af 2 kriterier skal være opfyldt: [1: ude af kurs] 45,0 % i 2022-01 er under kravet på mindst "
        "50,0 %; [2: på sporet] andel på ydelse: 1,5 % i 2022-01 er på eller under kravet på højst 2,0 %")
    assert r.inputs == {
        "kind": "any_of", "kpi": "share", "as_of": "2022-03-01", "municipality": VEJLE, "criteria": 2.0,
        "1.status": "off_track", "1.kind": "at_least", "1.tolerance": 0.0, "1.good_direction": "higher",
        "1.value": 45.0, "1.period": "2022-01", "1.value_known_at": "2022-02-01", "1.expected": 50.0,
        "2.status": "on_track", "2.kpi": "other", "2.kind": "at_most", "2.tolerance": 0.0,
        "2.good_direction": "lower", "2.value": 1.5, "2.period": "2022-01", "2.value_known_at": "2022-02-01",
        "2.expected": 2.0}
    assert (r.actual, r.expected, r.period) == (45.0, 50.0, "2022-01")  # the first criterion's figures


def until(improve: dict[str, Any], reached: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "until", "improve": improve, "reached": reached}


AT_LEAST_40, AT_LEAST_50 = {"kind": "at_least", "value": 40}, {"kind": "at_least", "value": 50}
OTHER_AT_MOST_2 = {"kind": "at_most", "value": 2, "kpi": "other"}


@pytest.mark.parametrize(("spec", "rows", "status", "head"), [
    (until(AT_LEAST_40, AT_LEAST_50), [obs(SHARE, "2022-01", 55)], Status.on_track,
     "målet er nået og holdes, så der kræves ikke yderligere forbedring: [forbedring: på sporet] "),
    (until(AT_LEAST_40, AT_LEAST_50), [obs(SHARE, "2022-01", 45)], Status.on_track,
     "målet er ikke nået, så der kræves forbedring: [forbedring: på sporet] "),
    # the improvement is not known and the goal is not reached: not known, but the goal is known not reached
    (until(OTHER_AT_MOST_2, AT_LEAST_50), [obs(SHARE, "2022-01", 45)], Status.no_data,
     "målet er ikke nået, så der kræves forbedring: [forbedring: uden data] andel på ydelse: "),
    (until(OTHER_AT_MOST_2, OTHER_AT_MOST_2 | {"value": 1}), [], Status.no_data,
     "det vides ikke, om målet er nået, og forbedringen alene afgør det ikke: [forbedring: uden data] "),
    # the improvement is known, whether the goal is reached is not: never 'not reached'
    (until(AT_LEAST_40, OTHER_AT_MOST_2), [obs(SHARE, "2022-01", 45)], Status.on_track,
     "det vides endnu ikke, om målet er nået, så der kræves forbedring: [forbedring: på sporet] "),
], ids=["reached", "improving", "improvement-unknown", "nothing-known", "reached-unknown"])
def test_until_says_whether_the_goal_is_reached(spec: dict[str, Any], rows: list[Observation], status: Status,
                                                head: str) -> None:
    r = compound(spec, *rows)
    assert r.status is status and r.explanation.startswith(head)
    assert r.inputs["forbedring.status"] == r.parts[0].status.value
    assert r.inputs["mål.status"] == r.parts[1].status.value


def test_a_nested_compound_passes_the_kpis_on_and_an_unknown_kpi_is_recorded() -> None:
    r = compound({"kind": "all_of", "criteria": [
        {"kind": "any_of", "criteria": [OTHER_AT_MOST_2, {"kind": "at_least", "value": 99}]},
        {"kind": "at_least", "value": 1, "kpi": "nope"}]}, obs(OTHER, "2022-01", 1.5), obs(SHARE, "2022-01", 45))
    inner, unknown = r.parts
    assert inner.status is Status.on_track and inner.parts[0].actual == 1.5
    assert unknown.status is Status.no_data and unknown.inputs == {"kind": "at_least", "kpi": "nope"}
    assert unknown.parts == () and r.inputs["2.kind"] == "at_least" and r.inputs["2.kpi"] == "nope"
    assert r.status is Status.no_data
    assert r.explanation.startswith("alle af 2 kriterier skal være opfyldt: [1: på sporet] mindst ét af 2 kriterier")
    assert r.explanation.endswith("; [2: uden data] nøgletallet 'nope' er ikke defineret")
