"""Shared machinery: limits from (center, se), rules, Phase I iteration."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._result import ChartResult, FloatOrArray, Standards
from ._rules import RuleSpec, resolve_rules, run_rules
from ._subgroups import check_indices

DEFAULT_RULES: tuple[str, ...] = ("we1", "we4")  # qcc's default rules = c(1, 4)
MAX_ITER = 25


@dataclass(frozen=True)
class Fit:
    """Estimated quantities of one chart, before rules are applied."""

    chart_type: str
    points: NDArray[np.float64]
    center: float
    se: FloatOrArray
    sigma: float
    standards: Standards
    bounds: tuple[float, float] = (-np.inf, np.inf)
    lcl: NDArray[np.float64] | None = None
    ucl: NDArray[np.float64] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def se_collapsed(self) -> FloatOrArray:
        """The standard error as one float when it is the same for every point."""
        return _collapse(self.se)

    def limits(self, nsigmas: float) -> tuple[FloatOrArray, FloatOrArray]:
        """(lcl, ucl): given ones, else center ∓ nsigmas·se clipped to bounds."""
        lo, hi = self.bounds
        se = self.se_collapsed()
        lcl: FloatOrArray
        ucl: FloatOrArray
        if isinstance(se, np.ndarray):
            lcl = np.maximum(self.center - nsigmas * se, lo)
            ucl = np.minimum(self.center + nsigmas * se, hi)
        else:
            lcl, ucl = max(self.center - nsigmas * se, lo), min(self.center + nsigmas * se, hi)
        return (
            lcl if self.lcl is None else _collapse(self.lcl),
            ucl if self.ucl is None else _collapse(self.ucl),
        )


def check_nsigmas(nsigmas: float) -> float:
    """Validate the limit width."""
    v = float(nsigmas)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"nsigmas must be a positive number, got {nsigmas!r}")
    return v


def _collapse(a: FloatOrArray) -> FloatOrArray:
    if not isinstance(a, np.ndarray):
        return float(a)
    if a.size and a[0] == a[-1] and np.all(a == a[0]):
        return float(a[0])
    return a


def build(
    fit: Fit,
    *,
    nsigmas: float,
    rules: RuleSpec,
    rule_set: str | None,
    n_phase1: int,
    excluded: tuple[int, ...] = (),
    sizes: NDArray[np.float64] | None = None,
    secondary: ChartResult | None = None,
    settings: Mapping[str, Any] | None = None,
) -> ChartResult:
    """Assemble a ChartResult from a Fit: limits, zones and rule violations."""
    chosen, numbers = resolve_rules(rules, rule_set)
    lcl, ucl = fit.limits(nsigmas)
    se_c = fit.se_collapsed()
    viol = run_rules(
        fit.points,
        fit.center,
        se_c,
        rules=numbers,
        rule_set=chosen,
        nsigmas=nsigmas,
        lcl=lcl,
        ucl=ucl,
        bounds=fit.bounds,
    )
    lcl_c, ucl_c = _collapse(lcl), _collapse(ucl)
    vary = isinstance(lcl_c, np.ndarray) or isinstance(ucl_c, np.ndarray)
    return ChartResult(
        chart_type=fit.chart_type,
        center=float(fit.center),
        lcl=lcl_c,
        ucl=ucl_c,
        sigma=float(fit.sigma),
        points=fit.points,
        violations=viol,
        secondary=secondary,
        limits_vary=vary,
        se=se_c,
        sizes=sizes,
        n_phase1=n_phase1,
        excluded=excluded,
        standards=fit.standards,
        rule_set=chosen,
        settings=dict(settings or {}, nsigmas=nsigmas, rules=numbers),
    )


FitFn = Callable[[NDArray[np.bool_]], Sequence[Fit]]


def phase1(
    fit_fn: FitFn,
    n_phase1: int,
    *,
    exclude: Sequence[int],
    iterate: bool,
    nsigmas: float,
    max_iter: int = MAX_ITER,
) -> tuple[Sequence[Fit], tuple[int, ...]]:
    """Estimate on the kept Phase I points; optionally drop points beyond limits and refit.

    ``fit_fn(keep)`` receives a boolean mask over the Phase I points and returns the
    fits (primary first, then e.g. the R chart). With ``iterate=True`` the points
    beyond the limits of any returned chart are excluded and the fit is repeated
    until no kept point is beyond its limits.
    """
    keep = np.ones(n_phase1, dtype=bool)
    keep[list(check_indices(exclude, n_phase1))] = False
    for _ in range(max_iter):
        if not keep.any():
            raise ValueError("every Phase I point was excluded; nothing is left to estimate from")
        fits = fit_fn(keep)
        if not iterate:
            break
        beyond = np.zeros(n_phase1, dtype=bool)
        for f in fits:
            lcl, ucl = f.limits(nsigmas)
            p = f.points[:n_phase1]
            hi = ucl[:n_phase1] if isinstance(ucl, np.ndarray) else ucl
            lo = lcl[:n_phase1] if isinstance(lcl, np.ndarray) else lcl
            beyond |= (p > hi) | (p < lo)
        beyond &= keep
        if not beyond.any():
            break
        keep &= ~beyond
    else:
        if not keep.any():
            raise ValueError("every Phase I point was excluded; nothing is left to estimate from")
        fits = fit_fn(keep)
    return fits, tuple(int(i) for i in np.flatnonzero(~keep))
