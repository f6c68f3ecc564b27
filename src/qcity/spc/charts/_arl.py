"""Average run lengths: Shewhart (exact), CUSUM and EWMA (integral equation / Markov chain).

CUSUM and EWMA ARLs solve the Page / Crowder integral equations by the Nyström
method with Gauss-Legendre nodes (the continuous-state limit of the Brook-Evans
Markov chain, which is also offered for CUSUM). Observations are N(shift, 1)
in units of the plotted statistic's standard deviation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

Vec = NDArray[np.float64]


def _phi(x: Vec) -> Vec:
    out: Vec = np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
    return out


def shewhart_signal_probability(shift: float = 0.0, nsigmas: float = 3.0, n: int = 1) -> float:
    """Probability that one point of a ±nsigmas Shewhart chart falls outside its limits.

    ``shift`` is in process sigma units; the mean of n observations moves by shift·√n
    standard errors.
    """
    if nsigmas <= 0 or n < 1:
        raise ValueError("nsigmas must be positive and n at least 1")
    d = float(shift) * np.sqrt(n)
    return float(special.ndtr(-nsigmas - d) + special.ndtr(-nsigmas + d))


def shewhart_oc(shift: float = 0.0, nsigmas: float = 3.0, n: int = 1) -> float:
    """Operating characteristic β: probability of no signal on one point (qcc ``ocCurves``).

    Examples
    --------
    >>> round(shewhart_oc(0.1, 3.0, 5), 4)
    0.9966
    """
    return 1.0 - shewhart_signal_probability(shift, nsigmas, n)


def shewhart_arl(shift: float = 0.0, nsigmas: float = 3.0, n: int = 1) -> float:
    """Exact ARL = 1/P(signal) of a Shewhart chart for a sustained mean shift.

    Examples
    --------
    >>> round(shewhart_arl(0.0), 2)
    370.4
    """
    return 1.0 / shewhart_signal_probability(shift, nsigmas, n)


def _check_nodes(nodes: int) -> int:
    if int(nodes) != nodes or nodes < 4:
        raise ValueError(f"nodes must be an integer >= 4, got {nodes!r}")
    return int(nodes)


def _cusum_one_sided_nystrom(
    k: float, h: float, shift: float, head_start: float, nodes: int
) -> float:
    gx, gw = np.polynomial.legendre.leggauss(nodes)
    y = 0.5 * h * (gx + 1.0)
    w = 0.5 * h * gw
    pts = np.concatenate(([0.0], y))  # unknowns L(0), L(y_1..y_N)
    # L(u) = 1 + Φ(k - u - μ) L(0) + ∫_0^h φ(y + k - u - μ) L(y) dy
    a = np.empty((pts.size, pts.size))
    a[:, 0] = special.ndtr(k - pts - shift)
    a[:, 1:] = w[None, :] * _phi(y[None, :] + k - pts[:, None] - shift)
    sol = np.linalg.solve(np.eye(pts.size) - a, np.ones(pts.size))
    if head_start == 0.0:
        return float(sol[0])
    row = np.concatenate(
        ([special.ndtr(k - head_start - shift)], w * _phi(y + k - head_start - shift))
    )
    return float(1.0 + row @ sol)


def _cusum_one_sided_markov(
    k: float, h: float, shift: float, head_start: float, states: int
) -> float:
    width = 2.0 * h / (2 * states - 1)
    i = np.arange(states)
    centers = i * width
    upper = special.ndtr((i[None, :] + 0.5) * width - centers[:, None] + k - shift)
    lower = special.ndtr((i[None, :] - 0.5) * width - centers[:, None] + k - shift)
    trans = upper - lower
    trans[:, 0] = upper[:, 0]
    arl = np.linalg.solve(np.eye(states) - trans, np.ones(states))
    start = int(np.clip(np.rint(head_start / width), 0, states - 1))
    return float(arl[start])


def _cusum_markov_richardson(
    k: float, h: float, shift: float, head_start: float, states: int
) -> float:
    """Brook-Evans ARL with N and 2N states, Richardson-extrapolated (error is O(1/N²))."""
    coarse = _cusum_one_sided_markov(k, h, shift, head_start, states)
    fine = _cusum_one_sided_markov(k, h, shift, head_start, 2 * states)
    return (4.0 * fine - coarse) / 3.0


def cusum_arl(
    k: float = 0.5,
    h: float = 5.0,
    shift: float = 0.0,
    *,
    sided: str = "one",
    head_start: float = 0.0,
    method: str = "integral",
    nodes: int = 100,
    states: int = 400,
) -> float:
    """ARL of a tabular CUSUM with reference value k and decision interval h (σ units).

    Parameters
    ----------
    shift : float
        Mean shift of the plotted statistic, in its σ units.
    sided : {"one", "two"}
        One-sided upper CUSUM, or two-sided combined by 1/ARL = 1/ARL⁺ + 1/ARL⁻
        (Van Dobben de Bruyn; as r-cran-spc ``xcusum.arl``).
    method : {"integral", "markov"}
        Nyström solution of Page's integral equation with ``nodes`` Gauss-Legendre
        nodes (default), or the Brook-Evans Markov chain with ``states`` and
        2·``states`` states, Richardson-extrapolated.

    Examples
    --------
    >>> round(cusum_arl(0.5, 4.0), 4)
    335.3676
    """
    if h <= 0 or k < 0:
        raise ValueError("h must be positive and k non-negative")
    if not 0.0 <= head_start < h:
        raise ValueError("head_start must be in [0, h)")
    if method == "integral":
        nn = _check_nodes(nodes)

        def one(mu: float) -> float:
            return _cusum_one_sided_nystrom(k, h, mu, head_start, nn)
    elif method == "markov":
        ns = _check_nodes(states)

        def one(mu: float) -> float:
            return _cusum_markov_richardson(k, h, mu, head_start, ns)
    else:
        raise ValueError(f"method must be 'integral' or 'markov', got {method!r}")
    if sided == "one":
        return one(shift)
    if sided == "two":
        return 1.0 / (1.0 / one(shift) + 1.0 / one(-shift))
    raise ValueError(f"sided must be 'one' or 'two', got {sided!r}")


def ewma_arl(
    lam: float,
    nsigmas: float,
    shift: float = 0.0,
    *,
    start: float = 0.0,
    nodes: int = 200,
) -> float:
    """ARL of a two-sided EWMA chart with fixed (steady-state) limits.

    Limits ±nsigmas·sqrt(λ/(2-λ)); solves Crowder's integral equation
    L(z) = 1 + (1/λ)∫ φ((y - (1-λ)z)/λ - shift) L(y) dy by Nyström.

    Examples
    --------
    >>> round(ewma_arl(0.1, 2.7), 3)
    368.994
    """
    if not 0.0 < lam <= 1.0 or nsigmas <= 0:
        raise ValueError("lam must be in (0, 1] and nsigmas positive")
    nn = _check_nodes(nodes)
    c = nsigmas * np.sqrt(lam / (2.0 - lam))
    gx, gw = np.polynomial.legendre.leggauss(nn)
    y, w = c * gx, c * gw

    def kernel(z: Vec) -> Vec:
        out: Vec = w[None, :] / lam * _phi((y[None, :] - (1.0 - lam) * z[:, None]) / lam - shift)
        return out

    sol = np.linalg.solve(np.eye(nn) - kernel(y), np.ones(nn))
    return float(1.0 + kernel(np.array([start]))[0] @ sol)
