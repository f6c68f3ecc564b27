"""Turning user input into a (subgroups x observations) matrix padded with NaN."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

Matrix = NDArray[np.float64]


def make_subgroups(
    values: ArrayLike,
    subgroup_size: int | None = None,
    labels: ArrayLike | None = None,
) -> Matrix:
    """Build a subgroup matrix from a flat vector.

    Parameters
    ----------
    values : array_like
        Flat vector of measurements.
    subgroup_size : int, optional
        Consecutive blocks of this size form the subgroups.
    labels : array_like, optional
        One label per value; subgroups are kept in order of first appearance.
        Unequal subgroup sizes are padded with NaN.

    Returns
    -------
    ndarray of shape (m, n_max)

    Examples
    --------
    >>> make_subgroups([1, 2, 3, 4, 5, 6], subgroup_size=3).tolist()
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    >>> make_subgroups([1, 2, 3], labels=["b", "a", "b"]).tolist()
    [[1.0, 3.0], [2.0, nan]]
    """
    x = _as_float(values, "values").ravel()
    if (subgroup_size is None) == (labels is None):
        raise ValueError("give exactly one of subgroup_size or labels")
    if subgroup_size is not None:
        return _by_size(x, subgroup_size)
    lab = np.asarray(labels).ravel()
    if lab.size != x.size:
        raise ValueError(f"got {x.size} values but {lab.size} subgroup labels; they must match")
    return _by_labels(x, lab)


def _by_size(x: NDArray[np.float64], size: int) -> Matrix:
    if isinstance(size, bool) or int(size) != size or size < 1:
        raise ValueError(f"subgroup_size must be a positive integer, got {size!r}")
    size = int(size)
    if x.size == 0 or x.size % size:
        raise ValueError(
            f"got {x.size} values, which is not a positive multiple of subgroup size {size}"
        )
    return x.reshape(-1, size)


def _by_labels(x: NDArray[np.float64], lab: NDArray[np.generic]) -> Matrix:
    if x.size == 0:
        raise ValueError("no values given")
    _, first, inverse = np.unique(lab, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    group = rank[inverse.ravel()]
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=first.size)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    col = np.arange(x.size) - np.repeat(starts, counts)
    out = np.full((first.size, int(counts.max())), np.nan)
    out[group[order], col] = x[order]
    return out


def _as_float(values: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers") from exc
    if np.isinf(arr).any():
        raise ValueError(f"{name} contain infinite values")
    return arr


def as_matrix(
    data: ArrayLike,
    subgroup_size: int | None = None,
    labels: ArrayLike | None = None,
    *,
    min_size: int = 1,
    what: str = "chart",
) -> tuple[Matrix, NDArray[np.int64]]:
    """Return the subgroup matrix and the per-subgroup count of observations."""
    if subgroup_size is not None or labels is not None:
        mat = make_subgroups(data, subgroup_size, labels)
    else:
        mat = _as_float(data, "data")
        if mat.ndim == 1:
            mat = mat[:, None]
        if mat.ndim != 2:
            raise ValueError("data must be a 2-D array (subgroups x observations) or a flat vector")
    if mat.shape[0] == 0:
        raise ValueError("no subgroups given")
    if np.isnan(mat).any():
        sizes = np.count_nonzero(~np.isnan(mat), axis=1).astype(np.int64)
    else:
        sizes = np.full(mat.shape[0], mat.shape[1], dtype=np.int64)
    small = np.flatnonzero(sizes < min_size)
    if small.size:
        raise ValueError(
            f"a {what} needs subgroups of at least {min_size} observations; "
            f"subgroup {int(small[0])} has {int(sizes[small[0]])}"
        )
    return mat, sizes


def check_indices(indices: Sequence[int], n: int, name: str = "exclude") -> tuple[int, ...]:
    """Validate 0-based point indices."""
    out = tuple(int(i) for i in indices)
    bad = [i for i in out if not 0 <= i < n]
    if bad:
        raise ValueError(f"{name} has indices {bad} outside 0..{n - 1}")
    return out
