"""Target semantics, with the success criteria of real municipal documents (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from govcore.model import KPI, Goal, MilestonePoint, Observation, Period, Status, Target, TargetResult
from govcore.observations import ObservationStore, ObservationView
from govcore.targets import evaluate, goal_result, interpolate

# These tests pin the logic of the messages by their English ids (tests/test_messages_da.py pins the Danish).
pytestmark = pytest.mark.usefixtures("english")

TARGET = TypeAdapter(Target)
D = dt.date

SHARE = KPI(id="share", name="andel i job", unit="%")
PERSONS = KPI(id="uddhj", name="årspersoner på uddannelseshjælp", unit="persons", higher_is_better=False)
MATCHES = KPI(id="matches", name="ledige matchet til job")
VAIN = KPI(id="vain", name="forgæves rekrutteringer", unit="%", higher_is_better=False)
PLACE = KPI(id="place", name="placering på ranglisten", unit="plads", higher_is_better=False)

VEJLE = "630"
SILKEBORG = "740"


def target(**spec: Any) -> Target:
    """A target written exactly as in a goal's YAML."""
    return TARGET.validate_python(spec)


def obs(kpi: KPI, period: str, value: float, series: str = "local", municipality: str | None = None,
        known_at: dt.date | None = None) -> Observation:
    return Observation(kpi=kpi.id, period=period, value=value, series=series, municipality=municipality,
                       known_at=known_at)


def view(day: dt.date, *observations: Observation) -> ObservationView:
    return ObservationStore(observations).as_of(day)


def run(spec: dict[str, Any], kpi: KPI, day: dt.date, *observations: Observation,
        municipality: str | None = None) -> TargetResult:
    return evaluate(target(**spec), kpi, view(day, *observations), municipality)


# ------------------------------------------------------------------------------- at least / at most

# Silkeborg 2017: "26 % opnår beskæftigelse indenfor 1 år".
AT_LEAST_26 = {"kind": "at_least", "value": 26, "tolerance": 1}


@pytest.mark.parametrize(("value", "status"), [
    (27.0, Status.on_track),
    (26.0, Status.on_track),
    (25.5, Status.at_risk),
    (25.0, Status.at_risk),
    (24.9, Status.off_track),
])
def test_at_least_26_percent_edges(value: float, status: Status) -> None:
    r = run(AT_LEAST_26, SHARE, D(2018, 2, 1), obs(SHARE, "2017", value))
    assert r.status is status
    assert (r.actual, r.expected, r.period) == (value, 26.0, "2017")


def test_at_least_explanation_and_inputs_allow_recomputing() -> None:
    r = run({"kind": "at_least", "value": 50}, SHARE, D(2021, 4, 15), obs(SHARE, "2021-03", 48))
    assert r.status is Status.off_track
    assert r.explanation == "48,0 % i 2021-03 er under kravet på mindst 50,0 %"
    assert r.inputs["value"] == 48 and r.inputs["expected"] == 50
    assert r.inputs["period"] == "2021-03" and r.inputs["value_known_at"] == "2021-04-01"
    assert r.inputs["as_of"] == "2021-04-15" and r.inputs["tolerance"] == 0
    assert r.gap == -2


def test_at_least_uses_latest_observation() -> None:
    r = run(AT_LEAST_26, SHARE, D(2019, 6, 1), obs(SHARE, "2017", 30), obs(SHARE, "2018", 20))
    assert (r.status, r.actual, r.period) == (Status.off_track, 20, "2018")


def test_at_least_without_tolerance_has_no_risk_band() -> None:
    r = run({"kind": "at_least", "value": 26}, SHARE, D(2018, 2, 1), obs(SHARE, "2017", 25.99))
    assert r.status is Status.off_track


@pytest.mark.parametrize(("value", "status"), [
    (9.0, Status.on_track), (10.0, Status.on_track), (11.0, Status.at_risk), (12.5, Status.off_track)])
def test_at_most_lower_is_good(value: float, status: Status) -> None:
    r = run({"kind": "at_most", "value": 10, "tolerance": 2}, VAIN, D(2021, 2, 1), obs(VAIN, "2020", value))
    assert r.status is status


def test_at_most_ignores_higher_is_better_of_kpi() -> None:
    r = run({"kind": "at_most", "value": 10}, SHARE, D(2021, 2, 1), obs(SHARE, "2020", 12))
    assert r.status is Status.off_track
    assert "er over kravet på højst 10,0 %" in r.explanation


# ------------------------------------------------------------------------------------------ change

# Silkeborg: "Antal årspersoner på uddannelseshjælp er reduceret med 60 i perioden fra december 2015
# til december 2017".
SILKEBORG_60 = {"kind": "change", "baseline": "2015-12", "by": -60, "unit": "absolute",
                "by_period": "2017-12", "tolerance": 5}
BASE_500 = obs(PERSONS, "2015-12", 500)


def test_change_prorated_halfway() -> None:
    r = run(SILKEBORG_60, PERSONS, D(2017, 1, 15), BASE_500, obs(PERSONS, "2016-12", 470))
    fraction = 366 / 731
    assert r.expected == pytest.approx(500 - 60 * fraction)
    assert r.inputs["fraction"] == pytest.approx(fraction)
    assert r.inputs["baseline"] == 500 and r.inputs["baseline_period"] == "2015-12"
    assert r.status is Status.at_risk
    assert r.inputs["required_change"] == pytest.approx(-60 * fraction)
    assert r.inputs["expected"] == r.expected


@pytest.mark.parametrize(("value", "status"), [
    (430.0, Status.on_track), (440.0, Status.on_track), (445.0, Status.at_risk), (446.0, Status.off_track)])
def test_change_full_reduction_at_by_period(value: float, status: Status) -> None:
    r = run(SILKEBORG_60, PERSONS, D(2018, 1, 15), BASE_500, obs(PERSONS, "2017-12", value))
    assert r.expected == 440
    assert r.status is status


def test_change_after_by_period_is_judged_on_the_end_period() -> None:
    """'reduceret med 60 i perioden fra december 2015 til december 2017' speaks of December 2017;
    a later month neither rescues nor sinks it."""
    r = run(SILKEBORG_60, PERSONS, D(2018, 8, 1), BASE_500, obs(PERSONS, "2017-12", 441),
            obs(PERSONS, "2018-06", 400))
    assert r.inputs["fraction"] == 1.0 and r.period == "2017-12" and r.actual == 441
    assert r.expected == 440 and r.status is Status.at_risk
    missing = run(SILKEBORG_60, PERSONS, D(2018, 8, 1), BASE_500, obs(PERSONS, "2018-06", 400))
    assert missing.status is Status.no_data and "slutperioden 2017-12" in missing.explanation


def test_change_direction_follows_sign_of_by_not_kpi() -> None:
    # A KPI where lower is better, but the target asks for more: the sign of `by` decides.
    r = run({"kind": "change", "baseline": "2016", "by": 10}, PERSONS, D(2018, 2, 1),
            obs(PERSONS, "2016", 100), obs(PERSONS, "2017", 105))
    assert r.status is Status.off_track
    assert r.inputs["good_direction"] == "higher"


# Silkeborg: "I 2017 matches 10 procent flere ledige til job ... sammenlignet med 2016".
TEN_PERCENT = {"kind": "change", "baseline": "2016", "by": 10, "unit": "percent", "tolerance": 2}


@pytest.mark.parametrize(("value", "status"), [
    (220.0, Status.on_track), (230.0, Status.on_track), (218.0, Status.at_risk), (217.9, Status.off_track)])
def test_change_percent_ten_more_than_2016(value: float, status: Status) -> None:
    r = run(TEN_PERCENT, MATCHES, D(2018, 2, 1), obs(MATCHES, "2016", 200), obs(MATCHES, "2017", value))
    assert r.expected == pytest.approx(220)
    assert r.status is status


def test_change_percent_previous_year() -> None:
    spec = {"kind": "change", "baseline": "previous_year", "by": 10, "unit": "percent"}
    r = run(spec, MATCHES, D(2018, 2, 1), obs(MATCHES, "2016", 200), obs(MATCHES, "2017", 220))
    assert (r.status, r.inputs["baseline_period"], r.period) == (Status.on_track, "2016", "2017")
    monthly = run(spec, MATCHES, D(2017, 4, 1), obs(MATCHES, "2016-03", 50), obs(MATCHES, "2017-02", 10),
                  obs(MATCHES, "2017-03", 54))
    assert monthly.inputs["baseline_period"] == "2016-03"
    assert monthly.status is Status.off_track and monthly.expected == pytest.approx(55)


def test_change_compares_same_grain_as_baseline() -> None:
    r = run(TEN_PERCENT, MATCHES, D(2018, 2, 1), obs(MATCHES, "2016", 200), obs(MATCHES, "2017", 221),
            obs(MATCHES, "2018-01", 15))
    assert (r.period, r.status) == ("2017", Status.on_track)


def test_change_met_exactly_despite_float_rounding() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in binary floating point; 0.3 must still meet it.
    r = run({"kind": "change", "baseline": "2016", "by": 0.2}, SHARE, D(2018, 2, 1),
            obs(SHARE, "2016", 0.1), obs(SHARE, "2017", 0.3))
    assert r.status is Status.on_track


def test_change_no_data_cases() -> None:
    day = D(2018, 2, 1)
    only_baseline = run(TEN_PERCENT, MATCHES, day, obs(MATCHES, "2016", 200))
    no_baseline = run(TEN_PERCENT, MATCHES, day, obs(MATCHES, "2017", 220))
    zero = run(TEN_PERCENT, MATCHES, day, obs(MATCHES, "2016", 0), obs(MATCHES, "2017", 5))
    prev_year_missing = run({"kind": "change", "baseline": "previous_year", "by": -60}, PERSONS, day,
                            obs(PERSONS, "2017-12", 400))
    for r in (only_baseline, no_baseline, zero, prev_year_missing):
        assert r.status is Status.no_data
        assert r.explanation
    assert "basisværdien" in no_baseline.explanation and "2016" in no_baseline.explanation
    assert "er 0" in zero.explanation


# -------------------------------------------------------------------------------------- trajectory

# Silkeborg: "Mindst 25 pct. skal vælge en erhvervsuddannelse ... i 2020. Andelen skal op på mindst
# 30 pct. i 2025."
EUD = {"kind": "trajectory", "milestones": [{"period": 2020, "value": 25}, {"period": 2025, "value": 30}],
       "tolerance": 0.5}
MILESTONES = [MilestonePoint(period="2020", value=25), MilestonePoint(period="2025", value=30)]


def test_interpolate_examples() -> None:
    assert interpolate(MILESTONES, D(2020, 12, 31)) == 25
    assert interpolate(MILESTONES, D(2025, 12, 31)) == 30
    assert interpolate(MILESTONES, D(2015, 1, 1)) == 25
    assert interpolate(MILESTONES, D(2030, 1, 1)) == 30
    mid = D(2020, 12, 31) + (D(2025, 12, 31) - D(2020, 12, 31)) / 2
    assert interpolate(MILESTONES, mid) == pytest.approx(27.5)
    with pytest.raises(ValueError):
        interpolate([], D(2020, 1, 1))


@pytest.mark.parametrize(("period", "value", "status"), [
    ("2019", 24.0, Status.off_track),    # before the first milestone the first applies
    ("2020", 25.0, Status.on_track),
    ("2022", 27.0, Status.on_track),     # path asks for ~27.0 at 2022-12-31
    ("2022", 26.6, Status.at_risk),
    ("2022", 26.4, Status.off_track),
    ("2027", 29.6, Status.at_risk),      # after the last milestone the last applies
])
def test_trajectory_eud(period: str, value: float, status: Status) -> None:
    r = run(EUD, SHARE, D(2030, 1, 1), obs(SHARE, period, value))
    assert r.status is status
    assert r.expected == pytest.approx(interpolate(MILESTONES, Period.parse(period).end))


def test_trajectory_at_most() -> None:
    spec = {"kind": "trajectory", "direction": "at_most",
            "milestones": [{"period": "2020", "value": 500}, {"period": "2022", "value": 400}]}
    r = run(spec, PERSONS, D(2022, 1, 10), obs(PERSONS, "2021", 460))
    assert r.expected == pytest.approx(500 - 100 * 365 / 730)
    assert r.status is Status.off_track
    assert run(spec, PERSONS, D(2022, 1, 10), obs(PERSONS, "2021", 449)).status is Status.on_track


@st.composite
def milestone_paths(draw: st.DrawFn) -> list[MilestonePoint]:
    years = sorted(draw(st.sets(st.integers(2000, 2040), min_size=1, max_size=6)))
    values = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=len(years), max_size=len(years)))
    return [MilestonePoint(period=str(y), value=v) for y, v in zip(years, values, strict=True)]


@given(milestone_paths(), st.dates(D(1995, 1, 1), D(2045, 12, 31)))
def test_interpolation_stays_between_neighbouring_milestones(path: list[MilestonePoint],
                                                             day: dt.date) -> None:
    result = interpolate(path, day)
    ends = [Period.parse(m.period).end for m in path]
    values = [m.value for m in path]
    before = [v for e, v in zip(ends, values, strict=True) if e <= day]
    after = [v for e, v in zip(ends, values, strict=True) if e >= day]
    lo_hi = [before[-1] if before else after[0], after[0] if after else before[-1]]
    assert min(lo_hi) <= result <= max(lo_hi)


@given(milestone_paths())
def test_interpolation_hits_milestones_exactly(path: list[MilestonePoint]) -> None:
    for m in path:
        assert interpolate(path, Period.parse(m.period).end) == m.value


# --------------------------------------------------------------------------------------- benchmark

# Silkeborg: "bedre end landsgennemsnittet til at hjælpe nyankomne flygtninge ... i job indenfor et år".
BETTER_THAN_NATIONAL = {"kind": "benchmark", "series": "national", "relation": "better", "tolerance": 2}


@pytest.mark.parametrize(("local", "status"), [
    (40.0, Status.on_track), (38.1, Status.on_track), (38.0, Status.at_risk), (36.5, Status.at_risk),
    (36.0, Status.at_risk), (35.9, Status.off_track)])
def test_benchmark_better_than_national(local: float, status: Status) -> None:
    r = run(BETTER_THAN_NATIONAL, SHARE, D(2018, 3, 1),
            obs(SHARE, "2017", local), obs(SHARE, "2017", 38, series="national"))
    assert r.status is status
    assert r.inputs["benchmark"] == 38 and r.inputs["series"] == "national"
    assert r.expected == 38


def test_benchmark_explanation() -> None:
    r = run(BETTER_THAN_NATIONAL, SHARE, D(2018, 3, 1),
            obs(SHARE, "2017", 36.5), obs(SHARE, "2017", 38, series="national"))
    assert r.explanation == ("36,5 % i 2017 er under national (38,0 %) og altså ikke bedre, men inden for "
                             "tolerancen på 2,0 %")


# Vejle: "forgæves rekrutteringer ... lavere end landsplan" (lower is better).
def test_benchmark_lower_is_better() -> None:
    spec = {"kind": "benchmark", "relation": "better", "margin": 1}
    nat = obs(VAIN, "2020-H2", 22, series="national")
    ok = run(spec, VAIN, D(2021, 3, 1), obs(VAIN, "2020-H2", 20), nat)
    bad = run(spec, VAIN, D(2021, 3, 1), obs(VAIN, "2020-H2", 21.5), nat)
    assert (ok.status, ok.expected) == (Status.on_track, 21)
    assert bad.status is Status.off_track
    assert "22,0 %" in bad.explanation and "21,5 %" in bad.explanation


def test_benchmark_worse_reverses_the_kpi_direction() -> None:
    spec = {"kind": "benchmark", "relation": "worse"}
    r = run(spec, SHARE, D(2021, 3, 1), obs(SHARE, "2020", 30), obs(SHARE, "2020", 35, series="national"))
    assert r.status is Status.on_track


def test_benchmark_needs_the_same_period() -> None:
    r = run(BETTER_THAN_NATIONAL, SHARE, D(2019, 3, 1), obs(SHARE, "2018", 40),
            obs(SHARE, "2017", 38, series="national"))
    assert r.status is Status.no_data and r.actual is None
    assert "national" in r.explanation and "2018" in r.explanation


def test_benchmark_not_yet_published_is_no_data_until_known() -> None:
    observations = (obs(SHARE, "2017", 40), obs(SHARE, "2017", 38, series="national", known_at=D(2018, 6, 1)))
    assert run(BETTER_THAN_NATIONAL, SHARE, D(2018, 5, 31), *observations).status is Status.no_data
    assert run(BETTER_THAN_NATIONAL, SHARE, D(2018, 6, 1), *observations).status is Status.on_track


# -------------------------------------------------------------------------------------------- rank

# Vejle: "ambitionen er top 20 i landet".
TOP_20 = {"kind": "rank", "top": 20, "tolerance": 3}


@pytest.mark.parametrize(("rank", "status"), [
    (1, Status.on_track), (20, Status.on_track), (23, Status.at_risk), (24, Status.off_track)])
def test_rank_published(rank: int, status: Status) -> None:
    r = run(TOP_20, SHARE, D(2021, 6, 1), obs(SHARE, "2020", rank, series="rank", municipality=VEJLE),
            obs(SHARE, "2021-04", 10, municipality=VEJLE), municipality=VEJLE)
    assert (r.status, r.actual, r.period) == (status, rank, "2020")
    assert r.inputs["rank_source"] == "published"


def nation(kpi: KPI, period: str, own: float, others: list[float], known_at: dt.date | None = None
           ) -> list[Observation]:
    codes = [c for c in (f"{n:03d}" for n in range(101, 900)) if c != VEJLE][:len(others)]
    rows = [obs(kpi, period, v, municipality=c, known_at=known_at)
            for c, v in zip(codes, others, strict=True)]
    return [*rows, obs(kpi, period, own, municipality=VEJLE, known_at=known_at)]


def test_rank_computed_from_all_municipalities() -> None:
    others = [float(v) for v in range(97)]          # 0 .. 96
    r = run(TOP_20, SHARE, D(2021, 5, 1), *nation(SHARE, "2021-03", 80.5, others), municipality=VEJLE)
    assert r.actual == 17  # 16 others (81..96) are higher
    assert r.status is Status.on_track
    assert r.inputs["compared"] == 98 and r.inputs["rank_source"] == "computed"
    low = run(TOP_20, SHARE, D(2021, 5, 1), *nation(SHARE, "2021-03", 75.5, others), municipality=VEJLE)
    assert (low.actual, low.status) == (22, Status.at_risk)


def test_rank_tie_higher_is_better_shares_the_better_rank() -> None:
    others = [float(v) for v in range(97)]
    r = run(TOP_20, SHARE, D(2021, 5, 1), *nation(SHARE, "2021-03", 80.0, others), municipality=VEJLE)
    assert r.actual == 17  # 81..96 are higher; the other 80.0 ties


def test_rank_sees_observations_added_after_the_view_was_made() -> None:
    others = [float(v) for v in range(97)]
    store = ObservationStore(nation(SHARE, "2021-03", 80.5, others))
    v = store.as_of(D(2021, 5, 1))
    assert evaluate(target(**TOP_20), SHARE, v, VEJLE).actual == 17
    for n in range(5):
        store.add(obs(SHARE, "2021-03", 99.0, municipality=f"{801 + n}"))
    assert evaluate(target(**TOP_20), SHARE, v, VEJLE).actual == 22


def test_rank_computed_lower_is_better_and_ties_share_rank() -> None:
    others = [float(v) for v in range(97)]
    r = run(TOP_20, VAIN, D(2021, 5, 1), *nation(VAIN, "2021-03", 19.0, others), municipality=VEJLE)
    assert r.actual == 20  # 19 others (0..18) are lower; the tie at 19 does not count against
    assert r.status is Status.on_track


def test_rank_own_value_may_be_unlabelled() -> None:
    others = [float(v) for v in range(97)]
    rows = [o for o in nation(SHARE, "2021-03", 0, others) if o.municipality != VEJLE]
    r = run(TOP_20, SHARE, D(2021, 5, 1), *rows, obs(SHARE, "2021-03", 90.5), municipality=VEJLE)
    assert (r.actual, r.inputs["compared"]) == (7, 98)


def test_rank_with_missing_municipalities_decides_only_when_they_cannot_matter() -> None:
    others = [float(v) for v in range(89)]          # 90 of 98 report: 8 missing
    sure = run(TOP_20, SHARE, D(2021, 5, 1), *nation(SHARE, "2021-03", 83.5, others), municipality=VEJLE)
    assert (sure.actual, sure.inputs["rank_worst"], sure.status) == (6, 14, Status.on_track)
    unsure = run(TOP_20, SHARE, D(2021, 5, 1), *nation(SHARE, "2021-03", 75.5, others), municipality=VEJLE)
    assert unsure.status is Status.no_data and "fra nr. 14 til nr. 22" in unsure.explanation
    hopeless = run(TOP_20, SHARE, D(2021, 5, 1), *nation(SHARE, "2021-03", 40.5, others), municipality=VEJLE)
    assert hopeless.status is Status.off_track


def test_rank_published_not_yet_known_falls_back_to_computed() -> None:
    others = [float(v) for v in range(97)]
    rows = [*nation(SHARE, "2021-03", 80.5, others),
            obs(SHARE, "2021-03", 40, series="rank", municipality=VEJLE, known_at=D(2021, 9, 1))]
    early = run(TOP_20, SHARE, D(2021, 5, 1), *rows, municipality=VEJLE)
    late = run(TOP_20, SHARE, D(2021, 9, 1), *rows, municipality=VEJLE)
    assert (early.inputs["rank_source"], early.status) == ("computed", Status.on_track)
    assert (late.inputs["rank_source"], late.status) == ("published", Status.off_track)


# --------------------------------------------------------------------------------------- direction

# Vejle: "At andelen af ledige, der opkvalificeres, skal stige i 2021".
RISE = {"kind": "direction", "must": "rise", "compare": "previous_year"}


@pytest.mark.parametrize(("spec_extra", "value", "status"), [
    ({}, 31.0, Status.on_track),
    ({}, 30.0, Status.off_track),                        # equal is not a rise
    ({"tolerance": 0.5}, 30.0, Status.at_risk),
    ({"tolerance": 0.5}, 29.5, Status.at_risk),
    ({"tolerance": 0.5}, 29.4, Status.off_track),
])
def test_direction_must_rise(spec_extra: dict[str, Any], value: float, status: Status) -> None:
    r = run({**RISE, **spec_extra}, SHARE, D(2022, 2, 1), obs(SHARE, "2020", 30), obs(SHARE, "2021", value))
    assert r.status is status
    assert (r.expected, r.inputs["previous_period"]) == (30, "2020")


def test_direction_fall_and_improve() -> None:
    rows = (obs(PERSONS, "2021-02", 300), obs(PERSONS, "2021-03", 290))
    day = D(2021, 4, 10)
    assert run({"kind": "direction", "must": "fall"}, PERSONS, day, *rows).status is Status.on_track
    assert run({"kind": "direction", "must": "rise"}, PERSONS, day, *rows).status is Status.off_track
    improve = run({"kind": "direction"}, PERSONS, day, *rows)  # lower is better for this KPI
    assert (improve.status, improve.inputs["previous_period"]) == (Status.on_track, "2021-02")
    assert improve.explanation == "290,0 persons i 2021-03 faldt fra 300,0 persons i 2021-02; den skal falde"


def test_direction_same_month_last_year() -> None:
    rows = (obs(SHARE, "2020-03", 40), obs(SHARE, "2021-02", 10), obs(SHARE, "2021-03", 39))
    r = run({"kind": "direction", "compare": "previous_year"}, SHARE, D(2021, 4, 10), *rows)
    assert (r.status, r.inputs["previous_period"]) == (Status.off_track, "2020-03")


def test_direction_previous_missing_is_no_data() -> None:
    r = run(RISE, SHARE, D(2022, 2, 1), obs(SHARE, "2019", 30), obs(SHARE, "2021", 31))
    assert r.status is Status.no_data and "2020" in r.explanation


# ------------------------------------------------------------------------- no data, "as of", corrections

ALL_KINDS: list[dict[str, Any]] = [
    AT_LEAST_26, {"kind": "at_most", "value": 10}, SILKEBORG_60, TEN_PERCENT, EUD, BETTER_THAN_NATIONAL,
    TOP_20, RISE]


@pytest.mark.parametrize("spec", ALL_KINDS, ids=[str(s["kind"]) for s in ALL_KINDS])
def test_no_data_without_observations(spec: dict[str, Any]) -> None:
    r = run(spec, SHARE, D(2021, 1, 1), obs(MATCHES, "2020", 10))
    assert r.status is Status.no_data
    assert r.actual is None and r.explanation
    assert r.inputs["kind"] == spec["kind"]


@pytest.mark.parametrize("spec", ALL_KINDS, ids=[str(s["kind"]) for s in ALL_KINDS])
def test_values_not_yet_known_are_ignored(spec: dict[str, Any]) -> None:
    late = D(2021, 6, 1)
    rows = [obs(SHARE, p, 30, known_at=late) for p in ("2015-12", "2016", "2017", "2020", "2021-03")]
    assert run(spec, SHARE, late - dt.timedelta(days=1), *rows).status is Status.no_data
    assert run(spec, SHARE, late, *rows).inputs.get("value_known_at") in (None, late.isoformat())


def test_observation_is_unknown_before_its_period_ends() -> None:
    row = obs(SHARE, "2021-03", 30)
    assert run(AT_LEAST_26, SHARE, D(2021, 3, 31), row).status is Status.no_data
    assert run(AT_LEAST_26, SHARE, D(2021, 4, 1), row).status is Status.on_track


def test_correction_replaces_value_only_from_its_known_date() -> None:
    rows = (obs(SHARE, "2021-03", 24, known_at=D(2021, 4, 5)),
            obs(SHARE, "2021-03", 27, known_at=D(2021, 5, 1)))
    before = run(AT_LEAST_26, SHARE, D(2021, 4, 30), *rows)
    after = run(AT_LEAST_26, SHARE, D(2021, 5, 1), *rows)
    assert (before.status, before.actual) == (Status.off_track, 24)
    assert (after.status, after.actual, after.inputs["value_known_at"]) == (Status.on_track, 27, "2021-05-01")


def test_municipality_code_selects_its_own_series() -> None:
    rows = (obs(SHARE, "2020", 20), obs(SHARE, "2020", 30, municipality=SILKEBORG))
    assert run(AT_LEAST_26, SHARE, D(2021, 2, 1), *rows, municipality=SILKEBORG).actual == 30
    assert run(AT_LEAST_26, SHARE, D(2021, 2, 1), *rows).actual == 20
    assert run(AT_LEAST_26, SHARE, D(2021, 2, 1), *rows, municipality=VEJLE).actual == 20


# ------------------------------------------------------------------------------------------- goals


def goal(**extra: Any) -> Goal:
    return Goal.model_validate({"id": "g1", "title": "Flere i job", "level": "political", "owner": "amu",
                                **extra})


def test_goal_result() -> None:
    v = view(D(2018, 2, 1), obs(SHARE, "2017", 27))
    r = goal_result(goal(kpi="share", target=AT_LEAST_26), {"share": SHARE}, v)
    assert r.status is Status.on_track and r.inputs["goal"] == "g1" and r.inputs["value"] == 27
    no_target = goal_result(goal(kpi="share"), {"share": SHARE}, v)
    unknown = goal_result(goal(kpi="nope", target=AT_LEAST_26), {"share": SHARE}, v)
    assert no_target.status is Status.no_data and "intet succeskriterie" in no_target.explanation
    assert unknown.status is Status.no_data and "'nope'" in unknown.explanation


# ------------------------------------------------------------------------------------- properties

PERIODS = ["2015-12", "2016", "2017", "2019", "2020", "2020-H2", "2021", "2021-02", "2021-03", "2021-Q1"]


@st.composite
def targets(draw: st.DrawFn) -> Target:
    tol = draw(st.sampled_from([0.0, 0.5, 3.0]))
    kind = draw(st.sampled_from(["at_least", "at_most", "change", "trajectory", "benchmark", "rank",
                                 "direction"]))
    spec: dict[str, Any] = {"kind": kind, "tolerance": tol}
    if kind in ("at_least", "at_most"):
        spec["value"] = draw(st.floats(0, 100))
    elif kind == "change":
        spec.update(baseline=draw(st.sampled_from(["previous_year", "2016", "2020-H2", "2021-02"])),
                    by=draw(st.floats(-50, 50)), unit=draw(st.sampled_from(["absolute", "percent"])),
                    by_period=draw(st.sampled_from([None, "2021", "2017-12"])))
    elif kind == "trajectory":
        spec["milestones"] = [{"period": "2017", "value": draw(st.floats(0, 100))},
                              {"period": "2021", "value": draw(st.floats(0, 100))}]
        spec["direction"] = draw(st.sampled_from(["at_least", "at_most"]))
    elif kind == "benchmark":
        spec.update(relation=draw(st.sampled_from(["better", "worse"])), margin=draw(st.floats(-5, 5)))
    elif kind == "rank":
        spec.update(top=draw(st.integers(1, 98)), of=draw(st.integers(1, 98)))
    else:
        spec.update(must=draw(st.sampled_from(["rise", "fall", "improve"])),
                    compare=draw(st.sampled_from(["previous_period", "previous_year"])))
    if kind == "change":
        spec["path"] = draw(st.sampled_from(["linear", "none"]))
    return target(**spec)


@st.composite
def observation_sets(draw: st.DrawFn) -> list[Observation]:
    rows = draw(st.lists(st.tuples(
        st.sampled_from(PERIODS), st.floats(0, 100),
        st.sampled_from(["local", "local", "national", "rank"]),
        st.sampled_from([None, None, VEJLE, "101", "147"]),
        st.one_of(st.none(), st.dates(D(2016, 1, 1), D(2022, 12, 31)))), max_size=25))
    return [Observation(kpi="share", period=p, value=v, series=s, municipality=m, known_at=k)
            for p, v, s, m, k in rows]


@settings(max_examples=300, deadline=None)
@given(targets(), observation_sets(), st.dates(D(2016, 1, 1), D(2023, 1, 1)), st.booleans(),
       st.sampled_from([None, VEJLE]))
def test_evaluation_properties(t: Target, rows: list[Observation], day: dt.date, higher: bool,
                               municipality: str | None) -> None:
    kpi = SHARE.model_copy(update={"higher_is_better": higher})
    r = evaluate(t, kpi, ObservationStore(rows).as_of(day), municipality)
    if r.status is Status.on_track:
        assert r.actual is not None
    if r.status is Status.no_data:
        assert r.explanation
    elif t.kind not in ("all_of", "any_of", "until"):
        assert r.actual is not None and r.expected is not None and r.period is not None
        assert r.inputs["expected"] == r.expected
    again = evaluate(t, kpi, ObservationStore(rows).as_of(day), municipality)
    assert again == r
    by_known = ObservationStore(sorted(rows, key=lambda o: o.known))
    assert evaluate(t, kpi, by_known.as_of(day), municipality) == r


# ------------------------------------------------------------------------------ stale data

def _goal(kpi: KPI, **spec: Any) -> Goal:
    return Goal(id="g", title="Mål", level="political", owner="chef", kpi=kpi.id, target=target(**spec))


def test_a_figure_older_than_the_kpi_allows_is_no_data_with_the_reason() -> None:
    monthly = KPI(id="share", name="andel i job", unit="%", published="monthly")
    goal = _goal(monthly, kind="at_least", value=40)
    store = view(D(2022, 1, 15), obs(monthly, "2021-12", 45.0, known_at=D(2022, 1, 10))).store
    assert goal_result(goal, {"share": monthly}, store.as_of(D(2022, 2, 28))).status is Status.on_track
    stale = goal_result(goal, {"share": monthly}, store.as_of(D(2030, 3, 1)))
    assert stale.status is Status.no_data
    assert stale.explanation == ("seneste tal for andel i job er fra 2021-12, og tal må højst være 2 måneder "
                                 "gamle; pr. 01.03.2030 er det for gammelt til at vurdere målet")
    # An explicit max_age wins over the publication rhythm; the limit is counted from the period's end.
    lax = KPI(id="share", name="andel i job", unit="%", published="monthly", max_age="13 months")
    assert goal_result(goal, {"share": lax}, store.as_of(D(2023, 1, 31))).status is Status.on_track
    assert goal_result(goal, {"share": lax}, store.as_of(D(2023, 2, 1))).status is Status.no_data
    # A KPI that says neither never goes stale (as before).
    assert goal_result(goal, {"share": SHARE}, store.as_of(D(2030, 3, 1))).status is Status.on_track


def test_a_bad_max_age_is_refused() -> None:
    with pytest.raises(ValueError, match="is not an age"):
        KPI(id="k", name="k", max_age="soon")


def test_a_target_in_2022_is_judged_on_2022_figures_only() -> None:
    goal = _goal(SHARE, kind="at_least", value=40, period="2022")
    store = ObservationStore([obs(SHARE, "2021-12", 45.0), obs(SHARE, "2022-01", 38.0),
                              obs(SHARE, "2023-01", 50.0)])
    early = goal_result(goal, {"share": SHARE}, store.as_of(D(2022, 1, 20)))
    assert early.status is Status.no_data
    assert early.explanation == "ingen tal for andel i job for 2022 er kendt pr. 20.01.2022"
    assert goal_result(goal, {"share": SHARE}, store.as_of(D(2022, 2, 5))).status is Status.off_track
    later = goal_result(goal, {"share": SHARE}, store.as_of(D(2023, 3, 1)))
    assert (later.status, later.period) == (Status.off_track, "2022-01")


# ------------------------------------------------------------------- explanations match the status
# An administrator reads the explanation, not the status code: on each side of every target kind the
# Danish text must say what the status says (over/under, inside/outside the tolerance, rose/fell).

_NINETY = [float(v) for v in range(89)]     # 90 of 98 municipalities report (with Vejle)
_ALL = [float(v) for v in range(97)]        # all 98 report
EXPLAINED: list[tuple[str, dict[str, Any], KPI, dt.date, list[Observation], str | None, Status, str]] = [
    ("at_least met exactly", {"kind": "at_least", "value": 50, "tolerance": 2}, SHARE, D(2021, 4, 15),
     [obs(SHARE, "2021-03", 50)], None, Status.on_track,
     "50,0 % i 2021-03 er på eller over kravet på mindst 50,0 %"),
    ("at_least inside tolerance", {"kind": "at_least", "value": 50, "tolerance": 2}, SHARE, D(2021, 4, 15),
     [obs(SHARE, "2021-03", 48.5)], None, Status.at_risk,
     "48,5 % i 2021-03 er under kravet på mindst 50,0 %, men inden for tolerancen på 2,0 %"),
    ("at_least below zero", {"kind": "at_least", "value": -1.25}, MATCHES, D(2018, 2, 1),
     [obs(MATCHES, "2017", -2.345)], None, Status.off_track, "-2,35 i 2017 er under kravet på mindst -1,25"),
    ("at_least small share", {"kind": "at_least", "value": 0.5}, SHARE, D(2018, 2, 1),
     [obs(SHARE, "2017", 0.4567)], None, Status.off_track, "0,457 % i 2017 er under kravet på mindst 0,5 %"),
    ("at_most met exactly", {"kind": "at_most", "value": 1000, "tolerance": 20}, PERSONS, D(2021, 4, 15),
     [obs(PERSONS, "2021-03", 1000)], None, Status.on_track,
     "1.000,0 persons i 2021-03 er på eller under kravet på højst 1.000,0 persons"),
    ("at_most inside tolerance", {"kind": "at_most", "value": 1000, "tolerance": 20}, PERSONS, D(2021, 4, 15),
     [obs(PERSONS, "2021-03", 1012.5)], None, Status.at_risk,
     "1.012,5 persons i 2021-03 er over kravet på højst 1.000,0 persons, men inden for tolerancen på 20,0 persons"),
    ("at_most over", {"kind": "at_most", "value": 1000, "tolerance": 20}, PERSONS, D(2021, 4, 15),
     [obs(PERSONS, "2021-03", 1401)], None, Status.off_track,
     "1.401,0 persons i 2021-03 er over kravet på højst 1.000,0 persons"),
    ("change on its way", SILKEBORG_60, PERSONS, D(2017, 1, 15), [BASE_500, obs(PERSONS, "2016-12", 470)], None,
     Status.at_risk, "470,0 persons i 2016-12 er over de forventede 469,96 persons (500,0 persons i 2015-12 "
     "ændret med -60, 50,1 % af vejen mod 2017-12 ad et jævnt forløb, som govcore har lagt ind; dokumentet fastsætter "
     "kun slutpunktet), men inden for tolerancen på 5,0 persons"),
    ("change in percent", TEN_PERCENT, MATCHES, D(2018, 2, 1), [obs(MATCHES, "2016", 200), obs(MATCHES, "2017", 230)],
     None, Status.on_track, "230,0 i 2017 er på eller over de forventede 220,0 (200,0 i 2016 ændret med +10,0 %)"),
    ("change of a negative base in percent", {"kind": "change", "baseline": "2016", "by": 10, "unit": "percent"},
     MATCHES, D(2018, 2, 1), [obs(MATCHES, "2016", -200), obs(MATCHES, "2017", -181)], None, Status.off_track,
     "-181,0 i 2017 er under de forventede -180,0 (-200,0 i 2016 ændret med +10,0 %)"),
    ("change by 0 where lower is better", {"kind": "change", "baseline": "2016", "by": 0}, PERSONS, D(2018, 2, 1),
     [obs(PERSONS, "2016", 100), obs(PERSONS, "2017", 101)], None, Status.off_track,
     "101,0 persons i 2017 er over de forventede 100,0 persons (100,0 persons i 2016 ændret med +0)"),
    ("change by 0 where higher is better", {"kind": "change", "baseline": "2016", "by": 0}, SHARE, D(2018, 2, 1),
     [obs(SHARE, "2016", 100), obs(SHARE, "2017", 99)], None, Status.off_track,
     "99,0 % i 2017 er under de forventede 100,0 % (100,0 % i 2016 ændret med +0)"),
    ("change due at its baseline", {"kind": "change", "baseline": "2016", "by": 10, "by_period": "2016"}, MATCHES,
     D(2018, 2, 1), [obs(MATCHES, "2016", 200), obs(MATCHES, "2017", 205)], None, Status.off_track,
     "200,0 i 2016 er under de forventede 210,0 (200,0 i 2016 ændret med +10)"),
    ("trajectory inside tolerance", EUD, SHARE, D(2030, 1, 1), [obs(SHARE, "2022", 26.6)], None, Status.at_risk,
     "26,6 % i 2022 er under de 26,999 %, som forløbet kræver pr. 31.12.2022 (mindst), men inden for tolerancen "
     "på 0,5 %"),
    ("trajectory at most", {"kind": "trajectory", "direction": "at_most",
                            "milestones": [{"period": "2020", "value": 500}, {"period": "2022", "value": 400}]},
     PERSONS, D(2022, 1, 10), [obs(PERSONS, "2021", 449)], None, Status.on_track,
     "449,0 persons i 2021 er på eller under de 450,0 persons, som forløbet kræver pr. 31.12.2021 (højst)"),
    ("benchmark lower is better with a margin", {"kind": "benchmark", "relation": "better", "margin": 1}, VAIN,
     D(2021, 3, 1), [obs(VAIN, "2020-H2", 20), obs(VAIN, "2020-H2", 22, series="national")], None, Status.on_track,
     "20,0 % i 2020-H2 er på eller under de 21,0 %, der kræves for at være mindst 1,0 % bedre end national "
     "(22,0 %)"),
    ("benchmark worse", {"kind": "benchmark", "relation": "worse", "margin": 2, "tolerance": 1}, SHARE,
     D(2021, 3, 1), [obs(SHARE, "2020", 33.5), obs(SHARE, "2020", 35, series="national")], None, Status.at_risk,
     "33,5 % i 2020 er over de 33,0 %, der kræves for at være mindst 2,0 % dårligere end national (35,0 %), "
     "men inden for tolerancen på 1,0 %"),
    ("published rank inside tolerance", TOP_20, SHARE, D(2021, 6, 1),
     [obs(SHARE, "2020", 23, series="rank", municipality=VEJLE)], VEJLE, Status.at_risk,
     "den offentliggjorte placering nr. 23 for 2020 er uden for top 20, men inden for tolerancen på 3 pladser"),
    ("published rank inside the top", TOP_20, SHARE, D(2021, 6, 1),
     [obs(SHARE, "2020", 20, series="rank", municipality=VEJLE)], VEJLE, Status.on_track,
     "den offentliggjorte placering nr. 20 for 2020 er inden for top 20"),
    ("computed rank of all", TOP_20, SHARE, D(2021, 5, 1), nation(SHARE, "2021-03", 80.5, _ALL), VEJLE,
     Status.on_track, "80,5 % i 2021-03 er nr. 17 af 98: inden for top 20"),
    ("computed rank outside", {"kind": "rank", "top": 10}, SHARE, D(2021, 5, 1), nation(SHARE, "2021-03", 80.5, _ALL),
     VEJLE, Status.off_track, "80,5 % i 2021-03 er nr. 17 af 98: uden for top 10"),
    ("computed rank, missing ones cannot matter", TOP_20, SHARE, D(2021, 5, 1),
     nation(SHARE, "2021-03", 83.5, _NINETY), VEJLE, Status.on_track,
     "83,5 % i 2021-03 er nr. 6 blandt 90 med en værdi (i værste fald nr. 14): inden for top 20"),
    ("computed rank, fewer compared than asked", {"kind": "rank", "top": 20, "of": 50}, SHARE, D(2021, 5, 1),
     nation(SHARE, "2021-03", 83.5, _NINETY), VEJLE, Status.on_track,
     "83,5 % i 2021-03 er nr. 6 af 90: inden for top 20"),
    ("direction improve rose", {"kind": "direction"}, SHARE, D(2021, 4, 10),
     [obs(SHARE, "2021-02", 30), obs(SHARE, "2021-03", 31)], None, Status.on_track,
     "31,0 % i 2021-03 steg fra 30,0 % i 2021-02; den skal stige"),
    ("direction fall rose", {"kind": "direction", "must": "fall"}, PERSONS, D(2021, 4, 10),
     [obs(PERSONS, "2021-02", 300), obs(PERSONS, "2021-03", 310)], None, Status.off_track,
     "310,0 persons i 2021-03 steg fra 300,0 persons i 2021-02; den skal falde"),
    ("direction fall fell", {"kind": "direction", "must": "fall"}, SHARE, D(2021, 4, 10),
     [obs(SHARE, "2021-02", 30), obs(SHARE, "2021-03", 29)], None, Status.on_track,
     "29,0 % i 2021-03 faldt fra 30,0 % i 2021-02; den skal falde"),
    ("direction rise fell inside tolerance", {**RISE, "tolerance": 0.5}, SHARE, D(2022, 2, 1),
     [obs(SHARE, "2020", 30), obs(SHARE, "2021", 29.5)], None, Status.at_risk,
     "29,5 % i 2021 faldt fra 30,0 % i 2020; den skal stige, men inden for tolerancen på 0,5 %"),
    ("direction rise unchanged", RISE, SHARE, D(2022, 2, 1), [obs(SHARE, "2020", 30), obs(SHARE, "2021", 30)], None,
     Status.off_track, "30,0 % i 2021 var uændret fra 30,0 % i 2020; den skal stige"),
    # no data: the explanation names the figure that is missing
    ("no figure", EUD, SHARE, D(2021, 3, 1), [], None, Status.no_data,
     "ingen værdi for andel i job er kendt pr. 01.03.2021"),
    ("no figure to compare with last year", {"kind": "change", "baseline": "previous_year", "by": 5}, SHARE,
     D(2021, 3, 1), [], None, Status.no_data, "ingen værdi for andel i job er kendt pr. 01.03.2021"),
    ("no figure after the baseline", {"kind": "change", "baseline": "2016", "by": 10}, MATCHES, D(2018, 2, 1),
     [obs(MATCHES, "2016", 200)], None, Status.no_data,
     "ingen værdi for ledige matchet til job for en periode efter basisperioden 2016 er kendt pr. 01.02.2018"),
    ("no baseline", {"kind": "change", "baseline": "2019", "by": 5}, SHARE, D(2021, 3, 1),
     [obs(SHARE, "2020", 3)], None, Status.no_data, "basisværdien for andel i job i 2019 er ikke kendt pr. 01.03.2021"),
    ("baseline 0 in percent", {"kind": "change", "baseline": "2019", "by": 5, "unit": "percent"}, SHARE, D(2021, 3, 1),
     [obs(SHARE, "2019", 0), obs(SHARE, "2020", 3)], None, Status.no_data,
     "basisværdien for 2019 er 0, så en ændring i procent kan ikke beregnes"),
    ("benchmark higher is better with a margin", {"kind": "benchmark", "relation": "better", "margin": 1}, SHARE,
     D(2021, 3, 1), [obs(SHARE, "2020", 40), obs(SHARE, "2020", 38, series="national")], None, Status.on_track,
     "40,0 % i 2020 er på eller over de 39,0 %, der kræves for at være mindst 1,0 % bedre end national (38,0 %)"),
    ("no benchmark", BETTER_THAN_NATIONAL, SHARE, D(2021, 3, 1), [obs(SHARE, "2020", 33.5)], None, Status.no_data,
     "værdien for national af andel i job i 2020 er ikke kendt pr. 01.03.2021"),
    ("no rank at all", TOP_20, SHARE, D(2021, 5, 1), [], VEJLE, Status.no_data,
     "ingen værdi for andel i job er kendt pr. 01.05.2021, og der er heller ingen offentliggjort placering"),
    ("rank depends on the missing", TOP_20, SHARE, D(2021, 5, 1), nation(SHARE, "2021-03", 75.5, _NINETY), VEJLE,
     Status.no_data, "75,5 % i 2021-03 er nr. 14 blandt de 90 kommuner med en værdi; de 8 uden kan placere den et "
     "sted fra nr. 14 til nr. 22, så det vides endnu ikke, om den er i top 20"),
    ("no previous", {"kind": "direction"}, SHARE, D(2021, 4, 10), [obs(SHARE, "2021-03", 31)], None, Status.no_data,
     "værdien for andel i job i 2021-02 (at sammenligne 2021-03 med) er ikke kendt pr. 10.04.2021"),
    # a tolerance on a ranking is a number of places, not a place ('nr. 3')
    ("a place inside the tolerance", {"kind": "at_most", "value": 10, "tolerance": 3}, PLACE, D(2021, 3, 1),
     [obs(PLACE, "2020", 12)], None, Status.at_risk,
     "nr. 12 i 2020 er over kravet på højst nr. 10, men inden for tolerancen på 3 pladser"),
    ("a place inside a tolerance of one", {"kind": "at_most", "value": 10, "tolerance": 1}, PLACE, D(2021, 3, 1),
     [obs(PLACE, "2020", 11)], None, Status.at_risk,
     "nr. 11 i 2020 er over kravet på højst nr. 10, men inden for tolerancen på 1 plads"),
    ("published rank inside a tolerance of one", {"kind": "rank", "top": 20, "tolerance": 1}, SHARE, D(2021, 6, 1),
     [obs(SHARE, "2020", 21, series="rank", municipality=VEJLE)], VEJLE, Status.at_risk,
     "den offentliggjorte placering nr. 21 for 2020 er uden for top 20, men inden for tolerancen på 1 plads"),
]


@pytest.mark.parametrize(("spec", "kpi", "day", "rows", "municipality", "status", "explanation"),
                         [c[1:] for c in EXPLAINED], ids=[c[0] for c in EXPLAINED])
def test_the_explanation_says_what_the_status_says(spec: dict[str, Any], kpi: KPI, day: dt.date,
                                                   rows: list[Observation], municipality: str | None,
                                                   status: Status, explanation: str) -> None:
    r = run(spec, kpi, day, *rows, municipality=municipality)
    assert (r.status, r.explanation) == (status, explanation)
    assert_recomputable(r)


def _shortfall_status(value: float, expected: float, higher: bool, tolerance: float) -> Status | None:
    """The status a reviewer computes by hand; None when the figures sit on a boundary (float noise)."""
    shortfall = expected - value if higher else value - expected
    if min(abs(shortfall), abs(shortfall - tolerance)) < 1e-6 * max(1.0, abs(expected)):
        return None
    if shortfall < 0:
        return Status.on_track
    return Status.at_risk if shortfall < tolerance else Status.off_track


def assert_recomputable(r: TargetResult) -> None:
    """The inputs recorded with a decision are enough to decide it again, and agree with the result."""
    i = r.inputs
    assert i["kind"] in {"at_least", "at_most", "change", "trajectory", "benchmark", "rank", "direction"}
    if r.status is Status.no_data:
        assert r.actual is None and r.expected is None and r.explanation
        return
    assert (i["expected"], i["period"]) == (r.expected, r.period)
    assert isinstance(i["tolerance"], float) and isinstance(i["expected"], float)
    if i["kind"] == "rank":
        rank = i["value"] if i["rank_source"] == "published" else i["rank_best"]
        assert r.actual == rank and i["expected"] == i["top"]
        assert isinstance(rank, float)
        assert _shortfall_status(rank, i["expected"], False, i["tolerance"]) in (None, r.status)
        return
    assert r.actual == i["value"] and isinstance(i["value"], float)
    higher = i["good_direction"] == "higher"
    assert i["good_direction"] in ("higher", "lower")
    if i["kind"] == "direction":
        gain = (i["value"] - i["expected"]) * (1 if higher else -1)
        assert i["previous"] == i["expected"]
        if abs(gain) > 1e-6:
            assert (gain > 0) is (r.status is Status.on_track)
        return
    assert _shortfall_status(i["value"], i["expected"], higher, i["tolerance"]) in (None, r.status)
    if i["kind"] == "change":
        assert isinstance(i["baseline"], float) and isinstance(i["required_change"], float)
        assert i["expected"] == pytest.approx(i["baseline"] + i["required_change"])
        assert 0 <= float(i["fraction"] or 0) <= 1
    if i["kind"] == "benchmark":
        assert isinstance(i["benchmark"], float) and isinstance(i["margin"], float)
        assert i["expected"] == pytest.approx(i["benchmark"] + (i["margin"] if higher else -i["margin"]))
    side = ("er på eller over" if higher else "er på eller under") if r.status is Status.on_track else (
        "er under" if higher else "er over")
    assert f" {side} " in r.explanation
    assert (", men inden for tolerancen på " in r.explanation) is (r.status is Status.at_risk)


@settings(max_examples=150, deadline=None)
@given(targets(), observation_sets(), st.dates(D(2016, 1, 1), D(2023, 1, 1)), st.booleans(),
       st.sampled_from([None, VEJLE]))
def test_every_decision_can_be_recomputed_from_its_inputs(t: Target, rows: list[Observation], day: dt.date,
                                                          higher: bool, municipality: str | None) -> None:
    kpi = SHARE.model_copy(update={"higher_is_better": higher})
    r = evaluate(t, kpi, ObservationStore(rows).as_of(day), municipality)
    assert r.inputs["kind"] == t.kind and r.inputs["as_of"] == day.isoformat()
    assert r.inputs["municipality"] == municipality
    assert_recomputable(r)


# ------------------------------------------------------------ inputs: the municipality's own series
# Each kind reads the code-labelled series when the store holds one; the unlabelled rows here would
# give another status, so a kind that fell back to them would be caught. The inputs are asserted in
# full: they are the audit record a reviewer recomputes the decision from.

def _own(kpi: KPI, period: str, value: float, series: str = "local") -> Observation:
    return obs(kpi, period, value, series=series, municipality=SILKEBORG)


OWN_SERIES: list[tuple[str, dict[str, Any], KPI, dt.date, list[Observation], Status, dict[str, Any]]] = [
    ("change", SILKEBORG_60, PERSONS, D(2017, 1, 15),
     [_own(PERSONS, "2015-12", 500), _own(PERSONS, "2016-12", 470), obs(PERSONS, "2015-12", 900),
      obs(PERSONS, "2016-12", 100)], Status.at_risk,
     {"kind": "change", "kpi": "uddhj", "as_of": "2017-01-15", "tolerance": 5.0, "by": -60.0, "unit": "absolute",
      "by_period": "2017-12", "path": "linear", "good_direction": "lower", "value": 470.0, "period": "2016-12",
      "value_known_at": "2017-01-01", "baseline_period": "2015-12", "baseline": 500.0,
      "fraction": pytest.approx(366 / 731), "required_change": pytest.approx(-60 * 366 / 731),
      "expected": pytest.approx(500 - 60 * 366 / 731)}),
    ("change on last year", {"kind": "change", "baseline": "previous_year", "by": 10, "unit": "percent"}, MATCHES,
     D(2018, 2, 1), [_own(MATCHES, "2016", 200), _own(MATCHES, "2017", 230), obs(MATCHES, "2016", 1000),
                     obs(MATCHES, "2017", 1)], Status.on_track,
     {"kind": "change", "kpi": "matches", "as_of": "2018-02-01", "tolerance": 0.0, "by": 10.0, "unit": "percent",
      "by_period": None, "good_direction": "higher", "value": 230.0, "period": "2017", "value_known_at": "2018-01-01",
      "baseline_period": "2016", "baseline": 200.0, "fraction": 1.0, "required_change": 20.0, "expected": 220.0}),
    ("trajectory", EUD, SHARE, D(2030, 1, 1), [_own(SHARE, "2022", 27.5), obs(SHARE, "2022", 1)], Status.on_track,
     {"kind": "trajectory", "kpi": "share", "as_of": "2030-01-01", "tolerance": 0.5, "good_direction": "higher",
      "milestones": "2020: 25, 2025: 30", "value": 27.5, "period": "2022", "value_known_at": "2023-01-01",
      "path_date": "2022-12-31", "expected": pytest.approx(interpolate(MILESTONES, D(2022, 12, 31)))}),
    ("benchmark against the municipality's own cluster",
     {"kind": "benchmark", "series": "klynge", "margin": 2, "tolerance": 1}, SHARE, D(2021, 3, 1),
     [_own(SHARE, "2020", 40), _own(SHARE, "2020", 37.5, "klynge"), obs(SHARE, "2020", 1),
      obs(SHARE, "2020", 60, series="klynge")], Status.on_track,
     {"kind": "benchmark", "kpi": "share", "as_of": "2021-03-01", "tolerance": 1.0, "series": "klynge",
      "relation": "better", "margin": 2.0, "comparison": "inclusive", "good_direction": "higher", "value": 40.0,
      "period": "2020",
      "value_known_at": "2021-01-01", "benchmark": 37.5, "expected": 39.5}),
    ("direction", {"kind": "direction", "must": "fall", "compare": "previous_year", "tolerance": 1}, SHARE,
     D(2021, 4, 10), [_own(SHARE, "2020-03", 40), _own(SHARE, "2021-03", 39.5), obs(SHARE, "2020-03", 1),
                      obs(SHARE, "2021-03", 100)], Status.on_track,
     {"kind": "direction", "kpi": "share", "as_of": "2021-04-10", "tolerance": 1.0, "must": "fall",
      "compare": "previous_year", "good_direction": "lower", "value": 39.5, "period": "2021-03",
      "value_known_at": "2021-04-01", "previous_period": "2020-03", "previous": 40.0, "expected": 40.0}),
    ("computed rank with missing municipalities", {"kind": "rank", "top": 20, "of": 98, "tolerance": 3}, SHARE,
     D(2021, 5, 1), nation(SHARE, "2021-03", 83.5, _NINETY), Status.on_track,
     {"kind": "rank", "kpi": "share", "as_of": "2021-05-01", "tolerance": 3.0, "top": 20, "of": 98,
      "value": 83.5, "period": "2021-03", "value_known_at": "2021-04-01", "rank_source": "computed",
      "compared": 90, "missing": 8, "rank_best": 6.0, "rank_worst": 14.0, "expected": 20.0}),
]


@pytest.mark.parametrize(("spec", "kpi", "day", "rows", "status", "inputs"), [c[1:] for c in OWN_SERIES],
                         ids=[c[0] for c in OWN_SERIES])
def test_each_kind_reads_the_municipality_s_own_series_and_records_every_input(
        spec: dict[str, Any], kpi: KPI, day: dt.date, rows: list[Observation], status: Status,
        inputs: dict[str, Any]) -> None:
    municipality = VEJLE if spec["kind"] == "rank" else SILKEBORG
    r = run(spec, kpi, day, *rows, municipality=municipality)
    assert r.status is status
    assert r.inputs == {**inputs, "municipality": municipality}
    assert list(r.inputs)[:5] == ["kind", "kpi", "as_of", "municipality", "tolerance"]


def test_a_goal_passes_its_municipality_on_and_names_itself_in_the_inputs() -> None:
    g = goal(kpi="share", target=AT_LEAST_26)
    r = goal_result(g, {"share": SHARE}, view(D(2018, 2, 1), obs(SHARE, "2017", 20), _own(SHARE, "2017", 27)),
                    SILKEBORG)
    assert (r.status, r.inputs["goal"], r.inputs["municipality"]) == (Status.on_track, "g1", SILKEBORG)
    assert next(iter(r.inputs)) == "goal"
    empty = view(D(2018, 2, 1))
    no_target = goal_result(goal(kpi="share"), {"share": SHARE}, empty)
    unknown = goal_result(goal(kpi="nope", target=AT_LEAST_26), {"share": SHARE}, empty)
    assert (no_target.explanation, no_target.inputs) == ("målet 'g1' har intet succeskriterie at måle",
                                                         {"goal": "g1", "kpi": "share"})
    assert (unknown.explanation, unknown.inputs) == (
        "målet 'g1' måles med nøgletallet 'nope', som ikke er defineret", {"goal": "g1", "kpi": "nope"})


# ------------------------------------------------------------------------ the rounding-noise band
# A figure within a relative 1e-9 of its target meets it (sums like 200 * 1.1 land a hair beside),
# and no further: both edges of the band, for thresholds and for directions.

@pytest.mark.parametrize(("target_value", "value", "tolerance", "status"), [
    (0, -1e-9, 0, Status.on_track),                  # exactly the noise band below 0
    (1, 1 - 1.5e-9, 0, Status.off_track),            # beyond it
    (1000, 1000 - 5e-7, 0, Status.on_track),         # the band grows with the target
    (1000, 1000 - 5e-6, 0, Status.off_track),
    (0, -(1.0 + 1e-9), 1, Status.at_risk),           # exactly the tolerance plus the band
    (0, -(1.0 + 3e-9), 1, Status.off_track),
])
def test_rounding_noise_band(target_value: float, value: float, tolerance: float, status: Status) -> None:
    r = run({"kind": "at_least", "value": target_value, "tolerance": tolerance}, SHARE, D(2018, 2, 1),
            obs(SHARE, "2017", value))
    assert r.status is status


@pytest.mark.parametrize(("value", "tolerance", "status", "moved"), [
    (1e-9, 0, Status.off_track, "var uændret"),      # a rise within the noise is no rise
    (-1e-9, 0, Status.off_track, "var uændret"),
    (2e-9, 0, Status.on_track, "steg"),
    (-2e-9, 0, Status.off_track, "faldt"),
    (-(1.0 + 1e-9), 1, Status.at_risk, "faldt"),      # a fall of exactly the tolerance plus the noise
])
def test_direction_noise_band(value: float, tolerance: float, status: Status, moved: str) -> None:
    r = run({"kind": "direction", "must": "rise", "tolerance": tolerance}, SHARE, D(2021, 4, 10),
            obs(SHARE, "2021-02", 0), obs(SHARE, "2021-03", value))
    assert r.status is status
    assert f" {moved} fra 0,0 % i 2021-02; den skal stige" in r.explanation


def test_numbers_in_explanations() -> None:
    """A figure is never rounded so far that it reads as the threshold it misses: 1,999 is not 2,00."""
    r = run({"kind": "at_least", "value": 2}, SHARE, D(2018, 2, 1), obs(SHARE, "2017", 1.999))
    assert r.explanation == "1,999 % i 2017 er under kravet på mindst 2,0 %"
    r = run({"kind": "at_least", "value": 2}, SHARE, D(2018, 2, 1), obs(SHARE, "2017", 1.25))
    assert r.explanation == "1,25 % i 2017 er under kravet på mindst 2,0 %"
    r = run({"kind": "at_most", "value": 2}, SHARE, D(2018, 2, 1), obs(SHARE, "2017", 2.0004))
    assert r.explanation.startswith("2,0004 % i 2017")


def test_a_small_positive_change_asks_for_more() -> None:
    r = run({"kind": "change", "baseline": "2016", "by": 0.5}, PERSONS, D(2018, 2, 1), obs(PERSONS, "2016", 10),
            obs(PERSONS, "2017", 10.4))
    assert (r.inputs["good_direction"], r.status) == ("higher", Status.off_track)


def test_a_trajectory_needs_a_milestone() -> None:
    with pytest.raises(ValueError, match=r"^a trajectory needs at least one milestone$"):
        interpolate([], D(2020, 1, 1))


# ------------------------------------------------------------ benchmarks: strict, negative margins, noise band

@pytest.mark.parametrize(("relation", "own", "status", "text"), [
    ("better", 40, Status.on_track, "40,0 % i 2020 er over national (38,0 %) og altså bedre"),
    ("better", 37, Status.off_track, "37,0 % i 2020 er under national (38,0 %) og altså ikke bedre"),
    ("worse", 37, Status.on_track, "37,0 % i 2020 er under national (38,0 %) og altså dårligere"),
    ("worse", 39, Status.off_track, "39,0 % i 2020 er over national (38,0 %) og altså ikke dårligere"),
])
def test_a_strict_benchmark_says_over_or_under_and_whether_that_is_the_relation(
        relation: str, own: float, status: Status, text: str) -> None:
    r = run({"kind": "benchmark", "relation": relation}, SHARE, D(2021, 3, 1), obs(SHARE, "2020", own),
            obs(SHARE, "2020", 38, series="national"))
    assert (r.status, r.explanation, r.inputs["comparison"]) == (status, text, "strict")


@pytest.mark.parametrize(("relation", "margin", "own", "national", "expected", "words"), [
    ("better", -2, 37.0, 38.0, 36.0, "er på eller over de 36,0 %, der kræves for at være"),
    ("worse", -1, 35.5, 35.0, 36.0, "er på eller under de 36,0 %, der kræves for at være"),
])
def test_a_negative_margin_allows_the_other_side_of_the_benchmark(relation: str, margin: float, own: float,
                                                                  national: float, expected: float,
                                                                  words: str) -> None:
    spec = {"kind": "benchmark", "relation": relation, "margin": margin}
    ok = run(spec, SHARE, D(2021, 3, 1), obs(SHARE, "2020", own), obs(SHARE, "2020", national, series="national"))
    assert (ok.status, ok.expected, ok.inputs["comparison"]) == (Status.on_track, expected, "inclusive")
    other = "dårligere" if relation == "better" else "bedre"
    assert words in ok.explanation
    assert ok.explanation.endswith(f"{abs(margin):.1f} % {other} end national ({national:.1f} %)".replace(".", ","))
    beyond = own - 1.5 if relation == "better" else own + 1.5   # past the allowed margin on the wrong side
    bad = run(spec, SHARE, D(2021, 3, 1), obs(SHARE, "2020", beyond), obs(SHARE, "2020", national, series="national"))
    assert bad.status is Status.off_track and words.replace("på eller over", "under").replace(
        "på eller under", "over") in bad.explanation


def test_a_negative_margin_is_explained_as_at_most() -> None:
    """'Bedre end national med mindst -2' allows being at most 2 worse: 'højst', not 'mindst'."""
    spec = {"kind": "benchmark", "relation": "better", "margin": -2}
    r = run(spec, SHARE, D(2021, 3, 1), obs(SHARE, "2020", 37), obs(SHARE, "2020", 38, series="national"))
    assert r.explanation == ("37,0 % i 2020 er på eller over de 36,0 %, der kræves for at være højst 2,0 % "
                             "dårligere end national (38,0 %)")
    worse = run(spec | {"relation": "worse", "margin": -1}, SHARE, D(2021, 3, 1), obs(SHARE, "2020", 37),
                obs(SHARE, "2020", 38, series="national"))
    assert worse.status is Status.on_track and worse.explanation.endswith(
        "er på eller under de 39,0 %, der kræves for at være højst 1,0 % bedre end national (38,0 %)")


@pytest.mark.parametrize(("own", "status", "words"), [
    (1e-9, Status.off_track, "er lig med national (0,0) og altså ikke bedre"),   # inside the noise band: equal
    (2e-9, Status.on_track, "er over national (0,0) og altså bedre"),
])
def test_better_than_a_benchmark_ignores_rounding_noise(own: float, status: Status, words: str) -> None:
    r = run(BETTER_THAN_NATIONAL | {"tolerance": 0}, MATCHES, D(2021, 3, 1), obs(MATCHES, "2020", own),
            obs(MATCHES, "2020", 0.0, series="national"))
    assert r.status is status and r.explanation.endswith(words)


def test_strictly_better_at_the_edge_of_its_tolerance_is_at_risk() -> None:
    def judged(own: float) -> TargetResult:
        return run(BETTER_THAN_NATIONAL | {"tolerance": 1}, MATCHES, D(2021, 3, 1), obs(MATCHES, "2020", own),
                   obs(MATCHES, "2020", 0.0, series="national"))
    edge = judged(-(1 + 1e-9))  # short by exactly the tolerance plus the noise band
    assert edge.status is Status.at_risk and edge.explanation.endswith(
        "er under national (0,0) og altså ikke bedre, men inden for tolerancen på 1,0")
    past = judged(-1.01)
    assert past.status is Status.off_track and "tolerancen" not in past.explanation


# ------------------------------------------------------------------ goals with a target period

def test_a_target_period_goal_says_not_known_in_the_period_only_once_it_has_begun() -> None:
    goal = _goal(SHARE, kind="at_least", value=40, period="2022")
    store = ObservationStore([obs(SHARE, "2021-12", 45.0), obs(SHARE, "2022-01", 38.0)])
    for day in (D(2021, 12, 15), D(2022, 1, 1)):  # before it and on its first day: the ordinary words
        r = goal_result(goal, {"share": SHARE}, store.as_of(day))
        assert r.status is Status.no_data
        assert r.explanation == f"ingen værdi for andel i job er kendt pr. {day:%d.%m.%Y}"
    begun = goal_result(goal, {"share": SHARE}, store.as_of(D(2022, 1, 2)))
    assert begun.explanation == "ingen tal for andel i job for 2022 er kendt pr. 02.01.2022"
    measured = goal_result(goal, {"share": SHARE}, store.as_of(D(2022, 2, 5)))
    assert measured.status is Status.off_track
    assert measured.explanation == "38,0 % i 2022-01 er under kravet på mindst 40,0 %"
    assert measured.inputs["goal"] == "g" and measured.inputs["target_period"] == "2022"
    assert measured.inputs["value"] == 38.0 and measured.inputs["as_of"] == "2022-02-05"
    assert measured.model_fields_set == {"status", "actual", "expected", "period", "explanation", "inputs"}


def test_a_target_period_goal_reads_the_municipality_s_own_series_and_criteria_on_their_own_kpi() -> None:
    other = KPI(id="other", name="andel på ydelse", unit="%", higher_is_better=False)
    goal = _goal(SHARE, kind="all_of", period="2022", criteria=[
        {"kind": "at_least", "value": 40}, {"kind": "at_most", "value": 2, "kpi": "other"}])
    store = ObservationStore([obs(SHARE, "2022-01", 45.0, municipality=VEJLE), obs(SHARE, "2022-01", 30.0),
                              obs(other, "2022-01", 1.5)])
    r = goal_result(goal, {"share": SHARE, "other": other}, store.as_of(D(2022, 3, 1)), VEJLE)
    assert r.status is Status.on_track and [p.actual for p in r.parts] == [45.0, 1.5]
    assert r.inputs["municipality"] == VEJLE and r.inputs["target_period"] == "2022"


def test_a_period_target_s_figure_does_not_go_stale_but_a_compound_s_unknown_part_stays_unknown() -> None:
    monthly = KPI(id="share", name="andel i job", unit="%", published="monthly")
    other = KPI(id="other", name="andel på ydelse", unit="%", higher_is_better=False)
    store = ObservationStore([obs(monthly, "2022-01", 38.0), obs(monthly, "2023-01", 50.0)])
    in_2022 = goal_result(_goal(monthly, kind="at_least", value=40, period="2022"), {"share": monthly},
                          store.as_of(D(2030, 1, 1)))
    assert (in_2022.status, in_2022.period) == (Status.off_track, "2022-01") and "stale_after" not in in_2022.inputs
    # all_of with its first criterion measured (so a period) and the second not known: not known, and why
    both = _goal(monthly, kind="all_of", criteria=[{"kind": "at_least", "value": 40},
                                                   {"kind": "at_most", "value": 2, "kpi": "other"}])
    r = goal_result(both, {"share": monthly, "other": other}, store.as_of(D(2030, 1, 1)))
    assert (r.status, r.period) == (Status.no_data, "2023-01") and "stale_after" not in r.inputs
    assert r.explanation.startswith("alle af 2 kriterier skal være opfyldt: [1: på sporet] 50,0 %")
    stale = goal_result(_goal(monthly, kind="at_least", value=40), {"share": monthly}, store.as_of(D(2030, 1, 1)))
    assert stale.status is Status.no_data and stale.inputs["stale_after"] == "2023-03-31"
    assert stale.inputs["value"] == 50.0 and stale.inputs["goal"] == "g"


def test_a_change_judged_on_its_end_period_reads_the_municipality_s_own_series() -> None:
    spec = {"kind": "change", "baseline": "2020", "by": 10, "by_period": "2021"}
    rows = (obs(SHARE, "2020", 40.0, municipality=VEJLE), obs(SHARE, "2021", 52.0, municipality=VEJLE),
            obs(SHARE, "2022", 60.0, municipality=VEJLE), obs(SHARE, "2020", 40.0), obs(SHARE, "2021", 45.0),
            obs(SHARE, "2022", 41.0))
    r = run(spec, SHARE, D(2023, 3, 1), *rows, municipality=VEJLE)
    assert (r.status, r.actual, r.period, r.expected) == (Status.on_track, 52.0, "2021", 50.0)


def test_a_place_in_a_ranking_is_written_nr() -> None:
    place = KPI(id="pl", name="placering", unit="nr.", higher_is_better=False)
    r = run({"kind": "at_most", "value": 20, "tolerance": 3}, place, D(2022, 3, 1), obs(place, "2021", 22))
    assert r.status is Status.at_risk and r.explanation.startswith("nr. 22 i 2021 er over kravet på højst nr. 20, ")


def test_a_change_never_asks_for_more_than_by_after_its_by_period() -> None:
    """Against the previous year with a by_period inside the figure's year: a whole year has passed
    since the baseline, twice the span to by_period, and the full change is asked for, not twice it."""
    spec = {"kind": "change", "baseline": "previous_year", "by": 10, "by_period": "2022-06"}
    for value, status in ((50.0, Status.on_track), (49.0, Status.off_track)):
        r = run(spec, SHARE, D(2023, 3, 1), obs(SHARE, "2021", 40), obs(SHARE, "2022", value))
        assert (r.status, r.expected, r.inputs["fraction"], r.inputs["required_change"]) == (status, 50.0, 1.0, 10.0)


def test_a_change_is_written_with_up_to_three_decimals() -> None:
    r = run({"kind": "change", "baseline": "2020", "by": 1.2346}, MATCHES, D(2022, 3, 1), obs(MATCHES, "2020", 10),
            obs(MATCHES, "2021", 11.5))
    assert r.status is Status.on_track
    assert r.explanation == "11,5 i 2021 er på eller over de forventede 11,23 (10,0 i 2020 ændret med +1,235)"
