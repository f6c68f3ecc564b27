"""Crossed gauge R&R by two-way random-effects ANOVA (AIAG MSA 4th ed., Minitab, SixSigma)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from qcity.spc.msa._components import build_components, check_options
from qcity.spc.msa._design import crossed_design
from qcity.spc.msa._results import AnovaRow, AnovaTable, GaugeRRResult

InteractionMode = Literal["auto", "keep", "pool"]
ErrorTerm = Literal["interaction", "repeatability"]


def _sums_of_squares(cube: NDArray[np.float64]) -> dict[str, float]:
    grand = float(np.mean(cube))
    p, o, r = cube.shape
    part_means = cube.mean(axis=(1, 2))
    op_means = cube.mean(axis=(0, 2))
    cell_means = cube.mean(axis=2)
    ss_part = o * r * float(np.sum((part_means - grand) ** 2))
    ss_op = p * r * float(np.sum((op_means - grand) ** 2))
    inter = cell_means - part_means[:, None] - op_means[None, :] + grand
    return {
        "part": ss_part,
        "operator": ss_op,
        "part:operator": r * float(np.sum(inter**2)),
        "repeatability": float(np.sum((cube - cell_means[:, :, None]) ** 2)),
        "total": float(np.sum((cube - grand) ** 2)),
    }


def _row(source: str, df: int, ss: float, denom: tuple[float, int] | None) -> AnovaRow:
    ms = ss / df
    if denom is None:
        return AnovaRow(source, df, ss, ms, None, None)
    ms_den, df_den = denom
    with np.errstate(divide="ignore", invalid="ignore"):
        f = float(np.divide(ms, ms_den))
    return AnovaRow(source, df, ss, ms, f, float(stats.f.sf(f, df, df_den)))


def _tables(
    ss: dict[str, float], shape: tuple[int, int, int], error_term: ErrorTerm
) -> tuple[AnovaTable, AnovaTable]:
    p, o, r = shape
    df = {"part": p - 1, "operator": o - 1, "part:operator": (p - 1) * (o - 1)}
    df["repeatability"] = p * o * (r - 1)
    ms_int = ss["part:operator"] / df["part:operator"]
    ms_err = ss["repeatability"] / df["repeatability"]
    main_den = (ms_int, df["part:operator"]) if error_term == "interaction" else None
    main_den = main_den or (ms_err, df["repeatability"])
    total = AnovaRow("total", p * o * r - 1, ss["total"], None, None, None)
    full = AnovaTable(
        (
            _row("part", df["part"], ss["part"], main_den),
            _row("operator", df["operator"], ss["operator"], main_den),
            _row(
                "part:operator",
                df["part:operator"],
                ss["part:operator"],
                (ms_err, df["repeatability"]),
            ),
            _row("repeatability", df["repeatability"], ss["repeatability"], None),
            total,
        )
    )
    df_pool = df["part:operator"] + df["repeatability"]
    ms_pool = (ss["part:operator"] + ss["repeatability"]) / df_pool
    reduced = AnovaTable(
        (
            _row("part", df["part"], ss["part"], (ms_pool, df_pool)),
            _row("operator", df["operator"], ss["operator"], (ms_pool, df_pool)),
            _row("repeatability", df_pool, ss["part:operator"] + ss["repeatability"], None),
            total,
        )
    )
    return full, reduced


def _check_args(alpha: float, interaction: str, error_term: str) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if interaction not in ("auto", "keep", "pool"):
        raise ValueError(f"interaction must be 'auto', 'keep' or 'pool', got {interaction!r}")
    if error_term not in ("interaction", "repeatability"):
        raise ValueError(f"error_term must be 'interaction' or 'repeatability', got {error_term!r}")


def gauge_rr_anova(
    measurement: ArrayLike,
    part: ArrayLike,
    operator: ArrayLike,
    *,
    alpha: float = 0.05,
    interaction: InteractionMode = "auto",
    error_term: ErrorTerm = "interaction",
    study_var_multiplier: float = 6.0,
    tolerance: float | None = None,
) -> GaugeRRResult:
    """Crossed gauge R&R by two-way ANOVA with operator x part interaction.

    Parameters
    ----------
    measurement, part, operator : array_like
        One row per reading. The design must be crossed and balanced: every part measured
        by every operator the same number of times (2 or more), 2+ parts, 2+ operators.
    alpha : float, default 0.05
        The interaction is pooled into repeatability when its p-value is >= alpha.
    interaction : {"auto", "keep", "pool"}
        ``"auto"`` pools by ``alpha``; ``"keep"`` never pools (qualityTools); ``"pool"``
        always pools.
    error_term : {"interaction", "repeatability"}
        Denominator of the part and operator F tests in the full table: the interaction
        mean square (random effects; AIAG, Minitab, SixSigma default) or the residual
        (qualityTools). The reduced table always uses the pooled repeatability.
    study_var_multiplier : float, default 6.0
        Study variation = multiplier x sd (6, or 5.15 for 99 %).
    tolerance : float, optional
        USL - LSL, for %Tolerance.

    Returns
    -------
    GaugeRRResult
        Variance components from the reduced model when pooled, else from the full model:
        repeatability = MSE, interaction = (MSint - MSE)/r, operator = (MSop - MSint)/(p r),
        part = (MSpart - MSint)/(o r) (MSint and MSE replaced by the pooled MS when pooled).

    Examples
    --------
    >>> import numpy as np
    >>> from qcity.spc.msa import gauge_rr_anova
    >>> rng = np.random.default_rng(0)
    >>> part = np.repeat(np.arange(10), 6)
    >>> operator = np.tile(np.repeat(["A", "B", "C"], 2), 10)
    >>> y = rng.normal(size=10)[part] + rng.normal(0.0, 0.1, size=60)
    >>> res = gauge_rr_anova(y, part, operator)
    >>> res.ndc >= 5
    True
    """
    _check_args(alpha, interaction, error_term)
    check_options(study_var_multiplier, tolerance)
    design = crossed_design(measurement, part, operator)
    p, o, r = design.shape
    ss = _sums_of_squares(design.cube)
    if ss["repeatability"] <= 0.0:
        raise ValueError(
            "no repeatability variation: repeat readings are identical in every cell; "
            "the gauge resolution is too coarse for an R&R study"
        )
    full, reduced = _tables(ss, (p, o, r), error_term)
    p_int = full.row("part:operator").p
    pooled = interaction == "pool" or (
        interaction == "auto" and p_int is not None and p_int >= alpha
    )
    if pooled:
        ms_e = _ms(reduced, "repeatability")
        ms_i = ms_e
    else:
        ms_e, ms_i = _ms(full, "repeatability"), _ms(full, "part:operator")
    components, ndc = build_components(
        repeatability=ms_e,
        operator=(_ms(full, "operator") - ms_i) / (p * r),
        operator_part=0.0 if pooled else (ms_i - ms_e) / r,
        part=(_ms(full, "part") - ms_i) / (o * r),
        multiplier=study_var_multiplier,
        tolerance=tolerance,
    )
    return GaugeRRResult(
        method="anova",
        n_parts=p,
        n_operators=o,
        n_trials=r,
        anova_full=full,
        anova_reduced=reduced,
        interaction_p_value=p_int,
        interaction_pooled=pooled,
        alpha=alpha,
        components=components,
        ndc=ndc,
        study_var_multiplier=study_var_multiplier,
        tolerance=tolerance,
    )


def _ms(table: AnovaTable, source: str) -> float:
    ms = table.row(source).ms
    assert ms is not None
    return ms
