"""Pydantic shapes of the registry API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from qcity.privacy import mask_name


class OrgUnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    parent_code: str | None
    level: int
    kind: str
    name_zh_hans: str
    name_zh_hant: str
    name_en: str


class IndustryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    level: str
    parent_code: str | None
    name_zh_hans: str
    name_zh_hant: str
    name_en: str


class MarketEntityOut(BaseModel):
    """A market entity; the legal representative's name is masked (personal data)."""

    model_config = ConfigDict(from_attributes=True)

    uscc: str
    name: str
    town_code: str
    industry_code: str
    address: str
    size_class: str
    registered_on: dt.date
    status: str
    legal_representative: str

    @classmethod
    def masked(cls, entity: object) -> MarketEntityOut:
        out = cls.model_validate(entity)
        return out.model_copy(update={"legal_representative": mask_name(out.legal_representative)})


class EntityPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[MarketEntityOut]


class UsccCheckOut(BaseModel):
    code: str
    valid: bool
    reason: str | None
    expected: str | None
