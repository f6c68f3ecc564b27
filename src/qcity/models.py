"""Imports every domain's tables so that ``Base.metadata`` is complete (migrations, tests)."""

from qcity.registry import models as registry_models

__all__ = ["registry_models"]
