"""Derived budget figures and the parsing of amounts, months and dates."""

from __future__ import annotations

import datetime as dt

import pytest
from govcore_budget.figures import (
    budget_status,
    cumulative_share,
    derive,
    expected_spent,
    extrapolate_forecast,
    normalise_profile,
    r2,
)
from govcore_budget.parsing import parse_amount, parse_date, parse_month

from govcore import Status

LATE = [0.0] * 6 + [1.0] * 6  # nothing expected before July


def test_flat_profile_is_twelve_equal_shares() -> None:
    assert normalise_profile(None) == pytest.approx((1 / 12,) * 12)
    assert sum(normalise_profile([2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2])) == pytest.approx(1.0)


@pytest.mark.parametrize(("weights", "message"), [
    ([1] * 11, "12 månedsvægte"),
    ([1] * 11 + [-1], "0 eller mere"),
    ([0] * 12, "skal være over 0"),
])
def test_bad_profiles(weights: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_profile(weights)


def test_cumulative_share_and_expected_spending() -> None:
    assert cumulative_share(normalise_profile(None), 4) == pytest.approx(4 / 12)
    assert cumulative_share(normalise_profile(None), 12) == 1.0
    assert cumulative_share(LATE, 6) == 0.0
    assert cumulative_share(LATE, 9) == pytest.approx(0.5)
    assert expected_spent(120_000_000, 4) == pytest.approx(40_000_000)
    assert expected_spent(120, 9, LATE) == pytest.approx(60)
    with pytest.raises(ValueError, match="måneden skal være 1-12"):
        cumulative_share(LATE, 13)


def test_forecast_is_extrapolated_by_the_profile() -> None:
    assert extrapolate_forecast(41_000_000, 120_000_000, 4) == pytest.approx(123_000_000)
    assert extrapolate_forecast(70, 120, 9, LATE) == pytest.approx(140)
    # nothing expected yet: what was spent comes on top of the budget
    assert extrapolate_forecast(5, 120, 3, LATE) == 125


def test_derive_spending_and_forecast_deviations() -> None:
    f = derive(budget=120_000_000, spent=41_000_000, committed=1_500_000, forecast=None, month=4)
    assert f.forecast == 123_000_000.0
    assert f.expected_spent == 40_000_000.0
    assert f.spent_deviation == 1_000_000.0
    assert f.spent_deviation_pct == 2.5
    assert f.forecast_deviation == 3_000_000.0
    assert f.forecast_deviation_pct == 2.5
    g = derive(budget=1000, spent=300, committed=0, forecast=990, month=3)
    assert g.forecast == 990 and g.forecast_deviation == -10 and g.forecast_deviation_pct == -1.0
    assert g.spent_deviation_pct == 20.0  # 300 against 250 expected
    # nothing expected yet: the spending deviation is a share of the budget
    h = derive(budget=1000, spent=10, committed=0, forecast=1000, month=2, profile=LATE)
    assert h.expected_spent == 0.0 and h.spent_deviation_pct == 1.0


def test_derive_looks_up_the_share_of_its_own_profile_and_month() -> None:
    """derive remembers the share to date of a tuple profile: asked again with another profile or
    month, and with the same weights as a list, it gives what the functions themselves give."""
    late, flat, front = normalise_profile(LATE), normalise_profile(None), normalise_profile([3] + [1] * 11)
    for _ in range(2):  # the second pass answers from what the first remembered
        for profile in (late, flat, front, list(front)):
            for month in (1, 2, 6, 12):
                f = derive(budget=1200, spent=100, committed=0, forecast=None, month=month, profile=profile)
                assert f.expected_spent == r2(expected_spent(1200, month, profile)), (profile, month)
                assert f.forecast == r2(extrapolate_forecast(100, 1200, month, profile)), (profile, month)
    assert derive(1200, 100, 0, None, 1, front).expected_spent == 257.14  # 3 of 14 weights
    assert derive(1200, 100, 0, None, 1, flat).expected_spent == 100.0
    assert derive(1200, 100, 0, None, 2, flat).expected_spent == 200.0


def test_figures_are_plain_rounded_floats() -> None:
    f = derive(budget=3, spent=1, committed=0, forecast=None, month=7)
    for name, value in f.as_dict().items():
        assert isinstance(value, float), name
        assert value == round(value, 2) and "e" not in repr(value), name
    assert r2(-0.001) == 0.0 and repr(r2(-0.001)) == "0.0"
    assert (r2(0.625), r2(-0.625), r2(1.005), r2(2.675)) == (0.63, -0.63, 1.01, 2.68)
    with pytest.raises(ValueError):
        r2(float("nan"))


@pytest.mark.parametrize(("deviation", "pct", "tolerance", "status"), [
    (3_000_000, 2.5, 1.0, Status.off_track),
    (500_000, 0.42, 1.0, Status.at_risk),
    (1_200_000, 1.0, 1.0, Status.at_risk),  # exactly at the tolerance is still within it
    (0, 0.0, 1.0, Status.on_track),
    (-10, -1.0, 1.0, Status.on_track),
    (5, 0.0, 0.0, Status.at_risk),
])
def test_status(deviation: float, pct: float, tolerance: float, status: Status) -> None:
    assert budget_status(deviation, pct, tolerance) is status


@pytest.mark.parametrize(("cell", "value"), [
    ("1.234.567,89", 1234567.89),
    ("1234567.89", 1234567.89),
    ("1234567,89", 1234567.89),
    ("1,234,567.89", 1234567.89),
    ("1 234 567,89", 1234567.89),
    ("1\u00a0234\u00a0567,89", 1234567.89),
    ("120.000.000", 120000000.0),
    ("1.500", 1500.0),
    ("1,5", 1.5),
    ("0,125", 0.125),
    ("-1.234,50", -1234.5),
    ("−250", -250.0),
    ("(1.234,50)", -1234.5),
    ("1.234,50-", -1234.5),
    ("12.345 kr.", 12345.0),
    ("kr. 99,95", 99.95),
    ("1,2E+06", 1200000.0),
    ("0", 0.0),
    (1234567, 1234567.0),
    (1234.5, 1234.5),
])
def test_amounts(cell: object, value: float) -> None:
    assert parse_amount(cell) == pytest.approx(value)


@pytest.mark.parametrize("cell", ["abc", "1.23.4", "12a", "1,234.5,6", "1.2.3,4.5", "-", "", True, None])
def test_not_amounts(cell: object) -> None:
    with pytest.raises(ValueError, match=r"er ikke et beløb|er ikke et endeligt beløb"):
        parse_amount(cell)


@pytest.mark.parametrize(("cell", "month"), [
    ("2021-04", "2021-04"),
    ("2021/4", "2021-04"),
    ("202104", "2021-04"),
    (202104, "2021-04"),
    ("04-2021", "2021-04"),
    ("4.2021", "2021-04"),
    ("2021-04-30", "2021-04"),
    ("30.04.2021", "2021-04"),
    ("april 2021", "2021-04"),
    ("Apr. 2021", "2021-04"),
    ("maj 2021", "2021-05"),
    (dt.datetime(2021, 4, 30), "2021-04"),
    (dt.date(2021, 12, 1), "2021-12"),
])
def test_months(cell: object, month: str) -> None:
    assert parse_month(cell) == month


@pytest.mark.parametrize("cell", ["2021", "2021-13", "31.04.2021", "Q2 2021", "foo", 3.5, None])
def test_not_months(cell: object) -> None:
    with pytest.raises(ValueError):
        parse_month(cell)


def test_dates() -> None:
    assert parse_date("2021-05-03") == dt.date(2021, 5, 3)
    for text in ("03-05-2021", "3.5.2021", "03/05/2021"):
        assert parse_date(text) == dt.date(2021, 5, 3)
    assert parse_date(dt.datetime(2021, 5, 3, 12)) == dt.date(2021, 5, 3)
    for bad in ("2021-02-30", "May 3", "", 20210503):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_r2_is_decimal_rounding_of_the_shortest_text() -> None:
    """`r2` skips the decimal arithmetic for a figure with two decimals or fewer: it must give what
    rounding `Decimal(repr(x))` half up to øre gives, for every kind of float."""
    import random
    from decimal import ROUND_HALF_UP, Decimal

    def reference(value: float) -> float:
        out = float(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        return 0.0 if out == 0 else out

    rnd = random.Random(12)
    values = [0.0, -0.0, 1.0, -1.0, 0.005, -0.005, 0.015, 1.005, 2.675, 0.125, 1e-7, -1e-7, 1e16, 1.5e17, -2.5e22,
              123.45, -123.45, 304000000.0, 25333333.333333332, 0.1 + 0.2, 1e15 + 0.3, 7, -7, 10**20]
    values += [rnd.uniform(-1e9, 1e9) for _ in range(3000)]
    values += [round(rnd.uniform(-1e6, 1e6), rnd.randint(0, 4)) for _ in range(3000)]
    values += [rnd.randint(-10**7, 10**7) / 1000 for _ in range(3000)]
    for v in values:
        got, want = r2(v), reference(v)
        assert repr(got) == repr(want), v
