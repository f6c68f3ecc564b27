"""ARLs against r-cran-spc 0.6.7 (charts/spc_r_package_arl.json) and qcc ocCurves."""

from __future__ import annotations

from typing import Any

import pytest

from qcity.spc.charts import cusum_arl, ewma_arl, shewhart_arl, shewhart_oc

from .conftest import assert_printed, load_json

ARL = load_json("spc_r_package_arl.json")["values"]


def test_shewhart() -> None:
    # spc_r_package_arl.json values.shewhart_3sigma_mu0 / _shift1sigma
    assert_printed(shewhart_arl(0.0), ARL["shewhart_3sigma_mu0"])
    assert_printed(shewhart_arl(1.0), ARL["shewhart_3sigma_shift1sigma"])


@pytest.mark.parametrize(
    ("key", "k", "h", "shift", "sided"),
    [
        ("cusum_onesided_k0.5_h4_mu0", 0.5, 4.0, 0.0, "one"),
        ("cusum_onesided_k0.5_h4_mu1", 0.5, 4.0, 1.0, "one"),
        ("cusum_onesided_k0.5_h5_mu0", 0.5, 5.0, 0.0, "one"),
        ("cusum_onesided_k0.5_h5_mu1", 0.5, 5.0, 1.0, "one"),
        ("cusum_twosided_k0.5_h5_mu0", 0.5, 5.0, 0.0, "two"),
    ],
)
def test_cusum(key: str, k: float, h: float, shift: float, sided: str) -> None:
    # spc_r_package_arl.json values[key], to the printed precision
    assert_printed(cusum_arl(k, h, shift, sided=sided), ARL[key])


def test_cusum_markov_chain_cross_check() -> None:
    # Brook-Evans chain (1000 and 2000 states, Richardson) agrees with the integral
    # equation to ~1e-9 relative; it is the slower route to the same numbers.
    for h, shift in [(4.0, 0.0), (5.0, 1.0)]:
        integral = cusum_arl(0.5, h, shift)
        assert cusum_arl(0.5, h, shift, method="markov", states=1000) == pytest.approx(
            integral, rel=1e-8
        )


@pytest.mark.parametrize(
    ("key", "lam", "L", "shift"),
    [
        ("ewma_twosided_l0.1_L2.7_fixed_mu0", 0.1, 2.7, 0.0),
        ("ewma_twosided_l0.1_L2.7_fixed_mu1", 0.1, 2.7, 1.0),
        ("ewma_twosided_l0.2_L3_fixed_mu0", 0.2, 3.0, 0.0),
    ],
)
def test_ewma(key: str, lam: float, L: float, shift: float) -> None:  # noqa: N803
    assert_printed(ewma_arl(lam, L, shift), ARL[key])


def test_oc_curve_vignette(vignette: dict[str, Any]) -> None:
    # qcc_vignette_published.json "ocCurves xbar pistonrings all 40 groups, n=5"
    case = vignette["ocCurves xbar pistonrings all 40 groups, n=5"]
    assert_printed(shewhart_oc(0.0, 3, 5), case["beta_shift0"])
    assert_printed(shewhart_oc(0.1, 3, 5), case["beta_shift0.1_n5"])
    assert_printed(shewhart_oc(0.2, 3, 5), case["beta_shift0.2_n5"])
    assert_printed(shewhart_arl(0.0, 3, 5), case["ARL0"])
    assert_printed(shewhart_arl(0.1, 3, 5), case["ARL_shift0.1_n5"])
    assert_printed(shewhart_arl(0.2, 3, 5), case["ARL_shift0.2_n5"])


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="h must be positive"):
        cusum_arl(0.5, 0.0)
    with pytest.raises(ValueError, match="sided"):
        cusum_arl(sided="both")
    with pytest.raises(ValueError, match="lam"):
        ewma_arl(0.0, 3.0)
