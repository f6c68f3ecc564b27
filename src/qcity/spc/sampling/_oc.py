"""Operating characteristic, AOQ, AOQL and ATI of single sampling plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

Model = Literal["binomial", "poisson", "hypergeometric"]
MODELS: tuple[str, ...] = ("binomial", "poisson", "hypergeometric")
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class OCCurve:
    """Operating characteristic of a single sampling plan (n, c).

    Attributes
    ----------
    p : ndarray
        Fraction nonconforming (binomial, hypergeometric) or nonconformities per item
        (Poisson; multiply by 100 for nonconformities per 100 items).
    pa : ndarray
        Probability of acceptance.
    aoq : ndarray
        Average outgoing quality ``Pa * p * (N - n) / N`` (rectifying inspection);
        ``Pa * p`` when the lot size is unknown.
    ati : ndarray or None
        Average total inspection ``n + (1 - Pa) * (N - n)``; None without a lot size.

    For the hypergeometric model the lot holds ``round(p * N)`` nonconforming items, so
    ``p`` is reported (and used in the AOQ) as ``round(p * N) / N``.
    """

    n: int
    c: int
    model: str
    lot_size: int | None
    p: FloatArray
    pa: FloatArray
    aoq: FloatArray
    ati: FloatArray | None


@dataclass(frozen=True)
class AOQLResult:
    """Average outgoing quality limit: the maximum of the AOQ curve and where it occurs."""

    aoql: float
    p: float
    n: int
    c: int
    model: str
    lot_size: int | None


def _check_plan(n: int, c: int, lot_size: int | None, model: str) -> None:
    if model not in MODELS:
        raise ValueError(f"model {model!r} is unknown; valid models: {', '.join(MODELS)}")
    if n < 1 or c < 0:
        raise ValueError(f"need sample size n >= 1 and acceptance number c >= 0, got {n}, {c}")
    if lot_size is not None and lot_size < n:
        raise ValueError(f"lot size {lot_size} is smaller than the sample size {n}")
    if model == "hypergeometric" and lot_size is None:
        raise ValueError("model 'hypergeometric' (type-A OC) needs lot_size")


def _fractions(p: ArrayLike, model: str) -> FloatArray:
    values = np.asarray(p, dtype=np.float64)
    upper = np.inf if model == "poisson" else 1.0
    if not np.all(np.isfinite(values) & (values >= 0) & (values <= upper)):
        bound = "a finite value >= 0" if model == "poisson" else "in [0, 1]"
        raise ValueError(f"p must be {bound} for the {model} model")
    return values


def probability_of_acceptance(
    p: ArrayLike,
    n: int,
    c: int,
    *,
    model: Model = "binomial",
    lot_size: int | None = None,
) -> FloatArray:
    """Probability of accepting a lot, Pa = P(d <= c).

    Parameters
    ----------
    p : array_like
        Fraction nonconforming, or nonconformities per item for ``model="poisson"``.
    n, c : int
        Sample size and acceptance number.
    model : {"binomial", "poisson", "hypergeometric"}
        Binomial (type-B, fraction nonconforming), Poisson (nonconformities), or
        hypergeometric (type-A, isolated lot of ``lot_size`` with ``round(p * N)``
        nonconforming items).
    lot_size : int, optional
        Lot size N; required for the hypergeometric model.

    Returns
    -------
    ndarray
        Pa for each p.

    Examples
    --------
    >>> probability_of_acceptance([0.015, 0.1], 52, 2).round(3)
    array([0.957, 0.097])
    """
    _check_plan(n, c, lot_size, model)
    values = _fractions(p, model)
    if model == "binomial":
        return np.asarray(stats.binom.cdf(c, n, values), dtype=np.float64)
    if model == "poisson":
        return np.asarray(stats.poisson.cdf(c, n * values), dtype=np.float64)
    assert lot_size is not None
    defectives = np.rint(values * lot_size)
    return np.asarray(stats.hypergeom.cdf(c, lot_size, defectives, n), dtype=np.float64)


def _aoq(pa: FloatArray, p: FloatArray, n: int, lot_size: int | None) -> FloatArray:
    factor = 1.0 if lot_size is None else (lot_size - n) / lot_size
    return pa * p * factor


def oc_curve(
    n: int,
    c: int,
    p: ArrayLike,
    *,
    model: Model = "binomial",
    lot_size: int | None = None,
) -> OCCurve:
    """OC curve with AOQ and ATI of the single sampling plan (n, c).

    Examples
    --------
    >>> oc = oc_curve(52, 3, [0.01, 0.06], lot_size=10000)
    >>> oc.pa.round(3), oc.aoq.round(4), oc.ati.round(0)
    (array([0.998, 0.62 ]), array([0.0099, 0.037 ]), array([  70., 3836.]))
    """
    pa = probability_of_acceptance(p, n, c, model=model, lot_size=lot_size)
    values = _fractions(p, model)
    ati = None if lot_size is None else n + (1.0 - pa) * (lot_size - n)
    if model == "hypergeometric" and lot_size is not None:
        values = np.rint(values * lot_size) / lot_size
    aoq = _aoq(pa, values, n, lot_size)
    return OCCurve(n, c, model, lot_size, values, pa, aoq, ati)


def _aoq_at(x: float, n: int, c: int, model: Model, lot_size: int | None) -> float:
    pa = probability_of_acceptance([x], n, c, model=model, lot_size=lot_size)
    return float(_aoq(pa, np.array([x]), n, lot_size)[0])


def _upper(n: int, c: int, model: str) -> float:
    """Largest p searched: Pa is negligible beyond ten times the mean count c + 1."""
    upper = 10.0 * (c + 1) / n
    return upper if model == "poisson" else min(1.0, upper)


def _aoql_hypergeometric(n: int, c: int, lot_size: int) -> tuple[float, float]:
    """Exact maximum over every possible count D of nonconforming items in the lot."""
    count = min(lot_size, int(np.ceil(_upper(n, c, "hypergeometric") * lot_size)))
    grid = np.arange(count + 1, dtype=np.float64) / lot_size
    pa = probability_of_acceptance(grid, n, c, model="hypergeometric", lot_size=lot_size)
    curve = _aoq(pa, grid, n, lot_size)
    best = int(np.argmax(curve))
    return float(curve[best]), float(grid[best])


def _aoql_continuous(n: int, c: int, model: Model, lot_size: int | None) -> tuple[float, float]:
    """Grid search, then bounded scalar optimisation between the grid neighbours."""
    grid = np.linspace(0.0, _upper(n, c, model), 2001)
    curve = oc_curve(n, c, grid, model=model, lot_size=lot_size).aoq
    best = int(np.argmax(curve))
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    found = optimize.minimize_scalar(
        lambda x: -_aoq_at(x, n, c, model, lot_size),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-12},
    )
    if -float(found.fun) < curve[best]:
        return float(curve[best]), float(grid[best])
    return -float(found.fun), float(found.x)


def aoql(n: int, c: int, *, model: Model = "binomial", lot_size: int | None = None) -> AOQLResult:
    """Average outgoing quality limit (maximum AOQ over p) and the p where it is reached.

    A grid search is refined by bounded scalar optimisation; for the hypergeometric
    model the AOQ is evaluated at every possible count of nonconforming items instead.

    Examples
    --------
    >>> r = aoql(52, 2, lot_size=5000)
    >>> round(100 * r.aoql, 3), round(100 * r.p, 1)
    (2.603, 4.3)
    """
    _check_plan(n, c, lot_size, model)
    if model == "hypergeometric":
        assert lot_size is not None
        value, p = _aoql_hypergeometric(n, c, lot_size)
    else:
        value, p = _aoql_continuous(n, c, model, lot_size)
    return AOQLResult(value, p, n, c, model, lot_size)
