"""X̄-R, X̄-S and I-MR charts against qcc (charts/qcc_*.json)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from qcity.spc.charts import (
    Standards,
    d2,
    imr_chart,
    phase2,
    sigma_individuals,
    sigma_within,
    xbar_r_chart,
    xbar_s_chart,
)

from .conftest import assert_printed

REL = 1e-12  # qcc_oracle_computed.json prints 15-16 significant digits; float noise only


def test_xbar_vignette(pistonrings: np.ndarray, vignette: dict[str, Any]) -> None:
    res = xbar_r_chart(pistonrings[:25])
    # qcc_vignette_published.json cases["xbar pistonrings diameter[1:25,] ..."]
    case = vignette["xbar pistonrings diameter[1:25,] (25 groups of 5; sigma=UWAVE-R=mean(R/d2))"]
    assert_printed(res.center, case["center"])
    assert_printed(res.sigma, case["std_dev"])
    assert_printed(res.lcl, case["LCL"])  # type: ignore[arg-type]
    assert_printed(res.ucl, case["UCL"])  # type: ignore[arg-type]


def test_xbar_oracle_full_precision(pistonrings: np.ndarray, oracle: dict[str, Any]) -> None:
    res = xbar_r_chart(pistonrings[:25])
    ref = oracle["pistonrings_xbar_1_25"]  # qcc_oracle_computed.json
    assert res.center == pytest.approx(ref["center"], rel=REL)
    assert res.sigma == pytest.approx(ref["std_dev_UWAVE_R"], rel=REL)
    assert res.lcl == pytest.approx(ref["LCL"], rel=REL)
    assert res.ucl == pytest.approx(ref["UCL"], rel=REL)


def test_r_chart(pistonrings: np.ndarray, vignette: dict[str, Any], oracle: dict[str, Any]) -> None:
    r = xbar_r_chart(pistonrings[:25]).secondary
    assert r is not None and r.chart_type == "r"
    case = vignette["R pistonrings[1:25]"]  # qcc_vignette_published.json
    assert_printed(r.center, case["center"])
    assert_printed(r.ucl, case["UCL"])  # type: ignore[arg-type]
    assert r.lcl == case["LCL"] == 0
    ref = oracle["pistonrings_R_1_25"]  # qcc_oracle_computed.json
    assert r.center == pytest.approx(ref["center"], rel=REL)
    assert r.ucl == pytest.approx(ref["UCL"], rel=REL)


def test_s_chart(pistonrings: np.ndarray, vignette: dict[str, Any], oracle: dict[str, Any]) -> None:
    res = xbar_s_chart(pistonrings[:25])
    s = res.secondary
    assert s is not None and s.chart_type == "s"
    # qcc_vignette_published.json cases["S pistonrings[1:25] (sigma=UWAVE-SD=mean(s/c4))"]
    case = vignette["S pistonrings[1:25] (sigma=UWAVE-SD=mean(s/c4))"]
    assert_printed(s.center, case["center"])
    assert_printed(res.sigma, case["std_dev"])
    assert_printed(s.ucl, case["UCL"])  # type: ignore[arg-type]
    assert s.lcl == 0
    ref = oracle["pistonrings_S_1_25"]  # qcc_oracle_computed.json
    assert s.center == pytest.approx(ref["center"], rel=REL)
    assert res.sigma == pytest.approx(ref["std_dev_UWAVE_SD"], rel=REL)
    assert s.ucl == pytest.approx(ref["UCL"], rel=REL)


@pytest.mark.parametrize("method", ["UWAVE-R", "UWAVE-SD", "MVLUE-R", "MVLUE-SD", "RMSDF"])
def test_sigma_methods(pistonrings: np.ndarray, oracle: dict[str, Any], method: str) -> None:
    # qcc_oracle_computed.json pistonrings_sigma_methods_1_25[method]
    expected = oracle["pistonrings_sigma_methods_1_25"][method]
    assert sigma_within(pistonrings[:25], method) == pytest.approx(expected, rel=REL)
    assert xbar_r_chart(pistonrings[:25], sigma_method=method).sigma == pytest.approx(
        expected, rel=REL
    )


def test_phase2_we_rules(pistonrings: np.ndarray, oracle: dict[str, Any]) -> None:
    # qcc(diameter[1:25,], type="xbar", newdata=diameter[26:40,], rules=1:4)
    # qcc_oracle_computed.json pistonrings_xbar_phase2_WE_rules_1to4 (1-based groups)
    ref = oracle["pistonrings_xbar_phase2_WE_rules_1to4"]
    res = xbar_r_chart(pistonrings[:25], new_data=pistonrings[25:], rules="we")
    assert res.n_phase1 == 25 and res.points.size == 40
    assert res.violations[:, 1].tolist() == [g - 1 for g in ref["violating_group_index"]]
    assert res.violations[:, 0].tolist() == ref["rule"]


def test_phase2_from_result_matches_new_data(pistonrings: np.ndarray) -> None:
    ref = xbar_r_chart(pistonrings[:25])
    new = phase2(ref, pistonrings[25:], rules="we1")
    assert new.center == ref.center and new.ucl == pytest.approx(ref.ucl, rel=1e-15)
    assert new.sigma == ref.sigma
    # groups 37, 38, 39 are beyond the limits (rule 1 in the oracle above)
    assert new.violations.tolist() == [[1, 11], [1, 12], [1, 13]]


def test_standards_given(pistonrings: np.ndarray) -> None:
    std = Standards(mean=74.0, sigma=0.01)
    res = xbar_r_chart(pistonrings[:25], standards=std)
    assert res.center == 74.0
    assert res.ucl == pytest.approx(74.0 + 3 * 0.01 / np.sqrt(5), rel=1e-15)
    assert res.secondary is not None
    assert res.secondary.center == pytest.approx(d2(5, "qcc") * 0.01, rel=1e-15)


def test_unequal_sizes_per_point_limits(pistonrings: np.ndarray) -> None:
    # qcc example "variable control limits": drop some observations, NaN-padded
    data = pistonrings[:25].copy()
    data[1, 4] = data[6, 3] = data[6, 4] = data[12, 2] = np.nan
    res = xbar_r_chart(data)
    sizes = np.array([np.count_nonzero(~np.isnan(row)) for row in data])
    assert res.limits_vary and isinstance(res.ucl, np.ndarray)
    # qcc sd.xbar UWAVE-R: mean of R_i/d2(n_i); limits center ± 3σ/√n_i
    ranges = np.nanmax(data, axis=1) - np.nanmin(data, axis=1)
    sigma = np.mean(ranges / np.array([d2(int(k), "qcc") for k in sizes]))
    center = np.nansum(data) / sizes.sum()
    assert res.sigma == pytest.approx(sigma, rel=1e-13)
    assert res.center == pytest.approx(center, rel=1e-13)
    np.testing.assert_allclose(res.ucl, center + 3 * sigma / np.sqrt(sizes), rtol=1e-13)
    d = res.to_dict()
    assert isinstance(d["ucl"], list) and len(d["ucl"]) == 25


def test_iterative_phase1() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(10, 1, (30, 5))
    data[7] += 4.0  # a shifted subgroup
    once = xbar_r_chart(data)
    again = xbar_r_chart(data, iterate=True)
    assert 7 in once.out_of_control.tolist()
    assert 7 in again.excluded
    kept = np.setdiff1d(np.arange(30), again.excluded)
    assert again.center == pytest.approx(data[kept].mean(), rel=1e-13)
    assert xbar_r_chart(data, exclude=again.excluded).center == again.center


def test_imr_vignette(viscosity: tuple[np.ndarray, np.ndarray], vignette: dict[str, Any]) -> None:
    v, trial = viscosity
    res = imr_chart(v[trial])
    case = vignette["xbar.one viscosity trial (20 obs, sigma=MRbar/1.128)"]
    assert_printed(res.center, case["center"])
    assert_printed(res.sigma, case["std_dev"])
    assert_printed(res.lcl, case["LCL"])  # type: ignore[arg-type]
    assert_printed(res.ucl, case["UCL"])  # type: ignore[arg-type]
    sd = imr_chart(v[trial], sigma_method="SD")
    case = vignette["xbar.one viscosity trial std.dev='SD' (sd/c4(n))"]
    assert_printed(sd.sigma, case["std_dev"])
    assert_printed(sd.lcl, case["LCL"])  # type: ignore[arg-type]
    assert_printed(sd.ucl, case["UCL"])  # type: ignore[arg-type]
    # batch 4 removed (qcc deletes the row; here it is excluded from the estimation)
    drop = imr_chart(v[trial], exclude=[3])
    case = vignette["xbar.one viscosity trial minus batch 4 (19 obs)"]
    for got, key in [(drop.center, "center"), (drop.sigma, "std_dev"), (drop.lcl, "LCL"),
                     (drop.ucl, "UCL")]:  # fmt: skip
        assert_printed(got, case[key])  # type: ignore[arg-type]


def test_imr_oracle(viscosity: tuple[np.ndarray, np.ndarray], oracle: dict[str, Any]) -> None:
    v, trial = viscosity
    res = imr_chart(v[trial])
    ref = oracle["viscosity_I_MR_trial"]  # qcc_oracle_computed.json
    assert res.center == pytest.approx(ref["center"], rel=REL)
    assert res.sigma == pytest.approx(ref["std_dev_MR"], rel=REL)
    assert res.lcl == pytest.approx(ref["LCL"], rel=REL)
    assert res.ucl == pytest.approx(ref["UCL"], rel=REL)
    ref = oracle["viscosity_I_SD_trial"]
    sd = imr_chart(v[trial], sigma_method="SD")
    assert sd.sigma == pytest.approx(ref["std_dev_SD_c4"], rel=REL)
    assert sd.lcl == pytest.approx(ref["LCL"], rel=REL)
    assert sd.ucl == pytest.approx(ref["UCL"], rel=REL)


def test_mr_chart_and_median_mr(viscosity: tuple[np.ndarray, np.ndarray]) -> None:
    v, trial = viscosity
    x = v[trial]
    res = imr_chart(x)
    mr = res.secondary
    assert mr is not None and mr.chart_type == "mr"
    assert np.isnan(mr.points[0])
    assert mr.center == pytest.approx(np.mean(np.abs(np.diff(x))), rel=1e-13)
    assert mr.ucl == pytest.approx(mr.center * (1 + 3 * 0.8525033 / 1.128), rel=1e-13)
    assert mr.lcl == 0
    med = sigma_individuals(x, "MMR")
    assert med == pytest.approx(np.median(np.abs(np.diff(x))) / 0.954, rel=1e-15)


def test_make_flat_input_equivalent(pistonrings: np.ndarray) -> None:
    flat = pistonrings[:25].ravel()
    a = xbar_r_chart(flat, subgroup_size=5)
    labels = np.repeat(np.arange(25)[::-1], 5)  # labels in order of first appearance
    b = xbar_r_chart(flat, labels=labels)
    assert a.center == b.center and a.sigma == b.sigma
    np.testing.assert_array_equal(a.points, b.points)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: xbar_r_chart(np.ones((5, 1))), "at least 2 observations"),
        (lambda: xbar_r_chart(np.arange(12.0), subgroup_size=5), "not a positive multiple"),
        (lambda: xbar_r_chart(np.ones((5, 3)), sigma_method="MR"), "not available"),
        (lambda: xbar_s_chart(np.ones((5, 3)), sigma_method="UWAVE-R"), "not available"),
        (lambda: xbar_r_chart(np.ones((5, 3)), nsigmas=-1), "nsigmas"),
        (lambda: xbar_r_chart(np.ones(6), 3, labels=[1] * 6), "subgroup_size or labels"),
        (lambda: xbar_r_chart(np.arange(6.0), labels=[1, 2]), "must match"),
        (lambda: xbar_r_chart([["a", "b"]]), "must be numbers"),
        (lambda: xbar_r_chart(np.ones((5, 3)), exclude=[9]), "outside"),
        (lambda: imr_chart([1.0]), "at least 2"),
        (lambda: xbar_r_chart(np.ones((3, 3)), rules=[9]), "do not exist"),
        (lambda: xbar_r_chart(np.ones((3, 3)), rules=["we1", "nelson2"]), "mix"),
    ],
)
def test_bad_input(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
