"""Pydantic shapes of the accounts API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored timestamp with its zone: naive values (SQLite) are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(as_utc)]


class MeOut(BaseModel):
    """Who the request is authenticated as (``public`` when nobody is)."""

    authenticated: bool
    username: str
    role: str
    towns: list[str]
    uscc: str | None
    permissions: list[str]
    via: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    role: str
    towns: list[str]
    uscc: str | None
    permissions: list[str]
    disabled: bool
    created_at: UtcDatetime
    last_login_at: UtcDatetime | None


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None
