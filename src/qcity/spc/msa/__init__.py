"""Measurement systems analysis: crossed gauge R&R by ANOVA and by average and range."""

from qcity.spc.msa._anova import gauge_rr_anova
from qcity.spc.msa._results import (
    COMPONENT_NAMES,
    AnovaRow,
    AnovaTable,
    GaugeRRResult,
    VarianceComponent,
)
from qcity.spc.msa._xbar_r import gauge_rr_xbar_r, xbar_r_constants

__all__ = [
    "COMPONENT_NAMES",
    "AnovaRow",
    "AnovaTable",
    "GaugeRRResult",
    "VarianceComponent",
    "gauge_rr_anova",
    "gauge_rr_xbar_r",
    "xbar_r_constants",
]
