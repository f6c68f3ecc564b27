"""Unbiasing constants for capability and MSA: exact c4, d2, d3 (from the charts package) and d2*.

Capability and gauge studies use the exact constants for any subgroup size; the charts package
owns them (and qcc's tabulated convention, which only the charts use to reproduce qcc).
"""

from __future__ import annotations

import math

from qcity.spc.charts._constants import c4 as _c4
from qcity.spc.charts._constants import d2 as _d2
from qcity.spc.charts._constants import d3 as _d3


def c4(n: int) -> float:
    """Return c4(n) = E[s]/sigma for a normal sample of size ``n`` (n >= 2)."""
    return float(_c4(n))


def d2(n: int) -> float:
    """Return the exact d2(n) = E[R]/sigma for ``n`` normal values (n >= 2)."""
    return _d2(n, "exact")


def d3(n: int) -> float:
    """Return the exact d3(n) = sd(R)/sigma for ``n`` normal values (n >= 2)."""
    return _d3(n, "exact")


def d2_star(m: int, g: int = 1) -> float:
    """Return d2*(m, g) = sqrt(d2(m)^2 + d3(m)^2 / g) (Duncan's approximation).

    For ``g = 1`` it is exact in the second moment, sqrt(E[R^2])/sigma, and gives the
    AIAG MSA 4th edition K2/K3 constants as ``1 / d2_star(m)``.
    """
    if g < 1:
        raise ValueError(f"number of ranges g must be >= 1, got {g}")
    return math.sqrt(d2(m) ** 2 + d3(m) ** 2 / g)
