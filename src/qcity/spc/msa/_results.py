"""Frozen result objects of a gauge R&R study."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AnovaRow:
    """One ANOVA source: degrees of freedom, sums of squares, mean square, F and p."""

    source: str
    df: int
    ss: float
    ms: float | None
    f: float | None
    p: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the attributes."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class AnovaTable:
    """ANOVA table; the last row is the total."""

    rows: tuple[AnovaRow, ...]

    def row(self, source: str) -> AnovaRow:
        """The row named ``source`` ("part", "operator", "part:operator", "repeatability",
        "total")."""
        for r in self.rows:
            if r.source == source:
                return r
        raise KeyError(source)

    def to_dict(self) -> list[dict[str, Any]]:
        """Rows as a list of dicts."""
        return [r.to_dict() for r in self.rows]


@dataclass(frozen=True)
class VarianceComponent:
    """A variance component with its sd, study variation and percentages."""

    source: str
    variance: float
    sd: float
    study_var: float
    pct_contribution: float
    pct_study_var: float
    pct_tolerance: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the attributes."""
        return dict(self.__dict__)


COMPONENT_NAMES = (
    "gage_rr",
    "repeatability",
    "reproducibility",
    "operator",
    "operator_part",
    "part",
    "total",
)


@dataclass(frozen=True)
class GaugeRRResult:
    """Crossed gauge R&R study.

    ``components`` follow ``COMPONENT_NAMES``: gage_rr = repeatability + reproducibility,
    reproducibility = operator + operator_part, total = gage_rr + part. Negative
    variance estimates are clamped to 0. ``interaction_pooled`` is None for the X-bar/R
    method, which does not estimate the operator x part interaction.
    """

    method: str
    n_parts: int
    n_operators: int
    n_trials: int
    anova_full: AnovaTable | None
    anova_reduced: AnovaTable | None
    interaction_p_value: float | None
    interaction_pooled: bool | None
    alpha: float | None
    components: tuple[VarianceComponent, ...]
    ndc: int
    study_var_multiplier: float
    tolerance: float | None

    def component(self, source: str) -> VarianceComponent:
        """The variance component named ``source`` (see ``COMPONENT_NAMES``)."""
        for c in self.components:
            if c.source == source:
                return c
        raise KeyError(source)

    @property
    def var_repeatability(self) -> float:
        """Repeatability (equipment) variance."""
        return self.component("repeatability").variance

    @property
    def var_reproducibility(self) -> float:
        """Reproducibility (appraiser) variance."""
        return self.component("reproducibility").variance

    @property
    def var_gage_rr(self) -> float:
        """Total gauge R&R variance."""
        return self.component("gage_rr").variance

    @property
    def var_part(self) -> float:
        """Part-to-part variance."""
        return self.component("part").variance

    @property
    def var_total(self) -> float:
        """Total variance."""
        return self.component("total").variance

    def to_dict(self) -> dict[str, Any]:
        """Flat ``var_*``, ``pct_*`` keys plus components and ANOVA tables."""
        out: dict[str, Any] = {
            "method": self.method,
            "n_parts": self.n_parts,
            "n_operators": self.n_operators,
            "n_trials": self.n_trials,
        }
        for c in self.components:
            out[f"var_{c.source}"] = c.variance
        for c in self.components:
            out[f"pct_contribution_{c.source}"] = c.pct_contribution
            out[f"pct_study_var_{c.source}"] = c.pct_study_var
            out[f"pct_tolerance_{c.source}"] = c.pct_tolerance
        out.update(
            ndc=self.ndc,
            interaction_pooled=self.interaction_pooled,
            interaction_p_value=self.interaction_p_value,
            alpha=self.alpha,
            study_var_multiplier=self.study_var_multiplier,
            tolerance=self.tolerance,
            components=[c.to_dict() for c in self.components],
            anova_full=None if self.anova_full is None else self.anova_full.to_dict(),
            anova_reduced=None if self.anova_reduced is None else self.anova_reduced.to_dict(),
        )
        return out
