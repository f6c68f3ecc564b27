"""Shared input handling for EWMA and CUSUM: subgroup means or individual values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._constants import Convention, check_convention
from ._result import Standards
from ._sigma import INDIVIDUAL_METHODS, SUBGROUP_METHODS, sigma_individuals, sigma_within
from ._subgroups import as_matrix, check_indices

Vec = NDArray[np.float64]


@dataclass(frozen=True)
class Location:
    """Subgroup means, sizes and the estimated (or given) centre and sigma."""

    means: Vec
    sizes: Vec
    n1: int
    center: float
    sigma: float
    excluded: tuple[int, ...]
    method: str


def location_input(
    data: ArrayLike,
    subgroup_size: int | None,
    labels: ArrayLike | None,
    new_data: ArrayLike | None,
    new_labels: ArrayLike | None,
    *,
    sigma_method: str | None,
    standards: Standards | None,
    exclude: Sequence[int],
    constants: Convention,
    what: str,
) -> Location:
    """Read data (individuals when one column) and estimate centre and sigma on Phase I."""
    check_convention(constants)
    mat, sizes = as_matrix(data, subgroup_size, labels, what=what)
    n1 = mat.shape[0]
    individual = mat.shape[1] == 1
    if new_data is not None:
        size2 = subgroup_size if new_labels is None else None
        new, new_sizes = as_matrix(new_data, size2, new_labels, what=what)
        if (new.shape[1] == 1) != individual:
            raise ValueError(
                "new_data must be individual values when data are, and subgroups otherwise"
            )
        width = max(mat.shape[1], new.shape[1])
        both = np.full((n1 + new.shape[0], width), np.nan)
        both[:n1, : mat.shape[1]], both[n1:, : new.shape[1]] = mat, new
        mat, sizes = both, np.concatenate((sizes, new_sizes))
    means = np.nanmean(mat, axis=1) if np.isnan(mat).any() else mat.mean(axis=1)
    keep = np.ones(n1, dtype=bool)
    excluded = check_indices(exclude, n1)
    keep[list(excluded)] = False
    if not keep.any():
        raise ValueError("every Phase I point was excluded; nothing is left to estimate from")
    std = standards or Standards()
    method = sigma_method or ("MR" if individual else "UWAVE-R")
    allowed = INDIVIDUAL_METHODS if individual else SUBGROUP_METHODS
    if method not in allowed:
        raise ValueError(
            f"sigma_method {method!r} does not fit this data; use one of {', '.join(allowed)}"
        )
    w = sizes[:n1][keep].astype(np.float64)
    center = (
        float(std.mean) if std.mean is not None else float(np.sum(means[:n1][keep] * w) / np.sum(w))
    )
    if std.sigma is not None:
        sigma = float(std.sigma)
    elif individual:
        sigma = sigma_individuals(means[:n1][keep], method, constants=constants)
    else:
        sigma = sigma_within(mat[:n1][keep], method, constants=constants)
    if not sigma > 0:
        raise ValueError("the estimated sigma is zero; the data show no variation")
    return Location(means, sizes.astype(np.float64), n1, center, sigma, excluded, method)
