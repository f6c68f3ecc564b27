"""Within-subgroup sigma estimators, named as in qcc (SAS/QC definitions)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._constants import Convention, c4, check_convention, d2, d2_array, d3_array, median_mr_factor

SUBGROUP_METHODS = ("UWAVE-R", "UWAVE-SD", "MVLUE-R", "MVLUE-SD", "RMSDF")
INDIVIDUAL_METHODS = ("MR", "MMR", "SD")

Matrix = NDArray[np.float64]


def subgroup_ranges(mat: Matrix, has_nan: bool) -> NDArray[np.float64]:
    """Range of each row (NaN ignored)."""
    if has_nan:
        out: NDArray[np.float64] = np.nanmax(mat, axis=1) - np.nanmin(mat, axis=1)
        return out
    if mat.shape[1] > 32:
        out = mat.max(axis=1) - mat.min(axis=1)
        return out
    hi, lo = mat[:, 0].copy(), mat[:, 0].copy()
    for j in range(1, mat.shape[1]):  # column sweeps: much faster than row reductions
        np.maximum(hi, mat[:, j], out=hi)
        np.minimum(lo, mat[:, j], out=lo)
    out = hi - lo
    return out


def row_means(mat: Matrix) -> NDArray[np.float64]:
    """Mean of each row of a matrix without NaN (left-to-right sums for narrow rows)."""
    if mat.shape[1] > 8:
        out: NDArray[np.float64] = mat.mean(axis=1)
        return out
    total = mat[:, 0].copy()
    for j in range(1, mat.shape[1]):
        total += mat[:, j]
    out = total / mat.shape[1]
    return out


def subgroup_sds(mat: Matrix, has_nan: bool) -> NDArray[np.float64]:
    """Sample standard deviation (ddof=1) of each row (NaN ignored)."""
    if has_nan:
        out: NDArray[np.float64] = np.nanstd(mat, axis=1, ddof=1)
        return out
    out = mat.std(axis=1, ddof=1)
    return out


def sigma_within(
    data: Matrix,
    method: str = "UWAVE-R",
    *,
    constants: Convention = "qcc",
) -> float:
    """Estimate the within-subgroup standard deviation of one observation.

    Parameters
    ----------
    data : ndarray of shape (m, n)
        Subgroups in rows, NaN for missing observations; every subgroup needs
        at least two observations.
    method : {"UWAVE-R", "UWAVE-SD", "MVLUE-R", "MVLUE-SD", "RMSDF"}
        UWAVE-R: mean of R_i/d2(n_i); UWAVE-SD: mean of s_i/c4(n_i);
        MVLUE-R/-SD: the same weighted by (d2/d3)² and c4²/(1-c4²);
        RMSDF: sqrt(Σ(n_i-1)s_i²/Σ(n_i-1)) / c4(Σ(n_i-1)+1).
    constants : {"qcc", "exact"}
        Convention for d2 and d3 (see :func:`d2`).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 4.0], [2.0, 2.5, 3.0]])
    >>> round(sigma_within(x, "UWAVE-R"), 6)
    1.181335
    """
    check_convention(constants)
    check_subgroup_method(method)
    mat = np.asarray(data, dtype=np.float64)
    has_nan = bool(np.isnan(mat).any())
    sizes = (
        np.count_nonzero(~np.isnan(mat), axis=1) if has_nan else np.full(mat.shape[0], mat.shape[1])
    )
    if method.endswith("-R"):
        return sigma_from_stats(subgroup_ranges(mat, has_nan), sizes, method, constants)
    return sigma_from_stats(subgroup_sds(mat, has_nan), sizes, method, constants)


def check_subgroup_method(method: str) -> None:
    """Raise ValueError for an unknown subgroup sigma method."""
    if method not in SUBGROUP_METHODS:
        names = ", ".join(SUBGROUP_METHODS)
        raise ValueError(f"unknown sigma method {method!r}; use one of {names}")


def sigma_from_stats(
    stat: NDArray[np.float64],
    sizes: NDArray[np.int64],
    method: str,
    constants: Convention,
) -> float:
    """Sigma from per-subgroup ranges (``*-R`` methods) or standard deviations (others)."""
    if np.any(sizes < 2):
        raise ValueError(
            "estimating sigma from subgroups needs at least 2 observations per subgroup"
        )
    if method.endswith("-R"):
        return _range_based(stat, sizes, method, constants)
    return _sd_based(stat, sizes, method)


def _range_based(
    r: NDArray[np.float64], sizes: NDArray[np.int64], method: str, constants: Convention
) -> float:
    if np.all(sizes == sizes[0]):
        k = int(sizes[0])
        # Equal sizes: both UWAVE-R and MVLUE-R reduce to R̄/d2(n).
        return float(r.mean() / d2(k, constants))
    dd2 = d2_array(sizes, constants)
    if method == "UWAVE-R":
        return float(np.mean(r / dd2))
    w = (dd2 / d3_array(sizes, constants)) ** 2
    return float(np.sum(r / dd2 * w) / np.sum(w))


def _sd_based(s: NDArray[np.float64], sizes: NDArray[np.int64], method: str) -> float:
    if method == "RMSDF":
        w = sizes - 1.0
        return float(np.sqrt(np.sum(s * s * w) / np.sum(w)) / c4(np.sum(w) + 1))
    cc4 = c4(sizes)
    if method == "UWAVE-SD":
        return float(np.mean(s / cc4))
    w = cc4**2 / (1.0 - cc4**2)
    return float(np.sum(s / cc4 * w) / np.sum(w))


def sigma_individuals(
    x: NDArray[np.float64],
    method: str = "MR",
    *,
    constants: Convention = "qcc",
) -> float:
    """Estimate sigma from individual observations.

    Parameters
    ----------
    x : ndarray
        Observations in time order (NaN are dropped first, as qcc does).
    method : {"MR", "MMR", "SD"}
        MR: mean moving range / d2(2); MMR: median moving range / 0.954
        (sqrt(2)·z(0.75) with ``constants="exact"``); SD: s / c4(n).

    Examples
    --------
    >>> round(sigma_individuals(np.array([1.0, 2.0, 4.0, 3.0]), "MR"), 6)
    1.182033
    """
    if method not in INDIVIDUAL_METHODS:
        raise ValueError(
            f"unknown sigma method {method!r}; use one of {', '.join(INDIVIDUAL_METHODS)}"
        )
    v = x[~np.isnan(x)]
    if v.size < 2:
        raise ValueError("estimating sigma from individual values needs at least 2 observations")
    if method == "SD":
        return float(np.std(v, ddof=1) / c4(v.size))
    mr = np.abs(np.diff(v))
    if method == "MR":
        return float(mr.mean() / d2(2, constants))
    return float(np.median(mr) / median_mr_factor(constants))
