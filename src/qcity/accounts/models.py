"""Accounts: users with a role and a scope, their sessions, API tokens and login attempts."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from qcity.db.base import Base


class Role(enum.StrEnum):
    ADMIN = "admin"  # bureau administrator
    ANALYST = "analyst"  # reads everything, city-wide
    INSPECTOR = "inspector"  # scoped to a set of towns
    ENTERPRISE = "enterprise"  # scoped to its own credit code


class User(Base):
    """A person (or an enterprise's account) who logs in. ``towns`` / ``uscc`` are the scope."""

    __tablename__ = "app_user"
    __table_args__ = (
        Index("ux_app_user_username", "username", unique=True),
        CheckConstraint("role IN (" + ", ".join(f"'{r.value}'" for r in Role) + ")", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256), info={"audit_redact": True})
    role: Mapped[str] = mapped_column(String(16))
    towns: Mapped[list[str]] = mapped_column(JSON, default=list)
    uscc: Mapped[str | None] = mapped_column(String(18))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A server-side login session; the browser holds the token, the table its sha256."""

    __tablename__ = "user_session"
    __table_args__ = (
        Index("ux_user_session_token_hash", "token_hash", unique=True),
        {"info": {"audit": False}},  # touched on every request; logins are audited on app_user
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal API token (``Authorization: Bearer qct_…``), stored as its sha256."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ux_api_token_token_hash", "token_hash", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), info={"audit_redact": True})
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """One login attempt by user name (also for unknown names), for the lockout rule."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_attempted_at", "username", "attempted_at"),
        {"info": {"audit": False}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
