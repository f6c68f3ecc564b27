"""Control charts, sigma estimators, chart constants, run rules and ARLs.

Every chart function returns a frozen :class:`ChartResult`; see its
``to_dict()`` for a JSON-friendly form.

Examples
--------
>>> import numpy as np
>>> from qcity.spc.charts import xbar_r_chart
>>> rng = np.random.default_rng(7)
>>> res = xbar_r_chart(rng.normal(74.0, 0.01, 125), subgroup_size=5, rules="nelson")
>>> res.to_dict()["type"]
'xbar-r'
"""

from ._arl import cusum_arl, ewma_arl, shewhart_arl, shewhart_oc, shewhart_signal_probability
from ._attributes import c_chart, g_chart, laney_p_chart, laney_u_chart, np_chart, p_chart, u_chart
from ._constants import ChartConstants, c4, chart_constants, d2, d3, median_mr_factor
from ._cusum import cusum_chart
from ._ewma import ewma_chart
from ._multivariate import hotelling_t2_chart, t2_limits
from ._phase import phase2
from ._result import ChartResult, Standards
from ._rules import resolve_rules, run_rules
from ._sigma import INDIVIDUAL_METHODS, SUBGROUP_METHODS, sigma_individuals, sigma_within
from ._subgroups import make_subgroups
from ._variables import imr_chart, xbar_r_chart, xbar_s_chart

__all__ = [
    "INDIVIDUAL_METHODS",
    "SUBGROUP_METHODS",
    "ChartConstants",
    "ChartResult",
    "Standards",
    "c4",
    "c_chart",
    "chart_constants",
    "cusum_arl",
    "cusum_chart",
    "d2",
    "d3",
    "ewma_arl",
    "ewma_chart",
    "g_chart",
    "hotelling_t2_chart",
    "imr_chart",
    "laney_p_chart",
    "laney_u_chart",
    "make_subgroups",
    "median_mr_factor",
    "np_chart",
    "p_chart",
    "phase2",
    "resolve_rules",
    "run_rules",
    "shewhart_arl",
    "shewhart_oc",
    "shewhart_signal_probability",
    "sigma_individuals",
    "sigma_within",
    "t2_limits",
    "u_chart",
    "xbar_r_chart",
    "xbar_s_chart",
]
