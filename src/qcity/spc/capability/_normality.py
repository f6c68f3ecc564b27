"""Anderson-Darling normality test with the Stephens / D'Agostino small-sample adjustment."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special


@dataclass(frozen=True)
class NormalityTest:
    """Anderson-Darling test of normality (mean and sd estimated from the data).

    Attributes
    ----------
    statistic : float
        A^2 (same value as ``scipy.stats.anderson(x).statistic``).
    statistic_adjusted : float
        A^2 * (1 + 0.75/n + 2.25/n^2), the value nortest ``ad.test`` uses for the p-value.
    p_value : float
        D'Agostino & Stephens (1986) piecewise approximation (as nortest and Minitab).
    n : int
        Number of observations.
    """

    statistic: float
    statistic_adjusted: float
    p_value: float
    n: int

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict of the attributes."""
        return {
            "statistic": self.statistic,
            "statistic_adjusted": self.statistic_adjusted,
            "p_value": self.p_value,
            "n": self.n,
        }


def ad_statistic(log_cdf: NDArray[np.float64], log_sf: NDArray[np.float64]) -> float:
    """A^2 from log F(x_(i)) and log(1 - F(x_(i))) of the *sorted* sample."""
    n = log_cdf.size
    weights = np.arange(1, 2 * n, 2, dtype=np.float64)
    total = float(np.dot(weights, log_cdf) + np.dot(weights, log_sf[::-1]))
    return -n - total / n


def ad_p_value(adjusted: float) -> float:
    """p-value of the adjusted A^2 (D'Agostino & Stephens 1986, Table 4.9)."""
    a = adjusted
    if a < 0.2:
        return 1.0 - math.exp(-13.436 + 101.14 * a - 223.73 * a * a)
    if a < 0.34:
        return 1.0 - math.exp(-8.318 + 42.796 * a - 59.938 * a * a)
    if a < 0.6:
        return math.exp(0.9177 - 4.279 * a - 1.38 * a * a)
    if a < 10.0:
        return math.exp(1.2937 - 5.709 * a + 0.0186 * a * a)
    return 3.7e-24


def log_norm_cdf(z: NDArray[np.float64]) -> NDArray[np.float64]:
    """log Phi(z): log(ndtr) where it is exact to rounding, log_ndtr in the far lower tail."""
    with np.errstate(divide="ignore"):
        out: NDArray[np.float64] = np.log(special.ndtr(z))
    tail = z < -5.0
    if tail.any():
        out[tail] = special.log_ndtr(z[tail])
    return out


def normality_from_sorted(sorted_values: NDArray[np.float64]) -> NormalityTest:
    """Anderson-Darling normality test on already sorted values (n >= 8)."""
    n = sorted_values.size
    if n < 8:
        raise ValueError(f"the Anderson-Darling normality test needs at least 8 values, got {n}")
    sd = float(np.std(sorted_values, ddof=1))
    if sd == 0.0:
        raise ValueError("all values are equal; normality cannot be tested")
    z = (sorted_values - float(np.mean(sorted_values))) / sd
    a2 = ad_statistic(log_norm_cdf(z), log_norm_cdf(-z))
    adjusted = a2 * (1.0 + 0.75 / n + 2.25 / n**2)
    return NormalityTest(a2, adjusted, ad_p_value(adjusted), n)


def anderson_darling(x: ArrayLike) -> NormalityTest:
    """Anderson-Darling test of normality with unknown mean and variance.

    Parameters
    ----------
    x : array_like
        At least 8 finite observations (NaN is dropped).

    Returns
    -------
    NormalityTest

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.capability import anderson_darling
    >>> x = np.random.default_rng(1).normal(size=50)
    >>> res = anderson_darling(x)
    >>> bool(res.p_value > 0.05)
    True
    """
    arr = np.asarray(x, dtype=np.float64).ravel()
    arr = arr[~np.isnan(arr)]
    if not np.isfinite(arr).all():
        raise ValueError("data contains infinite values")
    return normality_from_sorted(np.sort(arr))
