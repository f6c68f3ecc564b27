"""EWMA and CUSUM against qcc (charts/qcc_*.json) and NIST (charts/ewma_6.3.2.4.json, ...)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qcity.spc.charts import Standards, cusum_chart, ewma_chart, phase2

from .conftest import assert_printed, load_json

REL = 1e-12


def test_ewma_pistonrings_vignette(pistonrings: np.ndarray, vignette: dict[str, Any]) -> None:
    res = ewma_chart(pistonrings[:25], lam=0.2, nsigmas=3)
    # qcc_vignette_published.json "ewma pistonrings[1:25] lambda=0.2 nsigmas=3 (...)"
    case = vignette["ewma pistonrings[1:25] lambda=0.2 nsigmas=3 (time-varying limits)"]
    for i in (1, 2, 25):
        assert_printed(res.lcl[i - 1], case[f"LCL_{i}"])  # type: ignore[index]
        assert_printed(res.ucl[i - 1], case[f"UCL_{i}"])  # type: ignore[index]


def test_ewma_pistonrings_oracle(pistonrings: np.ndarray, oracle: dict[str, Any]) -> None:
    res = ewma_chart(pistonrings[:25])
    ref = oracle["pistonrings_ewma_l0.2_L3"]  # qcc_oracle_computed.json
    np.testing.assert_allclose(res.points, ref["ewma"], rtol=REL)
    np.testing.assert_allclose(res.lcl, ref["LCL"], rtol=REL)
    np.testing.assert_allclose(res.ucl, ref["UCL"], rtol=REL)
    assert res.limits_vary and res.violations.size == 0


def test_ewma_viscosity_vignette(
    viscosity: tuple[np.ndarray, np.ndarray], vignette: dict[str, Any]
) -> None:
    v, trial = viscosity
    res = ewma_chart(v[trial], new_data=v[~trial], lam=0.2, nsigmas=2.7)
    case = vignette["ewma viscosity trial lambda=0.2 nsigmas=2.7"]
    for i in (1, 2, 35):
        assert_printed(res.lcl[i - 1], case[f"LCL_{i}"])  # type: ignore[index]
        assert_printed(res.ucl[i - 1], case[f"UCL_{i}"])  # type: ignore[index]


def test_ewma_nist() -> None:
    ref = load_json("ewma_6.3.2.4.json")  # NIST e-Handbook 6.3.2.4
    inp, exp, tol = ref["input"], ref["expected"], ref["tolerance"]
    res = ewma_chart(
        inp["data"], lam=inp["lambda"], nsigmas=inp["L"], steady_state=True,
        start=inp["ewma_start"], standards=Standards(mean=inp["target"], sigma=inp["sigma"]),
    )  # fmt: skip
    # the handbook prints the series to 2 decimals after rounding each step: JSON ewma_abs
    np.testing.assert_allclose(res.points, exp["ewma"], atol=tol["ewma_abs"])
    # printed 47.4115 / 52.5884 (truncated; formula 47.41157 / 52.58843): JSON limits_abs
    assert abs(res.lcl - exp["LCL_steady_state"]) <= tol["limits_abs"]  # type: ignore[operator]
    assert abs(res.ucl - exp["UCL_steady_state"]) <= tol["limits_abs"]  # type: ignore[operator]
    assert (res.violations.size == 0) == exp["in_control"]


def test_ewma_exact_limits_converge_to_steady_state() -> None:
    x = np.random.default_rng(5).normal(size=200)
    exact = ewma_chart(x, lam=0.1, standards=Standards(mean=0.0, sigma=1.0))
    steady = ewma_chart(x, lam=0.1, steady_state=True, standards=Standards(mean=0.0, sigma=1.0))
    assert isinstance(exact.ucl, np.ndarray) and np.all(np.diff(exact.ucl) >= 0)
    assert exact.ucl[-1] == pytest.approx(steady.ucl, rel=1e-12)
    assert steady.ucl == pytest.approx(3 * np.sqrt(0.1 / 1.9), rel=1e-14)


def test_cusum_pistonrings_oracle(pistonrings: np.ndarray, oracle: dict[str, Any]) -> None:
    # qcc: cusum(diameter[1:25,], decision.interval = 4, se.shift = 1)
    res = cusum_chart(pistonrings[:25], decision_interval=4, se_shift=1)
    ref = oracle["pistonrings_cusum_h4_k0.5"]  # qcc_oracle_computed.json
    # z = (x̄ - 74.001176)/0.0044 amplifies the ~1e-16 relative rounding of x̄ and the
    # centre by ~1.7e4, so identical formulas agree to ~1e-11 absolute, not 1e-15.
    np.testing.assert_allclose(res.points, ref["pos"], rtol=0, atol=1e-10)
    assert res.secondary is not None
    np.testing.assert_allclose(res.secondary.points, ref["neg"], rtol=0, atol=1e-10)
    assert res.ucl == 4 and res.lcl == -4 and res.violations.size == 0
    same = cusum_chart(pistonrings[:25], k=0.5, h=4)
    np.testing.assert_array_equal(same.points, res.points)


def test_cusum_nist() -> None:
    ref = load_json("cusum_6.3.2.3.json")  # NIST e-Handbook 6.3.2.3
    inp, exp = ref["input"], ref["expected"]
    sd = inp["sigma_of_means"]
    res = cusum_chart(
        inp["data"], k=inp["K"] / sd, h=inp["H"] / sd,
        standards=Standards(mean=inp["target"], sigma=sd),
    )  # fmt: skip
    assert res.secondary is not None
    # printed to 2 decimals from 2-decimal inputs: JSON tolerance abs 0.03
    np.testing.assert_allclose(res.points * sd, exp["S_hi"], atol=ref["tolerance"]["abs"])
    np.testing.assert_allclose(
        -res.secondary.points * sd, exp["S_lo"], atol=ref["tolerance"]["abs"]
    )
    assert int(res.violations[0, 1]) + 1 == exp["first_signal_group_1based"]


def test_cusum_matches_loop_and_head_start() -> None:
    z = np.random.default_rng(9).normal(0.3, 1, 500)
    res = cusum_chart(z, k=0.25, h=8, head_start=2.0, standards=Standards(mean=0.0, sigma=1.0))
    hi, lo, up, down = 2.0, 2.0, [], []
    for v in z:  # the textbook recursion
        hi, lo = max(0.0, hi + v - 0.25), max(0.0, lo - v - 0.25)
        up.append(hi)
        down.append(-lo)
    assert res.secondary is not None
    np.testing.assert_allclose(res.points, up, atol=1e-11)
    np.testing.assert_allclose(res.secondary.points, down, atol=1e-11)


def test_phase2_time_weighted(pistonrings: np.ndarray) -> None:
    ref = ewma_chart(pistonrings[:25])
    new = phase2(ref, pistonrings[25:])
    assert new.center == ref.center and new.sigma == ref.sigma
    c = phase2(cusum_chart(pistonrings[:25]), pistonrings[25:])
    assert c.violations.size > 0  # the shift after group 35 is signalled


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ewma_chart([1.0, 2.0, 3.0], lam=0), "lam"),
        (lambda: cusum_chart([1.0, 2.0, 3.0], k=0.5, se_shift=1), "either k or se_shift"),
        (lambda: cusum_chart([1.0, 2.0, 3.0], h=0), "positive"),
        (lambda: cusum_chart([1.0, 2.0, 3.0], head_start=6), "head_start"),
        (lambda: ewma_chart([1.0, 1.0, 1.0]), "no variation"),
        (lambda: ewma_chart(np.ones((4, 3)), sigma_method="MR"), "does not fit"),
    ],
)
def test_bad_input(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
