"""Plan indicators (DHIS2-style) and the values reported for them."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from qcity.db.base import Base


class IndicatorKind(enum.StrEnum):
    PASS_RATE = "pass_rate"  # computed from the inspection records by ``definition``
    REPORTED = "reported"  # values reported per period (and town) by people


class Comparator(enum.StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    ABOUT = "~"
    RISING = "rising"


class Indicator(Base):
    """A plan indicator with its target, deadline and, when computed, its definition.

    ``definition`` (pass rates) is data, e.g.
    ``{"denominator": {"domain": ["food"]}, "failures": {"verdict": ["fail"]}}``: the samples
    counted and which of them count as failures; the value is 100 × (1 − failures/denominator).
    """

    __tablename__ = "indicator"
    __table_args__ = (
        CheckConstraint("kind IN ('pass_rate', 'reported')", name="kind"),
        CheckConstraint("comparator IN ('>=', '<=', '~', 'rising')", name="comparator"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh_hans: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    comparator: Mapped[str] = mapped_column(String(8))
    target: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[dt.date] = mapped_column(Date)
    source_clause: Mapped[str] = mapped_column(String(32))
    measured_from: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    # Width of the "at risk" band in the indicator's unit (see docs/indicators.md).
    at_risk_margin: Mapped[float] = mapped_column(Float)
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    provenance: Mapped[str] = mapped_column(String(256))


class IndicatorValue(Base):
    """A value reported for an indicator, a period and a town (None: the whole city).

    Reports are never overwritten: the newest report for (indicator, period, town) is the value,
    the older ones are its history.
    """

    __tablename__ = "indicator_value"
    __table_args__ = (
        Index("ix_indicator_value_indicator_period", "indicator_id", "period", "town_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # 2025, 2025-Q3 or 2025-07
    town_code: Mapped[str | None] = mapped_column(ForeignKey("org_unit.code"))
    value: Mapped[float] = mapped_column(Float)
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(String(256), default="")
