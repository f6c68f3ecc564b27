"""Plan design from producer's and consumer's risk points.

Oracles: tests/fixtures/spc/acceptance/single_plan_oc_examples.json -- R AcceptanceSampling
find.plan (Kiermeier) and AccSamplingDesign optPlan vignettes, via capstat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from qcity.spc.sampling import check_plan, find_plan, probability_of_acceptance

Cases = dict[str, dict[str, Any]]


def test_acceptance_sampling_find_plan(oc_cases: Cases) -> None:
    # find.plan(PRP=c(0.05, 0.95), CRP=c(0.15, 0.075), type="binom") -> n 80, c 7, r 8.
    prp, crp = oc_cases["R-AcceptanceSampling-20-0"]["input"]["PRP"], [0.15, 0.075]
    plan = find_plan(prp[0], 1 - prp[1], crp[0], crp[1])
    expected = oc_cases["R-AcceptanceSampling-findplan"]["expected"]
    assert (plan.n, plan.c, plan.r) == (expected["n"], expected["c"], expected["r"])


def test_acc_sampling_design_opt_plan(oc_cases: Cases) -> None:
    case = oc_cases["R-AccSamplingDesign-optPlan"]
    inp, exp, tol = case["input"], case["expected"], case["tolerance"]["abs"]
    plan = find_plan(inp["PRQ"], inp["alpha"], inp["CRQ"], inp["beta"], model=inp["model"])
    assert (plan.n, plan.c) == (exp["n"], exp["c"])
    assert plan.producer_risk == pytest.approx(exp["achieved_producer_risk"], abs=tol)
    assert plan.consumer_risk == pytest.approx(exp["achieved_consumer_risk"], abs=tol)
    pa = probability_of_acceptance([0.03], plan.n, plan.c)[0]
    assert pa == pytest.approx(exp["Pa_at_0.03"], abs=tol)


def test_check_plan_20_0(oc_cases: Cases) -> None:
    case = oc_cases["R-AcceptanceSampling-20-0"]
    (p1, pa1), (p2, beta) = case["input"]["PRP"], case["input"]["CRP"]
    check = check_plan(20, 0, p1, 1 - pa1, p2, beta)
    assert check.meets_producer is case["expected"]["meets_PRP"]
    assert check.meets_consumer is case["expected"]["meets_CRP"]
    assert check.pa_at_p1 == pytest.approx(case["expected"]["Pa_at_0.05"], abs=5e-9)


def _brute_force(p1: float, alpha: float, p2: float, beta: float) -> tuple[int, int] | None:
    """Independent exhaustive search over n <= 120 and every c <= n."""
    for n in range(1, 121):
        c = np.arange(n + 1)
        ok = (stats.binom.cdf(c, n, p1) >= 1 - alpha) & (stats.binom.cdf(c, n, p2) <= beta)
        if ok.any():
            return n, int(np.flatnonzero(ok)[0])
    return None


@settings(max_examples=25, deadline=None)
@given(
    p1=st.floats(0.01, 0.1),
    ratio=st.floats(2.5, 6.0),
    alpha=st.floats(0.01, 0.2),
    beta=st.floats(0.01, 0.2),
)
def test_find_plan_matches_brute_force(p1: float, ratio: float, alpha: float, beta: float) -> None:
    p2 = min(p1 * ratio, 0.9)
    expected = _brute_force(p1, alpha, p2, beta)
    if expected is None:
        with pytest.raises(ValueError, match="no single sampling plan"):
            find_plan(p1, alpha, p2, beta, max_n=120)
    else:
        plan = find_plan(p1, alpha, p2, beta, max_n=120)
        assert (plan.n, plan.c) == expected


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0.1, 0.05, 0.05, 0.1), "p1 < p2"),
        ((0.01, 0.0, 0.05, 0.1), "alpha"),
        ((0.01, 0.05, 0.05, 1.0), "beta"),
    ],
)
def test_find_plan_rejects_bad_points(args: tuple[float, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        find_plan(*args)


def test_poisson_design_meets_points() -> None:
    plan = find_plan(0.01, 0.05, 0.05, 0.10, model="poisson")
    assert plan.producer_risk <= 0.05
    assert plan.consumer_risk <= 0.10
    smaller = find_plan(0.01, 0.05, 0.05, 0.10, model="poisson", max_n=plan.n)
    assert smaller.n == plan.n
    with pytest.raises(ValueError, match="no single sampling plan"):
        find_plan(0.01, 0.05, 0.05, 0.10, model="poisson", max_n=plan.n - 1)
