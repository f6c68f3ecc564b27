"""Pydantic shapes of the inspection API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    domain: str
    parent_code: str | None
    name_zh_hans: str
    name_zh_hant: str
    name_en: str
    industry_code: str | None


class TestItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item: str
    result: str
    result_value: float | None
    unit: str
    standard_limit: str
    standard_reference: str
    verdict: str
    hazard_class: str | None


class InspectionOut(BaseModel):
    """One sampling inspection (no personal data: business names and addresses only)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    natural_key: str
    task_source: str
    sampling_date: dt.date
    town_code: str
    sampled_entity_id: int | None
    sampled_unit_name: str
    sampled_unit_address: str
    manufacturer_name: str
    manufacturer_address: str
    manufacturer_uscc: str | None
    product_name: str
    brand: str
    specification: str
    production_batch: str
    category_code: str
    industry_code: str | None
    verdict: str
    lab_name: str
    report_no: str | None
    sample_no: str | None
    announcement_no: str | None
    announcement_date: dt.date | None
    retest_requested: bool
    retest_outcome: str | None


class InspectionDetail(InspectionOut):
    items: list[TestItemOut]


class InspectionPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[InspectionOut]


class RejectionOut(BaseModel):
    row: int
    reason: str
    cells: dict[str, str]


class ImportResult(BaseModel):
    """What an upload's import did; rejected rows inline, or a link-free file via ?rejects=file."""

    file: str
    rows_read: int
    landed: int
    rejected: int
    already_present: int
    rejects: list[RejectionOut]
