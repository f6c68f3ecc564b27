"""Pydantic shapes of the indicator and pass-rate API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["met", "at_risk", "missed", "no_data"]


class RecordSelection(BaseModel):
    """Which inspection records a computed indicator counts (empty lists: no restriction)."""

    model_config = ConfigDict(extra="forbid")

    domain: list[str] = Field(default_factory=list)
    category_code: list[str] = Field(default_factory=list)
    task_source: list[str] = Field(default_factory=list)
    industry_code: list[str] = Field(default_factory=list)


class FailureRule(BaseModel):
    """Which of the counted samples are failures."""

    model_config = ConfigDict(extra="forbid")

    verdict: list[str] = Field(default_factory=lambda: ["fail"], min_length=1)


class RateDefinition(BaseModel):
    """A pass rate as data: value = 100 × (1 − failures / denominator)."""

    model_config = ConfigDict(extra="forbid")

    denominator: RecordSelection
    failures: FailureRule = Field(default_factory=FailureRule)


class TrendPoint(BaseModel):
    period: str
    value: float


class Trend(BaseModel):
    points: list[TrendPoint]
    direction: Literal["up", "down", "flat"] | None = Field(
        description="Last value against the one before (None with fewer than two values)."
    )


class LegendBand(BaseModel):
    status: Status
    rule: str


class IndicatorOut(BaseModel):
    """An indicator evaluated for a period (and town)."""

    id: str
    name: str
    name_zh_hans: str
    name_en: str
    kind: str
    target: float | None
    comparator: str
    unit: str
    deadline: dt.date
    period: str
    town_code: str | None
    value: float | None
    status: Status
    trend: Trend
    probability_of_meeting_target: float | None = Field(
        None, description="Pass rates only: P(rate over the deadline year meets the target)."
    )
    probability_method: str | None = None
    samples: int | None = Field(None, description="Pass rates: samples counted (denominator).")
    failed: int | None = Field(None, description="Pass rates: failures among them.")
    definition: dict[str, Any] | None = None
    legend: list[LegendBand]
    reported_by: str | None = None
    reported_at: dt.datetime | None = None
    source_clause: str
    provenance: str


class IndicatorPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[IndicatorOut]


class IndicatorValueIn(BaseModel):
    """A reported value: for which period (2025, 2025-Q3, 2025-07) and town, by whom."""

    model_config = ConfigDict(extra="forbid")

    period: str = Field(examples=["2025"])
    town_code: str | None = Field(None, description="Town code; omit for the whole city.")
    value: float = Field(allow_inf_nan=False)
    reported_by: str = Field(min_length=1, max_length=64)
    note: str = Field("", max_length=256)


class IndicatorValueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    indicator_id: str
    period: str
    town_code: str | None
    value: float
    reported_by: str
    reported_at: dt.datetime
    note: str


class IndicatorValuePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[IndicatorValueOut]


class PassRateOut(BaseModel):
    """One group of ``/api/pass-rates``; key fields not grouped by are null."""

    town: str | None = None
    category: str | None = None
    industry: str | None = None
    source: str | None = None
    period: str | None = None
    samples: int
    failed: int
    pass_rate: float = Field(description="Fraction 0..1.")
    ci_low: float = Field(description="Wilson 95 % interval, lower bound.")
    ci_high: float
    previous_pass_rate: float | None
    change: float | None = Field(description="pass_rate − previous_pass_rate.")


class PassRatePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[PassRateOut]
