"""Tables of traceability and recall: GS1 keys of market entities, product master data, recalls.

* ``trace_gs1_key``: which market entity (credit code) a GS1 Company Prefix or a GLN belongs to,
  and for a GLN the town it lies in. Trace results name holders by credit code through it.
* ``trace_product``: product master data by GTIN (what the lot is, in Chinese).
* ``recall_case``: one recall: who started it, when, why (reason, hazard), what it covers.
* ``recall_lot``: the scope snapshot taken when the recall started (lot, holder, quantity).
* ``recall_holder``: each holder's state in taking the product off the shelves (下架):
  notified → acknowledged → removed / destroyed, with quantities and timestamps.
* ``recall_progress``: every progress report (who, when, what state, what quantity).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from qcity.db.base import Base

HOLDER_STATES = ("notified", "acknowledged", "removed", "destroyed")


class Gs1Key(Base):
    """A GS1 Company Prefix (``kind='company_prefix'``) or GLN (``'gln'``) of a market entity."""

    __tablename__ = "trace_gs1_key"
    __table_args__ = (
        CheckConstraint("kind IN ('company_prefix', 'gln')", name="kind"),
        Index("ix_trace_gs1_key_uscc", "uscc"),
    )

    key: Mapped[str] = mapped_column(String(13), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    uscc: Mapped[str] = mapped_column(String(18))
    town_code: Mapped[str | None] = mapped_column(String(12))  # where a GLN location lies
    description: Mapped[str] = mapped_column(String(128), default="")


class Product(Base):
    """Product master data by GTIN-14."""

    __tablename__ = "trace_product"

    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(64), default="")
    uom: Mapped[str | None] = mapped_column(String(16))


class RecallCase(Base):
    """A recall of everything reached from ``root``."""

    __tablename__ = "recall_case"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("scope IN ('forward', 'siblings')", name="scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    root: Mapped[str] = mapped_column(String(512))
    scope: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    hazard: Mapped[str] = mapped_column(String(64), default="")
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(8), default="open")
    lots: Mapped[int] = mapped_column(Integer, default=0)
    holders: Mapped[int] = mapped_column(Integer, default=0)
    recalled_events: Mapped[int] = mapped_column(Integer, default=0)  # EPCIS events captured
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RecallLot(Base):
    """One line of the scope snapshot: a lot at a holder when the recall started."""

    __tablename__ = "recall_lot"
    __table_args__ = (Index("ix_recall_lot_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recall_case.id", ondelete="CASCADE"))
    identifier: Mapped[str] = mapped_column(String(512))
    product: Mapped[str] = mapped_column(String(128), default="")
    depth: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str | None] = mapped_column(String(512))
    location: Mapped[str | None] = mapped_column(String(512))
    town_code: Mapped[str | None] = mapped_column(String(12))
    quantity: Mapped[float] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(16))


class RecallHolder(Base):
    """A holder's progress in taking the recalled product off the shelves (下架)."""

    __tablename__ = "recall_holder"
    __table_args__ = (
        CheckConstraint(
            "state IN ('notified', 'acknowledged', 'removed', 'destroyed')", name="state"
        ),
        Index("ux_recall_holder_case_holder", "case_id", "holder", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recall_case.id", ondelete="CASCADE"))
    holder: Mapped[str] = mapped_column(String(512))  # credit code when known, else party URI
    name: Mapped[str] = mapped_column(String(128), default="")
    town_code: Mapped[str | None] = mapped_column(String(12))
    lots: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[float] = mapped_column(Float, default=0.0)  # in scope when started
    uom: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="notified")
    quantity_removed: Mapped[float] = mapped_column(Float, default=0.0)
    quantity_destroyed: Mapped[float] = mapped_column(Float, default=0.0)
    notified_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RecallProgress(Base):
    """One progress report of a holder (the audit trail behind ``recall_holder``)."""

    __tablename__ = "recall_progress"
    __table_args__ = (Index("ix_recall_progress_holder_id", "holder_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("recall_holder.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[float | None] = mapped_column(Float)
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
