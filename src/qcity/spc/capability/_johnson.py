"""Johnson transformation (Slifker-Shapiro percentile fits, Minitab-style selection)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from qcity.spc.capability._normality import ad_p_value, ad_statistic, log_norm_cdf
from qcity.spc.capability._sigma import FloatArray, SigmaMethod
from qcity.spc.capability._transformed import (
    TransformedCapability,
    explicit_specs,
    finite_values,
    raw_array,
    transformed_capability,
)

Z_GRID: FloatArray = np.round(np.arange(0.25, 1.2501, 0.01), 2)


@dataclass(frozen=True)
class JohnsonFit:
    """One Johnson transformation z = gamma + eta * f((x - epsilon) / lambda).

    f is log(u/(1 - u)) for SB (epsilon < x < epsilon + lambda), log(u) for SL
    (x > epsilon, lambda = 1) and asinh(u) for SU. ``z`` is the grid value used for the
    percentile fit; ``ad_statistic``/``p_value`` test the normality of the transformed data.
    """

    family: str
    gamma: float
    eta: float
    epsilon: float
    lam: float
    z: float
    ad_statistic: float
    p_value: float

    def transform(self, x: ArrayLike) -> FloatArray:
        """Transform values (NaN outside the support)."""
        u = (np.asarray(x, dtype=np.float64) - self.epsilon) / self.lam
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.family == "SB":
                core = np.log(u / (1.0 - u))
            elif self.family == "SL":
                core = np.log(u)
            else:
                core = np.arcsinh(u)
        out = self.gamma + self.eta * core
        return np.asarray(np.where(np.isfinite(out), out, np.nan), dtype=np.float64)


def _parameters(q: FloatArray, z: float) -> list[tuple[str, float, float, float, float]]:
    """Slifker & Shapiro (1980) (family, gamma, eta, epsilon, lambda) from 4 percentiles."""
    xm3, xm1, x1, x3 = q
    m, n, p = x3 - x1, xm1 - xm3, x1 - xm1
    if min(m, n, p) <= 0.0:
        return []
    mp, np_, mid = m / p, n / p, (x1 + xm1) / 2.0
    fits: list[tuple[str, float, float, float, float]] = []
    qr = mp * np_
    if qr > 1.0:
        eta = 2.0 * z / math.acosh(0.5 * (mp + np_))
        gamma = eta * math.asinh((np_ - mp) / (2.0 * math.sqrt(qr - 1.0)))
        lam = 2.0 * p * math.sqrt(qr - 1.0) / ((mp + np_ - 2.0) * math.sqrt(mp + np_ + 2.0))
        eps = mid + p * (np_ - mp) / (2.0 * (mp + np_ - 2.0))
        fits.append(("SU", gamma, eta, eps, lam))
    elif qr < 1.0:
        pm, pn = 1.0 / mp, 1.0 / np_
        prod = (1.0 + pm) * (1.0 + pn)
        eta = z / math.acosh(0.5 * math.sqrt(prod))
        gamma = eta * math.asinh((pn - pm) * math.sqrt(prod - 4.0) / (2.0 * (pm * pn - 1.0)))
        lam = p * math.sqrt((prod - 2.0) ** 2 - 4.0) / (pm * pn - 1.0)
        eps = mid - lam / 2.0 + p * (pn - pm) / (2.0 * (pm * pn - 1.0))
        fits.append(("SB", gamma, eta, eps, lam))
    if mp > 1.0:
        eta = 2.0 * z / math.log(mp)
        gamma = eta * math.log((mp - 1.0) / (p * math.sqrt(mp)))
        eps = mid - 0.5 * p * (mp + 1.0) / (mp - 1.0)
        fits.append(("SL", gamma, eta, eps, 1.0))
    return fits


def _score(fit: JohnsonFit, sorted_values: FloatArray) -> JohnsonFit | None:
    """Fill in the AD statistic of the transformed (still sorted) data; None if invalid."""
    t = fit.transform(sorted_values)
    if np.isnan(t).any():
        return None
    sd = float(np.std(t, ddof=1))
    if not sd > 0.0:
        return None
    zs = (t - float(np.mean(t))) / sd
    n = t.size
    a2 = ad_statistic(log_norm_cdf(zs), log_norm_cdf(-zs))
    adjusted = a2 * (1.0 + 0.75 / n + 2.25 / n**2)
    return JohnsonFit(
        fit.family,
        fit.gamma,
        fit.eta,
        float(fit.epsilon),
        float(fit.lam),
        fit.z,
        a2,
        ad_p_value(adjusted),
    )


def johnson_fit(x: ArrayLike, *, must_contain: tuple[float, ...] = ()) -> JohnsonFit:
    """Select a Johnson transformation for ``x`` (at least 8 values).

    For every z in 0.25, 0.26, ..., 1.25 the percentiles at -3z, -z, z, 3z (Minitab /
    Weibull plotting positions) give the Slifker-Shapiro parameters of the family that
    the ratio mn/p^2 indicates (SU above 1, SB below 1) and of SL when m/p > 1. Fits whose
    support misses a data value or a value of ``must_contain`` (the spec limits) are
    skipped. The fit with the smallest Anderson-Darling statistic of the transformed data
    (that is, the largest normality p-value, Chou et al. 1998) is returned.

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.capability import johnson_fit
    >>> x = np.random.default_rng(4).lognormal(0.0, 0.6, size=300)
    >>> fit = johnson_fit(x)
    >>> bool(fit.p_value > 0.1)
    True
    """
    values = np.sort(finite_values(raw_array(x)))
    if values.size < 8:
        raise ValueError(f"the Johnson transformation needs at least 8 values, got {values.size}")
    probs = special.ndtr(np.outer(Z_GRID, [-3.0, -1.0, 1.0, 3.0]))
    quantiles = np.quantile(values, probs.ravel(), method="weibull").reshape(probs.shape)
    extra = np.asarray(must_contain, dtype=np.float64)
    best: JohnsonFit | None = None
    for z, q in zip(Z_GRID, quantiles, strict=True):
        for family, gamma, eta, eps, lam in _parameters(q, float(z)):
            candidate = JohnsonFit(family, gamma, eta, eps, lam, float(z), math.inf, 0.0)
            if extra.size and np.isnan(candidate.transform(extra)).any():
                continue
            scored = _score(candidate, values)
            if scored is not None and (best is None or scored.ad_statistic < best.ad_statistic):
                best = scored
    if best is None:
        raise ValueError("no Johnson transformation fits these data and spec limits")
    return best


def johnson_capability(
    data: ArrayLike,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    subgroups: ArrayLike | None = None,
    sigma_method: SigmaMethod | None = None,
    confidence: float = 0.95,
) -> TransformedCapability:
    """Capability after a Johnson transformation (see ``johnson_fit``) of data and specs.

    A transformed normality p-value below 0.10 means no adequate Johnson transformation
    was found (Minitab's criterion); the result is still returned so the caller can say so.

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.capability import johnson_capability
    >>> x = np.random.default_rng(5).lognormal(0.0, 0.5, size=300)
    >>> res = johnson_capability(x, lsl=0.1, usl=6.0)
    >>> res.method, res.family in {"SB", "SL", "SU"}
    ('johnson', True)
    """
    lsl, usl, target = explicit_specs(lsl, usl, target)
    arr = raw_array(data)
    specs = tuple(v for v in (lsl, usl, target) if v is not None)
    fit = johnson_fit(arr, must_contain=specs)
    params = {"gamma": fit.gamma, "eta": fit.eta, "epsilon": fit.epsilon, "lambda": fit.lam}
    params["z"] = fit.z
    return transformed_capability(
        arr,
        fit.transform,
        (lsl, usl, target),
        ("johnson", fit.family, params),
        (subgroups, sigma_method, confidence),
    )
