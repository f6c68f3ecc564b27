"""The Wilson (1927) score interval for a binomial proportion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm


@dataclass(frozen=True)
class ProportionInterval:
    """A proportion ``successes / trials`` with its two-sided score interval."""

    successes: int
    trials: int
    estimate: float
    low: float
    high: float
    confidence: float

    def to_dict(self) -> dict[str, float | int]:
        return {
            "successes": self.successes,
            "trials": self.trials,
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
        }


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return float(norm.ppf(0.5 + confidence / 2.0))


def wilson_bounds(
    successes: npt.ArrayLike, trials: npt.ArrayLike, confidence: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Vectorised Wilson bounds; NaN where ``trials`` is 0.

    ``low, high = (p + z²/2n ∓ z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = x/n``.
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(n < 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= successes <= trials")
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2n = z * z / n
        centre = (p + z2n / 2.0) / (1.0 + z2n)
        half = z * np.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n)) / (1.0 + z2n)
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # At x = 0 (x = n) the exact bound is 0 (1); rounding must not leave a tiny residue.
    low = np.where((x == 0) & (n > 0), 0.0, low)
    high = np.where((x == n) & (n > 0), 1.0, high)
    return low, high


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> ProportionInterval:
    """The Wilson score interval for ``successes`` out of ``trials`` (``trials`` > 0)."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    low, high = wilson_bounds([successes], [trials], confidence)
    return ProportionInterval(
        successes=int(successes),
        trials=int(trials),
        estimate=successes / trials,
        low=float(low[0]),
        high=float(high[0]),
        confidence=confidence,
    )
