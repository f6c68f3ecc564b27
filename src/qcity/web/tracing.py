"""Trace and recall: look up an identifier, see its trace graph, start and follow a recall."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
