"""Design and check single sampling plans against producer's and consumer's risk points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

_DESIGN_MODELS = ("binomial", "poisson")


@dataclass(frozen=True)
class DesignedPlan:
    """Smallest single sampling plan meeting two risk points.

    Attributes
    ----------
    n, c, r : int
        Sample size, acceptance number and rejection number ``c + 1``.
    producer_risk, consumer_risk : float
        Achieved ``1 - Pa(p1)`` and ``Pa(p2)``.
    """

    n: int
    c: int
    r: int
    p1: float
    alpha: float
    p2: float
    beta: float
    model: str
    producer_risk: float
    consumer_risk: float


@dataclass(frozen=True)
class PlanCheck:
    """Whether a plan (n, c) meets the producer's and consumer's risk points."""

    n: int
    c: int
    pa_at_p1: float
    pa_at_p2: float
    meets_producer: bool
    meets_consumer: bool


def _validate(p1: float, alpha: float, p2: float, beta: float, model: str) -> None:
    if model not in _DESIGN_MODELS:
        raise ValueError(f"model {model!r} is unknown; valid models: {', '.join(_DESIGN_MODELS)}")
    if not 0.0 < p1 < p2:
        raise ValueError(f"need 0 < p1 < p2, got p1={p1!r}, p2={p2!r}")
    if model == "binomial" and p2 >= 1.0:
        raise ValueError(f"p2 must be < 1 for the binomial model, got {p2!r}")
    for name, risk in (("alpha", alpha), ("beta", beta)):
        if not 0.0 < risk < 1.0:
            raise ValueError(f"{name} must lie in (0, 1), got {risk!r}")


def _cdf(c: int | np.ndarray, n: int, p: float, model: str) -> np.ndarray:
    if model == "binomial":
        return np.asarray(stats.binom.cdf(c, n, p), dtype=np.float64)
    return np.asarray(stats.poisson.cdf(c, n * p), dtype=np.float64)


def _ppf(q: float, n: int, p: float, model: str) -> int:
    if model == "binomial":
        return int(stats.binom.ppf(q, n, p))
    return int(stats.poisson.ppf(q, n * p))


def _smallest_c(n: int, p1: float, p2: float, alpha: float, beta: float, model: str) -> int | None:
    """Smallest c meeting the producer's point; the only candidate, as Pa rises with c."""
    c = max(_ppf(1.0 - alpha, n, p1, model), 0)
    while c > 0 and _cdf(c - 1, n, p1, model) >= 1.0 - alpha:
        c -= 1
    while _cdf(c, n, p1, model) < 1.0 - alpha:
        c += 1
    if c > n and model == "binomial":
        return None
    return c if _cdf(c, n, p2, model) <= beta else None


def find_plan(
    p1: float,
    alpha: float,
    p2: float,
    beta: float,
    *,
    model: str = "binomial",
    max_n: int = 10_000,
) -> DesignedPlan:
    """Smallest n (then smallest c) with ``Pa(p1) >= 1 - alpha`` and ``Pa(p2) <= beta``.

    Parameters
    ----------
    p1, alpha : float
        Producer's risk point: quality (e.g. the AQL as a fraction) and risk.
    p2, beta : float
        Consumer's risk point: quality (e.g. LTPD / LQ as a fraction) and risk.
    model : {"binomial", "poisson"}
        Distribution of the number of nonconforming items in the sample.
    max_n : int
        Largest sample size searched.

    Returns
    -------
    DesignedPlan

    Raises
    ------
    ValueError
        For invalid risk points or when no plan with ``n <= max_n`` exists.

    Examples
    --------
    >>> plan = find_plan(0.05, 0.05, 0.15, 0.075)
    >>> plan.n, plan.c, plan.r
    (80, 7, 8)
    """
    _validate(p1, alpha, p2, beta, model)
    for n in range(1, max_n + 1):
        c = _smallest_c(n, p1, p2, alpha, beta, model)
        if c is not None:
            producer = 1.0 - float(_cdf(c, n, p1, model))
            consumer = float(_cdf(c, n, p2, model))
            return DesignedPlan(n, c, c + 1, p1, alpha, p2, beta, model, producer, consumer)
    raise ValueError(f"no single sampling plan with n <= max_n={max_n} meets both risk points")


def check_plan(
    n: int, c: int, p1: float, alpha: float, p2: float, beta: float, *, model: str = "binomial"
) -> PlanCheck:
    """Check a plan (n, c) against producer's (p1, alpha) and consumer's (p2, beta) points.

    Examples
    --------
    >>> check = check_plan(20, 0, 0.05, 0.05, 0.15, 0.075)
    >>> check.meets_producer, check.meets_consumer
    (False, True)
    """
    _validate(p1, alpha, p2, beta, model)
    if n < 1 or not 0 <= c <= n:
        raise ValueError(f"need n >= 1 and 0 <= c <= n, got n={n}, c={c}")
    pa1, pa2 = float(_cdf(c, n, p1, model)), float(_cdf(c, n, p2, model))
    return PlanCheck(n, c, pa1, pa2, pa1 >= 1.0 - alpha, pa2 <= beta)
