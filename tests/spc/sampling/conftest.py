"""Fixtures for the acceptance-sampling tests (reference copies: tests/fixtures/spc/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parents[2] / "fixtures" / "spc"


@pytest.fixture(scope="session")
def oc_cases() -> dict[str, dict[str, Any]]:
    """Cases of acceptance/single_plan_oc_examples.json keyed by id."""
    path = FIXTURES / "acceptance" / "single_plan_oc_examples.json"
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return {case["id"]: case for case in cases}
