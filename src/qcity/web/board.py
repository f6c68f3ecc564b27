"""The indicator board: every plan target with its value, target, status band and trend."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
