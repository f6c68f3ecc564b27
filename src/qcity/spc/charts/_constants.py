"""Control-chart constants d2, d3, c4 for any subgroup size, and the derived factors.

d2(n) and d3(n) are the mean and the standard deviation of the range of ``n``
independent standard normal variables, obtained by numerical integration of the
range distribution. c4(n) is the bias factor of the sample standard deviation,
obtained from gamma functions.

Two conventions are offered:

``"exact"``
    every constant is computed.
``"qcc"``
    the R package qcc 3.0 convention: d2 is the printed three-decimal table
    (Montgomery App. VI / ASTM E2587) for n <= 25 and d3 the seven-decimal table
    for n <= 50 (``qcc.options("exp.R.unscaled")`` / ``"se.R.unscaled"``);
    computed values beyond the tables. It reproduces qcc's numbers exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, special

Convention = Literal["qcc", "exact"]
CONVENTIONS: tuple[str, ...] = ("qcc", "exact")

# qcc 3.0 R/utilities.R `.qcc.options$exp.R.unscaled`, n = 2..25 (printed d2 table).
_QCC_D2: tuple[float, ...] = (
    1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.970, 3.078, 3.173, 3.258, 3.336,
    3.407, 3.472, 3.532, 3.588, 3.640, 3.689, 3.735, 3.778, 3.819, 3.858, 3.895, 3.931,
)  # fmt: skip
# qcc 3.0 R/utilities.R `.qcc.options$se.R.unscaled`, n = 2..50 (d3 to 7 decimals).
_QCC_D3: tuple[float, ...] = (
    0.8525033, 0.8883697, 0.8798108, 0.8640855, 0.8480442, 0.8332108, 0.8198378,
    0.8078413, 0.7970584, 0.7873230, 0.7784873, 0.7704257, 0.7630330, 0.7562217,
    0.7499188, 0.7440627, 0.7386021, 0.7334929, 0.7286980, 0.7241851, 0.7199267,
    0.7158987, 0.7120802, 0.7084528, 0.7050004, 0.7017086, 0.6985648, 0.6955576,
    0.6926770, 0.6899137, 0.6872596, 0.6847074, 0.6822502, 0.6798821, 0.6775973,
    0.6753910, 0.6732584, 0.6711952, 0.6691976, 0.6672619, 0.6653848, 0.6635632,
    0.6617943, 0.6600754, 0.6584041, 0.6567780, 0.6551950, 0.6536532, 0.6521506,
)  # fmt: skip
# Median of the range of two normals, printed as 0.954 (qcc `.d4(2)` for "MMR").
_QCC_D4_2 = 0.954


def check_convention(convention: str) -> Convention:
    """Return ``convention`` if valid, else raise ``ValueError``."""
    if convention not in CONVENTIONS:
        raise ValueError(f"constants must be 'qcc' or 'exact', got {convention!r}")
    return convention  # type: ignore[return-value]


def _check_n(n: int, minimum: int = 2) -> int:
    if isinstance(n, bool) or int(n) != n or n < minimum:
        raise ValueError(f"subgroup size must be an integer >= {minimum}, got {n!r}")
    return int(n)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(400)
_X_NODES = 12.0 * _GL_X  # the minimum of n normals lies in [-12, 12] for any practical n
_X_WEIGHTS = 12.0 * _GL_W * np.exp(-0.5 * _X_NODES**2) / np.sqrt(2.0 * np.pi)


def _range_sf(r: float, n: int) -> float:
    """P(range of n standard normals > r), integrating over the minimum (ptukey, df=inf)."""
    width = special.ndtr(_X_NODES + r) - special.ndtr(_X_NODES)
    cdf = n * float(np.dot(_X_WEIGHTS, width ** (n - 1)))
    return max(0.0, 1.0 - cdf)


@lru_cache(maxsize=1024)
def _d2_exact(n: int) -> float:
    def integrand(x: float) -> float:
        # 1 - P(max <= x) - P(min >= -x) written to avoid cancellation in the tails.
        upper = -np.expm1(n * special.log_ndtr(x))
        return float(upper - np.exp(n * special.log_ndtr(-x)))

    half, _ = integrate.quad(integrand, 0.0, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)
    return 2.0 * float(half)


@lru_cache(maxsize=1024)
def _d3_exact(n: int) -> float:
    second, _ = integrate.quad(
        lambda r: r * _range_sf(r, n), 0.0, np.inf, epsabs=1e-12, epsrel=1e-11, limit=200
    )
    return float(np.sqrt(2.0 * second - _d2_exact(n) ** 2))


def d2(n: int, convention: Convention = "exact") -> float:
    """Expected range of ``n`` standard normal observations, E(R)/sigma.

    Parameters
    ----------
    n : int
        Subgroup size, at least 2.
    convention : {"exact", "qcc"}
        ``"qcc"`` uses the printed three-decimal table for n <= 25.

    Returns
    -------
    float

    Examples
    --------
    >>> round(d2(5), 4)
    2.3259
    """
    n = _check_n(n)
    if check_convention(convention) == "qcc" and n <= 1 + len(_QCC_D2):
        return _QCC_D2[n - 2]
    return _d2_exact(n)


def d3(n: int, convention: Convention = "exact") -> float:
    """Standard deviation of the range of ``n`` standard normal observations.

    Examples
    --------
    >>> round(d3(5), 4)
    0.8641
    """
    n = _check_n(n)
    if check_convention(convention) == "qcc" and n <= 1 + len(_QCC_D3):
        return _QCC_D3[n - 2]
    return _d3_exact(n)


def c4(n: ArrayLike) -> NDArray[np.float64]:
    """Bias factor of the sample standard deviation, E(s) = c4(n) sigma.

    Vectorised over ``n`` (any size >= 2): sqrt(2/(n-1)) Γ(n/2)/Γ((n-1)/2).

    Examples
    --------
    >>> float(np.round(c4(10), 4))
    0.9727
    """
    m = np.asarray(n, dtype=np.float64)
    if np.any(m < 2) or np.any(m != np.floor(m)):
        raise ValueError("c4 needs integer subgroup sizes of at least 2")
    # Γ(n/2)/Γ((n-1)/2) as the Pochhammer symbol (x)_{1/2}: accurate also for huge n,
    # where a difference of log-gamma values loses digits.
    out: NDArray[np.float64] = np.sqrt(2.0 / (m - 1.0)) * special.poch((m - 1.0) / 2.0, 0.5)
    return out


def median_mr_factor(convention: Convention = "exact") -> float:
    """Median of the moving range of two normals: sqrt(2) * z(0.75) (printed 0.954)."""
    if check_convention(convention) == "qcc":
        return _QCC_D4_2
    return float(np.sqrt(2.0) * special.ndtri(0.75))


def d2_array(sizes: NDArray[np.int64], convention: Convention) -> NDArray[np.float64]:
    """d2 for an array of sizes (each distinct size is computed once)."""
    uniq, inv = np.unique(sizes, return_inverse=True)
    vals = np.array([d2(int(k), convention) for k in uniq])
    out: NDArray[np.float64] = vals[inv]
    return out


def d3_array(sizes: NDArray[np.int64], convention: Convention) -> NDArray[np.float64]:
    """d3 for an array of sizes (each distinct size is computed once)."""
    uniq, inv = np.unique(sizes, return_inverse=True)
    vals = np.array([d3(int(k), convention) for k in uniq])
    out: NDArray[np.float64] = vals[inv]
    return out


@dataclass(frozen=True)
class ChartConstants:
    """Shewhart factors for subgroup size ``n`` (3-sigma limits)."""

    n: int
    d2: float
    d3: float
    c4: float
    A2: float
    A3: float
    B3: float
    B4: float
    D3: float
    D4: float
    E2: float


def chart_constants(n: int, convention: Convention = "exact") -> ChartConstants:
    """All Shewhart constants for subgroup size ``n``.

    A2 = 3/(d2 sqrt n), A3 = 3/(c4 sqrt n), D3,D4 = 1 -/+ 3 d3/d2 (D3 >= 0),
    B3,B4 = 1 -/+ 3 sqrt(1 - c4^2)/c4 (B3 >= 0), E2 = 3/d2.

    Examples
    --------
    >>> k = chart_constants(5)
    >>> round(k.A2, 3), round(k.D4, 3), round(k.B4, 3)
    (0.577, 2.114, 2.089)
    """
    n = _check_n(n)
    dd2, dd3 = d2(n, convention), d3(n, convention)
    cc4 = float(c4(n))
    sqrt_n = float(np.sqrt(n))
    spread = 3.0 * float(np.sqrt(1.0 - cc4 * cc4)) / cc4
    return ChartConstants(
        n=n,
        d2=dd2,
        d3=dd3,
        c4=cc4,
        A2=3.0 / (dd2 * sqrt_n),
        A3=3.0 / (cc4 * sqrt_n),
        B3=max(0.0, 1.0 - spread),
        B4=1.0 + spread,
        D3=max(0.0, 1.0 - 3.0 * dd3 / dd2),
        D4=1.0 + 3.0 * dd3 / dd2,
        E2=3.0 / dd2,
    )
