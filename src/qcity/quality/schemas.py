"""Pydantic shapes of the SPC and HACCP APIs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from qcity.quality.models import Deviation, MonitoringRecord

Finite = Annotated[float, Field(allow_inf_nan=False)]
MAX_ID = 2**31 - 1  # ids fit the INTEGER columns of SQLite and PostgreSQL
ChartType = Literal["xbar-r", "xbar-s", "i-mr", "p", "np", "c", "u", "ewma", "cusum", "g"]
RuleSet = Literal["we", "nelson", "none"]
Limit = float | list[float | None] | None


class ChartOptions(BaseModel):
    """Chart type and options shared by the JSON and the file-upload variants."""

    type: ChartType
    subgroup_size: int | None = Field(None, ge=1, description="Values per subgroup / sample size.")
    rules: RuleSet | None = Field(None, description="Run rules; default Western Electric 1, 4.")
    sigma_method: str | None = Field(None, description="e.g. UWAVE-R, UWAVE-SD, MR, MMR, SD.")
    lam: Finite | None = Field(None, description="EWMA weight lambda (default 0.2).")
    k: Finite | None = Field(None, description="CUSUM reference value (default 0.5).")
    h: Finite | None = Field(None, description="CUSUM decision interval (default 5).")
    mean: Finite | None = Field(None, description="Phase II standard mean (mean count: c, u, g).")
    sigma: Finite | None = Field(None, description="Phase II standard sigma.")
    p: Finite | None = Field(None, description="Phase II standard fraction (p, np charts).")


class ChartRequest(ChartOptions):
    """Values (or counts) in time order, with optional subgroup labels and sample sizes."""

    values: list[Finite] = Field(min_length=1)
    subgroups: list[str] | None = Field(None, description="One subgroup label per value.")
    sizes: list[Finite] | None = Field(None, description="Sample size per point (p, np, u).")


class ChartUpload(ChartOptions):
    """Form fields of the file-upload variant: columns of the uploaded CSV or XLSX file."""

    column: str
    subgroup_column: str | None = None
    size_column: str | None = None


class Violation(BaseModel):
    rule: int
    index: int = Field(description="0-based point index.")


class SecondaryChartOut(BaseModel):
    type: str
    center: float | None
    lcl: Limit
    ucl: Limit
    points: list[float | None]


class ChartOut(BaseModel):
    """A control chart; ``lcl``/``ucl`` are lists when the limits vary per point."""

    type: str
    center: float | None
    lcl: Limit
    ucl: Limit
    sigma: float | None
    points: list[float | None]
    violations: list[Violation]
    secondary: SecondaryChartOut | None


class CapabilityOptions(BaseModel):
    lsl: Finite | None = None
    usl: Finite | None = None
    target: Finite | None = None
    subgroup_size: int | None = Field(None, ge=1)


class CapabilityRequest(CapabilityOptions):
    values: list[Finite] = Field(min_length=1)
    subgroups: list[str] | None = None


class CapabilityUpload(CapabilityOptions):
    column: str
    subgroup_column: str | None = None


class PpmOut(BaseModel):
    below_lsl: float | None
    above_usl: float | None
    total: float | None


class PpmExpectedOut(BaseModel):
    within: PpmOut
    overall: PpmOut


class CapabilityOut(BaseModel):
    """Capability indices (None where undefined), ``<index>_ci`` intervals, PPM, normality."""

    model_config = ConfigDict(extra="allow")

    n: int
    mean: float
    sigma_within: float | None
    sigma_overall: float | None
    sigma_method: str
    lsl: float | None
    usl: float | None
    target: float | None
    cp: float | None
    cpl: float | None
    cpu: float | None
    cpk: float | None
    cpm: float | None
    pp: float | None
    ppl: float | None
    ppu: float | None
    ppk: float | None
    ppm_expected: PpmExpectedOut
    ppm_observed: PpmOut
    normality: dict[str, float | int | None] | None


class GaugeRRRequest(BaseModel):
    """One reading per row: part, operator and value (a crossed, balanced design)."""

    parts: list[str] = Field(min_length=1)
    operators: list[str] = Field(min_length=1)
    values: list[Finite] = Field(min_length=1)
    tolerance: Finite | None = Field(None, gt=0, description="USL - LSL, for %Tolerance.")
    method: Literal["anova", "xbar-r"] = "anova"
    interaction: Literal["auto", "keep", "pool"] = "auto"


class GaugeRROut(BaseModel):
    """Variance components and percentages (``var_*``, ``pct_*``), ndc, ANOVA tables."""

    model_config = ConfigDict(extra="allow")

    method: str
    var_repeatability: float
    var_reproducibility: float
    var_gage_rr: float
    var_part: float
    var_total: float
    pct_contribution_gage_rr: float
    pct_study_var_gage_rr: float
    ndc: int
    interaction_pooled: bool | None
    components: list[dict[str, Any]]


class SamplingPlanRequest(BaseModel):
    lot_size: int
    aql: float | str
    level: str = "II"
    inspection: str = "normal"


class SamplingPlanOut(BaseModel):
    code_letter: str
    sample_size: int
    accept: int
    reject: int
    inspection: str
    aql: str
    lot_size: int | None
    level: str | None
    plan_code_letter: str
    table_sample_size: int
    full_inspection: bool
    standard: str


# --- HACCP ---------------------------------------------------------------------------------

ACTOR = "Optional: the authenticated user is recorded; a different name here is refused (422)."


class CcpCreate(BaseModel):
    uscc: str = Field(description="Enterprise unified social credit code (18 characters).")
    product: str = Field(description="Product or process.")
    step: str = Field(description="Process step where the hazard is controlled.")
    hazard: str
    lower_limit: Finite | None = None
    upper_limit: Finite | None = None
    unit: str
    monitoring_frequency: str = Field(description="e.g. 'every batch', 'hourly'.")


class CcpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    uscc: str
    product: str
    step: str
    hazard: str
    lower_limit: float | None
    upper_limit: float | None
    unit: str
    monitoring_frequency: str
    created_at: dt.datetime


class RecordCreate(BaseModel):
    value: Finite
    measured_at: AwareDatetime
    recorded_by: str | None = Field(None, max_length=64, description=ACTOR)


class CorrectiveActionCreate(BaseModel):
    deviation_id: int = Field(ge=1, le=MAX_ID)
    action: str = Field(description="What was done (cause, control restored).")
    taken_by: str | None = Field(None, max_length=64, description=ACTOR)
    taken_at: AwareDatetime
    product_disposition: str | None = Field(None, description="What happened to the product.")


class CorrectiveActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    deviation_id: int
    action: str
    product_disposition: str | None
    taken_by: str
    taken_at: dt.datetime


class DeviationOut(BaseModel):
    """A record outside the critical limits; ``status`` is open until a corrective action."""

    id: int
    ccp_id: int
    record_id: int
    value: float
    measured_at: dt.datetime
    direction: Literal["below", "above"]
    breached_limit: float
    status: Literal["open", "closed"]
    corrective_actions: list[CorrectiveActionOut]

    @classmethod
    def of(cls, deviation: Deviation) -> DeviationOut:
        """The API shape of a deviation with its record and corrective actions."""
        return cls(
            id=deviation.id,
            ccp_id=deviation.ccp_id,
            record_id=deviation.record_id,
            value=deviation.record.value,
            measured_at=deviation.record.measured_at,
            direction=deviation.direction.value,
            breached_limit=deviation.breached_limit,
            status="open" if deviation.is_open else "closed",
            corrective_actions=[
                CorrectiveActionOut.model_validate(a) for a in deviation.corrective_actions
            ],
        )


class RecordOut(BaseModel):
    id: int
    ccp_id: int
    value: float
    measured_at: dt.datetime
    recorded_by: str
    deviation: DeviationOut | None

    @classmethod
    def of(cls, record: MonitoringRecord, deviation: Deviation | None) -> RecordOut:
        """The API shape of a monitoring record and its deviation, if any."""
        return cls(
            id=record.id,
            ccp_id=record.ccp_id,
            value=record.value,
            measured_at=record.measured_at,
            recorded_by=record.recorded_by,
            deviation=None if deviation is None else DeviationOut.of(deviation),
        )


class VerificationCreate(BaseModel):
    ccp_id: int = Field(ge=1, le=MAX_ID)
    period_start: AwareDatetime
    period_end: AwareDatetime
    verified_by: str | None = Field(None, max_length=64, description=ACTOR)
    verified_at: AwareDatetime
    notes: str = ""


class VerificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ccp_id: int
    period_start: dt.datetime
    period_end: dt.datetime
    verified_by: str
    verified_at: dt.datetime
    notes: str
