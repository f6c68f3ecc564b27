"""Behaviour of capability(): one-sided specs, PPM, normality, input checks, public surface."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import qcity.spc.capability as cap_pkg
from qcity.spc.capability import anderson_darling, capability
from qcity.spc.capability._constants import c4, d2, d2_star, d3

REQUIRED_KEYS = {
    "mean", "sigma_within", "sigma_overall", "cp", "cpl", "cpu", "cpk", "cpm",
    "pp", "ppl", "ppu", "ppk", "ppm_expected", "ppm_observed",
}  # fmt: skip


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return np.random.default_rng(42).normal(10.0, 0.1, size=(30, 5))


def test_public_surface() -> None:
    assert sorted(cap_pkg.__all__) == sorted(
        [
            "PPM", "CapabilityIndices", "CapabilityResult", "DistributionFit", "Interval",
            "JohnsonFit", "NormalityTest", "PercentileCapability", "TransformedCapability",
            "anderson_darling", "boxcox_capability", "boxcox_lambda", "boxcox_transform",
            "capability", "capability_indices", "johnson_capability", "johnson_fit",
            "percentile_capability",
        ]
    )  # fmt: skip


def test_to_dict_keys_and_intervals(data: np.ndarray) -> None:
    d = capability(data, lsl=9.7, usl=10.3).to_dict()
    assert d.keys() >= REQUIRED_KEYS
    assert d["confidence"] == 0.95
    assert len(d["cp_ci"]) == 2 and len(d["ppk_ci"]) == 2
    assert set(d["ppm_expected"]) == {"within", "overall"}
    assert set(d["ppm_observed"]) == {"below_lsl", "above_usl", "total"}


def test_usl_only_gives_one_sided_indices(data: np.ndarray) -> None:
    res = capability(data, usl=10.3)
    assert res.cp is None and res.cpl is None and res.cpm is None
    assert res.pp is None and res.ppl is None and res.ppm_index is None
    assert res.cpk == res.cpu and res.ppk == res.ppu
    assert res.cp_ci is None and res.cpl_ci is None and res.cpm_ci is None
    assert res.cpu_ci is not None and res.target is None
    assert res.ppm_expected_within.below_lsl is None
    assert res.ppm_expected_within.total == res.ppm_expected_within.above_usl
    d = res.to_dict()
    assert d["cp"] is None and d["cp_ci"] is None


def test_lsl_only_gives_one_sided_indices(data: np.ndarray) -> None:
    res = capability(data, lsl=9.7)
    assert res.cpu is None and res.cpk == res.cpl and res.ppk == res.ppl
    assert res.ppm_observed.above_usl is None


def test_expected_and_observed_ppm(data: np.ndarray) -> None:
    res = capability(data, lsl=9.95, usl=10.1)
    m, s = res.mean, res.sigma_within
    # independent computation with scipy.stats.norm
    assert res.ppm_expected_within.below_lsl == pytest.approx(1e6 * stats.norm.cdf(9.95, m, s))
    assert res.ppm_expected_within.above_usl == pytest.approx(1e6 * stats.norm.sf(10.1, m, s))
    so = res.sigma_overall
    assert res.ppm_expected_overall.total == pytest.approx(
        1e6 * (stats.norm.cdf(9.95, m, so) + stats.norm.sf(10.1, m, so))
    )
    flat = data.ravel()
    assert res.ppm_observed.below_lsl == pytest.approx(1e6 * np.mean(flat < 9.95))
    assert res.ppm_observed.above_usl == pytest.approx(1e6 * np.mean(flat > 10.1))


def test_subgroup_labels_equal_2d_rows(data: np.ndarray) -> None:
    labels = np.repeat(np.arange(30), 5)
    rng = np.random.default_rng(0)
    order = rng.permutation(labels.size)
    by_rows = capability(data, lsl=9.7, usl=10.3)
    by_labels = capability(data.ravel()[order], lsl=9.7, usl=10.3, subgroups=labels[order])
    assert by_labels.sigma_within == pytest.approx(by_rows.sigma_within, rel=1e-14)
    assert by_labels.cpk == pytest.approx(by_rows.cpk, rel=1e-12)


def test_unequal_subgroups_with_nan_padding() -> None:
    groups = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, np.nan], [3.0, 3.5, 5.0]])
    res = capability(groups, lsl=-5.0, usl=10.0)
    expected = np.mean([2.0 / d2(3), 2.0 / d2(2), 2.0 / d2(3)])  # mean of R_i / d2(n_i)
    assert res.sigma_within == pytest.approx(expected, rel=1e-14)
    assert res.n == 8
    s = capability(groups, lsl=-5.0, usl=10.0, sigma_method="s_bar").sigma_within
    sds = [np.std([1, 2, 3], ddof=1) / c4(3), np.std([2, 4], ddof=1) / c4(2)]
    sds.append(np.std([3, 3.5, 5], ddof=1) / c4(3))
    assert s == pytest.approx(np.mean(sds), rel=1e-14)


def test_anderson_darling_statistic_matches_scipy() -> None:
    rng = np.random.default_rng(7)
    for n in (8, 25, 500):
        x = rng.gamma(4.0, size=n)
        ours = anderson_darling(x)
        theirs = stats.anderson(x, dist="norm", method="interpolate")
        assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-10)
        assert ours.statistic_adjusted == pytest.approx(
            ours.statistic * (1 + 0.75 / n + 2.25 / n**2), rel=1e-15
        )


@pytest.mark.parametrize("n", [10, 30, 200])
def test_anderson_darling_p_value_is_calibrated(n: int) -> None:
    # Under normality P(p < alpha) = alpha; 4000 simulations: binomial sd 0.0034 at 0.05,
    # tolerance 0.015 (about 4.4 sd) covers the approximation error of the formula.
    rng = np.random.default_rng(2024 + n)
    p = np.array([anderson_darling(rng.normal(size=n)).p_value for _ in range(4000)])
    assert abs(np.mean(p < 0.05) - 0.05) < 0.015
    assert abs(np.mean(p < 0.10) - 0.10) < 0.02


def test_anderson_darling_rejects_exponential() -> None:
    x = np.random.default_rng(3).exponential(size=200)
    assert anderson_darling(x).p_value < 1e-6


def test_normality_is_none_for_tiny_samples() -> None:
    assert capability([1.0, 2.0, 1.5, 1.7], lsl=0.0, usl=3.0).normality is None


def test_constants_against_published_table() -> None:
    # control_chart_constants_n2_10.json (ASTM E2587 / Montgomery App. VI), 3-4 decimals
    import json
    from pathlib import Path

    path = Path(__file__).parents[2] / "fixtures/spc/capability/control_chart_constants_n2_10.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    cols = table["columns"]
    for n, row in table["table"].items():
        k = int(n)
        assert abs(d2(k) - row[cols.index("d2")]) <= 0.0005
        assert abs(d3(k) - row[cols.index("d3")]) <= 0.0005
        assert abs(c4(k) - row[cols.index("c4")]) <= 0.00005
    assert d2(2) == pytest.approx(2 / math.sqrt(math.pi), rel=1e-12)  # exact E|X1 - X2|
    assert d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), rel=1e-9)
    assert d2_star(2) == pytest.approx(math.sqrt(2), rel=1e-9)  # E[R^2] = 2 for n = 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lsl": 10.0, "usl": 10.0}, "must be below"),
        ({"lsl": 11.0, "usl": 9.0}, "must be below"),
        ({"lsl": 9.0, "usl": 11.0, "target": 12.0}, "outside the specification"),
        ({"usl": 11.0, "target": 12.0}, "outside the specification"),
        ({}, "at least one specification limit"),
        ({"lsl": float("nan"), "usl": 11.0}, "finite"),
        ({"lsl": 9.0, "usl": 11.0, "confidence": 1.0}, "confidence"),
        ({"lsl": 9.0, "usl": 11.0, "sigma_method": "bogus"}, "unknown sigma method"),
        ({"lsl": 9.0, "usl": 11.0, "sigma_within": 0.0}, "positive"),
    ],
)
def test_bad_arguments_raise_value_error(
    data: np.ndarray, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        capability(data, **kwargs)  # type: ignore[arg-type]


def test_bad_data_raise_value_error() -> None:
    with pytest.raises(ValueError, match="needs subgroups"):
        capability(np.arange(10.0), lsl=0, usl=20, sigma_method="r_bar")
    with pytest.raises(ValueError, match="at least 2 observations"):
        capability([1.0], lsl=0, usl=2)
    with pytest.raises(ValueError, match="infinite"):
        capability([1.0, np.inf, 2.0], lsl=0, usl=2)
    with pytest.raises(ValueError, match="one label per value"):
        capability([1.0, 2.0, 3.0], lsl=0, usl=4, subgroups=[1, 2])
    with pytest.raises(ValueError, match="no variation"):
        capability([1.0, 1.0, 1.0], lsl=0, usl=2)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        capability(np.zeros((2, 2, 2)), lsl=0, usl=2)
