"""Shared plumbing for capability after a normalising transformation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qcity.spc.capability._capability import capability
from qcity.spc.capability._indices import check_specs
from qcity.spc.capability._results import CapabilityResult
from qcity.spc.capability._sigma import FloatArray, SigmaMethod

Transform = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class TransformedCapability:
    """Capability computed on normalised data with the spec limits transformed alike.

    Attributes
    ----------
    method : str
        ``"box-cox"`` or ``"johnson"``.
    family : str
        ``"box-cox"``, or the Johnson family ``"SB"``, ``"SL"`` or ``"SU"``.
    parameters : dict
        Transformation parameters (``lambda`` for Box-Cox; ``gamma``, ``eta``,
        ``epsilon``, ``lambda`` and the selection ``z`` for Johnson).
    lsl, usl, target : float or None
        Transformed specification limits and target.
    capability : CapabilityResult
        All indices, intervals and PPM on the transformed scale; its ``normality`` is the
        Anderson-Darling test of the transformed data.
    """

    method: str
    family: str
    parameters: dict[str, float] = field(hash=False)
    lsl: float | None
    usl: float | None
    target: float | None
    capability: CapabilityResult

    def to_dict(self) -> dict[str, Any]:
        """Plain dict; the capability block is ``CapabilityResult.to_dict()``."""
        return {
            "method": self.method,
            "family": self.family,
            "parameters": dict(self.parameters),
            "lsl": self.lsl,
            "usl": self.usl,
            "target": self.target,
            "capability": self.capability.to_dict(),
        }


def raw_array(data: ArrayLike) -> FloatArray:
    """Data as float array; NaN allowed (missing), infinities rejected."""
    arr = np.asarray(data, dtype=np.float64)
    if np.isinf(arr).any():
        raise ValueError("data contains infinite values")
    return arr


def finite_values(arr: FloatArray) -> FloatArray:
    """Non-NaN values of ``arr`` flattened."""
    flat = arr.ravel()
    return flat[~np.isnan(flat)]


def transformed_capability(
    arr: FloatArray,
    transform: Transform,
    specs: tuple[float | None, float | None, float | None],
    info: tuple[str, str, dict[str, float]],
    options: tuple[ArrayLike | None, SigmaMethod | None, float],
) -> TransformedCapability:
    """Apply ``transform`` to data, specs and target, then run ``capability``."""
    lsl, usl, target = specs
    t_lsl, t_usl, t_target = (
        None if v is None else float(transform(np.array([v]))[0]) for v in (lsl, usl, target)
    )
    subgroups, sigma_method, confidence = options
    result = capability(
        transform(arr),
        lsl=t_lsl,
        usl=t_usl,
        target=t_target,
        subgroups=subgroups,
        sigma_method=sigma_method,
        confidence=confidence,
    )
    method, family, params = info
    return TransformedCapability(method, family, params, t_lsl, t_usl, t_target, result)


def explicit_specs(
    lsl: float | None, usl: float | None, target: float | None
) -> tuple[float | None, float | None, float | None]:
    """Validate specs; keep the target None when the caller did not give one."""
    resolved = check_specs(lsl, usl, target)
    return lsl, usl, target if target is not None else resolved
