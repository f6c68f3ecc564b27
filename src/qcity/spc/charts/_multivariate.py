"""Hotelling T² chart for subgroups or individual multivariate observations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ._result import ChartResult, Standards
from ._subgroups import check_indices

Vec = NDArray[np.float64]


def _as_array(data: ArrayLike, name: str) -> Vec:
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers") from exc
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be 2-D (observations x variables) "
            "or 3-D (subgroups x observations x variables)"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contain missing or infinite values")
    return arr


def _t2(means: Vec, center: Vec, cov: Vec, n: int) -> Vec:
    dev = means - center
    try:
        sol = np.linalg.solve(cov, dev.T).T
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "the covariance matrix is singular; check for constant or collinear variables"
        ) from exc
    out: Vec = n * np.einsum("ij,ij->i", dev, sol)
    return out


def t2_limits(m: int, n: int, p: int, conf: float) -> tuple[float, float, float]:
    """(UCL Phase I, UPL Phase II, median) as qcc ``limits.T2`` / ``limits.T2.single``.

    Subgroups (n > 1): UCL = p(m-1)(n-1)/(mn-m-p+1)·F(conf; p, mn-m-p+1), UPL with (m+1).
    Individuals (n = 1, Tracy, Young & Mason 1992): UCL = (m-1)²/m·Beta(conf; p/2, (m-p-1)/2),
    UPL = p(m+1)(m-1)/(m(m-p))·F(conf; p, m-p).

    Examples
    --------
    >>> [round(v, 5) for v in t2_limits(20, 4, 2, (1 - 0.0027) ** 2)[:2]]
    [11.03976, 12.20184]
    """
    if n > 1:
        df2 = m * n - m - p + 1
        if df2 <= 0:
            raise ValueError(
                "too few subgroups for the number of variables (need mn - m - p + 1 > 0)"
            )
        base = p * (n - 1) / df2
        f = stats.f(p, df2)
        q, med = float(f.ppf(conf)), float(f.ppf(0.5))
        return base * (m - 1) * q, base * (m + 1) * q, base * (m - 1) * med
    if m - p - 1 <= 0:
        raise ValueError(f"need more than {p + 1} observations for {p} variables")
    beta = stats.beta(p / 2.0, (m - p - 1) / 2.0)
    scale = (m - 1) ** 2 / m
    upl = p * (m + 1) * (m - 1) / (m * (m - p)) * stats.f.ppf(conf, p, m - p)
    return scale * float(beta.ppf(conf)), float(upl), scale * float(beta.ppf(0.5))


def hotelling_t2_chart(
    data: ArrayLike,
    *,
    conf: float | None = None,
    standards: Standards | None = None,
    new_data: ArrayLike | None = None,
    exclude: Sequence[int] = (),
) -> ChartResult:
    """Hotelling T² chart (as qcc ``mqcc`` types "T2" and "T2.single", Montgomery §11.3).

    Parameters
    ----------
    data : array_like
        (m, n, p) subgroups of n observations on p variables, or (m, p)
        individual observations.
    conf : float, optional
        Confidence level, default (1 - 0.0027)^p as qcc.
    standards : Standards, optional
        Known ``mean`` vector and ``cov`` matrix: then every point is Phase II
        and UCL = χ²(conf; p).
    new_data : array_like, optional
        Phase II observations, charted against the prediction limit UPL.
    exclude : sequence of int
        Phase I subgroups left out of the estimation.

    Returns
    -------
    ChartResult
        ``standards`` holds the mean vector and covariance; ``settings`` holds
        conf, ucl_phase1 and upl_phase2. The centre is the median of the
        reference distribution; LCL is 0.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> res = hotelling_t2_chart(rng.normal(size=(30, 2)))
    >>> res.chart_type, res.lcl
    ('t2', 0.0)
    """
    arr = _as_array(data, "data")
    single = arr.ndim == 2
    obs = arr[:, None, :] if single else arr
    m, n, p = obs.shape
    if conf is None:
        conf = (1.0 - 0.0027) ** p
    if not 0.0 < conf < 1.0:
        raise ValueError(f"conf must be strictly between 0 and 1, got {conf!r}")
    means = obs.mean(axis=1)
    allmeans = means
    if new_data is not None:
        new = _as_array(new_data, "new_data")
        new_obs = new[:, None, :] if new.ndim == 2 else new
        if new_obs.shape[1:] != (n, p):
            raise ValueError(f"new_data must have the same shape per point as data: ({n}, {p})")
        allmeans = np.concatenate((means, new_obs.mean(axis=1)))
    keep = np.ones(m, dtype=bool)
    excluded = check_indices(exclude, m)
    keep[list(excluded)] = False
    mk = int(keep.sum())
    std = standards or Standards()
    center = (
        np.asarray(std.mean, dtype=np.float64) if std.mean is not None else means[keep].mean(axis=0)
    )
    if std.cov is not None:
        cov = np.asarray(std.cov, dtype=np.float64)
    elif single:
        cov = np.cov(means[keep], rowvar=False, ddof=1).reshape(p, p)
    else:
        if n < 2:
            raise ValueError("subgroups need at least 2 observations to pool the covariance")
        dev = obs[keep] - means[keep][:, None, :]
        cov = np.einsum("kij,kil->jl", dev, dev) / (mk * (n - 1))
    if center.shape != (p,) or cov.shape != (p, p):
        raise ValueError(f"standards need a mean of length {p} and a {p}x{p} covariance")
    points = _t2(allmeans, center, cov, n)
    known = std.mean is not None and std.cov is not None
    if known:
        ucl1 = upl = float(stats.chi2.ppf(conf, p))
        mid = float(stats.chi2.ppf(0.5, p))
    else:
        ucl1, upl, mid = t2_limits(mk, n, p, conf)
    ucl = np.full(points.size, upl)
    ucl[:m] = ucl1
    vary = points.size > m and upl != ucl1
    idx = np.flatnonzero(points > ucl)
    viol = np.column_stack((np.ones(idx.size, dtype=np.int64), idx)).astype(np.int64)
    return ChartResult(
        chart_type="t2",
        center=float(mid),
        lcl=0.0,
        ucl=ucl if vary else float(ucl1),
        sigma=float("nan"),
        points=points,
        violations=viol,
        limits_vary=bool(vary),
        sizes=np.full(points.size, float(n)),
        n_phase1=m,
        excluded=excluded,
        standards=Standards(mean=center, cov=cov),
        rule_set="we",
        settings={"conf": conf, "ucl_phase1": float(ucl1), "upl_phase2": float(upl), "nvars": p},
    )
