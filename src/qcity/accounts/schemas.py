"""Pydantic shapes of the accounts API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


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
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
