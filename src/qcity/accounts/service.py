"""Accounts logic: users, login with lockout and session rotation, API tokens, and the
personal-data helper every domain uses. Never commits (the caller's unit of work does)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from qcity import audit
from qcity.accounts import _passwords, _sessions, repository
from qcity.accounts._authz import (
    GRANTABLE,
    UNMASK,
    Forbidden,
    Principal,
    has_permission,
)
from qcity.accounts.models import ApiToken, LoginAttempt, Role, User
from qcity.audit._chain import as_utc
from qcity.errors import InputError, NotFound
from qcity.privacy import mask_name, mask_phone
from qcity.registry.uscc import validate_uscc
from qcity.settings import Settings

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
DEMO_ADMIN = "admin"
TOWN_CODE = re.compile(r"^\d{12}$")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def _get(session: Session, username: str) -> User:
    user = repository.user_by_username(session, normalise_username(username))
    if user is None:
        raise NotFound(f"no user {username!r}; list users with `qcity users list`")
    return user


def _check_scope(
    session: Session, role: Role, towns: Sequence[str], uscc: str | None
) -> tuple[list[str], str | None]:
    towns = sorted({t.strip() for t in towns if t.strip()})
    uscc = uscc.strip().upper() if uscc else None
    if role == Role.INSPECTOR:
        if not towns:
            raise InputError("an inspector needs --towns CODE,... (12-digit town codes)")
        bad = [t for t in towns if not TOWN_CODE.match(t)]
        if bad:
            raise InputError(f"town code(s) {', '.join(bad)} are not 12 digits")
        unknown = sorted(set(towns) - repository.known_town_codes(session, towns))
        if unknown:
            raise InputError(
                f"unknown town code(s) {', '.join(unknown)}; list them with `qcity registry towns`"
            )
    elif towns:
        raise InputError(f"--towns applies to inspectors only, not to {role.value}")
    if role == Role.ENTERPRISE:
        if not uscc:
            raise InputError("an enterprise user needs --uscc CODE (its credit code)")
        verdict = validate_uscc(uscc)
        if not verdict.valid:
            raise InputError(f"--uscc {verdict}")
    elif uscc:
        raise InputError(f"--uscc applies to enterprise users only, not to {role.value}")
    return towns, uscc


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InputError(f"unknown role {raw!r}; use one of {choices}") from None


def create_user(
    session: Session,
    username: str,
    role: Role | str,
    password: str,
    *,
    towns: Sequence[str] = (),
    uscc: str | None = None,
    permissions: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> User:
    """A new user with a role and scope (towns for inspectors, a credit code for enterprises)."""
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise InputError(
            f"user name {username!r}: use 2-64 lower-case letters, digits, '.', '_' or '-'"
        )
    role = parse_role(role) if isinstance(role, str) else role
    town_list, uscc = _check_scope(session, role, towns, uscc)
    granted = sorted(set(permissions))
    _check_grantable(granted)
    _passwords.check_password_rule(password, name)
    if repository.user_by_username(session, name) is not None:
        raise InputError(f"user {name!r} exists already; use `qcity users set-password`")
    now = now or utcnow()
    user = User(
        username=name,
        password_hash=_passwords.hash_password(password),
        role=role.value,
        towns=town_list,
        uscc=uscc,
        permissions=granted,
        disabled=False,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _check_grantable(permissions: Iterable[str]) -> None:
    unknown = sorted(set(permissions) - set(GRANTABLE))
    if unknown:
        raise InputError(
            f"permission(s) {', '.join(unknown)} cannot be granted; "
            f"grantable: {', '.join(GRANTABLE)}"
        )


def list_users(session: Session) -> Sequence[User]:
    return repository.users(session)


def set_password(
    session: Session, username: str, password: str, now: dt.datetime | None = None
) -> User:
    """Replace the password and end the user's sessions."""
    user = _get(session, username)
    _passwords.check_password_rule(password, user.username)
    now = now or utcnow()
    user.password_hash = _passwords.hash_password(password)
    user.password_changed_at = now
    _sessions.revoke_user_sessions(session, user.id, now)
    session.flush()
    return user


def disable_user(session: Session, username: str, now: dt.datetime | None = None) -> User:
    """Disable the account: its sessions and API tokens stop working at once."""
    user = _get(session, username)
    now = now or utcnow()
    user.disabled = True
    _sessions.revoke_user_sessions(session, user.id, now)
    for token in repository.tokens_of(session, user.id):
        if token.revoked_at is None:
            token.revoked_at = now
    session.flush()
    return user


def grant_permission(session: Session, username: str, permission: str) -> User:
    _check_grantable([permission])
    user = _get(session, username)
    user.permissions = sorted({*(user.permissions or ()), permission})
    session.flush()
    return user


def revoke_permission(session: Session, username: str, permission: str) -> User:
    user = _get(session, username)
    user.permissions = sorted(set(user.permissions or ()) - {permission})
    session.flush()
    return user


def ensure_demo_admin(session: Session, env: str) -> str | None:
    """In development only, and only when no admin exists: create ``admin`` with a random
    password and return it (to print once). Returns None in every other case."""
    if env != "development" or repository.admin_exists(session):
        return None
    if repository.user_by_username(session, DEMO_ADMIN) is not None:
        return None
    password = _passwords.random_password()
    create_user(session, DEMO_ADMIN, Role.ADMIN, password)
    return password


# --- login ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """``user`` on success; otherwise ``locked_until`` says whether the name is locked."""

    user: User | None
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def locked_until(attempts: Sequence[LoginAttempt], settings: Settings) -> dt.datetime | None:
    """When the lock ends: ``max_failures`` failures within the window (after the last success)
    lock the name for the lockout period after the last of them."""
    failures: list[dt.datetime] = []
    for attempt in attempts:
        if attempt.succeeded:
            failures.clear()
        else:
            failures.append(as_utc(attempt.attempted_at))
    n = settings.login_max_failures
    window = dt.timedelta(minutes=settings.login_failure_window_minutes)
    until: dt.datetime | None = None
    for i in range(len(failures) - n + 1):
        if failures[i + n - 1] - failures[i] < window:
            until = failures[i + n - 1] + dt.timedelta(minutes=settings.login_lockout_minutes)
    return until


def authenticate(
    session: Session, username: str, password: str, *, settings: Settings, now: dt.datetime
) -> LoginOutcome:
    """Check a login. Unknown, disabled and wrong-password logins take the same time and
    count towards the same lockout; a hash made with old parameters is upgraded."""
    name = normalise_username(username)[:64]
    horizon = dt.timedelta(
        minutes=settings.login_failure_window_minutes + settings.login_lockout_minutes
    )
    until = locked_until(repository.attempts_since(session, name, now - horizon), settings)
    if until is not None and now < until:
        _passwords.burn_verification(password)
        return LoginOutcome(None, until)
    user = repository.user_by_username(session, name) if name else None
    if user is None or user.disabled:
        _passwords.burn_verification(password)
        ok = False
    else:
        ok = _passwords.verify_password(user.password_hash, password)
    session.add(LoginAttempt(username=name, attempted_at=now, succeeded=ok))
    if not ok or user is None:
        session.flush()
        until = locked_until(repository.attempts_since(session, name, now - horizon), settings)
        return LoginOutcome(None, until if until is not None and now < until else None)
    if _passwords.needs_rehash(user.password_hash):
        user.password_hash = _passwords.hash_password(password)
    user.last_login_at = now
    session.flush()
    return LoginOutcome(user)


def login(session: Session, user: User, old_token: str | None, now: dt.datetime) -> str:
    """Rotate: revoke the old session (if any) and open a new one; returns the new token."""
    _sessions.revoke_session(session, old_token, now)
    return _sessions.open_session(session, user, now)


def logout(session: Session, token: str | None, now: dt.datetime) -> None:
    _sessions.revoke_session(session, token, now)


def change_password(
    session: Session, user: Principal, current: str, new: str, now: dt.datetime
) -> None:
    """A user changes their own password (knowing the current one); other sessions end."""
    if user.user_id is None:
        raise Forbidden("log in first")
    row = repository.user_by_id(session, user.user_id)
    if row is None or not _passwords.verify_password(row.password_hash, current):
        raise InputError("the current password is wrong")
    _passwords.check_password_rule(new, row.username)
    row.password_hash = _passwords.hash_password(new)
    row.password_changed_at = now
    session.flush()


# --- API tokens ----------------------------------------------------------------------------


def create_api_token(
    session: Session, user_id: int, name: str, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new personal API token; the clear text is returned once and stored only hashed."""
    label = name.strip()[:64]
    if not label:
        raise InputError("give the token a name (what it is for)")
    clear = _sessions.new_api_token()
    token = ApiToken(
        user_id=user_id,
        name=label,
        prefix=clear[:12],
        token_hash=_sessions.digest(clear),
        created_at=now or utcnow(),
    )
    session.add(token)
    session.flush()
    return token, clear


def api_tokens(session: Session, user_id: int) -> Sequence[ApiToken]:
    return repository.tokens_of(session, user_id)


def revoke_api_token(session: Session, user_id: int, token_id: int, now: dt.datetime) -> None:
    """Revoke one of the user's own tokens (another user's token is simply not found)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound(f"no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()


# --- personal data -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalRef:
    """Where a personal value lives: for the audit row of an unmask."""

    table: str
    pk: object
    field: str
    purpose: str = ""


def personal(
    session: Session | None,
    value: str | None,
    kind: Literal["name", "phone"],
    user: Principal,
    ref: PersonalRef,
    *,
    unmask: bool = False,
) -> str | None:
    """Personal data as shown to ``user``: masked, unless ``unmask`` is asked for and the user
    holds ``unmask_personal_data``; then the clear value is returned and the unmask audited
    (who, when, which table/row/field — never the value) in ``session``'s transaction."""
    if value is None:
        return None
    if unmask and has_permission(user, UNMASK):
        if session is None:
            raise ValueError("unmasking needs a session to audit it")
        audit.record_unmask(session, ref.table, ref.pk, ref.field, ref.purpose)
        return value
    return mask_phone(value) if kind == "phone" else mask_name(value)
