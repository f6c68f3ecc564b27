"""Six Sigma metrics: DPU, DPMO, yields and sigma-level conversions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import qcity.spc.sixsigma as ss_pkg
from qcity.spc.sixsigma import (
    defect_metrics,
    dpmo_from_sigma,
    first_pass_yield,
    rolled_throughput_yield,
    sigma_level,
    yield_from_sigma,
)


def test_public_surface() -> None:
    assert sorted(ss_pkg.__all__) == sorted(
        [
            "DefectMetrics", "ParetoItem", "ParetoResult", "defect_metrics", "dpmo_from_sigma",
            "first_pass_yield", "pareto", "rolled_throughput_yield", "sigma_level",
            "yield_from_sigma",
        ]
    )  # fmt: skip


# The classic sigma conversion table (Motorola / Harry 1988, with the 1.5 sigma shift),
# printed to whole DPMO except 3.4 at 6 sigma.
SHIFTED_TABLE = [(1, 691462), (2, 308538), (3, 66807), (4, 6210), (5, 233), (6, 3.4)]


@pytest.mark.parametrize(("sigma", "dpmo"), SHIFTED_TABLE)
def test_shifted_table(sigma: float, dpmo: float) -> None:
    got = dpmo_from_sigma(sigma)
    assert abs(got - dpmo) <= (0.05 if sigma == 6 else 0.5)
    assert sigma_level(dpmo=got) == pytest.approx(sigma, rel=1e-12)
    assert got == pytest.approx(1e6 * stats.norm.sf(sigma - 1.5), rel=1e-12)  # independent


def test_unshifted_conversions() -> None:
    assert dpmo_from_sigma(3.0, shift=0.0) == pytest.approx(1e6 * stats.norm.sf(3.0), rel=1e-12)
    assert sigma_level(yield_=0.99865, shift=0.0) == pytest.approx(stats.norm.ppf(0.99865))
    assert sigma_level(yield_=0.5, shift=0.0) == 0.0
    assert yield_from_sigma(4.5, shift=0.0) == pytest.approx(stats.norm.cdf(4.5))
    assert sigma_level(yield_=1.0) == math.inf


@settings(max_examples=100, deadline=None)
@given(
    sigma=st.floats(min_value=-3.0, max_value=7.5),
    shift=st.sampled_from([0.0, 1.5]),
)
def test_round_trip(sigma: float, shift: float) -> None:
    dpmo = dpmo_from_sigma(sigma, shift=shift)
    assert sigma_level(dpmo=dpmo, shift=shift) == pytest.approx(sigma, abs=1e-7)
    y = yield_from_sigma(sigma, shift=shift)
    assert y == pytest.approx(1 - dpmo / 1e6, abs=1e-15)


def test_defect_metrics() -> None:
    m = defect_metrics(defects=34, units=1000, opportunities=10)
    assert m.dpu == pytest.approx(0.034)
    assert m.dpo == pytest.approx(0.0034)
    assert m.dpmo == pytest.approx(3400.0)
    assert m.yield_ == pytest.approx(0.9966)
    assert m.sigma_long_term == pytest.approx(stats.norm.isf(0.0034))
    assert m.sigma_short_term == pytest.approx(m.sigma_long_term + 1.5)
    d = m.to_dict()
    assert d["yield"] == m.yield_ and "yield_" not in d


def test_yields() -> None:
    assert first_pass_yield(200, 180) == 0.9
    assert rolled_throughput_yield([0.9, 0.95, 0.99]) == pytest.approx(0.9 * 0.95 * 0.99)
    assert rolled_throughput_yield([first_pass_yield(100, 100)]) == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: defect_metrics(-1, 10), "defects"),
        (lambda: defect_metrics(1, 0), "units must be a positive"),
        (lambda: defect_metrics(1, 10, 0), "opportunities"),
        (lambda: defect_metrics(50, 10, 2), "exceed"),
        (lambda: first_pass_yield(10, 11), "cannot exceed"),
        (lambda: rolled_throughput_yield([]), "at least one step"),
        (lambda: rolled_throughput_yield([0.9, 1.2]), "step 2 yield"),
        (lambda: sigma_level(), "exactly one"),
        (lambda: sigma_level(yield_=0.9, dpmo=10), "exactly one"),
        (lambda: sigma_level(dpmo=2e6), "dpmo"),
        (lambda: sigma_level(yield_=0.9, shift=-1), "shift"),
        (lambda: dpmo_from_sigma(float("nan")), "number"),
    ],
)
def test_bad_input_raises(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()
