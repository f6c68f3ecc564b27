"""Result objects shared by every chart: ``ChartResult`` and ``Standards``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatOrArray = float | NDArray[np.float64]


@dataclass(frozen=True)
class Standards:
    """Known or frozen process parameters used for Phase II limits.

    Parameters
    ----------
    mean : float or array, optional
        Process mean (a vector for Hotelling T²).
    sigma : float, optional
        Process (within-subgroup) standard deviation of one observation.
    p : float, optional
        Fraction nonconforming (p, np, Laney p′ charts).
    rate : float, optional
        Nonconformities per unit (c, u, Laney u′ charts) or mean count (g chart).
    cov : array, optional
        Covariance matrix (Hotelling T²).
    sigma_z : float, optional
        Laney's between-subgroup inflation factor σ_z.
    """

    mean: float | NDArray[np.float64] | None = None
    sigma: float | None = None
    p: float | None = None
    rate: float | None = None
    cov: NDArray[np.float64] | None = None
    sigma_z: float | None = None


@dataclass(frozen=True, eq=False)
class ChartResult:
    """Outcome of one control chart (frozen).

    Attributes
    ----------
    chart_type : str
        One of xbar-r, xbar-s, i-mr, p, np, c, u, ewma, cusum, g, laney-p,
        laney-u, t2 (and r, s, mr, cusum-lower for secondary charts).
    center : float
        Centre line.
    lcl, ucl : float or ndarray
        Control limits; arrays (one value per point) when ``limits_vary``.
    sigma : float
        Process standard deviation used (for attribute charts: of one unit,
        e.g. sqrt(p̄(1-p̄)) for p, sqrt(ū) for u).
    points : ndarray
        Plotted statistic, Phase I points first, then ``new_data`` points.
    violations : ndarray of shape (k, 2)
        Rows of (rule, index) with a 0-based point index; one row per
        violating point (the lowest-numbered rule wins), sorted by index.
    secondary : ChartResult or None
        The R, S or MR chart (lower sums for CUSUM).
    limits_vary : bool
        True when the limits differ from point to point.
    se : float or ndarray
        Standard error of the plotted statistic (the zone width unit).
    sizes : ndarray or None
        Subgroup sizes.
    n_phase1 : int
        Number of points used to estimate the limits (Phase I).
    excluded : tuple of int
        Phase I points left out of the estimation (given or found iteratively).
    standards : Standards
        Parameters behind the limits; pass them back for Phase II.
    rule_set : str
        "we" or "nelson".
    settings : Mapping
        Other options used (nsigmas, sigma_method, lambda, k, h, ...).
    """

    chart_type: str
    center: float
    lcl: FloatOrArray
    ucl: FloatOrArray
    sigma: float
    points: NDArray[np.float64]
    violations: NDArray[np.int64]
    secondary: ChartResult | None = None
    limits_vary: bool = False
    se: FloatOrArray = math.nan
    sizes: NDArray[np.float64] | None = None
    n_phase1: int = 0
    excluded: tuple[int, ...] = ()
    standards: Standards = field(default_factory=Standards)
    rule_set: str = "we"
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def out_of_control(self) -> NDArray[np.int64]:
        """0-based indices of points with any violation."""
        out: NDArray[np.int64] = self.violations[:, 1].copy()
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (NaN and inf become None).

        Keys: type, center, lcl, ucl, sigma, points, violations (list of
        {"rule", "index"}), secondary ({type, center, lcl, ucl, points} or None).
        """
        sec = self.secondary
        return {
            "type": self.chart_type,
            "center": _num(self.center),
            "lcl": _limit(self.lcl),
            "ucl": _limit(self.ucl),
            "sigma": _num(self.sigma),
            "points": _list(self.points),
            "violations": [{"rule": int(r), "index": int(i)} for r, i in self.violations.tolist()],
            "secondary": None
            if sec is None
            else {
                "type": sec.chart_type,
                "center": _num(sec.center),
                "lcl": _limit(sec.lcl),
                "ucl": _limit(sec.ucl),
                "points": _list(sec.points),
            },
        }


def _num(x: float) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def _list(a: NDArray[np.float64]) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in np.asarray(a, dtype=float).tolist()]


def _limit(x: FloatOrArray) -> float | list[float | None] | None:
    if isinstance(x, np.ndarray) and x.ndim > 0:
        return _list(x)
    return _num(float(x))
