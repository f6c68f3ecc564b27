"""Variables charts: X̄-R, X̄-S and individuals (I-MR)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._constants import Convention, c4, check_convention, d2, d2_array, d3, d3_array
from ._result import ChartResult, Standards
from ._rules import RuleSpec
from ._shewhart import DEFAULT_RULES, Fit, build, check_nsigmas, phase1
from ._sigma import (
    INDIVIDUAL_METHODS,
    SUBGROUP_METHODS,
    row_means,
    sigma_from_stats,
    sigma_individuals,
    subgroup_ranges,
    subgroup_sds,
)
from ._subgroups import Matrix, as_matrix

Vec = NDArray[np.float64]
_NO_STANDARDS = Standards()


def _stack(
    data: ArrayLike,
    subgroup_size: int | None,
    labels: ArrayLike | None,
    new_data: ArrayLike | None,
    new_labels: ArrayLike | None,
    what: str,
) -> tuple[Matrix, NDArray[np.int64], int]:
    mat, sizes = as_matrix(data, subgroup_size, labels, min_size=2, what=what)
    n1 = mat.shape[0]
    if new_data is None:
        return mat, sizes, n1
    size2 = subgroup_size if new_labels is None else None
    new, new_sizes = as_matrix(new_data, size2, new_labels, min_size=2, what=what)
    width = max(mat.shape[1], new.shape[1])
    both = np.full((n1 + new.shape[0], width), np.nan)
    both[:n1, : mat.shape[1]] = mat
    both[n1:, : new.shape[1]] = new
    return both, np.concatenate((sizes, new_sizes)), n1


def _means(mat: Matrix, sizes: NDArray[np.int64]) -> Vec:
    if np.all(sizes == mat.shape[1]):
        return row_means(mat)
    out: Vec = np.nansum(mat, axis=1) / sizes
    return out


def _check_method(method: str, allowed: Sequence[str], chart: str) -> None:
    if method not in allowed:
        raise ValueError(
            f"sigma_method {method!r} is not available for the {chart} chart; "
            f"use one of {', '.join(allowed)}"
        )


def _xbar_fit(
    keep: NDArray[np.bool_],
    stat_for: Callable[[str], Vec],
    sizes: NDArray[np.int64],
    means: Vec,
    n1: int,
    method: str,
    standards: Standards,
    constants: Convention,
    chart: str,
) -> Fit:
    kept = np.flatnonzero(keep)
    w = sizes[kept].astype(np.float64)
    if standards.mean is not None:
        center = float(standards.mean)
    else:
        center = float(np.sum(means[kept] * w) / np.sum(w))
    if standards.sigma is not None:
        sigma = float(standards.sigma)
    else:
        sigma = sigma_from_stats(stat_for(method)[kept], sizes[kept], method, constants)
    se = _per_size(sizes, lambda k: sigma / np.sqrt(k))
    return Fit(chart, means, center, se, sigma, Standards(mean=center, sigma=sigma))


def _per_size(sizes: NDArray[np.int64], fn: Callable[[NDArray[np.int64]], Any]) -> float | Vec:
    """Evaluate ``fn`` once when all sizes are equal, else per point."""
    if sizes[0] == sizes[-1] and np.all(sizes == sizes[0]):
        return float(np.asarray(fn(sizes[:1]), dtype=np.float64)[0])
    out: Vec = np.asarray(fn(sizes), dtype=np.float64)
    return out


def _dispersion_fit(
    keep: NDArray[np.bool_],
    n1: int,
    stat: Vec,
    sizes: NDArray[np.int64],
    sigma: float,
    kind: str,
    standards: Standards,
    constants: Convention,
) -> Fit:
    """R or S chart: qcc centre (size-weighted mean statistic) and se = d3·σ or σ·sqrt(1-c4²)."""
    if kind == "r":
        expected = _per_size(sizes, lambda k: sigma * d2_array(k, constants))
        se = _per_size(sizes, lambda k: sigma * d3_array(k, constants))
    else:
        expected = _per_size(sizes, lambda k: sigma * c4(k))
        se = _per_size(sizes, lambda k: sigma * np.sqrt(1.0 - c4(k) ** 2))
    equal = not isinstance(expected, np.ndarray)
    if standards.sigma is not None and equal:
        center = float(expected)
    elif equal:
        center = float(np.mean(stat[:n1] if keep.all() else stat[:n1][keep]))
    else:
        kept = np.flatnonzero(keep)
        w = sizes[kept].astype(np.float64)
        source = np.asarray(expected) if standards.sigma is not None else stat
        center = float(np.sum(source[kept] * w) / np.sum(w))
    return Fit(kind, stat, center, se, sigma, Standards(sigma=sigma), bounds=(0.0, np.inf))


def _subgroup_chart(
    kind: str,
    data: ArrayLike,
    subgroup_size: int | None,
    labels: ArrayLike | None,
    *,
    sigma_method: str,
    nsigmas: float,
    rules: RuleSpec,
    rule_set: str | None,
    standards: Standards | None,
    new_data: ArrayLike | None,
    new_labels: ArrayLike | None,
    exclude: Sequence[int],
    iterate: bool,
    constants: Convention,
) -> ChartResult:
    chart = "xbar-r" if kind == "r" else "xbar-s"
    allowed = ("UWAVE-R", "MVLUE-R") if kind == "r" else ("UWAVE-SD", "MVLUE-SD", "RMSDF")
    _check_method(sigma_method, SUBGROUP_METHODS if kind == "r" else allowed, chart.upper())
    check_convention(constants)
    nsigmas = check_nsigmas(nsigmas)
    std = standards or _NO_STANDARDS
    mat, sizes, n1 = _stack(data, subgroup_size, labels, new_data, new_labels, f"{chart} chart")
    has_nan = bool(np.isnan(mat).any())
    means = _means(mat, sizes)
    cache: dict[str, Vec] = {}

    def stat_for(method: str) -> Vec:
        key = "r" if method.endswith("-R") else "s"
        if key not in cache:
            cache[key] = (subgroup_ranges if key == "r" else subgroup_sds)(mat, has_nan)
        return cache[key]

    disp = stat_for("-R" if kind == "r" else "-SD")

    def fit_fn(keep: NDArray[np.bool_]) -> tuple[Fit, Fit]:
        main = _xbar_fit(keep, stat_for, sizes, means, n1, sigma_method, std, constants, chart)
        return main, _dispersion_fit(keep, n1, disp, sizes, main.sigma, kind, std, constants)

    (main, second), excluded = phase1(fit_fn, n1, exclude=exclude, iterate=iterate, nsigmas=nsigmas)
    fsizes = sizes.astype(np.float64)
    settings = {"sigma_method": sigma_method, "constants": constants}
    common = {"nsigmas": nsigmas, "rules": rules, "rule_set": rule_set, "n_phase1": n1}
    sec = build(second, excluded=excluded, sizes=fsizes, settings=settings, **common)  # type: ignore[arg-type]
    return build(main, excluded=excluded, sizes=fsizes, secondary=sec, settings=settings, **common)  # type: ignore[arg-type]


def xbar_r_chart(
    data: ArrayLike,
    subgroup_size: int | None = None,
    labels: ArrayLike | None = None,
    *,
    sigma_method: str = "UWAVE-R",
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_data: ArrayLike | None = None,
    new_labels: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
    constants: Convention = "qcc",
) -> ChartResult:
    """X̄ chart with its R chart (``secondary``).

    Parameters
    ----------
    data : array_like
        Subgroups as rows of a 2-D array (NaN for missing observations, giving
        unequal sizes and per-point limits), or a flat vector with
        ``subgroup_size`` or ``labels`` (see :func:`make_subgroups`).
    sigma_method : str
        Any qcc name: "UWAVE-R" (default), "UWAVE-SD", "MVLUE-R", "MVLUE-SD", "RMSDF".
    nsigmas : float
        Limit width in standard errors.
    rules, rule_set
        Run rules (see :func:`run_rules`); default Western Electric 1 and 4 as qcc.
    standards : Standards, optional
        Known ``mean`` and/or ``sigma`` (Phase II with given standards).
    new_data, new_labels : optional
        Phase II subgroups appended after ``data``; limits come from ``data`` only.
    exclude : sequence of int
        Phase I subgroups (0-based) left out of the estimation.
    iterate : bool
        Re-estimate after excluding Phase I subgroups beyond the X̄ or R limits,
        until none remain.
    constants : {"qcc", "exact"}
        d2/d3 convention (see :func:`d2`).

    Returns
    -------
    ChartResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> res = xbar_r_chart(rng.normal(10, 1, (25, 5)))
    >>> res.chart_type, res.secondary.chart_type
    ('xbar-r', 'r')
    >>> bool(res.lcl < res.center < res.ucl)
    True
    """
    return _subgroup_chart(
        "r", data, subgroup_size, labels, sigma_method=sigma_method, nsigmas=nsigmas,
        rules=rules, rule_set=rule_set, standards=standards, new_data=new_data,
        new_labels=new_labels, exclude=exclude, iterate=iterate, constants=constants,
    )  # fmt: skip


def xbar_s_chart(
    data: ArrayLike,
    subgroup_size: int | None = None,
    labels: ArrayLike | None = None,
    *,
    sigma_method: str = "UWAVE-SD",
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_data: ArrayLike | None = None,
    new_labels: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
    constants: Convention = "qcc",
) -> ChartResult:
    """X̄ chart with its S chart (``secondary``); sigma by "UWAVE-SD" (default),
    "MVLUE-SD" or "RMSDF". Other parameters as :func:`xbar_r_chart`.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> res = xbar_s_chart(rng.normal(0, 1, (20, 4)))
    >>> res.secondary.chart_type, res.secondary.lcl
    ('s', 0.0)
    """
    return _subgroup_chart(
        "s", data, subgroup_size, labels, sigma_method=sigma_method, nsigmas=nsigmas,
        rules=rules, rule_set=rule_set, standards=standards, new_data=new_data,
        new_labels=new_labels, exclude=exclude, iterate=iterate, constants=constants,
    )  # fmt: skip


def _individuals(data: ArrayLike, new_data: ArrayLike | None) -> tuple[Vec, int]:
    x, _ = as_matrix(np.asarray(data, dtype=np.float64).ravel(), what="individuals chart")
    x1 = x[:, 0]
    if new_data is None:
        return x1, x1.size
    x2, _ = as_matrix(np.asarray(new_data, dtype=np.float64).ravel(), what="individuals chart")
    return np.concatenate((x1, x2[:, 0])), x1.size


def imr_chart(
    data: ArrayLike,
    *,
    sigma_method: str = "MR",
    nsigmas: float = 3.0,
    rules: RuleSpec = DEFAULT_RULES,
    rule_set: str | None = None,
    standards: Standards | None = None,
    new_data: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    iterate: bool = False,
    constants: Convention = "qcc",
) -> ChartResult:
    """Individuals chart with its moving-range chart (``secondary``, rule 1 only).

    Parameters
    ----------
    data : array_like
        Individual observations in time order.
    sigma_method : {"MR", "MMR", "SD"}
        Mean moving range / d2(2) (default, as qcc ``xbar.one``), median moving
        range / 0.954, or s / c4(n). Excluded points are removed before the
        moving ranges are taken (as deleting them in qcc).

    Other parameters as :func:`xbar_r_chart`.

    Examples
    --------
    >>> res = imr_chart([10.0, 10.4, 9.8, 10.1, 10.3, 9.9])
    >>> res.secondary.chart_type
    'mr'
    """
    _check_method(sigma_method, INDIVIDUAL_METHODS, "individuals")
    check_convention(constants)
    nsigmas = check_nsigmas(nsigmas)
    std = standards or _NO_STANDARDS
    x, n1 = _individuals(data, new_data)
    if n1 < 2 and (std.sigma is None):
        raise ValueError("an individuals chart needs at least 2 observations to estimate sigma")
    mr = np.concatenate(([np.nan], np.abs(np.diff(x))))

    def fit_fn(keep: NDArray[np.bool_]) -> tuple[Fit, ...]:
        kept = x[:n1][keep]
        center = float(std.mean) if std.mean is not None else float(np.nanmean(kept))
        sigma = (
            float(std.sigma)
            if std.sigma is not None
            else sigma_individuals(kept, sigma_method, constants=constants)
        )
        ones = np.full(x.size, sigma)
        main = Fit("i-mr", x, center, ones, sigma, Standards(mean=center, sigma=sigma))
        se_mr = np.full(x.size, d3(2, constants) * sigma)
        mr_fit = Fit(
            "mr", mr, d2(2, constants) * sigma, se_mr, sigma, Standards(sigma=sigma), (0.0, np.inf)
        )
        return (main,) if sigma_method == "SD" else (main, mr_fit)

    fits, excluded = phase1(fit_fn, n1, exclude=exclude, iterate=iterate, nsigmas=nsigmas)
    main = fits[0]
    settings = {"sigma_method": sigma_method, "constants": constants}
    common: dict[str, Any] = {"nsigmas": nsigmas, "n_phase1": n1, "excluded": excluded}
    sec = build(
        _mr_fit(mr, main.sigma, constants), rules=("we1",), rule_set=None,
        settings=settings, **common,
    )  # fmt: skip
    return build(main, rules=rules, rule_set=rule_set, secondary=sec, settings=settings, **common)


def _mr_fit(mr: Vec, sigma: float, constants: Convention) -> Fit:
    """Moving-range chart: centre d2(2)·σ, se d3(2)·σ, LCL 0."""
    se = np.full(mr.size, d3(2, constants) * sigma)
    return Fit("mr", mr, d2(2, constants) * sigma, se, sigma, Standards(sigma=sigma), (0.0, np.inf))
