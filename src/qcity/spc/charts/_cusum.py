"""Tabular CUSUM (upper and lower sums in standard-error units), vectorised."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._constants import Convention
from ._result import ChartResult, Standards
from ._timeweighted import location_input

Vec = NDArray[np.float64]


def lindley(z: Vec, head_start: float = 0.0) -> Vec:
    """S_i = max(0, S_{i-1} + z_i) with S_0 = head_start, without a Python loop.

    With C_i = Σ_{j<=i} z_j: S_i = C_i - min(-head_start, min_{j<=i} C_j).
    """
    c = np.cumsum(z)
    out: Vec = c - np.minimum(np.minimum.accumulate(c), -head_start)
    return out


def _kh(
    k: float | None, h: float | None, se_shift: float | None, decision_interval: float | None
) -> tuple[float, float]:
    if k is not None and se_shift is not None:
        raise ValueError("give either k or se_shift (k = se_shift/2), not both")
    if h is not None and decision_interval is not None:
        raise ValueError("give either h or decision_interval, not both")
    kk = float(se_shift) / 2.0 if se_shift is not None else (0.5 if k is None else float(k))
    hh = (
        float(decision_interval)
        if decision_interval is not None
        else (5.0 if h is None else float(h))
    )
    if not (np.isfinite(kk) and kk >= 0):
        raise ValueError(f"k must be a non-negative number, got {kk!r}")
    if not (np.isfinite(hh) and hh > 0):
        raise ValueError(f"h (the decision interval) must be positive, got {hh!r}")
    return kk, hh


def cusum_chart(
    data: ArrayLike,
    subgroup_size: int | None = None,
    labels: ArrayLike | None = None,
    *,
    k: float | None = None,
    h: float | None = None,
    se_shift: float | None = None,
    decision_interval: float | None = None,
    head_start: float = 0.0,
    sigma_method: str | None = None,
    standards: Standards | None = None,
    new_data: ArrayLike | None = None,
    new_labels: ArrayLike | None = None,
    exclude: Sequence[int] = (),
    constants: Convention = "qcc",
) -> ChartResult:
    """Tabular two-sided CUSUM in standard-error units (as qcc ``cusum``).

    With z_i = (x̄_i - μ)/(σ/√n_i):
    C⁺_i = max(0, C⁺_{i-1} + z_i - k) and C⁻_i = max(0, C⁻_{i-1} - z_i - k).
    ``points`` holds C⁺; ``secondary`` (type "cusum-lower") holds -C⁻ as qcc
    plots it. A signal (rule 1) is C⁺ > h or C⁻ > h. Multiply by ``se`` for
    original units.

    Parameters
    ----------
    k, h : float
        Reference value and decision interval in σ units of the plotted
        statistic (defaults 0.5 and 5).
    se_shift, decision_interval : float, optional
        qcc's names: k = se_shift/2, h = decision_interval.
    head_start : float
        Fast initial response start value for both sums (0 <= head_start < h).

    Examples
    --------
    >>> res = cusum_chart([0.0, 1.2, 1.5, 0.9], standards=Standards(mean=0.0, sigma=1.0))
    >>> res.points.round(1).tolist()
    [0.0, 0.7, 1.7, 2.1]
    """
    kk, hh = _kh(k, h, se_shift, decision_interval)
    if not 0.0 <= head_start < hh:
        raise ValueError("head_start must be non-negative and less than the decision interval h")
    loc = location_input(
        data, subgroup_size, labels, new_data, new_labels, sigma_method=sigma_method,
        standards=standards, exclude=exclude, constants=constants, what="CUSUM chart",
    )  # fmt: skip
    se = loc.sigma / np.sqrt(loc.sizes)
    z = (loc.means - loc.center) / se
    upper = lindley(z - kk, head_start)
    lower = -lindley(-z - kk, head_start)
    signal = (upper > hh) | (lower < -hh)
    idx = np.flatnonzero(signal)
    viol = np.column_stack((np.ones(idx.size, dtype=np.int64), idx)).astype(np.int64)
    low_idx = np.flatnonzero(lower < -hh)
    low_viol = np.column_stack((np.ones(low_idx.size, dtype=np.int64), low_idx)).astype(np.int64)
    vary = not np.all(se == se[0])
    se_out: float | Vec = se if vary else float(se[0])
    settings = {"k": kk, "h": hh, "head_start": head_start, "sigma_method": loc.method}
    std = Standards(mean=loc.center, sigma=loc.sigma)
    common = {"center": 0.0, "lcl": -hh, "ucl": hh, "sigma": loc.sigma, "se": se_out,
              "sizes": loc.sizes, "n_phase1": loc.n1, "excluded": loc.excluded,
              "standards": std, "settings": settings}  # fmt: skip
    sec = ChartResult(chart_type="cusum-lower", points=lower, violations=low_viol, **common)  # type: ignore[arg-type]
    return ChartResult(chart_type="cusum", points=upper, violations=viol, secondary=sec, **common)  # type: ignore[arg-type]
