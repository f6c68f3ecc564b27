"""Process capability: normal-theory indices, intervals, PPM, normality, non-normal methods."""

from qcity.spc.capability._boxcox import boxcox_capability, boxcox_lambda, boxcox_transform
from qcity.spc.capability._capability import capability
from qcity.spc.capability._fits import DistributionFit
from qcity.spc.capability._indices import capability_indices
from qcity.spc.capability._johnson import JohnsonFit, johnson_capability, johnson_fit
from qcity.spc.capability._normality import NormalityTest, anderson_darling
from qcity.spc.capability._percentile import PercentileCapability, percentile_capability
from qcity.spc.capability._results import PPM, CapabilityIndices, CapabilityResult, Interval
from qcity.spc.capability._transformed import TransformedCapability

__all__ = [
    "PPM",
    "CapabilityIndices",
    "CapabilityResult",
    "DistributionFit",
    "Interval",
    "JohnsonFit",
    "NormalityTest",
    "PercentileCapability",
    "TransformedCapability",
    "anderson_darling",
    "boxcox_capability",
    "boxcox_lambda",
    "boxcox_transform",
    "capability",
    "capability_indices",
    "johnson_capability",
    "johnson_fit",
    "percentile_capability",
]
