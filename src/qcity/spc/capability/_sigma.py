"""Input normalisation and within-subgroup / overall sigma estimators."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qcity.spc.capability._constants import c4, d2

SigmaMethod = Literal["r_bar", "s_bar", "pooled", "moving_range"]
SIGMA_METHODS: tuple[str, ...] = ("r_bar", "s_bar", "pooled", "moving_range")

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Sample:
    """Observations as a flat vector plus, when subgrouped, a NaN-padded 2-D view."""

    values: FloatArray
    groups: FloatArray | None


def as_sample(data: ArrayLike, subgroups: ArrayLike | None = None) -> Sample:
    """Validate ``data`` (1-D individuals or 2-D rows = subgroups; NaN = missing)."""
    arr = np.asarray(data, dtype=np.float64)
    if arr.ndim not in (1, 2):
        raise ValueError(f"data must be 1-D or 2-D (rows = subgroups), got {arr.ndim}-D")
    if np.isinf(arr).any():
        raise ValueError("data contains infinite values")
    if subgroups is not None:
        if arr.ndim != 1:
            raise ValueError("give subgroup labels only with 1-D data")
        arr = _pad_by_label(arr, np.asarray(subgroups))
    groups = arr if arr.ndim == 2 else None
    values = arr[~np.isnan(arr)] if np.isnan(arr).any() else arr.ravel()
    if values.size < 2:
        raise ValueError(f"need at least 2 observations, got {values.size}")
    return Sample(values=np.ascontiguousarray(values), groups=groups)


def _pad_by_label(values: FloatArray, labels: NDArray[np.generic]) -> FloatArray:
    if labels.shape != values.shape:
        raise ValueError(
            f"subgroups must have one label per value: {labels.size} labels, {values.size} values"
        )
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    column = np.arange(values.size) - np.repeat(starts, counts)
    padded = np.full((counts.size, int(counts.max())), np.nan)
    padded[codes[order], column] = values[order]
    return padded


def sigma_overall(values: FloatArray) -> float:
    """Sample standard deviation (ddof=1) of all observations."""
    return float(np.std(values, ddof=1))


def default_method(sample: Sample) -> SigmaMethod:
    """``r_bar`` for subgroups of 2 or more, ``moving_range`` for individuals."""
    if sample.groups is None or sample.groups.shape[1] == 1:
        return "moving_range"
    return "r_bar"


def sigma_within(sample: Sample, method: SigmaMethod) -> float:
    """Within-subgroup sigma, qcc-compatible.

    ``r_bar``: mean of R_i/d2(n_i) (qcc UWAVE-R; R-bar/d2 for equal sizes).
    ``s_bar``: mean of s_i/c4(n_i) (qcc UWAVE-SD).
    ``pooled``: sqrt(sum((n_i-1) s_i^2)/sum(n_i-1)) / c4(sum(n_i-1)+1) (qcc RMSDF, Minitab).
    ``moving_range``: mean |x_i - x_{i-1}| / d2(2) over the observations in order.
    """
    if method == "moving_range":
        return _moving_range_sigma(sample.values)
    if method not in SIGMA_METHODS:
        raise ValueError(f"unknown sigma method {method!r}; choose one of {SIGMA_METHODS}")
    if sample.groups is None:
        raise ValueError(f"sigma method {method!r} needs subgroups (2-D data or subgroup labels)")
    groups = sample.groups
    sizes = np.sum(~np.isnan(groups), axis=1)
    keep = sizes >= 2
    if not keep.any():
        raise ValueError(f"sigma method {method!r} needs at least one subgroup of 2 or more")
    groups, sizes = groups[keep], sizes[keep]
    if method == "r_bar":
        ranges = np.nanmax(groups, axis=1) - np.nanmin(groups, axis=1)
        return float(np.mean(ranges / _per_size(d2, sizes)))
    sds = np.nanstd(groups, axis=1, ddof=1)
    if method == "s_bar":
        return float(np.mean(sds / _per_size(c4, sizes)))
    dof = float(np.sum(sizes - 1))
    pooled = math.sqrt(float(np.sum((sizes - 1) * sds**2)) / dof)
    return pooled / c4(int(dof) + 1)


def _moving_range_sigma(values: FloatArray) -> float:
    return float(np.mean(np.abs(np.diff(values)))) / d2(2)


def _per_size(func: Callable[[int], float], sizes: NDArray[np.intp]) -> FloatArray:
    unique, inverse = np.unique(sizes, return_inverse=True)
    table = np.array([func(int(n)) for n in unique])
    return np.asarray(table[inverse], dtype=np.float64)
