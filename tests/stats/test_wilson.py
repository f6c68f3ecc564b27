"""Wilson score interval against published values and an independent closed form.

References
----------
- E. B. Wilson (1927), "Probable inference, the law of succession, and statistical inference",
  JASA 22:209-212 (the interval).
- R. G. Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison
  of seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (score interval
  without continuity correction): 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605;
  0/20 -> 0.0000-0.1611; 1/29 -> 0.0061-0.1718 (printed to 4 decimals).
- L. D. Brown, T. T. Cai, A. DasGupta (2001), "Interval estimation for a binomial proportion",
  Statistical Science 16:101-133, eq. (4): the same closed form, used below independently.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import qcity.stats
from qcity.stats import wilson_bounds, wilson_interval

NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


def closed_form(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Brown-Cai-DasGupta (2001) eq. (4), written out with the math module only."""
    p = x / n
    centre = (x + z * z / 2) / (n + z * z)
    half = (z * math.sqrt(n) / (n + z * z)) * math.sqrt(p * (1 - p) + z * z / (4 * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@pytest.mark.parametrize(("x", "n", "low", "high"), NEWCOMBE_1998)
def test_newcombe_1998_table_ii(x: int, n: int, low: float, high: float) -> None:
    ci = wilson_interval(x, n)
    assert round(ci.low, 4) == low
    assert round(ci.high, 4) == high


@pytest.mark.parametrize(("x", "n"), [(0, 1), (1, 1), (3, 7), (49, 50), (980, 1000), (5, 10**6)])
def test_matches_independent_closed_form(x: int, n: int) -> None:
    low, high = closed_form(x, n)
    ci = wilson_interval(x, n)
    assert ci.low == pytest.approx(low, abs=1e-12)
    assert ci.high == pytest.approx(high, abs=1e-12)
    assert ci.estimate == x / n


def test_vectorised_bounds_and_empty_groups() -> None:
    low, high = wilson_bounds([81, 0, 3], [263, 0, 3])
    assert round(float(low[0]), 4) == 0.2553
    assert np.isnan(low[1]) and np.isnan(high[1])
    assert high[2] == 1.0 and low[2] == pytest.approx(closed_form(3, 3)[0], abs=1e-12)


def test_other_confidence_levels_use_the_normal_quantile() -> None:
    # z for 90 % is 1.6448536269514722 (standard normal 0.95 quantile).
    ci = wilson_interval(15, 148, confidence=0.90)
    low, high = closed_form(15, 148, z=1.6448536269514722)
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize(("x", "n"), [(-1, 3), (4, 3)])
def test_rejects_impossible_counts(x: int, n: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(x, n)


def test_rejects_zero_trials_and_bad_confidence() -> None:
    with pytest.raises(ValueError, match="positive"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, confidence=1.0)


def test_public_surface_and_docstring_examples() -> None:
    assert set(qcity.stats.__all__) == {
        "ProportionInterval",
        "TargetProbability",
        "probability_of_meeting_target",
        "wilson_bounds",
        "wilson_interval",
    }
    assert doctest.testmod(qcity.stats).failed == 0
