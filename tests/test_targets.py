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

TARGET = TypeAdapter(Target)
D = dt.date

SHARE = KPI(id="share", name="andel i job", unit="%")
PERSONS = KPI(id="uddhj", name="årspersoner på uddannelseshjælp", unit="persons", higher_is_better=False)
MATCHES = KPI(id="matches", name="ledige matchet til job")
VAIN = KPI(id="vain", name="forgæves rekrutteringer", unit="%", higher_is_better=False)

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


def test_change_after_by_period_keeps_full_requirement() -> None:
    r = run(SILKEBORG_60, PERSONS, D(2018, 8, 1), BASE_500, obs(PERSONS, "2018-06", 441))
    assert r.inputs["fraction"] == 1.0
    assert r.expected == 440 and r.status is Status.at_risk


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
    (40.0, Status.on_track), (38.0, Status.on_track), (36.5, Status.at_risk), (35.0, Status.off_track)])
def test_benchmark_better_than_national(local: float, status: Status) -> None:
    r = run(BETTER_THAN_NATIONAL, SHARE, D(2018, 3, 1),
            obs(SHARE, "2017", local), obs(SHARE, "2017", 38, series="national"))
    assert r.status is status
    assert r.inputs["benchmark"] == 38 and r.inputs["series"] == "national"
    assert r.expected == 38


def test_benchmark_explanation() -> None:
    r = run(BETTER_THAN_NATIONAL, SHARE, D(2018, 3, 1),
            obs(SHARE, "2017", 36.5), obs(SHARE, "2017", 38, series="national"))
    assert r.explanation == ("36,5 % i 2017 er under de 38,0 %, der kræves for at være bedre end national "
                             "(38,0 %), men inden for tolerancen på 2,0 %")


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
    else:
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
