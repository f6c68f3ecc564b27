"""Box-Cox transformation (lambda by maximum likelihood) and capability on its scale."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from qcity.spc.capability._sigma import FloatArray, SigmaMethod
from qcity.spc.capability._transformed import (
    TransformedCapability,
    explicit_specs,
    finite_values,
    raw_array,
    transformed_capability,
)

_LAMBDA_BOUNDS = (-5.0, 5.0)


def boxcox_transform(x: ArrayLike, lmbda: float) -> FloatArray:
    """(x**lmbda - 1)/lmbda, or log(x) for lmbda = 0; increasing for every lmbda (x > 0)."""
    arr = np.asarray(x, dtype=np.float64)
    logs = np.log(arr)
    if lmbda == 0.0:
        return logs
    return np.asarray(np.expm1(lmbda * logs) / lmbda, dtype=np.float64)


def boxcox_llf(lmbda: float, logs: FloatArray) -> float:
    """Profile log-likelihood of lambda given log(x) (constants dropped)."""
    n = logs.size
    if abs(lmbda) < 1e-12:
        log_var = math.log(float(np.var(logs)))
    else:
        shift = float(np.max(logs))
        scaled = np.exp(lmbda * (logs - shift))
        log_var = 2.0 * lmbda * shift + math.log(float(np.var(scaled))) - 2.0 * math.log(abs(lmbda))
    return (lmbda - 1.0) * float(np.sum(logs)) - 0.5 * n * log_var


def boxcox_lambda(x: ArrayLike) -> float:
    """Maximum-likelihood Box-Cox lambda in [-5, 5] for positive data.

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.capability import boxcox_lambda
    >>> x = np.random.default_rng(2).lognormal(0.0, 0.5, size=2000)
    >>> abs(boxcox_lambda(x)) < 0.1
    True
    """
    values = finite_values(raw_array(x))
    if values.size < 3:
        raise ValueError(f"Box-Cox needs at least 3 values, got {values.size}")
    if np.any(values <= 0.0):
        raise ValueError("Box-Cox needs strictly positive data; shift the data or use johnson")
    logs = np.log(values)
    if float(np.ptp(logs)) == 0.0:
        raise ValueError("all values are equal; lambda cannot be estimated")
    res = optimize.minimize_scalar(
        lambda lam: -boxcox_llf(lam, logs),
        bounds=_LAMBDA_BOUNDS,
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(res.x)


def boxcox_capability(
    data: ArrayLike,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    lmbda: float | None = None,
    subgroups: ArrayLike | None = None,
    sigma_method: SigmaMethod | None = None,
    confidence: float = 0.95,
) -> TransformedCapability:
    """Capability after a Box-Cox transformation of data, spec limits and target.

    Parameters
    ----------
    data : array_like
        Strictly positive observations, 1-D or 2-D (rows = subgroups), as ``capability``.
    lsl, usl, target : float, optional
        Specification limits (strictly positive) and target, on the original scale.
    lmbda : float, optional
        Fixed lambda; by default estimated by maximum likelihood on all values.
    subgroups, sigma_method, confidence
        As in ``capability``.

    Returns
    -------
    TransformedCapability

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.capability import boxcox_capability
    >>> x = np.random.default_rng(3).lognormal(1.0, 0.3, size=200)
    >>> res = boxcox_capability(x, usl=10.0)
    >>> res.family, res.capability.cp is None
    ('box-cox', True)
    """
    lsl, usl, target = explicit_specs(lsl, usl, target)
    for name, value in (("lsl", lsl), ("usl", usl), ("target", target)):
        if value is not None and value <= 0.0:
            raise ValueError(f"Box-Cox needs a positive {name}, got {value}")
    arr = raw_array(data)
    lam = boxcox_lambda(arr) if lmbda is None else float(lmbda)
    return transformed_capability(
        arr,
        lambda v: boxcox_transform(v, lam),
        (lsl, usl, target),
        ("box-cox", "box-cox", {"lambda": lam}),
        (subgroups, sigma_method, confidence),
    )
