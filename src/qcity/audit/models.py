"""The audit trail: an append-only, hash-chained log of every write, and the chain's head.

Neither table is itself audited (``info={"audit": False}``) and neither may be written through
the ORM: rows are appended by :mod:`qcity.audit._chain` with Core statements, under a lock on
the single ``audit_chain_head`` row. PostgreSQL refuses UPDATE/DELETE on ``audit_log`` with a
trigger (see the migration); SQLite has equivalent triggers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qcity.db.base import Base

ACTIONS = ("insert", "update", "delete", "bulk", "unmask", "login", "logout")
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class AuditLog(Base):
    """One audited event: who, when, what (table + primary key), and the values before/after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("action IN (" + ", ".join(f"'{a}'" for a in ACTIONS) + ")", name="action"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
        Index("ix_audit_log_actor", "actor"),
        Index("ix_audit_log_table_name", "table_name"),
        {"info": {"audit": False}},
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    table_name: Mapped[str] = mapped_column(String(64))
    row_pk: Mapped[str] = mapped_column(String(256))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """The single row (id 1) naming the last audit row and its hash; locked by every writer."""

    __tablename__ = "audit_chain_head"
    __table_args__ = ({"info": {"audit": False}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(_BIG_ID)
    last_hash: Mapped[str] = mapped_column(String(64))
