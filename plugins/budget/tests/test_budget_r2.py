"""`r2` rounds to øre half away from zero, as the decimal text of the amount reads (0.625 -> 0.63):
its shortcut for amounts with more than three decimals (`round` of the binary value) gives the
very float the decimal rounding gives, on every kind of amount, ties and near-ties included."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from govcore_budget.figures import r2
from hypothesis import example, given, settings
from hypothesis import strategies as st


def by_the_text(value: float) -> float:
    """The rounding `r2` stands for, done the slow way on every amount."""
    out = float(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return 0.0 if out == 0 else out


# amounts near a half-øre: x.xx5 and its float neighbours, and amounts in kroner as budgets hold them
near_ties = st.builds(lambda k, n: math.nextafter(k / 1000, math.inf if n > 0 else -math.inf) if n else k / 1000,
                      st.integers(-10**12, 10**12).map(lambda k: k - k % 10 + 5), st.integers(-1, 1))
amounts = st.one_of(near_ties, st.floats(-1e13, 1e13, allow_nan=False, allow_infinity=False),
                    st.integers(-10**11, 10**11).map(lambda k: k / 1000),
                    st.integers(-10**9, 10**9).map(lambda k: k / 7))


@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(amounts)
@example(0.625)
@example(-0.625)
@example(1.005)
@example(2.675)
@example(1234.5650000000001)
@example(-0.004999)
def test_r2_is_the_decimal_rounding_of_the_amounts_text(value: float) -> None:
    got, want = r2(value), by_the_text(value)
    assert repr(got) == repr(want), (value, got, want)
