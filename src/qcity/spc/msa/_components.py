"""Variance components -> %Contribution, %StudyVar, %Tolerance and ndc."""

from __future__ import annotations

import math

from qcity.spc.msa._results import VarianceComponent

NDC_FACTOR = 1.41


def check_options(study_var_multiplier: float, tolerance: float | None) -> None:
    """Validate the study-variation multiplier and the tolerance."""
    if not (math.isfinite(study_var_multiplier) and study_var_multiplier > 0.0):
        raise ValueError(
            f"study_var_multiplier must be positive (6 or 5.15), got {study_var_multiplier}"
        )
    if tolerance is not None and not (math.isfinite(tolerance) and tolerance > 0.0):
        raise ValueError(f"tolerance (USL - LSL) must be positive, got {tolerance}")


def build_components(
    repeatability: float,
    operator: float,
    operator_part: float,
    part: float,
    multiplier: float,
    tolerance: float | None,
) -> tuple[tuple[VarianceComponent, ...], int]:
    """Components (negative estimates clamped to 0) and ndc = max(1, floor(1.41 sd_part/sd_grr))."""
    repeatability, operator, operator_part, part = (
        max(v, 0.0) for v in (repeatability, operator, operator_part, part)
    )
    reproducibility = operator + operator_part
    grr = repeatability + reproducibility
    total = grr + part
    variances = {
        "gage_rr": grr,
        "repeatability": repeatability,
        "reproducibility": reproducibility,
        "operator": operator,
        "operator_part": operator_part,
        "part": part,
        "total": total,
    }
    sd_total = math.sqrt(total)
    components = tuple(
        VarianceComponent(
            source=name,
            variance=var,
            sd=math.sqrt(var),
            study_var=multiplier * math.sqrt(var),
            pct_contribution=100.0 * var / total,
            pct_study_var=100.0 * math.sqrt(var) / sd_total,
            pct_tolerance=None
            if tolerance is None
            else 100.0 * multiplier * math.sqrt(var) / tolerance,
        )
        for name, var in variances.items()
    )
    ndc = max(1, math.floor(NDC_FACTOR * math.sqrt(part) / math.sqrt(grr)))
    return components, ndc
