"""HACCP tables: critical control points, monitoring records, deviations, corrective actions
and verification sign-offs.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qcity.db.base import Base


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware timestamp stored in UTC, read back aware on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; give a timezone")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Ccp(Base):
    """A critical control point of an enterprise's HACCP plan, with its critical limits."""

    __tablename__ = "haccp_ccp"
    __table_args__ = (
        CheckConstraint("lower_limit IS NOT NULL OR upper_limit IS NOT NULL", name="has_limit"),
        CheckConstraint(
            "lower_limit IS NULL OR upper_limit IS NULL OR lower_limit <= upper_limit",
            name="limits_ordered",
        ),
        CheckConstraint("length(uscc) = 18", name="uscc_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    product: Mapped[str] = mapped_column(String(128))
    step: Mapped[str] = mapped_column(String(128))
    hazard: Mapped[str] = mapped_column(String(256))
    lower_limit: Mapped[float | None] = mapped_column(Float)
    upper_limit: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    monitoring_frequency: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class MonitoringRecord(Base):
    """One monitoring measurement at a CCP: value, when and by whom."""

    __tablename__ = "haccp_monitoring_record"
    __table_args__ = (Index("ix_haccp_monitoring_record_ccp_time", "ccp_id", "measured_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ccp_id: Mapped[int] = mapped_column(ForeignKey("haccp_ccp.id"))
    value: Mapped[float] = mapped_column(Float)
    measured_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class DeviationDirection(enum.StrEnum):
    BELOW = "below"
    ABOVE = "above"


class Deviation(Base):
    """A monitoring record outside the critical limits (detected when the record is saved)."""

    __tablename__ = "haccp_deviation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("haccp_monitoring_record.id"), unique=True)
    ccp_id: Mapped[int] = mapped_column(ForeignKey("haccp_ccp.id"), index=True)
    direction: Mapped[DeviationDirection] = mapped_column(
        Enum(
            DeviationDirection,
            native_enum=False,
            length=8,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    breached_limit: Mapped[float] = mapped_column(Float)

    record: Mapped[MonitoringRecord] = relationship(lazy="joined")
    corrective_actions: Mapped[list[CorrectiveAction]] = relationship(
        order_by="CorrectiveAction.id", lazy="selectin"
    )

    @property
    def is_open(self) -> bool:
        """True while no corrective action has been recorded."""
        return not self.corrective_actions


class CorrectiveAction(Base):
    """What was done about a deviation, by whom and when."""

    __tablename__ = "haccp_corrective_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deviation_id: Mapped[int] = mapped_column(ForeignKey("haccp_deviation.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    product_disposition: Mapped[str | None] = mapped_column(String(256))
    taken_by: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Verification(Base):
    """A sign-off that a CCP's records for a period were reviewed."""

    __tablename__ = "haccp_verification"
    __table_args__ = (CheckConstraint("period_start <= period_end", name="period_ordered"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ccp_id: Mapped[int] = mapped_column(ForeignKey("haccp_ccp.id"), index=True)
    period_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    period_end: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    verified_by: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
