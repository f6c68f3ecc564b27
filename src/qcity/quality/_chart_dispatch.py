"""Which library chart each ``--type`` runs, and which options it accepts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qcity.errors import InputError
from qcity.spc import charts
from qcity.spc.charts import ChartResult, Standards

CHART_TYPES = ("xbar-r", "xbar-s", "i-mr", "p", "np", "c", "u", "ewma", "cusum", "g")
RULE_SETS = ("we", "nelson", "none")
_VARIABLES = ("xbar-r", "xbar-s", "i-mr", "ewma", "cusum")
_SHEWHART = ("xbar-r", "xbar-s", "i-mr", "p", "np", "c", "u", "g")
_COUNTS = ("c", "u", "g")
_APPLIES: dict[str, tuple[tuple[str, ...], str]] = {
    "sigma_method": (_VARIABLES, "the sigma method"),
    "lam": (("ewma",), "the EWMA weight lambda"),
    "k": (("cusum",), "the CUSUM reference value k"),
    "h": (("cusum",), "the CUSUM decision interval h"),
    "mean": ((*_VARIABLES, *_COUNTS), "a standard mean"),
    "sigma": (_VARIABLES, "a standard sigma"),
    "p": (("p", "np"), "a standard fraction p"),
    "rules": (_SHEWHART, "run rules"),
    "sizes": (("p", "np", "u"), "sample sizes"),
    "subgroup_labels": (("xbar-r", "xbar-s", "ewma", "cusum"), "a subgroup column"),
}


@dataclass(frozen=True)
class ChartSpec:
    """A control chart request: type, subgrouping and options (None means the default).

    Attributes
    ----------
    chart_type : str
        One of :data:`CHART_TYPES`.
    subgroup_size : int, optional
        Consecutive values per subgroup; for p, np and u charts the constant sample size.
    subgroup_labels : sequence of str, optional
        One subgroup label per value (X̄, EWMA and CUSUM charts).
    sizes : ndarray, optional
        Sample size per point (p, np and u charts).
    rules : {"we", "nelson", "none"}, optional
        Run rules; the library's default (Western Electric 1 and 4) when None.
    sigma_method, lam, k, h : optional
        Sigma estimator, EWMA weight, CUSUM reference value and decision interval.
    mean, sigma, p : float, optional
        Phase II standards (``mean`` is the mean count for c, u and g charts).
    """

    chart_type: str
    subgroup_size: int | None = None
    subgroup_labels: Sequence[str] | None = None
    sizes: NDArray[np.float64] | None = None
    rules: str | None = None
    sigma_method: str | None = None
    lam: float | None = None
    k: float | None = None
    h: float | None = None
    mean: float | None = None
    sigma: float | None = None
    p: float | None = None


def check_spec(spec: ChartSpec) -> None:
    """Refuse an unknown chart type or rule set, and options the chart does not take."""
    if spec.chart_type not in CHART_TYPES:
        raise InputError(
            f"unknown chart type {spec.chart_type!r}; use one of {', '.join(CHART_TYPES)}"
        )
    if spec.rules is not None and spec.rules not in RULE_SETS:
        raise InputError(f"unknown rule set {spec.rules!r}; use one of {', '.join(RULE_SETS)}")
    for name, (types, what) in _APPLIES.items():
        if getattr(spec, name) is not None and spec.chart_type not in types:
            raise InputError(
                f"{what} does not apply to the {spec.chart_type} chart (only {', '.join(types)})"
            )
    if spec.subgroup_size is not None and spec.subgroup_labels is not None:
        raise InputError("give either a subgroup size or a subgroup column, not both")
    if spec.subgroup_size is not None and spec.chart_type in ("i-mr", "c", "g"):
        raise InputError(
            f"the {spec.chart_type} chart takes individual values; drop the subgroup size"
        )


def _rules(spec: ChartSpec) -> dict[str, Any]:
    if spec.rules is None:
        return {}
    return {"rules": None if spec.rules == "none" else spec.rules}


def _method(spec: ChartSpec) -> dict[str, Any]:
    return {} if spec.sigma_method is None else {"sigma_method": spec.sigma_method}


def _standards(spec: ChartSpec) -> Standards | None:
    if spec.chart_type in _COUNTS:
        return None if spec.mean is None else Standards(rate=spec.mean)
    if spec.mean is None and spec.sigma is None and spec.p is None:
        return None
    return Standards(mean=spec.mean, sigma=spec.sigma, p=spec.p)


def _subgrouped(spec: ChartSpec) -> tuple[int | None, Sequence[str] | None]:
    if spec.subgroup_size is None and spec.subgroup_labels is None:
        raise InputError(
            f"the {spec.chart_type} chart needs subgroups: give a subgroup column or size"
        )
    return spec.subgroup_size, spec.subgroup_labels


def _sample_sizes(spec: ChartSpec) -> NDArray[np.float64] | float:
    if spec.sizes is not None:
        return spec.sizes
    if spec.subgroup_size is not None:
        return float(spec.subgroup_size)
    raise InputError(
        f"the {spec.chart_type} chart needs sample sizes: give a size column or a subgroup size"
    )


def _np_size(spec: ChartSpec) -> float | NDArray[np.float64]:
    sizes = _sample_sizes(spec)
    if isinstance(sizes, np.ndarray) and np.all(sizes == sizes[0]):
        return float(sizes[0])
    return sizes


Runner = Callable[[NDArray[np.float64], ChartSpec], ChartResult]


def _xbar_r(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    size, labels = _subgrouped(s)
    extra = {**_rules(s), **_method(s)}
    return charts.xbar_r_chart(x, size, labels, standards=_standards(s), **extra)


def _xbar_s(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    size, labels = _subgrouped(s)
    extra = {**_rules(s), **_method(s)}
    return charts.xbar_s_chart(x, size, labels, standards=_standards(s), **extra)


def _imr(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    return charts.imr_chart(x, standards=_standards(s), **_rules(s), **_method(s))


def _p(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    return charts.p_chart(x, _sample_sizes(s), standards=_standards(s), **_rules(s))


def _np(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    size: Any = _np_size(s)
    return charts.np_chart(x, size, standards=_standards(s), **_rules(s))


def _c(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    return charts.c_chart(x, standards=_standards(s), **_rules(s))


def _u(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    return charts.u_chart(x, _sample_sizes(s), standards=_standards(s), **_rules(s))


def _g(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    return charts.g_chart(x, standards=_standards(s), **_rules(s))


def _ewma(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    lam = 0.2 if s.lam is None else s.lam
    return charts.ewma_chart(
        x, s.subgroup_size, s.subgroup_labels, lam=lam, standards=_standards(s), **_method(s)
    )


def _cusum(x: NDArray[np.float64], s: ChartSpec) -> ChartResult:
    return charts.cusum_chart(
        x, s.subgroup_size, s.subgroup_labels, k=s.k, h=s.h, standards=_standards(s), **_method(s)
    )


RUNNERS: dict[str, Runner] = {
    "xbar-r": _xbar_r,
    "xbar-s": _xbar_s,
    "i-mr": _imr,
    "p": _p,
    "np": _np,
    "c": _c,
    "u": _u,
    "g": _g,
    "ewma": _ewma,
    "cusum": _cusum,
}
