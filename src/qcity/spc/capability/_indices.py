"""Capability indices from a mean and a sigma, their confidence intervals and PPM."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from qcity.spc.capability._results import PPM, CapabilityIndices, Interval


def check_specs(lsl: float | None, usl: float | None, target: float | None) -> float | None:
    """Validate spec limits and target; return the target (midpoint by default)."""
    if lsl is None and usl is None:
        raise ValueError("give at least one specification limit (lsl or usl)")
    for name, value in (("lsl", lsl), ("usl", usl), ("target", target)):
        if value is not None and not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
    if lsl is not None and usl is not None and lsl >= usl:
        raise ValueError(f"lower spec limit {lsl} must be below upper spec limit {usl}")
    if target is None:
        return None if lsl is None or usl is None else (lsl + usl) / 2.0
    if (lsl is not None and target < lsl) or (usl is not None and target > usl):
        raise ValueError(f"target {target} lies outside the specification limits [{lsl}, {usl}]")
    return target


def _check_sigma(sigma: float) -> None:
    if not (math.isfinite(sigma) and sigma > 0.0):
        raise ValueError(f"sigma must be a positive finite number, got {sigma} (no variation?)")


def capability_indices(
    mean: float,
    sigma: float,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
) -> CapabilityIndices:
    """Cp, Cpl, Cpu, Cpk and Cpm for a process mean and sigma.

    Cp = (USL - LSL)/(6 sigma), Cpl = (mean - LSL)/(3 sigma), Cpu = (USL - mean)/(3 sigma),
    Cpk = min(Cpl, Cpu) over the defined ones, Cpm = Cp / sqrt(1 + ((mean - T)/sigma)^2)
    with T the midpoint of the specs when not given. Pass the overall sigma to get
    Pp, Ppl, Ppu, Ppk and Ppm.

    Examples
    --------
    >>> from qcity.spc.capability import capability_indices
    >>> res = capability_indices(16.0, 2.0, lsl=8.0, usl=20.0)  # NIST 6.1.6
    >>> round(res.cp, 4), round(res.cpk, 4), round(res.cpl, 4)
    (1.0, 0.6667, 1.3333)
    """
    target = check_specs(lsl, usl, target)
    _check_sigma(sigma)
    cpl = None if lsl is None else (mean - lsl) / (3.0 * sigma)
    cpu = None if usl is None else (usl - mean) / (3.0 * sigma)
    cp = None if lsl is None or usl is None else (usl - lsl) / (6.0 * sigma)
    cpk = min(v for v in (cpl, cpu) if v is not None)
    cpm = None
    if cp is not None and target is not None:
        cpm = cp / math.sqrt(1.0 + ((mean - target) / sigma) ** 2)
    return CapabilityIndices(cp=cp, cpl=cpl, cpu=cpu, cpk=cpk, cpm=cpm)


def chi_square_interval(index: float | None, dof: float, level: float) -> Interval | None:
    """index * sqrt(chi2_{a/2, dof}/dof) .. index * sqrt(chi2_{1-a/2, dof}/dof) (Chou 1990)."""
    if index is None:
        return None
    alpha = 1.0 - level
    lo, hi = stats.chi2.ppf([alpha / 2.0, 1.0 - alpha / 2.0], dof)
    return Interval(index * math.sqrt(lo / dof), index * math.sqrt(hi / dof), level)


def bissell_interval(index: float | None, n: int, z: float, level: float) -> Interval | None:
    """index * (1 -/+ z sqrt(1/(9 n index^2) + 1/(2 (n - 1)))) (Bissell 1990)."""
    if index is None:
        return None
    half = z * math.sqrt(1.0 / (9.0 * n * index**2) + 1.0 / (2.0 * (n - 1)))
    return Interval(index * (1.0 - half), index * (1.0 + half), level)


def cpm_dof(n: int, mean: float, sigma: float, target: float) -> float:
    """Boyles (1991) degrees of freedom n (1 + d^2)/(1 + 2 d^2), d = (mean - T)/sigma."""
    d2 = ((mean - target) / sigma) ** 2
    return n * (1.0 + d2) / (1.0 + 2.0 * d2)


def expected_ppm(mean: float, sigma: float, lsl: float | None, usl: float | None) -> PPM:
    """Normal-model parts per million below LSL and above USL."""
    below = None if lsl is None else 1e6 * float(special.ndtr((lsl - mean) / sigma))
    above = None if usl is None else 1e6 * float(special.ndtr((mean - usl) / sigma))
    return PPM(below, above, (below or 0.0) + (above or 0.0))


def observed_ppm(values: NDArray[np.float64], lsl: float | None, usl: float | None) -> PPM:
    """Observed parts per million strictly below LSL and strictly above USL."""
    scale = 1e6 / values.size
    below = None if lsl is None else scale * int(np.count_nonzero(values < lsl))
    above = None if usl is None else scale * int(np.count_nonzero(values > usl))
    return PPM(below, above, (below or 0.0) + (above or 0.0))
