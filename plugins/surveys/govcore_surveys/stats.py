"""The statistics of a survey area: comparison with the baseline and the classification.

Scores are shares of satisfied respondents in percent (0-100). A change from the baseline is only
called a change when a two-proportion z-test finds it significant, so that the noise of a small
sample is not read as better or worse service.
"""

from __future__ import annotations

import math
from enum import StrEnum

from govcore_surveys.i18n import _

Z_CRITICAL = 1.96  # two-sided, 5 % significance level


class Classification(StrEnum):
    lift = "lift"  # løft indsatsen: below the threshold, or significantly below the baseline
    keep = "keep"  # bevar styrken: at/above the threshold and not significantly below the baseline
    baseline = "baseline"  # the first measurement of the area, at/above the threshold
    no_data = "no_data"  # no result known yet


def two_proportion_z(baseline_pct: float, baseline_n: int, score_pct: float, n: int) -> float:
    """z of the change from the baseline share to the current share (pooled two-proportion z-test).

    z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2)) with p the pooled share (p1 n1 + p2 n2) / (n1 + n2).
    0 when the shares cannot differ (both 0 % or both 100 %).
    """
    if baseline_n <= 0 or n <= 0:
        raise ValueError(_("response counts must be at least 1"))
    p1, p2 = baseline_pct / 100.0, score_pct / 100.0
    pooled = (p1 * baseline_n + p2 * n) / (baseline_n + n)
    variance = pooled * (1.0 - pooled) * (1.0 / baseline_n + 1.0 / n)
    if variance <= 0:
        return 0.0
    return (p2 - p1) / math.sqrt(variance)


def is_significant(z: float, z_critical: float = Z_CRITICAL) -> bool:
    return abs(z) >= z_critical


def classify(score: float | None, threshold: float, is_baseline: bool, z: float,
             z_critical: float = Z_CRITICAL) -> Classification:
    """lift > baseline > keep, in that order of precedence.

    A result below the threshold is always 'lift', also the first measurement (the committee must
    decide on it). Otherwise the first measurement is 'baseline'; later ones are 'lift' when
    significantly below the baseline and 'keep' when not.
    """
    if score is None:
        return Classification.no_data
    if score < threshold:
        return Classification.lift
    if is_baseline:
        return Classification.baseline
    if z < 0 and is_significant(z, z_critical):
        return Classification.lift
    return Classification.keep
