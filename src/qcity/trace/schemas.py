"""Pydantic shapes of traces, recalls and mass balance (API bodies and CLI JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HolderState = Literal["notified", "acknowledged", "removed", "destroyed"]


class TraceLotOut(BaseModel):
    """A lot reached by a trace, at one holder (a split lot has one row per holder)."""

    id: str
    product: str
    quantity: float
    uom: str | None
    holder: str | None = Field(description="Credit code of the holder when known, else its URI.")
    location: str | None = Field(description="Business location (SGLN URN) last seen.")
    town: str | None = Field(description="Town code of the holder's entity or the location.")
    depth: int


class TraceOut(BaseModel):
    root: str
    lots: list[TraceLotOut]
    events: list[str]


class RecallStartIn(BaseModel):
    root: str = Field(description="EPC URN, GS1 Digital Link or urn:qcity:lot:<USCC>:<batch>.")
    reason: str = Field(min_length=1)
    hazard: str = ""
    started_by: str = Field(min_length=1, max_length=64)
    siblings: bool = Field(False, description="Also recall what shares an input with the root.")


class RecallLotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    identifier: str
    product: str
    depth: int
    holder: str | None
    location: str | None
    town_code: str | None
    quantity: float
    uom: str | None


class ProgressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    state: str
    quantity: float | None
    reported_by: str
    reported_at: dt.datetime
    note: str


class RecallHolderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    holder: str
    name: str
    town_code: str | None
    lots: int
    quantity: float
    uom: str | None
    state: HolderState
    quantity_removed: float
    quantity_destroyed: float
    notified_at: dt.datetime
    acknowledged_at: dt.datetime | None
    removed_at: dt.datetime | None
    destroyed_at: dt.datetime | None
    progress: list[ProgressOut] = []


class RecallCaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    root: str
    scope: str
    reason: str
    hazard: str
    started_by: str
    started_at: dt.datetime
    status: str
    lots: int
    holders: int
    recalled_events: int
    closed_at: dt.datetime | None


class RecallDetailOut(RecallCaseOut):
    holder_states: dict[str, int]
    scope_lots: list[RecallLotOut]
    holder_list: list[RecallHolderOut]


class ProgressIn(BaseModel):
    state: HolderState
    quantity: float | None = Field(None, ge=0)
    reported_by: str = Field(min_length=1, max_length=64)
    note: str = ""
    at: dt.datetime | None = None


class BalanceOut(BaseModel):
    lot: str
    product: str
    holder: str | None
    holder_name: str
    town: str | None
    produced: float
    received: float
    shipped: float
    consumed: float
    on_hand: float | None
    expected: float
    discrepancy: float
    flagged: bool


class MassBalanceOut(BaseModel):
    absolute_tolerance: float
    relative_tolerance: float
    checked: int = Field(description="(lot, holder) pairs with any flow.")
    counted: int = Field(description="Pairs with an inventory count.")
    flagged: int
    items: list[BalanceOut]
