"""``capability()``: normal-theory process capability with intervals, PPM and normality."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from qcity.spc.capability._indices import (
    bissell_interval,
    capability_indices,
    check_specs,
    chi_square_interval,
    cpm_dof,
    expected_ppm,
    observed_ppm,
)
from qcity.spc.capability._normality import NormalityTest, normality_from_sorted
from qcity.spc.capability._results import CapabilityIndices, CapabilityResult, Interval
from qcity.spc.capability._sigma import (
    FloatArray,
    SigmaMethod,
    as_sample,
    default_method,
    sigma_overall,
)
from qcity.spc.capability._sigma import sigma_within as estimate_sigma_within


def capability(
    data: ArrayLike,
    *,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    subgroups: ArrayLike | None = None,
    sigma_method: SigmaMethod | None = None,
    sigma_within: float | None = None,
    confidence: float = 0.95,
) -> CapabilityResult:
    """Process capability (Cp ... Ppk) with confidence intervals, PPM and normality test.

    Parameters
    ----------
    data : array_like
        1-D observations in time order (individuals, or with ``subgroups`` labels) or a
        2-D array whose rows are subgroups (NaN marks a missing value).
    lsl, usl : float, optional
        Specification limits; at least one. One-sided specs give None for Cp, Cpm, Pp, Ppm.
    target : float, optional
        Target for Cpm/Ppm; defaults to the midpoint of two-sided specs (as qcc).
    subgroups : array_like, optional
        One subgroup label per value of 1-D ``data``.
    sigma_method : {"r_bar", "s_bar", "pooled", "moving_range"}, optional
        Within sigma estimator; default ``"r_bar"`` (R-bar/d2, qcc UWAVE-R) for subgroups
        and ``"moving_range"`` (MR-bar/1.128) for individuals.
    sigma_within : float, optional
        Known within sigma; overrides ``sigma_method``.
    confidence : float, default 0.95
        Confidence level of all intervals.

    Returns
    -------
    CapabilityResult
        sigma overall is the sample sd (ddof=1) of all values. Expected PPM use the
        normal model (within and overall), observed PPM the data.

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.capability import capability
    >>> x = np.random.default_rng(0).normal(10.0, 0.1, size=(25, 5))
    >>> res = capability(x, lsl=9.7, usl=10.3)
    >>> round(res.cp, 1), res.sigma_method, res.confidence
    (1.0, 'r_bar', 0.95)
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    target = check_specs(lsl, usl, target)
    sample = as_sample(data, subgroups)
    values = sample.values
    n = int(values.size)
    mean = float(np.mean(values))
    method = sigma_method or default_method(sample)
    s_within = sigma_within if sigma_within is not None else estimate_sigma_within(sample, method)
    s_overall = sigma_overall(values)
    within = capability_indices(mean, s_within, lsl=lsl, usl=usl, target=target)
    overall = capability_indices(mean, s_overall, lsl=lsl, usl=usl, target=target)
    w_ci = _intervals(within, n, mean, s_within, target, confidence)
    o_ci = _intervals(overall, n, mean, s_overall, target, confidence)
    return CapabilityResult(
        n=n,
        mean=mean,
        sigma_within=s_within,
        sigma_overall=s_overall,
        sigma_method="given" if sigma_within is not None else method,
        lsl=lsl,
        usl=usl,
        target=target,
        confidence=confidence,
        cp=within.cp,
        cpl=within.cpl,
        cpu=within.cpu,
        cpk=within.cpk,
        cpm=within.cpm,
        pp=overall.cp,
        ppl=overall.cpl,
        ppu=overall.cpu,
        ppk=overall.cpk,
        ppm_index=overall.cpm,
        cp_ci=w_ci[0],
        cpl_ci=w_ci[1],
        cpu_ci=w_ci[2],
        cpk_ci=_required(w_ci[3]),
        cpm_ci=w_ci[4],
        pp_ci=o_ci[0],
        ppl_ci=o_ci[1],
        ppu_ci=o_ci[2],
        ppk_ci=_required(o_ci[3]),
        ppm_index_ci=o_ci[4],
        ppm_expected_within=expected_ppm(mean, s_within, lsl, usl),
        ppm_expected_overall=expected_ppm(mean, s_overall, lsl, usl),
        ppm_observed=observed_ppm(values, lsl, usl),
        normality=_normality(values),
    )


def _intervals(
    idx: CapabilityIndices,
    n: int,
    mean: float,
    sigma: float,
    target: float | None,
    level: float,
) -> tuple[Interval | None, ...]:
    """(Cp, Cpl, Cpu, Cpk, Cpm) intervals for one sigma, following qcc processCapability."""
    z_one = float(stats.norm.ppf(level))
    z_two = float(stats.norm.ppf(1.0 - (1.0 - level) / 2.0))
    cpm_ci = None
    if idx.cpm is not None and target is not None:
        cpm_ci = chi_square_interval(idx.cpm, cpm_dof(n, mean, sigma, target), level)
    return (
        chi_square_interval(idx.cp, n - 1, level),
        bissell_interval(idx.cpl, n, z_one, level),
        bissell_interval(idx.cpu, n, z_one, level),
        bissell_interval(idx.cpk, n, z_two, level),
        cpm_ci,
    )


def _required(interval: Interval | None) -> Interval:
    if interval is None:  # pragma: no cover - Cpk is always defined
        raise ValueError("Cpk interval is undefined")
    return interval


def _normality(values: FloatArray) -> NormalityTest | None:
    """Anderson-Darling test, or None when it is undefined (n < 8 or no variation)."""
    if values.size < 8 or math.isclose(float(np.ptp(values)), 0.0):
        return None
    return normality_from_sorted(np.sort(values))
