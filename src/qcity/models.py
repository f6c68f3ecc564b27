"""Imports every domain's tables so that ``Base.metadata`` is complete (migrations, tests)."""

from qcity.epcis import models as epcis_models
from qcity.indicators import models as indicator_models
from qcity.inspection import models as inspection_models
from qcity.quality import models as quality_models
from qcity.registry import models as registry_models
from qcity.trace import models as trace_models

__all__ = [
    "epcis_models",
    "indicator_models",
    "inspection_models",
    "quality_models",
    "registry_models",
    "trace_models",
]
