"""Six Sigma metrics (DPU, DPMO, yields, sigma level) and Pareto analysis."""

from qcity.spc.sixsigma._metrics import (
    DefectMetrics,
    defect_metrics,
    dpmo_from_sigma,
    first_pass_yield,
    rolled_throughput_yield,
    sigma_level,
    yield_from_sigma,
)
from qcity.spc.sixsigma._pareto import ParetoItem, ParetoResult, pareto

__all__ = [
    "DefectMetrics",
    "ParetoItem",
    "ParetoResult",
    "defect_metrics",
    "dpmo_from_sigma",
    "first_pass_yield",
    "pareto",
    "rolled_throughput_yield",
    "sigma_level",
    "yield_from_sigma",
]
