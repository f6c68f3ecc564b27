"""Phase II: apply the frozen limits of a Phase I result to new data."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._attributes import c_chart, g_chart, laney_p_chart, laney_u_chart, np_chart, p_chart, u_chart
from ._cusum import cusum_chart
from ._ewma import ewma_chart
from ._multivariate import hotelling_t2_chart
from ._result import ChartResult, Standards
from ._rules import RuleSpec
from ._variables import imr_chart, xbar_r_chart, xbar_s_chart

_SAME: Any = object()


def phase2(
    result: ChartResult,
    data: ArrayLike,
    sizes: ArrayLike | None = None,
    *,
    subgroup_size: int | None = None,
    labels: ArrayLike | None = None,
    rules: RuleSpec = _SAME,
) -> ChartResult:
    """Chart new data against the limits frozen in a Phase I ``result``.

    The parameters in ``result.standards`` (mean, sigma, p, rate, σ_z, mean
    vector and covariance) and the options in ``result.settings`` are reused;
    only the new points are charted. For T² the Phase II prediction limit
    (UPL) of the Phase I result is used.

    Parameters
    ----------
    result : ChartResult
        A Phase I result.
    data : array_like
        New observations in the form the chart function takes (counts for
        attribute charts).
    sizes : array_like, optional
        Subgroup sizes for p, np, u and Laney charts (default: the first Phase I size).
    rules : optional
        Run rules (default: the ones of ``result``).

    Examples
    --------
    >>> ref = imr_chart([10.0, 10.2, 9.9, 10.1, 9.8, 10.0])
    >>> new = phase2(ref, [10.1, 11.5])
    >>> new.center == ref.center, new.ucl == ref.ucl
    (True, True)
    """
    s, std, kind = result.settings, result.standards, result.chart_type
    rr = (s.get("rules", ()), result.rule_set) if rules is _SAME else (rules, None)
    rule_kw: dict[str, Any] = {"rules": rr[0], "rule_set": rr[1]}
    n_kw: dict[str, Any] = {"nsigmas": s.get("nsigmas", 3.0)}
    group_kw: dict[str, Any] = {"subgroup_size": subgroup_size, "labels": labels}
    if kind in ("xbar-r", "xbar-s"):
        fn = xbar_r_chart if kind == "xbar-r" else xbar_s_chart
        return fn(data, **group_kw, standards=std, constants=s["constants"], **n_kw, **rule_kw)
    if kind == "i-mr":
        return imr_chart(data, standards=std, constants=s["constants"], **n_kw, **rule_kw)
    if kind == "ewma":
        return ewma_chart(
            data, **group_kw, standards=std, lam=s["lam"], steady_state=s["steady_state"], **n_kw
        )
    if kind == "cusum":
        return cusum_chart(data, **group_kw, standards=std, k=s["k"], h=s["h"])
    if kind == "t2":
        return _t2_phase2(result, data)
    return _attribute_phase2(result, data, sizes, {**n_kw, **rule_kw})


def _default_sizes(result: ChartResult, sizes: ArrayLike | None) -> ArrayLike:
    if sizes is not None:
        return sizes
    if result.sizes is None:
        raise ValueError("sizes are required for this chart")
    return float(result.sizes[0])


def _attribute_phase2(
    result: ChartResult, data: ArrayLike, sizes: ArrayLike | None, kw: dict[str, Any]
) -> ChartResult:
    kind, std = result.chart_type, result.standards
    if kind == "p":
        return p_chart(data, _default_sizes(result, sizes), standards=std, **kw)
    if kind == "np":
        return np_chart(data, _default_sizes(result, sizes), standards=std, **kw)  # type: ignore[arg-type]
    if kind == "u":
        return u_chart(data, _default_sizes(result, sizes), standards=std, **kw)
    if kind == "c":
        return c_chart(data, standards=std, **kw)
    if kind == "g":
        return g_chart(data, standards=std, conf=result.settings.get("conf"), **kw)
    if kind == "laney-p":
        return laney_p_chart(data, _default_sizes(result, sizes), standards=std, **kw)
    if kind == "laney-u":
        return laney_u_chart(data, _default_sizes(result, sizes), standards=std, **kw)
    raise ValueError(f"cannot run Phase II for chart type {kind!r}")


def _t2_phase2(result: ChartResult, data: ArrayLike) -> ChartResult:
    std = result.standards
    new = hotelling_t2_chart(
        data, conf=result.settings["conf"], standards=Standards(mean=std.mean, cov=std.cov)
    )
    upl = float(result.settings["upl_phase2"])
    idx = np.flatnonzero(new.points > upl)
    viol = np.column_stack((np.ones(idx.size, dtype=np.int64), idx)).astype(np.int64)
    settings = dict(result.settings)
    return ChartResult(
        chart_type="t2", center=result.center, lcl=0.0, ucl=upl, sigma=float("nan"),
        points=new.points, violations=viol, sizes=new.sizes, n_phase1=0,
        standards=std, settings=settings,
    )  # fmt: skip
