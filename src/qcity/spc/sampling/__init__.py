"""Acceptance sampling by attributes per GB/T 2828.1 (= ISO 2859-1), single sampling.

Code letters (Table 1), single sampling plans for normal and tightened inspection
(Tables 2-A, 2-B, arrows followed), the MIL-STD-105E reduced table (clearly labelled),
OC / AOQ / AOQL / ATI, plan design from two risk points, and the clause-9 switching rules.

Examples
--------
>>> from qcity.spc.sampling import single_plan, aoql
>>> plan = single_plan(5000, 2.5)
>>> plan.code_letter, plan.sample_size, plan.accept, plan.reject
('L', 200, 10, 11)
>>> round(aoql(plan.sample_size, plan.accept, lot_size=5000).aoql, 4)
0.0315
"""

from qcity.spc.sampling._design import DesignedPlan, PlanCheck, check_plan, find_plan
from qcity.spc.sampling._oc import (
    AOQLResult,
    OCCurve,
    aoql,
    oc_curve,
    probability_of_acceptance,
)
from qcity.spc.sampling._plans import (
    SamplingPlan,
    code_letter,
    plan_from_code_letter,
    single_plan,
    tighter_accept_number,
)
from qcity.spc.sampling._switching import LotResult, SwitchingState, lot_result, run_switching
from qcity.spc.sampling._tables import AQLS, INSPECTIONS, LEVELS

__all__ = [
    "AQLS",
    "INSPECTIONS",
    "LEVELS",
    "AOQLResult",
    "DesignedPlan",
    "LotResult",
    "OCCurve",
    "PlanCheck",
    "SamplingPlan",
    "SwitchingState",
    "aoql",
    "check_plan",
    "code_letter",
    "find_plan",
    "lot_result",
    "oc_curve",
    "plan_from_code_letter",
    "probability_of_acceptance",
    "run_switching",
    "single_plan",
    "tighter_accept_number",
]
