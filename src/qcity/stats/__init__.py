"""Statistics for pass rates: score intervals and the chance of meeting a target.

A pure core: NumPy/SciPy in, small frozen dataclasses out; no database or web code.

Examples
--------
>>> from qcity.stats import wilson_interval
>>> ci = wilson_interval(81, 263)
>>> round(ci.low, 4), round(ci.high, 4)
(0.2553, 0.3662)
"""

from ._target import TargetProbability, probability_of_meeting_target
from ._wilson import ProportionInterval, wilson_bounds, wilson_interval

__all__ = [
    "ProportionInterval",
    "TargetProbability",
    "probability_of_meeting_target",
    "wilson_bounds",
    "wilson_interval",
]
