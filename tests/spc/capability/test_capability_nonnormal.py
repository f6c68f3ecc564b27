"""Non-normal capability: Box-Cox, Johnson, ISO 22514-2 percentile method.

Cross-checked against independent scipy computations (scipy.stats fits, boxcox_normmax,
the Johnson / lognormal distribution functions).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from qcity.spc.capability import (
    anderson_darling,
    boxcox_capability,
    boxcox_lambda,
    boxcox_transform,
    capability,
    johnson_capability,
    johnson_fit,
    percentile_capability,
)
from qcity.spc.capability._boxcox import boxcox_llf
from qcity.spc.capability._fits import fit_distribution


@pytest.mark.parametrize("seed", range(5))
def test_boxcox_lambda_matches_scipy_mle(seed: int) -> None:
    x = np.random.default_rng(seed).gamma(3.0, 2.0, size=400)
    ours = boxcox_lambda(x)
    theirs = float(stats.boxcox_normmax(x, method="mle"))
    assert ours == pytest.approx(theirs, abs=1e-6)  # scipy's Brent tolerance is ~1e-8
    logs = np.log(x)
    assert boxcox_llf(ours, logs) >= boxcox_llf(theirs, logs) - 1e-9
    assert boxcox_llf(ours, logs) - boxcox_llf(0.5, logs) == pytest.approx(
        stats.boxcox_llf(ours, x) - stats.boxcox_llf(0.5, x), rel=1e-9
    )
    assert np.allclose(boxcox_transform(x, ours), stats.boxcox(x, ours), rtol=1e-12)


def test_boxcox_capability_transforms_specs_and_data() -> None:
    x = np.random.default_rng(11).lognormal(1.0, 0.4, size=(40, 5))
    res = boxcox_capability(x, lsl=0.8, usl=12.0, target=3.0)
    lam = res.parameters["lambda"]
    assert res.lsl == pytest.approx(float(stats.boxcox(0.8, lam)))
    assert res.usl == pytest.approx(float(stats.boxcox(12.0, lam)))
    assert res.target == pytest.approx(float(stats.boxcox(3.0, lam)))
    direct = capability(stats.boxcox(x.ravel(), lam).reshape(x.shape), lsl=res.lsl, usl=res.usl)
    assert res.capability.ppk == pytest.approx(direct.ppk, rel=1e-12)
    assert res.capability.cpk == pytest.approx(direct.cpk, rel=1e-12)
    assert res.capability.normality is not None and res.capability.normality.p_value > 0.05


def test_boxcox_rejects_non_positive_values() -> None:
    with pytest.raises(ValueError, match="strictly positive data"):
        boxcox_capability([1.0, 2.0, -1.0, 3.0], usl=5.0)
    with pytest.raises(ValueError, match="positive lsl"):
        boxcox_capability([1.0, 2.0, 3.0, 4.0], lsl=0.0, usl=5.0)


@pytest.mark.parametrize(
    "sample",
    [
        lambda r: r.lognormal(0.0, 0.6, 500),
        lambda r: r.beta(2.0, 5.0, 500),
        lambda r: r.standard_t(5, 500),
        lambda r: r.weibull(1.5, 500),
        lambda r: -r.lognormal(0.0, 0.5, 500),
    ],
)
def test_johnson_fit_matches_percentiles_and_scipy_distributions(sample) -> None:  # type: ignore[no-untyped-def]
    x = sample(np.random.default_rng(21))
    fit = johnson_fit(x)
    assert fit.ad_statistic < anderson_darling(x).statistic  # closer to normal than raw
    # Slifker-Shapiro matches the sample percentiles at -3z, -z, z, 3z exactly (SL: 3 of 4)
    q = np.quantile(np.sort(x), special.ndtr(np.array([-3, -1, 1, 3]) * fit.z), method="weibull")
    t = fit.transform(q)
    want = np.array([-3.0, -1.0, 1.0, 3.0]) * fit.z
    idx = [1, 2, 3] if fit.family == "SL" else [0, 1, 2, 3]
    assert t[idx] == pytest.approx(want[idx], abs=1e-9)
    # Phi(transform(x)) is the cdf of scipy's Johnson SU/SB or the 3-parameter lognormal
    if fit.family == "SU":
        dist = stats.johnsonsu(fit.gamma, fit.eta, loc=fit.epsilon, scale=fit.lam)
    elif fit.family == "SB":
        dist = stats.johnsonsb(fit.gamma, fit.eta, loc=fit.epsilon, scale=fit.lam)
    else:
        dist = stats.lognorm(1 / fit.eta, loc=fit.epsilon, scale=np.exp(-fit.gamma / fit.eta))
    grid = np.quantile(x, [0.05, 0.3, 0.5, 0.7, 0.95])
    assert special.ndtr(fit.transform(grid)) == pytest.approx(dist.cdf(grid), abs=1e-12)


def test_johnson_transformation_is_adequate_for_johnson_data() -> None:
    # Data drawn from a Johnson SB: the selected transformation should pass Minitab's
    # adequacy criterion (AD p > 0.10): were p uniform, 9+ of 40 below 0.10 has prob. ~1 %.
    rejected = sum(
        johnson_fit(stats.johnsonsb.rvs(1.4, 1.2, size=500, random_state=s)).p_value < 0.10
        for s in range(40)
    )
    assert rejected <= 8


def test_johnson_capability_uses_transformed_specs() -> None:
    x = np.random.default_rng(5).lognormal(0.0, 0.5, size=300)
    res = johnson_capability(x, lsl=0.2, usl=6.0)
    assert res.method == "johnson" and res.family in {"SB", "SL", "SU"}
    fit = johnson_fit(x, must_contain=(0.2, 6.0))
    assert res.usl == pytest.approx(float(fit.transform(np.array([6.0]))[0]))
    assert res.capability.normality is not None
    assert res.capability.normality.statistic == pytest.approx(fit.ad_statistic, rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_distribution_fits_match_scipy(seed: int) -> None:
    x = np.sort(np.random.default_rng(seed).weibull(1.7, 800) * 3.0)
    lognormal = fit_distribution("lognormal", x).parameters
    s, _, scale = stats.lognorm.fit(x, floc=0)
    assert lognormal["sdlog"] == pytest.approx(s, rel=1e-10)
    assert np.exp(lognormal["meanlog"]) == pytest.approx(scale, rel=1e-10)
    for name, dist in (("weibull", stats.weibull_min), ("gamma", stats.gamma)):
        ours = fit_distribution(name, x)
        shape, _, scale = dist.fit(x, floc=0)
        # both are MLEs: parameters agree to scipy's optimiser precision and ours is not worse
        assert ours.parameters["shape"] == pytest.approx(shape, rel=1e-4)
        assert ours.parameters["scale"] == pytest.approx(scale, rel=1e-4)
        assert ours.log_likelihood >= dist.logpdf(x, shape, 0, scale).sum() - 1e-9
    normal = fit_distribution("normal", x)
    assert normal.ad_statistic == pytest.approx(
        stats.anderson(x, dist="norm", method="interpolate").statistic, rel=1e-10
    )


def test_percentile_method_picks_weibull_and_uses_its_quantiles() -> None:
    x = np.random.default_rng(8).weibull(1.5, 3000) * 2.0
    res = percentile_capability(x, lsl=0.01, usl=8.0)
    assert res.distribution == "weibull"
    assert [f.name for f in res.fits] == ["normal", "lognormal", "weibull", "gamma"]
    assert min(res.fits, key=lambda f: f.ad_statistic).name == "weibull"
    c, _, scale = stats.weibull_min.fit(x, floc=0)
    lo, med, hi = stats.weibull_min.ppf([0.00135, 0.5, 0.99865], c, scale=scale)
    assert res.pp == pytest.approx((8.0 - 0.01) / (hi - lo), rel=1e-4)
    assert res.ppu == pytest.approx((8.0 - med) / (hi - med), rel=1e-4)
    assert res.ppl == pytest.approx((med - 0.01) / (med - lo), rel=1e-4)
    assert res.ppk == min(res.ppl, res.ppu)
    assert res.ppm_expected.above_usl == pytest.approx(
        1e6 * stats.weibull_min.sf(8.0, c, scale=scale), rel=1e-3
    )
    assert res.to_dict()["distribution"] == "weibull"


def test_percentile_method_with_normal_equals_pp_up_to_the_quantile() -> None:
    x = np.random.default_rng(9).normal(10.0, 1.0, size=500)
    res = percentile_capability(x, lsl=6.0, usl=15.0, distribution="normal")
    classic = capability(x, lsl=6.0, usl=15.0)
    ratio = 3.0 / float(special.ndtri(0.99865))  # X99.865 - X50 = ndtri(0.99865) sd, not 3 sd
    assert res.pp == pytest.approx(classic.pp * ratio, rel=1e-12)
    assert res.ppk == pytest.approx(classic.ppk * ratio, rel=1e-12)


def test_percentile_method_only_normal_for_non_positive_data() -> None:
    x = np.random.default_rng(10).normal(0.0, 1.0, size=100)
    res = percentile_capability(x, lsl=-4.0, usl=4.0)
    assert res.distribution == "normal" and len(res.fits) == 1
    with pytest.raises(ValueError, match="strictly positive"):
        percentile_capability(x, lsl=-4.0, usl=4.0, distribution="gamma")
    with pytest.raises(ValueError, match="unknown distribution"):
        percentile_capability(x, lsl=-4.0, usl=4.0, distribution="cauchy")  # type: ignore[arg-type]
