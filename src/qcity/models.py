"""Imports every domain's tables so that ``Base.metadata`` is complete (migrations, tests)."""

from qcity.quality import models as quality_models
from qcity.registry import models as registry_models

__all__ = ["quality_models", "registry_models"]
