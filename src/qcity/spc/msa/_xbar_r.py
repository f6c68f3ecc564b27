"""Crossed gauge R&R by the average and range (X-bar/R) method, AIAG MSA 4th edition."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from qcity.spc.capability._constants import d2, d2_star
from qcity.spc.msa._components import build_components, check_options
from qcity.spc.msa._design import crossed_design
from qcity.spc.msa._results import GaugeRRResult


def xbar_r_constants(trials: int, operators: int, parts: int) -> tuple[float, float, float]:
    """AIAG MSA 4th ed. K1 = 1/d2(trials), K2 = 1/d2*(operators), K3 = 1/d2*(parts).

    d2* is for a single range (g = 1): sqrt(d2^2 + d3^2). These reproduce the printed
    tables (K1 0.8862 / 0.5908; K2 0.7071 / 0.5231; K3 0.7071 ... 0.3146 for 2-10 parts).
    """
    return 1.0 / d2(trials), 1.0 / d2_star(operators), 1.0 / d2_star(parts)


def gauge_rr_xbar_r(
    measurement: ArrayLike,
    part: ArrayLike,
    operator: ArrayLike,
    *,
    study_var_multiplier: float = 6.0,
    tolerance: float | None = None,
) -> GaugeRRResult:
    """Crossed gauge R&R by the average and range method (AIAG MSA 4th edition).

    EV = R-double-bar x K1; AV = sqrt((X-bar-diff x K2)^2 - EV^2/(parts x trials)),
    clamped at 0; PV = R_p x K3 (range of part averages), with K1, K2, K3 from
    ``xbar_r_constants``. Variances are EV^2 (repeatability), AV^2 (operator) and PV^2
    (part); the interaction is not estimated (``interaction_pooled`` is None).

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.msa import gauge_rr_xbar_r
    >>> rng = np.random.default_rng(1)
    >>> part = np.repeat(np.arange(10), 6)
    >>> operator = np.tile(np.repeat(["A", "B", "C"], 2), 10)
    >>> y = rng.normal(size=10)[part] + rng.normal(0.0, 0.1, size=60)
    >>> gauge_rr_xbar_r(y, part, operator).method
    'xbar_r'
    """
    check_options(study_var_multiplier, tolerance)
    design = crossed_design(measurement, part, operator)
    p, o, r = design.shape
    cube = design.cube
    k1, k2, k3 = xbar_r_constants(r, o, p)
    r_bar = float(np.mean(np.ptp(cube, axis=2)))
    if r_bar <= 0.0:
        raise ValueError(
            "no repeatability variation: repeat readings are identical in every cell; "
            "the gauge resolution is too coarse for an R&R study"
        )
    ev = r_bar * k1
    x_diff = float(np.ptp(cube.mean(axis=(0, 2))))
    av_sq = max((x_diff * k2) ** 2 - ev**2 / (p * r), 0.0)
    pv = float(np.ptp(cube.mean(axis=(1, 2)))) * k3
    components, ndc = build_components(
        repeatability=ev**2,
        operator=av_sq,
        operator_part=0.0,
        part=pv**2,
        multiplier=study_var_multiplier,
        tolerance=tolerance,
    )
    return GaugeRRResult(
        method="xbar_r",
        n_parts=p,
        n_operators=o,
        n_trials=r,
        anova_full=None,
        anova_reduced=None,
        interaction_p_value=None,
        interaction_pooled=None,
        alpha=None,
        components=components,
        ndc=ndc,
        study_var_multiplier=study_var_multiplier,
        tolerance=tolerance,
    )
