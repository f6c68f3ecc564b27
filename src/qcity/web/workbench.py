"""The SPC workbench: upload measurements, choose a chart, read the capability report."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
