"""Maximum-likelihood fits (normal, lognormal, Weibull, gamma) with the AD statistic."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from qcity.spc.capability._normality import ad_statistic
from qcity.spc.capability._sigma import FloatArray

DISTRIBUTIONS: tuple[str, ...] = ("normal", "lognormal", "weibull", "gamma")


@dataclass(frozen=True)
class DistributionFit:
    """A fitted distribution: scipy-style frozen parameters, AD statistic and log-likelihood.

    ``parameters`` are named: normal ``mean, sd`` (sd with ddof=1, so the normal
    percentile indices equal Pp/Ppk); lognormal ``meanlog, sdlog``; Weibull
    ``shape, scale``; gamma ``shape, scale`` (all two-parameter, MLE).
    """

    name: str
    parameters: dict[str, float] = field(hash=False)
    ad_statistic: float
    log_likelihood: float

    def frozen(self) -> Any:
        """The fitted ``scipy.stats`` frozen distribution."""
        return frozen_distribution(self.name, self.parameters)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the attributes."""
        return {
            "name": self.name,
            "parameters": dict(self.parameters),
            "ad_statistic": self.ad_statistic,
            "log_likelihood": self.log_likelihood,
        }


def frozen_distribution(name: str, p: dict[str, float]) -> Any:
    """scipy.stats frozen distribution for a fit's named parameters."""
    if name == "normal":
        return stats.norm(loc=p["mean"], scale=p["sd"])
    if name == "lognormal":
        return stats.lognorm(s=p["sdlog"], scale=math.exp(p["meanlog"]))
    if name == "weibull":
        return stats.weibull_min(c=p["shape"], scale=p["scale"])
    return stats.gamma(a=p["shape"], scale=p["scale"])


def _weibull_mle(x: FloatArray) -> dict[str, float]:
    logs = np.log(x)
    shift = float(np.max(logs))
    u = logs - shift
    mean_log = float(np.mean(logs))

    def score(k: float) -> float:
        w = np.exp(k * u)
        return float(np.dot(w, logs) / np.sum(w)) - 1.0 / k - mean_log

    k0 = 1.2 / float(np.std(logs))
    lo, hi = k0 / 4.0, k0 * 4.0
    while score(lo) > 0.0:
        lo /= 4.0
    while score(hi) < 0.0:
        hi *= 4.0
    k = float(optimize.brentq(score, lo, hi, xtol=1e-14, rtol=1e-14))
    scale = math.exp(shift) * float(np.mean(np.exp(k * u))) ** (1.0 / k)
    return {"shape": k, "scale": scale}


def _gamma_mle(x: FloatArray) -> dict[str, float]:
    mean = float(np.mean(x))
    s = math.log(mean) - float(np.mean(np.log(x)))
    k0 = (3.0 - s + math.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)

    def score(k: float) -> float:
        return math.log(k) - float(special.digamma(k)) - s

    lo, hi = k0 / 2.0, k0 * 2.0
    while score(lo) < 0.0:
        lo /= 2.0
    while score(hi) > 0.0:
        hi *= 2.0
    k = float(optimize.brentq(score, lo, hi, xtol=1e-14, rtol=1e-14))
    return {"shape": k, "scale": mean / k}


def _parameters(name: str, x: FloatArray) -> dict[str, float]:
    if name == "normal":
        return {"mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1))}
    if name == "lognormal":
        logs = np.log(x)
        return {"meanlog": float(np.mean(logs)), "sdlog": float(np.std(logs))}
    if name == "weibull":
        return _weibull_mle(x)
    return _gamma_mle(x)


def fit_distribution(name: str, sorted_values: FloatArray) -> DistributionFit:
    """Fit ``name`` by maximum likelihood to sorted data and score it with the AD statistic."""
    if name not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {name!r}; choose one of {DISTRIBUTIONS}")
    if name != "normal" and sorted_values[0] <= 0.0:
        raise ValueError(f"the {name} distribution needs strictly positive data")
    params = _parameters(name, sorted_values)
    dist = frozen_distribution(name, params)
    a2 = ad_statistic(dist.logcdf(sorted_values), dist.logsf(sorted_values))
    llf = float(np.sum(dist.logpdf(sorted_values)))
    return DistributionFit(name, params, a2, llf)
