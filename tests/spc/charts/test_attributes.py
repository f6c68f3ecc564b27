"""p, np, c, u, g and Laney charts against qcc (charts/qcc_*.json) and formulas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from qcity.spc.charts import (
    Standards,
    c_chart,
    g_chart,
    laney_p_chart,
    laney_u_chart,
    np_chart,
    p_chart,
    phase2,
    u_chart,
)

from .conftest import assert_printed, attribute

REL = 1e-12  # qcc_oracle_computed.json: full precision


def _check(res: Any, case: dict[str, Any], se: float) -> None:
    assert_printed(res.center, case["center"])
    assert_printed(se, case["std_dev"])
    assert_printed(res.lcl, case["LCL"])
    assert_printed(res.ucl, case["UCL"])


def test_p_orangejuice(vignette: dict[str, Any], oracle: dict[str, Any]) -> None:
    d, n, trial = attribute("orangejuice.csv", "D")
    res = p_chart(d[trial], n[trial], rules="we1")
    # qcc_vignette_published.json "p orangejuice trial (30 x n=50)"; std_dev is qcc's sd.p,
    # the standard error sqrt(p(1-p)/n)
    case = vignette["p orangejuice trial (30 x n=50)"]
    _check(res, case, res.se)  # type: ignore[arg-type]
    assert (res.out_of_control + 1).tolist() == case["out_of_control_samples"]
    ref = oracle["orangejuice_p_trial"]  # qcc_oracle_computed.json
    assert res.center == pytest.approx(ref["center"], rel=REL)
    assert res.lcl == pytest.approx(ref["LCL"], rel=REL)
    assert res.ucl == pytest.approx(ref["UCL"], rel=REL)
    assert (res.out_of_control + 1).tolist() == ref["violations"]
    # NIST 6.3.3.2 uses the same data: p̄ 0.2313 (README, main anchors)
    assert_printed(res.center, 0.2313)


def test_p_orangejuice_without_15_23(vignette: dict[str, Any]) -> None:
    d, n, trial = attribute("orangejuice.csv", "D")
    res = p_chart(d[trial], n[trial], exclude=[14, 22])
    case = vignette["p orangejuice trial minus samples 15,23 (28 groups)"]
    _check(res, case, res.se)  # type: ignore[arg-type]


def test_p_orangejuice2(vignette: dict[str, Any]) -> None:
    d, n, trial = attribute("orangejuice2.csv", "D")
    res = p_chart(d[trial], n[trial])
    case = vignette["p orangejuice2 trial (24 groups)"]
    _check(res, case, res.se)  # type: ignore[arg-type]
    assert res.lcl == 0.0  # clipped


def test_np_orangejuice(vignette: dict[str, Any], oracle: dict[str, Any]) -> None:
    d, _, trial = attribute("orangejuice.csv", "D")
    res = np_chart(d[trial], 50)
    _check(res, vignette["np orangejuice trial"], res.se)  # type: ignore[arg-type]
    ref = oracle["orangejuice_np_trial"]
    assert res.center == pytest.approx(ref["center"], rel=REL)
    assert res.lcl == pytest.approx(ref["LCL"], rel=REL)
    assert res.ucl == pytest.approx(ref["UCL"], rel=REL)


def test_c_circuit(vignette: dict[str, Any], oracle: dict[str, Any]) -> None:
    x, _, trial = attribute("circuit.csv")
    res = c_chart(x[trial], rules="we1")
    case = vignette["c circuit trial (26 x 100 boards)"]
    _check(res, case, res.sigma)
    assert (res.out_of_control + 1).tolist() == case["out_of_control_samples"]
    ref = oracle["circuit_c_trial"]
    assert res.center == pytest.approx(ref["center"], rel=REL)
    assert res.lcl == pytest.approx(ref["LCL"], rel=REL)
    assert res.ucl == pytest.approx(ref["UCL"], rel=REL)
    again = c_chart(x[trial], exclude=[5, 19])
    _check(again, vignette["c circuit trial minus 6,20 (24 groups)"], again.sigma)


def test_u_circuit_and_pcmanufact(vignette: dict[str, Any], oracle: dict[str, Any]) -> None:
    x, n, trial = attribute("circuit.csv")
    res = u_chart(x[trial], n[trial], exclude=[5, 19])
    # std_dev in qcc's u chart is sqrt(ū) (per unit) = ChartResult.sigma
    _check(res, vignette["u circuit trial minus 6,20 (size=100)"], res.sigma)
    x, n, _ = attribute("pcmanufact.csv")
    res = u_chart(x, n)
    _check(res, vignette["u pcmanufact (20 x 5 units)"], res.sigma)
    ref = oracle["pcmanufact_u"]
    assert res.lcl == pytest.approx(ref["LCL"], rel=REL)
    assert res.ucl == pytest.approx(ref["UCL"], rel=REL)


def test_u_dyedcloth_variable_limits(oracle: dict[str, Any]) -> None:
    x, n, _ = attribute("dyedcloth.csv")
    res = u_chart(x, n)
    ref = oracle["dyedcloth_u_variable_n"]  # qcc_oracle_computed.json
    assert res.limits_vary
    np.testing.assert_array_equal(res.sizes, ref["sizes"])  # type: ignore[arg-type]
    assert res.center == pytest.approx(ref["center"], rel=REL)
    np.testing.assert_allclose(res.lcl, ref["LCL"], rtol=REL)
    np.testing.assert_allclose(res.ucl, ref["UCL"], rtol=REL)
    assert res.violations.tolist() == ref["violations"]


def test_p_chart_unequal_sizes_per_point() -> None:
    res = p_chart([5, 9, 4], [50, 100, 40])
    p = 18 / 190
    np.testing.assert_allclose(res.ucl, p + 3 * np.sqrt(p * (1 - p) / np.array([50, 100, 40])))
    assert res.limits_vary


def test_g_chart_geometric() -> None:
    g = np.array([12.0, 30, 7, 45, 22, 3, 18, 60, 9, 25])
    res = g_chart(g)
    gbar = g.mean()
    law = stats.geom(1 / (gbar + 1), loc=-1)  # conforming items between events: 0, 1, 2, ...
    assert res.center == pytest.approx(law.mean(), rel=1e-13)
    assert res.sigma == pytest.approx(law.std(), rel=1e-13)
    assert res.ucl == pytest.approx(gbar + 3 * law.std(), rel=1e-13)
    assert res.lcl == 0.0
    prob = g_chart(g, conf=0.99)
    assert prob.ucl == law.ppf(0.995) and prob.lcl == law.ppf(0.005)


def test_laney_p_formula_and_reduction() -> None:
    x = np.array([30.0, 42, 25, 51, 38, 47, 29, 44])
    n = np.array([1000.0, 1100, 900, 1200, 1000, 1050, 950, 1100])
    res = laney_p_chart(x, n)
    p = x.sum() / n.sum()
    sp = np.sqrt(p * (1 - p) / n)
    z = (x / n - p) / sp
    sz = np.mean(np.abs(np.diff(z))) / 1.128
    np.testing.assert_allclose(res.ucl, p + 3 * sp * sz, rtol=1e-13)
    assert res.standards.sigma_z == pytest.approx(sz, rel=1e-13)
    # with σ_z = 1 the p′ chart is the p chart
    same = laney_p_chart(x, n, standards=Standards(sigma_z=1.0))
    np.testing.assert_allclose(same.ucl, p_chart(x, n).ucl, rtol=1e-14)


def test_laney_u_formula() -> None:
    x = np.array([30.0, 42, 25, 51, 38])
    n = np.array([100.0, 110, 90, 120, 100])
    res = laney_u_chart(x, n)
    u = x.sum() / n.sum()
    su = np.sqrt(u / n)
    z = (x / n - u) / su
    sz = np.mean(np.abs(np.diff(z))) / 1.128
    np.testing.assert_allclose(res.lcl, np.maximum(u - 3 * su * sz, 0), rtol=1e-13)


def test_phase2_attribute_from_result() -> None:
    d, n, trial = attribute("orangejuice.csv", "D")
    ref = p_chart(d[trial], n[trial], exclude=[14, 22])
    new = phase2(ref, d[~trial], n[~trial])
    assert new.center == ref.center and new.ucl == ref.ucl
    assert new.points.size == int((~trial).sum())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: p_chart([-1, 2], 10), "negative"),
        (lambda: p_chart([1, 2], [10, 10, 10]), "one size per subgroup"),
        (lambda: p_chart([11, 2], 10), "only 10"),
        (lambda: p_chart([0, 0], 10), "all counts are zero"),
        (lambda: np_chart([1, 2], [10, 12]), "constant subgroup size"),
        (lambda: u_chart([1, 2], [0, 1]), "positive"),
        (lambda: c_chart([1, np.nan]), "missing"),
        (lambda: g_chart([1, 2], conf=2.0), "conf"),
        (lambda: p_chart([1, 2], None), "required"),  # type: ignore[arg-type]
    ],
)
def test_bad_input(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
