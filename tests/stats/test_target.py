"""The probability of meeting a pass-rate target, against independent computations.

The exact method sums the beta-binomial posterior predictive with scipy. Here it is checked
against (a) the closed forms for one and two further samples, P(Y=1) = a/(a+b) and
P(Y=2) = a(a+1)/((a+b)(a+b+1)) (Bernardo & Smith 1994, Bayesian Theory, App. A: beta-binomial
moments), (b) a direct summation of the beta-binomial pmf
C(m,y) B(y+a, m-y+b) / B(a,b) written with math.lgamma, and (c) a plain Monte Carlo
simulation with numpy, within 4 standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qcity.stats import probability_of_meeting_target


def log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def tail_by_summation(passed: int, samples: int, target: float, m: int) -> float:
    """P((passed + Y) / (samples + m) >= target), Y ~ beta-binomial(m, passed+½, failed+½)."""
    a, b = passed + 0.5, samples - passed + 0.5
    total = 0.0
    for y in range(m + 1):
        if passed + y >= target * (samples + m) - 1e-9:
            log_c = math.lgamma(m + 1) - math.lgamma(y + 1) - math.lgamma(m - y + 1)
            total += math.exp(log_c + log_beta(y + a, m - y + b) - log_beta(a, b))
    return total


def test_one_and_two_further_samples_closed_form() -> None:
    # 19/20 so far, target 95 %: with one more sample the rate stays >= 95 % iff it passes.
    one = probability_of_meeting_target(19, 20, 0.95, 1)
    a, b = 19.5, 1.5
    assert one.probability == pytest.approx(a / (a + b), abs=1e-12)
    # 20 + 2 = 22 samples need 20.9 -> 21 passes: both further samples must pass.
    two = probability_of_meeting_target(19, 20, 0.95, 2)
    assert two.probability == pytest.approx(a * (a + 1) / ((a + b) * (a + b + 1)), abs=1e-12)
    assert (one.posterior_alpha, one.posterior_beta) == (19.5, 1.5)


@pytest.mark.parametrize(
    ("passed", "samples", "target", "m"),
    [(980, 1000, 0.98, 1000), (490, 500, 0.985, 700), (95, 100, 0.95, 37), (0, 3, 0.5, 10)],
)
def test_exact_matches_direct_summation(passed: int, samples: int, target: float, m: int) -> None:
    got = probability_of_meeting_target(passed, samples, target, m).probability
    assert got == pytest.approx(tail_by_summation(passed, samples, target, m), abs=1e-10)


def test_monte_carlo_agrees_and_is_deterministic() -> None:
    exact = probability_of_meeting_target(980, 1000, 0.98, 1000).probability
    mc = probability_of_meeting_target(980, 1000, 0.98, 1000, method="monte-carlo", seed=7)
    again = probability_of_meeting_target(980, 1000, 0.98, 1000, method="monte-carlo", seed=7)
    assert mc.probability == again.probability
    se = math.sqrt(exact * (1 - exact) / 200_000)
    assert abs(mc.probability - exact) < 4 * se
    # An independent simulation with plain numpy.
    rng = np.random.default_rng(11)
    p = rng.beta(980.5, 20.5, 400_000)
    finals = (980 + rng.binomial(1000, p)) / 2000
    assert abs(float(np.mean(finals >= 0.98)) - exact) < 4 * math.sqrt(exact * (1 - exact) / 4e5)


def test_nothing_remaining_is_certain() -> None:
    assert probability_of_meeting_target(98, 100, 0.98, 0).probability == 1.0
    assert probability_of_meeting_target(97, 100, 0.98, 0).probability == 0.0
    assert probability_of_meeting_target(2, 100, 0.02, 0, comparator="<=").probability == 1.0


def test_at_most_comparator_is_the_complement_side() -> None:
    up = probability_of_meeting_target(90, 100, 0.9, 50)
    down = probability_of_meeting_target(90, 100, 0.9, 50, comparator="<=")
    # P(final >= t) + P(final <= t) = 1 + P(final == t); 150 * 0.9 = 135 is reachable.
    a, b, m, need = 90.5, 10.5, 50, 45
    log_c = math.lgamma(m + 1) - math.lgamma(need + 1) - math.lgamma(m - need + 1)
    equal = math.exp(log_c + log_beta(need + a, m - need + b) - log_beta(a, b))
    assert up.probability + down.probability == pytest.approx(1 + equal, abs=1e-10)


def test_more_volume_at_a_rate_above_target_raises_the_probability() -> None:
    small = probability_of_meeting_target(99, 100, 0.98, 100).probability
    large = probability_of_meeting_target(990, 1000, 0.98, 1000).probability
    assert 0.5 < small < large < 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [((5, 4, 0.9, 1), "passed"), ((0, 0, 0.9, 0), "undefined"), ((1, 2, 98.0, 1), "fraction")],
)
def test_rejects_bad_input(args: tuple[int, int, float, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        probability_of_meeting_target(*args)
