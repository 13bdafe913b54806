"""The significance test and the classification of survey areas."""

from __future__ import annotations

import pytest
from govcore_surveys.stats import Classification, classify, is_significant, two_proportion_z


def test_the_same_drop_is_noise_with_few_responses_and_significant_with_many() -> None:
    small = two_proportion_z(80.0, 30, 75.0, 30)
    large = two_proportion_z(80.0, 2000, 75.0, 2000)
    assert small == pytest.approx(-0.464, abs=0.001)
    assert large == pytest.approx(-3.787, abs=0.001)
    assert not is_significant(small)
    assert is_significant(large)


def test_z_by_hand() -> None:
    # p1 = .70 (n 400), p2 = .76 (n 500): pooled .7333, se = sqrt(.7333 * .2667 * (1/400 + 1/500)) = .02966
    assert two_proportion_z(70, 400, 76, 500) == pytest.approx(0.06 / 0.029665, rel=1e-3)
    assert two_proportion_z(76, 500, 70, 400) == pytest.approx(-two_proportion_z(70, 400, 76, 500))
    assert two_proportion_z(100, 50, 100, 80) == 0.0
    assert two_proportion_z(0, 50, 0, 80) == 0.0
    with pytest.raises(ValueError):
        two_proportion_z(70, 0, 76, 500)


@pytest.mark.parametrize(("score", "baseline", "z", "expected"), [
    (None, False, 0.0, Classification.no_data),
    (82.0, True, 0.0, Classification.baseline),
    (60.0, True, 0.0, Classification.lift),  # a first measurement below the threshold must be lifted
    (60.0, False, 3.0, Classification.lift),  # better than the baseline, but still below the threshold
    (75.0, False, -3.79, Classification.lift),  # significantly below the baseline
    (75.0, False, -0.46, Classification.keep),  # the same drop with few responses is noise
    (70.0, False, 0.0, Classification.keep),  # exactly at the threshold
    (85.0, False, 2.5, Classification.keep),
])
def test_classification(score: float | None, baseline: bool, z: float, expected: Classification) -> None:
    assert classify(score, threshold=70.0, is_baseline=baseline, z=z) is expected


def test_a_stricter_critical_value() -> None:
    assert classify(75.0, 70.0, False, -2.2) is Classification.lift
    assert classify(75.0, 70.0, False, -2.2, z_critical=2.58) is Classification.keep
