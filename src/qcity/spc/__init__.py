"""qcity.spc: statistical process control, a pure library (NumPy/SciPy; no database or web).

Subpackages, each with its own ``__all__``:

- :mod:`qcity.spc.charts`: control charts, sigma estimators, run rules, ARLs;
- :mod:`qcity.spc.capability`: process capability (normal and non-normal);
- :mod:`qcity.spc.msa`: gauge R&R (ANOVA and X̄-R methods);
- :mod:`qcity.spc.sampling`: GB/T 2828.1 acceptance sampling, OC curves, switching rules;
- :mod:`qcity.spc.sixsigma`: DPU, DPMO, yields, sigma levels and Pareto analysis.

The most used functions are re-exported here.
"""

from qcity.spc import capability, charts, msa, sampling, sixsigma
from qcity.spc.capability import capability as process_capability
from qcity.spc.charts import (
    c_chart,
    cusum_chart,
    ewma_chart,
    g_chart,
    hotelling_t2_chart,
    imr_chart,
    np_chart,
    p_chart,
    phase2,
    run_rules,
    u_chart,
    xbar_r_chart,
    xbar_s_chart,
)
from qcity.spc.msa import gauge_rr_anova, gauge_rr_xbar_r
from qcity.spc.sampling import code_letter, oc_curve, single_plan
from qcity.spc.sixsigma import defect_metrics, pareto, sigma_level

__all__ = [
    "c_chart",
    "capability",
    "charts",
    "code_letter",
    "cusum_chart",
    "defect_metrics",
    "ewma_chart",
    "g_chart",
    "gauge_rr_anova",
    "gauge_rr_xbar_r",
    "hotelling_t2_chart",
    "imr_chart",
    "msa",
    "np_chart",
    "oc_curve",
    "p_chart",
    "pareto",
    "phase2",
    "process_capability",
    "run_rules",
    "sampling",
    "sigma_level",
    "single_plan",
    "sixsigma",
    "u_chart",
    "xbar_r_chart",
    "xbar_s_chart",
]
