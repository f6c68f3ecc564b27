"""Towns: pass rates and volumes by town, drilling down to categories and entities."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
