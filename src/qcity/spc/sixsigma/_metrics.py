"""Defect metrics (DPU, DPMO), yields and the sigma level, with or without the 1.5 shift."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy import special

DEFAULT_SHIFT = 1.5


def _check_count(name: str, value: float, *, positive: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be a {kind} number, got {value}")


def _check_shift(shift: float) -> None:
    if not (math.isfinite(shift) and shift >= 0.0):
        raise ValueError(f"shift must be a non-negative number of sigmas, got {shift}")


def _check_probability(name: str, value: float) -> None:
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be between 0 and 1, got {value}")


def sigma_level(
    *, yield_: float | None = None, dpmo: float | None = None, shift: float = DEFAULT_SHIFT
) -> float:
    """Sigma level from a yield (fraction good) or a DPMO: Phi^-1(yield) + shift.

    Use ``shift=0`` for the long-term (unshifted) Z. Yields of 0 or 1 give -inf or inf.

    Examples
    --------
    >>> from qcity.spc.sixsigma import sigma_level
    >>> round(sigma_level(dpmo=3.4), 2), round(sigma_level(dpmo=66807, shift=0), 2)
    (6.0, 1.5)
    """
    _check_shift(shift)
    if (yield_ is None) == (dpmo is None):
        raise ValueError("give exactly one of yield_ or dpmo")
    if dpmo is not None:
        if not (math.isfinite(dpmo) and 0.0 <= dpmo <= 1e6):
            raise ValueError(f"dpmo must be between 0 and 1,000,000, got {dpmo}")
        return float(-special.ndtri(dpmo / 1e6)) + shift
    assert yield_ is not None
    _check_probability("yield_", yield_)
    return float(special.ndtri(yield_)) + shift


def dpmo_from_sigma(sigma: float, *, shift: float = DEFAULT_SHIFT) -> float:
    """DPMO of a sigma level: 1e6 x (1 - Phi(sigma - shift)); 6 sigma -> 3.4 with the shift.

    Examples
    --------
    >>> from qcity.spc.sixsigma import dpmo_from_sigma
    >>> round(dpmo_from_sigma(6.0), 1), round(dpmo_from_sigma(3.0, shift=0.0))
    (3.4, 1350)
    """
    _check_shift(shift)
    if math.isnan(sigma):
        raise ValueError("sigma level must be a number")
    return 1e6 * float(special.ndtr(shift - sigma))


def yield_from_sigma(sigma: float, *, shift: float = DEFAULT_SHIFT) -> float:
    """Yield (fraction good) of a sigma level: Phi(sigma - shift)."""
    return 1.0 - dpmo_from_sigma(sigma, shift=shift) / 1e6


def first_pass_yield(units_in: float, units_passed: float) -> float:
    """First-pass (throughput) yield: units passing the step the first time / units entering.

    Examples
    --------
    >>> from qcity.spc.sixsigma import first_pass_yield
    >>> first_pass_yield(200, 180)
    0.9
    """
    _check_count("units_in", units_in, positive=True)
    _check_count("units_passed", units_passed)
    if units_passed > units_in:
        raise ValueError(f"units_passed ({units_passed}) cannot exceed units_in ({units_in})")
    return units_passed / units_in


def rolled_throughput_yield(step_yields: Iterable[float]) -> float:
    """Rolled-throughput yield: the product of the first-pass yields of all steps.

    Examples
    --------
    >>> from qcity.spc.sixsigma import rolled_throughput_yield
    >>> round(rolled_throughput_yield([0.9, 0.95, 0.99]), 6)
    0.84645
    """
    yields = list(step_yields)
    if not yields:
        raise ValueError("give the first-pass yield of at least one step")
    for i, y in enumerate(yields, start=1):
        _check_probability(f"step {i} yield", y)
    return math.prod(yields)


@dataclass(frozen=True)
class DefectMetrics:
    """Defects per unit and per opportunity, yield and sigma levels.

    ``yield_`` = 1 - DPO; ``sigma_short_term`` includes the 1.5 sigma shift (``shift``),
    ``sigma_long_term`` does not.
    """

    defects: float
    units: float
    opportunities: float
    dpu: float
    dpo: float
    dpmo: float
    yield_: float
    sigma_long_term: float
    sigma_short_term: float
    shift: float

    def to_dict(self) -> dict[str, float]:
        """Plain dict of the attributes (``yield_`` under the key ``yield``)."""
        out = dict(self.__dict__)
        out["yield"] = out.pop("yield_")
        return out


def defect_metrics(
    defects: float, units: float, opportunities: float = 1, *, shift: float = DEFAULT_SHIFT
) -> DefectMetrics:
    """DPU = D/U, DPO = D/(U x O), DPMO = 1e6 x DPO, yield and sigma levels.

    Examples
    --------
    >>> from qcity.spc.sixsigma import defect_metrics
    >>> m = defect_metrics(defects=34, units=1000, opportunities=10)
    >>> m.dpu, round(m.dpmo), round(m.sigma_short_term, 2)
    (0.034, 3400, 4.21)
    """
    _check_count("defects", defects)
    _check_count("units", units, positive=True)
    _check_count("opportunities", opportunities, positive=True)
    _check_shift(shift)
    dpo = defects / (units * opportunities)
    if dpo > 1.0:
        raise ValueError(f"{defects} defects exceed {units} units x {opportunities} opportunities")
    dpmo = 1e6 * dpo
    return DefectMetrics(
        defects=defects,
        units=units,
        opportunities=opportunities,
        dpu=defects / units,
        dpo=dpo,
        dpmo=dpmo,
        yield_=1.0 - dpo,
        sigma_long_term=sigma_level(dpmo=dpmo, shift=0.0),
        sigma_short_term=sigma_level(dpmo=dpmo, shift=shift),
        shift=shift,
    )
