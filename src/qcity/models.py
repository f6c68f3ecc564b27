"""Imports every domain's tables so that ``Base.metadata`` is complete (migrations, tests)."""

from qcity.accounts import models as account_models  # noqa: F401  (accounts and audit tables)
from qcity.audit import models as audit_models  # noqa: F401
from qcity.epcis import models as epcis_models  # noqa: F401
from qcity.indicators import models as indicator_models
from qcity.inspection import models as inspection_models
from qcity.quality import models as quality_models
from qcity.registry import models as registry_models
from qcity.trace import models as trace_models  # noqa: F401

__all__ = ["indicator_models", "inspection_models", "quality_models", "registry_models"]
