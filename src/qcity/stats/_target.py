"""The probability that a pass rate meets its target at the deadline.

Model. Year-to-date the city has ``samples`` tested samples of which ``passed`` passed. The
unknown underlying pass probability gets a Jeffreys prior Beta(1/2, 1/2), so its posterior is
Beta(passed + 1/2, failed + 1/2). Until the deadline ``remaining`` more samples are expected;
their number of passes Y is then beta-binomial(remaining, passed + 1/2, failed + 1/2) (the
posterior predictive). The rate at the deadline is (passed + Y) / (samples + remaining), so

    P(final rate >= target) = P(Y >= ceil(target * (samples + remaining) - passed)),

an exact beta-binomial tail (``method="exact"``), or estimated by seeded Monte Carlo draws of
p ~ Beta, Y ~ Binomial(remaining, p) (``method="monte-carlo"``; deterministic for a seed).
With nothing remaining the outcome is known: the probability is 0 or 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import betabinom

JEFFREYS = (0.5, 0.5)
_EPS = 1e-9  # guards ceil/floor against binary rounding of target * total


@dataclass(frozen=True)
class TargetProbability:
    """The chance that the final pass rate meets ``target`` (compared with ``comparator``)."""

    probability: float
    method: str
    comparator: str
    target: float
    passed: int
    samples: int
    remaining: int
    posterior_alpha: float
    posterior_beta: float
    current_rate: float | None
    expected_final_rate: float

    def to_dict(self) -> dict[str, float | int | str | None]:
        return {
            "probability": self.probability,
            "method": self.method,
            "comparator": self.comparator,
            "target": self.target,
            "passed": self.passed,
            "samples": self.samples,
            "remaining": self.remaining,
            "posterior_alpha": self.posterior_alpha,
            "posterior_beta": self.posterior_beta,
            "current_rate": self.current_rate,
            "expected_final_rate": self.expected_final_rate,
        }


def probability_of_meeting_target(
    passed: int,
    samples: int,
    target: float,
    remaining: int,
    *,
    comparator: Literal[">=", "<="] = ">=",
    prior: tuple[float, float] = JEFFREYS,
    method: Literal["exact", "monte-carlo"] = "exact",
    draws: int = 200_000,
    seed: int = 20251231,
) -> TargetProbability:
    """P(final pass rate ``comparator`` ``target``) given the counts so far and the volume to come.

    ``target`` is a fraction (0.98 for 98 %). ``remaining`` is the number of samples still
    expected before the deadline.
    """
    if samples < 0 or remaining < 0 or not 0 <= passed <= samples:
        raise ValueError("need 0 <= passed <= samples and remaining >= 0")
    if samples + remaining == 0:
        raise ValueError("no samples so far and none expected: the rate is undefined")
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must be a fraction in [0, 1], got {target}")
    if comparator not in (">=", "<="):
        raise ValueError(f"comparator must be '>=' or '<=', got {comparator!r}")
    alpha = prior[0] + passed
    beta = prior[1] + (samples - passed)
    total = samples + remaining
    # Smallest / largest number of further passes that still meets the target.
    need = math.ceil(target * total - passed - _EPS)
    allow = math.floor(target * total - passed + _EPS)
    if remaining == 0:
        met = need <= 0 if comparator == ">=" else allow >= 0
        probability = 1.0 if met else 0.0
        used = "exact"
    elif method == "exact":
        if comparator == ">=":
            probability = float(betabinom.sf(need - 1, remaining, alpha, beta))
        else:
            probability = float(betabinom.cdf(allow, remaining, alpha, beta))
        used = "exact"
    elif method == "monte-carlo":
        rng = np.random.default_rng(seed)
        p = rng.beta(alpha, beta, size=draws)
        further = rng.binomial(remaining, p)
        hits = further >= need if comparator == ">=" else further <= allow
        probability = float(np.mean(hits))
        used = "monte-carlo"
    else:
        raise ValueError(f"method must be 'exact' or 'monte-carlo', got {method!r}")
    expected_final = (passed + remaining * alpha / (alpha + beta)) / total
    return TargetProbability(
        probability=min(1.0, max(0.0, probability)),
        method=used,
        comparator=comparator,
        target=target,
        passed=passed,
        samples=samples,
        remaining=remaining,
        posterior_alpha=alpha,
        posterior_beta=beta,
        current_rate=passed / samples if samples else None,
        expected_final_rate=expected_final,
    )
