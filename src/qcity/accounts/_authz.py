"""Authorisation, checked on the server for every object.

A :class:`Principal` is who is asking (a logged-in user, an API token's owner, or the public).
``require(user, action, obj)`` raises unless allowed; ``visible_towns`` and ``can_see_entity``
scope queries; ``current_user`` / ``require_role`` / ``require_permission`` are FastAPI
dependencies. Denied objects that the user must not learn about are reported as not found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import Request

from qcity.accounts.models import Role
from qcity.errors import NotFound, QcityError

PUBLIC_ROLE = "public"
UNMASK = "unmask_personal_data"
MANAGE_USERS = "manage_users"
VIEW_AUDIT = "view_audit"
VIEW_ALL = "view_all_entities"  # city-wide internal data
UPLOAD = "upload_entity_data"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({UNMASK, MANAGE_USERS, VIEW_AUDIT, VIEW_ALL, UPLOAD}),
    Role.ANALYST: frozenset({VIEW_ALL}),
    Role.INSPECTOR: frozenset({UPLOAD}),
    Role.ENTERPRISE: frozenset({UPLOAD}),
    PUBLIC_ROLE: frozenset(),
}
GRANTABLE = (UNMASK,)  # permissions an admin may grant to other roles


class Unauthenticated(QcityError):
    """The request needs a logged-in user or an API token."""

    http_status = 401


class Forbidden(QcityError):
    """The user is logged in but may not do this."""

    http_status = 403


@dataclass(frozen=True)
class Principal:
    """Who is asking. ``towns`` scopes inspectors; ``uscc`` scopes enterprise users."""

    username: str
    role: str
    user_id: int | None = None
    towns: frozenset[str] = field(default_factory=frozenset)
    uscc: str | None = None
    granted: frozenset[str] = field(default_factory=frozenset)
    via: Literal["session", "token", "anonymous", "cli"] = "anonymous"

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS.get(self.role, frozenset()) | self.granted

    @property
    def actor(self) -> str:
        """The audit actor for this principal."""
        return f"user:{self.username}" if self.is_authenticated else "public"


PUBLIC = Principal(username="", role=PUBLIC_ROLE)


def has_permission(user: Principal, permission: str) -> bool:
    return permission in user.permissions


def visible_towns(user: Principal) -> frozenset[str] | None:
    """Towns whose internal data ``user`` may see: ``None`` means every town."""
    if has_permission(user, VIEW_ALL):
        return None
    if user.role == Role.INSPECTOR:
        return user.towns
    return frozenset()


def can_see_entity(user: Principal, uscc: str, town_code: str | None = None) -> bool:
    """Whether ``user`` may see the (non-public) data of the market entity ``uscc``.

    Inspectors need the entity's ``town_code`` to be in their towns; enterprise users see
    only their own credit code; the public sees no internal data.
    """
    if has_permission(user, VIEW_ALL):
        return True
    if user.role == Role.ENTERPRISE:
        return user.uscc is not None and uscc == user.uscc
    if user.role == Role.INSPECTOR:
        return town_code is not None and town_code in user.towns
    return False


def _entity_key(obj: Any) -> tuple[str, str | None]:
    if isinstance(obj, str):
        return obj, None
    return str(obj.uscc), getattr(obj, "town_code", None)


def _allowed(user: Principal, action: str, obj: Any) -> bool:
    if action in (UNMASK, MANAGE_USERS, VIEW_AUDIT):
        return has_permission(user, action)
    if action == "view_entity":
        return can_see_entity(user, *_entity_key(obj))
    if action == UPLOAD:
        return has_permission(user, UPLOAD) and (
            user.role == Role.ADMIN or can_see_entity(user, *_entity_key(obj))
        )
    if action == "view_town":
        towns = visible_towns(user)
        return towns is None or str(obj) in towns
    return False  # unknown actions are denied


def require(user: Principal, action: str, obj: Any = None, *, hide: str | None = None) -> None:
    """Raise unless ``user`` may do ``action`` on ``obj``.

    Actions: ``view_entity`` / ``upload_entity_data`` (obj: credit code or an object with
    ``uscc`` and ``town_code``), ``view_town`` (obj: town code), and the permissions
    ``unmask_personal_data``, ``manage_users``, ``view_audit``. With ``hide`` (a not-found
    message) a refusal is reported as :class:`NotFound`, so nothing leaks about the object.
    """
    if _allowed(user, action, obj):
        return
    if hide is not None:
        raise NotFound(hide)
    if not user.is_authenticated:
        raise Unauthenticated("log in first (or send an API token)")
    raise Forbidden(f"your account ({user.role}) may not {action.replace('_', ' ')}")


def current_user(request: Request) -> Principal:
    """FastAPI dependency: the request's principal (the public when nobody is logged in)."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, Principal) else PUBLIC


def require_login(request: Request) -> Principal:
    """FastAPI dependency: a logged-in user (401 otherwise)."""
    user = current_user(request)
    if not user.is_authenticated:
        raise Unauthenticated("log in first (or send an API token)")
    return user


def require_role(*roles: str) -> Callable[[Request], Principal]:
    """FastAPI dependency factory: a logged-in user with one of ``roles``."""
    allowed = frozenset(str(r) for r in roles)

    def dependency(request: Request) -> Principal:
        user = require_login(request)
        if user.role not in allowed:
            raise Forbidden(f"this needs the role {' or '.join(sorted(allowed))}")
        return user

    return dependency


def require_permission(permission: str) -> Callable[[Request], Principal]:
    """FastAPI dependency factory: a logged-in user holding ``permission``."""

    def dependency(request: Request) -> Principal:
        user = require_login(request)
        if not has_permission(user, permission):
            raise Forbidden(f"this needs the permission {permission}")
        return user

    return dependency
