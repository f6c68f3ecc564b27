"""Frozen result objects of the capability analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qcity.spc.capability._normality import NormalityTest


@dataclass(frozen=True)
class Interval:
    """A confidence interval ``[lower, upper]`` at confidence level ``level``."""

    lower: float
    upper: float
    level: float

    def to_list(self) -> list[float]:
        """``[lower, upper]``."""
        return [self.lower, self.upper]


@dataclass(frozen=True)
class PPM:
    """Parts per million outside the specification (None for a side without a limit)."""

    below_lsl: float | None
    above_usl: float | None
    total: float

    def to_dict(self) -> dict[str, float | None]:
        """Plain dict of the attributes."""
        return {"below_lsl": self.below_lsl, "above_usl": self.above_usl, "total": self.total}


@dataclass(frozen=True)
class CapabilityIndices:
    """Point estimates of Cp, Cpl, Cpu, Cpk and Cpm for one sigma (None where undefined)."""

    cp: float | None
    cpl: float | None
    cpu: float | None
    cpk: float
    cpm: float | None

    def to_dict(self) -> dict[str, float | None]:
        """Plain dict of the attributes."""
        return {"cp": self.cp, "cpl": self.cpl, "cpu": self.cpu, "cpk": self.cpk, "cpm": self.cpm}


_INDEX_NAMES = ("cp", "cpl", "cpu", "cpk", "cpm", "pp", "ppl", "ppu", "ppk", "ppm_index")


@dataclass(frozen=True)
class CapabilityResult:
    """Normal-theory process capability.

    Within indices (Cp, Cpl, Cpu, Cpk, Cpm) use ``sigma_within``; overall indices (Pp, Ppl,
    Ppu, Ppk and the Taguchi ``ppm_index`` = Ppm) use ``sigma_overall``. Undefined
    indices (e.g. Cp with one spec limit) are None. ``*_ci`` are confidence intervals at
    ``confidence``: chi-square for Cp, Pp, Cpm, Ppm; Bissell (1990) for Cpk/Ppk (two-sided);
    for Cpl, Cpu, Ppl, Ppu each end is a one-sided Bissell bound at ``confidence`` (qcc).
    """

    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    sigma_method: str
    lsl: float | None
    usl: float | None
    target: float | None
    confidence: float
    cp: float | None
    cpl: float | None
    cpu: float | None
    cpk: float
    cpm: float | None
    pp: float | None
    ppl: float | None
    ppu: float | None
    ppk: float
    ppm_index: float | None
    cp_ci: Interval | None
    cpl_ci: Interval | None
    cpu_ci: Interval | None
    cpk_ci: Interval
    cpm_ci: Interval | None
    pp_ci: Interval | None
    ppl_ci: Interval | None
    ppu_ci: Interval | None
    ppk_ci: Interval
    ppm_index_ci: Interval | None
    ppm_expected_within: PPM
    ppm_expected_overall: PPM
    ppm_observed: PPM
    normality: NormalityTest | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: statistics, indices, ``<index>_ci`` pairs, PPM and normality."""
        out: dict[str, Any] = {
            "n": self.n,
            "mean": self.mean,
            "sigma_within": self.sigma_within,
            "sigma_overall": self.sigma_overall,
            "sigma_method": self.sigma_method,
            "lsl": self.lsl,
            "usl": self.usl,
            "target": self.target,
            "confidence": self.confidence,
        }
        for name in _INDEX_NAMES:
            out[name] = getattr(self, name)
        for name in _INDEX_NAMES:
            interval: Interval | None = getattr(self, f"{name}_ci")
            out[f"{name}_ci"] = None if interval is None else interval.to_list()
        out["ppm_expected"] = {
            "within": self.ppm_expected_within.to_dict(),
            "overall": self.ppm_expected_overall.to_dict(),
        }
        out["ppm_observed"] = self.ppm_observed.to_dict()
        out["normality"] = None if self.normality is None else self.normality.to_dict()
        return out
