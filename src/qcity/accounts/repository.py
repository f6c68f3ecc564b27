"""Queries over users, sessions, tokens and login attempts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from qcity.accounts.models import ApiToken, LoginAttempt, Role, User


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.username)).all()


def admin_exists(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(User.role == Role.ADMIN))))


def attempts_since(session: Session, username: str, since: dt.datetime) -> Sequence[LoginAttempt]:
    return session.scalars(
        select(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.attempted_at >= since)
        .order_by(LoginAttempt.attempted_at, LoginAttempt.id)
    ).all()


def tokens_of(session: Session, user_id: int) -> Sequence[ApiToken]:
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    ).all()


def known_town_codes(session: Session, codes: Sequence[str]) -> set[str]:
    from qcity.registry.models import OrgUnit  # the registry owns towns

    return set(session.scalars(select(OrgUnit.code).where(OrgUnit.code.in_(codes))).all())
