"""OC curve, AOQ, AOQL and ATI against published examples.

Oracle: tests/fixtures/spc/acceptance/single_plan_oc_examples.json (copied from
/work/shared/reference/spc/acceptance/; NIST e-Handbook 6.2.3.2 and Minitab via capstat).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from qcity.spc.sampling import aoql, oc_curve, probability_of_acceptance

Cases = dict[str, dict[str, Any]]


def test_nist_pa_table(oc_cases: Cases) -> None:
    # NIST 6.2.3.2 (n=52, c=3): Pa printed to 3 decimals. The json notes say rows
    # p=0.04 and p=0.05 differ by ~1e-3 in the published table; they get that tolerance.
    case = oc_cases["nist-52-3"]
    p = np.array(case["input"]["p"])
    pa = oc_curve(52, 3, p, lot_size=10000).pa
    tol = np.where(np.isin(np.round(p, 2), [0.04, 0.05]), 1e-3, 5e-4)
    assert np.all(np.abs(pa - case["expected"]["Pa"]) <= tol)


def test_nist_aoq_table(oc_cases: Cases) -> None:
    # Published AOQ uses the Pa*p approximation (no lot-size factor), 4 decimals.
    # p=0.01: published 0.0010 is a typo for 0.0100 (json notes); exact AOQ 0.009930.
    # p=0.03: published 0.0278, but Pa*p = 0.9295*0.03 = 0.02789 (0.0279 even with the
    # published Pa 0.93) -- a second rounding slip not listed in the notes.
    case = oc_cases["nist-52-3"]
    p = np.array(case["input"]["p"])
    published = np.array(case["expected"]["AOQ_published"])
    approx = oc_curve(52, 3, p).aoq
    off = sorted(np.round(p[np.abs(approx - published) > 5e-5], 2).tolist())
    assert off == [0.01, 0.03]
    assert abs(approx[2] - published[2]) <= 1e-4
    exact = oc_curve(52, 3, [0.01], lot_size=10000).aoq[0]
    assert exact == pytest.approx(0.009930, abs=5e-7)


def test_nist_ati_table(oc_cases: Cases) -> None:
    # ATI printed as integers, some truncated and some rounded (json notes): each
    # published value is the floor or the rounding of the exact ATI.
    published = np.array(oc_cases["nist-52-3"]["expected"]["ATI_p_0.01_to_0.14"])
    ati = oc_curve(52, 3, np.arange(1, 15) / 100, lot_size=10000).ati
    assert ati is not None
    assert np.all((published == np.floor(ati)) | (published == np.round(ati)))


def test_nist_aoql(oc_cases: Cases) -> None:
    expected = oc_cases["nist-52-3"]["expected"]
    result = aoql(52, 3, lot_size=10000)
    assert result.aoql == pytest.approx(expected["AOQL_exact"], abs=5e-6)
    assert result.p == pytest.approx(expected["AOQL_exact_at_p"], abs=5e-7)
    # Published (grid p = 0.01 ... 0.12, AOQ = Pa*p): 0.0372 at p = 0.06.
    assert aoql(52, 3).aoql == pytest.approx(expected["AOQL_published"], abs=5e-4)


def test_minitab_example(oc_cases: Cases) -> None:
    case = oc_cases["minitab-5000-52-2"]
    inp, exp, tol = case["input"], case["expected"], case["tolerance"]
    oc = oc_curve(52, 2, [inp["AQL"], inp["RQL"]], lot_size=inp["N"])
    assert oc.ati is not None
    np.testing.assert_allclose(oc.pa, [exp["Pa_at_AQL"], exp["Pa_at_RQL"]], atol=tol["abs"])
    assert 100 * oc.aoq[0] == pytest.approx(exp["AOQ_pct_at_AQL"], abs=5e-3)  # 2 decimals
    assert 100 * oc.aoq[1] == pytest.approx(exp["AOQ_pct_at_RQL"], abs=tol["abs"])
    np.testing.assert_allclose(oc.ati, [exp["ATI_at_AQL"], exp["ATI_at_RQL"]], atol=0.05)
    result = aoql(52, 2, lot_size=inp["N"])
    assert 100 * result.aoql == pytest.approx(exp["AOQL_pct"], abs=tol["abs"])
    assert 100 * result.p == pytest.approx(exp["AOQL_at_pct_defective"], abs=0.05)
    # README: recomputed with scipy, 2.60302 % at 4.2997 %.
    assert 100 * result.p == pytest.approx(4.2997, abs=5e-5)


def test_acceptance_sampling_20_0(oc_cases: Cases) -> None:
    case = oc_cases["R-AcceptanceSampling-20-0"]
    pa = probability_of_acceptance([0.05, 0.15], 20, 0)
    expected = [case["expected"]["Pa_at_0.05"], case["expected"]["Pa_at_0.15"]]
    np.testing.assert_allclose(pa, expected, atol=case["tolerance"]["abs"], rtol=0)


def test_models_agree_with_direct_formulas() -> None:
    p = np.array([0.0, 0.02, 0.1])
    poisson = probability_of_acceptance(p, 50, 1, model="poisson")
    np.testing.assert_allclose(poisson, np.exp(-50 * p) * (1 + 50 * p))
    hyper = probability_of_acceptance(p, 50, 1, model="hypergeometric", lot_size=200)
    direct = [stats.hypergeom.cdf(1, 200, round(x * 200), 50) for x in p]
    np.testing.assert_allclose(hyper, direct)


def test_hypergeometric_aoql_is_exact_over_counts() -> None:
    result = aoql(52, 2, model="hypergeometric", lot_size=500)
    counts = np.arange(501)
    pa = stats.hypergeom.cdf(2, 500, counts, 52)
    curve = pa * counts / 500 * (500 - 52) / 500
    assert result.aoql == pytest.approx(curve.max(), rel=1e-12)
    assert result.p * 500 == pytest.approx(counts[np.argmax(curve)])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "normal"}, "model 'normal'"),
        ({"model": "hypergeometric"}, "needs lot_size"),
        ({"lot_size": 10}, "smaller than the sample size"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        oc_curve(52, 2, [0.1], **kwargs)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_bad_fraction(p: float) -> None:
    with pytest.raises(ValueError, match="p must be"):
        probability_of_acceptance([p], 20, 1)


def test_ati_absent_without_lot_size() -> None:
    assert oc_curve(20, 1, [0.1]).ati is None


plans = st.tuples(st.integers(1, 400), st.integers(0, 20)).filter(lambda t: t[1] < t[0])
fractions = st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(plan=plans, p=fractions, model=st.sampled_from(["binomial", "poisson"]))
def test_pa_decreasing_in_p(plan: tuple[int, int], p: list[float], model: str) -> None:
    n, c = plan
    grid = np.sort(np.array(p))
    pa = probability_of_acceptance(grid, n, c, model=model)  # type: ignore[arg-type]
    assert np.all(np.diff(pa) <= 1e-12)
    assert np.all((pa >= 0) & (pa <= 1))


@settings(max_examples=40, deadline=None)
@given(plan=plans, extra=st.integers(0, 2000), p=fractions)
def test_pa_decreasing_in_p_hypergeometric(
    plan: tuple[int, int], extra: int, p: list[float]
) -> None:
    n, c = plan
    pa = probability_of_acceptance(
        np.sort(np.array(p)), n, c, model="hypergeometric", lot_size=n + extra
    )
    assert np.all(np.diff(pa) <= 1e-12)


@settings(max_examples=40, deadline=None)
@given(
    plan=plans,
    extra=st.one_of(st.none(), st.integers(1, 5000)),
    p=fractions,
    model=st.sampled_from(["binomial", "poisson", "hypergeometric"]),
)
def test_aoq_never_exceeds_aoql(
    plan: tuple[int, int], extra: int | None, p: list[float], model: str
) -> None:
    n, c = plan
    if model == "hypergeometric" and extra is None:
        extra = 100
    lot = None if extra is None else n + extra
    limit = aoql(n, c, model=model, lot_size=lot)  # type: ignore[arg-type]
    curve = oc_curve(n, c, np.array(p), model=model, lot_size=lot)  # type: ignore[arg-type]
    assert np.all(curve.aoq <= limit.aoql * (1 + 1e-9) + 1e-15)
    at = oc_curve(n, c, [limit.p], model=model, lot_size=lot).aoq[0]  # type: ignore[arg-type]
    assert at == pytest.approx(limit.aoql, rel=1e-9)


def test_hypergeometric_aoq_uses_whole_items() -> None:
    # Between two whole counts Pa is flat; AOQ must not exceed the AOQL there.
    limit = aoql(52, 2, model="hypergeometric", lot_size=500)
    nearby = oc_curve(52, 2, [limit.p + 0.4 / 500], model="hypergeometric", lot_size=500)
    assert nearby.aoq[0] == pytest.approx(limit.aoql, rel=1e-12)
    assert nearby.p[0] == pytest.approx(limit.p)
