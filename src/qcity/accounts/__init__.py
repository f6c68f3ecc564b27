"""Accounts and roles: who is asking, and what they may see and do.

Other domains use the policy layer: the FastAPI dependencies ``current_user``,
``require_login``, ``require_role(...)``, ``require_permission(...)``; ``require(user, action,
obj)``; the scope helpers ``visible_towns`` and ``can_see_entity``; and ``personal(...)`` to
show personal data masked unless the user may (and asks to) unmask it, auditing the unmask.
"""

from qcity.accounts._authz import (
    GRANTABLE,
    PUBLIC,
    UNMASK,
    Forbidden,
    Principal,
    Unauthenticated,
    can_see_entity,
    current_user,
    has_permission,
    require,
    require_login,
    require_permission,
    require_role,
    visible_towns,
)
from qcity.accounts.models import Role
from qcity.accounts.service import PersonalRef, personal

__all__ = [
    "GRANTABLE",
    "PUBLIC",
    "UNMASK",
    "Forbidden",
    "PersonalRef",
    "Principal",
    "Role",
    "Unauthenticated",
    "can_see_entity",
    "current_user",
    "has_permission",
    "personal",
    "require",
    "require_login",
    "require_permission",
    "require_role",
    "visible_towns",
]
